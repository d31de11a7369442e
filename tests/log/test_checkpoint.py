"""Signed checkpoints: the C2SP tlog-checkpoint text, the files, and refusals to sign."""

from __future__ import annotations

import base64
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shiliao.errors import CheckpointError, SignatureError
from shiliao.log import (
    Log,
    SigningKey,
    load_or_create_key,
    sign_note,
    verify_checkpoint,
    write_checkpoint,
)


@pytest.fixture
def log(tmp_path: Path) -> Log:
    log = Log.open(
        tmp_path / "log", create=True, clock=lambda: datetime(2025, 6, 1, 8, 30, tzinfo=UTC)
    )
    for i in range(7):
        log.append("file_captured", {"n": i})
    return log


def test_checkpoint_text_files_and_verification(log: Log) -> None:
    key = load_or_create_key(log.path, "example.org/xj-archive")
    signed = write_checkpoint(log, key)
    root_b64 = base64.b64encode(log.root_hash()).decode()
    text, signatures = signed.note.split("\n\n")
    assert text == f"example.org/xj-archive\n7\n{root_b64}\ntime 2025-06-01T08:30:00.000000Z"
    assert signatures.startswith("— example.org/xj-archive ")
    assert signatures.endswith("\n") and signatures.count("\n") == 1
    blob = base64.b64decode(signatures.split(" ")[2])
    assert blob[:4] == key.verifier().key_id and len(blob) == 4 + 64

    stored = log.path / "checkpoints" / "7.txt"
    assert stored.read_text() == signed.note == (log.path / "checkpoint").read_text()
    assert stat.S_IMODE(stored.stat().st_mode) == 0o444
    checked = verify_checkpoint(stored.read_bytes(), str(key.verifier()))
    assert checked == signed
    assert (checked.origin, checked.size, checked.root_hash) == (key.name, 7, log.root_hash())
    assert checked.time == "2025-06-01T08:30:00.000000Z"


def test_same_size_keeps_the_checkpoint_already_signed(log: Log) -> None:
    key = load_or_create_key(log.path)
    first = write_checkpoint(log, key)
    log.clock = lambda: datetime(2026, 1, 1, tzinfo=UTC)
    assert write_checkpoint(log, key) == first
    log.append("site_published", {"pages": 12})
    second = write_checkpoint(log, key)
    assert second.size == 8 and second.time == "2026-01-01T00:00:00.000000Z"
    assert (log.path / "checkpoint").read_text() == second.note
    assert sorted(p.name for p in (log.path / "checkpoints").iterdir()) == ["7.txt", "8.txt"]


def test_wrong_key_edited_root_and_wrong_origin_are_refused(log: Log) -> None:
    key = load_or_create_key(log.path)
    signed = write_checkpoint(log, key)
    impostor = SigningKey.generate(key.name)
    with pytest.raises(SignatureError, match="not signed by key"):
        verify_checkpoint(signed.note, impostor.verifier())
    other_root = base64.b64encode(log.root_hash(6)).decode()
    with pytest.raises(SignatureError, match="does not verify"):
        verify_checkpoint(signed.note.replace(signed.root_hash_b64, other_root), key.verifier())
    # Genuinely signed by the archive's key, but speaking for another log.
    foreign = sign_note(f"example.org/other-log\n7\n{signed.root_hash_b64}\n", key)
    with pytest.raises(CheckpointError, match=r"is for log 'example\.org/other-log'"):
        verify_checkpoint(foreign, key.verifier())


@pytest.mark.parametrize(
    "text",
    [
        "example.org/log\n7\n",  # no root hash line
        "example.org/log\n07\nAAAA\n",  # leading zero
        "example.org/log\n7\nAAAA\n",  # root not 32 bytes
        "example.org/log\n7\n" + "A" * 43 + "=\n\n",  # empty extension line
    ],
)
def test_malformed_checkpoint_text_is_refused(text: str) -> None:
    key = SigningKey.generate("example.org/log")
    with pytest.raises(CheckpointError):
        verify_checkpoint(sign_note(text, key), key.verifier())


def test_refuses_to_sign_a_rewritten_or_cut_log(log: Log) -> None:
    key = load_or_create_key(log.path)
    write_checkpoint(log, key)
    path = log.path / "entries.jsonl"
    original = path.read_bytes()
    path.write_bytes(original.replace(b'{"n":3}', b'{"n":9}'))
    with pytest.raises(CheckpointError, match="no longer match"):
        write_checkpoint(Log.open(log.path), key)
    path.write_bytes(b"".join(original.splitlines(keepends=True)[:5]))
    with pytest.raises(CheckpointError, match="signed 7 entries but the log has 5"):
        write_checkpoint(Log.open(log.path), key)
    assert sorted(p.name for p in (log.path / "checkpoints").iterdir()) == ["7.txt"]
