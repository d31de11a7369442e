"""Add: capture URLs and files into an archive as sources of their own (``shiliao add``).

Every target is captured first (a URL fetched into a WARC, a file copied in), one after
another, each capture logged; then the new sources are extracted, stored and indexed through
the same steps as a collection's (``operations.processing``). A web archive, ZIP or TAR file
given to ``add`` opens into a source per page or file inside it. The log is signed at the end
only when sources were added, updated or removed: an add that changes nothing (a refused URL,
a missing file, bytes the archive already holds) signs nothing, so the newest checkpoint stays
the one the published site's proofs lead to.
"""

from __future__ import annotations

import hashlib
import shutil
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from shiliao.archive import Archive
from shiliao.capture import capture_url
from shiliao.collection import CollectionFile, source_id_for
from shiliao.config import Settings
from shiliao.containers import ContainerOpener
from shiliao.errors import CaptureError
from shiliao.extract.media import sniff_media_type
from shiliao.log import Checkpoint, stored_checkpoints
from shiliao.model import SourceInput
from shiliao.operations.checkpoints import publish_checkpoint, recall_targets
from shiliao.operations.processing import (
    HEAD_BYTES,
    Progress,
    delete_sources,
    digest_of,
    extract_limits,
    extract_sources,
    failure_row,
    is_url,
    mark_indexed,
    open_index,
    process_source,
    reindex,
    save_source,
    stale_sources,
    unpack_limits,
)
from shiliao.store import file_object_id
from shiliao.zh.glossary import GlossaryMatcher

__all__ = [
    "AddReport",
    "Captured",
    "add_captured",
    "add_targets",
    "added_source_id",
    "capture_metadata",
]

# The log entries that change what a checkpoint of an add covers.
_SOURCE_CHANGES = {"source_added", "source_updated", "metadata_edited", "source_deleted"}


@dataclass
class AddReport:
    """What ``add_targets`` did.

    Attributes:
        added: ids of the sources added or updated now.
        unchanged: ids of sources whose bytes the archive already held under the same name.
        duplicates: ids of sources already holding the same bytes under another name (the new
            name is logged; nothing is stored twice).
        failed: ``{"path", "reason"}`` for each target that could not be captured or read, and
            each added source whose extraction failed (with ``source_id``).
        skipped: ``{"path", "member", "reason"}`` for each file inside an added ZIP or TAR
            that was not taken out.
        removed: ids of sources of an earlier capture of the same file that its new bytes no
            longer hold (a file that left a ZIP added again).
        warnings: problems a curator should see, one line each (a web archive cut off).
        checkpoint: the checkpoint signed at the end, or None when nothing was added, updated
            or removed (nothing signed).
    """

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checkpoint: Checkpoint | None = None


def add_targets(
    archive: Archive,
    targets: Iterable[str],
    settings: Settings,
    *,
    allow_private: bool = False,
    transport: Any = None,
    resolver: Any = None,
    progress: Progress | None = None,
    workers: int = 1,
    dask: str | None = None,
) -> AddReport:
    """Capture URLs and files into the archive as sources of their own (origin ``added``).

    A URL is fetched into a WARC (``capture.capture_url``: refuses private addresses at every
    hop unless ``allow_private``, with size and time limits), stored as the original with the
    HTTP status and headers as provenance, and its page extracted. A file is stored as
    ``added/<name>``; a web archive or a ZIP or TAR file is opened into a source per page or
    file inside it (``containers.ContainerOpener``). Sources added this way stay when the
    collection is built again. Every target is captured first, one after another; then the
    new sources are extracted (``workers`` at once, or on Dask) and stored in target order.

    Args:
        archive: the open archive (written).
        targets: URLs (``http``/``https``) and file paths.
        settings: the merged settings (``extract`` and ``capture`` limits).
        allow_private: let a URL reach loopback and private addresses (a local test server).
        transport, resolver: passed to ``capture_url`` (tests inject them).
        progress: called as ``progress(stage, done, total)``, stages ``"capture"`` and
            ``"extract"``.
        workers: files extracted at once (each in its own limited worker process).
        dask: ``"local"`` or a Dask scheduler address to extract on (see ``ingest``).

    Returns:
        An ``AddReport``. A target that fails is reported and the rest go on; nothing
        half-written is left (a capture is stored only once complete). When sources were
        added, updated or removed, the log is signed (``report.checkpoint``); otherwise
        nothing is (a duplicate's ``duplicate_received`` entry is signed with the next
        checkpoint).

    Raises:
        StoreError, LogError: the archive cannot be written.
        DiskFull: a disk of the archive is full (the message names the folder); what was done
            is kept, and the same ``add`` run again finishes the rest.
        CheckpointError: the log no longer matches its latest checkpoint (nothing is signed),
            or a copy of a checkpoint kept outside the archive is not one the log extends.
        PublicationError: the checkpoint could not be timestamped or copied to a target the
            archive remembers from ``[checkpoints]`` (``operations.checkpoints``); what was
            added stays added.
    """
    report = AddReport()
    targets = list(targets)
    captures: list[Captured] = []
    temps: list[Path] = []
    try:
        for done, target in enumerate(targets, start=1):
            if progress:
                progress("capture", done, len(targets))
            try:
                captured = _capture_target(
                    archive, target, settings, allow_private, transport, resolver, report, temps
                )
            except (CaptureError, OSError) as exc:
                report.failed.append({"path": target, "reason": str(exc)})
                continue
            if captured is not None:
                captures.append(captured)
        add_captured(archive, captures, settings, report, progress, workers, dask)
        if report.added or report.removed or _changes_unsigned(archive):
            report.checkpoint = archive.checkpoint()
            publish_checkpoint(archive.log, report.checkpoint, recall_targets(archive.catalog))
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)
    return report


