"""An embedded full-text index over passages with exact substring semantics, on tantivy.

Why not words: a word-segmented index misses a word whenever the segmenter cut the text
differently (about 5 % of matches on the sample), and SQLite's trigram tokenizer finds nothing
for two-character words (research/performance.md §3). So the index finds characters, not
words, in two fields, and keeps words in a third for ranking only. The first two are filled
from the passage's folded text (``zh.fold.fold``: Traditional and Simplified forms alike, words
that the Simplified script merges kept apart), the third from its normalized text
(``zh.normalize``, all Simplified, as the segmenter's dictionary is):

``bigrams``
    Every overlapping pair of code points, in order, as Elasticsearch's ``cjk_bigram`` filter
    makes them (民族团结 gives 民族 族团 团结), so that a token's position is the index of its
    first code point. A pair with a whitespace code point in it is written ``_<hex>_<hex>``
    (both code points in hex: ``a b`` gives ``_61_20 _20_62``): never two code points long, so
    no pair typed in a query can equal it, yet a quoted phrase with spaces makes the same tokens.
``unigrams``
    Every code point that is not whitespace, once per passage (no positions, no frequencies:
    a one-character query only needs to know which passages have it).
``words``
    The words of the normalized text as the jieba segmenter (``zh.segment``, its own
    dictionary only, so the field does not depend on the glossary) cuts them, once per passage:
    used only to rank passages where the query is a whole word above those where it is part of
    a longer word. Segmentation never decides whether a passage matches.

All three are written as space-separated tokens and split by tantivy's whitespace tokenizer
(ASCII whitespace only, no other filter), registered here as ``shiliao_tokens``; tokens never
contain whitespace, so the split is exact. (``tantivy.PreTokenizedString`` does the same with
explicit positions, but building a Python ``Token`` per character made indexing 2.5 times
slower on the sample.)

A query unit (``search.query``) of ``k`` code points is first spelled out: a position that
stands for several labels (发 for 發 and 髮: ``zh.fold.unit_choices``) takes each of them, and
only spellings whose every pair with such a position occurs in the index are kept. Each
spelling is matched by:

- ``k == 1``: the term in ``unigrams``;
- ``k == 2``: the term (the pair) in ``bigrams``;
- ``k >= 3``: a phrase query of its ``k - 1`` pairs at consecutive positions in ``bigrams``.
  Consecutive pair tokens overlap by one code point, so the phrase matches exactly where the
  spelling is a substring, whitespace included.

and the unit by any of its spellings.

The alternatives of a group (``Query.groups``) are ORed, groups are ANDed, and filters
(``search.facets.SearchFilters``) are ANDed with them. The result is exactly the set of passages
whose folded text contains, for every group, one of its units (``Query.matches``), which the
tests check against a brute-force scan.

Ranking: first by the number of groups matched as whole words (the unit's words, as the
segmenter cuts the unit, are all words of the passage; for a unit of one word that is exact, for
a unit of several words their adjacency is not checked), then by tantivy's BM25 score of the
substring match, then by ascending ``passage_id``.

Other fields: ``passage_id`` (u64, fast and stored: the store's row id); ``source_id`` (``raw``
tokenizer, stored and fast: for deleting a source's passages and counting matches per source);
``year`` (i64, fast and indexed: the source's year, absent when undated); ``collection``,
``type`` and ``language`` (``raw`` tokenizer, indexed: the source's facets, for filters).

The layout is versioned (``LAYOUT``, kept in the folder's ``shiliao-layout.json``): an index
written by an older shiliao is refused with ``IndexLayoutError``, and ``shiliao build`` or a
search rebuilds it from the database.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import tantivy

from shiliao.errors import DiskFull, QueryError, SearchError
from shiliao.search.facets import PassageFacets, SearchFilters
from shiliao.search.query import Query, parse_query
from shiliao.zh.fold import fold, unit_choices
from shiliao.zh.normalize import normalize
from shiliao.zh.segment import Segmenter

__all__ = ["LAYOUT", "IndexLayoutError", "PassageIndex", "SearchResult"]

# Bump when the fields or their tokens change: an index of another layout is rebuilt.
# 3: bigrams and unigrams of zh.fold's text (乾 and 髮 no longer folded into 干 and 发).
LAYOUT = 3
_LAYOUT_FILE = "shiliao-layout.json"
_TOKENIZER = "shiliao_tokens"
# In a str pattern, \s matches exactly the characters for which str.isspace() is true.
_SPACE = re.compile(r"\s")
# What a query pair (or one-character unit) can add to a BM25 score, at most: its idf, at most
# ln(1 + 2N) (about 15 at 1,000,000 passages, 21 at 10^9), times k1 + 1 = 2.2. A whole-word
# group adds more than all pairs of the query together, so the number of whole-word groups
# decides the order first; no more than that, because scores are 32-bit floats and a larger
# constant would round small BM25 differences away.
_MAX_PAIR_SCORE = 50.0
# The most spellings of one query unit searched (after those with absent pairs are dropped):
# a long Simplified phrase whose every ambiguous character also occurs with each of its labels
# could otherwise make thousands.
_MAX_SPELLINGS = 256
_segmenter: Segmenter | None = None


class IndexLayoutError(SearchError):
    """The index folder was written by another version of shiliao's index layout: rebuild it."""


