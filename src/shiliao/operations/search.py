"""Search: the archive's passages for a query, with KWIC snippets and facet counts.

``search`` runs over any view of an archive that has a catalog and a search index: the archive
itself (what the team sees) or its public projection (what a reader of the website sees).
Besides the passages, it finds the curators' annotations (their notes and tags) and the
translated paragraphs of sources, by a scan of the few, hand-written rows the view holds (the
public projection holds only those it publishes); each such hit names the passage it is on.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from shiliao.archive import Archive, open_archive
from shiliao.errors import SearchError
from shiliao.model import Passage, Source
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
from shiliao.search.query import Query, parse_query
from shiliao.store.lock import writer_lock
from shiliao.zh.fold import fold

__all__ = [
    "ArchiveView",
    "SearchHit",
    "SearchResponse",
    "current_index",
    "open_view",
    "rebuild_index",
    "search",
]

if TYPE_CHECKING:
    from shiliao.privacy.public import PublicProjection

ArchiveView: TypeAlias = "Archive | PublicProjection"
"""What can be searched and analysed: an archive (the team's view) or its public projection
(what a reader of the website sees); both have ``catalog`` and ``index_path``."""


@contextmanager
def open_view(archive_dir: Path, *, public: bool = False) -> Iterator[ArchiveView]:
    """Open an archive for reading, or its public projection (brought up to date first).

    Args:
        archive_dir: the archive folder.
        public: open the public projection instead (made current first:
            ``operations.publish.current_projection``): only what the public site shows,
            withheld text replaced.

    Yields:
        The open ``Archive`` or ``PublicProjection``; closed on leaving.

    Raises:
        StoreError: the folder is not an archive, or its projection cannot be written.
        ArchiveBusy: ``public`` is asked while another shiliao writes to the archive (its
            projection may be about to change).
    """
    with open_archive(archive_dir) as archive:
        if not public:
            yield archive
            return
        # Imported here: the projection pulls in the site builder, seconds of imports a search
        # of the archive itself never needs.
        from shiliao.operations.publish import current_projection

        with current_projection(archive)[1] as projection:
            yield projection


@dataclass(frozen=True)
class SearchHit:
    """One matching passage.

    Attributes:
        passage: the passage (its ``text`` is the original); for an annotation or a
            translation, the passage it is on.
        source: its source.
        spans: where the query matched, as half-open code-point offsets into ``text``.
        snippet: the match in context: ``(left, match, right)`` strings.
        kind: ``"passage"``, ``"annotation"`` (a curator's note on the passage matched) or
            ``"translation"`` (the passage's translation matched).
        text: the text matched: the passage's, the note's (with its tags) or the translated
            paragraph's.
        language: the BCP 47 tag of a translation; None otherwise.
    """

    passage: Passage
    source: Source
    spans: list[tuple[int, int]]
    snippet: tuple[str, str, str]
    kind: str = "passage"
    text: str = ""
    language: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The hit as ``shiliao search --json`` and the app's API give it: ``kind`` is
        ``"passage"``, ``"annotation"`` or ``"translation"``; ``text``, ``snippet`` and
        ``spans`` are of what matched (for an annotation or a translation, ``passage_text``
        is the passage it is on)."""
        left, match, right = self.snippet
        found: dict[str, Any] = {
            "kind": self.kind,
            "source_id": self.source.id,
            "title": self.source.title,
            "date": self.source.date,
            "page": self.passage.page,
            "paragraph": self.passage.paragraph,
            "passage_id": self.passage.id,
            "text": self.text or self.passage.text,
            "snippet": left + match + right,
            "kwic": {"left": left, "match": match, "right": right},
            "spans": [list(span) for span in self.spans],
        }
        if self.kind != "passage":
            found["passage_text"] = self.passage.text
        if self.language:
            found["language"] = self.language
        return found


@dataclass(frozen=True)
class SearchResponse:
    """The answer to a query.

    Attributes:
        query: the query as given.
        total: the number of matching passages (all of them, whatever the limit), and of
            matching annotations and translated paragraphs.
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

    def to_json(self) -> dict[str, Any]:
        """The answer as ``shiliao search --json`` and the app's API give it (keys are only
        ever added): ``query``, ``total``, ``hits`` (``SearchHit.to_json``), ``expanded_to``,
        ``expansions``, ``filters`` and ``facets``."""
        return {
            "query": self.query,
            "total": self.total,
            "hits": [hit.to_json() for hit in self.hits],
            "expanded_to": self.expanded_to,
            "expansions": [
                {"words": e.words, "terms": list(e.terms), "via": e.via} for e in self.expansions
            ],
            "filters": self.filters.to_json() if self.filters else {},
            "facets": {
                name: [value.to_json() for value in values]
                for name, values in (self.facets or {}).items()
            },
        }


def search(
    archive: ArchiveView,
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
        archive: the open archive, or its public projection (``open_view``).
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
        A ``SearchResponse``: the annotations and translations that match first (they are
        few, and chosen by people), then the passages; ``total`` counts both.

    Raises:
        QueryError: the query is empty or malformed.
        SearchError: the index cannot be read or rebuilt (an index that is missing, or of an
            older layout, is rebuilt from the database first).
    """
    parsed = parse_query(query)
    notes = _note_hits(archive, parsed, width, filters)
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
                text=passage.text,
            )
        )
    return SearchResponse(
        query=query,
        total=result.total + len(notes),
        hits=(notes + hits)[:limit] if limit is not None else notes + hits,
        expansions=expansions,
        facets=facet_counts,
        filters=None if filters is None or filters.is_empty else filters,
    )


