"""Key rotation and revocation recorded in the log (reliability plan T-key-rotation)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from shiliao.cli import main
from shiliao.errors import CheckpointError, LogError, SignatureError
from shiliao.log import (
    Log,
    SigningKey,
    load_or_create_key,
    open_archive_log,
    sign_checkpoint,
    verify_checkpoint,
    verify_log,
    write_checkpoint,
)
from shiliao.log.checkpoint import open_checkpoint
from shiliao.log.entries import encode_entry, format_time
from shiliao.log.keys import (
    KEY_ROTATED,
    key_history,
    load_signing_key,
    read_key_history,
    revoke_key,
    rotate_key,
)
from shiliao.log.note import NEXT_KEY_FILE, sign_note


def _log(root: Path, entries: int = 3) -> Log:
    log = open_archive_log(root)
    for number in range(entries):
        log.append("metadata_edited", {"source_id": f"s{number}"})
    return log


def _forge(log: Log, key: SigningKey) -> Path:
    """Append an entry and store a checkpoint of the new size signed by ``key``."""
    log.append("metadata_edited", {"source_id": "late"})
    signed = sign_checkpoint(key, log.size, log.root_hash(), format_time(log.clock()))
    path = log.path / "checkpoints" / f"{log.size}.txt"
    path.write_text(signed.note, encoding="utf-8")
    return path


def test_old_and_new_checkpoints_verify_after_a_rotation(tmp_path: Path) -> None:
    log = _log(tmp_path / "a")
    old = load_signing_key(log)
    before = write_checkpoint(log, old)
    new, entry = rotate_key(log, old)
    log.append("metadata_edited", {"source_id": "after"})
    after = write_checkpoint(log, new)

    assert entry.kind == KEY_ROTATED and entry.index == before.size
    assert new.name == old.name and new.verifier().key_id != old.verifier().key_id
    assert entry.data["old_key"] == str(old.verifier())
    assert entry.data["new_key"] == str(new.verifier())
    # The key files now hold the new key; the old secret is gone.
    assert load_or_create_key(log.path) == new
    assert (log.path / "key.vkey").read_text().strip() == str(new.verifier())
    assert not (log.path / NEXT_KEY_FILE).exists()

    # Each checkpoint with the key of its time, alone; and the log from either key.
    assert verify_checkpoint(before.note, old.verifier()).size == before.size
    assert verify_checkpoint(after.note, new.verifier()).size == after.size
    with pytest.raises(SignatureError):
        verify_checkpoint(after.note, old.verifier())
    assert verify_log(log.path, old.verifier()) == []
    assert verify_log(log.path, new.verifier()) == []
    history = key_history(log, new.verifier())
    assert history.keys == [old.verifier(), new.verifier()]
    assert history.signer_for(before.size) == old.verifier()
    assert history.signer_for(before.size + 1) == new.verifier()


def test_a_key_outside_the_history_is_refused_as_anchor(tmp_path: Path) -> None:
    log = _log(tmp_path / "a")
    old = load_signing_key(log)
    write_checkpoint(log, old)
    new, _ = rotate_key(log, old)
    write_checkpoint(log, new)
    stranger = SigningKey.generate(old.name).verifier()
    problems = verify_log(log.path, stranger)
    assert any("is none of the log's keys" in p.message for p in problems), problems


def test_the_old_key_cannot_sign_after_the_rotation(tmp_path: Path) -> None:
    log = _log(tmp_path / "a")
    old = load_signing_key(log)
    write_checkpoint(log, old)
    new, entry = rotate_key(log, old)
    write_checkpoint(log, new)
    forged = _forge(log, old)

    problems = verify_log(log.path, old.verifier())
    (problem,) = [p for p in problems if p.path == f"checkpoints/{forged.name}"]
    assert f"signed by key {old.verifier().key_id.hex()}" in problem.message
    assert f"from log entry {entry.index} on" in problem.message
    # The log's own writer refuses to sign with it too.
    with pytest.raises(CheckpointError, match="in force"):
        write_checkpoint(log, old)


def test_a_revoked_key_is_refused_after_its_revocation_only(tmp_path: Path) -> None:
    log = _log(tmp_path / "a")
    old = load_signing_key(log)
    early = write_checkpoint(log, old)
    new, _ = rotate_key(log, old)
    revoked = revoke_key(log, new, old.verifier().key_id.hex(), "laptop stolen in Ürümqi")
    write_checkpoint(log, new)
    forged = _forge(log, old)

    assert revoked.data == {
        "key": str(old.verifier()),
        "reason": "laptop stolen in Ürümqi",
        "statement": revoked.data["statement"],
    }
    problems = verify_log(log.path, new.verifier())
    (problem,) = [p for p in problems if p.path == f"checkpoints/{forged.name}"]
    assert f"log entry {revoked.index} revoked" in problem.message
    assert "laptop stolen in Ürümqi" in problem.message and "refused" in problem.message
    # What the key signed in its time stays valid.
    history = key_history(log, new.verifier())
    assert open_checkpoint(early.note, history).size == early.size
    assert not [p for p in problems if p.path == f"checkpoints/{early.size}.txt"]


def test_revocations_that_are_refused(tmp_path: Path) -> None:
    log = _log(tmp_path / "a")
    key = load_signing_key(log)
    with pytest.raises(LogError, match="rotate first"):
        revoke_key(log, key, key.verifier().key_id.hex(), "lost")
    new, _ = rotate_key(log, key)
    with pytest.raises(LogError, match="has no key 'deadbeef'"):
        revoke_key(log, new, "deadbeef", "lost")
    with pytest.raises(LogError, match="one line"):
        revoke_key(log, new, key.verifier().key_id.hex(), "two\nlines")
    revoke_key(log, new, key.verifier().key_id.hex(), "lost")
    with pytest.raises(LogError, match="revoked already"):
        revoke_key(log, new, key.verifier().key_id.hex(), "lost again")


def test_a_rotation_not_signed_by_the_key_in_force_does_not_hold(tmp_path: Path) -> None:
    log = _log(tmp_path / "a", entries=0)
    key = load_signing_key(log)
    thief, theirs = SigningKey.generate(key.name), SigningKey.generate(key.name)
    text = (
        f"shiliao key rotation\norigin {key.name}\nindex 0\nold {key.verifier()}\n"
        f"new {theirs.verifier()}\n"
    )
    statement = sign_note(text, thief) + sign_note(text, theirs)[len(text) + 1 :]
    data = {"old_key": str(key.verifier()), "new_key": str(theirs.verifier())}
    entry = encode_entry(0, format_time(log.clock()), KEY_ROTATED, {**data, "statement": statement})
    history = read_key_history([entry], key.verifier())
    assert history.keys == [key.verifier()]
    ((index, message),) = history.problems
    assert index == 0 and "not signed by key" in message
    # A statement moved to another index does not hold either.
    honest = sign_note(text, key) + sign_note(text, theirs)[len(text) + 1 :]
    moved = encode_entry(5, entry.time, KEY_ROTATED, {**data, "statement": honest})
    assert read_key_history([moved], key.verifier()).problems
    in_place = encode_entry(0, entry.time, KEY_ROTATED, {**data, "statement": honest})
    assert read_key_history([in_place], key.verifier()).keys == [key.verifier(), theirs.verifier()]


def test_a_rotation_cut_short_is_finished_or_undone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Cut after the entry is logged, before the key files switch: finished on next load.
    log = _log(tmp_path / "a")
    old = load_signing_key(log)
    monkeypatch.setattr(
        "shiliao.log.keys._finish_rotation",
        lambda *args: (_ for _ in ()).throw(OSError("power cut")),
    )
    with pytest.raises(LogError, match="the next command finishes the switch"):
        rotate_key(log, old)
    monkeypatch.undo()
    assert (log.path / NEXT_KEY_FILE).exists()
    new = load_signing_key(log)
    assert new != old and load_or_create_key(log.path) == new
    assert not (log.path / NEXT_KEY_FILE).exists()
    assert write_checkpoint(log, new).size == log.size

    # key.vkey written, key.private not yet: the key loader finishes it by itself.
    newer = SigningKey.generate(new.name)
    (log.path / NEXT_KEY_FILE).write_text(f"{newer}\n")
    (log.path / "key.vkey").write_text(f"{newer.verifier()}\n")
    assert load_or_create_key(log.path) == newer

    # A new key written but never logged: dropped, the logged key stays in force.
    other = _log(tmp_path / "b")
    key = load_signing_key(other)
    (other.path / NEXT_KEY_FILE).write_text(f"{SigningKey.generate(key.name)}\n")
    assert load_signing_key(other) == key
    assert not (other.path / NEXT_KEY_FILE).exists()


def test_checkpoint_command_rotates_and_revokes(tmp_path: Path) -> None:
    archive = tmp_path / "a"
    _log(archive)
    first = CliRunner().invoke(main, ["checkpoint", str(archive), "--json"])
    assert first.exit_code == 0, first.output
    old_vkey = json.loads(first.stdout)["vkey"]
    old_id = old_vkey.split("+")[1]

    result = CliRunner().invoke(
        main,
        [
            "checkpoint",
            str(archive),
            "--rotate-key",
            "--revoke-key",
            old_id,
            "--reason",
            "lost",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["rotated"] == old_vkey and payload["revoked"] == old_vkey
    assert payload["vkey"] != old_vkey and payload["size"] == 5  # 3 + rotation + revocation
    assert verify_log(archive / "log", old_vkey) == []
    assert verify_log(archive / "log", payload["vkey"]) == []

    alone = CliRunner().invoke(main, ["checkpoint", str(archive), "--revoke-key", old_id])
    assert alone.exit_code == 2 and "--reason" in alone.output
