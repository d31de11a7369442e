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
      checkpoints/<size>.tsr its RFC 3161 timestamp, when it has one (timestamp.py)
      checkpoints/<size>.cosignatures  witnesses' cosignature lines (outside.py)
      checkpoint             the latest one
      key.private            Ed25519 signing key in force, note format, mode 0600 (note.py)
      key.vkey               its verifier key: publish it
      key.next.private       a new key while a rotation is under way (keys.py)
      torn/<offset>.bin      bytes of a torn last line moved aside by repair-log (store.py)

Modules, bottom up: ``merkle`` (RFC 9162 §2.1 hashing and proofs, pure functions),
``entries`` (the line format and canonical JSON), ``note`` (C2SP signed-note with Ed25519,
sumdb/note key strings), ``store`` (the file, locking, appends, torn lines), ``keys`` (key
rotation and revocation entries, the key history), ``checkpoint`` (C2SP tlog-checkpoint),
``timestamp`` (RFC 3161 tokens over checkpoints), ``verify`` (log checks, outside copies,
proof bundles), ``outside`` (copies of checkpoints in a folder or at a c2sp.org/tlog-witness).
Each module's docstring gives its format with an example and the reasons for its choices.

Choices, briefly: standard formats wherever one exists (RFC 9162 trees, C2SP notes and
checkpoints, Go's key strings), so that tools outside shiliao can check our proofs; the leaf
is the stored line itself, so no re-serialization stands between the file and its hash;
checks report every problem and change nothing; nothing is dropped silently, torn lines
included. Limits: a signature only binds whoever lacks the key, and the key sits in the
archive, so checkpoints and ``key.vkey`` must be copied somewhere else to protect against the
archive's own operator or anyone who takes the machine (``outside``; ``shiliao verify
--against``). Times in entries and checkpoints are the machine's clock; an RFC 3161 token from
a time-stamping authority is what dates a checkpoint (``timestamp``).
"""

from shiliao.lazy import exports

# Each name is imported from its submodule when first used (``shiliao.lazy``).
_EXPORTS = {
    "Checkpoint": "checkpoint",
    "Entry": "entries",
    "Log": "store",
    "MerkleTree": "merkle",
    "Problem": "verify",
    "SigningKey": "note",
    "VerifiedEntry": "verify",
    "VerifierKey": "note",
    "canonical_json": "entries",
    "load_or_create_key": "note",
    "make_proof_bundle": "verify",
    "open_archive_log": "store",
    "open_note": "note",
    "repair_torn_tail": "store",
    "sign_checkpoint": "checkpoint",
    "sign_note": "note",
    "stored_checkpoints": "checkpoint",
    "verify_checkpoint": "checkpoint",
    "verify_checkpoint_consistency": "verify",
    "verify_inclusion": "verify",
    "verify_log": "verify",
    "verify_proof_bundle": "verify",
    "write_checkpoint": "checkpoint",
}

__all__ = sorted(_EXPORTS)
__getattr__ = exports(__name__, _EXPORTS)
