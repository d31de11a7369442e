"""Originals kept by SHA-256 digest, never modified.

Layout under the archive: ``objects/sha256/ab/cd/<64 hex>``, fanned out by the first two byte
pairs (as servicelayer's ``path_prefix`` does) so no directory grows too large. A write goes to
a temporary file in the same directory, is fsynced, renamed into place and the directory is
fsynced, so a crash leaves either no file or the whole file; the digest is computed here from
the bytes written, never taken from the caller. Stored files are made read-only.

A later backend (an OCFL 1.1 storage root) replaces this class behind the same ``BlobStore``
protocol; callers only see ``put_file``, ``open``, ``exists``, ``iter_digests`` and ``verify``.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from shiliao.errors import BlobNotFound, IntegrityError, StoreError

__all__ = ["BlobStore", "FsBlobStore"]

_CHUNK_BYTES = 1 << 20
_HEX64 = re.compile(r"[0-9a-f]{64}")


class BlobStore(Protocol):
    """Where originals live: content-addressed by SHA-256 (lowercase hex)."""

    def put_file(self, path: Path) -> tuple[str, int]:
        """Store a copy of the file; return ``(sha256, size in bytes)``."""
        ...

    def open(self, sha256: str) -> BinaryIO:
        """Open a stored original for reading; ``BlobNotFound`` if absent."""
        ...

    def exists(self, sha256: str) -> bool:
        """Whether an original with this digest is stored."""
        ...

    def iter_digests(self) -> Iterator[str]:
        """Every stored digest, in no particular order."""
        ...

    def verify(self, sha256: str) -> None:
        """Re-read one original; ``IntegrityError`` if its bytes no longer match."""
        ...


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FsBlobStore:
    """A ``BlobStore`` in a folder of the local file system.

    Args:
        root: the ``objects/`` folder; created when missing.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, sha256: str) -> Path:
        digest = sha256.lower()
        if not _HEX64.fullmatch(digest):
            raise StoreError(f"not a SHA-256 digest: {sha256!r}")
        return self.root / "sha256" / digest[:2] / digest[2:4] / digest

    def exists(self, sha256: str) -> bool:
        """Return whether an original with this digest is stored."""
        return self._path(sha256).is_file()

    def put_file(self, path: Path) -> tuple[str, int]:
        """Copy a file into the store, atomically.

        Args:
            path: the file to keep.

        Returns:
            ``(sha256, size)``: the digest of the bytes copied and their length in bytes. If an
            original with that digest is already stored, nothing is written.

        Raises:
            StoreError: the file cannot be read or the store cannot be written.
        """
        staging = self.root / "tmp"
        staging.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        try:
            with (
                Path(path).open("rb") as source,
                tempfile.NamedTemporaryFile(dir=staging, delete=False) as temp,
            ):
                try:
                    while chunk := source.read(_CHUNK_BYTES):
                        digest.update(chunk)
                        size += len(chunk)
                        temp.write(chunk)
                    temp.flush()
                    os.fsync(temp.fileno())
                except BaseException:
                    Path(temp.name).unlink(missing_ok=True)
                    raise
            sha256 = digest.hexdigest()
            target = self._path(sha256)
            if target.is_file():
                Path(temp.name).unlink()
                return sha256, size
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(temp.name, 0o444)
            os.replace(temp.name, target)
            _fsync_dir(target.parent)
        except OSError as exc:
            raise StoreError(f"cannot store {path}: {exc}") from exc
        return sha256, size

    def open(self, sha256: str) -> BinaryIO:
        """Open a stored original for reading (binary).

        Raises:
            BlobNotFound: no original with this digest.
        """
        try:
            return self._path(sha256).open("rb")
        except FileNotFoundError as exc:
            raise BlobNotFound(sha256) from exc

    def iter_digests(self) -> Iterator[str]:
        """Yield the digest of every stored original (lowercase hex)."""
        base = self.root / "sha256"
        if not base.is_dir():
            return
        for path in base.glob("*/*/*"):
            if _HEX64.fullmatch(path.name):
                yield path.name

    def verify(self, sha256: str) -> None:
        """Re-hash one original.

        Raises:
            BlobNotFound: it is missing.
            IntegrityError: its bytes hash to another digest (path, expected and found given).
        """
        digest = hashlib.sha256()
        with self.open(sha256) as handle:
            while chunk := handle.read(_CHUNK_BYTES):
                digest.update(chunk)
        if digest.hexdigest() != sha256:
            raise IntegrityError(str(self._path(sha256)), "sha256", sha256, digest.hexdigest())

    def copy_to(self, sha256: str, target: Path) -> None:
        """Copy a stored original to ``target`` (for publishing downloads).

        Raises:
            BlobNotFound: it is missing.
        """
        with self.open(sha256) as source, Path(target).open("wb") as out:
            shutil.copyfileobj(source, out, _CHUNK_BYTES)
