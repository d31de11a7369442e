"""The archive's terms: the glossary as a living record, formula candidates, statistics, KWIC.

This module reads an archive's database (``store.Catalog``) and, where a string must be found
anywhere, its search index (``search.PassageIndex``), and applies the Chinese text functions
(``zh.formulas``, ``zh.stats``); the CLI and the website both use it:

- ``term_records``: each glossary entry with the sources and passages that use it, its first
  and last dated use, and its formula parts and related terms linked to their own entries;
- ``find_archive_candidates``: numbered formulas and quoted slogans (``zh.formulas``), with
  example passages and glossary terms marked;
- ``term_statistics``: occurrences per year, absolute and per 10,000 characters, of any
  string, found through the index (exact substring semantics) across the archive or one
  collection; ``glossary_statistics``: the same for every glossary term, from the mentions
  found at ingest, with no index;
- ``concordance``: every occurrence of a string with its context (KWIC), of adjustable width;
- ``term_collocates``: the words most associated with a string (G², Dunning 1993);
- ``promote``, ``export_glossary``, ``import_glossary``: the collection's ``glossary.yaml`` is
  the source of truth, so entries are appended to it as text (its comments and layout stay),
  never re-dumped, and the next build picks them up.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from shiliao.collection.glossary import read_glossary
from shiliao.collection.writing import replace_text
from shiliao.edtf import date_sort_key
from shiliao.errors import CollectionError, ConfigError
from shiliao.model import Passage, Source, Term
from shiliao.search.facets import SearchFilters, facets_of, year_of
from shiliao.search.index import PassageIndex
from shiliao.search.kwic import Kwic, find_spans
from shiliao.search.query import Query
from shiliao.store import Catalog
from shiliao.zh.formulas import Candidate, CandidatePassage, find_candidates
from shiliao.zh.normalize import normalize
from shiliao.zh.segment import Segmenter
from shiliao.zh.stats import (
    Collocate,
    CollocationCounter,
    YearCount,
    count_occurrences,
    yearly_frequency,
)

__all__ = [
    "CSV_FIELDS",
    "ConcordanceLine",
    "ImportReport",
    "TermRecord",
    "TermStatistics",
    "concordance",
    "export_glossary",
    "find_archive_candidates",
    "glossary_statistics",
    "import_glossary",
    "promote",
    "term_collocates",
    "term_records",
    "term_statistics",
]

CSV_FIELDS = (
    "term",
    "traditional",
    "pinyin",
    "english",
    "category",
    "parts",
    "parts_en",
    "note",
    "see",
    "uyghur_latin",
    "uyghur_arabic",
    "auto_filled",
)
# Lists inside one CSV cell are joined with this; glossary values do not contain it.
_LIST_SEPARATOR = " | "
_LIST_FIELDS = ("english", "parts", "parts_en", "see")
_GLOSSARY_FILE = "glossary.yaml"


# The glossary as a record ------------------------------------------------------------------


@dataclass(frozen=True)
class TermRecord:
    """A glossary entry with what the archive says about it.

    Attributes:
        term: the entry (completed: auto-filled values are named in ``term.auto_filled``).
        sources: sources that mention it.
        passages: passages that mention it.
        first_date: the earliest date (EDTF) of a source that mentions it, or None.
        last_date: the latest such date, or None.
        parts: the formula's parts, each ``(part, is it a glossary entry)``.
        see: related terms, each ``(term, is it a glossary entry)``.
    """

    term: Term
    sources: int
    passages: int
    first_date: str | None
    last_date: str | None
    parts: tuple[tuple[str, bool], ...]
    see: tuple[tuple[str, bool], ...]

    def to_json(self) -> dict[str, Any]:
        """The record as plain data (``term`` flattened into the top level)."""
        term = self.term
        return {
            "term": term.term,
            "traditional": term.traditional,
            "pinyin": term.pinyin,
            "english": list(term.english),
            "category": term.category,
            "note": term.note,
            "uyghur": term.uyghur,
            "auto_filled": list(term.auto_filled),
            "parts": [{"term": p, "in_glossary": known} for p, known in self.parts],
            "parts_en": list(term.parts_en),
            "see": [{"term": s, "in_glossary": known} for s, known in self.see],
            "sources": self.sources,
            "passages": self.passages,
            "first_date": self.first_date,
            "last_date": self.last_date,
        }


def term_records(catalog: Catalog) -> list[TermRecord]:
    """Every glossary entry of the archive with its use, in glossary order.

    Args:
        catalog: the archive's database.

    Returns:
        One ``TermRecord`` per term; counts come from the mentions found at ingest (Aho-Corasick
        over normalized text, ``zh.glossary``).
    """
    terms = catalog.terms()
    names = {term.term for term in terms}
    usage = catalog.term_usage()
    dates = catalog.term_dates()
    records = []
    for term in terms:
        sources, passages = usage.get(term.term, (0, 0))
        first, last = dates.get(term.term, (None, None))
        records.append(
            TermRecord(
                term=term,
                sources=sources,
                passages=passages,
                first_date=first,
                last_date=last,
                parts=tuple((part, part in names) for part in term.parts),
                see=tuple((name, name in names) for name in term.see),
            )
        )
    return records


# Candidates ---------------------------------------------------------------------------------


def _dated_passages(catalog: Catalog) -> Iterator[CandidatePassage]:
    dates = {source.id: source.date for source in catalog.sources()}
    for passage in catalog.iter_passages():
        yield CandidatePassage(
            passage_id=passage.id or 0,
            source_id=passage.source_id,
            date=dates.get(passage.source_id),
            text=passage.text,
        )


def find_archive_candidates(
    catalog: Catalog, *, min_sources: int = 2, limit: int | None = None
) -> list[Candidate]:
    """Numbered formulas and recurring quoted phrases of the archive (``zh.formulas``).

    Args:
        catalog: the archive's database.
        min_sources: the fewest sources a candidate must occur in.
        limit: the most candidates to return; None for all.

    Returns:
        Candidates best first, glossary terms (and their Traditional forms) marked
        ``in_glossary``.
    """
    known: list[str] = []
    for term in catalog.terms():
        known.append(term.term)
        if term.traditional:
            known.append(term.traditional)
    return find_candidates(_dated_passages(catalog), known, min_sources=min_sources, limit=limit)


# Statistics and concordance -------------------------------------------------------------


@dataclass(frozen=True)
class TermStatistics:
    """How often a string occurs, year by year.

    Attributes:
        term: the string as asked for.
        collection: the collection counted, or None for the whole archive.
        years: one row per year with text (ascending), absent years included with count 0.
        total: occurrences in all sources, undated ones included.
        undated: occurrences in undated sources (in ``total``, in no year).
        passages: passages that contain it.
        sources: sources that contain it.
        first_year: the first year with an occurrence, or None.
        last_year: the last year with an occurrence, or None.
    """

    term: str
    collection: str | None
    years: list[YearCount]
    total: int
    undated: int
    passages: int
    sources: int
    first_year: int | None
    last_year: int | None

    def to_json(self) -> dict[str, Any]:
        """The statistics as plain data; ``years`` as ``{year, count, chars, per_10k}``."""
        return {
            "term": self.term,
            "collection": self.collection,
            "total": self.total,
            "undated": self.undated,
            "passages": self.passages,
            "sources": self.sources,
            "first_year": self.first_year,
            "last_year": self.last_year,
            "years": [row.to_json() for row in self.years],
        }


def _term_query(term: str) -> Query:
    unit = normalize(term).strip()
    if not unit:
        raise ConfigError(f"empty term {term!r}: give a word to count")
    return Query(text=term, units=(unit,))


def _matching_passages(
    catalog: Catalog, index: PassageIndex, query: Query, collection: str | None
) -> list[Passage]:
    filters = SearchFilters(collections=(collection,)) if collection else None
    ids = index.search(query, limit=None, filters=filters).passage_ids
    found = catalog.passages_by_id(ids)
    return [found[i] for i in ids if i in found]


def _in_collection(source: Source, collection: str | None) -> bool:
    return collection is None or collection in facets_of(source).collections


def _year_sizes(
    catalog: Catalog, sources: dict[str, Source], collection: str | None
) -> Counter[int]:
    """Year -> characters of the passages of that year's sources (in the collection)."""
    sizes: Counter[int] = Counter()
    for source_id, chars in catalog.source_sizes().items():
        source = sources.get(source_id)
        year = year_of(source.date) if source else None
        if source and year is not None and _in_collection(source, collection) and chars:
            sizes[year] += chars
    return sizes


