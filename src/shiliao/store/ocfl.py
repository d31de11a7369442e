"""Originals in an OCFL 1.1 storage root: versioned, every file named by its digest in an inventory.

Specification: OCFL 1.1 (https://ocfl.io/1.1/spec/); section numbers below are that document's.
The layout under the archive::

    ARCHIVE/objects/                          the storage root (§4)
      0=ocfl_1.1                              root conformance declaration (§4.2), written last
      ocfl_layout.json                        names the storage layout extension (§4.1)
      extensions/0003-hash-and-id-n-tuple-storage-layout/config.json
      3c0/ff4/240/urn%3ashiliao%3afile%3a.../ one object root: sha256 of the object id in UTF-8,
        0=ocfl_object_1.1                     three tuples of three hex digits, then the id itself
                                              percent-encoded (extension 0003, below)
        inventory.json                        the object's inventory (§3.5), sha512 digests
        inventory.json.sha512                 its sidecar (§3.6): the commit point of a version
        v1/inventory.json(.sha512)            a copy of the inventory as of v1 (§3.7)
        v1/content/sources/报告.pdf           bytes first stored in v1 (§3.3.1)
        v2/...                                only the bytes that are new in v2
    ARCHIVE/.staging/ocfl/                    where versions are built (outside the root: E088)
    ARCHIVE/.staging/ocfl.lock                one writer at a time (flock)
    ARCHIVE/.staging/ocfl.layout.json         a layout conversion not yet logged by the archive

Storage layout. OCFL community extension 0003-hash-and-id-n-tuple-storage-layout
(https://ocfl.github.io/extensions/0003-hash-and-id-n-tuple-storage-layout.html) with sha256,
tuple size 3, three tuples: the object root is the first nine hex digits of the sha256 of the id
(UTF-8), in three folders, then the id with every UTF-8 byte outside ``A-Z a-z 0-9 - _``
percent-encoded in lower-case hex; an encoded id longer than 100 characters is cut at 100 and
``-<sha256>`` added.
So ``object-01`` lives in ``3c0/ff4/240/object-01``. The folder names the object, which helps
whoever opens the root by hand, and every common validator knows the extension (ocfl-py 2.1's
``ocfl-validate.py``, ocfl-java, rocfl, gocfl); ocfl-py does not know 0004, the extension earlier
shiliao versions wrote, and rejects such a root (E071), even though 0004 is registered too.

Converting a root written in 0004 (same sha256 tuples, the whole digest as the object folder)
happens when the store is opened, under the writer lock: a note is written first
(``ocfl.layout.json``), then each object folder is renamed to its 0003 name inside its tuple
folder (one atomic rename each, the folder fsynced), then the 0003 ``config.json`` is written and
``ocfl_layout.json`` replaced (the commit), then the 0004 ``config.json`` is removed. A crash
anywhere leaves a root that the next open converts the rest of: an object folder already renamed
is recognized by its inventory's id. The note stays until the archive has logged the conversion
(``layout_conversion``, ``forget_layout_conversion``). An object whose id cannot be read, or that
is not where 0004 puts its id, stops the conversion before the commit, naming it.

What is an object. One OCFL object per *collection file* (object id ``urn:shiliao:file:<path>``,
see ``file_object_id``), not per source. A JSON-lines file that holds many sources is one original:
its bytes are the evidence and must stay whole, so a source points into it by (object id,
version, logical path, line) rather than being cut out as an object of its own; a PDF with its
sidecar is likewise one file object each. When the file changes, the object gets a new version
and the old bytes stay readable by version, which is the history an investigator asks for ("what
did this file hold on that date"). One object per collection would put every version of every
file into one inventory that is rewritten on each build; one object per digest would lose the
history. A fetched page can be kept the same way (object per URL, one version per capture). OCFL
de-duplicates within an object only: identical bytes under two collection paths are stored twice.

Paths. Logical paths (§3.5.3.1) are the caller's names, normalized to NFC so that the NFC and NFD
spellings of a Chinese file name are one entry; they must obey E052/E053/E095. The content path
(§3.5.2) of a new file is ``vN/content/<logical path>`` when that is safe to create on common file
systems (no control characters, no ``\\ : * ? " < > |``, no segment over 255 bytes or ending in
a dot or space, no reserved Windows names, no clash ignoring case with another new file),
otherwise ``vN/content/<sha512>``; the inventory maps one to the other, so readers never care.
Digests read from an inventory are compared in lower case (the note in §3.4), so an inventory
written by another tool in upper-case hex resolves the same.

Writing a version (``put``). The whole version is built in the staging folder: content files are
copied while their sha512 and sha256 are computed from the bytes read (a digest is never taken
from the caller), fsynced, made read-only; a file whose sha512 is already in the object's manifest
is dropped (dedup within the object, §3.4). If the new state equals the head state nothing is
written. Then the inventory (``digestAlgorithm`` sha512, a ``fixity`` block with sha256 for every
content file, ``created`` in RFC 3339 UTC, ``message``, ``user``) and its sidecar are written to
the version folder and as the new root copies, every file and folder fsynced. The object changes
only by renames, each followed by an fsync of the folder: for a new object the whole object folder
(with any missing tuple folders above it, so no empty folder ever shows, E073) is renamed into the
root in one step; for an existing object ``vN`` is renamed in, then ``inventory.json``, then
``inventory.json.sha512`` last, which commits the version (E062).

Crash safety. A reader takes the root inventory when its sidecar matches it. When it does not (a
crash between the last two renames, or damage) the committed inventory is the version copy whose
digest the root sidecar names, so a reader sees the old version until the sidecar is replaced,
and the new one after; version folders above the committed head are ignored. A staging folder
left by a killed ``put`` marks an interrupted commit: the next ``put`` (or ``recover``) rolls that
object back to its committed version (removes uncommitted version folders, restores the root
inventory from the committed copy) and deletes the staging folder; running the same ``put`` again
then writes the version. The ``fault`` hook is called with a label before every write, fsync and
rename of a commit, so tests can kill the process at each point.

Checking (``verify_object``, ``verify``) re-reads every content file and compares sha512 with the
manifest and sha256 with the fixity block, checks every sidecar, and reports missing, extra and
uncommitted files, each as a ``Problem`` with its OCFL validation code, path and digests. A
content file whose name on disk differs from the inventory's only in Unicode normalization (NFD
where the inventory has NFC: copies through macOS file systems rename files so) is read as that
file, by readers too, and reported as a warning (``Problem.warning``), not as a missing file and
an unknown one. The inventories live beside the bytes, so whoever can edit one can edit the
other: keep the digests outside the store too (the database and the Merkle log do).

POSIX only (``fcntl.flock``, directory fsync).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import unicodedata
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple
from urllib.parse import quote, unquote_to_bytes

from shiliao.errors import DiskFull, IntegrityError, StoreError

__all__ = [
    "LAYOUT_EXTENSION",
    "FileEntry",
    "OcflStore",
    "Problem",
    "StoredFile",
    "Version",
    "file_object_id",
]

LAYOUT_EXTENSION = "0003-hash-and-id-n-tuple-storage-layout"
_LAYOUT_CONFIG = {
    "extensionName": LAYOUT_EXTENSION,
    "digestAlgorithm": "sha256",
    "tupleSize": 3,
    "numberOfTuples": 3,
}
_LAYOUT_DESCRIPTION = (
    "OCFL object identifiers are hashed with sha256 and encoded as lowercase hex; the digest is "
    "split into 3 tuples of 3 characters, which name nested folders, and the identifier, "
    "percent-encoded, names the object root folder below them."
)
# The layout earlier shiliao versions wrote; converted to LAYOUT_EXTENSION on open.
_OLD_LAYOUT = "0004-hashed-n-tuple-storage-layout"
_OLD_LAYOUT_CONFIG = {
    "extensionName": _OLD_LAYOUT,
    "digestAlgorithm": "sha256",
    "tupleSize": 3,
    "numberOfTuples": 3,
    "shortObjectRoot": False,
}
_ID_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
_ENCAPSULATION_MAX = 100
_ROOT_NAMASTE = "0=ocfl_1.1"
_OBJECT_NAMASTE = "0=ocfl_object_1.1"
_INVENTORY_TYPE = "https://ocfl.io/1.1/spec/#inventory"
_INVENTORY = "inventory.json"
_SIDECAR = "inventory.json.sha512"
_CONTENT = "content"
_CHUNK_BYTES = 1 << 20
_VERSION_DIR = re.compile(r"v([1-9][0-9]*)")
_HEX3 = re.compile(r"[0-9a-f]{3}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_ENCAPSULATED = re.compile(r"(?:[A-Za-z0-9_-]|%[0-9a-f]{2})+")
_ENCAPSULATED_LONG = re.compile(r"[A-Za-z0-9_%-]{100}-([0-9a-f]{64})")
_HEX128 = re.compile(r"[0-9a-fA-F]{128}")
# Characters that some file system refuses or treats specially (Windows, SMB shares, exFAT).
_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f\\:*?"<>|]')
_RESERVED_NAMES = {
    "CON", "PRN", "AUX", "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}  # fmt: skip
_DEFAULT_USER = {"name": "shiliao"}

Fault = Callable[[str], None]


def file_object_id(path: str) -> str:
    """The object id of a collection file: ``urn:shiliao:file:`` and its path, percent-encoded.

    Args:
        path: the file's path relative to the collection folder, POSIX separators; normalized
            to NFC here, so both spellings of a Chinese name give one id.

    Returns:
        A URN (RFC 8141; OCFL W005 asks for a URI), e.g.
        ``urn:shiliao:file:sources/%E6%8A%A5%E5%91%8A.pdf`` for ``sources/报告.pdf``.
    """
    return "urn:shiliao:file:" + quote(unicodedata.normalize("NFC", path), safe="/!$&'()*+,;=:@")


@dataclass(frozen=True)
class Version:
    """One version of an object, as its inventory records it (§3.5.3.1).

    Attributes:
        object_id: the object's id.
        number: 1 for ``v1``, 2 for ``v2``...
        created: when the version was written, RFC 3339 (``"2026-01-02T03:04:05Z"``).
        message: why it was written.
        user: ``{"name": ..., "address": ...}`` (``address`` may be absent).
        state: logical path (NFC) -> sha512 (128 lowercase hex) of every file in the version.
        new: True when the ``put`` that returned it wrote it; False when the content equalled
            the head version and nothing was written, and for versions read back.
    """

    object_id: str
    number: int
    created: str
    message: str
    user: Mapping[str, str]
    state: Mapping[str, str]
    new: bool = False

    @property
    def name(self) -> str:
        """The version folder's name, ``"v1"``, ``"v2"``..."""
        return f"v{self.number}"


