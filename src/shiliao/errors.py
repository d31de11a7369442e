"""The errors shiliao raises, all below one root so that callers can catch them together.

The tree::

    ShiliaoError                    any error of shiliao's own; the CLI prints its message, exit 1
    ├── ConfigError                 shiliao.toml or a command-line option is wrong
    ├── CaptureError                a URL cannot be captured (network, limits, bad response)
    │   └── UnsafeAddress           the URL or an address it resolves to is refused (SSRF guard)
    ├── CollectionError             a collection folder cannot be read
    │   └── SidecarError            a sidecar (x.yaml beside a file) is malformed
    ├── StoreError                  the archive cannot be read or written
    │   ├── ArchiveBusy             another shiliao is writing to the archive (the writer lock)
    │   ├── BlobNotFound            no original with that digest is stored
    │   ├── IntegrityError          stored bytes do not match their digest
    │   ├── SchemaError             the database is newer than this shiliao, or damaged
    │   ├── FileChanged             a file of the collection changed while it was being stored
    │   └── LogError                the Merkle log (log/) cannot be read, written or used
    │       ├── LogCorrupt          a line of log/entries.jsonl is malformed, out of place or torn
    │       ├── CheckpointError     a checkpoint (signed note) is malformed or does not fit the log
    │       │   └── SignatureError  no signature by the expected key verifies
    │       ├── ProofError          an inclusion or consistency proof does not verify
    │       ├── TimestampError      an RFC 3161 timestamp cannot be had or does not verify
    │       └── PublicationError    a checkpoint cannot be copied outside the archive
    ├── ExtractError                a file's text cannot be extracted
    │   ├── UnsupportedFormat       no extractor reads this media type
    │   ├── EncryptedDocument       the file is encrypted and gives no text
    │   └── ExtractionLimit         the parser ran past its time, memory or output limit
    ├── SearchError                 the index cannot answer
    │   └── QueryError              the query cannot be parsed
    ├── CitationError               a citation or bibliography record cannot be used
    ├── PublishError                the website cannot be written
    ├── EditError                   an edit of the collection folder cannot be made as asked
    │   ├── EditConflict            the record changed since the editor read it (both shown)
    │   └── UploadRefused           an uploaded file's name or size is refused
    ├── AccountError                an account of the editorial app cannot be made or used
    └── DiskFull                    a write found no space left on its disk (ENOSPC, EDQUOT)

Every error carries a message that says what went wrong and, where there is one, what to do.
In a batch a per-file failure is recorded as data (the source's extraction status) and the
batch goes on; these exceptions are for the caller that must stop.
"""

from __future__ import annotations

import errno

__all__ = [
    "AccountError",
    "ArchiveBusy",
    "BlobNotFound",
    "CaptureError",
    "CheckpointError",
    "CitationError",
    "CollectionError",
    "ConfigError",
    "DiskFull",
    "EditConflict",
    "EditError",
    "EncryptedDocument",
    "ExtractError",
    "ExtractionLimit",
    "FileChanged",
    "IntegrityError",
    "LogCorrupt",
    "LogError",
    "ProofError",
    "PublicationError",
    "PublishError",
    "QueryError",
    "SchemaError",
    "SearchError",
    "ShiliaoError",
    "SidecarError",
    "SignatureError",
    "StoreError",
    "TimestampError",
    "UnsafeAddress",
    "UnsupportedFormat",
    "UploadRefused",
]


class ShiliaoError(Exception):
    """Root of every error shiliao raises on purpose."""


class ConfigError(ShiliaoError):
    """A setting in shiliao.toml or on the command line is invalid."""


class CaptureError(ShiliaoError):
    """A URL cannot be captured: the network failed, a limit (time, bytes, redirects) was
    reached, or the response cannot be recorded. No partial WARC file is left behind."""


class UnsafeAddress(CaptureError):
    """The capture was refused before connecting: the URL's scheme, form or address is unsafe.

    Attributes:
        url: the URL refused, as given (for a redirect, the redirect's target).
        reason: why, e.g. ``"127.0.0.1 is a loopback address"``.
    """

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"refused to capture {url}: {reason}")
        self.url = url
        self.reason = reason


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


