"""The ingest pipeline: collection -> store -> extract -> zh -> search, incremental.

``ingest`` is the first half of ``shiliao build``: it keeps every file of the collection as an
original, processes the sources whose fingerprint changed (extract, split into passages, find
glossary terms, index), forgets sources that left the collection, and reports what it did and
every problem it saw. Stages talk through the store, and every dependency is passed in.

A source is processed again only when its fingerprint (record bytes, sidecar, processing
version) changed; a source whose passages are stored but not yet in the index (a build that
was killed between the database commit and the index commit) is indexed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from shiliao.archive import Archive, open_archive
from shiliao.capture import capture_url
from shiliao.cite.citations import find_citations, resolve
from shiliao.cite.sources import citable_items, source_item
from shiliao.collection import Collection, CollectionFile, read_collection, source_id_for
from shiliao.config import Settings, load_settings
from shiliao.containers import ContainerOpener, OpenedSources
from shiliao.errors import CaptureError, EncryptedDocument, ExtractError, SearchError, StoreError
from shiliao.extract.media import sniff_media_type
from shiliao.extract.passages import attach_ocr_confidence, split_passages
from shiliao.extract.pool import Limits, extract_many
from shiliao.extract.runner import extract_file
from shiliao.model import Extraction, Page, Passage, Source, SourceInput
from shiliao.search.expand import Expansion, ExpansionTable, expand_query, may_expand
from shiliao.search.facets import (
    FacetValue,
    SearchFilters,
    count_facets,
    facets_from,
    facets_of,
)
from shiliao.search.index import PassageIndex
from shiliao.search.kwic import find_spans, snippet
from shiliao.search.query import parse_query
from shiliao.store import file_object_id
from shiliao.zh.entries import complete_terms
from shiliao.zh.glossary import GlossaryMatcher
from shiliao.zh.script import chinese_script

__all__ = [
    "AddReport",
    "Archive",
    "IngestReport",
    "RebuildReport",
    "SearchHit",
    "SearchResponse",
    "add_targets",
    "current_index",
    "ingest",
    "open_archive",
    "rebuild",
    "rebuild_index",
    "search",
]

_HEAD_BYTES = 8192
# What an extractor reads from a file but the archive never shows: a photo's EXIF position stays
# in the original's bytes only; OCR lines (with boxes) are per page, not source metadata.
_UNPUBLISHED_METADATA = frozenset({"gps_private", "ocr_lines"})


def _limits(settings: Settings) -> Limits:
    table = settings.table("extract")
    return Limits(
        timeout_s=float(table["timeout_s"]),
        max_memory_bytes=int(table["max_memory_bytes"]),
        max_output_bytes=int(table["max_output_bytes"]),
    )


def _unpack_limits(settings: Settings) -> dict[str, int]:
    table = settings.table("extract")
    return {
        "max_unpacked_bytes": int(table["max_unpacked_bytes"]),
        "max_members": int(table["max_archive_members"]),
    }


_CHINESE_TAGS = {"zh", "zh-cn", "zh-tw", "zh-hk", "zh-hans", "zh-hant", "cmn"}

Progress = Callable[[str, int, int], None]


@dataclass
class IngestReport:
    """What one ingest did.

    Attributes:
        processed: ids of sources extracted and indexed now (new or changed).
        unchanged: ids of sources left as they were.
        removed: ids of sources that left the collection (their originals stay stored).
        failed: ``{"source_id", "path", "reason"}`` for each source whose extraction failed.
        duplicates: ``{"path", "same_as", "sha256"}`` for each source file whose bytes are
            those of an earlier one: it is not stored again nor made a source of its own; the
            first keeps its name in ``also_named``.
        skipped: ``{"path", "member", "reason"}`` for each file inside a ZIP or TAR of the
            collection that was not taken out (a link, an unsafe name, encrypted, damaged).
        warnings: one line per problem (file, line where known, and what is wrong).
        changed: whether anything in the archive changed (sources, glossary, sections,
            bibliography).
        seconds: wall-clock time of the ingest.
    """

    processed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    duplicates: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changed: bool = False
    seconds: float = 0.0


def _language(declared: str | None, text: str) -> str:
    if declared and declared.lower() not in _CHINESE_TAGS:
        return declared
    return chinese_script(text) or declared or "und"


def _record_source(
    item: SourceInput,
    file_sha256: str,
    title: str,
    metadata: dict[str, Any],
    text: str,
    status: str,
    error: str | None,
) -> Source:
    declared = metadata.get("language")
    language = _language(declared, text)
    stored = {k: v for k, v in metadata.items() if k not in {"title", "date", "type", "language"}}
    if declared and declared != language:
        stored["language_declared"] = declared
    return Source(
        id=item.id,
        title=title,
        date=str(metadata["date"]) if metadata.get("date") else None,
        type=str(metadata.get("type") or "document"),
        language=language,
        metadata=stored,
        file_sha256=file_sha256,
        line=item.line,
        record_sha256=item.record_sha256,
        path=item.path,
        status=status,
        error=error,
    )


def _name_of(item: SourceInput) -> str:
    """What a source without a title is called: its file's name (a member's, in a container)."""
    member = item.metadata.get("member")
    if member and not _is_url(str(member)):
        return PurePosixPath(str(member)).name
    return str(member or Path(item.path).name)


def _process(
    item: SourceInput,
    file: CollectionFile,
    media_type: str,
    settings: Settings,
    extracted: Extraction | ExtractError | None = None,
) -> tuple[Source, list[Passage]]:
    """Extract one source; an extraction failure is returned as data, never raised.

    ``extracted`` is the file's extraction when it was done ahead (``extract_many``, in
    parallel); otherwise the file is extracted here, in a limited worker process.
    """
    metadata = dict(item.metadata)
    if item.text is not None:
        text = unicodedata.normalize("NFC", item.text.replace("\r\n", "\n").replace("\r", "\n"))
        pages = [Page(1, text)]
        passages = split_passages(item.id, pages, "record")
        title = str(metadata.get("title") or Path(item.path).name)
        return _record_source(item, file.sha256, title, metadata, text, "extracted", None), passages
    if extracted is None:
        limits = _limits(settings)
        try:
            extracted = extract_file(
                file.abspath,
                media_type,
                timeout_s=limits.timeout_s,
                max_memory_bytes=limits.max_memory_bytes,
                max_output_bytes=limits.max_output_bytes,
            )
        except ExtractError as exc:
            extracted = exc
    if isinstance(extracted, ExtractError):
        title = str(metadata.get("title") or _name_of(item))
        # An encrypted file is kept and said to be so, not reported as a parser failure.
        status = (
            "encrypted_no_text" if isinstance(extracted, EncryptedDocument) else "extraction_failed"
        )
        source = _record_source(item, file.sha256, title, metadata, "", status, str(extracted))
        return source, []
    extraction = extracted
    if extraction.documents:
        # A web archive holds several pages; the source is the page it was captured for.
        wanted = metadata.get("final_url") or metadata.get("url")
        extraction = next(
            (d for d in extraction.documents if d.metadata.get("url") == wanted),
            extraction.documents[0],
        )
    found = {
        k: v
        for k, v in extraction.metadata.items()
        if v not in (None, "", []) and k not in _UNPUBLISHED_METADATA
    }
    merged = {
        **{f"extracted_{k}": v for k, v in found.items() if k not in {"title", "date"}},
        **metadata,
    }
    for key in ("title", "date"):
        if not merged.get(key) and found.get(key):
            merged[key] = found[key]
    text = "\n".join(page.text for page in extraction.pages)
    passages = split_passages(item.id, extraction.pages, extraction.method)
    passages = attach_ocr_confidence(passages, extraction.metadata.get("ocr_lines"))
    title = str(merged.get("title") or _name_of(item))
    return _record_source(item, file.sha256, title, merged, text, "extracted", None), passages


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
    """

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _is_url(target: str) -> bool:
    return "://" in target or target.lower().startswith(("http:", "https:", "file:"))


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
        half-written is left (a capture is stored only once complete).

    Raises:
        StoreError, LogError: the archive cannot be written.
    """
    report = AddReport()
    targets = list(targets)
    captures: list[_Captured] = []
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
        _add_captured(archive, captures, settings, report, progress, workers, dask)
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)
    return report


def _add_captured(
    archive: Archive,
    captures: list[_Captured],
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
    index = archive.open_index()
    try:
        # A URL's capture is one page, under the id its URL gives; a file may be a container.
        opener = ContainerOpener(
            files, media_types, staging, _limits(settings), **_unpack_limits(settings)
        )
        opened = opener.open(
            [c.item for c in captures if not _is_url(c.target)],
            lambda source_id: archive.catalog.get_state(f"container:{source_id}"),
        )
        members: dict[str, list[SourceInput]] = {}
        for item in opened.sources:
            members.setdefault(item.path, []).append(item)
        sources = [
            (c.target, source)
            for c in captures
            for source in ([c.item] if _is_url(c.target) else members[c.item.path])
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
            with archive.catalog.transaction():
                archive.catalog.delete_sources(report.removed)
            for source_id in report.removed:
                index.delete_source(source_id)
                archive.record("source_deleted", {"source_id": source_id}, source_id=source_id)
        todo = [s for _, s in sources if stored.get(s.id) != s.fingerprint]
        opener.prepare(opened, todo)
        report.unchanged += [s.id for _, s in sources if stored.get(s.id) == s.fingerprint]
        targets = {s.id: t for t, s in sources}
        extractions = _extractions(
            todo, opened, files, media_types, _limits(settings), workers, dask
        )
        matcher = GlossaryMatcher(archive.catalog.terms())
        position = len(archive.catalog.sources()) + 1_000_000
        for done, (item, media_type, result) in enumerate(extractions, start=1):
            if progress:
                progress("extract", done, len(todo))
            source, passages = _process(item, files[item.path], media_type, settings, result)
            object_id, version = where[item.path]
            _save(
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
            )
            report.added.append(item.id)
            if source.status != "extracted":
                reason = source.error or source.status
                report.failed.append(_failure(item, targets[item.id], reason))
        with archive.catalog.transaction():
            for container_id, state in opened.opened.items():
                archive.catalog.set_state(f"container:{container_id}", asdict(state))
        index.commit()
        with archive.catalog.transaction():
            archive.catalog.mark_indexed(report.added)
    finally:
        index.close()
        shutil.rmtree(staging, ignore_errors=True)
    report.skipped += opened.skipped()
    report.warnings += opened.notes()


def _extractions(
    todo: list[SourceInput],
    opened: OpenedSources,
    files: dict[str, CollectionFile],
    media_types: dict[str, str],
    limits: Limits,
    workers: int,
    dask: str | None,
) -> Iterator[tuple[SourceInput, str, Extraction | ExtractError | None]]:
    """Each source to process with its media type and its extraction, in ``todo`` order.

    The extraction is None for a source whose text its record gives (a JSON-lines line), the
    one made while opening its container (``opened.prepared``), or else the file's (a member
    taken out of a ZIP or TAR, or the collection file) extracted by ``extract_many``:
    ``workers`` at once or on Dask, in order, a failure as an ``ExtractError`` value.
    """

    def located(item: SourceInput) -> tuple[Path, str]:
        return opened.member_files.get(item.id, (files[item.path].abspath, media_types[item.path]))

    jobs = [
        (item.id, *located(item))
        for item in todo
        if item.text is None and item.id not in opened.prepared
    ]
    extracted = extract_many(jobs, workers=workers, dask=dask, limits=limits) if jobs else iter(())
    for item in todo:
        if item.text is not None:
            result = None
        elif item.id in opened.prepared:
            result = opened.prepared[item.id]
        else:
            result = next(extracted)[1]
            member = item.metadata.get("member")
            if isinstance(result, ExtractError) and item.id in opened.member_files and member:
                # The worker read a numbered copy; the reader needs the name inside the archive.
                copy = opened.member_files[item.id][0].name
                result = type(result)(str(result).replace(copy, str(member)))
        yield item, located(item)[1], result


@dataclass(frozen=True)
class _Captured:
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
) -> _Captured | None:
    """Keep one target's bytes (a URL fetched into a WARC, or a file) and log the capture.

    Returns:
        What was kept, or None when the target is reported in ``report`` instead (a missing
        file, or bytes the archive already holds under another name).

    Raises:
        CaptureError: the URL cannot be fetched, or is refused.
        OSError: the file cannot be read.
    """
    if _is_url(target):
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
        metadata = _capture_metadata(target, details["http"])
        source_path = target
    else:
        path = Path(target)
        if not path.is_file():
            report.failed.append({"path": target, "reason": "no such file"})
            return None
        with path.open("rb") as handle:
            media_type = sniff_media_type(handle.read(_HEAD_BYTES), path.name)
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
        id=_added_source_id(source_path),
        path=source_path,
        line=None,
        record_sha256=captured.sha256,
        metadata=metadata,
        text=None,
        fingerprint=_digest_of([captured.sha256, metadata]),
    )
    file = CollectionFile(source_path, path, captured.sha256, captured.size)
    return _Captured(target, item, file, media_type, captured.object_id, captured.version)


def _capture_metadata(url: str, provenance: dict[str, Any]) -> dict[str, Any]:
    """A web page's metadata from its capture's provenance (``Capture.provenance``)."""
    return {
        "url": url,
        "final_url": provenance["finalUrl"],
        "captured": provenance["eventDateTime"],
        "http_status": provenance["status"],
        "type": "webpage",
    }


def _added_source_id(source_path: str) -> str:
    if _is_url(source_path):
        return "web-" + hashlib.sha256(source_path.encode()).hexdigest()[:10]
    return source_id_for(source_path)


def _digest_of(values: Iterable[Any]) -> str:
    return hashlib.sha256(
        json.dumps(list(values), ensure_ascii=False, sort_keys=True, default=str).encode()
    ).hexdigest()


@dataclass
class _StoredFiles:
    """Where each collection file's current bytes are kept.

    Attributes:
        media_types: collection path -> media type sniffed from its bytes.
        objects: collection path -> the OCFL object holding its bytes: its own, or, when the
            same bytes were already kept under another name, that object's.
        versions: collection path -> the version of that object that holds them.
    """

    media_types: dict[str, str] = field(default_factory=dict)
    objects: dict[str, str] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)


def _store_files(archive: Archive, collection: Collection) -> _StoredFiles:
    """Keep every collection file as an original, each set of bytes once, logging each capture,
    and log the files that left the collection.

    A file's bytes go into an OCFL object of its own (``file_object_id`` of its path) unless
    the archive already holds the same bytes, under this or another name: then nothing is
    stored again and a ``duplicate_received`` entry records the new name, the digest and where
    the bytes are (``stored_as``, ``version``, ``stored_path``), so that no name is lost and
    ``rebuild`` can restore the file from the log.
    """
    stored = _StoredFiles()
    known = archive.catalog.collection_files()
    holders: dict[str, tuple[str, int, str]] = {}
    own: dict[tuple[str, str], int] = {}
    for row in archive.catalog.file_versions():
        holders.setdefault(row["sha256"], (row["object_id"], row["version"], row["logical_path"]))
        own[(row["object_id"], row["sha256"])] = row["version"]
    for file in collection.files:
        with file.abspath.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
        stored.media_types[file.path] = sniff_media_type(head, file.abspath.name)
        object_id = file_object_id(file.path)
        if (object_id, file.sha256) in own and known.get(file.path) == file.sha256:
            stored.objects[file.path] = object_id
            stored.versions[file.path] = own[(object_id, file.sha256)]
            continue
        if file.sha256 in holders and (object_id, file.sha256) not in own:
            holder, version, stored_path = holders[file.sha256]
            stored.objects[file.path], stored.versions[file.path] = holder, version
            if known.get(file.path) != file.sha256:
                archive.record(
                    "duplicate_received",
                    {
                        "path": file.path,
                        "sha256": file.sha256,
                        "stored_as": holder,
                        "version": version,
                        "stored_path": stored_path,
                    },
                    object_id=holder,
                    version=version,
                )
            continue
        captured = archive.capture_file(
            object_id,
            file.abspath,
            file.path,
            how="file import",
            original=file.path,
            media_type=stored.media_types[file.path],
        )
        if captured.sha256 != file.sha256:
            raise StoreError(f"{file.path} changed while it was being read; run the build again")
        stored.objects[file.path], stored.versions[file.path] = object_id, captured.version
        own[(object_id, file.sha256)] = captured.version
        holders.setdefault(file.sha256, (object_id, captured.version, file.path))
    current = {f.path for f in collection.files}
    for path in sorted(set(known) - current):
        archive.record(
            "file_removed",
            {"path": path, "object_id": file_object_id(path), "sha256": known[path]},
            object_id=file_object_id(path),
        )
    with archive.catalog.transaction():
        archive.catalog.set_collection_files({f.path: f.sha256 for f in collection.files})
    return stored


def _without_duplicates(sources: list[SourceInput], report: IngestReport) -> list[SourceInput]:
    """The sources without those whose bytes an earlier one has, each reported.

    Files, and files inside a ZIP or TAR, are compared by the SHA-256 of their bytes (a
    JSON-lines line and a web archive's page are always sources of their own: the same page
    captured twice is two captures). The first, in collection order, keeps the other names in
    its ``also_named`` metadata (its fingerprint changes with them, so the names show as soon
    as a duplicate arrives or leaves).
    """
    first_of: dict[str, SourceInput] = {}
    names: dict[str, list[str]] = {}
    kept: list[SourceInput] = []
    for item in sources:
        is_page = "member" in item.metadata and "url" in item.metadata
        if item.line is not None or is_page:
            kept.append(item)
        elif item.record_sha256 in first_of:
            first = first_of[item.record_sha256]
            report.duplicates.append(
                {
                    "path": _name_in_collection(item),
                    "same_as": _name_in_collection(first),
                    "sha256": item.record_sha256,
                }
            )
            names[first.id].append(_name_in_collection(item))
        else:
            first_of[item.record_sha256] = item
            names[item.id] = []
            kept.append(item)
    return [
        replace(
            item,
            metadata={
                **item.metadata,
                "also_named": [*item.metadata.get("also_named", []), *names[item.id]],
            },
            fingerprint=_digest_of([item.fingerprint, names[item.id]]),
        )
        if names.get(item.id)
        else item
        for item in kept
    ]


def _failure(item: SourceInput, path: str, reason: str) -> dict[str, str]:
    """A ``failed`` row: ``source_id``, ``path``, ``reason``, and ``member`` for a file or page
    inside a container."""
    row = {"source_id": item.id, "path": path, "reason": reason}
    if item.metadata.get("member"):
        row["member"] = str(item.metadata["member"])
    return row


def _name_in_collection(item: SourceInput | Source) -> str:
    """A file's collection path; for a file inside a ZIP or TAR, the path and its name inside
    (``sources/scans.zip/通知/一.pdf``); for a web archive's page, the path and the URL."""
    member = item.metadata.get("member")
    if not member:
        return item.path
    return f"{item.path} {member}" if _is_url(str(member)) else f"{item.path}/{member}"


