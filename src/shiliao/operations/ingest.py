"""Ingest: bring an archive up to date with a collection folder, incrementally.

``ingest`` is the first half of ``shiliao build``: it keeps every file of the collection as an
original, processes the sources whose fingerprint changed (extract, split into passages, find
glossary terms, index), forgets sources that left the collection, and reports what it did and
every problem it saw. Stages talk through the store, and every dependency is passed in.

A source is processed again only when its fingerprint (record bytes, sidecar, processing
version) changed; a source whose passages are stored but not yet in the index (a build that
was killed between the database commit and the index commit) is indexed again.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

from shiliao.archive import Archive
from shiliao.cite.citations import find_citations, resolve
from shiliao.cite.sources import citable_items, source_item
from shiliao.collection import Collection
from shiliao.collection.annotations import ANNOTATIONS_FILE
from shiliao.config import Settings
from shiliao.containers import ContainerOpener
from shiliao.errors import FileChanged
from shiliao.extract.media import sniff_media_type
from shiliao.model import SourceInput
from shiliao.operations.processing import (
    HEAD_BYTES,
    Progress,
    delete_sources,
    digest_of,
    extract_limits,
    extract_sources,
    failure_row,
    mark_indexed,
    name_in_collection,
    open_index,
    process_source,
    reindex,
    save_source,
    stale_sources,
    unpack_limits,
)
from shiliao.operations.review import detect_again, privacy_inputs, record_privacy_inputs
from shiliao.search.index import PassageIndex
from shiliao.store import file_object_id
from shiliao.zh.entries import complete_terms
from shiliao.zh.glossary import GlossaryMatcher

__all__ = ["IngestReport", "ingest"]


@dataclass
class IngestReport:
    """What one ingest did.

    Attributes:
        processed: ids of sources extracted and indexed now (new or changed).
        unchanged: ids of sources left as they were.
        removed: ids of sources that left the collection (their originals stay stored).
        failed: ``{"source_id", "path", "reason"}`` for each source whose extraction failed, and
            ``{"path", "line", "reason"}`` for each JSON-lines line that is no source.
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
            head = handle.read(HEAD_BYTES)
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
                # Logged with the path's new digest, so that a rerun after a crash finds it known.
                with archive.catalog.transaction():
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
                    archive.catalog.set_collection_file(file.path, file.sha256)
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
            raise FileChanged(f"{file.path} changed while it was being read; run the build again")
        stored.objects[file.path], stored.versions[file.path] = object_id, captured.version
        own[(object_id, file.sha256)] = captured.version
        holders.setdefault(file.sha256, (object_id, captured.version, file.path))
    current = {f.path for f in collection.files}
    for path in sorted(set(known) - current):
        with archive.catalog.transaction():
            archive.record(
                "file_removed",
                {"path": path, "object_id": file_object_id(path), "sha256": known[path]},
                object_id=file_object_id(path),
            )
            archive.catalog.set_collection_file(path, None)
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
                    "path": name_in_collection(item),
                    "same_as": name_in_collection(first),
                    "sha256": item.record_sha256,
                }
            )
            names[first.id].append(name_in_collection(item))
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
            fingerprint=digest_of([item.fingerprint, names[item.id]]),
        )
        if names.get(item.id)
        else item
        for item in kept
    ]


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
    # A JSON-lines line that is no source failed alone, while the collection was read.
    report = IngestReport(failed=list(collection.failed))
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
    terms_digest = digest_of(t.__dict__ for t in terms)
    terms_changed = catalog.get_state("terms_digest") != terms_digest
    matcher = GlossaryMatcher(terms)
    if terms_changed:
        # The digest is saved with the mentions (below): a crash in between makes them again.
        with catalog.transaction():
            catalog.replace_terms(terms)

    staging = archive.root / ".staging" / "containers"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    index = open_index(archive)
    try:
        opener = ContainerOpener(
            files, stored.media_types, staging, extract_limits(settings), **unpack_limits(settings)
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
            delete_sources(archive, index, report.removed)

        todo = [
            item for item in sources if states.get(item.id, (None, None))[0] != item.fingerprint
        ]
        opener.prepare(opened, todo)
        todo_ids = {item.id for item in todo}
        # Of added sources too: an add killed before its index commit has none else to do it.
        stale_index = stale_sources(archive, todo_ids)
        positions = {item.id: n for n, item in enumerate(sources)}
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

        extractions = extract_sources(
            todo, opened, files, stored.media_types, extract_limits(settings), workers, dask
        )
        for done, (item, media_type, result) in enumerate(extractions, start=1):
            if progress:
                progress("extract", done, len(todo))
            source, passages, layers = process_source(
                item, files[item.path], media_type, settings, result
            )
            save_source(
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
                layers,
            )
            report.processed.append(item.id)
            if source.status != "extracted":
                report.failed.append(failure_row(item, item.path, source.error or ""))
        with catalog.transaction():
            for container_id, state in opened.opened.items():
                catalog.set_state(f"container:{container_id}", asdict(state))
        report.skipped = opened.skipped()

        reindex(archive, index, stale_index)
        index.commit()
    finally:
        index.close()
        shutil.rmtree(staging, ignore_errors=True)
    mark_indexed(archive, [item.id for item in todo] + stale_index)

    if terms_changed:
        mentions = []
        for passage in catalog.iter_passages():
            mentions.extend(
                (m.term, passage.id, m.char_start, m.char_end) for m in matcher.find(passage.text)
            )
        with catalog.transaction():
            catalog.replace_term_mentions(None, mentions)
            catalog.set_state("terms_digest", terms_digest)

    # The sections, the bibliography, the notes and the translations are few and hand-written:
    # each is stored whole when its files changed (its digest is part of content_version).
    editorial: list[tuple[str, str, Callable[[], None]]] = [
        (
            "sections_digest",
            digest_of(s.sha256 for s in collection.sections),
            lambda: catalog.replace_sections(collection.sections),
        ),
        (
            "bibliography_digest",
            digest_of(collection.bibliography),
            lambda: catalog.replace_bibliography(collection.bibliography),
        ),
        (
            "annotations_digest",
            digest_of(asdict(a) for a in collection.annotations),
            lambda: catalog.replace_annotations(collection.annotations),
        ),
        (
            "translations_digest",
            digest_of(asdict(t) for t in collection.translations),
            lambda: catalog.replace_translations(collection.translations),
        ),
    ]
    stale = [
        (key, digest, store) for key, digest, store in editorial if catalog.get_state(key) != digest
    ]
    if stale:
        with catalog.transaction():
            for key, digest, store in stale:
                store()
                catalog.set_state(key, digest)

    detected = detect_again(archive, report.processed)
    inputs = privacy_inputs(collection, settings)
    decisions_changed = bool(record_privacy_inputs(archive, inputs))

    report.unchanged = [item.id for item in sources if item.id not in todo_ids]
    report.changed = bool(
        todo
        or report.removed
        or terms_changed
        or stale
        or stale_index
        or detected
        or decisions_changed
    )
    report.warnings = opened.notes() + _warnings(archive, collection, report.skipped)
    report.seconds = time.perf_counter() - started
    return report


def _warnings(archive: Archive, collection: Collection, skipped: list[dict[str, str]]) -> list[str]:
    """Every problem a curator should see, one line each, in collection order."""
    warnings = list(collection.problems)
    warnings += [f"{row['path']}: {row['member']}: skipped: {row['reason']}" for row in skipped]
    for source in archive.catalog.sources():
        where = f"{source.path}:{source.line}" if source.line else name_in_collection(source)
        if source.status != "extracted":
            warnings.append(f"{where}: {source.status.replace('_', ' ')}: {source.error}")
        if not source.date:
            warnings.append(
                f"{where}: {source.title}: no date found in it; if you know one, give it in "
                "its sidecar as EDTF (date: 2016, 2019-04 or 2019-04-10)"
            )
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
    return warnings + _note_warnings(archive, collection)


def _note_warnings(archive: Archive, collection: Collection) -> list[str]:
    """What annotations and translations name that the archive does not hold: a source, a
    passage, a quote that is not in its passage; none is an error (a source may be renamed
    after it was annotated), and nothing missing is published."""
    catalog = archive.catalog
    ids = {s.id for s in catalog.sources()}
    texts: dict[str, dict[int, str]] = {}

    def passages(source_id: str) -> dict[int, str]:
        if source_id not in texts:
            texts[source_id] = {p.paragraph: p.text for p in catalog.passages(source_id)}
        return texts[source_id]

    warnings = []
    for note in collection.annotations:
        where = f"{ANNOTATIONS_FILE}:{note.line}"
        if note.source not in ids:
            warnings.append(f"{where}: no source {note.source!r} in the archive; not shown")
            continue
        text = passages(note.source).get(note.paragraph)
        if text is None:
            warnings.append(
                f"{where}: source {note.source!r} has no paragraph {note.paragraph} "
                f"({len(passages(note.source))} passages); not shown"
            )
        elif note.quote and note.quote not in text:
            warnings.append(
                f"{where}: the quote {note.quote!r} is not in paragraph {note.paragraph} of "
                f"{note.source!r}; the note is shown without it"
            )
        for other in note.sources:
            if other not in ids:
                warnings.append(f"{where}: links to no source {other!r}; the link is left out")
    seen: set[tuple[str, str]] = set()
    for translation in collection.translations:
        key = (translation.source, translation.language)
        if key in seen:
            warnings.append(
                f"{translation.path}: a second {translation.language} translation of "
                f"{translation.source!r}; only one is kept"
            )
        seen.add(key)
        if translation.source not in ids:
            warnings.append(f"{translation.path}: no source {translation.source!r} in the archive")
            continue
        count = len(passages(translation.source))
        beyond = [n for n, _ in translation.paragraphs if n > count]
        if beyond:
            warnings.append(
                f"{translation.path}: paragraph {beyond[0]} is beyond the {count} passages of "
                f"{translation.source!r}; not shown"
            )
    return warnings
