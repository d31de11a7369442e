"""Signed checkpoints: a C2SP tlog-checkpoint inside a C2SP signed note, Ed25519.

A checkpoint states "the log named <origin> had <size> entries and this RFC 9162 root hash",
signed by the archive's key. Example (``log/checkpoints/57.txt``)::

    shiliao/3f9c2a17d04e5b61
    57
    m3bU0tMPa4Rj8aM3tNc9d0nZQ3mIKeYk1yqZ7JX0Jv8=
    time 2025-06-01T08:30:00.123456Z

    — shiliao/3f9c2a17d04e5b61 q1sGxT0Q…base64(key ID || Ed25519 signature)…

The note text is c2sp.org/tlog-checkpoint: the origin (shiliao uses the key name, so the key
says which log it speaks for), the tree size in decimal, the base64 root hash, then extension
lines. shiliao adds one extension line, ``time <UTC RFC 3339>``: when the checkpoint was
signed, by the archive machine's clock. It is covered by the Ed25519 signature like the rest
of the text, but it is the signer's claim, not a trusted timestamp (an RFC 3161 token over the
checkpoint would be one). The spec marks extension lines NOT RECOMMENDED because log monitors
cannot audit them, and ML-DSA-44 cosignatures do not sign them; a verifier that does not know
the line ignores it, and nothing in the tree depends on it.

Files: ``log/checkpoints/<size>.txt`` (one per signed size, read-only, never rewritten) and
``log/checkpoint`` (a copy of the latest). ``write_checkpoint`` refuses to sign when the log
no longer matches the latest stored checkpoint: tlog-checkpoint forbids signing two
inconsistent checkpoints, and here that would bless a rewritten log. Beside a checkpoint may
lie ``<size>.tsr``, an RFC 3161 timestamp of it (``timestamp``), and ``<size>.cosignatures``,
the cosignature lines witnesses returned for it (``outside``).

**Which key.** A log's key can be rotated, and old keys revoked, by entries in the log itself
(``keys``): each checkpoint is checked with the key in force at its tree size
(``open_checkpoint``), and ``write_checkpoint`` signs only with the key the log puts in force.

**What a signature proves.** The key lives in the archive (``log/key.private``), so whoever
can rewrite the log can also re-sign it. Signatures catch damage and edits by anyone without
the key; against the key holder only copies kept elsewhere help: publish ``log/key.vkey`` and
each ``log/checkpoint`` somewhere you do not control (a website, a witness, an email to a
partner), and later checkpoints must stay consistent with those copies (``verify_log``,
``verify_checkpoint_consistency``). Rekor's lesson (sigstore/rekor #1001): a log that records
its own tree heads cannot show it has not forked.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from pathlib import Path

from shiliao.errors import CheckpointError, LogError, SignatureError
from shiliao.log._fs import write_atomic, write_new
from shiliao.log.entries import format_time
from shiliao.log.keys import KeyHistory, key_history, require_in_force
from shiliao.log.merkle import HASH_BYTES
from shiliao.log.note import SigningKey, VerifierKey, open_note, sign_note
from shiliao.log.store import Log

__all__ = [
    "CHECKPOINTS_DIR",
    "LATEST_CHECKPOINT",
    "Checkpoint",
    "open_checkpoint",
    "sign_checkpoint",
    "stored_checkpoints",
    "verify_checkpoint",
    "write_checkpoint",
]

CHECKPOINTS_DIR = "checkpoints"
LATEST_CHECKPOINT = "checkpoint"
_TIME = "time "
_SIZE = re.compile(r"0|[1-9][0-9]*")
_STORED_NAME = re.compile(r"(0|[1-9][0-9]*)\.txt")
_DASH = "\u2014 "


@dataclass(frozen=True)
class Checkpoint:
    """A verified checkpoint.

    Attributes:
        origin: the log's identity (its first line; for shiliao, the key name).
        size: number of entries the tree covers.
        root_hash: RFC 9162 MTH of those entries, 32 bytes.
        time: the ``time`` extension line's value (UTC RFC 3339), or None without one.
        extensions: every extension line, ``time`` line included, in order.
        note: the whole signed note, byte for byte what was verified or written.
    """

    origin: str
    size: int
    root_hash: bytes
    time: str | None
    extensions: tuple[str, ...]
    note: str

    @property
    def root_hash_b64(self) -> str:
        """The root hash in base64, as the note writes it."""
        return base64.b64encode(self.root_hash).decode("ascii")


def _parse_text(text: str, note: str) -> Checkpoint:
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError("a checkpoint has an origin, a tree size and a root hash line")
    origin, size_text, root_b64, *extensions = lines
    if not origin:
        raise CheckpointError("the checkpoint's origin line is empty")
    if not _SIZE.fullmatch(size_text):
        raise CheckpointError(f"tree size {size_text!r} is not a decimal without leading zeros")
    try:
        root = base64.b64decode(root_b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CheckpointError(f"root hash {root_b64!r} is not base64") from exc
    if len(root) != HASH_BYTES:
        raise CheckpointError(f"the root hash is {len(root)} bytes, not {HASH_BYTES}")
    if not all(extensions):
        raise CheckpointError("a checkpoint's extension lines must not be empty")
    times = [line[len(_TIME) :] for line in extensions if line.startswith(_TIME)]
    if len(times) > 1:
        raise CheckpointError("a checkpoint has at most one time line")
    return Checkpoint(
        origin, int(size_text), root, times[0] if times else None, tuple(extensions), note
    )


def verify_checkpoint(note: str | bytes, vkey: str | VerifierKey) -> Checkpoint:
    """Verify a checkpoint's signature, then read it.

    Args:
        note: the signed note, as str or UTF-8 bytes (a ``log/checkpoints/<size>.txt`` file).
        vkey: the verifier key (``<name>+<hex key ID>+<base64>``) or a parsed one.

    Returns:
        The checkpoint.

    Raises:
        LogError: ``vkey`` is not a valid verifier key string.
        SignatureError: not signed by ``vkey``, or the signature does not verify (edited text).
        CheckpointError: the note or its text is malformed, or its origin is not the key's name.
    """
    key = VerifierKey.parse(vkey) if isinstance(vkey, str) else vkey
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CheckpointError("a checkpoint must be UTF-8") from exc
    # The signed-note spec: the text means nothing until a trusted signature verifies.
    checkpoint = _parse_text(open_note(note, key), note)
    if checkpoint.origin != key.name:
        raise CheckpointError(
            f"the checkpoint is for log {checkpoint.origin!r}, not {key.name!r} (the key's log)"
        )
    return checkpoint


def _signature_ids(note: str) -> set[tuple[str, bytes]]:
    """The (key name, key ID) of each well-formed signature line of a signed note."""
    split = note.rfind("\n\n")
    found = set()
    for line in note[split + 2 :].split("\n") if split >= 0 else []:
        name, _, blob = line.removeprefix(_DASH).partition(" ")
        try:
            raw = base64.b64decode(blob, validate=True)
        except (binascii.Error, ValueError):
            continue
        if line.startswith(_DASH) and len(raw) > 4:
            found.add((name, raw[:4]))
    return found


def open_checkpoint(note: str | bytes, history: KeyHistory) -> Checkpoint:
    """Verify a checkpoint with the key that signs its tree size in ``history``, then read it.

    Args:
        note: the signed note, str or UTF-8 bytes.
        history: the log's keys (``keys.key_history`` or ``keys.read_key_history``).

    Returns:
        The checkpoint.

    Raises:
        SignatureError: no key of the log signed it, its signature does not verify, or it was
            signed by a key that does not sign checkpoints of its size (the message names the
            key that does, or the revocation that stopped the signer).
        CheckpointError: the note or its text is malformed.
    """
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CheckpointError("a checkpoint must be UTF-8") from exc
    signers = _signature_ids(note)
    candidates = [key for key in history.keys if (key.name, key.key_id) in signers]
    if not candidates:
        # The usual "not signed by key …" error, naming the key a reader should have.
        return verify_checkpoint(note, history.current)
    # The size is known only once a signature verifies; then the key for that size is chosen.
    checkpoint = verify_checkpoint(note, candidates[0])
    expected = history.signer_for(checkpoint.size)
    signer = expected if expected in candidates else candidates[0]
    if signer != candidates[0]:
        checkpoint = verify_checkpoint(note, signer)
    revocation = history.revocations.get(signer.key_id)
    if revocation is not None and checkpoint.size > revocation.index:
        raise SignatureError(
            f"signed by key {signer.key_id.hex()}, which log entry {revocation.index} revoked "
            f"({revocation.reason!r}, {revocation.time}) before this checkpoint of "
            f"{checkpoint.size} entries: refused"
        )
    if signer != expected:
        first = history.first_size(expected)
        since = "from the start" if first == 0 else f"from log entry {first - 1} on"
        raise SignatureError(
            f"signed by key {signer.key_id.hex()}, but checkpoints of {checkpoint.size} entries "
            f"are signed by key {expected.key_id.hex()} (in force {since}): a key signed past "
            "its time, or the log's key entries were changed"
        )
    return checkpoint


def sign_checkpoint(key: SigningKey, size: int, root_hash: bytes, time: str) -> Checkpoint:
    """Make a checkpoint of ``size`` entries with ``root_hash`` (32 bytes), signed by ``key``.

    Args:
        key: the log's signing key; its name is the origin.
        size: number of entries.
        root_hash: RFC 9162 MTH of those entries.
        time: UTC RFC 3339 time for the ``time`` line.
    """
    root_b64 = base64.b64encode(root_hash).decode("ascii")
    text = f"{key.name}\n{size}\n{root_b64}\n{_TIME}{time}\n"
    note = sign_note(text, key)
    return _parse_text(text, note)


def stored_checkpoints(log_dir: Path) -> list[tuple[int, Path]]:
    """The files ``log_dir/checkpoints/<size>.txt`` as ``(size, path)``, by size ascending."""
    folder = Path(log_dir) / CHECKPOINTS_DIR
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        if match := _STORED_NAME.fullmatch(path.name):
            found.append((int(match.group(1)), path))
    return sorted(found)


def _check_matches(log: Log, path: Path, history: KeyHistory) -> None:
    try:
        stored = open_checkpoint(path.read_bytes(), history)
    except OSError as exc:
        raise LogError(f"cannot read {path}: {exc}") from exc
    except CheckpointError as exc:
        raise CheckpointError(f"{path}: {exc}; not signing until this is resolved") from exc
    if stored.size > log.size:
        raise CheckpointError(
            f"{path} signed {stored.size} entries but the log has {log.size}: entries were "
            "removed; not signing a shorter log (run the log verification)"
        )
    if log.root_hash(stored.size) != stored.root_hash:
        raise CheckpointError(
            f"the log's first {stored.size} entries no longer match {path}: entries were "
            "changed; not signing a rewritten log (run the log verification)"
        )


def write_checkpoint(log: Log, key: SigningKey) -> Checkpoint:
    """Sign the log's current size and root, store it, and make it the latest checkpoint.

    Holds the log's write lock throughout, so the checkpoint covers exactly the entries on
    disk. Writes ``log/checkpoints/<size>.txt`` (new file: temp, fsync, link; mode 0444) and
    ``log/checkpoint`` (temp, fsync, rename). A checkpoint already stored for this size is
    kept as it is (it may have been published) and returned.

    Args:
        log: the open log.
        key: the log's signing key in force (``keys.load_signing_key(log)``).

    Returns:
        The checkpoint now in ``log/checkpoint``.

    Raises:
        CheckpointError: ``key`` is not the key the log's key history puts in force, the
            history does not hold, or the latest stored checkpoint (or the one at this size)
            does not verify with the key of its size or does not match the log: nothing is
            signed.
        LogCorrupt: the log on disk is damaged.
        LogError: a file cannot be written.
    """
    verifier = key.verifier()
    with log.writing():
        history = key_history(log, verifier)
        require_in_force(history, key)
        folder = log.path / CHECKPOINTS_DIR
        folder.mkdir(exist_ok=True)
        stored = stored_checkpoints(log.path)
        latest = log.path / LATEST_CHECKPOINT
        # The largest stored checkpoint covers all earlier ones; the latest copy guards against
        # that file having been removed.
        for path in ([stored[-1][1]] if stored else []) + ([latest] if latest.exists() else []):
            _check_matches(log, path, history)
        target = folder / f"{log.size}.txt"
        if target.exists():
            _check_matches(log, target, history)
            checkpoint = open_checkpoint(target.read_bytes(), history)
        else:
            checkpoint = sign_checkpoint(key, log.size, log.root_hash(), format_time(log.clock()))
            try:
                write_new(target, checkpoint.note.encode("utf-8"), 0o444)
            except OSError as exc:
                raise LogError(f"cannot write {target}: {exc}") from exc
        try:
            write_atomic(latest, checkpoint.note.encode("utf-8"))
        except OSError as exc:
            raise LogError(f"cannot write {latest}: {exc}") from exc
    return checkpoint
