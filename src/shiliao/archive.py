"""An open archive folder: its database, its originals (OCFL), its log, its search index.

Layout (DESIGN.md, "The archive")::

    ARCHIVE/
      shiliao.db      metadata, passages, terms, provenance events (SQLite, WAL)
      objects/        originals in an OCFL 1.1 storage root (``store.ocfl``)
      log/            the append-only Merkle log, its key and signed checkpoints (``log``)
      index/          the search index (``search.index``), rebuilt from the database at need
      .staging/       where OCFL versions are built; an interrupted commit is rolled back on open
      .staging/writer.lock   one writer at a time (``store.lock``)

Every capture of a file goes the same way (``Archive.capture_file``): the bytes are committed as
a new OCFL version (atomic: the inventory sidecar is renamed last), then a ``file_captured``
entry is appended to the log with the digests and PREMIS-style provenance (what, when in UTC,
how, by which shiliao and agent, from which path or URL, HTTP status and headers), then the
database records where the bytes are and a copy of the event. Each step is idempotent: a rerun
after a crash finds the version already stored and the entry already logged, and only writes
what is missing. A note of the capture (``.staging/captures/``) lives from before the commit to
after the log entry, so that a crash between the two is completed when the archive is next
opened, and ``verify`` meanwhile reports the stored version as pending, not as unlogged. Other changes (a source added, edited or deleted, a site published) are logged
with ``Archive.record``, inside the database transaction that makes the change, so that a crash
leaves both or, at worst, a log entry whose change was rolled back: the run that makes the
change again adopts that entry instead of logging the change twice.

One shiliao writes to an archive at a time: ``open_archive(..., writer="add")`` takes the
archive's writer lock (``store.lock``) for as long as the archive is open, and refuses with
``ArchiveBusy`` when another process holds it. Opened without ``writer``, the archive is read:
what a crash left is finished or rolled back first only when no writer is at work (it would be
that writer's own work in progress otherwise), and ``Archive.writing`` takes the lock for a
reader that must write something derived.

Every write step calls the ``fault`` hook given to ``open_archive`` with a label first (the
OCFL commit's, the log's, the database's and the search index's, and the capture notes'
``"write:.staging/captures/<name>"`` and ``"remove:..."``), so that tests can kill the process,
or fail the step, at each one; errors of a full disk become ``DiskFull``, which names the
folder to free.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shiliao import __version__
from shiliao.errors import ArchiveBusy, DiskFull, LogError, StoreError
from shiliao.log import (
    Checkpoint,
    Entry,
    Log,
    canonical_json,
    open_archive_log,
    write_checkpoint,
)
from shiliao.log.keys import load_signing_key
from shiliao.search.index import PassageIndex
from shiliao.store import Catalog, OcflStore, Originals
from shiliao.store.lock import Holder, WriterLock, writer_lock
from shiliao.store.ocfl import LAYOUT_EXTENSION, StoredFile

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
        fault: the crash-test hook every write step calls first (``open_archive``), or None.
        lock: the writer lock, held while the archive is open when it was opened as a writer;
            None for a reader.
        interrupted: who last held the writer lock without releasing it (a writer that was
            killed, whose work was finished or rolled back on open), when found; else None.
    """

    root: Path
    catalog: Catalog
    ocfl: OcflStore
    log: Log
    index_path: Path
    agent: str = "shiliao"
    replaying: bool = False
    fault: Callable[[str], None] | None = None
    lock: WriterLock | None = None
    interrupted: Holder | None = None
    _logged: dict[tuple[str, int, str], int] | None = field(default=None, repr=False)
    _unacknowledged: list[Entry] | None = field(default=None, repr=False)

    @property
    def blobs(self) -> Originals:
        """The originals by SHA-256 (what the website and exports read)."""
        return Originals(self.ocfl, self.catalog)

    def open_index(self) -> PassageIndex:
        """Open the search index, creating it when missing."""
        return PassageIndex.open(self.index_path, create=True, fault=self.fault)

    @contextlib.contextmanager
    def writing(self, command: str) -> Iterator[None]:
        """Hold the archive's writer lock for the block: for a reader that has to write
        something derived (the search index, the public projection). Already held, and so
        free to take again, when the archive was opened as a writer.

        Raises:
            ArchiveBusy: another shiliao writes to the archive (the message names it).
        """
        with writer_lock(self.root, command):
            yield

    def close(self) -> None:
        """Close the database and release the writer lock when held."""
        try:
            self.catalog.close()
        finally:
            if self.lock is not None:
                self.lock.release()
                self.lock = None

    def _fault(self, label: str) -> None:
        if self.fault is not None:
            self.fault(label)

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

        The entry is appended inside a database transaction that keeps its copy: inside the
        caller's own (``catalog.transaction``), the entry, its copy and the change it records
        commit together. A crash between the append and the commit leaves an entry that has
        no copy; when the same change is recorded again (same kind, same data) by a later run,
        that entry is taken as its record instead of a second one being appended. Only
        entries after the last one with a copy are taken so.

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
            DiskFull: the disk of the log or of the database is full (nothing was recorded,
                or, at worst, the entry alone: adopted when the change is made again).
        """
        if self.replaying:
            # The change is already in the log; the rebuilt database copies it from there.
            return -1
        data = dict(data)
        with self.catalog.transaction():
            entry = self._adopt(kind, data) or self.log.append(kind, data)
            self.catalog.record_event(
                entry.index, kind, entry.time, entry.data, source_id, object_id, version
            )
        return entry.index

    def _adopt(self, kind: str, data: Mapping[str, Any]) -> Entry | None:
        """The entry left by a killed run for this very change (see ``record``), or None."""
        if self._unacknowledged is None:
            last = self.catalog.last_event_index()
            self._unacknowledged = list(self.log.entries(0 if last is None else last + 1))
        wanted = canonical_json({"kind": kind, "data": data})
        for position, entry in enumerate(self._unacknowledged):
            if canonical_json({"kind": entry.kind, "data": entry.data}) == wanted:
                del self._unacknowledged[position]
                return entry
        return None

    def acknowledge(
        self,
        entry: Entry,
        *,
        source_id: str | None = None,
        object_id: str | None = None,
        version: int | None = None,
    ) -> None:
        """Keep the copy of an entry already in the log (a change logged by a run killed
        before its copy was committed, which the caller found and takes as its own).

        Raises:
            StoreError: the database cannot be written.
        """
        with self.catalog.transaction():
            self.catalog.record_event(
                entry.index, entry.kind, entry.time, entry.data, source_id, object_id, version
            )

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
            DiskFull: a disk of the archive is full (nothing was stored, or the version was
                stored and its capture note kept: logged when the archive is next opened).
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
        label = f".staging/captures/{marker.name}"
        note = json.dumps(intent, ensure_ascii=False).encode()
        try:
            self._fault(f"write:{label}")
            _write_atomic(marker, note)
        except OSError as exc:
            if DiskFull.cause_of(exc):
                raise DiskFull(str(marker.parent), f"the capture note of {logical_path}") from exc
            raise StoreError(f"cannot write {marker}: {exc}") from exc
        stored: StoredFile = self.ocfl.put_file(
            object_id,
            path,
            logical_path,
            message=f"{how}: {original}",
            user={"name": self.agent},
        )
        version = stored.version.number
        index = self._log_capture(intent, version, stored.sha256, stored.sha512, stored.size)
        self._fault(f"remove:{label}")
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
            DiskFull: the log's disk is full (the latest checkpoint is left as it was).
        """
        try:
            self._fault("write:log/checkpoint")
            return write_checkpoint(self.log, load_signing_key(self.log))
        except (OSError, LogError) as exc:
            if DiskFull.cause_of(exc):
                raise DiskFull(str(self.log.path), "a checkpoint of the log") from exc
            if isinstance(exc, OSError):
                raise LogError(f"cannot sign a checkpoint in {self.log.path}: {exc}") from exc
            raise

    def proof_bundles(self, checkpoint: Checkpoint) -> dict[str, bytes]:
        """The inclusion proof of the capture of every original the sources come from.

        Args:
            checkpoint: the checkpoint the proofs lead to (its size bounds the entries).

        Returns:
            SHA-256 -> proof bundle (``log.make_proof_bundle``: the ``file_captured`` entry,
            its index, the audit path and the checkpoint), for the latest capture of each
            digest that the checkpoint covers.
        """
        # Imported here: proof making pulls in the verifier and its RFC 3161 client, which
        # opening an archive to read or search never needs.
        from shiliao.log.verify import make_proof_bundle

        bundles: dict[str, bytes] = {}
        for row in self.catalog.file_versions():
            index = row["log_index"]
            if index is not None and index < checkpoint.size:
                bundles[row["sha256"]] = make_proof_bundle(self.log, index, checkpoint)
        return bundles


