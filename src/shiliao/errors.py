"""The errors shiliao raises, all below one root so that callers can catch them together.

The tree::

    ShiliaoError                    any error of shiliao's own; the CLI prints its message, exit 1
    ├── ConfigError                 shiliao.toml or a command-line option is wrong
    ├── CollectionError             a collection folder cannot be read
    │   └── SidecarError            a sidecar (x.yaml beside a file) is malformed
    ├── StoreError                  the archive cannot be read or written
    │   ├── BlobNotFound            no original with that digest is stored
    │   ├── IntegrityError          stored bytes do not match their digest
    │   └── SchemaError             the database is newer than this shiliao, or damaged
    ├── ExtractError                a file's text cannot be extracted
    │   ├── UnsupportedFormat       no extractor reads this media type
    │   ├── EncryptedDocument       the file is encrypted and gives no text
    │   └── ExtractionLimit         the parser ran past its time, memory or output limit
    ├── SearchError                 the index cannot answer
    │   └── QueryError              the query cannot be parsed
    ├── CitationError               a citation or bibliography record cannot be used
    └── PublishError                the website cannot be written

Every error carries a message that says what went wrong and, where there is one, what to do.
In a batch a per-file failure is recorded as data (the source's extraction status) and the
batch goes on; these exceptions are for the caller that must stop.
"""

from __future__ import annotations

__all__ = [
    "BlobNotFound",
    "CitationError",
    "CollectionError",
    "ConfigError",
    "EncryptedDocument",
    "ExtractError",
    "ExtractionLimit",
    "IntegrityError",
    "PublishError",
    "QueryError",
    "SchemaError",
    "SearchError",
    "ShiliaoError",
    "SidecarError",
    "StoreError",
    "UnsupportedFormat",
]


class ShiliaoError(Exception):
    """Root of every error shiliao raises on purpose."""


class ConfigError(ShiliaoError):
    """A setting in shiliao.toml or on the command line is invalid."""


class CollectionError(ShiliaoError):
    """A collection folder, or a file in it, cannot be read."""


class SidecarError(CollectionError):
    """A sidecar file is malformed.

    Attributes:
        path: the sidecar's path, as given.
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


class StoreError(ShiliaoError):
    """The archive's originals or database cannot be read or written."""


class BlobNotFound(StoreError):
    """No original with this SHA-256 digest (64 lowercase hex characters) is stored."""

    def __init__(self, sha256: str) -> None:
        super().__init__(f"no original with sha256 {sha256} in the archive")
        self.sha256 = sha256


class IntegrityError(StoreError):
    """Bytes on disk do not match the digest they are stored under.

    Attributes:
        path: the file that failed.
        algorithm: the digest algorithm, e.g. ``"sha256"``.
        expected: the recorded digest, lowercase hex.
        found: the digest of the bytes read now, lowercase hex.
    """

    def __init__(self, path: str, algorithm: str, expected: str, found: str) -> None:
        super().__init__(f"{path}: {algorithm} expected {expected}, found {found}")
        self.path = path
        self.algorithm = algorithm
        self.expected = expected
        self.found = found


class SchemaError(StoreError):
    """The database schema is unknown to this version of shiliao, or damaged."""


class ExtractError(ShiliaoError):
    """A file's text cannot be extracted."""


class UnsupportedFormat(ExtractError):
    """No extractor reads this media type."""


class EncryptedDocument(ExtractError):
    """The document is encrypted and gives no text without a password."""


class ExtractionLimit(ExtractError):
    """The parser ran past a limit (time in seconds, memory or output in bytes, pages)."""


class SearchError(ShiliaoError):
    """The search index cannot answer."""


class QueryError(SearchError):
    """The query cannot be parsed (for example, an unclosed quote)."""


class CitationError(ShiliaoError):
    """A citation or a bibliography record cannot be used."""


class PublishError(ShiliaoError):
    """The website cannot be written."""
