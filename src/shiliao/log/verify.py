"""Checking a log: the whole folder (``verify_log``), or one file with a proof (third party).

``verify_log`` is what ``shiliao verify`` runs on an archive. It never stops at the first
problem and never changes a file: it reads ``entries.jsonl``, recomputes every leaf hash from
the bytes as stored, and checks every stored checkpoint (signature, size, root hash) and each
consecutive pair (an RFC 9162 §2.1.4 consistency proof from the log, verified against the two
signed roots). What each tampering looks like:

- an edited byte: the line fails its canonical-form check, or, if it is still a valid entry,
  every checkpoint at or past it has the wrong root;
- a deleted, inserted or moved line: a line holds the wrong index (named), and the roots differ;
- a cut log: a checkpoint signed more entries than the log has, or a torn last line;
- an edited or forged checkpoint: its signature fails; a checkpoint signed by another key: no
  signature by the given key;
- a rewritten log re-signed with the archive's own key: passes here unless ``vkey`` and the
  checkpoints it is compared with come from copies kept outside the archive. Pass the verifier
  key you published, not the one in ``log/key.vkey`` (the two are compared);
- a log cut *and* its checkpoints removed from ``log/checkpoints/``: nothing inside the archive
  remembers the lost entries; a copy of an earlier checkpoint kept outside does
  (``against``, ``check_outside_copy``): it signed a tree larger than the log, or one whose
  root the log's first entries no longer give (no RFC 9162 consistency proof leads from it to
  the log: a rewrite or a fork, which at equal sizes is two roots for one size).

Keys come from the log's own key history (``keys``): each checkpoint is checked with the key
that signs its size, and ``vkey`` must be one of the log's keys. RFC 3161 tokens beside
checkpoints (``<size>.tsr``, ``timestamp``) are checked too: against the TSA certificates
given, or for their message imprint alone without them.

**Proof bundle** (``make_proof_bundle``, ``verify_proof_bundle``): what a reader needs to check a
downloaded file with nothing but the archive's published verifier key. UTF-8 JSON::

    {
      "format": "shiliao-log-proof/1",
      "entry": "{\\"data\\":{\\"path\\":\\"sources/a.html\\",\\"sha256\\":\\"…\\",\\"sha512\\":\\"…\\",\\"source_id\\":\\"a\\"},\\"index\\":12,\\"kind\\":\\"file_captured\\",\\"time\\":\\"2025-06-01T08:30:00.123456Z\\"}",
      "index": 12,
      "tree_size": 57,
      "hashes": ["base64 of 32 bytes", "…"],
      "checkpoint": "shiliao/3f9c2a17d04e5b61\\n57\\n…\\n\\n— shiliao/3f9c2a17d04e5b61 …\\n"
    }

``entry`` is the log line exactly (its UTF-8 bytes are the leaf), ``hashes`` the RFC 9162
§2.1.3 inclusion path in the tree of ``tree_size`` entries, and ``checkpoint`` the signed note
of that size. The same four facts make a C2SP ``tlog-proof@v1`` (index, hashes, checkpoint),
so a ``.tlog-proof`` export is a change of syntax, not of content.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509

from shiliao.errors import (
    CheckpointError,
    IntegrityError,
    LogCorrupt,
    LogError,
    ProofError,
    TimestampError,
)
from shiliao.log.checkpoint import (
    CHECKPOINTS_DIR,
    LATEST_CHECKPOINT,
    Checkpoint,
    open_checkpoint,
    stored_checkpoints,
    verify_checkpoint,
)
from shiliao.log.entries import Entry, decode_entry
from shiliao.log.keys import KEY_REVOKED, KEY_ROTATED, KeyHistory, read_key_history
from shiliao.log.merkle import (
    MerkleTree,
    leaf_hash,
    verify_consistency_proof,
    verify_inclusion_proof,
)
from shiliao.log.note import VerifierKey
from shiliao.log.store import ENTRIES_FILE, Log, read_log_bytes
from shiliao.log.timestamp import TOKEN_SUFFIX, verify_timestamp

__all__ = [
    "BUNDLE_FORMAT",
    "Problem",
    "VerifiedEntry",
    "check_outside_copy",
    "make_proof_bundle",
    "verify_checkpoint_consistency",
    "verify_inclusion",
    "verify_log",
    "verify_proof_bundle",
]

BUNDLE_FORMAT = "shiliao-log-proof/1"
TIME_SKEW = timedelta(minutes=10)
"""How much later than its timestamp's genTime a checkpoint's own ``time`` line may be: the
machine's clock may run ahead a little, not more (the WACZ signing spec allows 10 minutes)."""
_STORED_NAME = re.compile(r"(0|[1-9][0-9]*)\.txt")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a log folder.

    Attributes:
        path: the file, relative to the log folder (``"entries.jsonl"``,
            ``"checkpoints/30.txt"``, ``"checkpoint"``, ``"key.vkey"``), or absolute for a
            copy kept outside the archive (``"/mnt/witness/jieqin/30.txt"``).
        message: what is wrong, in a sentence.
        index: the first bad entry's index, when one is known.
    """

    path: str
    message: str
    index: int | None = None

    def __str__(self) -> str:
        where = self.path if Path(self.path).is_absolute() else f"log/{self.path}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class VerifiedEntry:
    """What ``verify_proof_bundle`` established.

    Attributes:
        entry: the log entry that records the file.
        checkpoint: the signed checkpoint whose tree includes it.
    """

    entry: Entry
    checkpoint: Checkpoint


def _scan_entries(log_dir: Path, problems: list[Problem], keys: list[Entry]) -> list[bytes]:
    """Leaf hashes of every complete line as stored; line problems appended to ``problems``,
    the key entries that are well-formed and in place to ``keys``."""
    try:
        data = read_log_bytes(log_dir)
    except (OSError, LogError) as exc:
        problems.append(Problem(ENTRIES_FILE, f"cannot be read: {exc}"))
        return []
    lines = data.split(b"\n")
    tail = lines.pop()  # after the last newline: empty unless the last line is torn
    leaves = []
    first_bad: Problem | None = None
    more_bad = 0
    for number, line in enumerate(lines):
        leaves.append(leaf_hash(line))
        try:
            entry = decode_entry(line)
            if entry.index != number:
                raise LogCorrupt(
                    f"holds index {entry.index} where index {number} belongs: an entry was "
                    "deleted, inserted or moved"
                )
            if entry.kind in (KEY_ROTATED, KEY_REVOKED):
                keys.append(entry)
        except LogCorrupt as exc:
            if first_bad is None:
                first_bad = Problem(ENTRIES_FILE, f"line {number + 1}: {exc}", number)
            else:
                more_bad += 1
    if first_bad is not None:
        if more_bad:
            first_bad = Problem(
                first_bad.path,
                f"{first_bad.message} ({more_bad} later line(s) are bad too)",
                first_bad.index,
            )
        problems.append(first_bad)
    if tail:
        problems.append(
            Problem(
                ENTRIES_FILE,
                f"line {len(lines) + 1}: the last line is incomplete ({len(tail)} bytes at byte "
                f"offset {len(data) - len(tail)}, no final newline): an append was interrupted "
                "or the file was cut; `shiliao repair-log ARCHIVE` moves the bytes to log/torn/",
                len(lines),
            )
        )
    return leaves


def _parse_time(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _check_token(
    token_path: Path,
    name: str,
    checkpoint: Checkpoint,
    certificates: Sequence[x509.Certificate] | None,
) -> list[Problem]:
    """Problems with the RFC 3161 token of one checkpoint (none when it holds)."""
    try:
        stamp = verify_timestamp(
            token_path.read_bytes(), checkpoint.note.encode("utf-8"), certificates
        )
    except (OSError, TimestampError) as exc:
        return [Problem(name, f"the timestamp of checkpoint {checkpoint.size} fails: {exc}")]
    signed = _parse_time(checkpoint.time)
    if signed is not None and signed > stamp.gen_time + TIME_SKEW:
        return [
            Problem(
                name,
                f"checkpoint {checkpoint.size} says it was signed at {checkpoint.time}, after "
                f"the TSA stamped it at {stamp.gen_time.isoformat()}: the signer's clock or "
                "the checkpoint is wrong",
            )
        ]
    return []


def check_outside_copy(
    folder: Path,
    log_size: int,
    root_hash: Callable[[int], bytes],
    consistency_proof: Callable[[int, int], Sequence[bytes]],
    history: KeyHistory,
    certificates: Sequence[x509.Certificate] | None = None,
) -> list[Problem]:
    """Compare a log with the checkpoints kept in a folder outside the archive.

    The folder holds what ``outside.copy_to_folder`` writes: ``<size>.txt`` checkpoints,
    ``checkpoint`` (the latest), ``<size>.tsr`` tokens and ``key.vkey``. For each checkpoint:
    it must verify with the key the log's history puts in force at its size; its size must not
    exceed the log's (else the log was cut); and an RFC 9162 §2.1.4 consistency proof from its
    size to the log's current size, made from the log, must verify against its signed root
    and the log's root (else the log was rewritten, or forked: at equal sizes, two roots).

    Args:
        folder: the outside copy.
        log_size: the log's number of entries.
        root_hash: the log's root of its first ``n`` entries (``MerkleTree.root``,
            ``Log.root_hash``).
        consistency_proof: the log's proof from one size to another
            (``MerkleTree.consistency_proof``, ``Log.consistency_proof``).
        history: the log's keys (``keys.read_key_history``).
        certificates: TSA certificates the team trusts, for the tokens (None: imprint only).

    Returns:
        Problems, each naming an absolute path in ``folder``; empty when every copy fits the
        log (and when the folder holds no checkpoint: whether that is a problem is the
        caller's to say).
    """
    folder = Path(folder)
    problems: list[Problem] = []
    paths = sorted(
        (int(match.group(1)), path)
        for path in (folder.iterdir() if folder.is_dir() else [])
        if (match := _STORED_NAME.fullmatch(path.name))
    )
    latest = folder / LATEST_CHECKPOINT
    seen: set[bytes] = set()
    for _, path in paths + ([(-1, latest)] if latest.is_file() else []):
        name = str(path.absolute())
        try:
            note = path.read_bytes()
            if note in seen:
                continue  # ``checkpoint`` repeats the largest ``<size>.txt``
            seen.add(note)
            checkpoint = open_checkpoint(note, history)
        except (OSError, CheckpointError) as exc:
            problems.append(
                Problem(
                    name,
                    f"not a checkpoint of this log signed by its keys: {exc} (if it is genuine, "
                    "the archive's keys or key entries were replaced)",
                )
            )
            continue
        if path.name != LATEST_CHECKPOINT and path.name != f"{checkpoint.size}.txt":
            problems.append(Problem(name, f"holds a checkpoint of size {checkpoint.size}"))
        if checkpoint.size > log_size:
            problems.append(
                Problem(
                    name,
                    f"signed a tree of {checkpoint.size} entries at {checkpoint.time}, but the "
                    f"log has {log_size}: entries {log_size} to {checkpoint.size - 1} were "
                    "cut from the log (or this archive is an older copy); no consistency "
                    f"proof can lead from size {checkpoint.size} to {log_size}",
                    log_size,
                )
            )
        elif not verify_consistency_proof(
            checkpoint.size,
            log_size,
            consistency_proof(checkpoint.size, log_size),
            checkpoint.root_hash,
            root_hash(log_size),
        ):
            fork = (
                f"the log has the same size, {log_size} entries, with another root: a fork"
                if checkpoint.size == log_size
                else f"the RFC 9162 consistency proof from size {checkpoint.size} to the "
                f"log's {log_size} fails: its first {checkpoint.size} entries were rewritten "
                "or the log forked"
            )
            problems.append(Problem(name, f"signed a tree of {checkpoint.size} entries; {fork}"))
        token = path.with_suffix(TOKEN_SUFFIX)
        if path.name != LATEST_CHECKPOINT and token.is_file():
            problems.extend(_check_token(token, str(token.absolute()), checkpoint, certificates))
    vkey_path = folder / "key.vkey"
    if vkey_path.is_file():
        try:
            copied = VerifierKey.parse(vkey_path.read_text(encoding="ascii"))
        except (OSError, UnicodeDecodeError, LogError) as exc:
            problems.append(Problem(str(vkey_path.absolute()), f"not a verifier key: {exc}"))
        else:
            if not history.knows(copied):
                problems.append(
                    Problem(
                        str(vkey_path.absolute()),
                        f"holds key {copied}, which is none of the log's keys: the archive's "
                        "key was replaced, or its key entries cut from the log",
                    )
                )
    return problems


def verify_log(
    log_dir: Path,
    vkey: str | VerifierKey,
    *,
    against: Sequence[Path] = (),
    tsa_certificates: Sequence[x509.Certificate] | None = None,
) -> list[Problem]:
    """Check a log folder completely; return every problem found (empty: the log is intact).

    Args:
        log_dir: the ``ARCHIVE/log`` folder. Nothing in it is changed.
        vkey: a verifier key of the log to trust, ideally a copy kept outside the archive: the
            first key or any later one of its key history (``keys``); ``log/key.vkey`` must
            hold the key in force now.
        against: folders outside the archive holding copies of its checkpoints
            (``check_outside_copy``); one that holds none is a problem.
        tsa_certificates: the TSA certificates the team trusts, for the RFC 3161 tokens
            beside checkpoints; None checks their message imprint only.

    Returns:
        Problems in the order found: entries, keys, each checkpoint by size (and its token),
        consecutive pairs, the latest copy, then each outside copy. Each names the file and,
        for entries, the first bad index.

    Raises:
        LogError: ``vkey`` is not a valid verifier key string.
    """
    log_dir = Path(log_dir)
    key = VerifierKey.parse(vkey) if isinstance(vkey, str) else vkey
    problems: list[Problem] = []
    key_entries: list[Entry] = []
    tree = MerkleTree(_scan_entries(log_dir, problems, key_entries))
    history = read_key_history(key_entries, key)
    problems.extend(Problem(ENTRIES_FILE, message, index) for index, message in history.problems)
    if not history.knows(key):
        known = ", ".join(k.key_id.hex() for k in history.keys)
        problems.append(
            Problem(
                ENTRIES_FILE,
                f"the key given ({key}) is none of the log's keys ({known}): this is not the "
                "log of that key, or its key entries were rewritten",
            )
        )

    try:
        stored_vkey = (log_dir / "key.vkey").read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        stored_vkey = None
    if stored_vkey != str(history.current):
        given = "" if history.rotated else " given"
        problems.append(
            Problem(
                "key.vkey",
                f"holds {stored_vkey or 'nothing'}, not the key{given} ({history.current}): "
                "the archive's key was replaced, or this is not the key of this archive",
            )
        )

    good: list[tuple[str, Checkpoint]] = []  # verified checkpoints, by size
    last_matching_size = 0
    for size, path in stored_checkpoints(log_dir):
        name = f"{CHECKPOINTS_DIR}/{path.name}"
        try:
            checkpoint = open_checkpoint(path.read_bytes(), history)
        except (OSError, CheckpointError) as exc:
            problems.append(Problem(name, f"not a valid checkpoint: {exc}"))
            continue
        if checkpoint.size != size:
            problems.append(Problem(name, f"holds a checkpoint of size {checkpoint.size}"))
            continue
        good.append((name, checkpoint))
        token = path.with_suffix(TOKEN_SUFFIX)
        if token.is_file():
            problems.extend(
                _check_token(token, f"{CHECKPOINTS_DIR}/{token.name}", checkpoint, tsa_certificates)
            )
        if size > tree.size:
            problems.append(
                Problem(
                    name,
                    f"signed {size} entries but the log has {tree.size}: the log was cut or "
                    "entries were deleted",
                    tree.size,
                )
            )
        elif tree.root(size) != checkpoint.root_hash:
            problems.append(
                Problem(
                    name,
                    f"its root hash is not the root of the log's first {size} entries: an entry "
                    f"with index {last_matching_size} to {size - 1} was changed, removed, "
                    "inserted or reordered since it was signed",
                    last_matching_size,
                )
            )
        else:
            last_matching_size = size

    for (old_name, old), (new_name, new) in itertools.pairwise(good):
        if new.size > tree.size:
            continue  # already reported: no proof can come from a log this short
        proof = tree.consistency_proof(old.size, new.size)
        if not verify_consistency_proof(old.size, new.size, proof, old.root_hash, new.root_hash):
            problems.append(
                Problem(
                    new_name,
                    f"is not consistent with {old_name} (RFC 9162 consistency proof from the "
                    "log fails): the log's history was rewritten between them, or one of them "
                    "no longer matches the log",
                )
            )

    problems.extend(_check_latest(log_dir, history, good))
    for folder in map(Path, against):
        if not any(_STORED_NAME.fullmatch(path.name) for path in folder.glob("*.txt")):
            problems.append(
                Problem(str(folder.absolute()), "holds no checkpoint (<size>.txt) to compare with")
            )
        problems.extend(
            check_outside_copy(
                folder, tree.size, tree.root, tree.consistency_proof, history, tsa_certificates
            )
        )
    return problems


def _check_latest(
    log_dir: Path, history: KeyHistory, good: list[tuple[str, Checkpoint]]
) -> list[Problem]:
    latest = log_dir / LATEST_CHECKPOINT
    if not latest.exists():
        return [Problem(LATEST_CHECKPOINT, "is missing")] if good else []
    try:
        checkpoint = open_checkpoint(latest.read_bytes(), history)
    except (OSError, CheckpointError) as exc:
        return [Problem(LATEST_CHECKPOINT, f"not a valid checkpoint: {exc}")]
    if not good or checkpoint.size > good[-1][1].size:
        return [
            Problem(
                LATEST_CHECKPOINT,
                f"covers {checkpoint.size} entries but is not stored in {CHECKPOINTS_DIR}/",
            )
        ]
    if checkpoint.note != good[-1][1].note:
        return [
            Problem(
                LATEST_CHECKPOINT,
                f"is not {good[-1][0]}, the largest stored checkpoint (it covers "
                f"{checkpoint.size} entries): a rollback, or a checkpoint file was removed",
            )
        ]
    return []


def verify_checkpoint_consistency(
    old_note: str | bytes, new_note: str | bytes, proof: Sequence[bytes], vkey: str | VerifierKey
) -> Checkpoint:
    """Check that a new checkpoint extends one seen before (reliability plan T-rollback).

    For whoever keeps an earlier checkpoint outside the archive: given a newer one and the
    RFC 9162 §2.1.4 consistency proof between their sizes (``Log.consistency_proof``).

    Returns:
        The new checkpoint.

    Raises:
        SignatureError, CheckpointError: either checkpoint does not verify with ``vkey``.
        ProofError: the new checkpoint is smaller (a rollback), or the proof fails (a fork or
            a rewritten history).
    """
    old = verify_checkpoint(old_note, vkey)
    new = verify_checkpoint(new_note, vkey)
    if new.size < old.size:
        raise ProofError(f"the new checkpoint ({new.size} entries) is older than {old.size}")
    if not verify_consistency_proof(old.size, new.size, proof, old.root_hash, new.root_hash):
        raise ProofError(
            f"the checkpoint of {new.size} entries does not extend the one of {old.size}: "
            "the log was rewritten or forked"
        )
    return new


def verify_inclusion(
    leaf_bytes: bytes,
    index: int,
    proof: Sequence[bytes],
    checkpoint_text: str | bytes,
    vkey: str | VerifierKey,
) -> Checkpoint:
    """Check that an entry is in the log a signed checkpoint describes.

    Args:
        leaf_bytes: the entry's log line, without newline (the leaf's entry).
        index: its 0-based index.
        proof: the RFC 9162 §2.1.3 inclusion path, 32-byte hashes.
        checkpoint_text: the signed checkpoint note.
        vkey: the log's verifier key.

    Returns:
        The checkpoint.

    Raises:
        SignatureError, CheckpointError: the checkpoint does not verify with ``vkey``.
        ProofError: the proof does not lead from the entry to the checkpoint's root.
    """
    checkpoint = verify_checkpoint(checkpoint_text, vkey)
    if not verify_inclusion_proof(
        leaf_hash(leaf_bytes), index, checkpoint.size, proof, checkpoint.root_hash
    ):
        raise ProofError(
            f"the inclusion proof does not show this entry at index {index} in the log of "
            f"{checkpoint.size} entries that the checkpoint signs"
        )
    return checkpoint


def make_proof_bundle(log: Log, index: int, checkpoint: Checkpoint) -> bytes:
    """A proof bundle (see the module docstring) for entry ``index`` under ``checkpoint``.

    Args:
        log: the open log.
        index: the entry's index, below ``checkpoint.size``.
        checkpoint: a checkpoint of this log (e.g. the one ``write_checkpoint`` returned).

    Returns:
        The bundle file's bytes: UTF-8 JSON, indented, keys sorted.

    Raises:
        LogError: there is no entry ``index`` in the checkpoint's tree.
        CheckpointError: the checkpoint's root is not the log's root at its size.
    """
    if log.root_hash(checkpoint.size) != checkpoint.root_hash:
        raise CheckpointError(
            f"the checkpoint of {checkpoint.size} entries does not match this log"
        )
    hashes = log.inclusion_proof(index, checkpoint.size)
    bundle = {
        "format": BUNDLE_FORMAT,
        "entry": log.entry(index).line.decode("utf-8"),
        "index": index,
        "tree_size": checkpoint.size,
        "hashes": [base64.b64encode(h).decode("ascii") for h in hashes],
        "checkpoint": checkpoint.note,
    }
    return (json.dumps(bundle, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def _read_bundle(bundle: bytes | str | Mapping[str, Any]) -> Mapping[str, Any]:
    if not isinstance(bundle, Mapping):
        try:
            bundle = json.loads(bundle)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ProofError(f"the proof bundle is not JSON: {exc}") from exc
    if not isinstance(bundle, Mapping) or bundle.get("format") != BUNDLE_FORMAT:
        raise ProofError(f"not a proof bundle (format {BUNDLE_FORMAT!r})")
    types = {"entry": str, "index": int, "tree_size": int, "hashes": list, "checkpoint": str}
    for field, kind in types.items():
        value = bundle.get(field)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ProofError(f"the proof bundle's {field!r} is missing or not a {kind.__name__}")
    return bundle


def verify_proof_bundle(
    file_bytes: bytes, bundle: bytes | str | Mapping[str, Any], vkey: str | VerifierKey
) -> VerifiedEntry:
    """Check a file against its proof bundle and the log's verifier key: the whole
    third-party check, offline.

    In order: the checkpoint's signature (``vkey``), that the bundle's tree size and index
    are the checkpoint's and the entry's own, the inclusion proof from the entry to the signed
    root, and last that the file's SHA-256 and SHA-512 equal the digests the entry records.

    Args:
        file_bytes: the downloaded file's bytes.
        bundle: the bundle file's bytes or text, or the parsed object.
        vkey: the archive's verifier key, obtained independently of the bundle.

    Returns:
        The verified entry and checkpoint.

    Raises:
        SignatureError, CheckpointError: the checkpoint is not signed by ``vkey``, or malformed.
        ProofError: the bundle is malformed, its index or size disagrees, the proof fails, or
            the entry records no file digest.
        IntegrityError: the file's bytes do not match a digest in the entry.
    """
    bundle = _read_bundle(bundle)
    checkpoint = verify_checkpoint(bundle["checkpoint"], vkey)
    if bundle["tree_size"] != checkpoint.size:
        raise ProofError(
            f"the bundle's tree size {bundle['tree_size']} is not the checkpoint's "
            f"{checkpoint.size}"
        )
    line = bundle["entry"].encode("utf-8")
    try:
        entry = decode_entry(line)
    except LogCorrupt as exc:
        raise ProofError(f"the bundle's entry is not a log entry: {exc}") from exc
    if bundle["index"] != entry.index:
        raise ProofError(
            f"the bundle's index {bundle['index']} is not the entry's own index {entry.index}"
        )
    try:
        hashes = [base64.b64decode(h, validate=True) for h in bundle["hashes"]]
    except (binascii.Error, TypeError, ValueError) as exc:
        raise ProofError(f"the bundle's hashes are not base64: {exc}") from exc
    verify_inclusion(line, entry.index, hashes, checkpoint.note, vkey)
    digests = {
        algorithm: entry.data[algorithm]
        for algorithm in ("sha256", "sha512")
        if isinstance(entry.data.get(algorithm), str)
    }
    if not digests:
        raise ProofError(f"log entry {entry.index} ({entry.kind}) records no file digest")
    for algorithm, expected in digests.items():
        found = hashlib.new(algorithm, file_bytes).hexdigest()
        if found != expected.lower():
            raise IntegrityError(
                str(entry.data.get("path", "the file")), algorithm, expected.lower(), found
            )
    return VerifiedEntry(entry, checkpoint)