def _save(
    archive: Archive,
    index: PassageIndex,
    matcher: GlossaryMatcher,
    item: SourceInput,
    source: Source,
    passages: list[Passage],
    position: int,
    object_id: str,
    version: int,
    origin: str,
) -> None:
    """Store a processed source with its passages and term mentions, index it (uncommitted)
    and log the change: ``source_added``, ``source_updated`` (its record's bytes changed) or
    ``metadata_edited`` (only what the sidecar says of it changed)."""
    catalog = archive.catalog
    previous = catalog.source(item.id)
    with catalog.transaction():
        ids = catalog.save_source(
            source,
            item.fingerprint,
            position,
            passages,
            origin=origin,
            object_id=object_id,
            object_version=version,
        )
        mentions = [
            (m.term, passage_id, m.char_start, m.char_end)
            for passage_id, passage in zip(ids, passages, strict=True)
            for m in matcher.find(passage.text)
        ]
        catalog.replace_term_mentions(ids, mentions)
    index.delete_source(source.id)
    for passage_id, passage in zip(ids, passages, strict=True):
        index.add(passage_id, source.id, passage.text, facets_of(source))
    if previous is None:
        kind = "source_added"
    elif previous.record_sha256 == source.record_sha256:
        kind = "metadata_edited"
    else:
        kind = "source_updated"
    archive.record(
        kind,
        {
            "source_id": source.id,
            "path": item.path,
            "line": item.line,
            "record_sha256": item.record_sha256,
            "fingerprint": item.fingerprint,
            "object_id": object_id,
            "version": version,
            "status": source.status,
            "origin": origin,
        },
        source_id=source.id,
        object_id=object_id,
        version=version,
    )