def _write_atomic(target: Path, data: bytes) -> None:
    """Write a file whole or not at all: temp file, fsync, rename, fsync of the folder (the
    note must outlive a power cut as the OCFL commit after it does)."""
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as temp:
        try:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        except BaseException:
            os.unlink(temp.name)
            raise
    os.replace(temp.name, target)
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _unfinished(root: Path, ocfl: OcflStore) -> bool:
    """Whether a crash (or an older shiliao) left work for the next opening to finish or roll
    back: a commit's staging folder, a capture note, a storage layout to convert or log."""
    staging = root / ".staging" / "ocfl"
    return (
        (staging.is_dir() and any(staging.iterdir()))
        or bool(pending_captures(root))
        or ocfl.layout != LAYOUT_EXTENSION
        or ocfl.layout_conversion() is not None
    )


def pending_captures(root: Path) -> list[dict[str, Any]]:
    """The captures a crash cut short in an archive folder (their notes), without opening it."""
    folder = Path(root) / ".staging" / "captures"
    if not folder.is_dir():
        return []
    notes = []
    for path in sorted(folder.glob("*.json")):
        # A writer at work removes a note once its capture is done: one gone is no capture
        # cut short.
        with contextlib.suppress(FileNotFoundError):
            notes.append(json.loads(path.read_text(encoding="utf-8")))
    return notes


