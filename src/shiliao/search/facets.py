"""Facets and filters of a search: collection, type, year and language of the matching sources.

Each indexed passage carries its source's ``PassageFacets`` (``facets_of``): the year of the
source's date, its collections, CSL type and BCP 47 language. ``SearchFilters`` restricts a
search to some of them (``--year 2014..2020``, ``--collection``); the index answers the filters
exactly, with the query. Facet counts are computed from the matching passages grouped by
source (``PassageIndex.source_counts``) and each source's facets (``count_facets``), so that
every value carries both the number of passages and the number of sources, exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shiliao.errors import QueryError
from shiliao.model import Source

__all__ = [
    "FACET_FIELDS",
    "FacetValue",
    "PassageFacets",
    "SearchFilters",
    "count_facets",
    "facets_from",
    "facets_of",
    "parse_year_range",
    "year_of",
]

FACET_FIELDS = ("collection", "type", "year", "language")
_YEAR = re.compile(r"^-?\d{4}")
_RANGE = re.compile(r"^\s*(-?\d{1,4})?\s*(?:(\.\.)\s*(-?\d{1,4})?)?\s*$")


@dataclass(frozen=True)
class PassageFacets:
    """What a passage can be filtered and counted by: its source's metadata.

    Attributes:
        year: the year of the source's date (``year_of``), None when undated.
        collections: the collections the source belongs to.
        type: the source's CSL type (``"report"``, ``"speech"``...).
        language: the source's BCP 47 tag (``"zh-Hans"``, ``"zh-Hant"``...).
    """

    year: int | None = None
    collections: tuple[str, ...] = ()
    type: str | None = None
    language: str | None = None


def year_of(date: str | None) -> int | None:
    """The year of an EDTF date: its first four digits, negative before the common era.

    A year alone or a year and a month is that year: no day is needed, none is made up.

    Args:
        date: ``"2016"``, ``"1921-07"``, ``"2019-03-05"``, ``"2016?"``, ``"-0500"``...; None
            when undated.

    Returns:
        The year as an int (``-500`` for ``"-0500"``), or None when the date has no
        four-digit year (``"19XX"``, ``"201X"``: a decade is no year to filter or count by).
    """
    if not date:
        return None
    match = _YEAR.match(date)
    return int(match.group()) if match else None


def facets_of(source: Source) -> PassageFacets:
    """The facets a source's passages are indexed with.

    Args:
        source: a stored source; its collections are ``metadata["collection"]`` (a string or a
            list of strings, as the sidecar gives them), else ``metadata["collections"]``.

    Returns:
        The source's ``PassageFacets``.
    """
    metadata = source.metadata
    return facets_from(
        source.date,
        source.type,
        source.language,
        metadata.get("collection"),
        metadata.get("collections"),
    )


def facets_from(
    date: str | None,
    type: str | None,
    language: str | None,
    collection: object = None,
    collections: object = None,
) -> PassageFacets:
    """``facets_of`` from the fields alone (``Catalog.source_facets`` gives them).

    Args:
        date: the source's EDTF date, or None.
        type: its CSL type.
        language: its BCP 47 tag.
        collection: ``metadata["collection"]``: a string, a list of strings or None.
        collections: ``metadata["collections"]``, used when ``collection`` is empty.

    Returns:
        The ``PassageFacets``.
    """
    raw = collection or collections or ()
    if isinstance(raw, str):
        names: tuple[str, ...] = (raw,)
    elif isinstance(raw, list | tuple):
        names = tuple(str(c) for c in raw)
    else:
        names = ()
    return PassageFacets(
        year=year_of(date), collections=names, type=type or None, language=language or None
    )


@dataclass(frozen=True)
class SearchFilters:
    """Restrictions on the sources a search returns; empty fields restrict nothing.

    Attributes:
        year_from: first year allowed (inclusive), or None; undated sources are then excluded.
        year_to: last year allowed (inclusive), or None.
        collections: the source must be in one of these collections.
        types: the source's type must be one of these.
        languages: the source's language must be one of these.
    """

    year_from: int | None = None
    year_to: int | None = None
    collections: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Whether nothing is restricted."""
        return (
            self.year_from is None
            and self.year_to is None
            and not (self.collections or self.types or self.languages)
        )

    def allows(self, facets: PassageFacets) -> bool:
        """Whether a passage with these facets passes (the brute-force definition).

        Args:
            facets: the passage's facets.
        """
        if self.year_from is not None or self.year_to is not None:
            if facets.year is None:
                return False
            if self.year_from is not None and facets.year < self.year_from:
                return False
            if self.year_to is not None and facets.year > self.year_to:
                return False
        if self.collections and not set(self.collections) & set(facets.collections):
            return False
        if self.types and facets.type not in self.types:
            return False
        return not (self.languages and facets.language not in self.languages)

    def to_json(self) -> dict[str, object]:
        """The filters as plain data (only those set)."""
        data: dict[str, object] = {}
        if self.year_from is not None or self.year_to is not None:
            data["year"] = [self.year_from, self.year_to]
        for name in ("collections", "types", "languages"):
            if getattr(self, name):
                data[name] = list(getattr(self, name))
        return data