def _note_hits(
    archive: ArchiveView, query: Query, width: int, filters: SearchFilters | None
) -> list[SearchHit]:
    """The annotations and translated paragraphs that match the query as typed (English is not
    expanded into the glossary's Chinese: these texts are searched in their own words), each
    with the passage it is on, in source order."""
    catalog = archive.catalog
    found: list[tuple[str, int, str, str | None]] = []
    for note in catalog.annotations():
        text = " ".join([note.note, *note.tags])
        if query.matches(fold(text)):
            found.append((note.source, note.paragraph, text, None))
    for translation in catalog.translations():
        for number, text in translation.paragraphs:
            if query.matches(fold(text)):
                found.append((translation.source, number, text, translation.language))
    hits = []
    sources: dict[str, Source | None] = {}
    for source_id, paragraph, text, language in found:
        if source_id not in sources:
            sources[source_id] = catalog.source(source_id)
        source = sources[source_id]
        if source is None or (filters is not None and not filters.allows(facets_of(source))):
            continue
        passage = next((p for p in catalog.passages(source_id) if p.paragraph == paragraph), None)
        kwic = snippet(text, query, width)
        if passage is None or kwic is None:
            continue
        hits.append(
            SearchHit(
                passage=passage,
                source=source,
                spans=find_spans(text, query),
                snippet=(kwic.left, kwic.match, kwic.right),
                kind="annotation" if language is None else "translation",
                text=text,
                language=language,
            )
        )
    positions = {s.id: n for n, s in enumerate(catalog.sources())} if hits else {}
    hits.sort(key=lambda h: (positions.get(h.source.id, 0), h.passage.paragraph, h.kind))
    return hits


def current_index(archive: ArchiveView) -> PassageIndex:
    """Open the archive's search index, rebuilding it from the database first when it is
    missing or of an older layout (``search.index.LAYOUT``), under the archive's writer lock.

    Raises:
        ArchiveBusy: the index has to be rebuilt while another shiliao writes to the archive
            (which may be rebuilding it itself): the message names it.
        SearchError: the index cannot be read or rebuilt.
    """
    if not PassageIndex.is_current(archive.index_path):
        # The public projection's index is inside the projection, in the archive folder.
        root = archive.root if isinstance(archive, Archive) else archive.root.parent
        with writer_lock(root, "search index"):
            if not PassageIndex.is_current(archive.index_path):
                rebuild_index(archive)
    return PassageIndex.open(archive.index_path, create=True)


def rebuild_index(archive: ArchiveView) -> int:
    """Throw the search index away and build it again from the database (call it under the
    archive's writer lock, ``store.lock``: ``current_index`` does).

    Returns:
        The number of passages indexed.

    Raises:
        SearchError: the index cannot be written.
    """
    if archive.index_path.exists():
        shutil.rmtree(archive.index_path)
    index = PassageIndex.open(archive.index_path, create=True)
    count = 0
    facets = {source.id: facets_of(source) for source in archive.catalog.sources()}
    for passage in archive.catalog.iter_passages():
        index.add(passage.id, passage.source_id, passage.text, facets[passage.source_id])
        count += 1
    index.commit()
    with archive.catalog.transaction():
        archive.catalog.mark_indexed(archive.catalog.source_states())
    return count