def ingest(
    archive: Archive,
    collection: Collection,
    settings: Settings,
    progress: Progress | None = None,
    *,
    workers: int = 1,
    dask: str | None = None,
) -> IngestReport:
    """Bring the archive up to date with a collection folder.

    Args:
        archive: the open archive (written).
        collection: the collection as read by ``collection.read_collection``.
        settings: the merged settings (``extract`` limits are used).
        progress: called as ``progress(stage, done, total)`` while sources are processed.
        workers: files extracted at once (each in its own limited worker process).
        dask: ``"local"`` or a Dask scheduler address to send extraction and OCR to; the
            archive stays the single writer and results are taken in collection order, so the
            archive is the same whichever way it runs.

    Returns:
        An ``IngestReport``. Per-source extraction failures are in ``failed`` and ``warnings``;
        the build goes on.

    Raises:
        StoreError: the archive cannot be written (nothing half-written is left: each source
            is committed in its own transaction, and the index catches up on the next run).
        CitationError: the bibliography is malformed.
    """
    started = time.perf_counter()
    report = IngestReport()
    catalog = archive.catalog
    files = {f.path: f for f in collection.files}
    stored = _store_files(archive, collection)

    if archive.index_path.exists() and not PassageIndex.is_current(archive.index_path):
        # An index of an older layout cannot be updated in place: rebuild it from the database.
        shutil.rmtree(archive.index_path)
    if not archive.index_path.exists():
        with catalog.transaction():
            catalog.forget_index()
    states = catalog.source_states("collection")

    # Traditional forms and pinyin the glossary leaves out are filled in (and marked) here.
    terms = complete_terms(collection.terms)
    terms_digest = _digest_of(t.__dict__ for t in terms)
    terms_changed = catalog.get_state("terms_digest") != terms_digest
    matcher = GlossaryMatcher(terms)
    if terms_changed:
        with catalog.transaction():
            catalog.replace_terms(terms)
            catalog.set_state("terms_digest", terms_digest)

    staging = archive.root / ".staging" / "containers"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    index = archive.open_index()
    try:
        opener = ContainerOpener(
            files, stored.media_types, staging, _limits(settings), **_unpack_limits(settings)
        )
        opened = opener.open(
            _without_duplicates(collection.sources, report),
            lambda source_id: catalog.get_state(f"container:{source_id}"),
        )
        # Again with what the containers held: a file inside a ZIP may be a file of the
        # collection too.
        sources = _without_duplicates(opened.sources, report)
        current = {item.id for item in sources}
        report.removed = sorted(set(states) - current)
        if report.removed:
            with catalog.transaction():
                catalog.delete_sources(report.removed)
            for source_id in report.removed:
                index.delete_source(source_id)
                archive.record("source_deleted", {"source_id": source_id}, source_id=source_id)

        todo = [
            item for item in sources if states.get(item.id, (None, None))[0] != item.fingerprint
        ]
        opener.prepare(opened, todo)
        stale_index = [
            item.id
            for item in sources
            if item.id in states
            and states[item.id][0] == item.fingerprint
            and states[item.id][1] != item.fingerprint
        ]
        positions = {item.id: n for n, item in enumerate(sources)}
        todo_ids = {item.id for item in todo}
        with catalog.transaction():
            for item in sources:
                if item.id not in todo_ids:
                    catalog.relocate_source(
                        item.id,
                        item.path,
                        item.line,
                        files[item.path].sha256,
                        positions[item.id],
                        stored.versions[item.path],
                    )

        extractions = _extractions(
            todo, opened, files, stored.media_types, _limits(settings), workers, dask
        )
        for done, (item, media_type, result) in enumerate(extractions, start=1):
            if progress:
                progress("extract", done, len(todo))
            source, passages = _process(item, files[item.path], media_type, settings, result)
            _save(
                archive,
                index,
                matcher,
                item,
                source,
                passages,
                positions[item.id],
                stored.objects[item.path],
                stored.versions[item.path],
                "collection",
            )
            report.processed.append(item.id)
            if source.status != "extracted":
                report.failed.append(_failure(item, item.path, source.error or ""))
    except BaseException:
        index.close()
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    with catalog.transaction():
        for container_id, state in opened.opened.items():
            catalog.set_state(f"container:{container_id}", asdict(state))
    report.skipped = opened.skipped()

    for source_id in stale_index:
        index.delete_source(source_id)
        stale_facets = facets_of(catalog.source(source_id))
        for passage in catalog.passages(source_id):
            index.add(passage.id, source_id, passage.text, stale_facets)
    index.commit()
    index.close()
    with catalog.transaction():
        catalog.mark_indexed([item.id for item in todo] + stale_index)

    if terms_changed:
        mentions = []
        for passage in catalog.iter_passages():
            mentions.extend(
                (m.term, passage.id, m.char_start, m.char_end) for m in matcher.find(passage.text)
            )
        with catalog.transaction():
            catalog.replace_term_mentions(None, mentions)

    sections_digest = _digest_of(s.sha256 for s in collection.sections)
    bibliography_digest = _digest_of(collection.bibliography)
    other_changed = (
        catalog.get_state("sections_digest") != sections_digest
        or catalog.get_state("bibliography_digest") != bibliography_digest
    )
    if other_changed:
        with catalog.transaction():
            catalog.replace_sections(collection.sections)
            catalog.replace_bibliography(collection.bibliography)
            catalog.set_state("sections_digest", sections_digest)
            catalog.set_state("bibliography_digest", bibliography_digest)

    report.unchanged = [item.id for item in sources if item.id not in todo_ids]
    report.changed = bool(todo or report.removed or terms_changed or other_changed or stale_index)
    report.warnings = opened.notes() + _warnings(archive, collection, report.skipped)
    report.seconds = time.perf_counter() - started
    return report


