"""C2SP signed notes with Ed25519 keys, and the key strings of ``golang.org/x/mod/sumdb/note``.

A signed note (c2sp.org/signed-note) is a UTF-8 text ending in a newline, a blank line, then
one or more signature lines ``— <key name> <base64(key ID || signature)>``. For Ed25519
(signature type ``0x01``) the signature is RFC 8032 Ed25519 over the text (its final newline
included, the blank line not), and the 4-byte key ID is::

    key ID = SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4]

Key strings, as sumdb/note writes them (so Go's tools and witnesses read ours):

- verifier key (public, ``log/key.vkey``): ``<name>+<key ID, 8 lowercase hex>+<base64(0x01 ||
  public key)>``, e.g. ``PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW``;
- signer key (secret, ``log/key.private``, mode 0600): ``PRIVATE+KEY+<name>+<key ID>+<base64(0x01
  || 32-byte Ed25519 seed)>``.

Key names are non-empty and hold no Unicode space and no ``+``. Verification follows the spec:
signatures by other keys are ignored; a signature by the expected key (same name and key ID)
that fails makes the whole note rejected; a note with no signature by the expected key is
rejected. The tests reproduce the sumdb/note example byte for byte.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from shiliao.errors import CheckpointError, LogError, SignatureError
from shiliao.log._fs import fsync_dir, write_atomic, write_new

__all__ = [
    "NEXT_KEY_FILE",
    "SigningKey",
    "VerifierKey",
    "load_or_create_key",
    "open_note",
    "sign_note",
]

ED25519 = 0x01
"""Signature type byte of Ed25519 in c2sp.org/signed-note."""

NEXT_KEY_FILE = "key.next.private"
"""Where a key rotation keeps the new signing key until it is in force (``keys.rotate_key``)."""

_DASH = "\u2014 "  # em dash and space: the start of every signature line
_MAX_SIGNATURES = 100  # the spec asks verifiers to cap signatures (at least 16 accepted)
_KEY_ID_HEX = re.compile(r"[0-9a-f]{8}")


def _check_name(name: str) -> None:
    if not name or any(ch.isspace() for ch in name) or "+" in name:
        raise LogError(f"key name {name!r} must be non-empty, without spaces or '+'")


def _key_id(name: str, public_raw: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ED25519]) + public_raw).digest()[:4]


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise LogError(f"{what} is not valid base64") from exc


@dataclass(frozen=True)
class VerifierKey:
    """A public Ed25519 note key: what a third party needs to check a checkpoint.

    Attributes:
        name: the key name (for shiliao, also the log's origin line).
        key_id: 4 bytes, ``SHA-256(name || 0x0A || 0x01 || public key)[:4]``.
        public_key: the 32-byte Ed25519 public key.
    """

    name: str
    key_id: bytes
    public_key: bytes

    @classmethod
    def parse(cls, vkey: str) -> VerifierKey:
        """Read a verifier key string ``<name>+<8 hex>+<base64(0x01 || public key)>``.

        Raises:
            LogError: the string is malformed, not Ed25519, or its key ID does not match.
        """
        parts = vkey.strip().split("+", 2)
        if len(parts) != 3:
            raise LogError(f"not a verifier key (name+hash+key): {vkey!r}")
        name, id_hex, key_b64 = parts
        _check_name(name)
        if not _KEY_ID_HEX.fullmatch(id_hex):
            raise LogError(f"verifier key {name}: key ID {id_hex!r} is not 8 lowercase hex digits")
        material = _b64decode(key_b64, f"verifier key {name}")
        if len(material) != 33 or material[0] != ED25519:
            raise LogError(f"verifier key {name} is not an Ed25519 key (type 0x01, 32 bytes)")
        key = cls(name, bytes.fromhex(id_hex), material[1:])
        if _key_id(name, key.public_key) != key.key_id:
            raise LogError(f"verifier key {name}: key ID {id_hex} does not match the key")
        return key

    def __str__(self) -> str:
        material = base64.b64encode(bytes([ED25519]) + self.public_key).decode("ascii")
        return f"{self.name}+{self.key_id.hex()}+{material}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (64 bytes) is this key's Ed25519 signature of ``message``."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class SigningKey:
    """A secret Ed25519 note key. Keep it out of published copies of the archive.

    Attributes:
        name: the key name.
        seed: the 32-byte Ed25519 private key seed (RFC 8032).
    """

    name: str
    seed: bytes

    @classmethod
    def generate(cls, name: str) -> SigningKey:
        """A new random key named ``name``; ``LogError`` if the name is not allowed."""
        _check_name(name)
        private = Ed25519PrivateKey.generate()
        raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return cls(name, raw)

    @classmethod
    def parse(cls, skey: str) -> SigningKey:
        """Read ``PRIVATE+KEY+<name>+<8 hex>+<base64(0x01 || seed)>``.

        Raises:
            LogError: the string is malformed, not Ed25519, or its key ID does not match.
        """
        parts = skey.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise LogError("not a signer key (PRIVATE+KEY+name+hash+key)")
        _, _, name, id_hex, key_b64 = parts
        _check_name(name)
        material = _b64decode(key_b64, f"signer key {name}")
        if len(material) != 33 or material[0] != ED25519:
            raise LogError(f"signer key {name} is not an Ed25519 key (type 0x01, 32 bytes)")
        key = cls(name, material[1:])
        if key.verifier().key_id.hex() != id_hex:
            raise LogError(f"signer key {name}: key ID {id_hex!r} does not match the key")
        return key

    def __str__(self) -> str:
        material = base64.b64encode(bytes([ED25519]) + self.seed).decode("ascii")
        return f"PRIVATE+KEY+{self.name}+{self.verifier().key_id.hex()}+{material}"

    def __repr__(self) -> str:
        # Never print the seed into a traceback or a log.
        return f"SigningKey(name={self.name!r}, vkey={str(self.verifier())!r})"

    def verifier(self) -> VerifierKey:
        """The matching public key."""
        private = Ed25519PrivateKey.from_private_bytes(self.seed)
        public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return VerifierKey(self.name, _key_id(self.name, public), public)

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``message``."""
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise CheckpointError("a note's text must end with a newline")
    if any(ord(ch) < 0x20 and ch != "\n" for ch in text):
        raise CheckpointError("a note may hold no control characters but newline")


def sign_note(text: str, key: SigningKey) -> str:
    """Sign ``text`` as a C2SP signed note with one Ed25519 signature line.

    Args:
        text: the note text, ending in a newline; no control characters but newline.
        key: the signer.

    Returns:
        ``text + "\\n" + "— <name> <base64(key ID || signature)>\\n"``.

    Raises:
        CheckpointError: the text breaks the signed-note rules.
    """
    _check_text(text)
    signature = key.sign(text.encode("utf-8"))
    blob = base64.b64encode(key.verifier().key_id + signature).decode("ascii")
    return f"{text}\n{_DASH}{key.name} {blob}\n"


def open_note(note: str | bytes, key: VerifierKey) -> str:
    """Check a signed note against one trusted key and return its text.

    Args:
        note: the whole note (text, blank line, signature lines), as str or UTF-8 bytes.
        key: the trusted verifier key.

    Returns:
        The note text (ending in a newline, without the blank line), once verified.

    Raises:
        CheckpointError: the note is malformed (not UTF-8, control characters, no blank line
            before the signatures, a malformed signature line, too many signatures).
        SignatureError: no signature line has the key's name and key ID, or one that has them
            does not verify (the text, the signature or the key is not what was signed).
    """
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CheckpointError("a signed note must be UTF-8") from exc
    _check_text(note)
    # The text ends at the last blank line; everything after is signature lines.
    split = note.rfind("\n\n")
    if split < 0:
        raise CheckpointError("a signed note has a blank line before its signatures")
    # The note ends in a newline, so the last piece is empty; str.splitlines would also split
    # at U+2028 and other separators the spec does not treat as line ends.
    text, signature_lines = note[: split + 1], note[split + 2 :].split("\n")[:-1]
    if not signature_lines:
        raise CheckpointError("a signed note has at least one signature line")
    if len(signature_lines) > _MAX_SIGNATURES:
        raise CheckpointError(f"a signed note with over {_MAX_SIGNATURES} signatures is refused")
    matched = False
    for line in signature_lines:
        if not line.startswith(_DASH):
            raise CheckpointError(f"not a signature line: {line[:80]!r}")
        name, _, blob_b64 = line[len(_DASH) :].partition(" ")
        try:
            blob = _b64decode(blob_b64, f"the signature of {name}")
        except LogError as exc:
            raise CheckpointError(str(exc)) from exc
        if len(blob) < 5:
            raise CheckpointError(f"the signature of {name} is too short")
        if name != key.name or blob[:4] != key.key_id:
            continue  # another key (a witness, an old key): ignored, as the spec requires
        if not key.verify(text.encode("utf-8"), blob[4:]):
            raise SignatureError(
                f"the signature by {key.name} ({key.key_id.hex()}) does not verify: "
                "the text was changed after signing, or the signature is not genuine"
            )
        matched = True
    if not matched:
        names = ", ".join(line[len(_DASH) :].partition(" ")[0] for line in signature_lines)
        raise SignatureError(
            f"not signed by key {key.name}+{key.key_id.hex()} (signed by: {names}); "
            "check you have the archive's verifier key"
        )
    return text


def _finished_rotation(log_dir: Path, vkey: str) -> bool:
    """Complete a rotation that wrote ``key.vkey`` but not yet ``key.private``; whether it did.

    ``keys.rotate_key`` writes the new verifier key only after the log records the new key,
    so a ``key.next.private`` matching ``key.vkey`` is a key the log has put in force.
    """
    next_path = log_dir / NEXT_KEY_FILE
    try:
        new = SigningKey.parse(next_path.read_text(encoding="ascii"))
    except (OSError, UnicodeDecodeError, LogError):
        return False
    if f"{new.verifier()}\n" != vkey:
        return False
    try:
        os.replace(next_path, log_dir / "key.private")
        fsync_dir(log_dir)
    except OSError as exc:
        raise LogError(f"cannot finish the key rotation in {log_dir}: {exc}") from exc
    return True


def load_or_create_key(log_dir: Path, name: str | None = None) -> SigningKey:
    """The archive's signing key from ``log_dir/key.private``, made on first use.

    A new key is written with mode 0600 (owner read and write only) and its verifier key to
    ``log_dir/key.vkey``; both atomically, and safely when several processes start at once. A
    key rotation that a crash cut short after writing ``key.vkey`` is finished here
    (``keys.rotate_key``).

    Args:
        log_dir: the ``ARCHIVE/log`` folder (must exist).
        name: the key name for a new key (also the log's origin); default
            ``shiliao/<16 random hex>``. Ignored when the key exists.

    Raises:
        LogError: the key file is unreadable or malformed, or ``key.vkey`` holds another key.
    """
    private_path, vkey_path = log_dir / "key.private", log_dir / "key.vkey"
    if not private_path.exists():
        new = SigningKey.generate(name or f"shiliao/{os.urandom(8).hex()}")
        write_new(private_path, f"{new}\n".encode("ascii"), 0o600)
    try:
        key = SigningKey.parse(private_path.read_text(encoding="ascii"))
    except (OSError, UnicodeDecodeError, LogError) as exc:
        raise LogError(f"cannot read the log's signing key {private_path}: {exc}") from exc
    vkey = f"{key.verifier()}\n"
    try:
        existing = vkey_path.read_text(encoding="ascii")
    except FileNotFoundError:
        write_atomic(vkey_path, vkey.encode("ascii"))
    except (OSError, UnicodeDecodeError) as exc:
        raise LogError(f"cannot read {vkey_path}: {exc}") from exc
    else:
        if existing != vkey and _finished_rotation(log_dir, existing):
            return load_or_create_key(log_dir)
        if existing != vkey:
            raise LogError(
                f"{vkey_path} does not match {private_path}: one of the keys was replaced; "
                "compare both with the copies kept outside the archive"
            )
    return key
