"""`shiliao export --format bagit`, public and `--full`, checked by bagit-python's validator
(the Library of Congress reference implementation of BagIt, RFC 8493): through its Python API
with every checksum computed (not the fast Payload-Oxum check, bagit-python #177), and through
its command line, `bagit.py --validate`. A flipped byte in a payload file must fail both."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import bagit
import pytest
from click.testing import CliRunner

from shiliao.archive import open_archive
from shiliao.cli import main
from shiliao.collection import read_collection
from shiliao.config import load_settings
from shiliao.operations.ingest import ingest

VALIDATE_TIMEOUT_S = 120
# bagit-python's command line, as its ``bagit.py`` script runs it.
BAGIT_COMMAND = [sys.executable, "-c", "import bagit; bagit.main()"]
NOTICE = "关于开展民族团结一家亲活动的通知\n\n各单位干部与亲戚同吃同住同学习同劳动。\n"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive of a plain-text notice (offered as it is on the public site) and a JSON-lines
    file of notices (offered only once an editor has checked it)."""
    base = tmp_path_factory.mktemp("bag")
    sources = base / "c" / "sources"
    sources.mkdir(parents=True)
    (sources / "notice.txt").write_text(NOTICE, encoding="utf-8")
    records = [{"title": f"通知{i}", "date": f"201{i}", "body": "入户走访。"} for i in range(2)]
    (sources / "notices.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    (sources / "notices.jsonl.yaml").write_text(
        "each_line:\n  title: '{title}'\n  date: '{date}'\n  text: body\n"
        "defaults:\n  type: report\n",
        encoding="utf-8",
    )
    with open_archive(base / "a", create=True) as opened:
        ingest(opened, read_collection(base / "c"), load_settings(base / "c"))
    return base / "a"


def _export(archive: Path, out: Path, *extra: str) -> Path:
    result = CliRunner().invoke(
        main, ["export", str(archive), str(out), "--format", "bagit", *extra]
    )
    assert result.exit_code == 0, result.output
    return out


def _validate_cli(bag: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BAGIT_COMMAND, "--validate", str(bag)],
        capture_output=True,
        text=True,
        timeout=VALIDATE_TIMEOUT_S,
        check=False,
    )


def _flip(path: Path) -> None:
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


# Which payload file each bag's test flips: the notice as the public site offers it, or the
# notice's bytes in the OCFL storage root of the full bag.
BAGS = {
    "public": ((), "data/files/*/notice.txt"),
    "full": (("--full",), "data/objects/**/content/**/notice.txt"),
}


@pytest.mark.parametrize("kind", list(BAGS))
def test_bagit_python_validates_the_bag(archive: Path, tmp_path: Path, kind: str) -> None:
    extra, _ = BAGS[kind]
    bag = _export(archive, tmp_path / "bag", *extra)
    opened = bagit.Bag(str(bag))
    opened.validate(fast=False)
    assert set(opened.algorithms) == {"sha256", "sha512"}
    assert any(path.endswith("notice.txt") for path in opened.payload_entries())
    checked = _validate_cli(bag)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "is valid" in checked.stderr


@pytest.mark.parametrize("kind", list(BAGS))
def test_a_flipped_byte_in_a_payload_file_fails_validation(
    archive: Path, tmp_path: Path, kind: str
) -> None:
    extra, pattern = BAGS[kind]
    bag = _export(archive, tmp_path / "bag", *extra)
    (target,) = [p for p in bag.glob(pattern) if p.is_file()]
    _flip(target)
    with pytest.raises(bagit.BagValidationError) as failed:
        bagit.Bag(str(bag)).validate(fast=False)
    mismatches = [d for d in failed.value.details if isinstance(d, bagit.ChecksumMismatch)]
    changed = target.relative_to(bag).as_posix()
    assert {m.path for m in mismatches} == {changed}
    assert {m.algorithm for m in mismatches} == {"sha256", "sha512"}
    checked = _validate_cli(bag)
    assert checked.returncode != 0
    assert changed in checked.stderr
