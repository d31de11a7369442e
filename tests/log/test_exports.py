"""The public names of shiliao.log, pinned: removing or renaming one is a decision."""

from __future__ import annotations

import shiliao.log


def test_public_names_are_pinned() -> None:
    assert shiliao.log.__all__ == [
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