class StoredFile(NamedTuple):
    """What ``put_file`` stored: the version holding the file and the file's digests.

    Attributes:
        version: the object's head version after the call (``version.new`` says whether the
            call wrote it).
        sha256: digest of the file's bytes, 64 lowercase hex.
        sha512: digest of the file's bytes, 128 lowercase hex.
        size: length in bytes.
    """

    version: Version
    sha256: str
    sha512: str
    size: int


@dataclass(frozen=True)
class FileEntry:
    """One file of one version of an object.

    Attributes:
        logical_path: its name in the version (NFC).
        content_path: where its bytes are, relative to the object root (``v1/content/...``).
        sha512: digest from the manifest, lowercase hex.
        sha256: digest from the fixity block, lowercase hex; None when the inventory has none.
        size: length of the content file in bytes.
    """

    logical_path: str
    content_path: str
    sha512: str
    sha256: str | None
    size: int


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an object or the storage root.

    Attributes:
        object_id: the object's id (its folder's path when the id cannot be read).
        code: the OCFL 1.1 validation code the problem breaks, e.g. ``"E092"`` (content digest
            or missing content file), ``"E093"`` (fixity), ``"E023"`` (extra file), ``"E060"``
            (sidecar does not match its inventory).
        path: the file or folder concerned, relative to the storage root, POSIX separators.
        message: one line naming the path and what is wrong.
        expected: the recorded digest, when the problem is a digest.
        found: the digest of the bytes read now, when the problem is a digest.
        warning: True when the bytes are not in doubt, only how they are named: a content
            file found under another Unicode normalization of its name (NFC in the inventory,
            NFD on disk, or the reverse), whose digests are checked as usual.
    """

    object_id: str
    code: str
    path: str
    message: str
    expected: str | None = None
    found: str | None = None
    warning: bool = False


@dataclass(frozen=True)
class _Inventory:
    """A parsed inventory, digests in lower case."""

    raw: bytes
    id: str
    head: int
    content_directory: str
    manifest: dict[str, list[str]]
    sha256: dict[str, str]
    versions: dict[int, Version] = field(default_factory=dict)

    def state(self, number: int) -> dict[str, str]:
        return dict(self.versions[number].state)


def _sha512_hex(data: bytes) -> str:
    return hashlib.sha512(data).hexdigest()


def _now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _hash_file(path: Path) -> tuple[str, str, int]:
    """``(sha512, sha256, size)`` of a file, read once."""
    sha512, sha256, size = hashlib.sha512(), hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            sha512.update(chunk)
            sha256.update(chunk)
            size += len(chunk)
    return sha512.hexdigest(), sha256.hexdigest(), size


def _normalize_logical(path: str) -> str:
    """NFC form of a logical path; StoreError when OCFL forbids it (E052, E053)."""
    if not isinstance(path, str) or not path:
        raise StoreError(f"logical path must be a non-empty string, not {path!r}")
    nfc = unicodedata.normalize("NFC", path)
    if nfc.startswith("/") or nfc.endswith("/"):
        raise StoreError(f"logical path {path!r} begins or ends with '/' (OCFL E053)")
    if any(part in ("", ".", "..") for part in nfc.split("/")):
        raise StoreError(f"logical path {path!r} has an empty, '.' or '..' element (OCFL E052)")
    if "\x00" in nfc:
        raise StoreError(f"logical path {path!r} contains a NUL character")
    return nfc


def _conflicts(paths: list[str]) -> str | None:
    """A description of the first pair of paths where one is a folder of the other, or None."""
    names = set(paths)
    for path in paths:
        parts = path.split("/")
        for end in range(1, len(parts)):
            prefix = "/".join(parts[:end])
            if prefix in names:
                return f"{prefix!r} is both a file and the folder of {path!r}"
    return None


def _safe_segment(segment: str) -> bool:
    return (
        not _UNSAFE_CHARS.search(segment)
        and len(segment.encode("utf-8")) <= 255
        and not segment.endswith((".", " "))
        and segment.split(".")[0].upper() not in _RESERVED_NAMES
    )


def _version_number(version: int | str | None, inventory: _Inventory) -> int:
    if version is None:
        return inventory.head
    if isinstance(version, str):
        match = _VERSION_DIR.fullmatch(version)
        if not match:
            raise StoreError(f"not a version name: {version!r} (expected 'v1', 'v2'...)")
        version = int(match.group(1))
    if version not in inventory.versions:
        raise StoreError(f"{inventory.id} has no version v{version} (head is v{inventory.head})")
    return version


def _parse_inventory(raw: bytes, where: str) -> _Inventory:
    """Parse an inventory written by shiliao or another OCFL 1.x tool (sha512, unpadded names).

    Raises:
        StoreError: not JSON, not an inventory, or one this reader does not support.
    """
    try:
        data = json.loads(raw.decode("utf-8"))
        object_id = data["id"]
        if data["digestAlgorithm"] != "sha512":
            raise StoreError(
                f"{where}: digestAlgorithm {data['digestAlgorithm']!r} is not supported (sha512)"
            )
        head_match = _VERSION_DIR.fullmatch(data["head"])
        if not head_match:
            raise StoreError(f"{where}: head {data['head']!r} is not an unpadded version name")
        manifest: dict[str, list[str]] = {}
        for digest, paths in data["manifest"].items():
            manifest.setdefault(digest.lower(), []).extend(paths)
        sha256: dict[str, str] = {}
        for digest, paths in data.get("fixity", {}).get("sha256", {}).items():
            for path in paths:
                sha256[path] = digest.lower()
        versions: dict[int, Version] = {}
        for name, block in data["versions"].items():
            match = _VERSION_DIR.fullmatch(name)
            if not match:
                raise StoreError(f"{where}: version {name!r} is not an unpadded version name")
            state = {
                unicodedata.normalize("NFC", path): digest.lower()
                for digest, paths in block["state"].items()
                for path in paths
            }
            versions[int(match.group(1))] = Version(
                object_id=object_id,
                number=int(match.group(1)),
                created=block["created"],
                message=block.get("message", ""),
                user=dict(block.get("user", {})),
                state=state,
            )
    except StoreError:
        raise
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StoreError(f"{where}: not a readable OCFL inventory ({exc!r})") from exc
    head = int(head_match.group(1))
    if sorted(versions) != list(range(1, head + 1)):
        raise StoreError(f"{where}: versions {sorted(versions)} do not run v1..v{head}")
    return _Inventory(
        raw=raw,
        id=object_id,
        head=head,
        content_directory=data.get("contentDirectory", _CONTENT),
        manifest=manifest,
        sha256=sha256,
        versions=versions,
    )


def _read_sidecar(path: Path) -> str | None:
    """The digest a sidecar states (lowercase), or None when it is missing or malformed."""
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    parts = text.split()
    if len(parts) != 2 or parts[1] != _INVENTORY or not _HEX128.fullmatch(parts[0]):
        return None
    return parts[0].lower()


def _locate(obj: Path, content_path: str) -> Path | None:
    """The file that holds a content path: the path itself, or else the one whose name differs
    from it only in Unicode normalization, segment by segment (copies through macOS file
    systems store names in NFD); None when there is neither, or more than one. The path itself
    is returned whatever it is, so that opening a damaged one fails as it is."""
    exact = obj / content_path
    if exact.exists():
        return exact
    found = obj
    for segment in content_path.split("/"):
        if (found / segment).exists():
            found = found / segment
            continue
        wanted = unicodedata.normalize("NFC", segment)
        try:
            same = [c for c in found.iterdir() if unicodedata.normalize("NFC", c.name) == wanted]
        except (FileNotFoundError, NotADirectoryError):
            return None
        if len(same) != 1:
            return None
        found = same[0]
    return found if found.is_file() else None


def _version_dirs(obj: Path) -> dict[int, Path]:
    found = {}
    for child in obj.iterdir():
        match = _VERSION_DIR.fullmatch(child.name)
        if match and child.is_dir():
            found[int(match.group(1))] = child
    return found


def _encapsulation(object_id: str, digest: str) -> str:
    """Extension 0003's object folder name for an id whose sha256 is ``digest``: each UTF-8 byte
    outside ``A-Z a-z 0-9 - _`` as ``%`` and two lower-case hex digits; cut at 100 characters
    and ``-<digest>`` added when longer (``"a/b"`` -> ``"a%2fb"``)."""
    name = "".join(
        chr(byte) if byte in _ID_SAFE else f"%{byte:02x}" for byte in object_id.encode("utf-8")
    )
    if len(name) > _ENCAPSULATION_MAX:
        return f"{name[:_ENCAPSULATION_MAX]}-{digest}"
    return name


def _object_relpath(object_id: str, layout: str) -> str:
    """Where ``layout`` (0003, or the old 0004) puts an object, relative to the storage root."""
    digest = hashlib.sha256(object_id.encode("utf-8")).hexdigest()
    name = digest if layout == _OLD_LAYOUT else _encapsulation(object_id, digest)
    return f"{digest[0:3]}/{digest[3:6]}/{digest[6:9]}/{name}"


def _folder_digest(name: str, layout: str) -> str | None:
    """The sha256 of the id an object folder's name stands for under ``layout``, or None when
    no id gives that name (the part of 0003's that can be read back: the digest a long name
    ends with, or the id a short one encodes)."""
    if layout == _OLD_LAYOUT:
        return name if _HEX64.fullmatch(name) else None
    if len(name) > _ENCAPSULATION_MAX:
        # The cut may fall inside a %xx, so only the characters are checked.
        match = _ENCAPSULATED_LONG.fullmatch(name)
        return match.group(1) if match else None
    if not _ENCAPSULATED.fullmatch(name):
        return None
    return hashlib.sha256(unquote_to_bytes(name)).hexdigest()


class OcflStore:
    """An OCFL 1.1 storage root on the local file system (layout extension 0003).

    Args:
        root: the storage root folder (``ARCHIVE/objects``); made an empty storage root when
            missing or empty.
        staging: where versions are built, on the same file system as ``root`` and outside it;
            default ``root.parent / ".staging" / "ocfl"``.
        user: the default ``user`` of new versions, ``{"name": ..., "address": ...}``
            (``address`` a ``mailto:`` or https URI, OCFL W008/W009).
        fault: called with a label (``"write:..."``, ``"fsync:..."``, ``"rename:..."``) before
            every write, fsync and rename of a commit and of a layout conversion; for crash
            tests. Labels name the file or folder concerned (an input's logical path, or a path
            in the object); they are stable enough for tests to enumerate, not an interface.
        convert: convert a root in the old layout (0004) to 0003 now (see the module
            docstring); False opens it as it is, for checks that must change nothing, and
            without waiting for a writer's commit in progress.

    Attributes:
        layout: the layout extension the root uses now: ``LAYOUT_EXTENSION``, or
            ``"0004-hashed-n-tuple-storage-layout"`` for an old root opened with ``convert``
            False.

    Raises:
        StoreError: ``root`` is a non-empty folder that is not an OCFL 1.1 storage root, uses
            another layout, or cannot be created; ``staging`` is on another file system; an
            old root cannot be converted (an object's id unreadable, or an object not where
            0004 puts it: nothing was committed, and the message names the object).
    """

    def __init__(
        self,
        root: Path,
        *,
        staging: Path | None = None,
        user: Mapping[str, str] | None = None,
        fault: Fault | None = None,
        convert: bool = True,
    ) -> None:
        self.root = Path(root)
        self.staging = Path(staging) if staging else self.root.parent / ".staging" / "ocfl"
        self.user = dict(user or _DEFAULT_USER)
        self.layout = LAYOUT_EXTENSION
        self._fault = fault or (lambda label: None)
        self._conversion_note = self.staging.with_name(self.staging.name + ".layout.json")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self.staging.mkdir(parents=True, exist_ok=True)
            if os.stat(self.root).st_dev != os.stat(self.staging).st_dev:
                raise StoreError(
                    f"staging folder {self.staging} is not on the file system of {self.root}"
                )
            if convert or not (self.root / _ROOT_NAMASTE).exists():
                with self._lock():
                    self._init_root(convert)
            else:
                # Only read: a reader does not wait for a commit in progress (its layout files
                # are replaced whole, never written in place).
                self._init_root(convert)
        except OSError as exc:
            raise StoreError(f"cannot open the OCFL storage root {self.root}: {exc}") from exc

    # Storage root ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Hold the store's writer lock (an flock on ``<staging>.lock``) for the block."""
        with open(self.staging.with_name(self.staging.name + ".lock"), "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _init_root(self, convert: bool) -> None:
        layout_path = self.root / "ocfl_layout.json"
        namaste = self.root / _ROOT_NAMASTE
        if namaste.exists():
            try:
                name = json.loads(layout_path.read_text(encoding="utf-8")).get("extension")
                config = {}
                if name in (LAYOUT_EXTENSION, _OLD_LAYOUT):
                    config_path = self.root / "extensions" / name / "config.json"
                    config = json.loads(config_path.read_text(encoding="utf-8"))
            except (OSError, ValueError, AttributeError) as exc:
                raise StoreError(f"{self.root}: unreadable storage layout: {exc}") from exc
            expected = _OLD_LAYOUT_CONFIG if name == _OLD_LAYOUT else _LAYOUT_CONFIG
            if (
                name not in (LAYOUT_EXTENSION, _OLD_LAYOUT)
                or not isinstance(config, dict)
                or any(config.get(key, value) != value for key, value in expected.items())
            ):
                raise StoreError(
                    f"{self.root}: the storage root uses another layout ({name} {config}); "
                    f"shiliao writes only {LAYOUT_EXTENSION} with {_LAYOUT_CONFIG}"
                )
            if name == _OLD_LAYOUT and not convert:
                self.layout = _OLD_LAYOUT
            elif name == _OLD_LAYOUT:
                self._convert_layout()
            else:
                # A conversion killed after its commit left the old configuration behind.
                old = self.root / "extensions" / _OLD_LAYOUT
                if old.exists() and convert:
                    shutil.rmtree(old)
                    _fsync_dir(old.parent)
            return
        others = {p.name for p in self.root.iterdir()} - {"ocfl_layout.json", "extensions"}
        if others:
            raise StoreError(
                f"{self.root} is not an OCFL storage root and not empty ({sorted(others)[:3]}); "
                "move those files away or choose another folder"
            )
        self._write_layout()
        # The declaration is written last: a root interrupted before it is set up again.
        self._atomic_write(namaste, b"ocfl_1.1\n")

    def _write_layout(self) -> None:
        """Write extension 0003's ``config.json``, then ``ocfl_layout.json`` naming it."""
        config_path = self.root / "extensions" / LAYOUT_EXTENSION / "config.json"
        config_path.parent.mkdir(parents=True, exist_ok=True)
        self._atomic_write(config_path, json.dumps(_LAYOUT_CONFIG, indent=2).encode() + b"\n")
        layout = {"extension": LAYOUT_EXTENSION, "description": _LAYOUT_DESCRIPTION}
        self._atomic_write(
            self.root / "ocfl_layout.json", json.dumps(layout, indent=2).encode() + b"\n"
        )

    def _convert_layout(self) -> None:
        """Move every object of a 0004 root to its 0003 folder, then commit the new layout
        (see the module docstring); the caller holds the writer lock."""
        if not self._conversion_note.exists():
            note = {"from": _OLD_LAYOUT, "to": LAYOUT_EXTENSION, "started": _now_rfc3339()}
            self._fault("write:layout note")
            self._atomic_write(self._conversion_note, json.dumps(note).encode() + b"\n")
        objects = 0
        for tuples in self._tuple_dirs():
            for child in sorted(p for p in tuples.iterdir() if p.is_dir()):
                object_id = self._object_id_of(child)
                relative = child.relative_to(self.root).as_posix()
                old_place = _object_relpath(object_id, _OLD_LAYOUT)
                target = self.root / _object_relpath(object_id, LAYOUT_EXTENSION)
                if child != target and relative != old_place:
                    raise StoreError(
                        f"{self.root}: cannot convert the storage layout: {relative} holds "
                        f"{object_id!r}, whose place is {old_place} ({_OLD_LAYOUT}); "
                        "run `shiliao verify`"
                    )
                if child != target:
                    self._fault(f"rename:{relative}")
                    os.rename(child, target)
                    self._fault(f"fsync:{relative} (tuple folder)")
                    _fsync_dir(tuples)
                objects += 1
        note = json.loads(self._conversion_note.read_text(encoding="utf-8"))
        note.update(objects=objects, finished=_now_rfc3339())
        self._atomic_write(self._conversion_note, json.dumps(note).encode() + b"\n")
        self._fault("write:ocfl_layout.json")
        self._write_layout()
        old = self.root / "extensions" / _OLD_LAYOUT
        self._fault(f"remove:extensions/{_OLD_LAYOUT}")
        shutil.rmtree(old)
        _fsync_dir(old.parent)

    def _object_id_of(self, folder: Path) -> str:
        """The id an object folder's inventories give, read without trusting the folder's name.

        Raises:
            StoreError: no inventory of the folder can be read (the message names it).
        """
        versions = _version_dirs(folder)
        candidates = [folder / _INVENTORY]
        candidates += [versions[n] / _INVENTORY for n in sorted(versions, reverse=True)]
        for candidate in candidates:
            try:
                object_id = json.loads(candidate.read_bytes().decode("utf-8"))["id"]
            except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
                continue
            if isinstance(object_id, str) and object_id:
                return object_id
        raise StoreError(
            f"{self.root}: cannot convert the storage layout: no readable inventory in "
            f"{folder.relative_to(self.root).as_posix()}; run `shiliao verify`"
        )

    def layout_conversion(self) -> dict[str, Any] | None:
        """The conversion of this root from the old layout, until it is forgotten.

        Returns:
            ``{"from": "0004-hashed-n-tuple-storage-layout", "to": LAYOUT_EXTENSION,
            "started": RFC 3339 UTC, "objects": objects in the root, "finished": RFC 3339
            UTC}`` (the last two once the conversion is committed), or None when no conversion
            waits to be logged.
        """
        try:
            return json.loads(self._conversion_note.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def forget_layout_conversion(self) -> None:
        """Delete the note of a committed conversion, once the archive has logged it."""
        with self._lock():
            if self.layout == LAYOUT_EXTENSION:
                self._conversion_note.unlink(missing_ok=True)

    def _atomic_write(self, target: Path, data: bytes) -> None:
        """Write a file outside any object: temporary file in the staging folder, fsync,
        rename, fsync of the target's folder."""
        temp = self.staging / f".tmp-{uuid.uuid4().hex}"
        with temp.open("xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
        _fsync_dir(target.parent)

    def object_path(self, object_id: str) -> Path:
        """The object root folder of an id (it may not exist): extension 0003's procedure
        (0004's for an old root opened without converting)."""
        return self.root / _object_relpath(object_id, self.layout)

    # Reading -----------------------------------------------------------------------------

    def _committed(self, obj: Path) -> _Inventory | None:
        """The committed inventory of an object folder, or None when there is no object.

        The root inventory when its sidecar matches it; otherwise the version copy whose digest
        the root sidecar states (a commit interrupted between its last two renames).

        Raises:
            IntegrityError: no inventory matches the root sidecar.
            StoreError: the inventory cannot be parsed.
        """
        inventory_path = obj / _INVENTORY
        try:
            raw = inventory_path.read_bytes()
        except FileNotFoundError:
            if obj.exists():
                raise StoreError(f"{obj}: object has no inventory.json (OCFL E063)") from None
            return None
        expected = _read_sidecar(obj / _SIDECAR)
        found = _sha512_hex(raw)
        if expected == found:
            return _parse_inventory(raw, str(inventory_path))
        if expected is not None:
            for number, folder in sorted(_version_dirs(obj).items(), reverse=True):
                copy = folder / _INVENTORY
                if copy.is_file() and _sha512_hex(data := copy.read_bytes()) == expected:
                    inventory = _parse_inventory(data, str(copy))
                    if inventory.head == number:
                        return inventory
        raise IntegrityError(str(inventory_path), "sha512", expected or "(no sidecar)", found)

    def _inventory(self, object_id: str) -> _Inventory:
        inventory = self._committed(self.object_path(object_id))
        if inventory is None:
            raise StoreError(f"no object {object_id!r} in {self.root}")
        if inventory.id != object_id:
            raise StoreError(
                f"{self.object_path(object_id)} holds {inventory.id!r}, not {object_id!r}"
            )
        return inventory

    def head(self, object_id: str) -> Version | None:
        """The committed head version of an object, or None when the object does not exist.

        Raises:
            IntegrityError: the inventory does not match its sidecar, and no version copy does.
            StoreError: the inventory cannot be read.
        """
        if not self.object_path(object_id).exists():
            return None
        inventory = self._inventory(object_id)
        return inventory.versions[inventory.head]

    def versions(self, object_id: str) -> list[Version]:
        """Every committed version of an object, ``v1`` first.

        Raises:
            StoreError: there is no such object, or its inventory cannot be read.
        """
        inventory = self._inventory(object_id)
        return [inventory.versions[n] for n in sorted(inventory.versions)]

    def files(self, object_id: str, version: int | str | None = None) -> dict[str, FileEntry]:
        """The files of one version (the head when ``version`` is None), by logical path.

        Args:
            object_id: the object.
            version: ``2`` or ``"v2"``; None for the head.

        Raises:
            StoreError: no such object or version, or a content file is missing.
        """
        inventory = self._inventory(object_id)
        obj = self.object_path(object_id)
        entries = {}
        for logical, sha512 in inventory.state(_version_number(version, inventory)).items():
            paths = inventory.manifest.get(sha512)
            if not paths:
                raise StoreError(f"{object_id}: {logical!r} has no manifest entry (OCFL E050)")
            found = _locate(obj, paths[0])
            if found is None:
                raise StoreError(f"{obj / paths[0]}: content file missing")
            size = found.stat().st_size
            entries[logical] = FileEntry(
                logical, paths[0], sha512, inventory.sha256.get(paths[0]), size
            )
        return entries

    def _entry(self, object_id: str, logical_path: str, version: int | str | None) -> FileEntry:
        entries = self.files(object_id, version)
        logical = unicodedata.normalize("NFC", logical_path)
        if logical not in entries:
            raise StoreError(f"{object_id} has no file {logical_path!r} in that version")
        return entries[logical]

    def open(self, object_id: str, logical_path: str, version: int | str | None = None) -> BinaryIO:
        """Open one file of one version for reading (binary).

        Args:
            object_id: the object.
            logical_path: the file's name in the version; NFC and NFD spellings are the same.
            version: ``2`` or ``"v2"``; None for the head.

        Raises:
            StoreError: no such object, version or file.
        """
        entry = self._entry(object_id, logical_path, version)
        return self._content_file(object_id, entry).open("rb")

    def digest(
        self,
        object_id: str,
        logical_path: str,
        version: int | str | None = None,
        algorithm: str = "sha256",
    ) -> str:
        """A file's digest as the inventory records it, lowercase hex.

        Args:
            algorithm: ``"sha512"`` (the manifest) or ``"sha256"`` (the fixity block; computed
                from the stored bytes when the inventory has none).

        Raises:
            StoreError: no such object, version or file.
            ValueError: another algorithm.
        """
        entry = self._entry(object_id, logical_path, version)
        if algorithm == "sha512":
            return entry.sha512
        if algorithm != "sha256":
            raise ValueError(f"algorithm must be 'sha256' or 'sha512', not {algorithm!r}")
        if entry.sha256 is not None:
            return entry.sha256
        return _hash_file(self._content_file(object_id, entry))[1]

    def _content_file(self, object_id: str, entry: FileEntry) -> Path:
        found = _locate(self.object_path(object_id), entry.content_path)
        if found is None:
            raise StoreError(
                f"{self.object_path(object_id) / entry.content_path}: content file missing"
            )
        return found

    def iter_objects(self) -> Iterator[str]:
        """Yield the id of every object in the root, in folder order.

        An object whose inventories cannot be read at all is skipped here; ``verify`` reports it.
        """
        for obj in self._object_dirs():
            try:
                inventory = self._committed(obj)
            except StoreError:
                continue
            if inventory is not None:
                yield inventory.id

    def _tuple_dirs(self) -> Iterator[Path]:
        """The folders ``abc/def/ghi`` that hold object folders, in order."""
        for first in sorted(p for p in self.root.iterdir() if _HEX3.fullmatch(p.name)):
            for second in sorted(p for p in first.iterdir() if _HEX3.fullmatch(p.name)):
                yield from sorted(p for p in second.iterdir() if _HEX3.fullmatch(p.name))

    def _object_dirs(self) -> Iterator[Path]:
        for tuples in self._tuple_dirs():
            yield from sorted(
                p
                for p in tuples.iterdir()
                if p.is_dir() and _folder_digest(p.name, self.layout) is not None
            )

    # Writing -----------------------------------------------------------------------------

    def put(
        self,
        object_id: str,
        files: Mapping[str, Path],
        message: str,
        user: Mapping[str, str] | None = None,
    ) -> Version:
        """Make ``files`` the new state of an object, as a new version unless nothing changed.

        Args:
            object_id: the object's id (any non-empty string; a URI is recommended).
            files: logical path -> file to copy in. The logical paths are normalized to NFC and
                must obey OCFL's rules (no ``.``/``..``/empty element, no leading or trailing
                ``/``, no path that is also a folder of another).
            message: why (OCFL ``message``).
            user: ``{"name": ..., "address": ...}``; the store's default when None.

        Returns:
            The head version after the call: the new version (``new`` True), or the unchanged
            head when the files equal it (``new`` False, nothing written).

        Raises:
            StoreError: bad logical paths (two names with one NFC form included), an unreadable
                file, a failed write or fsync (the object stays at its previous version).
            DiskFull: the storage root's disk is full (the object stays at its previous
                version; the message gives the bytes of the files being stored).
            IntegrityError: the object's inventory is damaged.
        """
        if not object_id:
            raise StoreError("an object id must not be empty")
        normalized: dict[str, Path] = {}
        for logical, path in files.items():
            nfc = _normalize_logical(logical)
            if nfc in normalized:
                raise StoreError(f"{logical!r} and another name are the same in NFC ({nfc!r})")
            normalized[nfc] = Path(path)
        if problem := _conflicts(list(normalized)):
            raise StoreError(f"logical paths conflict: {problem} (OCFL E095)")
        return self._put(object_id, normalized, False, message, user)[0]

    def put_file(
        self,
        object_id: str,
        path: Path,
        logical_path: str,
        *,
        message: str | None = None,
        user: Mapping[str, str] | None = None,
    ) -> StoredFile:
        """Store one file under ``logical_path`` in an object; its other files are kept.

        Args:
            object_id: the object (for a collection file, ``file_object_id(path)``).
            path: the file to copy in.
            logical_path: its name in the object (normalized to NFC).
            message: the version's message; ``"store <logical path>"`` when None.
            user: as for ``put``.

        Returns:
            ``(version, sha256, sha512, size)``; ``version.new`` is False when the object
            already held these bytes under that name.

        Raises:
            StoreError, IntegrityError: as for ``put``.
        """
        logical = _normalize_logical(logical_path)
        if not object_id:
            raise StoreError("an object id must not be empty")
        version, digests = self._put(
            object_id, {logical: Path(path)}, True, message or f"store {logical}", user
        )
        sha512, sha256, size = digests[logical]
        return StoredFile(version, sha256, sha512, size)

    def _put(
        self,
        object_id: str,
        files: dict[str, Path],
        keep_others: bool,
        message: str,
        user: Mapping[str, str] | None,
    ) -> tuple[Version, dict[str, tuple[str, str, int]]]:
        """Commit a version under the writer lock; return it with ``(sha512, sha256, size)``
        of every file copied in. ``keep_others``: files of the head not named stay."""
        user = dict(user or self.user)
        if not isinstance(user.get("name"), str) or not user["name"]:
            raise StoreError("a version's user needs a 'name' (OCFL E054)")
        obj = self.object_path(object_id)
        try:
            with self._lock():
                self._recover_all()
                current = self._committed(obj)
                if current is not None and current.id != object_id:
                    raise StoreError(f"{obj} holds {current.id!r}, not {object_id!r}")
                keep = {}
                if keep_others and current is not None:
                    keep = {k: v for k, v in current.state(current.head).items() if k not in files}
                    if problem := _conflicts([*files, *keep]):
                        raise StoreError(f"logical paths conflict: {problem} (OCFL E095)")
                digest = hashlib.sha256(object_id.encode("utf-8")).hexdigest()
                entry = self.staging / f"{digest}.{uuid.uuid4().hex}"
                entry.mkdir()
                try:
                    result = self._commit(
                        entry, obj, object_id, current, files, keep, message, user
                    )
                except BaseException:
                    # Roll back what reached the object; a failure here leaves the staging
                    # folder for the next put, and the original error is the one raised.
                    with contextlib.suppress(OSError, StoreError):
                        self._recover_entry(entry)
                    raise
                self._fault("remove:staging")
                shutil.rmtree(entry)
                return result
        except OSError as exc:
            if DiskFull.cause_of(exc):
                size = sum(p.stat().st_size for p in files.values() if p.is_file())
                raise DiskFull(str(self.root), f"a version of {object_id}", size) from exc
            raise StoreError(f"cannot store {object_id} in {self.root}: {exc}") from exc

    def _commit(
        self,
        entry: Path,
        obj: Path,
        object_id: str,
        current: _Inventory | None,
        files: dict[str, Path],
        keep: dict[str, str],
        message: str,
        user: dict[str, str],
    ) -> tuple[Version, dict[str, tuple[str, str, int]]]:
        number = 1 if current is None else current.head + 1
        vname = f"v{number}"
        if current is None:
            # A new object is built with every folder the root lacks above it, so that one
            # rename makes it appear whole.
            missing = [obj]
            while not missing[-1].parent.exists():
                missing.append(missing[-1].parent)
            top = missing[-1]
            built = entry / obj.relative_to(top.parent)
        else:
            top = None
            built = entry
        content_dir = current.content_directory if current else _CONTENT
        new_content = built / vname / content_dir
        new_content.mkdir(parents=True)
        manifest = {k: list(v) for k, v in (current.manifest if current else {}).items()}
        sha256s = dict(current.sha256 if current else {})
        state = dict(keep)
        digests: dict[str, tuple[str, str, int]] = {}
        claimed: list[str] = []
        incoming = entry / ".incoming"
        incoming.mkdir()
        for index, (logical, source) in enumerate(sorted(files.items())):
            staged = incoming / str(index)
            sha512, sha256, size = self._copy_in(source, staged, logical)
            digests[logical] = (sha512, sha256, size)
            state[logical] = sha512
            if sha512 in manifest:
                staged.unlink()
                continue
            relative = self._content_relpath(logical, sha512, claimed)
            claimed.append(relative)
            target = new_content / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            self._fault(f"rename:{vname}/{content_dir}/{relative}")
            os.rename(staged, target)
            content_path = f"{vname}/{content_dir}/{relative}"
            manifest[sha512] = [content_path]
            sha256s[content_path] = sha256
        if current is not None and state == current.state(current.head):
            return current.versions[current.head], digests
        if not claimed:
            # E016/W003: no content folder for a version that adds no bytes.
            shutil.rmtree(built / vname / content_dir)
        created = _now_rfc3339()
        inventory = self._inventory_json(
            object_id, current, number, manifest, sha256s, state, created, message, user
        )
        sidecar = f"{_sha512_hex(inventory)} {_INVENTORY}\n".encode()
        self._write(built / vname / _INVENTORY, inventory, f"{vname}/{_INVENTORY}")
        self._write(built / vname / _SIDECAR, sidecar, f"{vname}/{_SIDECAR}")
        if current is None:
            self._write(built / _OBJECT_NAMASTE, b"ocfl_object_1.1\n", _OBJECT_NAMASTE)
        self._write(built / _INVENTORY, inventory, _INVENTORY)
        self._write(built / _SIDECAR, sidecar, _SIDECAR)
        self._fsync_tree(entry)
        if current is None:
            assert top is not None
            self._fault(f"rename:{top.relative_to(self.root).as_posix()}")
            os.rename(entry / top.name, top)
            self._fault(f"fsync:{top.parent.relative_to(self.root).as_posix() or '.'}/")
            _fsync_dir(top.parent)
        else:
            for name in (vname, _INVENTORY, _SIDECAR):
                self._fault(f"rename:{name}")
                os.rename(built / name, obj / name)
                self._fault(f"fsync:{name} (object folder)")
                _fsync_dir(obj)
        return Version(object_id, number, created, message, user, state, new=True), digests

    def _inventory_json(
        self,
        object_id: str,
        current: _Inventory | None,
        number: int,
        manifest: dict[str, list[str]],
        sha256s: dict[str, str],
        state: dict[str, str],
        created: str,
        message: str,
        user: dict[str, str],
    ) -> bytes:
        versions: dict[str, Any] = {}
        for old in current.versions.values() if current else ():
            versions[old.name] = self._version_json(old.state, old.created, old.message, old.user)
        versions[f"v{number}"] = self._version_json(state, created, message, user)
        fixity: dict[str, list[str]] = {}
        for path, digest in sha256s.items():
            fixity.setdefault(digest, []).append(path)
        data = {
            "id": object_id,
            "type": _INVENTORY_TYPE,
            "digestAlgorithm": "sha512",
            "head": f"v{number}",
            "manifest": {k: sorted(v) for k, v in manifest.items()},
            "versions": versions,
            "fixity": {"sha256": {k: sorted(v) for k, v in fixity.items()}},
        }
        if current and current.content_directory != _CONTENT:
            data["contentDirectory"] = current.content_directory
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode() + b"\n"

    @staticmethod
    def _version_json(
        state: Mapping[str, str], created: str, message: str, user: Mapping[str, str]
    ) -> dict[str, Any]:
        by_digest: dict[str, list[str]] = {}
        for logical, digest in state.items():
            by_digest.setdefault(digest, []).append(logical)
        return {
            "created": created,
            "message": message,
            "user": dict(user),
            "state": {k: sorted(v) for k, v in by_digest.items()},
        }

    @staticmethod
    def _content_relpath(logical: str, sha512: str, claimed: list[str]) -> str:
        """The content path (below ``vN/content/``) for a new file: its logical path when safe
        and free (ignoring case, for case-insensitive file systems), else its digest."""
        folded = [path.casefold() for path in claimed]
        candidate = logical.casefold()
        if (
            all(_safe_segment(part) for part in logical.split("/"))
            and candidate not in folded
            and not _conflicts([candidate, *folded])
        ):
            return logical
        if sha512 in folded or _conflicts([sha512, *folded]):
            raise StoreError(f"no free content path for {logical!r} (OCFL E101)")
        return sha512

    def _copy_in(self, source: Path, target: Path, label: str) -> tuple[str, str, int]:
        """Copy a file into staging, hashing the bytes as they are read; fsync; read-only."""
        sha512, sha256, size = hashlib.sha512(), hashlib.sha256(), 0
        self._fault(f"write:{label}")
        with source.open("rb") as reader, target.open("xb") as writer:
            while chunk := reader.read(_CHUNK_BYTES):
                sha512.update(chunk)
                sha256.update(chunk)
                size += len(chunk)
                writer.write(chunk)
            writer.flush()
            self._fault(f"fsync:{label}")
            os.fsync(writer.fileno())
        os.chmod(target, 0o444)
        return sha512.hexdigest(), sha256.hexdigest(), size

    def _write(self, target: Path, data: bytes, label: str) -> None:
        self._fault(f"write:{label}")
        with target.open("xb") as handle:
            handle.write(data)
            handle.flush()
            self._fault(f"fsync:{label}")
            os.fsync(handle.fileno())
        os.chmod(target, 0o444)

    def _fsync_tree(self, top: Path) -> None:
        """fsync every folder under ``top``, deepest first, so renamed trees are durable."""
        folders = [Path(dirpath) for dirpath, _, _ in os.walk(top)]
        for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            self._fault(f"fsync:{folder.relative_to(top).as_posix()}/ (staging)")
            _fsync_dir(folder)

    # Recovery ----------------------------------------------------------------------------

    def recover(self) -> list[str]:
        """Finish what killed ``put`` calls left: roll each interrupted object back to its
        committed version and delete the staging folders. ``put`` does this itself first.

        Returns:
            The ids of the objects rolled back (objects that were being created and never
            committed are not listed: they do not exist).

        Raises:
            StoreError: a staging folder or an object cannot be repaired.
            IntegrityError: an interrupted object's inventory is damaged.
        """
        try:
            with self._lock():
                return self._recover_all()
        except OSError as exc:
            raise StoreError(f"cannot recover {self.root}: {exc}") from exc

    def _recover_all(self) -> list[str]:
        recovered = []
        for entry in sorted(self.staging.iterdir()):
            object_id = self._recover_entry(entry)
            if object_id is not None:
                recovered.append(object_id)
        return recovered

    def _recover_entry(self, entry: Path) -> str | None:
        """Roll back the object a staging entry belongs to, then delete the entry."""
        digest = entry.name.split(".")[0]
        object_id = None
        if entry.is_dir() and _HEX64.fullmatch(digest):
            # The staging folder is named by the sha256 of the id; the object is the folder of
            # the tuple folder whose name stands for that digest.
            tuples = self.root / digest[0:3] / digest[3:6] / digest[6:9]
            for obj in sorted(tuples.iterdir()) if tuples.is_dir() else []:
                if _folder_digest(obj.name, self.layout) == digest:
                    object_id = self._rollback(obj)
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink(missing_ok=True)
        return object_id

    def _rollback(self, obj: Path) -> str | None:
        """Bring an object back to its committed version; return its id (None if absent)."""
        committed = self._committed(obj)
        if committed is None:
            return None
        for number, folder in _version_dirs(obj).items():
            if number > committed.head:
                # Renamed into the staging folder first so the object never shows half of it.
                trash = self.staging / f".trash-{uuid.uuid4().hex}"
                os.rename(folder, trash)
                _fsync_dir(obj)
                shutil.rmtree(trash)
        if (obj / _INVENTORY).read_bytes() != committed.raw:
            self._atomic_write(obj / _INVENTORY, committed.raw)
            os.chmod(obj / _INVENTORY, 0o444)
        return committed.id

    # Checking ----------------------------------------------------------------------------

    def verify_object(self, object_id: str) -> list[Problem]:
        """Check one object completely: declaration, every inventory and sidecar, every
        content file's sha512 and sha256, and files missing from or unknown to the manifest.

        Returns:
            Every problem found (empty when the object is sound), in a stable order.
        """
        obj = self.object_path(object_id)
        if not obj.is_dir():
            return [self._problem(object_id, "E063", obj, "no such object")]
        return self._verify_dir(obj, object_id)

    def verify(self) -> list[Problem]:
        """Check the storage root (declaration, layout, stray files) and every object in it.

        Returns:
            Every problem found; empty when the whole root is sound.
        """
        problems = []
        namaste = self.root / _ROOT_NAMASTE
        if not namaste.is_file() or namaste.read_bytes() != b"ocfl_1.1\n":
            problems.append(
                self._problem("", "E069", namaste, "storage root declaration missing or wrong")
            )
        for child in sorted(self.root.iterdir()):
            if child.is_dir() and child.name != "extensions" and not _HEX3.fullmatch(child.name):
                problems.append(
                    self._problem("", "E088", child, "unexpected folder in the storage root")
                )
        for level in (1, 2, 3):
            for folder in sorted(self.root.glob("/".join(["[0-9a-f]" * 3] * level))):
                for child in sorted(folder.iterdir()):
                    if level == 3:
                        named = _folder_digest(child.name, self.layout) is not None
                    else:
                        named = _HEX3.fullmatch(child.name) is not None
                    if not (child.is_dir() and named):
                        problems.append(
                            self._problem("", "E084", child, "file or folder outside the layout")
                        )
                if not any(folder.iterdir()):
                    problems.append(self._problem("", "E073", folder, "empty folder"))
        for obj in self._object_dirs():
            problems.extend(self._verify_dir(obj, None))
        return problems

    def _problem(
        self,
        object_id: str,
        code: str,
        path: Path,
        what: str,
        expected: str | None = None,
        found: str | None = None,
    ) -> Problem:
        relative = path.relative_to(self.root).as_posix() if path != self.root else "."
        message = f"{relative}: {what}"
        if expected is not None or found is not None:
            message += f" (expected {expected}, found {found})"
        return Problem(object_id, code, relative, message, expected, found)

    def _verify_dir(self, obj: Path, object_id: str | None) -> list[Problem]:
        name = object_id or obj.relative_to(self.root).as_posix()
        problems: list[Problem] = []

        def report(
            code: str, path: Path, what: str, expected: str | None = None, found: str | None = None
        ) -> None:
            problems.append(self._problem(name, code, path, what, expected, found))

        namaste = obj / _OBJECT_NAMASTE
        if not namaste.is_file() or namaste.read_bytes() != b"ocfl_object_1.1\n":
            report("E003", namaste, "object declaration missing or wrong")
        inventory_path = obj / _INVENTORY
        if not inventory_path.is_file():
            report("E063", inventory_path, "root inventory missing")
            return problems
        raw = inventory_path.read_bytes()
        expected = _read_sidecar(obj / _SIDECAR)
        if expected is None:
            report("E058", obj / _SIDECAR, "sidecar missing or malformed")
        elif expected != _sha512_hex(raw):
            report(
                "E060",
                obj / _SIDECAR,
                "sidecar does not match inventory.json (edited or torn)",
                expected,
                _sha512_hex(raw),
            )
        try:
            inventory = self._committed(obj)
        except StoreError:
            try:
                inventory = _parse_inventory(raw, str(inventory_path))
            except StoreError as exc:
                report("E033", inventory_path, f"inventory unreadable: {exc}")
                return problems
        assert inventory is not None
        if obj != self.object_path(inventory.id):
            report("E083", obj, f"object {inventory.id!r} is not where the layout puts it")
        name = inventory.id
        versions = _version_dirs(obj)
        allowed = {_OBJECT_NAMASTE, _INVENTORY, _SIDECAR, "logs", "extensions"}
        for child in sorted(obj.iterdir()):
            match = _VERSION_DIR.fullmatch(child.name)
            if match and int(match.group(1)) > inventory.head:
                report(
                    "E001", child, "uncommitted version folder (an interrupted put: run recover)"
                )
            elif not match and child.name not in allowed:
                report("E001", child, "unexpected file or folder in the object root")
        for number in range(1, inventory.head + 1):
            folder = versions.get(number)
            if folder is None:
                report("E010", obj / f"v{number}", "version folder missing")
                continue
            copy = folder / _INVENTORY
            copy_digest = _read_sidecar(folder / _SIDECAR)
            if not copy.is_file():
                report("W010", copy, "version inventory missing")
            elif copy_digest is None:
                report("E058", folder / _SIDECAR, "sidecar missing or malformed")
            elif copy_digest != _sha512_hex(copy.read_bytes()):
                report(
                    "E060",
                    folder / _SIDECAR,
                    "sidecar does not match the version inventory",
                    copy_digest,
                    _sha512_hex(copy.read_bytes()),
                )
            if number == inventory.head and copy.is_file() and copy.read_bytes() != inventory.raw:
                report("E064", copy, "head version inventory differs from the committed inventory")
            for child in sorted(folder.iterdir()):
                if child.name not in (_INVENTORY, _SIDECAR, inventory.content_directory):
                    report("E015", child, "unexpected file in a version folder")
        listed: set[str] = set()
        for sha512, paths in sorted(inventory.manifest.items()):
            for content_path in paths:
                listed.add(content_path)
                path = obj / content_path
                found = _locate(obj, content_path)
                if found is None or not found.is_file():
                    report("E092", path, "content file missing", sha512, None)
                    continue
                if found != path:
                    listed.add(found.relative_to(obj).as_posix())
                    problems.append(
                        replace(
                            self._problem(
                                name,
                                "E092",
                                path,
                                "on disk under another Unicode normalization of its name "
                                "(NFC and NFD differ; a copy through macOS renames files so): "
                                "its bytes are checked all the same, but OCFL validators "
                                f"report it missing until {found.name!r} is renamed back",
                            ),
                            warning=True,
                        )
                    )
                path = found
                found512, found256, _ = _hash_file(path)
                if found512 != sha512:
                    report("E092", path, "sha512 does not match the manifest", sha512, found512)
                recorded256 = inventory.sha256.get(content_path)
                if recorded256 is not None and recorded256 != found256:
                    report(
                        "E093",
                        path,
                        "sha256 does not match the fixity block",
                        recorded256,
                        found256,
                    )
        for number, folder in sorted(versions.items()):
            content = folder / inventory.content_directory
            if number > inventory.head or not content.is_dir():
                continue
            for dirpath, _, filenames in os.walk(content):
                for filename in sorted(filenames):
                    path = Path(dirpath) / filename
                    if path.relative_to(obj).as_posix() not in listed:
                        report("E023", path, "file not in the manifest", None, _hash_file(path)[0])
        return problems
