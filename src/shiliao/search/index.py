"""An embedded full-text index over passages with exact substring semantics, on tantivy.

Why not words: a word-segmented index misses a word whenever the segmenter cut the text
differently (about 5 % of matches on the sample), and SQLite's trigram tokenizer finds nothing
for two-character words (research/performance.md §3). So the index holds characters, not
words, in two fields, each filled from the passage's normalized text (``zh.normalize``):

``bigrams``
    Every overlapping pair of characters, in order, as Elasticsearch's ``cjk_bigram`` filter
    makes them (民族团结 gives 民族 族团 团结). Pairs never span whitespace: the text is cut into
    runs at whitespace, and a one-character ``|`` token separates the runs, so that the last
    pair of one run and the first of the next are never adjacent (without it, ``xab bcy``
    would match ``abc``).
``unigrams``
    Every character, one token each, so that a token's position is its index in the
    normalized text; a whitespace character is a token ``_`` + its hex code point (``_20``).

Both are written as space-separated tokens and split by tantivy's whitespace tokenizer (ASCII
whitespace only, no other filter), registered here as ``shiliao_tokens``; tokens never
contain whitespace, so the split is exact. (``tantivy.PreTokenizedString`` does the same with
explicit positions, but building a Python ``Token`` per character made indexing 2.5 times
slower on the sample.)

A query unit (``search.query``) of ``k`` characters is matched by:

- ``k == 1``: the term in ``unigrams``;
- ``k == 2``: the term in ``bigrams``;
- ``k >= 3``: a phrase query of its ``k - 1`` pairs at consecutive positions in ``bigrams``.
  Consecutive pair tokens with no ``|`` between them overlap by one character, so the phrase
  matches exactly where the unit is a substring;
- a unit with whitespace (a quoted phrase): a phrase query of all its characters in
  ``unigrams``, whitespace tokens included.

Units are combined with AND. The result is exactly the set of passages whose normalized text
contains every unit, which the tests check against a brute-force scan.

Other fields: ``passage_id`` (u64, fast and stored: the store's row id) and ``source_id``
(``raw`` tokenizer, stored, for deleting a source's passages).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import tantivy

from shiliao.errors import SearchError
from shiliao.search.query import Query, parse_query
from shiliao.zh.normalize import normalize

__all__ = ["PassageIndex", "SearchResult"]

_TOKENIZER = "shiliao_tokens"
_RUN_BREAK = "|"


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("passage_id", stored=True, fast=True)
    builder.add_text_field("source_id", stored=True, tokenizer_name="raw")
    builder.add_text_field("bigrams", tokenizer_name=_TOKENIZER, index_option="position")
    builder.add_text_field("unigrams", tokenizer_name=_TOKENIZER, index_option="position")
    return builder.build()


def _space_token(char: str) -> str:
    # Longer than one character, so no one-character query term can equal it.
    return f"_{ord(char):x}"


def _has_space(text: str) -> bool:
    return any(char.isspace() for char in text)


def _unigram_tokens(normalized: str) -> list[str]:
    return [_space_token(char) if char.isspace() else char for char in normalized]


def _pairs(run: str) -> str:
    return " ".join([run[i : i + 2] for i in range(len(run) - 1)])


def _field_texts(normalized: str) -> tuple[str, str]:
    """The ``bigrams`` and ``unigrams`` field texts: tokens separated by single spaces."""
    # str.split() cuts at the same characters as str.isspace.
    runs = normalized.split()
    bigrams = f" {_RUN_BREAK} ".join(pairs for pairs in map(_pairs, runs) if pairs)
    if len(runs) == 1 and len(runs[0]) == len(normalized):
        # No whitespace: the usual case for Chinese paragraphs, and the fast one.
        return bigrams, " ".join(normalized)
    return bigrams, " ".join(_unigram_tokens(normalized))


@dataclass(frozen=True)
class SearchResult:
    """The answer to a search.

    Attributes:
        total: the exact number of passages that match.
        passage_ids: the matching passages' ids, best first (BM25 score, then ascending id), at
            most ``limit`` of them.
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
            index.add(1, "gwr-2019", "民族团结一家亲")
            index.commit()
            index.search("團結", limit=20)  # SearchResult(total=1, passage_ids=[1])
    """

    def __init__(self, index: tantivy.Index, path: Path, writer_heap_bytes: int) -> None:
        self._index = index
        self._path = path
        self._writer_heap_bytes = writer_heap_bytes
        self._writer: tantivy.IndexWriter | None = None
        self._schema = index.schema

    @classmethod
    def open(
        cls, path: Path, create: bool = True, *, writer_heap_bytes: int = 128_000_000
    ) -> PassageIndex:
        """Open the index in a folder, creating it if asked.

        Args:
            path: the index folder.
            create: create the folder and an empty index when there is none.
            writer_heap_bytes: memory the writer may use before it flushes a segment, in bytes
                (tantivy needs at least 15 MB per indexing thread).

        Returns:
            The open index.

        Raises:
            SearchError: when there is no index and ``create`` is false, when the folder holds
                an index of another layout or tantivy version (delete it and rebuild), or when
                it cannot be read.
        """
        path = Path(path)
        try:
            exists = path.is_dir() and tantivy.Index.exists(str(path))
            if not exists:
                if not create:
                    raise SearchError(f"no search index in {path}: rebuild the index")
                path.mkdir(parents=True, exist_ok=True)
            index = tantivy.Index(_schema(), str(path), reuse=True)
        except ValueError as exc:
            raise SearchError(
                f"the search index in {path} cannot be opened ({exc}): delete the folder "
                "and rebuild the index"
            ) from exc
        except OSError as exc:
            raise SearchError(f"the search index in {path} cannot be read: {exc}") from exc
        index.register_tokenizer(
            _TOKENIZER, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
        )
        return cls(index, path, writer_heap_bytes)

    def _writer_or_open(self) -> tantivy.IndexWriter:
        if self._writer is None:
            try:
                self._writer = self._index.writer(heap_size=self._writer_heap_bytes)
            except ValueError as exc:
                raise SearchError(
                    f"the search index in {self._path} cannot be written ({exc}); if another "
                    "shiliao process is writing it, wait for that one to finish"
                ) from exc
        return self._writer

    def add(self, passage_id: int, source_id: str, text: str) -> None:
        """Add one passage (visible to searches after ``commit``).

        Adding the same ``passage_id`` twice indexes it twice: delete the source first when
        its passages change.

        Args:
            passage_id: the passage's id in the store, 0 to 2**64 - 1.
            source_id: the source it belongs to.
            text: the original text; it is normalized here and not stored.

        Raises:
            SearchError: when the index cannot be written (another writer holds the lock).
        """
        normalized = normalize(text)
        doc = tantivy.Document()
        doc.add_unsigned("passage_id", passage_id)
        doc.add_text("source_id", source_id)
        bigrams, unigrams = _field_texts(normalized)
        doc.add_text("bigrams", bigrams)
        doc.add_text("unigrams", unigrams)
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
        a crash the index is as of the last commit.
        """
        if self._writer is None:
            return
        self._writer.commit()
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

    def search(self, query: Query | str, limit: int | None) -> SearchResult:
        """Find the passages that contain every word and phrase of a query.

        Args:
            query: a parsed query, or a string to parse with ``parse_query``.
            limit: the most ids to return; None returns them all; 0 returns only the total.

        Returns:
            The exact total and the best ``limit`` ids: by tantivy's BM25 score, higher first,
            then by ascending ``passage_id`` among equal scores (also across the cut, so the
            same index always gives the same page).

        Raises:
            QueryError: when ``query`` is a string that cannot be parsed.
            ValueError: when ``limit`` is negative.
        """
        if limit is not None and limit < 0:
            raise ValueError(f"limit must be None or at least 0, got {limit}")
        parsed = parse_query(query) if isinstance(query, str) else query
        searcher = self._index.searcher()
        tantivy_query = self._tantivy_query(parsed)
        if limit == 0:
            return SearchResult(searcher.search(tantivy_query, limit=1).count, [])
        # tantivy sizes its collector by the limit: never ask for more than there are.
        wanted = searcher.num_docs if limit is None else min(limit, searcher.num_docs)
        if wanted == 0:
            return SearchResult(0, [])
        # Fetch one more hit than wanted; while that extra hit ties with the last wanted one,
        # the cut may fall inside a run of equal scores, so fetch more until it does not.
        fetch = wanted
        while True:
            result = searcher.search(tantivy_query, limit=fetch + 1)
            hits = result.hits
            if len(hits) <= fetch or hits[-1][0] < hits[wanted - 1][0]:
                break
            fetch = min(fetch * 2, searcher.num_docs)
        ids = searcher.fast_field_values("passage_id", [address for _, address in hits])
        ranked = sorted(zip((score for score, _ in hits), ids, strict=True), key=_rank_key)
        return SearchResult(result.count, [passage_id for _, passage_id in ranked[:wanted]])

    def _tantivy_query(self, query: Query) -> tantivy.Query:
        parts = [self._unit_query(unit) for unit in query.units]
        if len(parts) == 1:
            return parts[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, part) for part in parts])

    def _unit_query(self, unit: str) -> tantivy.Query:
        if _has_space(unit):
            tokens = _unigram_tokens(unit)
            return tantivy.Query.phrase_query(self._schema, "unigrams", list(enumerate(tokens)))
        if len(unit) == 1:
            return tantivy.Query.term_query(self._schema, "unigrams", unit)
        if len(unit) == 2:
            return tantivy.Query.term_query(self._schema, "bigrams", unit)
        pairs = [(i, unit[i : i + 2]) for i in range(len(unit) - 1)]
        return tantivy.Query.phrase_query(self._schema, "bigrams", pairs)


def _rank_key(hit: tuple[float, int]) -> tuple[float, int]:
    score, passage_id = hit
    return (-score, passage_id)