def _words(normalized: str) -> list[str]:
    global _segmenter
    if _segmenter is None:
        _segmenter = Segmenter()
    # The segmenter keeps whitespace as tokens of its own; split them away all the same, so a
    # token never holds whitespace.
    return [piece for word in _segmenter.segment(normalized) for piece in word.split()]


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("passage_id", stored=True, fast=True)
    builder.add_text_field("source_id", stored=True, tokenizer_name="raw", fast=True)
    builder.add_text_field("bigrams", tokenizer_name=_TOKENIZER, index_option="position")
    builder.add_text_field("unigrams", tokenizer_name=_TOKENIZER, index_option="basic")
    builder.add_text_field("words", tokenizer_name=_TOKENIZER, index_option="basic")
    builder.add_integer_field("year", fast=True, indexed=True)
    for name in ("collection", "type", "language"):
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    return builder.build()


def _pair(first: str, second: str) -> str:
    if first.isspace() or second.isspace():
        return f"_{ord(first):x}_{ord(second):x}"
    return first + second


def _pairs(normalized: str) -> list[str]:
    if not _SPACE.search(normalized):
        # The usual case for Chinese paragraphs, and the fast one (the loop runs in C).
        return list(map(str.__add__, normalized, normalized[1:]))
    return [_pair(normalized[i], normalized[i + 1]) for i in range(len(normalized) - 1)]


def _unigrams(normalized: str) -> str:
    chars = set(normalized)
    if _SPACE.search(normalized):
        chars = {char for char in chars if not char.isspace()}
    return " ".join(chars)


@dataclass(frozen=True)
class SearchResult:
    """The answer to a search.

    Attributes:
        total: the exact number of passages that match.
        passage_ids: the matching passages' ids, best first (whole-word groups, then BM25
            score, then ascending id), at most ``limit`` of them.
    """

    total: int
    passage_ids: list[int]