def _statistics(
    term: str,
    unit: str,
    passages: Sequence[Passage],
    sources: dict[str, Source],
    sizes: Counter[int],
    collection: str | None,
) -> TermStatistics:
    counts: Counter[int] = Counter()
    undated = 0
    for passage in passages:
        occurrences = count_occurrences(normalize(passage.text), unit)
        year = year_of(sources[passage.source_id].date)
        if year is None:
            undated += occurrences
        else:
            counts[year] += occurrences
    years = [year for year, count in counts.items() if count]
    return TermStatistics(
        term=term,
        collection=collection,
        years=yearly_frequency(counts, sizes),
        total=sum(counts.values()) + undated,
        undated=undated,
        passages=len(passages),
        sources=len({p.source_id for p in passages}),
        first_year=min(years) if years else None,
        last_year=max(years) if years else None,
    )


def term_statistics(
    catalog: Catalog, index: PassageIndex, terms: Sequence[str], collection: str | None = None
) -> list[TermStatistics]:
    """Occurrences of strings per year, absolute and per 10,000 characters.

    Every passage that contains the string is found through the index (the same exact
    substring match as search); occurrences are counted non-overlapping in its normalized text
    (``zh.stats.count_occurrences``) and credited to the year of its source's date. The
    denominator of a year is the number of characters of all passages of that year's sources
    (in the collection, when one is given).

    Args:
        catalog: the archive's database.
        index: its search index, up to date (``operations.search.current_index``).
        terms: the strings to count (any, not only glossary terms).
        collection: count only sources of this collection; None for the whole archive.

    Returns:
        One ``TermStatistics`` per string, in the order given.

    Raises:
        ConfigError: a string is empty.
        SearchError: the index cannot be read.
    """
    sources = {source.id: source for source in catalog.sources()}
    sizes = _year_sizes(catalog, sources, collection)
    results = []
    for term in terms:
        query = _term_query(term)
        passages = _matching_passages(catalog, index, query, collection)
        results.append(_statistics(term, query.units[0], passages, sources, sizes, collection))
    return results


