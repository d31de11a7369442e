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
import shutil
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shiliao.cite.citations import find_citations, resolve
from shiliao.collection import Collection, CollectionFile
from shiliao.config import Settings
from shiliao.errors import ExtractError, SearchError, StoreError
from shiliao.extract.media import sniff_media_type
from shiliao.extract.passages import split_passages
from shiliao.extract.runner import extract_file
from shiliao.model import Page, Passage, Source, SourceInput
from shiliao.search.index import PassageIndex
from shiliao.search.kwic import find_spans, snippet
from shiliao.search.query import parse_query
from shiliao.store import Catalog, FsBlobStore
from shiliao.zh.glossary import GlossaryMatcher
from shiliao.zh.script import chinese_script

__all__ = [
    "Archive",
    "IngestReport",
    "SearchHit",
    "SearchResponse",
    "ingest",
    "open_archive",
    "rebuild_index",
    "search",
]

_HEAD_BYTES = 8192
_CHINESE_TAGS = {"zh", "zh-cn", "zh-tw", "zh-hk", "zh-hans", "zh-hant", "cmn"}

Progress = Callable[[str, int, int], None]


@dataclass
class Archive:
    """An open archive folder (DESIGN.md, "The archive").

    Attributes:
        root: the folder.
        catalog: its database (``shiliao.db``).
        blobs: its originals (``objects/``).
        index_path: its search index folder (``index/``), rebuilt from the database at need.
    """

    root: Path
    catalog: Catalog
    blobs: FsBlobStore
    index_path: Path

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