def _warnings(archive: Archive, collection: Collection, skipped: list[dict[str, str]]) -> list[str]:
    """Every problem a curator should see, one line each, in collection order."""
    warnings = list(collection.problems)
    warnings += [f"{row['path']}: {row['member']}: skipped: {row['reason']}" for row in skipped]
    for source in archive.catalog.sources():
        where = f"{source.path}:{source.line}" if source.line else _name_in_collection(source)
        if source.status != "extracted":
            warnings.append(f"{where}: {source.status.replace('_', ' ')}: {source.error}")
        if not source.date:
            warnings.append(f"{where}: {source.title}: no date")
    # Sections cite bibliography entries and, by id ([@source-id]), archived sources.
    bibliography, clashes = citable_items(
        archive.catalog.bibliography(), [source_item(s) for s in archive.catalog.sources()]
    )
    warnings += clashes
    for section in archive.catalog.sections():
        citations = find_citations(section.body, first_line=section.body_line)
        for resolution in resolve(citations, bibliography):
            warning = resolution.warning(section.path)
            if warning:
                warnings.append(warning)
    return warnings


@dataclass(frozen=True)
class SearchHit:
    """One matching passage.

    Attributes:
        passage: the passage (its ``text`` is the original).
        source: its source.
        spans: where the query matched, as half-open code-point offsets into ``passage.text``.
        snippet: the match in context: ``(left, match, right)`` strings.
    """

    passage: Passage
    source: Source
    spans: list[tuple[int, int]]
    snippet: tuple[str, str, str]