def glossary_statistics(catalog: Catalog) -> dict[str, TermStatistics]:
    """``term_statistics`` for every glossary term, from the mentions stored at ingest.

    The passages that mention a term were found by the glossary matcher (Aho-Corasick over
    normalized text: the same substring semantics as the index), so no index is needed and the
    figures equal ``term_statistics`` for the term.

    Args:
        catalog: the archive's database.

    Returns:
        Term -> its statistics over the whole archive, for every glossary term.
    """
    sources = {source.id: source for source in catalog.sources()}
    sizes = _year_sizes(catalog, sources, None)
    results = {}
    for term in catalog.terms():
        passages: dict[int, Passage] = {}
        for passage, _, _ in catalog.term_mentions(term.term):
            passages.setdefault(passage.id or 0, passage)
        unit = normalize(term.term)
        results[term.term] = _statistics(
            term.term, unit, list(passages.values()), sources, sizes, None
        )
    return results


@dataclass(frozen=True)
class ConcordanceLine:
    """One occurrence with its context.

    Attributes:
        source: the source.
        passage: the passage.
        kwic: the occurrence and its context, slices of the passage's original text.
    """

    source: Source
    passage: Passage
    kwic: Kwic

    def to_json(self) -> dict[str, Any]:
        """``{source_id, title, date, passage_id, page, paragraph, left, match, right,
        char_start, char_end}``."""
        return {
            "source_id": self.source.id,
            "title": self.source.title,
            "date": self.source.date,
            "passage_id": self.passage.id,
            "page": self.passage.page,
            "paragraph": self.passage.paragraph,
            "left": self.kwic.left,
            "match": self.kwic.match,
            "right": self.kwic.right,
            "char_start": self.kwic.char_start,
            "char_end": self.kwic.char_end,
        }


def _kwic(text: str, start: int, end: int, width: int) -> Kwic:
    left_start = max(0, start - width)
    right_end = min(len(text), end + width)
    return Kwic(
        left=text[left_start:start],
        match=text[start:end],
        right=text[end:right_end],
        char_start=start,
        char_end=end,
        left_truncated=left_start > 0,
        right_truncated=right_end < len(text),
    )


_SORTS = ("date", "left", "right")