def open_archive(
    root: Path,
    create: bool = False,
    *,
    agent: str = "shiliao",
    fault: Callable[[str], None] | None = None,
    writer: str | None = None,
) -> Archive:
    """Open an archive folder, finishing or rolling back what a crash interrupted.

    Args:
        root: the folder.
        create: make it (database, storage root, log and signing key) when missing; otherwise
            a missing archive is an error.
        agent: who is working, recorded in provenance.
        fault: called with a label before every write step (the OCFL store's, the log's, the
            database's, the search index's, the capture notes'); for crash tests only.
        writer: the command that will write (``"build"``, ``"add"``...): the archive's writer
            lock is taken, and held until the archive is closed. None opens the archive to
            read it: what a crash left is dealt with only when no other shiliao is writing.

    Returns:
        The open ``Archive``; close it (or use it as a context manager).

    Raises:
        ArchiveBusy: ``writer`` is given and another shiliao is writing to the archive.
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
    lock = WriterLock(root, writer or "recover")
    if writer is not None:
        lock.acquire()
    held = writer is not None
    catalog = None
    try:

        def store(convert: bool) -> OcflStore:
            return OcflStore(
                root / "objects",
                staging=root / ".staging" / "ocfl",
                user={"name": agent},
                fault=fault,
                convert=convert,
            )

        ocfl = store(held)
        if not held and _unfinished(root, ocfl):
            # A reader takes the lock only to finish what a crash left, and only when no writer
            # is at work: it would be that writer's own work in progress.
            with contextlib.suppress(ArchiveBusy):
                lock.acquire()
                held = True
                ocfl = store(True)
        if held:
            ocfl.recover()
        catalog = Catalog(db_path, fault=fault)
        archive = Archive(
            root=root,
            catalog=catalog,
            ocfl=ocfl,
            log=open_archive_log(root, fault=fault),
            index_path=root / "index",
            agent=agent,
            fault=fault,
            lock=lock if writer is not None else None,
            interrupted=lock.interrupted,
        )
        if held:
            archive.complete_interrupted_captures()
            archive.log_layout_conversion()
    except BaseException:
        if catalog is not None:
            catalog.close()
        lock.release()
        raise
    if writer is None:
        lock.release()
    return archive
