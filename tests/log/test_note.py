"""C2SP signed notes and sumdb/note key strings, against Go's published example."""

from __future__ import annotations

import base64
import hashlib
import stat
from pathlib import Path

import pytest

from shiliao.errors import CheckpointError, LogError, SignatureError
from shiliao.log.note import SigningKey, VerifierKey, load_or_create_key, open_note, sign_note

# The example of golang.org/x/mod/sumdb/note (its package documentation and note_test.go).
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n— PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_go_example_is_reproduced_byte_for_byte() -> None:
    key = SigningKey.parse(GO_SKEY)
    assert str(key) == GO_SKEY
    assert str(key.verifier()) == GO_VKEY
    assert sign_note(GO_TEXT, key) == GO_NOTE
    assert open_note(GO_NOTE, VerifierKey.parse(GO_VKEY)) == GO_TEXT
    assert open_note(GO_NOTE.encode("utf-8"), VerifierKey.parse(GO_VKEY)) == GO_TEXT


def test_key_id_is_the_spec_hash() -> None:
    vkey = VerifierKey.parse(GO_VKEY)
    expected = hashlib.sha256(b"PeterNeumann\n\x01" + vkey.public_key).digest()[:4]
    assert vkey.key_id == expected == bytes.fromhex("c74f20a3")


def test_edited_text_or_other_key_is_rejected() -> None:
    vkey = VerifierKey.parse(GO_VKEY)
    with pytest.raises(SignatureError, match="does not verify"):
        open_note(GO_NOTE.replace("cryptography", "cryptographY"), vkey)
    other = SigningKey.generate("PeterNeumann")
    with pytest.raises(SignatureError, match="not signed by key PeterNeumann"):
        open_note(sign_note(GO_TEXT, other), vkey)


def test_signatures_by_unknown_keys_are_ignored() -> None:
    witness = SigningKey.generate("witness.example")
    cosigned = GO_NOTE + sign_note(GO_TEXT, witness).split("\n\n")[1]
    assert open_note(cosigned, VerifierKey.parse(GO_VKEY)) == GO_TEXT
    assert open_note(cosigned, witness.verifier()) == GO_TEXT


@pytest.mark.parametrize(
    "note",
    [
        GO_TEXT,  # no signatures
        GO_NOTE.rstrip("\n"),  # no final newline
        GO_NOTE.replace("— ", "-- "),  # not a signature line
        GO_NOTE.replace("\n\n", "\n\x07\n"),  # control character, and no blank line
    ],
)
def test_malformed_notes_are_refused(note: str) -> None:
    with pytest.raises(CheckpointError):
        open_note(note, VerifierKey.parse(GO_VKEY))


@pytest.mark.parametrize(
    "vkey",
    [
        GO_VKEY[:-1],  # truncated key
        GO_VKEY.replace("c74f20a3", "c74f20a4"),  # wrong key ID
        GO_VKEY.replace("c74f20a3", "C74F20A3"),
        GO_VKEY.replace("+ARpc", "+AhRpc"),  # not base64 of 33 bytes
        "PeterNeumann+c74f20a3",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
)
def test_malformed_verifier_keys_are_refused(vkey: str) -> None:
    with pytest.raises(LogError):
        VerifierKey.parse(vkey)


def test_non_ed25519_key_is_refused() -> None:
    material = base64.b64encode(b"\x02" + VerifierKey.parse(GO_VKEY).public_key).decode()
    with pytest.raises(LogError, match="not an Ed25519 key"):
        VerifierKey.parse(f"PeterNeumann+c74f20a3+{material}")


def test_repr_does_not_show_the_secret() -> None:
    key = SigningKey.parse(GO_SKEY)
    assert GO_SKEY.rsplit("+", 1)[1] not in repr(key)
    assert "AYEKFALV" not in repr(key)


def test_archive_key_is_made_once_private_and_checked(tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path, "example.org/archive")
    private = tmp_path / "key.private"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.read_text() == f"{key}\n"
    assert (tmp_path / "key.vkey").read_text() == f"{key.verifier()}\n"
    assert load_or_create_key(tmp_path, "ignored.example") == key
    (tmp_path / "key.vkey").write_text(f"{SigningKey.generate('example.org/archive').verifier()}\n")
    with pytest.raises(LogError, match="does not match"):
        load_or_create_key(tmp_path)


def test_default_key_name_is_a_valid_unique_origin(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = load_or_create_key(tmp_path / "a"), load_or_create_key(tmp_path / "b")
    assert first.name.startswith("shiliao/") and first.name != second.name
    VerifierKey.parse(str(first.verifier()))