class PassageIndex:
    """A tantivy index of passages in one folder (the archive's ``index/``).

    Open it with ``PassageIndex.open``. Searches see what was committed. Writing takes tantivy's
    lock on the folder, so one writer (in any process) works at a time; the lock is taken at
    the first ``add`` or ``delete_source`` and released by ``close``. To rebuild, delete the
    folder and add every passage again.

    Example::

        with PassageIndex.open(archive / "index") as index:
            index.add(1, "gwr-2019", "民族团结一家亲", PassageFacets(year=2019))
            index.commit()
            index.search("團結", limit=20)  # SearchResult(total=1, passage_ids=[1])
    """

    def __init__(
        self,
        index: tantivy.Index,
        path: Path,
        writer_heap_bytes: int,
        writer_threads: int,
        fault: Callable[[str], None] | None = None,
    ) -> None:
        self._index = index
        self._path = path
        self._writer_heap_bytes = writer_heap_bytes
        self._writer_threads = writer_threads
        self._fault = fault or (lambda label: None)
        self._writer: tantivy.IndexWriter | None = None
        self._schema = index.schema

    @staticmethod
    def is_current(path: Path) -> bool:
        """Whether a folder holds an index of this shiliao's layout (``LAYOUT``).

        Args:
            path: the index folder.

        Returns:
            False when the folder holds no index or one of another layout.
        """
        path = Path(path)
        try:
            marker = json.loads((path / _LAYOUT_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return marker == {"layout": LAYOUT} and tantivy.Index.exists(str(path))

    @classmethod
    def open(
        cls,
        path: Path,
        create: bool = True,
        *,
        writer_heap_bytes: int = 128_000_000,
        writer_threads: int = 1,
        fault: Callable[[str], None] | None = None,
    ) -> PassageIndex:
        """Open the index in a folder, creating it if asked.

        Args:
            path: the index folder.
            create: create the folder and an empty index when there is none.
            writer_heap_bytes: memory the writer may use before it flushes a segment, in bytes
                (tantivy needs at least 15 MB per indexing thread).
            writer_threads: indexing threads. Each thread writes segments of its own, and every
                segment repeats the term dictionary, so one thread keeps a small archive's
                index smallest (on the sample: 1.8 times its text with one, 2.2 with two).
            fault: called with ``"write:index/shiliao-layout.json"`` before a new index's
                layout note is written and ``"commit:index"`` before every commit; for crash
                tests (``store.ocfl.OcflStore`` has the same hook).

        Returns:
            The open index.

        Raises:
            IndexLayoutError: the folder holds an index of another layout (delete it and
                rebuild: ``shiliao build`` does).
            SearchError: when there is no index and ``create`` is false, when the folder holds
                an index tantivy cannot open, or when it cannot be read.
            DiskFull: a new index cannot be made for lack of space.
        """
        fault = fault or (lambda label: None)
        path = Path(path)
        try:
            exists = path.is_dir() and tantivy.Index.exists(str(path))
            if exists and not cls.is_current(path):
                raise IndexLayoutError(
                    f"the search index in {path} was written by another version of shiliao: "
                    "run `shiliao build` to rebuild it"
                )
            if not exists:
                if not create:
                    raise SearchError(f"no search index in {path}: rebuild the index")
                path.mkdir(parents=True, exist_ok=True)
            index = tantivy.Index(_schema(), str(path), reuse=True)
            if not exists:
                # Written after tantivy's own files: an index killed before it is rebuilt.
                fault(f"write:index/{_LAYOUT_FILE}")
                (path / _LAYOUT_FILE).write_text(json.dumps({"layout": LAYOUT}), encoding="utf-8")
        except ValueError as exc:
            raise SearchError(
                f"the search index in {path} cannot be opened ({exc}): delete the folder "
                "and rebuild the index"
            ) from exc
        except OSError as exc:
            if DiskFull.cause_of(exc):
                raise DiskFull(str(path), "a new search index") from exc
            raise SearchError(f"the search index in {path} cannot be read: {exc}") from exc
        index.register_tokenizer(
            _TOKENIZER, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
        )
        return cls(index, path, writer_heap_bytes, writer_threads, fault)

    def _writer_or_open(self) -> tantivy.IndexWriter:
        if self._writer is None:
            try:
                self._writer = self._index.writer(
                    heap_size=self._writer_heap_bytes, num_threads=self._writer_threads
                )
            except ValueError as exc:
                raise SearchError(
                    f"the search index in {self._path} cannot be written ({exc}); if another "
                    "shiliao process is writing it, wait for that one to finish"
                ) from exc
        return self._writer

    def add(
        self, passage_id: int, source_id: str, text: str, facets: PassageFacets | None = None
    ) -> None:
        """Add one passage (visible to searches after ``commit``).

        Adding the same ``passage_id`` twice indexes it twice: delete the source first when
        its passages change.

        Args:
            passage_id: the passage's id in the store, 0 to 2**64 - 1.
            source_id: the source it belongs to.
            text: the original text; it is folded here and not stored.
            facets: its source's year, collections, type and language, for filters; None
                indexes none (the passage then passes no filter).

        Raises:
            SearchError: when the index cannot be written (another writer holds the lock).
        """
        folded = fold(text)
        doc = tantivy.Document()
        doc.add_unsigned("passage_id", passage_id)
        doc.add_text("source_id", source_id)
        doc.add_text("bigrams", " ".join(_pairs(folded)))
        doc.add_text("unigrams", _unigrams(folded))
        doc.add_text("words", " ".join(set(_words(normalize(text)))))
        if facets is not None:
            if facets.year is not None:
                doc.add_integer("year", facets.year)
            for collection in facets.collections:
                doc.add_text("collection", collection)
            if facets.type:
                doc.add_text("type", facets.type)
            if facets.language:
                doc.add_text("language", facets.language)
        self._writer_or_open().add_document(doc)

    def delete_source(self, source_id: str) -> None:
        """Delete every passage of a source (effective at ``commit``).

        Args:
            source_id: the source's id, exactly as given to ``add``.

        Raises:
            SearchError: when the index cannot be written.
        """
        self._writer_or_open().delete_documents_by_term("source_id", source_id)

    def commit(self) -> None:
        """Make the adds and deletions so far durable and visible to searches.

        tantivy writes the new segments and then its ``meta.json`` atomically, with fsync: after
        a crash the index is as of the last commit, and searches never see a part of one.

        Raises:
            DiskFull: the index's disk is full; the changes since the last commit are dropped
                (the writer too: the next change opens a new one).
            SearchError: the commit failed otherwise, with the same effect.
        """
        if self._writer is None:
            return
        try:
            self._fault("commit:index")
            self._writer.commit()
        except (OSError, ValueError) as exc:
            # tantivy's writer is not to be used after a failed commit: drop it and what it
            # held, as a crash would.
            with contextlib.suppress(Exception):
                self._writer.rollback()
            self._writer = None
            if DiskFull.cause_of(exc) or "No space left on device" in str(exc):
                raise DiskFull(str(self._path), "the search index") from exc
            raise SearchError(f"the search index in {self._path} cannot be written: {exc}") from exc
        self._index.reload()

    def close(self) -> None:
        """Release the writer and its lock, waiting for background merges; uncommitted changes
        are dropped. The index can still be searched."""
        if self._writer is not None:
            self._writer.wait_merging_threads()
            self._writer = None

    def __enter__(self) -> PassageIndex:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def passage_count(self) -> int:
        """The number of passages in the index as last committed."""
        return self._index.searcher().num_docs

    def search(
        self, query: Query | str, limit: int | None, filters: SearchFilters | None = None
    ) -> SearchResult:
        """Find the passages that match a query (every group, by one of its units).

        Args:
            query: a parsed (possibly expanded) query, or a string to parse with
                ``parse_query``.
            limit: the most ids to return; None returns them all; 0 returns only the total.
            filters: restrict to passages whose facets pass (``SearchFilters.allows``).

        Returns:
            The exact total and the best ``limit`` ids: most groups matched as whole words
            first, then by tantivy's BM25 score, higher first, then by ascending ``passage_id``
            among equal scores (also across the cut, so the same index always gives the same
            page).

        Raises:
            QueryError: when ``query`` is a string that cannot be parsed, or a unit has more
                than 256 spellings (``_spellings``).
            ValueError: when ``limit`` is negative.
        """
        if limit is not None and limit < 0:
            raise ValueError(f"limit must be None or at least 0, got {limit}")
        parsed = parse_query(query) if isinstance(query, str) else query
        searcher = self._index.searcher()
        tantivy_query = self._tantivy_query(searcher, parsed, filters, rank=limit != 0)
        if limit == 0:
            return SearchResult(searcher.search(tantivy_query, limit=1).count, [])
        # tantivy sizes its collector by the limit: never ask for more than there are.
        wanted = searcher.num_docs if limit is None else min(limit, searcher.num_docs)
        if wanted == 0:
            return SearchResult(0, [])
        # Fetch one more hit than wanted; while that extra hit ties with the last wanted one,
        # the cut may fall inside a run of equal scores, so fetch more until it does not.
        # Every search scores every match whatever the limit, so a tie is met with one much
        # larger fetch rather than many doublings (identical boilerplate paragraphs, 各位代表：,
        # tie by the thousand).
        fetch = wanted
        while True:
            result = searcher.search(tantivy_query, limit=fetch + 1)
            hits = result.hits
            if len(hits) <= fetch or hits[-1][0] < hits[wanted - 1][0]:
                break
            fetch = min(max(fetch * 16, 1024), searcher.num_docs)
        ids = searcher.fast_field_values("passage_id", [address for _, address in hits])
        ranked = sorted(zip((score for score, _ in hits), ids, strict=True), key=_rank_key)
        return SearchResult(result.count, [passage_id for _, passage_id in ranked[:wanted]])

    def source_counts(
        self, query: Query | str, filters: SearchFilters | None = None
    ) -> dict[str, int]:
        """Count the matching passages of each source (tantivy's terms aggregation).

        Args:
            query: as for ``search``.
            filters: as for ``search``.

        Returns:
            Source id -> number of matching passages, for every source with at least one.

        Raises:
            QueryError: when ``query`` is a string that cannot be parsed, or a unit has more
                than 256 spellings (``_spellings``).
        """
        parsed = parse_query(query) if isinstance(query, str) else query
        searcher = self._index.searcher()
        if searcher.num_docs == 0:
            return {}
        aggregation = {
            "sources": {"terms": {"field": "source_id", "size": max(1, searcher.num_docs)}}
        }
        result = searcher.aggregate(
            self._tantivy_query(searcher, parsed, filters, rank=False), aggregation
        )
        return {bucket["key"]: bucket["doc_count"] for bucket in result["sources"]["buckets"]}

    def _tantivy_query(
        self,
        searcher: tantivy.Searcher,
        query: Query,
        filters: SearchFilters | None,
        *,
        rank: bool,
    ) -> tantivy.Query:
        clauses = [
            (tantivy.Occur.Must, self._group_query(searcher, group)) for group in query.groups
        ]
        whole_word = _MAX_PAIR_SCORE * sum(max(1, len(unit) - 1) for unit in query.units)
        if rank:
            for group in query.groups:
                words = [self._word_query(unit) for unit in group]
                if any(words):
                    # Matching the group as a whole word scores once, whichever unit it was.
                    best = tantivy.Query.disjunction_max_query([q for q in words if q])
                    clauses.append(
                        (
                            tantivy.Occur.Should,
                            tantivy.Query.const_score_query(best, whole_word),
                        )
                    )
        for restriction in self._filter_queries(filters):
            # A filter decides membership only; a constant 0 keeps it out of the score.
            clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(restriction, 0.0)))
        if len(clauses) == 1:
            return clauses[0][1]
        return tantivy.Query.boolean_query(clauses)

    def _group_query(self, searcher: tantivy.Searcher, group: tuple[str, ...]) -> tantivy.Query:
        queries = [
            self._spelling_query(spelling)
            for unit in group
            for spelling in _spellings(searcher, unit)
        ]
        if len(queries) == 1:
            return queries[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])

    def _spelling_query(self, spelling: str) -> tantivy.Query:
        if len(spelling) == 1:
            return tantivy.Query.term_query(self._schema, "unigrams", spelling)
        pairs = _pairs(spelling)
        if len(pairs) == 1:
            return tantivy.Query.term_query(self._schema, "bigrams", pairs[0])
        return tantivy.Query.phrase_query(self._schema, "bigrams", list(enumerate(pairs)))

    def _word_query(self, unit: str) -> tantivy.Query | None:
        # The words field holds Simplified words: normalize turns labels (髮) back into them.
        words = list(dict.fromkeys(_words(normalize(unit))))
        if not words:
            return None
        if len(words) == 1:
            return tantivy.Query.term_query(self._schema, "words", words[0])
        return tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, tantivy.Query.term_query(self._schema, "words", w))
                for w in words
            ]
        )

    def _filter_queries(self, filters: SearchFilters | None) -> Iterable[tantivy.Query]:
        if filters is None or filters.is_empty:
            return
        if filters.year_from is not None or filters.year_to is not None:
            yield tantivy.Query.range_query(
                self._schema,
                "year",
                tantivy.FieldType.Integer,
                filters.year_from,
                filters.year_to,
            )
        for field, values in (
            ("collection", filters.collections),
            ("type", filters.types),
            ("language", filters.languages),
        ):
            if values:
                yield tantivy.Query.term_set_query(self._schema, field, list(values))


