"""GB/T 7714-2015 (信息与文献 参考文献著录规则), the author-date system (著者-出版年制).

Reference-list entry (§4, §9.2, with the year moved after the names)::

    主要责任者, 出版年. 题名[文献类型标识/载体标识]. 出版地: 出版者.
    期刊: 刊名, 卷(期): 页码.      报纸: 报纸名, 月-日(版次).
    电子资源: (更新或修改日期)[引用日期]. 获取和访问路径. DOI: 数字对象唯一标识符.

* Names (§8.1): in the script of the work; a Chinese name family name first with nothing
  between (张三); a Latin name with the family name in capitals and the given name as
  initials without full stops (``HARPER E M``); up to three names, more give the first three
  and ``, 等`` for a Chinese work or ``, et al.`` for any other (§8.1.3). Editors in the
  author's place are followed by ``, 编`` or ``, ed.``; no names: ``佚名`` or ``Anon``
  (§8.1.4, §9.2).
* The document type code (Appendix B): [M] book, [J] journal, [N] newspaper, [D] thesis,
  [R] report, [C] proceedings, [S] standard, [P] patent, [DS] dataset, [CP] software,
  [CM] map, [A] archival and legal documents, [EB] web page or post, [Z] other; ``/OL`` is
  added for a work with an address or an archived copy (always for [EB]), and its citation
  date (引用日期, §8.8.2) follows in square brackets: the ``accessed`` date, else the capture
  date of the archived copy: ``[EB/OL]. (2014-04-30)[2024-05-02]. URL.``
* Addresses are printed as IRIs (``iri.to_iri``: ``https://example.cn/新闻/2019``).
* Dates are ``YYYY-MM-DD``; page ranges keep every digit with a hyphen (``45-58``).
* A book, thesis or report names place and publisher; one that is missing is written
  ``[出版地不详]``/``[S.l.]`` or ``[出版者不详]``/``[s.n.]`` (§8.4); other kinds name what
  they have, web pages nothing (as the standard's examples of electronic resources).
* Titles are given in the original only (no romanization or translation).
* The archived copy of a web source follows its address: ``存档于2024-05-02: URL`` (Chinese
  works) or ``Archived 2024-05-02: URL``; the standard has no element for it.
* An incomplete record (no title, names or date) ends with its ``note``.

In-text citation (§10.2): ``(王娟, 2019)``, a Chinese name in full; ``(曾明 等, 2021)`` and
``(Harper et al., 2022)`` for several authors; a page number follows the parenthesis as a
superscript (``(王娟, 2019)²⁷``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from shiliao.cite.iri import to_iri
from shiliao.cite.record import (
    Person,
    date_parts,
    is_chinese_work,
    is_undivided,
    lead_names,
    people,
    text,
)
from shiliao.cite.runs import Run, archived, join_blocks, page_range

__all__ = ["TYPE_CODES", "in_text", "reference"]

#: CSL type -> GB/T 7714-2015 document type code (Appendix B, Table B.1); others are "Z".
TYPE_CODES = {
    "article-journal": "J",
    "article-magazine": "J",
    "periodical": "J",
    "review": "J",
    "review-book": "J",
    "article-newspaper": "N",
    "book": "M",
    "chapter": "M",
    "classic": "M",
    "entry-dictionary": "M",
    "entry-encyclopedia": "M",
    "thesis": "D",
    "report": "R",
    "paper-conference": "C",
    "standard": "S",
    "patent": "P",
    "dataset": "DS",
    "software": "CP",
    "map": "CM",
    "webpage": "EB",
    "post": "EB",
    "post-weblog": "EB",
    "article": "A",
    "bill": "A",
    "collection": "A",
    "hearing": "A",
    "legal_case": "A",
    "legislation": "A",
    "personal_communication": "A",
    "regulation": "A",
    "treaty": "A",
}
_MONOGRAPH = frozenset({"M", "D", "R", "C", "S"})
_MAX_NAMES = 3
_SUPERSCRIPT = str.maketrans("0123456789-–,", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁻˒")


def reference(item: Mapping[str, Any], year_suffix: str = "") -> list[Run]:
    """A reference-list entry (GB/T 7714-2015, author-date system).

    Args:
        item: a validated CSL-JSON item.
        year_suffix: the letter that tells apart works of the same authors and year (§9.2.3).

    Returns:
        The entry as runs, e.g. ``[Run("王娟, 2019. 民族…研究[D]. 石河子: 石河子大学.")]``.
    """
    chinese = is_chinese_work(item)
    role, names = lead_names(item)
    head = _names(names, role, chinese)
    issued = date_parts(item, "issued")
    if issued:
        head += f", {issued[0]}{year_suffix}"
    code = TYPE_CODES.get(str(item.get("type")), "Z")
    address, doi = _address(item)
    copy, captured = archived(item)
    online = bool(address or doi or copy) or code == "EB"
    # §8.8.2: an online resource carries the date it was cited on; without an ``accessed``
    # date, the capture of its archived copy is when the text cited was read.
    accessed = date_parts(item, "accessed") or captured
    stamp = f"[{_iso(accessed)}]" if online and accessed else ""
    title = text(item, "title")
    title_block = f"{title}[{code}{'/OL' if online else ''}]" if title else ""
    blocks: list[list[Run]] = [[Run(head)]]
    if item.get("type") == "chapter":
        blocks.append([Run(title_block + "//" + _chapter_container(item, chinese) + stamp)])
    else:
        if title_block:
            blocks.append([Run(title_block)])
        body = _body(item, code, chinese)
        if code == "EB":
            dated = f"({_iso(issued)})" if issued and issued[1] else ""
            body = (body + ". " if body else "") + dated if dated else body
        if body or stamp:
            blocks.append([Run(body + stamp)])
    if address:
        blocks.append([Run(address, "link")])
    if doi:
        blocks.append([Run(f"DOI: {doi}")])
    if copy:
        label = "存档于" if chinese else "Archived "
        when = f"{label}{_iso(captured)}: " if captured else f"{label.strip()}: "
        blocks.append([Run(when), Run(copy, "link")])
    note = text(item, "note")
    if note and not (title and names and issued):
        blocks.append([Run(note)])
    return join_blocks(blocks)


def in_text(item: Mapping[str, Any], year_suffix: str = "", locator: str = "") -> str:
    """A citation in the text (GB/T 7714-2015 §10.2), e.g. ``"(曾明 等, 2021)"``.

    Args:
        item: a validated CSL-JSON item.
        year_suffix: as for ``reference``.
        locator: the page(s) cited; written as a superscript after the parenthesis when it is
            page numbers (``"27"``, ``"p. 27"``), otherwise after a colon inside it.
    """
    chinese = is_chinese_work(item)
    names = lead_names(item)[1]
    if names:
        who = _short_name(names[0])
        if len(names) > 1:
            who += " 等" if chinese else " et al."
    else:
        who = "佚名" if chinese else "Anon"
    issued = date_parts(item, "issued")
    label = f"{who}, {issued[0]}{year_suffix}" if issued else who
    pages = re.sub(r"^(?:pp?\.|页)\s*", "", locator.strip())
    if pages and re.fullmatch(r"[\d,\-– ]+", pages):
        return f"({label}){pages.replace(' ', '').translate(_SUPERSCRIPT)}"
    return f"({label}: {locator})" if locator else f"({label})"


def _short_name(person: Person) -> str:
    if person.han:
        return person.han
    latin = person.latin or person.original
    if is_undivided(latin):
        return " ".join(latin["literal"].split())
    return " ".join(
        str(part) for part in (latin.get("non-dropping-particle"), latin.get("family")) if part
    ) or str(latin.get("given") or "")


def _name(person: Person) -> str:
    if person.han:
        return person.han
    latin = person.latin or person.original
    if is_undivided(latin):
        return " ".join(latin["literal"].split())
    family = " ".join(
        str(part) for part in (latin.get("non-dropping-particle"), latin.get("family")) if part
    ).upper()
    initials = " ".join(
        part[0] for part in re.split(r"[\s\-.]+", str(latin.get("given") or "")) if part
    )
    return " ".join(part for part in (family, initials) if part)


def _names(names: list[Person], role: str, chinese: bool) -> str:
    if not names:
        return "佚名" if chinese else "Anon"
    written = [_name(person) for person in names[:_MAX_NAMES]]
    if len(names) > _MAX_NAMES:
        written.append("等" if chinese else "et al.")
    joined = ", ".join(written)
    if role == "editor":
        joined += ", 编" if chinese else (", eds" if len(names) > 1 else ", ed")
    return joined


def _iso(date: tuple[int, int | None, int | None] | None) -> str:
    if date is None:
        return ""
    year, month, day = date
    parts = [f"{year:04d}"] + [f"{part:02d}" for part in (month, day) if part]
    return "-".join(parts)


def _address(item: Mapping[str, Any]) -> tuple[str, str]:
    """The http(s) URL as an IRI (``iri.to_iri``) and the bare DOI; each ``""`` when none."""
    address = text(item, "URL")
    address = to_iri(address) if re.match(r"https?://", address, re.IGNORECASE) else ""
    doi = re.sub(
        r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", text(item, "DOI"), flags=re.IGNORECASE
    )
    return address, doi


def _pages(item: Mapping[str, Any]) -> str:
    pages = text(item, "page")
    return page_range(pages, "expanded", "-") if pages else ""


def _place_publisher(item: Mapping[str, Any], chinese: bool) -> str:
    place, publisher = text(item, "publisher-place"), text(item, "publisher")
    if not place and not publisher:
        return ""
    place = place or ("[出版地不详]" if chinese else "[S.l.]")
    publisher = publisher or ("[出版者不详]" if chinese else "[s.n.]")
    return f"{place}: {publisher}"


def _body(item: Mapping[str, Any], code: str, chinese: bool) -> str:
    container, pages = text(item, "container-title"), _pages(item)
    if code == "J":
        volume, issue = text(item, "volume"), text(item, "issue")
        where = ", ".join(part for part in (container, volume) if part)
        where += f"({issue})" if issue else ""
        return f"{where}: {pages}" if pages and where else where
    if code == "N":
        issued = date_parts(item, "issued")
        day = ""
        if issued and issued[1]:
            day = f"{issued[1]:02d}" + (f"-{issued[2]:02d}" if issued[2] else "")
        where = ", ".join(part for part in (container, day) if part)
        return where + (f"({pages})" if pages else "")
    if code == "EB":
        # The standard's examples of electronic resources name no publisher (§8.8.2).
        return ""
    if code in _MONOGRAPH:
        publication = _place_publisher(item, chinese)
    else:
        publication = ": ".join(
            part for part in (text(item, "publisher-place"), text(item, "publisher")) if part
        )
    return publication + (f": {pages}" if pages and publication else "")


def _chapter_container(item: Mapping[str, Any], chinese: bool) -> str:
    editors = people(item, "editor")
    # Editors already in the author's place are not named twice.
    parts = [_names(editors, "author", chinese)] if editors and item.get("author") else []
    container = text(item, "container-title")
    if container:
        parts.append(container)
    publication = _place_publisher(item, chinese)
    pages = _pages(item)
    if publication:
        parts.append(publication + (f": {pages}" if pages else ""))
    return ". ".join(parts)