def parse_year_range(text: str) -> tuple[int | None, int | None]:
    """Parse a year range as typed after ``--year``.

    Forms: ``2016`` (that year), ``2014..2020`` (inclusive), ``2014..`` (from), ``..2000`` (up
    to).

    Args:
        text: the range.

    Returns:
        ``(first, last)``, either None when open.

    Raises:
        QueryError: the text is not one of the forms, or ``first`` is after ``last``.
    """
    match = _RANGE.match(text)
    if not match or not (match.group(1) or match.group(3)):
        raise QueryError(f"bad year range {text!r}: write 2016, 2014..2020, 2014.. or ..2000")
    first = int(match.group(1)) if match.group(1) else None
    if match.group(2) is None:
        return first, first
    last = int(match.group(3)) if match.group(3) else None
    if first is not None and last is not None and first > last:
        raise QueryError(f"bad year range {text!r}: {first} is after {last}")
    return first, last


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet with the number of matching passages and sources that have it.

    Attributes:
        value: the value: a collection name, a type, a year (int) or a language tag; None for
            sources without one (undated, or in no collection).
        passages: matching passages whose source has the value.
        sources: matching sources that have the value.
    """

    value: str | int | None
    passages: int
    sources: int

    def to_json(self) -> dict[str, object]:
        """``{"value", "passages", "sources"}``."""
        return {"value": self.value, "passages": self.passages, "sources": self.sources}


def count_facets(
    source_counts: Mapping[str, int], facets: Mapping[str, PassageFacets]
) -> dict[str, list[FacetValue]]:
    """Count the values of each facet over the matching sources.

    Args:
        source_counts: source id -> number of matching passages of that source.
        facets: source id -> its facets; a source missing here counts under None everywhere.

    Returns:
        ``{"collection": [...], "type": [...], "year": [...], "language": [...]}``: years in
        ascending order (None last); other facets by passages, most first, then by value.
    """
    totals: dict[str, dict[str | int | None, list[int]]] = {name: {} for name in FACET_FIELDS}
    for source_id, passages in source_counts.items():
        found = facets.get(source_id, PassageFacets())
        values: dict[str, Iterable[str | int | None]] = {
            "collection": found.collections or (None,),
            "type": (found.type,),
            "year": (found.year,),
            "language": (found.language,),
        }
        for name, names in values.items():
            for value in names:
                counts = totals[name].setdefault(value, [0, 0])
                counts[0] += passages
                counts[1] += 1
    result: dict[str, list[FacetValue]] = {}
    for name, counts in totals.items():
        rows = [FacetValue(value, p, s) for value, (p, s) in counts.items()]
        if name == "year":
            rows.sort(key=lambda row: (row.value is None, row.value or 0))
        else:
            rows.sort(key=lambda row: (-row.passages, row.value is None, str(row.value)))
        result[name] = rows
    return result