def _changes_unsigned(archive: Archive) -> bool:
    """Whether the log holds changes to sources that no checkpoint covers: an add killed after
    it stored its sources and before it signed them (this add signs them)."""
    stored = stored_checkpoints(archive.log.path)
    signed = stored[-1][0] if stored else 0
    return any(entry.kind in _SOURCE_CHANGES for entry in archive.log.entries(signed))


def add_captured(
    archive: Archive,
    captures: list[Captured],
    settings: Settings,
    report: AddReport,
    progress: Progress | None,
    workers: int,
    dask: str | None,
) -> None:
    """Make the sources of kept targets: open containers, extract what is new or changed (in
    parallel), store and index it in target order; ``report`` gets ``added``, ``unchanged``,
    ``skipped`` and the failed extractions."""
    # The same target given twice is one source, made from its last capture.
    last = {c.item.path: c for c in captures}
    for capture in captures:
        if capture.file.sha256 != last[capture.item.path].file.sha256:
            report.warnings.append(
                f"{capture.target}: another file of the same name was given after it; both are "
                f"kept as versions of {capture.item.path}, its sources are made from the last"
            )
    captures = list(last.values())
    stored = {s: f for s, (f, _) in archive.catalog.source_states("added").items()}
    files = {c.item.path: c.file for c in captures}
    media_types = {c.item.path: c.media_type for c in captures}
    where = {c.item.path: (c.object_id, c.version) for c in captures}
    staging = archive.root / ".staging" / "added"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    index = open_index(archive)
    try:
        # A URL's capture is one page, under the id its URL gives; a file may be a container.
        opener = ContainerOpener(
            files, media_types, staging, extract_limits(settings), **unpack_limits(settings)
        )
        opened = opener.open(
            [c.item for c in captures if not is_url(c.target)],
            lambda source_id: archive.catalog.get_state(f"container:{source_id}"),
        )
        members: dict[str, list[SourceInput]] = {}
        for item in opened.sources:
            members.setdefault(item.path, []).append(item)
        sources = [
            (c.target, source)
            for c in captures
            for source in ([c.item] if is_url(c.target) else members[c.item.path])
        ]
        # Sources of an earlier capture of the same file that its new bytes no longer hold (a
        # file that left a ZIP) go, as a collection's do.
        kept = {source.id for _, source in sources}
        paths = set(files)
        report.removed += [
            s.id
            for s in archive.catalog.sources()
            if s.id in stored and s.path in paths and s.id not in kept
        ]
        if report.removed:
            delete_sources(archive, index, report.removed)
        todo = [s for _, s in sources if stored.get(s.id) != s.fingerprint]
        # Sources an add killed before its index commit left unindexed.
        stale = stale_sources(archive, {s.id for s in todo})
        opener.prepare(opened, todo)
        report.unchanged += [s.id for _, s in sources if stored.get(s.id) == s.fingerprint]
        targets = {s.id: t for t, s in sources}
        extractions = extract_sources(
            todo, opened, files, media_types, extract_limits(settings), workers, dask
        )
        matcher = GlossaryMatcher(archive.catalog.terms())
        position = len(archive.catalog.sources()) + 1_000_000
        for done, (item, media_type, result) in enumerate(extractions, start=1):
            if progress:
                progress("extract", done, len(todo))
            source, passages, layers = process_source(
                item, files[item.path], media_type, settings, result
            )
            object_id, version = where[item.path]
            save_source(
                archive,
                index,
                matcher,
                item,
                source,
                passages,
                position + done,
                object_id,
                version,
                "added",
                layers,
            )
            report.added.append(item.id)
            if source.status != "extracted":
                reason = source.error or source.status
                report.failed.append(failure_row(item, targets[item.id], reason))
        with archive.catalog.transaction():
            for container_id, state in opened.opened.items():
                archive.catalog.set_state(f"container:{container_id}", asdict(state))
        reindex(archive, index, stale)
        index.commit()
        mark_indexed(archive, report.added + stale)
    finally:
        index.close()
        shutil.rmtree(staging, ignore_errors=True)
    report.skipped += opened.skipped()
    report.warnings += opened.notes()


