"""The tamper-evident log: every change to the archive, in an append-only Merkle tree.

Why: a preserved copy of a deleted page is evidence only if anyone can check that it is byte
for byte what was captured, and that nothing was quietly changed or removed since. Each
captured file, edit, deletion and publication is appended to ``ARCHIVE/log/entries.jsonl``
as one JSON line; the lines are the leaves of an RFC 9162 (Certificate Transparency 2.0)
Merkle tree; a signed *checkpoint* fixes the tree's size and root hash. Then:

- an inclusion proof (a few dozen hashes) shows that one entry, and so the digests of one
  file, is in the tree a checkpoint signs: a reader checks a downloaded file with the proof
  bundle and the archive's public key, offline, trusting nothing else (``verify_proof_bundle``,
  ``shiliao verify-file``);
- a consistency proof shows a later checkpoint's tree extends an earlier one: entries were
  only ever appended. Editing, deleting, reordering or cutting entries changes the root of
  every checkpoint after them (``verify_log``).

Layout::

    ARCHIVE/log/
      entries.jsonl          one canonical JSON entry per line (entries.py)
      lock                   flock: one writer at a time (store.py)
      checkpoints/<size>.txt every signed checkpoint, never rewritten (checkpoint.py)
      checkpoint             the latest one
      key.private            Ed25519 signing key, note format, mode 0600 (note.py)
      key.vkey               its verifier key: publish it
      torn/<offset>.bin      bytes of a torn last line moved aside by repair-log (store.py)

Modules, bottom up: ``merkle`` (RFC 9162 §2.1 hashing and proofs, pure functions),
``entries`` (the line format and canonical JSON), ``note`` (C2SP signed-note with Ed25519,
sumdb/note key strings), ``store`` (the file, locking, appends, torn lines), ``checkpoint``
(C2SP tlog-checkpoint), ``verify`` (log checks, proof bundles). Each module's docstring gives
its format with an example and the reasons for its choices.

Choices, briefly: standard formats wherever one exists (RFC 9162 trees, C2SP notes and
checkpoints, Go's key strings), so that tools outside shiliao can check our proofs; the leaf
is the stored line itself, so no re-serialization stands between the file and its hash;
checks report every problem and change nothing; nothing is dropped silently, torn lines
included. Limits: a signature only binds whoever lacks the key, and the key sits in the
archive, so checkpoints and ``key.vkey`` must be copied somewhere else to protect against the
archive's own operator or anyone who takes the machine (see ``checkpoint``). Times in entries
and checkpoints are the machine's clock, not trusted timestamps.
"""

from shiliao.log.checkpoint import (
    Checkpoint,
    sign_checkpoint,
    stored_checkpoints,
    verify_checkpoint,
    write_checkpoint,
)
from shiliao.log.entries import Entry, canonical_json
from shiliao.log.merkle import MerkleTree
from shiliao.log.note import SigningKey, VerifierKey, load_or_create_key, open_note, sign_note
from shiliao.log.store import Log, open_archive_log, repair_torn_tail
from shiliao.log.verify import (
    Problem,
    VerifiedEntry,
    make_proof_bundle,
    verify_checkpoint_consistency,
    verify_inclusion,
    verify_log,
    verify_proof_bundle,
)

__all__ = [
    "Checkpoint",
    "Entry",
    "Log",
    "MerkleTree",
    "Problem",
    "SigningKey",
    "VerifiedEntry",
    "VerifierKey",
    "canonical_json",
    "load_or_create_key",
    "make_proof_bundle",
    "open_archive_log",
    "open_note",
    "repair_torn_tail",
    "sign_checkpoint",
    "sign_note",
    "stored_checkpoints",
    "verify_checkpoint",
    "verify_checkpoint_consistency",
    "verify_inclusion",
    "verify_log",
    "verify_proof_bundle",
    "write_checkpoint",
]