def concordance(
    catalog: Catalog,
    index: PassageIndex,
    term: str,
    *,
    width: int = 30,
    sort: str = "date",
    collection: str | None = None,
) -> list[ConcordanceLine]:
    """Every occurrence of a string, with ``width`` characters of context on each side (KWIC).

    Args:
        catalog: the archive's database.
        index: its search index, up to date (``operations.search.current_index``).
        term: the string; matched as search matches it (normalized substring).
        width: code points of context on each side.
        sort: ``"date"`` (source date by the earliest day it can mean, undated last; then
            reading order; see ``edtf``), ``"left"`` (by the context just
            before the match, read backwards: the concordancer's left sort) or ``"right"`` (by
            the context after it).
        collection: only sources of this collection; None for all.

    Returns:
        The lines, sorted as asked.

    Raises:
        ConfigError: the term is empty, the width negative or the sort unknown.
        SearchError: the index cannot be read or rebuilt.
    """
    if width < 0:
        raise ConfigError(f"the width must be 0 or more, got {width}")
    if sort not in _SORTS:
        raise ConfigError(f"unknown sort {sort!r}: use one of {', '.join(_SORTS)}")
    query = _term_query(term)
    sources = {source.id: source for source in catalog.sources()}
    lines = [
        ConcordanceLine(sources[passage.source_id], passage, _kwic(passage.text, s, e, width))
        for passage in _matching_passages(catalog, index, query, collection)
        for s, e in find_spans(passage.text, query)
    ]
    if sort == "left":
        lines.sort(key=lambda line: normalize(line.kwic.left)[::-1])
    elif sort == "right":
        lines.sort(key=lambda line: normalize(line.kwic.right))
    else:
        lines.sort(
            key=lambda line: (
                date_sort_key(line.source.date),
                line.source.id,
                line.passage.paragraph,
                line.kwic.char_start,
            )
        )
    return lines


def term_collocates(
    catalog: Catalog,
    terms: Sequence[str],
    *,
    window: int = 5,
    min_together: int = 3,
    limit: int | None = 20,
    collection: str | None = None,
) -> dict[str, list[Collocate]]:
    """The words most associated with each string, by G² (Dunning 1993).

    The corpus (the archive, or one collection) is segmented once with jieba's dictionary
    (``zh.segment``), so asking for many terms at once costs little more than for one.

    Args:
        catalog: the archive's database.
        terms: the strings.
        window: words on each side of an occurrence.
        min_together: the fewest co-occurrences for a word to be listed.
        limit: the most collocates per string; None for all.
        collection: only sources of this collection; None for all.

    Returns:
        String -> its collocates, best first (``zh.stats.Collocate``).

    Raises:
        ConfigError: a string is empty.
    """
    queries = [_term_query(term) for term in terms]
    sources = {source.id: source for source in catalog.sources()}
    texts = (
        normalize(passage.text)
        for passage in catalog.iter_passages()
        if _in_collection(sources[passage.source_id], collection)
    )
    counter = CollocationCounter(texts, Segmenter().segment)
    return {
        term: counter.collocates(
            query.units[0], window=window, min_together=min_together, limit=limit
        )
        for term, query in zip(terms, queries, strict=True)
    }


# The glossary file: promote, import, export -------------------------------------------------


_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^:#,\[\]{}\n]*(?<!\s)")


def _yaml_scalar(value: str) -> str:
    # Plain when YAML reads it back as the same string (not yes, 1.0, null...), as the
    # glossary's own entries are written; otherwise a JSON string, which is a valid YAML flow
    # scalar, quoted and escaped: no value can break the file.
    if _PLAIN.fullmatch(value):
        try:
            if yaml.safe_load(value) == value:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)


def _entry_yaml(entry: dict[str, Any], comment: str | None = None) -> str:
    lines = [f"# {line}" for line in (comment or "").splitlines()]
    first = True
    for key in (
        "term",
        "pinyin",
        "traditional",
        "english",
        "uyghur",
        "category",
        "parts",
        "parts_en",
        "note",
        "see",
    ):
        value = entry.get(key)
        if value in (None, "", [], (), {}):
            continue
        if isinstance(value, (list, tuple)):
            text = "[" + ", ".join(_yaml_scalar(str(v)) for v in value) + "]"
        elif isinstance(value, dict):
            text = "{" + ", ".join(f"{k}: {_yaml_scalar(str(v))}" for k, v in value.items()) + "}"
        else:
            text = _yaml_scalar(str(value))
        lines.append(f"{'- ' if first else '  '}{key}: {text}")
        first = False
    return "\n".join(lines) + "\n"


