"""The browse page's data: each source's facet values, year span and sort places.

The browse page (``sources/index.html``) lists every published source in a table sorted by
date, written by the server so that it works without JavaScript. ``assets/browse.js`` adds the
facets, the date range and the sort orders; what it needs is in ``sources/browse-data.js``
(``Browse.script``), a script that sets ``window.shiliaoBrowse`` rather than a JSON file to
fetch, because a page opened from ``file://`` may not fetch. That data holds no text shown on
the page: each facet's values (compared with the page URL's query, never written into the
page), and per row its facet values as short keys (``"a0 p1 k0"``: the facet's letter and the
value's place), its year span and its places in the title and creator orders, computed here so
that the title order is pinyin order (``zh.pinyin.pinyin_sort_key``) in every browser.

A facet value's count, as the script shows it, is the number of sources that have the value
and pass every other facet's filter and the date range: values of one facet combine with OR,
facets with AND (the convention of faceted search, as in Solr's multi-select facets).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from shiliao.collection.reliability import (
    INFORMATION_CREDIBILITY,
    SOURCE_RELIABILITY,
    parse_reliability,
)
from shiliao.collection.reliability import reliability_code as admiralty_code
from shiliao.edtf import date_sort_key, year_span
from shiliao.model import Source
from shiliao.search.facets import facets_of
from shiliao.zh.pinyin import pinyin_sort_key

__all__ = [
    "FACETS",
    "NOT_ASSESSED",
    "Browse",
    "Facet",
    "FacetValue",
    "browse",
    "count_values",
    "creator_names",
    "information_label",
    "reliability_code",
    "reliability_label",
    "source_values",
    "type_label",
]

FACETS: tuple[tuple[str, str, str], ...] = (
    ("creator", "a", "Creator"),
    ("publisher", "p", "Publisher"),
    ("subject", "s", "Subject or tag"),
    ("place", "g", "Place"),
    ("type", "t", "Type"),
    ("language", "l", "Language"),
    ("collection", "k", "Collection"),
    ("reliability", "r", "Reliability"),
)
"""The browse facets: (name, key letter, legend). The name is the URL query's parameter."""

NOT_ASSESSED = "not assessed"
"""The reliability value of a source without an assessment (interface text, translated)."""

# CSL types in words; the interface translates these (a type not here is shown as it is).
_TYPE_LABELS = {
    "article": "article",
    "article-journal": "journal article",
    "article-magazine": "magazine article",
    "article-newspaper": "newspaper article",
    "book": "book",
    "chapter": "book chapter",
    "dataset": "data set",
    "document": "document",
    "graphic": "image",
    "interview": "interview",
    "legislation": "legislation",
    "manuscript": "manuscript",
    "map": "map",
    "motion_picture": "video",
    "pamphlet": "pamphlet",
    "post": "post",
    "post-weblog": "blog post",
    "regulation": "regulation",
    "report": "report",
    "speech": "speech",
    "thesis": "thesis",
    "webpage": "web page",
}


def type_label(csl_type: str) -> str | None:
    """A CSL type in words (English interface text: ``"article-journal"`` gives ``"journal
    article"``), or None for a type without one."""
    return _TYPE_LABELS.get(csl_type)


def reliability_label(code: str) -> str | None:
    """The source reliability of an Admiralty code in words (``"B2"``: ``"usually
    reliable"``), or None for what is not a code."""
    return SOURCE_RELIABILITY[code[0]] if reliability_code(code) else None


def information_label(code: str) -> str | None:
    """The information credibility of an Admiralty code in words (``"B2"``: ``"probably
    true"``), or None for what is not a code."""
    return INFORMATION_CREDIBILITY[int(code[1])] if reliability_code(code) else None


def reliability_code(value: object) -> str | None:
    """The Admiralty (NATO) code of a source's ``metadata["reliability"]``, read defensively.

    Args:
        value: the normalised mapping ``{"source": "B", "information": 2, "note": ...}``, or a
            code string as a sidecar writes it (``"B2"``), or anything else.

    Returns:
        ``"B2"`` (source reliability A-F, information credibility 1-6); None for a missing or
        malformed value (the source counts as not assessed).
    """
    try:
        return admiralty_code(parse_reliability(value))
    except ValueError:
        return None


def creator_names(value: object) -> list[str]:
    """The names of ``metadata["creators"]``: strings, or mappings with ``name`` (or
    ``literal``, as CSL-JSON writes an institution); empty names are dropped."""
    items = value if isinstance(value, list | tuple) else [value]
    names = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name") or item.get("literal")
        if isinstance(item, str | int | float) and str(item).strip():
            names.append(str(item).strip())
    return names


def _strings(*values: object) -> list[str]:
    """Every non-empty string (or number) in the values, each a string or a list; in order,
    once each."""
    found: list[str] = []
    for value in values:
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, str | int | float) and not isinstance(item, bool):
                text = str(item).strip()
                if text and text not in found:
                    found.append(text)
    return found


