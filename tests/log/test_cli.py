"""`shiliao checkpoint`, `shiliao verify-file` and `shiliao repair-log` through the CLI."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from click.testing import CliRunner

from shiliao.cli import main
from shiliao.log import SigningKey, make_proof_bundle, open_archive_log, verify_checkpoint
from tests.conftest import FIXTURES

REAL_FILE = FIXTURES / "html" / "zj-fzggw-info-release.html"


def make_archive(root: Path) -> Path:
    log = open_archive_log(root)
    data = REAL_FILE.read_bytes()
    log.append("file_captured", {"source_id": "zj", "sha256": hashlib.sha256(data).hexdigest()})
    log.append(
        "file_captured",
        {
            "source_id": "zj-copy",
            "sha256": hashlib.sha256(data).hexdigest(),
            "sha512": hashlib.sha512(data).hexdigest(),
            "path": "sources/zj.html",
        },
    )
    return root


def test_checkpoint_command_signs_and_prints(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "archive")
    result = CliRunner().invoke(main, ["checkpoint", str(archive), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["size"] == 2
    note = (archive / "log" / "checkpoint").read_text()
    checked = verify_checkpoint(note, payload["vkey"])
    assert checked.root_hash_b64 == payload["root_hash"] and checked.time == payload["time"]
    assert payload["path"] == str(archive / "log" / "checkpoints" / "2.txt")

    plain = CliRunner().invoke(main, ["checkpoint", str(archive)])
    assert plain.exit_code == 0 and "checkpoint of 2 log entries" in plain.stdout


def test_checkpoint_refuses_a_folder_that_is_not_an_archive(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["checkpoint", str(tmp_path)])
    assert result.exit_code == 1 and "not a shiliao archive" in result.output
    assert not (tmp_path / "log").exists()


def test_verify_file_passes_and_fails_with_exit_codes(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "archive")
    assert CliRunner().invoke(main, ["checkpoint", str(archive)]).exit_code == 0
    log = open_archive_log(archive)
    note = (archive / "log" / "checkpoint").read_text()
    vkey_path = archive / "log" / "key.vkey"
    checkpoint = verify_checkpoint(note, vkey_path.read_text().strip())
    proof = tmp_path / "zj.proof.json"
    proof.write_bytes(make_proof_bundle(log, 1, checkpoint))
    copy = tmp_path / "zj.html"
    copy.write_bytes(REAL_FILE.read_bytes())

    for key in (str(vkey_path), vkey_path.read_text().strip()):
        result = CliRunner().invoke(
            main, ["verify-file", str(copy), "--proof", str(proof), "--key", key]
        )
        assert result.exit_code == 0, result.output
        assert "verified" in result.stdout and "sha256, sha512" in result.stdout
        assert "log entry 1 (file_captured" in result.stdout

    copy.write_bytes(REAL_FILE.read_bytes() + b" ")
    result = CliRunner().invoke(
        main, ["verify-file", str(copy), "--proof", str(proof), "--key", str(vkey_path)]
    )
    assert result.exit_code == 1 and "sha256 expected" in result.output

    other = SigningKey.generate(checkpoint.origin)
    result = CliRunner().invoke(
        main, ["verify-file", str(copy), "--proof", str(proof), "--key", str(other.verifier())]
    )
    assert result.exit_code == 1 and "not signed by key" in result.output


def test_repair_log_moves_a_torn_line(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "archive")
    entries = archive / "log" / "entries.jsonl"
    entries.write_bytes(entries.read_bytes() + b'{"data":{"sou')
    result = CliRunner().invoke(main, ["checkpoint", str(archive)])
    assert result.exit_code == 1 and "repair-log" in result.output
    result = CliRunner().invoke(main, ["repair-log", str(archive)])
    assert result.exit_code == 0 and "moved 13 bytes" in result.stdout
    assert CliRunner().invoke(main, ["checkpoint", str(archive)]).exit_code == 0
    result = CliRunner().invoke(main, ["repair-log", str(archive)])
    assert "nothing to repair" in result.stdout