def _glossary_path(collection_dir: Path) -> Path:
    collection_dir = Path(collection_dir)
    if not (collection_dir / "sources").is_dir():
        raise CollectionError(
            f"{collection_dir}: not a collection folder (no sources/); give the folder that "
            "holds glossary.yaml and sources/"
        )
    return collection_dir / _GLOSSARY_FILE


def _append_entries(path: Path, entries: Sequence[str]) -> None:
    """Append entries to the glossary file as text, atomically, and check the result parses."""
    original = path.read_text(encoding="utf-8") if path.exists() else ""
    text = original
    if text and not text.endswith("\n"):
        text += "\n"
    text += "".join(entries)
    # The whole new file must be a valid glossary before it replaces the old one.
    read_glossary(text, str(path))
    replace_text(path, text)


def _existing_terms(path: Path) -> set[str]:
    if not path.exists():
        return set()
    return {term.term for term in read_glossary(path.read_text(encoding="utf-8"), str(path))}


def promote(
    collection_dir: Path,
    text: str,
    english: Sequence[str],
    *,
    pinyin: str | None = None,
    category: str | None = "formula",
    note: str | None = None,
    parts: Sequence[str] = (),
    comment: str | None = None,
) -> Path:
    """Add a candidate to the collection's glossary (``glossary.yaml``), for the next build.

    The entry is appended to the file as text, so its comments and layout stay; the new file is
    checked to parse before it atomically replaces the old one. Pinyin left out is filled in
    automatically at the next build (and marked so); give it when the automatic reading is wrong.

    Args:
        collection_dir: the collection folder (with ``sources/``).
        text: the term, in Simplified characters (a Traditional form is converted by nothing
            here: write the Simplified form).
        english: English renderings, preferred first (at least one).
        pinyin: Hanyu Pinyin with tone marks, or None to have it filled in.
        category: the glossary category (``formula``, ``slogan``, ``campaign``...).
        note: a short definition.
        parts: for a formula, the items it stands for.
        comment: a YAML comment written above the entry (provenance: counts, first use).

    Returns:
        The path of the glossary file written.

    Raises:
        CollectionError: not a collection folder, the term is already in the glossary, or the
            glossary does not parse.
        ConfigError: the term or the English rendering is empty.
    """
    term = text.strip()
    renderings = [e.strip() for e in english if e.strip()]
    if not term:
        raise ConfigError("the term to promote is empty")
    if not renderings:
        raise ConfigError(f"give at least one English rendering for {term} (--english)")
    path = _glossary_path(collection_dir)
    if term in _existing_terms(path):
        raise CollectionError(f"{path}: {term} is already in the glossary")
    entry = {
        "term": term,
        "pinyin": pinyin,
        "english": renderings,
        "category": category,
        "parts": list(parts),
        "note": note,
    }
    _append_entries(path, [_entry_yaml(entry, comment)])
    return path


@dataclass(frozen=True)
class ImportReport:
    """What ``import_glossary`` did.

    Attributes:
        path: the glossary file written.
        added: terms appended, in file order.
        skipped: terms already in the glossary, left as they were.
    """

    path: Path
    added: list[str]
    skipped: list[str]


