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
what is missing. A note of the capture (``.staging/captures/``) lives from before the commit to
after the log entry, so that a crash between the two is completed when the archive is next
opened, and ``verify`` meanwhile reports the stored version as pending, not as unlogged. Other changes (a source added, edited or deleted, a site published) are logged
with ``Archive.record``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
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
    make_proof_bundle,
    open_archive_log,
    write_checkpoint,
)
from shiliao.log.keys import load_signing_key
from shiliao.search.index import PassageIndex
from shiliao.store import Catalog, OcflStore, Originals
from shiliao.store.ocfl import StoredFile

__all__ = ["Archive", "CapturedFile", "open_archive", "pending_captures"]


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
        intent = {
            "object_id": object_id,
            "path": unicodedata.normalize("NFC", logical_path),
            "media_type": media_type,
            "how": how,
            "original": original,
            "details": dict(details or {}),
        }
        marker = self._pending_dir() / (
            hashlib.sha256(f"{object_id}\n{intent['path']}".encode()).hexdigest() + ".json"
        )
        _write_atomic(marker, json.dumps(intent, ensure_ascii=False).encode())
        stored: StoredFile = self.ocfl.put_file(
            object_id,
            path,
            logical_path,
            message=f"{how}: {original}",
            user={"name": self.agent},
        )
        version = stored.version.number
        index = self._log_capture(intent, version, stored.sha256, stored.sha512, stored.size)
        marker.unlink()
        return CapturedFile(
            object_id=object_id,
            version=version,
            logical_path=intent["path"],
            sha256=stored.sha256,
            sha512=stored.sha512,
            size=stored.size,
            log_index=index,
            new=stored.version.new,
        )

    def _pending_dir(self) -> Path:
        folder = self.root / ".staging" / "captures"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _log_capture(
        self, intent: Mapping[str, Any], version: int, sha256: str, sha512: str, size: int
    ) -> int:
        """Log a stored version's capture unless it is logged, and record it in the database;
        return its entry's index."""
        object_id, logical = intent["object_id"], intent["path"]
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
                "sha256": sha256,
                "sha512": sha512,
                "size": size,
                "media_type": intent["media_type"],
                "how": intent["how"],
                "original": intent["original"],
                "agent": self.agent,
                "tool": f"shiliao {__version__}",
                **intent["details"],
            }
            logged[key] = self.log.append("file_captured", data).index
        entry = self.log.entry(logged[key])
        with self.catalog.transaction():
            self.catalog.record_file(sha256, size, intent["media_type"], Path(logical).name)
            self.catalog.record_file_version(
                object_id, version, logical, sha256, sha512, size, logged[key]
            )
            self.catalog.record_event(
                logged[key], "file_captured", entry.time, entry.data, None, object_id, version
            )
        return logged[key]

    def complete_interrupted_captures(self) -> list[str]:
        """Finish captures a crash cut short between storing the bytes and logging them.

        ``capture_file`` leaves a note of what it is capturing in ``.staging/captures/`` until
        the capture is logged. For each note left behind: when the object's head version holds
        the file (the commit happened), its capture is logged now; otherwise the commit never
        happened (``OcflStore.recover`` rolled it back) and the note is dropped.

        Returns:
            The ``object v<N> path`` of each capture logged now.
        """
        done = []
        for marker in sorted(self._pending_dir().glob("*.json")):
            intent = json.loads(marker.read_text(encoding="utf-8"))
            head = self.ocfl.head(intent["object_id"])
            if head is not None and intent["path"] in head.state:
                entry = self.ocfl.files(intent["object_id"])[intent["path"]]
                sha256 = entry.sha256 or self.ocfl.digest(
                    intent["object_id"], intent["path"], algorithm="sha256"
                )
                already = (intent["object_id"], head.number, intent["path"]) in (
                    self._logged_captures()
                )
                self._log_capture(intent, head.number, sha256, entry.sha512, entry.size)
                if not already:
                    done.append(f"{intent['object_id']} v{head.number} {intent['path']}")
            marker.unlink()
        return done

    def log_layout_conversion(self) -> int | None:
        """Log a conversion of the storage root to the current layout (``OcflStore`` makes it
        when it opens a root in the old one), once, then let the store forget it.

        The store keeps a note of the conversion until this is done, so a crash between the
        two leaves it to the next open; an entry already in the log is not appended again.

        Returns:
            The index of the ``storage_layout_converted`` entry (data: ``from``, ``to``,
            ``started``, ``finished``, ``objects``, as ``OcflStore.layout_conversion``
            gives), or None when there was no conversion to log.
        """
        conversion = self.ocfl.layout_conversion()
        if conversion is None or "finished" not in conversion:
            return None
        index = next(
            (
                entry.index
                for entry in self.log.entries()
                if entry.kind == "storage_layout_converted" and entry.data == conversion
            ),
            None,
        )
        if index is None:
            index = self.record("storage_layout_converted", conversion)
        self.ocfl.forget_layout_conversion()
        return index

    def checkpoint(self) -> Checkpoint:
        """Sign and store a checkpoint of the log as it is now (``log.write_checkpoint``).

        Returns:
            The ``Checkpoint``.

        Raises:
            CheckpointError: the log no longer matches the latest stored checkpoint.
        """
        return write_checkpoint(self.log, load_signing_key(self.log))

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


def _write_atomic(target: Path, data: bytes) -> None:
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as temp:
        temp.write(data)
        temp.flush()
        os.fsync(temp.fileno())
    os.replace(temp.name, target)


def pending_captures(root: Path) -> list[dict[str, Any]]:
    """The captures a crash cut short in an archive folder (their notes), without opening it."""
    folder = Path(root) / ".staging" / "captures"
    if not folder.is_dir():
        return []
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


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
    archive = Archive(
        root=root,
        catalog=Catalog(db_path),
        ocfl=ocfl,
        log=open_archive_log(root),
        index_path=root / "index",
        agent=agent,
    )
    archive.complete_interrupted_captures()
    archive.log_layout_conversion()
    return archive
