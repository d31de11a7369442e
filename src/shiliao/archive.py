"""An open archive folder: its database, its originals (OCFL), its log, its search index.

Layout (DESIGN.md, "The archive")::

    ARCHIVE/
      shiliao.db      metadata, passages, terms, provenance events (SQLite, WAL)
      objects/        originals in an OCFL 1.1 storage root (``store.ocfl``)
      log/            the append-only Merkle log, its key and signed checkpoints (``log``)
      index/          the search index (``search.index``), rebuilt from the database at need
      .staging/       where OCFL versions are built; an interrupted commit is rolled back on open

Every capture of a file goes the same way (``Archive.capture_file``): the bytes are committed as
a new OCFL version (atomic: the inventory sidecar is renamed last), then a ``file_captured``
entry is appended to the log with the digests and PREMIS-style provenance (what, when in UTC,
how, by which shiliao and agent, from which path or URL, HTTP status and headers), then the
database records where the bytes are and a copy of the event. Each step is idempotent: a rerun
after a crash finds the version already stored and the entry already logged, and only writes
what is missing. Other changes (a source added, edited or deleted, a site published) are logged
with ``Archive.record``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shiliao import __version__
from shiliao.errors import StoreError
from shiliao.log import (
    Checkpoint,
    Log,
    load_or_create_key,
    make_proof_bundle,
    open_archive_log,
    write_checkpoint,
)
from shiliao.search.index import PassageIndex
from shiliao.store import Catalog, OcflStore, Originals
from shiliao.store.ocfl import StoredFile

__all__ = ["Archive", "CapturedFile", "open_archive"]


@dataclass(frozen=True)
class CapturedFile:
    """A file kept in the archive.

    Attributes:
        object_id: its OCFL object.
        version: the object's version that holds these bytes.
        logical_path: its name in the object.
        sha256: digest of the bytes, lowercase hex.
        sha512: digest of the bytes, lowercase hex.
        size: length in bytes.
        log_index: the index of its ``file_captured`` entry in the log.
        new: whether this call stored the bytes (False when the archive already had them).
    """

    object_id: str
    version: int
    logical_path: str
    sha256: str
    sha512: str
    size: int
    log_index: int
    new: bool


@dataclass
class Archive:
    """An open archive.

    Attributes:
        root: the folder.
        catalog: its database.
        ocfl: its originals.
        log: its log.
        index_path: its search index folder.
        agent: who captures and edits, as recorded in provenance (``[archive] agent``).
        replaying: set while the database is rebuilt from the log (``pipeline.rebuild``):
            nothing is appended to the log, and a capture must already be logged.
    """

    root: Path
    catalog: Catalog
    ocfl: OcflStore
    log: Log
    index_path: Path
    agent: str = "shiliao"
    replaying: bool = False
    _logged: dict[tuple[str, int, str], int] | None = field(default=None, repr=False)

    @property
    def blobs(self) -> Originals:
        """The originals by SHA-256 (what the website and exports read)."""
        return Originals(self.ocfl, self.catalog)

    def open_index(self) -> PassageIndex:
        """Open the search index, creating it when missing."""
        return PassageIndex.open(self.index_path, create=True)

    def close(self) -> None:
        """Close the database."""
        self.catalog.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _logged_captures(self) -> dict[tuple[str, int, str], int]:
        if self._logged is None:
            self._logged = {}
            for entry in self.log.entries():
                if entry.kind == "file_captured":
                    data = entry.data
                    self._logged[(data["object_id"], data["version"], data["path"])] = entry.index
        return self._logged

    def record(
        self,
        kind: str,
        data: Mapping[str, Any],
        *,
        source_id: str | None = None,
        object_id: str | None = None,
        version: int | None = None,
    ) -> int:
        """Append a change to the log and keep a copy as a provenance event.

        Args:
            kind: ``source_added``, ``source_updated``, ``metadata_edited``, ``source_deleted``,
                ``file_removed``, ``site_published``...
            data: what changed (JSON values; no floats).
            source_id, object_id, version: what it concerns, for queries.

        Returns:
            The entry's index in the log.

        Raises:
            LogError: the log cannot be written.
            StoreError: the database cannot be written.
        """
        if self.replaying:
            # The change is already in the log; the rebuilt database copies it from there.
            return -1
        entry = self.log.append(kind, dict(data))
        with self.catalog.transaction():
            self.catalog.record_event(
                entry.index, kind, entry.time, entry.data, source_id, object_id, version
            )
        return entry.index

    def capture_file(
        self,
        object_id: str,
        path: Path,
        logical_path: str,
        *,
        how: str,
        original: str,
        media_type: str,
        details: Mapping[str, Any] | None = None,
    ) -> CapturedFile:
        """Keep a file: commit it to OCFL, log its capture, record where it is.

        Args:
            object_id: its OCFL object (``store.file_object_id(path)`` for a collection file).
            path: the file to copy in.
            logical_path: its name in the object.
            how: the capture method, ``"file import"`` or ``"URL capture"``.
            original: where it came from: the original path or the URL.
            media_type: its media type, as sniffed from its bytes.
            details: more provenance (for a URL: ``status``, ``headers``, ``final_url``...).

        Returns:
            A ``CapturedFile``.

        Raises:
            StoreError: the bytes cannot be stored.
            LogError: the log cannot be written.
        """
        stored: StoredFile = self.ocfl.put_file(
            object_id,
            path,
            logical_path,
            message=f"{how}: {original}",
            user={"name": self.agent},
        )
        version = stored.version.number
        logical = unicodedata.normalize("NFC", logical_path)
        key = (object_id, version, logical)
        logged = self._logged_captures()
        if key not in logged and self.replaying:
            raise StoreError(
                f"{object_id} v{version} {logical}: stored but not in the log; "
                "run `shiliao verify` before rebuilding"
            )
        if key not in logged:
            data = {
                "object_id": object_id,
                "version": version,
                "path": logical,
                "sha256": stored.sha256,
                "sha512": stored.sha512,
                "size": stored.size,
                "media_type": media_type,
                "how": how,
                "original": original,
                "agent": self.agent,
                "tool": f"shiliao {__version__}",
                **dict(details or {}),
            }
            entry = self.log.append("file_captured", data)
            logged[key] = entry.index
            event_time, event_data = entry.time, entry.data
        else:
            entry = self.log.entry(logged[key])
            event_time, event_data = entry.time, entry.data
        with self.catalog.transaction():
            self.catalog.record_file(stored.sha256, stored.size, media_type, Path(logical).name)
            self.catalog.record_file_version(
                object_id, version, logical, stored.sha256, stored.sha512, stored.size, logged[key]
            )
            self.catalog.record_event(
                logged[key], "file_captured", event_time, event_data, None, object_id, version
            )
        return CapturedFile(
            object_id=object_id,
            version=version,
            logical_path=logical,
            sha256=stored.sha256,
            sha512=stored.sha512,
            size=stored.size,
            log_index=logged[key],
            new=stored.version.new,
        )

    def checkpoint(self) -> Checkpoint:
        """Sign and store a checkpoint of the log as it is now (``log.write_checkpoint``).

        Returns:
            The ``Checkpoint``.

        Raises:
            CheckpointError: the log no longer matches the latest stored checkpoint.
        """
        return write_checkpoint(self.log, load_or_create_key(self.log.path))


    def proof_bundles(self, checkpoint: Checkpoint) -> dict[str, bytes]:
        """The inclusion proof of the capture of every original the sources come from.

        Args:
            checkpoint: the checkpoint the proofs lead to (its size bounds the entries).

        Returns:
            SHA-256 -> proof bundle (``log.make_proof_bundle``: the ``file_captured`` entry,
            its index, the audit path and the checkpoint), for the latest capture of each
            digest that the checkpoint covers.
        """
        bundles: dict[str, bytes] = {}
        for row in self.catalog.file_versions():
            index = row["log_index"]
            if index is not None and index < checkpoint.size:
                bundles[row["sha256"]] = make_proof_bundle(self.log, index, checkpoint)
        return bundles


def open_archive(
    root: Path,
    create: bool = False,
    *,
    agent: str = "shiliao",
    fault: Callable[[str], None] | None = None,
) -> Archive:
    """Open an archive folder, rolling back any OCFL commit a crash interrupted.

    Args:
        root: the folder.
        create: make it (database, storage root, log and signing key) when missing; otherwise
            a missing archive is an error.
        agent: who is working, recorded in provenance.
        fault: passed to ``OcflStore`` (called before every write, fsync and rename of a
            commit); for crash tests only.

    Returns:
        The open ``Archive``; close it (or use it as a context manager).

    Raises:
        StoreError: the folder is not an archive (and ``create`` is false), or cannot be made.
        SchemaError: its database is damaged or newer than this shiliao.
        LogCorrupt: the log's last line is torn (run ``shiliao repair-log``).
    """
    root = Path(root)
    db_path = root / "shiliao.db"
    if not create and not db_path.is_file():
        raise StoreError(
            f"{root}: not a shiliao archive (no shiliao.db); run `shiliao build` first"
        )
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the archive folder {root}: {exc}") from exc
    ocfl = OcflStore(
        root / "objects", staging=root / ".staging" / "ocfl", user={"name": agent}, fault=fault
    )
    ocfl.recover()
    return Archive(
        root=root,
        catalog=Catalog(db_path),
        ocfl=ocfl,
        log=open_archive_log(root),
        index_path=root / "index",
        agent=agent,
    )