@dataclass(frozen=True)
class SearchResponse:
    """The answer to a query.

    Attributes:
        query: the query as given.
        total: the number of matching passages (all of them, whatever the limit).
        hits: the hits returned, best first (at most the limit).
        expansions: how the glossary expanded pinyin and English words of the query (empty
            when nothing was expanded, or expansion was off).
        facets: when asked for, ``{"collection", "type", "year", "language"}`` -> values with
            the numbers of matching passages and sources (``search.facets.count_facets``),
            over every match, not only the hits returned; else None.
        filters: the filters applied (None for none).
    """

    query: str
    total: int
    hits: list[SearchHit]
    expansions: list[Expansion] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] | None = None
    filters: SearchFilters | None = None

    @property
    def expanded_to(self) -> list[str]:
        """The glossary terms added to the query, in query order, each once."""
        return list(dict.fromkeys(t for expansion in self.expansions for t in expansion.terms))


def search(
    archive: Archive,
    query: str,
    limit: int | None = 20,
    width: int = 30,
    *,
    expand: bool = True,
    filters: SearchFilters | None = None,
    facets: bool = False,
    index: PassageIndex | None = None,
) -> SearchResponse:
    """Search the archive's passages.

    Args:
        archive: the open archive.
        query: words (all must match), ``"quoted phrases"``; Simplified, Traditional,
            full-width and half-width forms match each other.
        limit: the most hits to return; None for all.
        width: characters of context on each side of the match in the snippet.
        expand: look up pinyin and English words in the glossary and also search for the
            Chinese terms they name (``search.expand``).
        filters: restrict the sources searched (year range, collections, types, languages).
        facets: also count the matches by collection, type, year and language.
        index: an open, current index to search (a long-lived process keeps one open); None
            opens the archive's.

    Returns:
        A ``SearchResponse``.

    Raises:
        QueryError: the query is empty or malformed.
        SearchError: the index cannot be read or rebuilt (an index that is missing, or of an
            older layout, is rebuilt from the database first).
    """
    parsed = parse_query(query)
    expansions: list[Expansion] = []
    if expand and may_expand(parsed):
        parsed, expansions = expand_query(parsed, ExpansionTable(archive.catalog.terms()))
    if index is None:
        index = current_index(archive)
    result = index.search(parsed, limit, filters)
    facet_counts = None
    if facets:
        counts = index.source_counts(parsed, filters)
        source_facets = {
            source_id: facets_from(*fields)
            for source_id, fields in archive.catalog.source_facets(counts).items()
        }
        facet_counts = count_facets(counts, source_facets)
    passages = archive.catalog.passages_by_id(result.passage_ids)
    sources: dict[str, Source | None] = {}
    hits = []
    for passage_id in result.passage_ids:
        passage = passages.get(passage_id)
        if passage is None:
            continue
        if passage.source_id not in sources:
            sources[passage.source_id] = archive.catalog.source(passage.source_id)
        source = sources[passage.source_id]
        if source is None:
            continue
        kwic = snippet(passage.text, parsed, width)
        if kwic is None:
            raise SearchError(
                f"the search index of {archive.root} is out of date with its database; "
                "run `shiliao build` again to bring it up to date"
            )
        hits.append(
            SearchHit(
                passage=passage,
                source=source,
                spans=find_spans(passage.text, parsed),
                snippet=(kwic.left, kwic.match, kwic.right),
            )
        )
    return SearchResponse(
        query=query,
        total=result.total,
        hits=hits,
        expansions=expansions,
        facets=facet_counts,
        filters=None if filters is None or filters.is_empty else filters,
    )


