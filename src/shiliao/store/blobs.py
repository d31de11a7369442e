"""What readers of originals rely on: bytes named by their SHA-256, never modified.

The archive keeps its originals in an OCFL 1.1 storage root (``store.ocfl``); readers that name
bytes by digest (the website, exports) see it through ``store.originals.Originals``, which
implements this protocol.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, Protocol

__all__ = ["BlobStore"]


class BlobStore(Protocol):
    """Where originals live: content-addressed by SHA-256 (lowercase hex)."""

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
