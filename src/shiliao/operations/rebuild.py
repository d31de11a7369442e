"""Rebuild: make an archive's database and search index again from ``objects/`` and ``log/``."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shiliao.archive import open_archive
from shiliao.collection import CollectionFile, read_collection
from shiliao.config import load_settings
from shiliao.errors import StoreError
from shiliao.model import SourceInput
from shiliao.operations.add import (
    AddReport,
    Captured,
    add_captured,
    capture_metadata,
)
from shiliao.operations.ingest import IngestReport, ingest
from shiliao.operations.processing import Progress, digest_of
from shiliao.store import file_object_id
from shiliao.store.lock import writer_lock

__all__ = ["RebuildReport", "rebuild"]


@dataclass
class RebuildReport:
    """What ``rebuild`` did.

    Attributes:
        collection_files: collection files restored from the storage root.
        added: sources captured with ``add`` made again from their stored bytes.
        ingest: the report of the ingest of the restored collection.
    """

    collection_files: int
    added: int
    ingest: IngestReport


def rebuild(root: Path, progress: Progress | None = None) -> RebuildReport:
    """Make the database and search index again from ``objects/`` and ``log/`` alone.

    The log says which files the collection held (the last ``file_captured`` or
    ``duplicate_received`` of each collection path not followed by a ``file_removed``) and which sources were added with
    ``add``; their bytes come from the OCFL root. The collection is restored into a staging
    folder and ingested with the settings it held (its ``shiliao.toml``), the added sources
    are extracted again, and the provenance events are copied from the log. Nothing is appended
    to the log. The old database and index are kept aside until the new ones are complete,
    and put back if anything fails.

    Args:
        root: the archive folder.
        progress: as for ``ingest``.

    Returns:
        A ``RebuildReport``.

    Raises:
        ArchiveBusy: another shiliao is writing to the archive (nothing was done).
        StoreError: a file the log names is not stored, or the archive cannot be written.
        LogCorrupt: the log cannot be read.
    """
    root = Path(root)
    if not (root / "objects").is_dir() or not (root / "log" / "entries.jsonl").is_file():
        raise StoreError(f"{root}: not a shiliao archive (no objects/ and log/ to rebuild from)")
    # Held throughout: the database is moved aside between the two opens below.
    with writer_lock(root, "rebuild"):
        return _rebuild(root, progress)


def _rebuild(root: Path, progress: Progress | None) -> RebuildReport:
    with open_archive(root, create=True, writer="rebuild") as probe:
        entries = list(probe.log.entries())
        ocfl = probe.ocfl
    staging = root / ".staging" / "rebuild"
    if staging.exists():
        shutil.rmtree(staging)
    (staging / "old").mkdir(parents=True)
    collection_dir = staging / "collection"
    (collection_dir / "sources").mkdir(parents=True)

    # collection path -> (object, version, logical path) holding its bytes
    current: dict[str, tuple[str, int, str]] = {}
    added: dict[str, dict[str, Any]] = {}
    captures: dict[tuple[str, int], dict[str, Any]] = {}
    for entry in entries:
        data = entry.data
        if entry.kind == "file_captured":
            captures[(data["object_id"], data["version"])] = data
            if data["object_id"] == file_object_id(data["path"]) and not data["path"].startswith(
                "added/"
            ):
                current[data["path"]] = (data["object_id"], data["version"], data["path"])
        elif entry.kind == "duplicate_received" and "path" in data:
            # A collection file whose bytes were already kept under another name.
            current[data["path"]] = (data["stored_as"], data["version"], data["stored_path"])
        elif entry.kind == "file_removed":
            current.pop(data["path"], None)
        elif entry.kind in {"source_added", "source_updated", "metadata_edited"}:
            if data.get("origin") == "added":
                added[data["source_id"]] = data
        elif entry.kind == "source_deleted":
            added.pop(data["source_id"], None)

    for path, (object_id, version, logical_path) in current.items():
        target = collection_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with ocfl.open(object_id, logical_path, version) as original, target.open("wb") as copy:
            shutil.copyfileobj(original, copy)

    moved = []
    for name in ("shiliao.db", "shiliao.db-wal", "shiliao.db-shm", "index"):
        if (root / name).exists():
            os.replace(root / name, staging / "old" / name)
            moved.append(name)
    try:
        with open_archive(root, create=True, writer="rebuild") as archive:
            archive.replaying = True
            with archive.catalog.transaction():
                for entry in entries:
                    data = entry.data
                    archive.catalog.record_event(
                        entry.index,
                        entry.kind,
                        entry.time,
                        data,
                        data.get("source_id"),
                        data.get("object_id"),
                        data.get("version"),
                    )
                    if entry.kind == "file_captured":
                        archive.catalog.record_file(
                            data["sha256"],
                            data["size"],
                            data["media_type"],
                            Path(data["path"]).name,
                        )
                        archive.catalog.record_file_version(
                            data["object_id"],
                            data["version"],
                            data["path"],
                            data["sha256"],
                            data["sha512"],
                            data["size"],
                            entry.index,
                        )
            report = ingest(
                archive,
                read_collection(collection_dir),
                load_settings(collection_dir),
                progress,
            )
            restored_captures = []
            # Each added file or URL from its latest capture (the sources of one ZIP point at
            # the versions they were last changed in).
            latest: dict[str, dict[str, Any]] = {}
            for data in added.values():
                if data["version"] >= latest.get(data["path"], data)["version"]:
                    latest[data["path"]] = data
            for position, data in enumerate(latest.values()):
                capture = captures[(data["object_id"], data["version"])]
                restored = staging / "added" / str(position) / Path(capture["path"]).name
                restored.parent.mkdir(parents=True)
                with (
                    ocfl.open(data["object_id"], capture["path"], data["version"]) as original,
                    restored.open("wb") as copy,
                ):
                    shutil.copyfileobj(original, copy)
                http = capture.get("http")
                metadata = capture_metadata(data["path"], http) if http else {}
                item = SourceInput(
                    id=data["source_id"],
                    path=data["path"],
                    line=None,
                    record_sha256=capture["sha256"],
                    metadata=metadata,
                    text=None,
                    fingerprint=digest_of([capture["sha256"], metadata]),
                )
                restored_captures.append(
                    Captured(
                        data["path"],
                        item,
                        CollectionFile(data["path"], restored, capture["sha256"], capture["size"]),
                        capture["media_type"],
                        data["object_id"],
                        data["version"],
                    )
                )
            add_captured(
                archive,
                restored_captures,
                load_settings(collection_dir),
                AddReport(),
                progress,
                1,
                None,
            )
    except BaseException:
        for name in ("shiliao.db", "shiliao.db-wal", "shiliao.db-shm", "index"):
            if (root / name).is_dir():
                shutil.rmtree(root / name)
            elif (root / name).exists():
                (root / name).unlink()
        for name in moved:
            os.replace(staging / "old" / name, root / name)
        raise
    shutil.rmtree(staging)
    return RebuildReport(collection_files=len(current), added=len(added), ingest=report)