def current_index(archive: Archive) -> PassageIndex:
    """Open the archive's search index, rebuilding it from the database first when it is
    missing or of an older layout (``search.index.LAYOUT``).

    Raises:
        SearchError: the index cannot be read or rebuilt.
    """
    if not PassageIndex.is_current(archive.index_path):
        rebuild_index(archive)
    return archive.open_index()


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
        StoreError: a file the log names is not stored, or the archive cannot be written.
        LogCorrupt: the log cannot be read.
    """
    root = Path(root)
    if not (root / "objects").is_dir() or not (root / "log" / "entries.jsonl").is_file():
        raise StoreError(f"{root}: not a shiliao archive (no objects/ and log/ to rebuild from)")
    with open_archive(root, create=True) as probe:
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
        with open_archive(root, create=True) as archive:
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
                metadata = _capture_metadata(data["path"], http) if http else {}
                item = SourceInput(
                    id=_added_source_id(data["path"]),
                    path=data["path"],
                    line=None,
                    record_sha256=capture["sha256"],
                    metadata=metadata,
                    text=None,
                    fingerprint=_digest_of([capture["sha256"], metadata]),
                )
                restored_captures.append(
                    _Captured(
                        data["path"],
                        item,
                        CollectionFile(data["path"], restored, capture["sha256"], capture["size"]),
                        capture["media_type"],
                        data["object_id"],
                        data["version"],
                    )
                )
            _add_captured(
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


def rebuild_index(archive: Archive) -> int:
    """Throw the search index away and build it again from the database.

    Returns:
        The number of passages indexed.

    Raises:
        SearchError: the index cannot be written.
    """
    if archive.index_path.exists():
        shutil.rmtree(archive.index_path)
    index = archive.open_index()
    count = 0
    facets = {source.id: facets_of(source) for source in archive.catalog.sources()}
    for passage in archive.catalog.iter_passages():
        index.add(passage.id, passage.source_id, passage.text, facets[passage.source_id])
        count += 1
    index.commit()
    with archive.catalog.transaction():
        archive.catalog.mark_indexed(archive.catalog.source_states())
    return count