def open_archive(root: Path, create: bool = False) -> Archive:
    """Open an archive folder.

    Args:
        root: the folder.
        create: make it (and its database) when missing; otherwise a missing archive is an error.

    Returns:
        The open ``Archive``; close it (or use it as a context manager).

    Raises:
        StoreError: the folder is not an archive (and ``create`` is false), or cannot be made.
        SchemaError: its database is damaged or newer than this shiliao.
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
    return Archive(
        root=root,
        catalog=Catalog(db_path),
        blobs=FsBlobStore(root / "objects"),
        index_path=root / "index",
    )


@dataclass
class IngestReport:
    """What one ingest did.

    Attributes:
        processed: ids of sources extracted and indexed now (new or changed).
        unchanged: ids of sources left as they were.
        removed: ids of sources that left the collection (their originals stay stored).
        failed: ``{"source_id", "path", "reason"}`` for each source whose extraction failed.
        warnings: one line per problem (file, line where known, and what is wrong).
        changed: whether anything in the archive changed (sources, glossary, sections,
            bibliography).
        seconds: wall-clock time of the ingest.
    """

    processed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
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


def _process(
    item: SourceInput, file: CollectionFile, media_type: str, settings: Settings
) -> tuple[Source, list[Passage]]:
    """Extract one source; an extraction failure is returned as data, never raised."""
    metadata = dict(item.metadata)
    if item.text is not None:
        text = unicodedata.normalize("NFC", item.text.replace("\r\n", "\n").replace("\r", "\n"))
        pages = [Page(1, text)]
        passages = split_passages(item.id, pages, "record")
        title = str(metadata.get("title") or Path(item.path).name)
        return _record_source(item, file.sha256, title, metadata, text, "extracted", None), passages
    limits = settings.table("extract")
    try:
        extraction = extract_file(
            file.abspath,
            media_type,
            timeout_s=float(limits["timeout_s"]),
            max_memory_bytes=int(limits["max_memory_bytes"]),
            max_output_bytes=int(limits["max_output_bytes"]),
        )
    except ExtractError as exc:
        title = str(metadata.get("title") or Path(item.path).name)
        source = _record_source(
            item, file.sha256, title, metadata, "", "extraction_failed", str(exc)
        )
        return source, []
    found = {k: v for k, v in extraction.metadata.items() if v not in (None, "", [])}
    merged = {
        **{f"extracted_{k}": v for k, v in found.items() if k not in {"title", "date"}},
        **metadata,
    }
    for key in ("title", "date"):
        if not merged.get(key) and found.get(key):
            merged[key] = found[key]
    text = "\n".join(page.text for page in extraction.pages)
    passages = split_passages(item.id, extraction.pages, extraction.method)
    title = str(merged.get("title") or Path(item.path).name)
    return _record_source(item, file.sha256, title, merged, text, "extracted", None), passages


def _digest_of(values: Iterable[Any]) -> str:
    return hashlib.sha256(
        json.dumps(list(values), ensure_ascii=False, sort_keys=True, default=str).encode()
    ).hexdigest()


def _store_files(archive: Archive, collection: Collection) -> dict[str, str]:
    """Keep every collection file as an original; return path -> media type."""
    media_types: dict[str, str] = {}
    known = archive.catalog.collection_files()
    with archive.catalog.transaction():
        for file in collection.files:
            with file.abspath.open("rb") as handle:
                head = handle.read(_HEAD_BYTES)
            media_types[file.path] = sniff_media_type(head, file.abspath.name)
            if known.get(file.path) == file.sha256 and archive.blobs.exists(file.sha256):
                continue
            sha256, size = archive.blobs.put_file(file.abspath)
            if sha256 != file.sha256:
                raise StoreError(
                    f"{file.path} changed while it was being read; run the build again"
                )
            archive.catalog.record_file(sha256, size, media_types[file.path], file.abspath.name)
        archive.catalog.set_collection_files({f.path: f.sha256 for f in collection.files})
    return media_types


def ingest(
    archive: Archive,
    collection: Collection,
    settings: Settings,
    progress: Progress | None = None,
) -> IngestReport:
    """Bring the archive up to date with a collection folder.

    Args:
        archive: the open archive (written).
        collection: the collection as read by ``collection.read_collection``.
        settings: the merged settings (``extract`` limits are used).
        progress: called as ``progress(stage, done, total)`` while sources are processed.

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
    media_types = _store_files(archive, collection)

    if not archive.index_path.exists():
        with catalog.transaction():
            catalog.forget_index()
    states = catalog.source_states()
    current = {item.id for item in collection.sources}
    report.removed = sorted(set(states) - current)

    terms_digest = _digest_of(t.__dict__ for t in collection.terms)
    terms_changed = catalog.get_state("terms_digest") != terms_digest
    matcher = GlossaryMatcher(collection.terms)

    index = archive.open_index()
    if report.removed:
        with catalog.transaction():
            catalog.delete_sources(report.removed)
        for source_id in report.removed:
            index.delete_source(source_id)

    if terms_changed:
        with catalog.transaction():
            catalog.replace_terms(collection.terms)
            catalog.set_state("terms_digest", terms_digest)

    todo = [
        item
        for item in collection.sources
        if states.get(item.id, (None, None))[0] != item.fingerprint
    ]
    stale_index = [
        item.id
        for item in collection.sources
        if item.id in states
        and states[item.id][0] == item.fingerprint
        and states[item.id][1] != item.fingerprint
    ]
    positions = {item.id: n for n, item in enumerate(collection.sources)}
    todo_ids = {item.id for item in todo}
    with catalog.transaction():
        for item in collection.sources:
            if item.id not in todo_ids:
                catalog.relocate_source(
                    item.id, item.path, item.line, files[item.path].sha256, positions[item.id]
                )

    for done, item in enumerate(todo, start=1):
        if progress:
            progress("extract", done, len(todo))
        source, passages = _process(item, files[item.path], media_types[item.path], settings)
        with catalog.transaction():
            ids = catalog.save_source(source, item.fingerprint, positions[item.id], passages)
            mentions = [
                (m.term, passage_id, m.char_start, m.char_end)
                for passage_id, passage in zip(ids, passages, strict=True)
                for m in matcher.find(passage.text)
            ]
            catalog.replace_term_mentions(ids, mentions)
        index.delete_source(source.id)
        for passage_id, passage in zip(ids, passages, strict=True):
            index.add(passage_id, source.id, passage.text)
        report.processed.append(item.id)
        if source.status != "extracted":
            report.failed.append(
                {"source_id": source.id, "path": item.path, "reason": source.error or ""}
            )

    for source_id in stale_index:
        index.delete_source(source_id)
        for passage in catalog.passages(source_id):
            index.add(passage.id, source_id, passage.text)
    index.commit()
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

    report.unchanged = [item.id for item in collection.sources if item.id not in todo_ids]
    report.changed = bool(todo or report.removed or terms_changed or other_changed or stale_index)
    report.warnings = _warnings(archive, collection)
    report.seconds = time.perf_counter() - started
    return report


def _warnings(archive: Archive, collection: Collection) -> list[str]:
    """Every problem a curator should see, one line each, in collection order."""
    warnings = list(collection.problems)
    for source in archive.catalog.sources():
        where = f"{source.path}:{source.line}" if source.line else source.path
        if source.status != "extracted":
            warnings.append(f"{where}: extraction failed: {source.error}")
        if not source.date:
            warnings.append(f"{where}: {source.title}: no date")
    bibliography = archive.catalog.bibliography()
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
    """

    query: str
    total: int
    hits: list[SearchHit]


def search(archive: Archive, query: str, limit: int | None = 20, width: int = 30) -> SearchResponse:
    """Search the archive's passages.

    Args:
        archive: the open archive.
        query: words (all must match), ``"quoted phrases"``; Simplified, Traditional,
            full-width and half-width forms match each other.
        limit: the most hits to return; None for all.
        width: characters of context on each side of the match in the snippet.

    Returns:
        A ``SearchResponse``.

    Raises:
        QueryError: the query is empty or malformed.
        SearchError: the index cannot be read.
    """
    parsed = parse_query(query)
    result = archive.open_index().search(parsed, limit)
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
    return SearchResponse(query=query, total=result.total, hits=hits)


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
    for passage in archive.catalog.iter_passages():
        index.add(passage.id, passage.source_id, passage.text)
        count += 1
    index.commit()
    with archive.catalog.transaction():
        archive.catalog.mark_indexed(archive.catalog.source_states())
    return count