def _spellings(searcher: tantivy.Searcher, unit: str) -> list[str]:
    """The spellings of a folded query unit that may occur in the index (module docstring).

    Raises:
        QueryError: when more than ``_MAX_SPELLINGS`` remain.
    """
    choices = unit_choices(unit)
    if all(len(options) == 1 for options in choices):
        return [unit]
    if len(choices) == 1:
        return list(choices[0])
    spellings = list(choices[0])
    for before, options in itertools.pairwise(choices):
        spellings = [
            spelling + char
            for spelling in spellings
            for char in options
            # Only pairs with an ambiguous position need looking up; the phrase query checks
            # the others.
            if len(before) == 1 == len(options)
            or searcher.doc_freq("bigrams", _pair(spelling[-1], char)) > 0
        ]
        if len(spellings) > _MAX_SPELLINGS:
            raise QueryError(
                f"{unit!r} can be spelled in more than {_MAX_SPELLINGS} ways with the "
                "Traditional characters its Simplified ones stand for: type part of it in "
                "Traditional characters, or search for shorter words"
            )
    # None left: the unit occurs nowhere; its first spelling finds exactly that.
    return spellings or ["".join(options[0] for options in choices)]


def _rank_key(hit: tuple[float, int]) -> tuple[float, int]:
    score, passage_id = hit
    return (-score, passage_id)