class ArchiveBusy(StoreError):
    """Another shiliao process holds the archive's writer lock (``store.lock``).

    Attributes:
        pid: the process that holds it, when it said so.
        command: what it is doing (``"build"``, ``"add"``...), when it said so.
        since: when it took the lock, UTC RFC 3339, when it said so.
    """

    def __init__(
        self, message: str, *, pid: int | None = None, command: str = "", since: str = ""
    ) -> None:
        super().__init__(message)
        self.pid = pid
        self.command = command
        self.since = since


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


class FileChanged(StoreError):
    """A file of the collection changed while it was being stored (an edit saved meanwhile):
    nothing of it was kept; reading the folder again takes the new bytes."""


class SchemaError(StoreError):
    """The database schema is unknown to this version of shiliao, or damaged."""


class LogError(StoreError):
    """The archive's Merkle log cannot be read, written or used (see ``shiliao.log``)."""


class LogCorrupt(LogError):
    """The log file is damaged: a line is malformed, out of sequence, or torn by a crash.

    Attributes:
        path: the file, when known (``.../log/entries.jsonl``).
        line: 1-based line number of the first bad line, when known.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        where = f"{path} line {line}: " if path and line else f"{path}: " if path else ""
        super().__init__(where + message)
        self.path = path
        self.line = line


class CheckpointError(LogError):
    """A checkpoint is not a well-formed C2SP tlog-checkpoint, or does not match the log."""


class SignatureError(CheckpointError):
    """No signature by the expected key verifies: wrong key, edited text, or a bad signature."""


class ProofError(LogError):
    """An RFC 9162 inclusion or consistency proof, or a proof bundle, does not verify."""


class TimestampError(LogError):
    """An RFC 3161 time-stamp token over a checkpoint cannot be obtained from the time-stamping
    authority, or does not verify (status, message imprint, nonce, signature, certificates)."""


class PublicationError(LogError):
    """A signed checkpoint cannot be copied outside the archive (a folder, a git repository,
    a c2sp.org/tlog-witness URL); the checkpoint itself is stored in the archive all the same."""


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


class EditError(ShiliaoError):
    """An edit of the collection folder cannot be made as asked: an unknown source, a value
    its field does not take (a date that is not EDTF, an access that is not a level). Nothing
    was written."""


class EditConflict(EditError):
    """The record changed since the editor read it: another save came first. Nothing was
    written.

    Attributes:
        current: the record as it is now (the shape the raising operation documents).
        version: its version token now, to save against once the editor has merged.
    """

    def __init__(self, message: str, current: object, version: str) -> None:
        super().__init__(message)
        self.current = current
        self.version = version


class UploadRefused(EditError):
    """An uploaded file is refused: its name climbs out of the folder (``..``), is absolute,
    holds control or bidi characters, or its body is larger than allowed. Nothing of it was
    written; the other files of its batch are kept."""


class AccountError(ShiliaoError):
    """An account of the editorial app cannot be made or used: a name already taken or not
    allowed, a password too short, an unknown user, a role that is not one."""


class DiskFull(ShiliaoError):
    """A write found no space left on its disk, or the user's quota spent (ENOSPC, EDQUOT).

    Whatever was being written was abandoned whole (see the writer that raised it), so the
    archive is as it was before that step; the message says which folder's disk to free and,
    when known, how many bytes were being written.

    Attributes:
        folder: the folder that was being written.
        what: what was being written (``"a version of urn:shiliao:file:..."``).
        size: bytes being written, when known; else None.
    """

    def __init__(self, folder: str, what: str, size: int | None = None) -> None:
        amount = f" ({size:,} bytes)" if size is not None else ""
        need = f"at least {size:,} bytes" if size is not None else "space"
        super().__init__(
            f"no space left on the disk of {folder} while writing {what}{amount}: free {need} "
            "on that disk (or move the folder to a larger one), then run the command again"
        )
        self.folder = folder
        self.what = what
        self.size = size

    @staticmethod
    def cause_of(exc: BaseException) -> bool:
        """Whether ``exc``, or an error it was raised from, is an ``OSError`` for a full disk
        or a spent quota (ENOSPC, EDQUOT)."""
        seen: BaseException | None = exc
        while seen is not None:
            if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EDQUOT):
                return True
            seen = seen.__cause__ or seen.__context__
        return False
