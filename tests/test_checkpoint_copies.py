"""A built archive sends its checkpoints where ``[checkpoints]`` says, and `verify --against`
finds a log cut inside the archive with its checkpoints (reliability plan T-log-tamper)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from shiliao.archive import open_archive
from shiliao.cli import main
from tests.log.servers import OPENSSL, openssl_tsa

pytestmark = pytest.mark.timeout(300)

SIDECAR = "each_line:\n  title: '{title}'\n  text: body\ndefaults:\n  type: report\n"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def _collection(root: Path, settings: str) -> Path:
    (root / "sources").mkdir(parents=True)
    lines = [
        json.dumps({"title": f"通知{i}", "body": body}, ensure_ascii=False)
        for i, body in enumerate(["干部开展结亲活动。", "民族团结一家亲。"])
    ]
    (root / "sources" / "notices.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "sources" / "notices.jsonl.yaml").write_text(SIDECAR, encoding="utf-8")
    (root / "shiliao.toml").write_text(settings, encoding="utf-8")
    return root


def test_build_and_add_publish_and_verify_against_catches_a_cut(tmp_path: Path) -> None:
    collection = _collection(
        tmp_path / "c", '[checkpoints]\npublish = ["../outside"]\ntimeout_s = 10.0\n'
    )
    archive, outside = tmp_path / "a", tmp_path / "outside"
    code, output = _run(
        "build", str(collection), "--archive", str(archive), "--out", str(tmp_path / "site")
    )
    assert code == 0, output
    built = int((outside / "checkpoint").read_text().split("\n")[1])
    assert (outside / f"{built}.txt").read_bytes() == (archive / "log" / "checkpoint").read_bytes()

    page = tmp_path / "notice.txt"
    page.write_text("第一次入户走访记录。", encoding="utf-8")
    code, output = _run("add", str(archive), str(page), "--json")
    assert code == 0, output
    added = json.loads(output)["checkpoint"]
    assert added > built and (outside / f"{added}.txt").is_file()

    # Changes that are not captures, logged and signed by `checkpoint` (remembered targets).
    with open_archive(archive) as opened:
        opened.record("metadata_edited", {"source_id": "x", "title": "改"}, source_id=None)
    code, output = _run("checkpoint", str(archive), "--json")
    assert code == 0, output
    signed = json.loads(output)
    assert signed["copies"] == [str(outside.resolve())]
    assert (outside / f"{signed['size']}.txt").is_file()
    code, output = _run("verify", str(archive), "--against", str(outside))
    assert code == 0, output

    # Cut the log back to the `add` and remove every checkpoint past it, inside the archive.
    log_dir = archive / "log"
    lines = (log_dir / "entries.jsonl").read_bytes().split(b"\n")[:added]
    (log_dir / "entries.jsonl").write_bytes(b"".join(line + b"\n" for line in lines))
    for stored in (log_dir / "checkpoints").glob("*.txt"):
        if int(stored.stem) > added:
            stored.unlink()
    shutil.copyfile(log_dir / "checkpoints" / f"{added}.txt", log_dir / "checkpoint")

    # Nothing inside the archive remembers the entries cut: the check passes...
    code, output = _run("verify", str(archive))
    assert code == 0, output
    # ...the copy outside does not.
    code, output = _run("verify", str(archive), "--against", str(outside))
    assert code == 1
    assert f"signed a tree of {signed['size']} entries" in output
    assert f"the log has {added}" in output
    # And the next checkpoint is refused by the copy, which keeps what it holds.
    code, output = _run("checkpoint", str(archive))
    assert code == 1 and f"not copying checkpoint {added}" in output


@pytest.mark.skipif(OPENSSL is None, reason="needs the openssl command (the TSA)")
def test_build_timestamps_with_the_tsa_in_the_settings(tmp_path: Path) -> None:
    with openssl_tsa(tmp_path / "tsa") as tsa:
        collection = _collection(
            tmp_path / "c",
            f'[checkpoints]\ntimestamp_url = "{tsa.url}"\ntimestamp_certs = "{tsa.ca_pem}"\n',
        )
        archive = tmp_path / "a"
        code, output = _run(
            "build", str(collection), "--archive", str(archive), "--out", str(tmp_path / "site")
        )
        assert code == 0, output
    size = int((archive / "log" / "checkpoint").read_text().split("\n")[1])
    assert (archive / "log" / "checkpoints" / f"{size}.tsr").is_file()
    code, output = _run("verify", str(archive), "--tsa-certs", str(tsa.ca_pem))
    assert code == 0, output
    code, output = _run("verify", str(archive), "--json")
    assert code == 0 and "imprint only" in json.loads(output)["warnings"][0]
