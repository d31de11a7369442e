"""The Chicago Manual of Style, 17th edition, author-date system (chapter 15), as China
scholars write it.

Reference-list entry::

    Authors. Year. “Title” [Translation]. Container Volume (Issue): Pages. Place: Publisher.
    URL. Archived Month Day, Year, at ARCHIVE-URL.

* Names (CMOS 15.9, 15.12): the first inverted (``Harper, Ellen M.``), the others not; a
  Chinese name is never inverted and takes no comma (``Zhang San``), and is followed by its
  characters (``Zhang San 张三``); a name known only in characters is written in characters.
  Two names are joined by "and" (with a comma after an inverted first name), three or more by
  commas and ", and"; more than ten give the first seven and "et al." Editors in the author's
  place are followed by "ed." or "eds." (15.35). No names: the title leads (15.37).
* Year: the ``issued`` year with its letter (``2018a``), or "n.d." (15.44).
* Title: pinyin (``title-romanized``) then characters; an English title in headline style
  (8.159); in quotation marks for a part of something larger (article, chapter, thesis, web
  page), in italics otherwise (14.94); characters are never italic. The English translation
  follows in square brackets, after the closing quotation mark (14.98, 14.194).
* Theses: "Master’s thesis" or "PhD diss.", then the institution in Latin script (15.46).
* Journals: ``Journal Volume (Issue): pages`` or, with no volume, ``Journal, no. Issue:
  pages`` (15.47), pages abbreviated (9.61); newspapers and web sites: ``Name, Month Day,
  Year.`` (15.49, 15.51); newspaper pages are left out (14.191).
* Books and reports: ``Place: Publisher.``, in Latin script when the record gives it.
* Addresses as IRIs (``iri.to_iri``); access dates only for undated web sources (15.50); an
  archived copy is named with its capture date after the URL.
* An incomplete record (no title, names or date) ends with its ``note``.

In-text citation (15.23–15.29): ``(Zhang 2019)``, ``(Yao and Zhang 2016)``, ``(Cao, Zhu, and
Li 2020)``, ``(Zeng et al. 2021)``, ``(Chang 2020, 14)``: family names in Latin script, else
the name in characters.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shiliao.cite.record import (
    Person,
    custom,
    date_parts,
    has_han,
    is_chinese_work,
    is_undivided,
    lead_names,
    people,
    romanized,
    text,
)
from shiliao.cite.runs import (
    MONTHS,
    Run,
    archived,
    italic,
    join_blocks,
    page_range,
    title_case,
    to_inner_quotes,
    url,
)

__all__ = ["in_text", "reference"]

_QUOTED = frozenset(
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
_PERIODICAL = frozenset({"article-journal", "article-magazine", "review", "review-book"})
_DATED_CONTAINER = frozenset({"article-newspaper", "webpage", "post", "post-weblog"})
# Web sites are roman (CMOS 14.206); journals, newspapers and books in italics.
_ROMAN_CONTAINER = frozenset({"webpage", "post", "post-weblog"})
_MAX_NAMES = 10
_NAMES_BEFORE_ET_AL = 7


def reference(item: Mapping[str, Any], year_suffix: str = "") -> list[Run]:
    """A reference-list entry (CMOS 17, chapter 15).

    Args:
        item: a validated CSL-JSON item, with shiliao's ``custom`` fields where it has them.
        year_suffix: the letter that tells apart works of the same authors and year
            (``"a"``), as the reference list assigns it.

    Returns:
        The entry as runs, e.g. ``[Run("Wang Juan 王娟. 2019. “民族…” [Cadre…]. Master’s
        thesis, Shihezi University.")]``.
    """
    role, names = lead_names(item)
    blocks: list[list[Run]] = []
    title = _title(item)
    when = _year(item, year_suffix)
    if names:
        blocks += [[Run(_names(names, role))], [Run(when)], title]
    else:
        blocks += [title, [Run(when)]]
    blocks += [_thesis(item), _container(item), _publisher(item), _links(item)]
    note = text(item, "note")
    if note and not (text(item, "title") and names and date_parts(item, "issued")):
        blocks.append([Run(note)])
    return join_blocks(blocks)


def in_text(item: Mapping[str, Any], year_suffix: str = "", locator: str = "") -> str:
    """A parenthetical citation (CMOS 15.23–15.29), e.g. ``"(Zeng et al. 2021, 14)"``.

    Args:
        item: a validated CSL-JSON item.
        year_suffix: as for ``reference``.
        locator: a page or other locator, written after a comma as given.
    """
    families = [_short_name(person) for person in lead_names(item)[1]]
    if len(families) >= 4:
        who = f"{families[0]} et al."
    elif len(families) == 3:
        who = f"{families[0]}, {families[1]}, and {families[2]}"
    else:
        who = " and ".join(families) or _short_title(item)
    label = f"{who} {_year(item, year_suffix)}".strip()
    return f"({label}, {locator})" if locator else f"({label})"


def _short_name(person: Person) -> str:
    latin = person.latin
    if latin is not None:
        if is_undivided(latin):
            return " ".join(latin["literal"].split())
        return " ".join(
            str(part) for part in (latin.get("non-dropping-particle"), latin.get("family")) if part
        ) or str(latin.get("given") or "")
    return person.han


def _short_title(item: Mapping[str, Any]) -> str:
    value = text(item, "title")
    return f"“{value}”" if value and item.get("type") in _QUOTED else value


def _year(item: Mapping[str, Any], suffix: str) -> str:
    issued = date_parts(item, "issued")
    return f"{issued[0]}{suffix}" if issued else "n.d."


def _name(person: Person, *, inverted: bool) -> str:
    latin = person.latin
    han = person.han
    if latin is None:
        return han
    if is_undivided(latin):
        written = " ".join(latin["literal"].split())
    else:
        family = " ".join(
            str(part) for part in (latin.get("non-dropping-particle"), latin.get("family")) if part
        )
        given = " ".join(
            str(part) for part in (latin.get("given"), latin.get("dropping-particle")) if part
        )
        suffix = str(latin.get("suffix") or "")
        if person.chinese_order or not given or not family:
            written = " ".join(part for part in (family, given) if part)
        elif inverted:
            written = f"{family}, {given}" + (f", {suffix}" if suffix else "")
        else:
            written = f"{given} {family}" + (f" {suffix}" if suffix else "")
    return f"{written} {han}" if han and han != written else written


def _names(names: list[Person], role: str) -> str:
    written = [_name(person, inverted=number == 0) for number, person in enumerate(names)]
    if len(written) > _MAX_NAMES:
        joined = ", ".join(written[:_NAMES_BEFORE_ET_AL]) + ", et al."
    elif len(written) == 2:
        first_inverted = "," in written[0] and not names[0].chinese_order
        joined = f"{written[0]}{',' if first_inverted else ''} and {written[1]}"
    elif len(written) > 2:
        joined = ", ".join(written[:-1]) + ", and " + written[-1]
    else:
        joined = written[0]
    if role == "editor":
        joined += ", eds." if len(written) > 1 else ", ed."
    return joined


def _title(item: Mapping[str, Any]) -> list[Run]:
    original = text(item, "title")
    if not original:
        return []
    if not has_han(original) and not is_chinese_work(item):
        original = title_case(original)
    pinyin = romanized(item, "title")
    translated = custom(item).get("title-translated")
    translated = " ".join(translated.split()) if isinstance(translated, str) else ""
    if item.get("type") in _QUOTED:
        shown = " ".join(part for part in (pinyin, to_inner_quotes(original)) if part)
        if translated:
            return [Run(f"“{shown}” [{translated}]")]
        closing = "" if shown.endswith(tuple(".?!。？！")) else "."
        return [Run(f"“{shown}{closing}”")]
    runs = [italic(pinyin), Run(" ")] if pinyin else []
    runs.append(italic(original))
    if translated:
        runs.append(Run(f" [{translated}]"))
    return runs


def _thesis(item: Mapping[str, Any]) -> list[Run]:
    if item.get("type") != "thesis":
        return []
    genre = text(item, "genre")
    lowered = genre.lower()
    if "博士" in genre or "phd" in lowered or "doctor" in lowered or "diss" in lowered:
        kind = "PhD diss."
    elif "硕士" in genre or "master" in lowered or not genre:
        kind = "Master’s thesis"
    else:
        kind = genre
    institution = romanized(item, "publisher") or text(item, "publisher")
    return [Run(f"{kind}, {institution}" if institution else kind)]


def _container_name(item: Mapping[str, Any]) -> list[Run]:
    name = text(item, "container-title")
    latin = romanized(item, "container-title")
    if not name and not latin:
        return []
    if item.get("type") in _ROMAN_CONTAINER:
        return [Run(" ".join(part for part in (latin, name) if part))]
    runs = [italic(latin), Run(" ")] if latin else []
    runs.append(italic(name) if name else Run(""))
    return runs


def _container(item: Mapping[str, Any]) -> list[Run]:
    name = _container_name(item)
    item_type = item.get("type")
    volume, issue = text(item, "volume"), text(item, "issue")
    pages = page_range(text(item, "page"), "chicago", "–") if text(item, "page") else ""
    if item_type in _DATED_CONTAINER:
        issued = date_parts(item, "issued")
        if not (issued and issued[1]):
            return name
        dated = _long_date(issued)
        return [*name, Run(f", {dated}")] if name else [Run(dated)]
    if not name:
        return []
    if item_type == "chapter":
        runs = [Run("In "), *name]
        editors = people(item, "editor")
        # Editors already in the author's place (CMOS 15.35) are not named twice.
        if editors and item.get("author"):
            runs.append(Run(", edited by " + _names_plain(editors)))
        if pages:
            runs.append(Run(f", {pages}"))
        return runs
    if item_type in _PERIODICAL or volume or issue:
        if volume:
            detail = (
                f" {volume}" + (f" ({issue})" if issue else "") + (f": {pages}" if pages else "")
            )
        elif issue:
            detail = f", no. {issue}" + (f": {pages}" if pages else "")
        else:
            detail = f", {pages}" if pages else ""
        return [*name, Run(detail)]
    return [*name, Run(f", {pages}")] if pages else name


def _names_plain(names: list[Person]) -> str:
    written = [_name(person, inverted=False) for person in names]
    if len(written) <= 2:
        return " and ".join(written)
    return ", ".join(written[:-1]) + ", and " + written[-1]


def _publisher(item: Mapping[str, Any]) -> list[Run]:
    if item.get("type") in _QUOTED - {"chapter", "paper-conference"}:
        return []
    place = romanized(item, "publisher-place") or text(item, "publisher-place")
    publisher = romanized(item, "publisher") or text(item, "publisher")
    joined = ": ".join(part for part in (place, publisher) if part)
    return [Run(joined)] if joined else []


def _links(item: Mapping[str, Any]) -> list[Run]:
    runs: list[Run] = []
    accessed = date_parts(item, "accessed")
    address = url(item)
    if address and accessed and not date_parts(item, "issued"):
        runs.append(Run(f"Accessed {_long_date(accessed)}. "))
    if address:
        runs.append(Run(address, "link"))
    copy, captured = archived(item)
    if copy:
        when = f" {_long_date(captured)}," if captured else ""
        runs += [Run((". " if address else "") + f"Archived{when} at "), Run(copy, "link")]
    return runs


def _long_date(date: tuple[int, int | None, int | None]) -> str:
    year, month, day = date
    if not month:
        return str(year)
    return f"{MONTHS[month - 1]} {day}, {year}" if day else f"{MONTHS[month - 1]} {year}"
