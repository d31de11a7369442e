"""Reference-list entries and in-text labels in a plain author-date form.

The form follows the Chicago Manual of Style, 17th edition, author-date system (chapter 15),
built only from the CSL-JSON fields that exist; full CSL styles (Chicago, APA, GB/T 7714)
through a CSL processor are a later step and will replace this module's formatting, not its
interface. An entry is returned as styled runs rather than HTML, so that the caller escapes
the text once, for whatever output it writes.

The shape of an entry::

    Authors. Year. "Title." Container Volume (Issue): Pages. Place: Publisher. URL. Note.

* Authors: the first inverted ("Family, Given"), the others not ("Given Family"), separated by
  commas with a comma before the final "and", even for two (as CSL's chicago-author-date does:
  "Yao, and Zhang"); more than ten give the first seven and "et al." (CMOS 15.9). Names in
  Han characters are written family name first with no comma or space ("张三"), as CMOS 15.15
  keeps Chinese names uninverted. No authors: editors, followed by "ed." or "eds."; no
  editors either: the title leads.
* Year: the ``issued`` year, or "n.d." (CMOS 15.44).
* Title: in quotation marks for a part of something larger (an article, chapter, web page,
  post, thesis, entry), in italics for everything else (book, report, document...).
* The record's ``note`` is appended when the record is incomplete (no title, no author or
  editor, or no date), so that a reader sees why the entry is short.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from shiliao.cite.csl import creators, family_names, year

__all__ = ["Run", "in_text_label", "reference_runs", "sort_key"]

Style = Literal["italic", "link"]

# CSL types whose title is quoted: works that are parts of a container, or unpublished.
_QUOTED_TYPES = frozenset(
    {
        "article",
        "article-journal",
        "article-magazine",
        "article-newspaper",
        "chapter",
        "entry",
        "entry-dictionary",
        "entry-encyclopedia",
        "paper-conference",
        "post",
        "post-weblog",
        "thesis",
        "webpage",
    }
)
# CSL types whose container (journal, book, encyclopedia) is a published title in italics; a
# website's name is not italicised (CMOS 14.206).
_ITALIC_CONTAINER_TYPES = frozenset(
    {
        "article-journal",
        "article-magazine",
        "article-newspaper",
        "chapter",
        "entry",
        "entry-dictionary",
        "entry-encyclopedia",
        "paper-conference",
    }
)
_TERMINAL = ".?!。？！"
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_MAX_NAMES = 10
_NAMES_BEFORE_ET_AL = 7


class Run(NamedTuple):
    """A piece of text with one style.

    Attributes:
        text: plain text, not escaped.
        style: None for roman text, ``"italic"``, or ``"link"`` (the text is an http(s) URL,
            to be shown and linked).
    """

    text: str
    style: Style | None = None


def reference_runs(entry: Mapping[str, Any]) -> list[Run]:
    """A reference-list entry for a CSL-JSON item.

    Args:
        entry: a validated CSL-JSON item.

    Returns:
        The entry as runs, adjacent roman runs merged, e.g. for a journal article::

            [Run("Chang, Wei. 2020. “Title.” "), Run("Journal", "italic"),
             Run(" 12 (3): 45–67. "), Run("https://doi.org/10.1/x", "link"), Run(".")]
    """
    names = _format_names(entry)
    title = _text(entry, "title")
    blocks: list[list[Run]] = []
    title_block = _title_block(entry, title) if title else []
    if names:
        blocks += [[Run(names)], [Run(year(entry) or "n.d.")]]
        if title_block:
            blocks.append(title_block)
    else:
        if title_block:
            blocks.append(title_block)
        blocks.append([Run(year(entry) or "n.d.")])
    blocks += [block for block in (_container_block(entry), _publisher_block(entry)) if block]
    if url := _url(entry):
        blocks.append([Run(url, "link")])
    note = _text(entry, "note")
    if note and not (title and creators(entry) and year(entry)):
        blocks.append([Run(note)])
    runs: list[Run] = []
    for number, block in enumerate(blocks):
        if number:
            runs.append(Run(" "))
        runs += block
        if not runs[-1].text.endswith(tuple(_TERMINAL + "”")):
            runs.append(Run("."))
    return _merge(runs)


def in_text_label(entry: Mapping[str, Any]) -> str:
    """The author-date label that cites an item in running text, without parentheses.

    The essays' form, with a comma before the year: one author ``"Chang, 2020"``, two
    ``"Yao and Zhang, 2016"``, three ``"Cao, Zhu, and Li, 2020"``, four or more
    ``"Wang et al., 2019"`` (CMOS 15.29); an item without authors is named by its title.

    Args:
        entry: a validated CSL-JSON item.

    Returns:
        The label, e.g. ``"Chang, 2020"`` or ``"n.d."`` for an undated item.
    """
    names = family_names(entry)
    if len(names) >= 4:
        who = f"{names[0]} et al."
    elif len(names) == 3:
        who = f"{names[0]}, {names[1]}, and {names[2]}"
    else:
        who = " and ".join(names) or _text(entry, "title")
    when = year(entry) or "n.d."
    return f"{who}, {when}" if who else when


def sort_key(entry: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """The order of a reference list: first author's family name, then year (CMOS 15.16).

    Args:
        entry: a validated CSL-JSON item.

    Returns:
        ``(first family name or literal name or, failing both, title; year; title; id)``,
        case-folded; an undated item's year sorts after dated ones ("n.d." > digits). Han
        names and titles sort after Latin ones, by code point.
    """
    names = family_names(entry)
    title = _text(entry, "title").casefold()
    first = names[0].casefold() if names else title
    return (first, year(entry) or "n.d.", title, str(entry["id"]))


def _text(entry: Mapping[str, Any], field: str) -> str:
    value = entry.get(field)
    return " ".join(value.split()) if isinstance(value, str) else ""


def _format_names(entry: Mapping[str, Any]) -> str:
    formatted = (_format_name(name, inverted=n == 0) for n, name in enumerate(creators(entry)))
    names = [name for name in formatted if name]
    if len(names) > _MAX_NAMES:
        text = ", ".join(names[:_NAMES_BEFORE_ET_AL]) + ", et al."
    elif len(names) >= 2:
        text = ", ".join(names[:-1]) + ", and " + names[-1]
    else:
        text = names[0] if names else ""
    if text and not entry.get("author"):
        # Editors in the author's place are marked as such (CMOS 15.35).
        text += ", eds." if len(names) > 1 else ", ed."
    return text


def _format_name(name: Mapping[str, Any], *, inverted: bool) -> str:
    if literal := name.get("literal"):
        return " ".join(str(literal).split())
    family = " ".join(
        str(part) for part in (name.get("non-dropping-particle"), name.get("family")) if part
    )
    given = " ".join(
        str(part) for part in (name.get("given"), name.get("dropping-particle")) if part
    )
    if _HAN.search(family + given):
        return family + given
    if not given:
        return family
    if not family:
        return given
    return f"{family}, {given}" if inverted else f"{given} {family}"


def _title_block(entry: Mapping[str, Any], title: str) -> list[Run]:
    if entry.get("type") in _QUOTED_TYPES:
        closing = "" if title.endswith(tuple(_TERMINAL)) else "."
        return [Run(f"“{title}{closing}”")]
    return [Run(title, "italic")]


def _container_block(entry: Mapping[str, Any]) -> list[Run]:
    container = _text(entry, "container-title")
    volume, issue, page = (_text_or_number(entry, key) for key in ("volume", "issue", "page"))
    if not container:
        return []
    italic = entry.get("type") in _ITALIC_CONTAINER_TYPES
    runs = [Run("In ")] if entry.get("type") == "chapter" else []
    runs.append(Run(container, "italic" if italic else None))
    if volume:
        runs.append(Run(f" {volume}"))
    if issue:
        runs.append(Run(f" ({issue})"))
    if page:
        runs.append(Run(f": {page}" if volume or issue else f", {page}"))
    return runs


def _publisher_block(entry: Mapping[str, Any]) -> list[Run]:
    place, publisher = _text(entry, "publisher-place"), _text(entry, "publisher")
    text = ": ".join(part for part in (place, publisher) if part)
    return [Run(text)] if text else []


def _text_or_number(entry: Mapping[str, Any], field: str) -> str:
    value = entry.get(field)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _text(entry, field)


def _url(entry: Mapping[str, Any]) -> str | None:
    """The item's address; only http(s), so that a record cannot plant a javascript: link."""
    url = _text(entry, "URL")
    if re.match(r"https?://", url, re.IGNORECASE):
        return url
    doi = _text(entry, "DOI")
    if doi:
        return "https://doi.org/" + re.sub(
            r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", doi, flags=re.IGNORECASE
        )
    return None


def _merge(runs: list[Run]) -> list[Run]:
    merged: list[Run] = []
    for run in runs:
        if merged and run.style is None and merged[-1].style is None:
            merged[-1] = Run(merged[-1].text + run.text)
        else:
            merged.append(run)
    return merged