def _entries_from_csv(text: str, where: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "term" not in reader.fieldnames:
        raise CollectionError(f"{where}: a glossary CSV needs a header row with a 'term' column")
    entries = []
    for row in reader:
        auto = {f.strip() for f in (row.get("auto_filled") or "").split(_LIST_SEPARATOR.strip())}
        entry: dict[str, Any] = {}
        for key in ("term", "pinyin", "traditional", "category", "note"):
            value = (row.get(key) or "").strip()
            # A value the exporting build filled in automatically is not the glossary's own.
            if value and key not in auto:
                entry[key] = value
        for key in _LIST_FIELDS:
            values = [v.strip() for v in (row.get(key) or "").split(_LIST_SEPARATOR.strip())]
            if any(values):
                entry[key] = [v for v in values if v]
        latin, arabic = (
            (row.get("uyghur_latin") or "").strip(),
            (row.get("uyghur_arabic") or "").strip(),
        )
        if latin or arabic:
            entry["uyghur"] = {"latin": latin, "arabic": arabic}
        entries.append(entry)
    return entries


def import_glossary(collection_dir: Path, file: Path, fmt: str | None = None) -> ImportReport:
    """Add the entries of a YAML or CSV glossary file to the collection's glossary.

    Entries whose term is already in the glossary are skipped (the glossary file is the source
    of truth: edit it to change an entry); new ones are appended as text, in the file's order.
    In a CSV written by ``export_glossary``, values listed in its ``auto_filled`` column are
    left out, so automatic values do not become the glossary's own.

    Args:
        collection_dir: the collection folder.
        file: a ``.yaml``/``.yml`` file in the glossary's format, or a ``.csv`` file with the
            columns of ``CSV_FIELDS`` (``term`` and ``english`` required; lists joined by
            `` | ``).
        fmt: ``"yaml"`` or ``"csv"``; None to go by the file's extension.

    Returns:
        An ``ImportReport``.

    Raises:
        CollectionError: the file cannot be read or parsed, an entry is invalid (no English,
            unknown field), or the glossary does not parse.
        ConfigError: the format is unknown.
    """
    file = Path(file)
    fmt = fmt or ("csv" if file.suffix.lower() == ".csv" else "yaml")
    if fmt not in ("csv", "yaml"):
        raise ConfigError(f"unknown glossary format {fmt!r}: use yaml or csv")
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CollectionError(f"{file}: cannot be read: {exc}") from exc
    if fmt == "csv":
        entries = _entries_from_csv(text, str(file))
    else:
        try:
            entries = yaml.safe_load(text) or []
        except yaml.YAMLError as exc:
            raise CollectionError(f"{file}: not valid YAML: {exc}") from exc
        if not isinstance(entries, list):
            raise CollectionError(f"{file}: a glossary must be a list of entries")
    # Validates every entry (required fields, unknown fields, duplicates within the file).
    incoming = read_glossary(yaml.safe_dump(entries, allow_unicode=True), str(file))
    path = _glossary_path(collection_dir)
    existing = _existing_terms(path)
    added, skipped, texts = [], [], []
    for term, entry in zip(incoming, entries, strict=True):
        if term.term in existing:
            skipped.append(term.term)
            continue
        added.append(term.term)
        texts.append(_entry_yaml(entry))
    if texts:
        _append_entries(path, texts)
    return ImportReport(path=path, added=added, skipped=skipped)


def export_glossary(terms: Iterable[Term], fmt: str) -> str:
    """Write the glossary as YAML or CSV.

    Args:
        terms: the entries (``catalog.terms()``: completed, with ``auto_filled``).
        fmt: ``"yaml"``: the glossary's own format, one entry per term, each value filled in
            automatically written as a comment (``# pinyin (automatic, unchecked): ...``), so
            the file reads back exactly as the glossary was written; ``"csv"``: the columns of
            ``CSV_FIELDS``, lists joined by `` | ``, automatic values included and named in
            ``auto_filled``.

    Returns:
        The text of the file.

    Raises:
        ConfigError: the format is unknown.
    """
    terms = list(terms)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        for term in terms:
            row = {
                "term": term.term,
                "traditional": term.traditional or "",
                "pinyin": term.pinyin,
                "category": term.category or "",
                "note": term.note or "",
                "uyghur_latin": (term.uyghur or {}).get("latin", ""),
                "uyghur_arabic": (term.uyghur or {}).get("arabic", ""),
                "auto_filled": _LIST_SEPARATOR.join(term.auto_filled),
            }
            for key in _LIST_FIELDS:
                row[key] = _LIST_SEPARATOR.join(getattr(term, key))
            writer.writerow(row)
        return out.getvalue()
    if fmt != "yaml":
        raise ConfigError(f"unknown glossary format {fmt!r}: use yaml or csv")
    parts = ["# Glossary exported by shiliao. Values filled in automatically are comments.\n"]
    for term in terms:
        entry = {
            "term": term.term,
            "english": list(term.english),
            "uyghur": term.uyghur,
            "category": term.category,
            "parts": list(term.parts),
            "parts_en": list(term.parts_en),
            "note": term.note,
            "see": list(term.see),
        }
        automatic = []
        for key in ("pinyin", "traditional"):
            value = getattr(term, key)
            if key in term.auto_filled:
                automatic.append(f"{key} (automatic, unchecked): {value}")
            else:
                entry[key] = value
        parts.append(_entry_yaml(entry, "\n".join(automatic) or None))
    return "".join(parts)
