"""Originals by SHA-256, read from the OCFL storage root through the database's map.

The OCFL root names bytes by object, version and logical path; the website, exports and checks
name them by SHA-256 (``BlobStore``). The ``file_versions`` table of the database maps one to
the other, so this adapter is the only place that knows both.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import BinaryIO

from shiliao.errors import BlobNotFound, IntegrityError
from shiliao.store.catalog import Catalog
from shiliao.store.ocfl import OcflStore

__all__ = ["Originals"]

_CHUNK_BYTES = 1 << 20


class Originals:
    """The archive's originals as a ``BlobStore``: content-addressed by SHA-256.

    Args:
        ocfl: the storage root holding the bytes.
        catalog: the database that maps a digest to (object, version, logical path).
    """

    def __init__(self, ocfl: OcflStore, catalog: Catalog) -> None:
        self.ocfl = ocfl
        self.catalog = catalog

    def _location(self, sha256: str) -> dict:
        found = self.catalog.file_versions(sha256)
        if not found:
            raise BlobNotFound(sha256)
        return found[0]

    def exists(self, sha256: str) -> bool:
        """Whether an original with this digest (hex, any case) is recorded."""
        return bool(self.catalog.file_versions(sha256))

    def open(self, sha256: str) -> BinaryIO:
        """Open the original's bytes for reading.

        Raises:
            BlobNotFound: no original with this digest is recorded.
            StoreError: the OCFL object cannot be read.
        """
        where = self._location(sha256)
        return self.ocfl.open(where["object_id"], where["logical_path"], where["version"])

    def iter_digests(self) -> Iterator[str]:
        """Every recorded digest, once each."""
        yield from dict.fromkeys(row["sha256"] for row in self.catalog.file_versions())

    def verify(self, sha256: str) -> None:
        """Re-read one original and check its SHA-256.

        Raises:
            BlobNotFound: not recorded.
            IntegrityError: the bytes read hash to another digest.
        """
        digest = hashlib.sha256()
        with self.open(sha256) as handle:
            while chunk := handle.read(_CHUNK_BYTES):
                digest.update(chunk)
        if digest.hexdigest() != sha256.lower():
            where = self._location(sha256)
            raise IntegrityError(
                f"{where['object_id']} v{where['version']} {where['logical_path']}",
                "sha256",
                sha256.lower(),
                digest.hexdigest(),
            )
