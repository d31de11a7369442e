"""APA Style, 7th edition (Publication Manual, chapters 9 and 10), as China scholars write it.

Reference-list entry::

    Authors. (Date). Title [Translation] [Description]. Source. DOI-or-URL

* Names (9.8): every name inverted with initials (``Harper, E. M.``), a Chinese name too
  (``Zhang, S.``), followed by its characters (``Zhang, S. 张三``); a name known only in
  characters is written in characters; groups as written (9.11). Two names: ``A, & B``; up to
  twenty: commas and ``, &`` before the last; more: the first nineteen, an ellipsis and the
  last (9.8). Editors in the author's place: ``(Ed.)`` or ``(Eds.)`` (9.10).
* Date (9.13–9.17): ``(2019)``; for newspaper and magazine articles, web pages and posts
  ``(2014, April 30)``; a letter for works of the same authors and year (``2018a``, 9.47);
  ``(n.d.)`` when undated. No names: the title leads (9.12).
* Title (9.19, 9.38): pinyin (``title-romanized``) then characters, as given (write English
  titles in sentence case); italic for works that stand alone, roman for parts (articles,
  chapters); characters are never italic. The English translation follows in square
  brackets; a thesis adds ``[Master’s thesis, Institution]`` (10.6).
* Source: ``Journal, Volume(Issue), pages`` with journal and volume in italics, ``Journal,
  (Issue), pages`` with no volume (9.25); newspapers ``Newspaper, page``; a web site's name
  unless it is the author's (9.16); a book's publisher unless it is the author (9.29); a chapter
  ``In E. Editor (Ed.), Book (pp. pages). Publisher.``
* Then the DOI or URL (as an IRI, ``iri.to_iri``), with no full stop after it (9.35), and an
  archived copy as ``(archived May 2, 2024, at ARCHIVE-URL)``.
* An incomplete record (no title, names or date) shows its ``note`` before the links.

In-text citation (8.17): ``(Zhang, 2019)``, ``(Yao & Zhang, 2016)``, ``(Zeng et al., 2021)``,
``(Chang, 2020, p. 14)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shiliao.cite.record import (
    Person,
    custom,
    date_parts,
    is_undivided,
    lead_names,
    people,
    romanized,
    text,
)
from shiliao.cite.runs import MONTHS, Run, archived, italic, join_blocks, merge, page_range, url

__all__ = ["in_text", "reference"]

_PARTS = frozenset(
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
        "post-weblog",
        "review",
        "review-book",
    }
)
_FULL_DATE = frozenset({"article-newspaper", "article-magazine", "webpage", "post", "post-weblog"})
_PERIODICAL = frozenset({"article-journal", "article-magazine", "review", "review-book"})
_WEB = frozenset({"webpage", "post", "post-weblog"})
_MAX_NAMES = 20
_NAMES_BEFORE_ELLIPSIS = 19


def reference(item: Mapping[str, Any], year_suffix: str = "") -> list[Run]:
    """A reference-list entry (APA 7, chapters 9–10).

    Args:
        item: a validated CSL-JSON item, with shiliao's ``custom`` fields where it has them.
        year_suffix: the letter that tells apart works of the same authors and year.

    Returns:
        The entry as runs, e.g. for a journal article ``[Run("Harper, E. M., ... (2022).
        Kinship by decree... "), Run("Journal of Contemporary China", "italic"), Run(", "),
        Run("31", "italic"), Run("(136), 567–584.")]``.
    """
    role, names = lead_names(item)
    title = _title(item)
    when = [Run(_date(item, year_suffix))]
    blocks = [[Run(_names(names, role))], when, title] if names else [title, when]
    blocks += [_source(item, names)]
    note = text(item, "note")
    if note and not (text(item, "title") and names and date_parts(item, "issued")):
        blocks.append([Run(note)])
    runs = join_blocks(blocks)
    links = _links(item)
    return merge([*runs, Run(" "), *links]) if links else runs


def in_text(item: Mapping[str, Any], year_suffix: str = "", locator: str = "") -> str:
    """A parenthetical citation (APA 7 §8.17), e.g. ``"(Zeng et al., 2021, p. 14)"``.

    Args:
        item: a validated CSL-JSON item.
        year_suffix: as for ``reference``.
        locator: a page or other locator, written after a comma as given (``"p. 14"``).
    """
    families = [_family(person) for person in lead_names(item)[1]]
    who = f"{families[0]} et al." if len(families) >= 3 else " & ".join(families)
    if not who:
        title = text(item, "title")
        who = f"“{title},”" if item.get("type") in _PARTS else f"{title},"
        label = f"{who} {_year(item, year_suffix)}"
    else:
        label = f"{who}, {_year(item, year_suffix)}"
    return f"({label}, {locator})" if locator else f"({label})"


def _family(person: Person) -> str:
    latin = person.latin
    if latin is None:
        return person.han
    if is_undivided(latin):
        return " ".join(latin["literal"].split())
    return " ".join(
        str(part) for part in (latin.get("non-dropping-particle"), latin.get("family")) if part
    ) or str(latin.get("given") or "")


def _initials(given: str) -> str:
    """``"Ellen M."`` -> ``"E. M."``; ``"Jin-Ping"`` -> ``"J.-P."`` (APA 9.8)."""
    words = []
    for word in given.split():
        parts = [part for part in word.split("-") if part]
        words.append("-".join(f"{part[0]}." for part in parts))
    return " ".join(words)


def _name(person: Person) -> str:
    latin = person.latin
    han = person.han
    if latin is None:
        return han
    if is_undivided(latin):
        written = " ".join(latin["literal"].split())
    else:
        family = _family(person)
        given = _initials(" ".join(str(latin.get("given") or "").split()))
        suffix = str(latin.get("suffix") or "")
        written = ", ".join(part for part in (family, given, suffix) if part)
    return f"{written} {han}" if han and han != written else written


def _names(names: list[Person], role: str) -> str:
    written = [_name(person) for person in names]
    if len(written) > _MAX_NAMES:
        joined = ", ".join(written[:_NAMES_BEFORE_ELLIPSIS]) + ", . . . " + written[-1]
    elif len(written) >= 2:
        joined = ", ".join(written[:-1]) + ", & " + written[-1]
    else:
        joined = written[0]
    if role == "editor":
        joined += " (Eds.)" if len(written) > 1 else " (Ed.)"
    return joined


def _year(item: Mapping[str, Any], suffix: str) -> str:
    issued = date_parts(item, "issued")
    return f"{issued[0]}{suffix}" if issued else "n.d."


def _date(item: Mapping[str, Any], suffix: str) -> str:
    issued = date_parts(item, "issued")
    if issued is None:
        return "(n.d.)"
    year, month, day = issued
    if item.get("type") in _FULL_DATE and month:
        return f"({year}{suffix}, {MONTHS[month - 1]}{f' {day}' if day else ''})"
    return f"({year}{suffix})"


def _title(item: Mapping[str, Any]) -> list[Run]:
    original = text(item, "title")
    pinyin = romanized(item, "title")
    translated = custom(item).get("title-translated")
    translated = " ".join(translated.split()) if isinstance(translated, str) else ""
    if not original and not pinyin:
        return []
    if item.get("type") in _PARTS:
        runs = [Run(" ".join(part for part in (pinyin, original) if part))]
    else:
        runs = [italic(pinyin), Run(" ")] if pinyin else []
        runs.append(italic(original))
    if translated:
        runs.append(Run(f" [{translated}]"))
    if item.get("type") == "thesis":
        runs.append(Run(f" [{_thesis_description(item)}]"))
    return runs


def _thesis_description(item: Mapping[str, Any]) -> str:
    genre = text(item, "genre")
    lowered = genre.lower()
    if "博士" in genre or "phd" in lowered or "doctor" in lowered or "diss" in lowered:
        kind = "Doctoral dissertation"
    elif "硕士" in genre or "master" in lowered or not genre:
        kind = "Master’s thesis"
    else:
        kind = genre
    institution = romanized(item, "publisher") or text(item, "publisher")
    return f"{kind}, {institution}" if institution else kind


def _container_runs(item: Mapping[str, Any], *, roman: bool) -> list[Run]:
    name = text(item, "container-title")
    latin = romanized(item, "container-title")
    if roman:
        joined = " ".join(part for part in (latin, name) if part)
        return [Run(joined)] if joined else []
    runs = [italic(latin), Run(" ")] if latin else []
    return [*runs, italic(name)] if name else runs[:1]


def _source(item: Mapping[str, Any], names: list[Person]) -> list[Run]:
    item_type = item.get("type")
    pages = page_range(text(item, "page"), "expanded", "–") if text(item, "page") else ""
    volume, issue = text(item, "volume"), text(item, "issue")
    author_names = {_name(person) for person in names} | {person.han for person in names}
    if item_type in _PERIODICAL:
        runs = _container_runs(item, roman=False)
        if volume:
            runs += [Run(", "), italic(volume)]
            if issue:
                runs.append(Run(f"({issue})"))
        elif issue:
            runs.append(Run(f", ({issue})"))
        if pages:
            runs.append(Run(f", {pages}"))
        return runs
    if item_type == "article-newspaper":
        runs = _container_runs(item, roman=False)
        return [*runs, Run(f", {pages}")] if pages and runs else runs
    if item_type in _WEB:
        runs = _container_runs(item, roman=True)
        return [] if runs and runs[0].text in author_names else runs
    publisher = romanized(item, "publisher") or text(item, "publisher")
    if item_type == "chapter":
        runs = [Run("In ")]
        editors = people(item, "editor")
        if editors:
            written = [_editor_name(person) for person in editors]
            joined = (
                written[0] if len(written) == 1 else ", ".join(written[:-1]) + ", & " + written[-1]
            )
            runs.append(Run(f"{joined} ({'Eds.' if len(written) > 1 else 'Ed.'}), "))
        runs += _container_runs(item, roman=False)
        if pages:
            runs.append(Run(f" (pp. {pages})"))
        if publisher:
            runs.append(Run(f". {publisher}"))
        return runs
    if item_type == "thesis" or not publisher or publisher in author_names:
        return []
    return [Run(publisher)]


def _editor_name(person: Person) -> str:
    """An editor's name not inverted: initials, then family name (APA 7 §10.3, chapters)."""
    latin = person.latin
    if latin is None or is_undivided(latin):
        return _name(person)
    given = _initials(" ".join(str(latin.get("given") or "").split()))
    written = " ".join(part for part in (given, _family(person)) if part)
    return f"{written} {person.han}" if person.han else written


def _links(item: Mapping[str, Any]) -> list[Run]:
    runs: list[Run] = []
    address = url(item)
    if address:
        runs.append(Run(address, "link"))
    copy, captured = archived(item)
    if copy:
        when = ""
        if captured:
            year, month, day = captured
            when = (
                f" {MONTHS[month - 1]}{f' {day}' if day else ''}, {year}," if month else f" {year},"
            )
        opening = " (archived" if address else "Archived"
        runs += [Run(f"{opening}{when} at "), Run(copy, "link")]
        if address:
            runs.append(Run(")"))
    return runs