@dataclass(frozen=True)
class Captured:
    """A target of ``add_targets`` once its bytes are kept."""

    target: str
    item: SourceInput
    file: CollectionFile
    media_type: str
    object_id: str
    version: int


def _capture_target(
    archive: Archive,
    target: str,
    settings: Settings,
    allow_private: bool,
    transport: Any,
    resolver: Any,
    report: AddReport,
    temps: list[Path],
) -> Captured | None:
    """Keep one target's bytes (a URL fetched into a WARC, or a file) and log the capture.

    Returns:
        What was kept, or None when the target is reported in ``report`` instead (a missing
        file, or bytes the archive already holds under another name).

    Raises:
        CaptureError: the URL cannot be fetched, or is refused.
        OSError: the file cannot be read.
    """
    if is_url(target):
        capture = capture_url(
            target,
            allow_private=allow_private,
            transport=transport,
            resolver=resolver,
            agent=archive.agent,
            timeout_s=float(settings.table("capture")["timeout_s"]),
            max_bytes=int(settings.table("capture")["max_bytes"]),
        )
        path = Path(capture.warc_path)
        temps.append(path)
        media_type = "application/warc"
        object_id = "urn:shiliao:url:" + quote(target, safe="/:?=&")
        logical, original, how = "capture.warc.gz", target, "URL capture"
        details: dict[str, Any] = {"http": capture.provenance()}
        metadata = capture_metadata(target, details["http"])
        source_path = target
    else:
        path = Path(target)
        if not path.is_file():
            report.failed.append({"path": target, "reason": "no such file"})
            return None
        with path.open("rb") as handle:
            media_type = sniff_media_type(handle.read(HEAD_BYTES), path.name)
        source_path = "added/" + unicodedata.normalize("NFC", path.name)
        object_id = file_object_id(source_path)
        logical, original, how, details = source_path, str(path), "file import", {}
        metadata = {}
        with path.open("rb") as handle:
            sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
        same = archive.catalog.file_versions(sha256)
        if same and all(row["object_id"] != object_id for row in same):
            archive.record(
                "duplicate_received",
                {"name": str(path), "sha256": sha256, "stored_as": same[0]["object_id"]},
                object_id=same[0]["object_id"],
            )
            holders = [s.id for s in archive.catalog.sources() if s.file_sha256 == sha256]
            report.duplicates.extend(holders or [same[0]["object_id"]])
            return None
    captured = archive.capture_file(
        object_id, path, logical, how=how, original=original, media_type=media_type, details=details
    )
    item = SourceInput(
        id=_unused_source_id(archive, source_path),
        path=source_path,
        line=None,
        record_sha256=captured.sha256,
        metadata=metadata,
        text=None,
        fingerprint=digest_of([captured.sha256, metadata]),
    )
    file = CollectionFile(source_path, path, captured.sha256, captured.size)
    return Captured(target, item, file, media_type, captured.object_id, captured.version)


def capture_metadata(url: str, provenance: dict[str, Any]) -> dict[str, Any]:
    """A web page's metadata from its capture's provenance (``Capture.provenance``)."""
    return {
        "url": url,
        "final_url": provenance["finalUrl"],
        "captured": provenance["eventDateTime"],
        "http_status": provenance["status"],
        "type": "webpage",
    }


def _unused_source_id(archive: Archive, source_path: str) -> str:
    """The id for a source added from ``source_path``: ``added_source_id``'s, unless another
    source holds it (``通知.txt`` added after ``通知.html`` has the same stem), then that id with
    8 hex digits of the path's SHA-256, so that no add replaces a source of another file. The
    id is logged with the source, and ``rebuild`` takes it from there."""
    source_id = added_source_id(source_path)
    holder = archive.catalog.source(source_id)
    if holder is None or holder.path == source_path:
        return source_id
    return f"{source_id}-{hashlib.sha256(source_path.encode('utf-8')).hexdigest()[:8]}"


def added_source_id(source_path: str) -> str:
    if is_url(source_path):
        return "web-" + hashlib.sha256(source_path.encode()).hexdigest()[:10]
    return source_id_for(source_path)
