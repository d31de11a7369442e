"""RFC 3161 timestamps over checkpoints, against a local OpenSSL time-stamping authority."""

from __future__ import annotations

import json
import re
import socket
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from shiliao.cli import main
from shiliao.errors import TimestampError
from shiliao.log import open_archive_log, verify_log
from shiliao.log.timestamp import load_tsa_certificates, request_timestamp, verify_timestamp
from tests.log.servers import OPENSSL, make_ca, openssl_tsa, serve

pytestmark = [
    pytest.mark.skipif(OPENSSL is None, reason="needs the openssl command (the TSA)"),
    pytest.mark.timeout(120),
]


def _archive(root: Path, entries: int = 2) -> Path:
    log = open_archive_log(root)
    for number in range(entries):
        log.append("metadata_edited", {"source_id": f"s{number}"})
    return root


def _checkpoint(archive: Path, *options: str) -> dict:
    result = CliRunner().invoke(main, ["checkpoint", str(archive), "--json", *options])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _backdated(token: bytes) -> bytes:
    """The token with its TSTInfo genTime a year earlier (GeneralizedTime YYYYMMDDHHMMSSZ)."""
    match = re.search(rb"\x18\x0f(\d{4})(\d{10}Z)", token)
    assert match, "no genTime in the token"
    year = str(int(match.group(1)) - 1).encode()
    return token[: match.start(1)] + year + token[match.end(1) :]


def test_a_checkpoint_is_timestamped_and_the_token_verifies(tmp_path: Path) -> None:
    archive = _archive(tmp_path / "a")
    with openssl_tsa(tmp_path / "tsa") as tsa:
        payload = _checkpoint(archive, "--timestamp", tsa.url, "--tsa-certs", str(tsa.ca_pem))
    assert len(tsa.requests) == 1
    note = archive / "log" / "checkpoints" / "2.txt"
    token = note.with_suffix(".tsr")
    assert payload["timestamp"] and token.is_file()

    certificates = load_tsa_certificates(tsa.ca_pem)
    stamp = verify_timestamp(token.read_bytes(), note.read_bytes(), certificates)
    assert stamp.trusted and stamp.signer == "CN=Test TSA"
    assert stamp.gen_time.isoformat() == payload["timestamp"]
    assert verify_log(archive / "log", payload["vkey"], tsa_certificates=certificates) == []
    # Anyone can check it without shiliao: the token is the TSA's own reply, over the file.
    openssl = subprocess.run(
        [
            OPENSSL,
            "ts",
            "-verify",
            "-in",
            str(token),
            "-data",
            str(note),
            "-CAfile",
            str(tsa.ca_pem),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert openssl.returncode == 0 and "Verification: OK" in openssl.stdout, openssl.stderr


def test_a_tampered_or_misplaced_token_fails(tmp_path: Path) -> None:
    archive = _archive(tmp_path / "a")
    with openssl_tsa(tmp_path / "tsa") as tsa:
        payload = _checkpoint(archive, "--timestamp", tsa.url)
        log = open_archive_log(archive)
        log.append("metadata_edited", {"source_id": "more"})
        _checkpoint(archive, "--timestamp", tsa.url)
    certificates = load_tsa_certificates(tsa.ca_pem)
    folder = archive / "log" / "checkpoints"
    assert verify_log(archive / "log", payload["vkey"], tsa_certificates=certificates) == []

    # Backdated by a year: the TSA's signature no longer covers the claim.
    (folder / "2.tsr").chmod(0o644)
    (folder / "2.tsr").write_bytes(_backdated((folder / "2.tsr").read_bytes()))
    problems = verify_log(archive / "log", payload["vkey"], tsa_certificates=certificates)
    assert [p.path for p in problems] == ["checkpoints/2.tsr"]
    assert "does not verify with the TSA certificates" in problems[0].message

    # A genuine token beside another checkpoint: its imprint gives it away, certificates or not.
    (folder / "2.tsr").write_bytes((folder / "3.tsr").read_bytes())
    for given in (certificates, None):
        problems = verify_log(archive / "log", payload["vkey"], tsa_certificates=given)
        assert [p.path for p in problems] == ["checkpoints/2.tsr"]
        assert "stamps another text" in problems[0].message


def test_a_token_from_a_tsa_not_trusted_fails(tmp_path: Path) -> None:
    archive = _archive(tmp_path / "a")
    with openssl_tsa(tmp_path / "tsa") as tsa:
        payload = _checkpoint(archive, "--timestamp", tsa.url)
    _, other = make_ca(tmp_path, "Another Root")
    problems = verify_log(
        archive / "log", payload["vkey"], tsa_certificates=load_tsa_certificates(other)
    )
    assert [p.path for p in problems] == ["checkpoints/2.tsr"]
    folder = archive / "log" / "checkpoints"
    with pytest.raises(TimestampError, match="unable to get local issuer certificate"):
        verify_timestamp(
            (folder / "2.tsr").read_bytes(),
            (folder / "2.txt").read_bytes(),
            load_tsa_certificates(other),
        )
    # Without certificates only the imprint is checked: it holds.
    assert not verify_timestamp(
        (folder / "2.tsr").read_bytes(), (folder / "2.txt").read_bytes()
    ).trusted


def test_a_tsa_out_of_reach_or_answering_nonsense_fails_the_command(tmp_path: Path) -> None:
    archive = _archive(tmp_path / "a")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/tsr"
    result = CliRunner().invoke(main, ["checkpoint", str(archive), "--timestamp", closed])
    assert result.exit_code == 1
    assert "checkpoint 2 is signed and stored" in result.output and "cannot reach" in result.output
    assert (archive / "log" / "checkpoints" / "2.txt").is_file()
    assert not (archive / "log" / "checkpoints" / "2.tsr").exists()

    nonsense = (200, "application/timestamp-reply", b"\x30\x03\x02\x01\x00")
    with serve(lambda request, body: nonsense) as url, pytest.raises(TimestampError):
        request_timestamp(b"note\n", url, timeout_s=5)
