"""Styled runs of text, and the small pieces of formatting the three styles share.

A formatted entry is a list of ``Run`` (text plus an optional style) rather than HTML, so that
the caller escapes the text once for whatever it writes (HTML, plain text, a terminal).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal, NamedTuple

from shiliao.cite.iri import to_iri
from shiliao.cite.record import custom, date_parts, has_han, text

__all__ = [
    "MONTHS",
    "Run",
    "archived",
    "italic",
    "join_blocks",
    "merge",
    "page_range",
    "plain_text",
    "title_case",
    "to_inner_quotes",
    "url",
]

Style = Literal["italic", "link"]

#: English month names, January first (CMOS 9.35, APA 9.14).
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_TERMINAL = ".?!。？！"


class Run(NamedTuple):
    """A piece of text with one style.

    Attributes:
        text: plain text, not escaped.
        style: None for roman text, ``"italic"``, or ``"link"`` (the text is an http(s) URL,
            to be shown and linked).
    """

    text: str
    style: Style | None = None


def italic(value: str) -> Run:
    """An italic run, except for text in Han characters, which has no italics (roman)."""
    return Run(value, None if has_han(value) else "italic")


def merge(runs: Iterable[Run]) -> list[Run]:
    """Adjacent runs of the same style (other than links) joined; empty runs dropped."""
    merged: list[Run] = []
    for run in runs:
        if not run.text:
            continue
        if merged and run.style == merged[-1].style and run.style != "link":
            merged[-1] = Run(merged[-1].text + run.text, run.style)
        else:
            merged.append(run)
    return merged


def plain_text(runs: Iterable[Run]) -> str:
    """The text of runs without their styles."""
    return "".join(run.text for run in runs)


def join_blocks(blocks: Iterable[list[Run]], end: str = ".") -> list[Run]:
    """Blocks (each a list of runs) joined by spaces, each ended by ``end`` unless it already
    ends with a terminal mark (``. ? ! 。 ？ ！``), a closing quote after one, or ``end`` is
    empty."""
    runs: list[Run] = []
    for block in blocks:
        block = merge(block)
        if not block:
            continue
        if runs:
            runs.append(Run(" "))
        runs += block
        last = block[-1].text
        if end and not last.endswith(tuple(_TERMINAL)) and not re.search(r"[.?!]”$", last):
            runs.append(Run(end))
    return merge(runs)


def url(item: Mapping[str, Any]) -> str:
    """The item's address as readers see it: its DOI as ``https://doi.org/...``, else its
    http(s) ``URL``, else ``""``; an IRI (``iri.to_iri``: ``https://example.cn/新闻/2019``
    however the record encodes it). Only http(s), so that a record cannot plant a
    ``javascript:`` link."""
    doi = text(item, "DOI")
    if doi:
        return to_iri(
            "https://doi.org/"
            + re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", doi, flags=re.IGNORECASE)
        )
    address = text(item, "URL")
    return to_iri(address) if re.match(r"https?://", address, re.IGNORECASE) else ""


def archived(item: Mapping[str, Any]) -> tuple[str, tuple[int, int | None, int | None] | None]:
    """The preserved copy of a web source: ``(custom["archived-url"], its capture date)``.

    Returns:
        The address as an IRI (``iri.to_iri``) and the date; ``("", None)`` when the item
        names no http(s) archived copy.
    """
    extra = custom(item)
    address = extra.get("archived-url")
    if not isinstance(address, str) or not re.match(r"https?://", address, re.IGNORECASE):
        return "", None
    return to_iri(address), date_parts({"d": extra.get("archived-date")}, "d")


def page_range(pages: str, form: Literal["chicago", "expanded"], dash: str) -> str:
    """A page range with the style's dash and abbreviation.

    Args:
        pages: ``"567-584"``, ``"12–18"``, ``"45"``, ``"iv-x"``...
        form: ``"chicago"`` abbreviates the second number as CMOS 9.61 does (``567–84``,
            ``101–8``, ``1496–1504``); ``"expanded"`` keeps every digit (APA 7, GB/T 7714).
        dash: ``"–"`` (Chicago, APA) or ``"-"`` (GB/T 7714).

    Returns:
        The range; anything that is not two Arabic numbers is returned with its dashes replaced.
    """
    match = re.fullmatch(r"\s*(\d+)\s*[-–—]+\s*(\d+)\s*", pages)
    if match is None:
        return re.sub(r"\s*[-–—]+\s*", dash, pages.strip())
    first, second = match.groups()
    if form == "chicago":
        second = _cmos_abbreviation(first, second)
    return f"{first}{dash}{second}"


def _cmos_abbreviation(first: str, second: str) -> str:
    """CMOS 17 §9.61 inclusive numbers."""
    start, end = int(first), int(second)
    if start < 100 or start % 100 == 0 or len(second) != len(first):
        return second
    if start % 100 < 10:
        # 101–8, 1103–4: only the changed part.
        changed = next(
            (i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b),
            len(second),
        )
        return second[changed:].lstrip("0") or second[-1]
    if len(first) == 4 and first[:2] != second[:2] and first[0] == second[0]:
        # Four digits with three changing: all digits (1496–1504).
        return second
    # 321–28, 498–532, 1087–89: two digits or more as needed.
    for width in range(2, len(second) + 1):
        if int(first[:-width] + second[-width:]) == end:
            return second[-width:]
    return second


_SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "but",
        "for",
        "or",
        "nor",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "off",
        "on",
        "onto",
        "out",
        "over",
        "per",
        "to",
        "up",
        "upon",
        "via",
        "with",
        "vs",
    ]
)


def title_case(value: str) -> str:
    """Headline-style capitalization of an English title (CMOS 8.159).

    The first and last words, and the first word after a colon, are capitalized, as are all
    other words except articles, prepositions, coordinating conjunctions, *to* and *as*. A word
    that already has a capital after its first letter (``iPhone``, ``XUAR``) is left as is, and
    lower-case letters are never made lower.
    """
    words = re.split(r"(\s+)", value)
    indexes = [i for i, word in enumerate(words) if word.strip()]
    out = list(words)
    after_colon = True
    for position, index in enumerate(indexes):
        word = words[index]
        core = word.strip("“‘\"'([")
        lead = word[: len(word) - len(word.lstrip("“‘\"'(["))]
        last = position == len(indexes) - 1
        small = core.lower().rstrip(":.,;?!") in _SMALL_WORDS
        if core and (after_colon or last or not small) and core[0].islower():
            out[index] = lead + "-".join(part[:1].upper() + part[1:] for part in core.split("-"))
        after_colon = word.endswith(":")
    return "".join(out)


def to_inner_quotes(value: str) -> str:
    """Double quotation marks inside a title that will be put in double quotes made single
    (CMOS 6.9; Chinese titles use the same “ ” marks)."""
    return value.replace("“", "‘").replace("”", "’")
