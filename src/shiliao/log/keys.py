"""Key rotation and revocation, recorded in the log itself (reliability plan T-key-rotation).

The archive signs checkpoints with one Ed25519 key at a time (``log/key.private``). A new key
is put in force by appending a ``key_rotated`` entry, and a key is withdrawn by a
``key_revoked`` entry. Verifiers read the key history from the log, so a checkpoint signed
before a rotation keeps verifying with the key of its time, and nobody needs a list of keys
sent separately. Entries (``data`` of a log entry, see ``entries``)::

    {"kind": "key_rotated", "data": {
        "old_key": "shiliao/3f9c2a17d04e5b61+1a2b3c4d+AQ…",   (verifier key strings, note.py)
        "new_key": "shiliao/3f9c2a17d04e5b61+5e6f7a8b+AQ…",
        "statement": "<signed note, signed by the old key and by the new key>"}}
    {"kind": "key_revoked", "data": {
        "key": "shiliao/3f9c2a17d04e5b61+1a2b3c4d+AQ…",
        "reason": "the laptop that held it was stolen",
        "statement": "<signed note, signed by the key in force>"}}

A statement is a C2SP signed note (c2sp.org/signed-note) whose text names the log and the
entry's own index, so that it cannot be replayed into another log or moved::

    shiliao key rotation              shiliao key revocation
    origin shiliao/3f9c2a17d04e5b61   origin shiliao/3f9c2a17d04e5b61
    index 57                          index 80
    old shiliao/3f9c…+1a2b3c4d+AQ…    key shiliao/3f9c…+1a2b3c4d+AQ…
    new shiliao/3f9c…+5e6f7a8b+AQ…    reason the laptop that held it was stolen

Its second line is not a tree size, so a statement can never be read as a checkpoint
(c2sp.org/tlog-checkpoint) although the same keys sign both. The new key signs its rotation
too, so a rotation cannot name a key its author does not hold.

**Which key signs what.** Every key keeps the log's name (the checkpoint origin); the key ID
changes. A checkpoint of tree size ``n`` must be signed by the key in force after entries
``0 … n-1``: the first key (the ``old_key`` of the first rotation, or the archive's only key)
up to a ``key_rotated`` entry at index ``i``, its ``new_key`` from size ``i + 1`` on. A
checkpoint signed by another key of the log is refused, naming the key that signs that size;
one signed by a revoked key at a size past its ``key_revoked`` entry is refused naming the
revocation. Checkpoints a key signed in its time stay valid after it is revoked: a revocation
stops a key, it does not rewrite what the log already showed. Only a key not in force can be
revoked; to withdraw the one signing now, rotate first (``shiliao checkpoint ARCHIVE
--rotate-key --revoke-key OLD_ID --reason ...``).

**Trust.** A verifier starts from one key it trusts (``verify --key``, ideally a copy kept
outside the archive). Any key of the history will do: the first vouches for the later ones by
its signatures on their rotations, and a later one vouches for the earlier ones through the
checkpoints it signs, whose roots cover the rotation entries. A key the history does not name
is refused.

**Files.** ``log/key.private`` and ``log/key.vkey`` hold the key in force. A rotation writes the
new key to ``log/key.next.private``, appends the entry, writes ``key.vkey``, then renames
``key.next.private`` over ``key.private``: the old secret is gone, as it can sign nothing valid
any more. A crash in between is finished or undone when the key is next loaded
(``load_signing_key``, ``note.load_or_create_key``), by what the log says.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from shiliao.errors import CheckpointError, LogCorrupt, LogError
from shiliao.log._fs import fsync_dir, write_atomic
from shiliao.log.entries import Entry, decode_entry
from shiliao.log.note import (
    NEXT_KEY_FILE,
    SigningKey,
    VerifierKey,
    load_or_create_key,
    open_note,
    sign_note,
)
from shiliao.log.store import ENTRIES_FILE, Log

__all__ = [
    "KEY_REVOKED",
    "KEY_ROTATED",
    "KeyHistory",
    "Revocation",
    "key_history",
    "load_signing_key",
    "read_key_history",
    "require_in_force",
    "revoke_key",
    "rotate_key",
]

KEY_ROTATED = "key_rotated"
KEY_REVOKED = "key_revoked"
_KINDS = (KEY_ROTATED, KEY_REVOKED)
# Canonical JSON writes the top-level kind exactly so; a line without it is not a key entry.
_MARKERS = tuple(f'"kind":"{kind}"'.encode() for kind in _KINDS)
_MAX_REASON_CHARS = 500


def _rotation_text(origin: str, index: int, old: VerifierKey, new: VerifierKey) -> str:
    return f"shiliao key rotation\norigin {origin}\nindex {index}\nold {old}\nnew {new}\n"


def _revocation_text(origin: str, index: int, key: VerifierKey, reason: str) -> str:
    return f"shiliao key revocation\norigin {origin}\nindex {index}\nkey {key}\nreason {reason}\n"


def _check_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason or len(reason) > _MAX_REASON_CHARS:
        raise LogError(f"a revocation needs a reason of 1 to {_MAX_REASON_CHARS} characters")
    if any(ord(ch) < 0x20 or ch in "\u2028\u2029\x7f" for ch in reason):
        raise LogError("a revocation's reason is one line, without control characters")
    return reason


@dataclass(frozen=True)
class Revocation:
    """A ``key_revoked`` entry that holds.

    Attributes:
        key: the revoked key.
        index: the entry's index: checkpoints of more than ``index`` entries signed by ``key``
            are refused.
        reason: why, as the entry says.
        time: when it was logged (UTC RFC 3339, the archive machine's clock).
    """

    key: VerifierKey
    index: int
    reason: str
    time: str


@dataclass
class KeyHistory:
    """The keys of a log, in order, as its ``key_rotated`` and ``key_revoked`` entries say.

    Attributes:
        periods: ``(first tree size, key)`` in order: each key signs checkpoints from its first
            size up to the next key's; the first key's first size is 0.
        revocations: key ID (4 bytes) -> the ``Revocation`` that holds for it.
        problems: ``(entry index, message)`` for each key entry that does not hold (malformed,
            a bad statement or signature, a key out of turn); such an entry changes nothing.
    """

    periods: list[tuple[int, VerifierKey]]
    revocations: dict[bytes, Revocation] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def keys(self) -> list[VerifierKey]:
        """Every key of the log, first to current."""
        return [key for _, key in self.periods]

    @property
    def current(self) -> VerifierKey:
        """The key in force now: it signs the next checkpoint."""
        return self.periods[-1][1]

    @property
    def rotated(self) -> bool:
        """Whether the log holds a rotation that holds."""
        return len(self.periods) > 1

    def knows(self, key: VerifierKey) -> bool:
        """Whether ``key`` (name, key ID and public key) is one of the log's keys."""
        return key in self.keys

    def find(self, key_id: str) -> VerifierKey | None:
        """The log's key with ID ``key_id`` (8 lowercase hex digits), or None."""
        return next((key for key in self.keys if key.key_id.hex() == key_id.lower()), None)

    def signer_for(self, size: int) -> VerifierKey:
        """The key that signs checkpoints of ``size`` entries."""
        return next(key for first, key in reversed(self.periods) if first <= size)

    def first_size(self, key: VerifierKey) -> int:
        """The smallest tree size ``key`` signs (0 for the first key); ``LogError`` if unknown."""
        for first, candidate in self.periods:
            if candidate == key:
                return first
        raise LogError(f"key {key.key_id.hex()} is not one of the log's keys")


def _data_key(entry: Entry, name: str) -> VerifierKey:
    value = entry.data.get(name)
    if not isinstance(value, str):
        raise LogError(f"its {name!r} is not a verifier key string")
    return VerifierKey.parse(value)


def _statement(entry: Entry) -> str:
    statement = entry.data.get("statement")
    if not isinstance(statement, str):
        raise LogError("its 'statement' is not a signed note")
    return statement


def _check_statement(statement: str, text: str, signers: Iterable[VerifierKey]) -> None:
    for key in signers:
        if open_note(statement, key) != text:
            raise LogError("its statement's text is not what the entry records")


def _apply_rotation(history: KeyHistory, entry: Entry) -> None:
    old, new = _data_key(entry, "old_key"), _data_key(entry, "new_key")
    if history.rotated and old != history.current:
        raise LogError(
            f"it rotates out key {old.key_id.hex()}, but key {history.current.key_id.hex()} "
            "is in force"
        )
    if new.name != old.name:
        raise LogError(f"the new key is named {new.name!r}, not {old.name!r} (the log's name)")
    if new == old or (history.rotated and history.knows(new)):
        raise LogError(f"key {new.key_id.hex()} was in use before; a rotation needs a new key")
    _check_statement(_statement(entry), _rotation_text(old.name, entry.index, old, new), (old, new))
    if not history.rotated:
        history.periods[0] = (0, old)  # the log names its first key; it prevails
    history.periods.append((entry.index + 1, new))


def _apply_revocation(history: KeyHistory, entry: Entry) -> None:
    key = _data_key(entry, "key")
    reason = entry.data.get("reason")
    if not isinstance(reason, str):
        raise LogError("its 'reason' is not a string")
    if not history.knows(key):
        raise LogError(f"it revokes key {key.key_id.hex()}, which the log never put in force")
    in_force = history.signer_for(entry.index)
    if key == in_force:
        raise LogError(f"it revokes key {key.key_id.hex()} while it is in force (rotate first)")
    if key.key_id in history.revocations:
        raise LogError(f"key {key.key_id.hex()} is revoked already")
    text = _revocation_text(key.name, entry.index, key, reason)
    _check_statement(_statement(entry), text, (in_force,))
    history.revocations[key.key_id] = Revocation(key, entry.index, reason, entry.time)


def read_key_history(entries: Iterable[Entry], first_key: VerifierKey) -> KeyHistory:
    """Read the key history from a log's entries.

    Args:
        entries: the log's entries in order; entries of other kinds are skipped, so the key
            entries alone will do.
        first_key: the key in force before any rotation, for a log that has none (its only
            key, e.g. the one given to ``verify``); a log that holds a rotation names its
            first key itself.

    Returns:
        The ``KeyHistory``; entries that do not hold are listed in its ``problems``.
    """
    history = KeyHistory([(0, first_key)])
    for entry in entries:
        try:
            if entry.kind == KEY_ROTATED:
                _apply_rotation(history, entry)
            elif entry.kind == KEY_REVOKED:
                _apply_revocation(history, entry)
        except (LogError, CheckpointError) as exc:
            history.problems.append((entry.index, f"{entry.kind} entry {entry.index}: {exc}"))
    return history


def _key_entries(log: Log) -> list[Entry]:
    """The log's key entries, read from disk and checked against the hashes read at open."""
    # Not read_log_bytes: a caller holding the exclusive lock would wait on itself. Lines
    # below log.size are complete and never change, so no lock is needed to read them.
    try:
        data = (log.path / ENTRIES_FILE).read_bytes()
    except OSError as exc:
        raise LogError(f"cannot read {log.path / ENTRIES_FILE}: {exc}") from exc
    found = []
    for index, line in enumerate(data.split(b"\n")[: log.size]):
        if not any(marker in line for marker in _MARKERS):
            continue
        entry = decode_entry(line)
        if entry.kind in _KINDS:
            if entry.leaf_hash != log.leaf_hash(index):
                raise LogCorrupt(f"entry {index} changed on disk since it was read")
            found.append(entry)
    return found


def key_history(log: Log, first_key: VerifierKey) -> KeyHistory:
    """The key history of an open log (``read_key_history`` over its entries).

    Raises:
        LogError, LogCorrupt: the log cannot be read, or changed since it was opened.
    """
    return read_key_history(_key_entries(log), first_key)


def require_in_force(history: KeyHistory, key: SigningKey) -> None:
    """Check that ``key`` may sign for the log now.

    Raises:
        CheckpointError: the history does not hold (a key entry is bad), or ``key`` is not
            the key it puts in force.
    """
    if history.problems:
        raise CheckpointError(f"the log's key entries do not hold: {history.problems[0][1]}")
    if key.verifier() != history.current:
        raise CheckpointError(
            f"the signing key is {key.verifier().key_id.hex()}, but the log puts key "
            f"{history.current.key_id.hex()} in force: restore that key's key.private"
        )


def _finish_rotation(log_dir: Path, new: SigningKey) -> None:
    write_atomic(log_dir / "key.vkey", f"{new.verifier()}\n".encode("ascii"))
    os.replace(log_dir / NEXT_KEY_FILE, log_dir / "key.private")
    fsync_dir(log_dir)


def load_signing_key(log: Log) -> SigningKey:
    """The key that signs the log's next checkpoint (``log/key.private``, made on first use).

    A rotation cut short by a crash is finished when its entry is in the log, and undone
    (``key.next.private`` removed) when it is not.

    Raises:
        LogError: a key file is unreadable, malformed, or disagrees with the other.
    """
    with log.writing():
        key = load_or_create_key(log.path)
        next_path = log.path / NEXT_KEY_FILE
        if not next_path.exists():
            return key
        try:
            new = SigningKey.parse(next_path.read_text(encoding="ascii"))
        except (OSError, UnicodeDecodeError, LogError) as exc:
            raise LogError(f"cannot read {next_path}: {exc}") from exc
        try:
            if key_history(log, key.verifier()).current == new.verifier():
                _finish_rotation(log.path, new)
                return new
            next_path.unlink()
            fsync_dir(log.path)
        except OSError as exc:
            raise LogError(f"cannot finish the key rotation in {log.path}: {exc}") from exc
        return key


def rotate_key(log: Log, key: SigningKey) -> tuple[SigningKey, Entry]:
    """Put a new signing key in force: log a ``key_rotated`` entry, then switch the key files.

    Args:
        log: the open log.
        key: the key in force (``load_signing_key``).

    Returns:
        The new key (same name, new key ID) and the entry.

    Raises:
        CheckpointError: ``key`` is not the key the log puts in force, or the log's key
            entries do not hold.
        LogError: a file cannot be written (before the entry is appended nothing changed;
            after it, the next ``load_signing_key`` finishes the switch).
    """
    with log.writing():
        require_in_force(key_history(log, key.verifier()), key)
        new = SigningKey.generate(key.name)
        index = log.size
        text = _rotation_text(key.name, index, key.verifier(), new.verifier())
        # Two signature lines on one text: the old key's, then the new key's.
        statement = sign_note(text, key) + sign_note(text, new)[len(text) + 1 :]
        try:
            write_atomic(log.path / NEXT_KEY_FILE, f"{new}\n".encode("ascii"), 0o600)
        except OSError as exc:
            raise LogError(f"cannot write {log.path / NEXT_KEY_FILE}: {exc}") from exc
        data = {"old_key": str(key.verifier()), "new_key": str(new.verifier())}
        entry = log.append(KEY_ROTATED, {**data, "statement": statement})
        try:
            _finish_rotation(log.path, new)
        except OSError as exc:
            raise LogError(
                f"key {new.verifier().key_id.hex()} is logged but not yet in "
                f"{log.path / 'key.private'} ({exc}); the next command finishes the switch"
            ) from exc
    return new, entry


def revoke_key(log: Log, key: SigningKey, key_id: str, reason: str) -> Entry:
    """Log a ``key_revoked`` entry for the log's key ``key_id``, signed by the key in force.

    Args:
        log: the open log.
        key: the key in force (``load_signing_key``).
        key_id: the revoked key's ID, 8 hex digits (the middle part of its verifier key).
        reason: why, one line of at most 500 characters.

    Returns:
        The entry.

    Raises:
        LogError: no key of the log has that ID, it is the key in force (rotate first), it is
            revoked already, or the reason is empty, too long or not one line.
        CheckpointError: ``key`` is not the key the log puts in force.
    """
    reason = _check_reason(reason)
    with log.writing():
        history = key_history(log, key.verifier())
        require_in_force(history, key)
        target = history.find(key_id)
        if target is None:
            known = ", ".join(k.key_id.hex() for k in history.keys)
            raise LogError(f"the log has no key {key_id!r} (its keys: {known})")
        if target == history.current:
            raise LogError(
                f"key {key_id} signs the log now; rotate first (--rotate-key), then revoke it"
            )
        if target.key_id in history.revocations:
            raise LogError(f"key {key_id} is revoked already")
        text = _revocation_text(key.name, log.size, target, reason)
        data = {"key": str(target), "reason": reason, "statement": sign_note(text, key)}
        return log.append(KEY_REVOKED, data)