def source_values(source: Source) -> dict[str, list[str]]:
    """A source's values for each facet of ``FACETS``.

    Creators are ``metadata["creators"]`` (``creator_names``); subjects and tags are one facet
    (``subjects``, ``tags``); collections are ``search.facets.facets_of``'s; reliability is the
    code (``reliability_code``) or ``NOT_ASSESSED``. A facet the source has nothing for is an
    empty list (the source is then left out when a value of that facet is chosen).
    """
    metadata = source.metadata
    return {
        "creator": list(dict.fromkeys(creator_names(metadata.get("creators")))),
        "publisher": _strings(metadata.get("publisher")),
        "subject": _strings(metadata.get("subjects"), metadata.get("tags")),
        "place": _strings(metadata.get("place")),
        "type": _strings(source.type),
        "language": _strings(source.language),
        "collection": _strings(list(facets_of(source).collections)),
        "reliability": [reliability_code(metadata.get("reliability")) or NOT_ASSESSED],
    }


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet.

    Attributes:
        key: its short key (``"p1"``), the checkbox's value and the rows' data.
        value: the value as the source gives it (a name, a type, a language tag, ``"B2"``).
        count: sources that have it, no filter applied.
    """

    key: str
    value: str
    count: int


@dataclass(frozen=True)
class Facet:
    """One facet of the browse page.

    Attributes:
        name: its name in ``FACETS`` and in the page URL's query.
        legend: its heading (English interface text).
        values: its values, most sources first, then in pinyin order of the value.
    """

    name: str
    legend: str
    values: list[FacetValue]


def count_values(rows: Iterable[dict[str, list[str]]]) -> dict[str, Counter[str]]:
    """How many of the sources (``source_values`` each) have each value, per facet."""
    counts: dict[str, Counter[str]] = {name: Counter() for name, _, _ in FACETS}
    for values in rows:
        for name, found in values.items():
            counts[name].update(found)
    return counts


@dataclass
class Browse:
    """What the browse page shows and its script needs.

    Attributes:
        facets: the facets that have at least one value.
        rows: ``(source, keys, by)`` in date order (undated last): ``keys`` the
            space-separated short keys of its facet values, ``by`` its creators' names, or its
            publisher when it has none (what the creator order sorts by).
        first_year: the earliest year a dated source can fall in, or None when none is dated.
        last_year: the latest, or None.
        undated: sources with no year span (no date, or one that is not EDTF).
        data: what ``script`` writes.
    """

    facets: list[Facet]
    rows: list[tuple[Source, str, list[str]]]
    first_year: int | None
    last_year: int | None
    undated: int
    data: dict[str, Any]

    def script(self) -> str:
        """``sources/browse-data.js``: ``window.shiliaoBrowse = {...};``.

        ``facets`` is ``[[name, letter, [value, ...]], ...]`` (a value's key is the letter and
        its place in the list); ``rows`` is, in the table's order, ``[keys, first_year,
        last_year, title_place, creator_place]`` (years null when undated).
        """
        text = json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))
        # Inside a script file "</" ends nothing, but keep the data inert anyway.
        return "window.shiliaoBrowse = " + text.replace("</", "<\\/") + ";\n"


def _places(sources: Sequence[Source], key: Callable[[Source], Any]) -> dict[str, int]:
    return {source.id: place for place, source in enumerate(sorted(sources, key=key))}


def browse(sources: Sequence[Source], values: dict[str, dict[str, list[str]]]) -> Browse:
    """The browse page's facets, rows and script data.

    Args:
        sources: the published sources (the public projection's, for a public site).
        values: source id -> ``source_values(source)``, for every source.

    Returns:
        A ``Browse``. Title order is ``pinyin_sort_key`` of the title; creator order is that of
        the first creator's name, or of the publisher's for a source without creators (an
        official document's author is its issuing body), those with neither last; ties go by
        date, then title.
    """
    title_key = {source.id: pinyin_sort_key(source.title) for source in sources}
    by_date = sorted(sources, key=lambda s: (date_sort_key(s.date), title_key[s.id], s.id))
    counts = count_values(values[s.id] for s in by_date)
    facets: list[Facet] = []
    keys: dict[tuple[str, str], str] = {}
    facet_data = []
    for name, letter, legend in FACETS:
        counter = counts[name]
        ordered = sorted(counter, key=lambda v, c=counter: (-c[v], pinyin_sort_key(v)))
        found = []
        for place, value in enumerate(ordered):
            keys[(name, value)] = f"{letter}{place}"
            found.append(FacetValue(f"{letter}{place}", value, counter[value]))
        facet_data.append([name, letter, ordered])
        if found:
            facets.append(Facet(name, legend, found))
    date_place = {source.id: place for place, source in enumerate(by_date)}
    title_place = _places(by_date, lambda s: (title_key[s.id], date_place[s.id]))

    def by(source: Source) -> list[str]:
        return values[source.id]["creator"] or values[source.id]["publisher"]

    def creator_key(source: Source) -> tuple[Any, ...]:
        names = by(source)
        first = pinyin_sort_key(names[0]) if names else None
        return (first is None, first or ((), (), ""), date_place[source.id])

    creator_place = _places(by_date, creator_key)
    rows = []
    data_rows = []
    spans = []
    for source in by_date:
        row_keys = " ".join(
            keys[(name, value)] for name, _, _ in FACETS for value in values[source.id][name]
        )
        span = year_span(source.date)
        if span:
            spans.append(span)
        rows.append((source, row_keys, by(source)))
        data_rows.append(
            [
                row_keys,
                span[0] if span else None,
                span[1] if span else None,
                title_place[source.id],
                creator_place[source.id],
            ]
        )
    return Browse(
        facets=facets,
        rows=rows,
        first_year=min((s[0] for s in spans), default=None),
        last_year=max((s[1] for s in spans), default=None),
        undated=len(by_date) - len(spans),
        data={"facets": facet_data, "rows": data_rows},
    )
