"""RIS in and out (the Research Information Systems tagged format, as Zotero and EndNote
write it).

==========================  ================================================================
CSL-JSON                    RIS tag
==========================  ================================================================
``type``                    ``TY`` (JOUR, MGZN, NEWS, BOOK, CHAP, THES, RPRT, ELEC, BLOG,
                            CPAPER, DATA, COMP, MAP, PAT, STAT, BILL, CASE, GEN...)
``id``                      ``ID``
``author``                  ``AU`` (``Family, Given``, or a literal name as written, also
                            one a name divided on import kept), one a line
``editor``, ``translator``  ``A2``, ``A4``
``custom.supervisor``       ``A3`` (the RIS specification's "advisor" of a thesis)
``custom.author-romanized`` ``TA`` (translated author), one per ``AU``; a name with no
                            romanization repeats its ``AU``
``title``                   ``TI``; ``custom.title-translated`` ``TT``; ``title-short`` ``ST``
``container-title``         ``T2``; ``collection-title`` ``T3``
``issued``                  ``PY`` (year) and ``DA`` (``YYYY/MM/DD/``)
``accessed``                ``Y2`` (``YYYY/MM/DD/``)
``volume``, ``issue``       ``VL``, ``IS``
``page``                    ``SP`` and ``EP`` (first and last page)
``publisher``, place        ``PB``, ``CY``
``genre``, ``edition``      ``M3``, ``ET``
``URL``, ``DOI``            ``UR`` (as a URI, ``iri.to_uri``), ``DO``
``ISBN``/``ISSN``           ``SN``
``language``                ``LA`` (BCP 47 tag as is)
``abstract``, ``note``      ``AB``, ``N1``
``keyword``                 ``KW``
anything else               ``C8``: a JSON object of the remaining CSL fields and ``custom``
                            keys (romanized names of other roles, archived copy...), so that
                            nothing is lost
==========================  ================================================================

Import reads Zotero's and EndNote's RIS with rispy (MIT), also accepting ``A1``, ``ED``,
``JO``/``JF``/``BT`` (container), ``Y1`` and ``T1``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import rispy

from shiliao.cite.iri import to_uri
from shiliao.cite.record import date_parts
from shiliao.errors import CitationError

__all__ = ["from_ris", "to_ris"]

_TO_RIS = {
    "article-journal": "JOUR",
    "article-magazine": "MGZN",
    "article-newspaper": "NEWS",
    "book": "BOOK",
    "chapter": "CHAP",
    "thesis": "THES",
    "report": "RPRT",
    "webpage": "ELEC",
    "post-weblog": "BLOG",
    "paper-conference": "CPAPER",
    "dataset": "DATA",
    "software": "COMP",
    "map": "MAP",
    "patent": "PAT",
    "legislation": "STAT",
    "bill": "BILL",
    "legal_case": "CASE",
    "manuscript": "MANSCPT",
    "personal_communication": "PCOMM",
    "standard": "STAND",
    "motion_picture": "MPCT",
    "graphic": "ART",
    "pamphlet": "PAMP",
    "entry-encyclopedia": "ENCYC",
    "entry-dictionary": "DICT",
    "hearing": "HEAR",
    "classic": "CLSWK",
    "periodical": "JFULL",
    "document": "GEN",
}
_FROM_RIS = {tag: csl for csl, tag in _TO_RIS.items()} | {
    "EJOUR": "article-journal",
    "ABST": "article-journal",
    "INPR": "article-journal",
    "EBOOK": "book",
    "EDBOOK": "book",
    "ECHAP": "chapter",
    "CONF": "paper-conference",
    "UNPB": "manuscript",
    "WEB": "webpage",
}
# Tags that may repeat; every other tag holds one value.
_LIST_TAGS = ["AU", "A1", "A2", "A3", "A4", "ED", "TA", "KW", "UR", "N1"]
_NATIVE = frozenset(
    {
        "id",
        "type",
        "author",
        "editor",
        "translator",
        "title",
        "title-short",
        "container-title",
        "collection-title",
        "issued",
        "accessed",
        "volume",
        "issue",
        "page",
        "publisher",
        "publisher-place",
        "genre",
        "edition",
        "URL",
        "DOI",
        "ISBN",
        "ISSN",
        "language",
        "abstract",
        "note",
        "keyword",
    }
)
_BOOKISH = frozenset({"book", "chapter", "report", "thesis"})
_SIMPLE = {
    "TI": "title",
    "ST": "title-short",
    "T2": "container-title",
    "T3": "collection-title",
    "VL": "volume",
    "IS": "issue",
    "PB": "publisher",
    "CY": "publisher-place",
    "M3": "genre",
    "ET": "edition",
    "DO": "DOI",
    "LA": "language",
    "AB": "abstract",
}


# Writing ------------------------------------------------------------------------------------


def _name(name: Mapping[str, Any]) -> str:
    if isinstance(name.get("literal"), str):
        return name["literal"].strip()
    family = " ".join(
        str(part) for part in (name.get("non-dropping-particle"), name.get("family")) if part
    )
    given = " ".join(
        str(part) for part in (name.get("given"), name.get("dropping-particle")) if part
    )
    suffix = str(name.get("suffix") or "")
    if not given and not suffix:
        # "Family," with the comma, so that a family name alone is not read as a literal name.
        return f"{family},"
    return ", ".join(part for part in (family, given, suffix) if part)


def _one_line(value: Any) -> str:
    return " ".join(str(value).split())


def _ris_date(date: tuple[int, int | None, int | None]) -> str:
    year, month, day = date
    return f"{year:04d}/{f'{month:02d}' if month else ''}/{f'{day:02d}' if day else ''}/"


def _record(item: Mapping[str, Any]) -> list[tuple[str, str]]:
    csl_type = str(item.get("type") or "document")
    extra = dict(item["custom"]) if isinstance(item.get("custom"), dict) else {}
    lines = [("TY", _TO_RIS.get(csl_type, "GEN")), ("ID", _one_line(item["id"]))]
    leftover: dict[str, Any] = {
        key: value for key, value in item.items() if key not in _NATIVE and key != "custom"
    }
    if _FROM_RIS.get(lines[0][1]) != csl_type:
        leftover["type"] = csl_type
    for tag, role in (("AU", "author"), ("A2", "editor"), ("A4", "translator")):
        for name in item.get(role) or []:
            lines.append((tag, _name(name)))
    for name in extra.pop("supervisor", None) or []:
        lines.append(("A3", _name(name)))
    romanized = extra.pop("author-romanized", None)
    if isinstance(romanized, list):
        authors = item.get("author") or []
        for number, original in enumerate(authors):
            form = romanized[number] if number < len(romanized) else None
            lines.append(("TA", _name(form if isinstance(form, dict) else original)))
    if isinstance(extra.get("title-translated"), str):
        lines.append(("TT", _one_line(extra.pop("title-translated"))))
    for tag, field in _SIMPLE.items():
        if item.get(field) not in (None, ""):
            lines.append((tag, _one_line(item[field])))
    if issued := date_parts(item, "issued"):
        lines += [("PY", str(issued[0])), ("DA", _ris_date(issued))]
    elif "issued" in item:
        leftover["issued"] = item["issued"]
    if accessed := date_parts(item, "accessed"):
        lines.append(("Y2", _ris_date(accessed)))
    page = _one_line(item.get("page") or "")
    if match := re.fullmatch(r"(\w+)\s*[-–—]+\s*(\w+)", page):
        lines += [("SP", match.group(1)), ("EP", match.group(2))]
    elif page:
        lines.append(("SP", page))
    # SN is a book's ISBN or a serial's ISSN; the other number, if any, travels in C8.
    held, other = ("ISBN", "ISSN") if csl_type in _BOOKISH else ("ISSN", "ISBN")
    if item.get(held):
        lines.append(("SN", _one_line(item[held])))
    if item.get(other):
        leftover[other] = item[other]
    if item.get("URL"):
        # A URI (RFC 3987 §3.1), as reference managers expect: https://example.cn/%E6%96%B0...
        lines.append(("UR", to_uri(_one_line(item["URL"]))))
    if item.get("keyword"):
        lines.append(("KW", _one_line(item["keyword"])))
    if item.get("note"):
        lines.append(("N1", _one_line(item["note"])))
    if extra:
        leftover["custom"] = extra
    if leftover:
        lines.append(("C8", json.dumps(leftover, ensure_ascii=False, sort_keys=True)))
    return lines


def to_ris(items: Iterable[Mapping[str, Any]]) -> str:
    """Write CSL-JSON items as an RIS file (the mapping in the module docstring).

    Args:
        items: validated CSL-JSON items.

    Returns:
        The file's text: for each item ``TAG  - value`` lines from ``TY`` to ``ER``, then a
        blank line; lines end with ``\\n``.
    """
    out = []
    for item in items:
        out += [f"{tag}  - {value}" for tag, value in _record(item)]
        out += ["ER  - ", ""]
    return "\n".join(out)


# Reading ------------------------------------------------------------------------------------


def _parse_name(value: str) -> dict[str, str]:
    parts = [part.strip() for part in value.split(",")]
    if len(parts) == 1:
        return {"literal": parts[0]}
    name = {"family": parts[0]}
    if parts[1]:
        name["given"] = parts[1]
    if len(parts) > 2 and parts[2]:
        name["suffix"] = parts[2]
    return name


def _parse_date(value: str) -> dict[str, Any] | None:
    numbers = re.findall(r"\d+", value)
    if not numbers or len(numbers[0]) != 4:
        return {"literal": value.strip()} if value.strip() else None
    return {"date-parts": [[int(number) for number in numbers[:3]]]}


def _item(record: Mapping[str, Any], number: int) -> dict[str, Any]:
    def first(*tags: str) -> str:
        for tag in tags:
            value = record.get(tag)
            if isinstance(value, list):
                value = value[0] if value else ""
            if value:
                return str(value).strip()
        return ""

    leftover: dict[str, Any] = {}
    if first("C8").startswith("{"):
        try:
            leftover = json.loads(first("C8"))
        except (ValueError, RecursionError):
            # Not the JSON this module writes (not JSON, a 4,300-digit number, nested too
            # deeply): another program's note, left out like any C8 that is no JSON object.
            leftover = {}
    item: dict[str, Any] = {
        "id": first("ID") or f"ris-{number}",
        "type": leftover.pop("type", None) or _FROM_RIS.get(first("TY").upper(), "document"),
    }
    custom = leftover.pop("custom", None)
    extra: dict[str, Any] = dict(custom) if isinstance(custom, dict) else {}
    item.update(leftover)
    for tags, role in ((("AU", "A1"), "author"), (("A2", "ED"), "editor"), (("A4",), "translator")):
        names = [name for tag in tags for name in record.get(tag) or []]
        if names:
            item[role] = [_parse_name(name) for name in names]
    if record.get("A3"):
        extra["supervisor"] = [_parse_name(name) for name in record["A3"]]
    if record.get("TA"):
        authors = item.get("author") or []
        forms = [_parse_name(name) for name in record["TA"]]
        extra["author-romanized"] = [
            None if number < len(authors) and form == authors[number] else form
            for number, form in enumerate(forms)
        ]
    if first("TT"):
        extra["title-translated"] = first("TT")
    for tag, field in _SIMPLE.items():
        if first(tag):
            item[field] = first(tag)
    if "title" not in item and first("T1"):
        item["title"] = first("T1")
    if "container-title" not in item and first("JO", "JF", "BT", "JA"):
        item["container-title"] = first("JO", "JF", "BT", "JA")
    issued = _parse_date(first("DA")) or _parse_date(first("PY", "Y1"))
    if issued and "issued" not in item:
        item["issued"] = issued
    if accessed := _parse_date(first("Y2")):
        item["accessed"] = accessed
    start, end = first("SP"), first("EP")
    if start:
        item["page"] = f"{start}-{end}" if end and end != start else start
    if first("SN"):
        item["ISBN" if item["type"] in _BOOKISH else "ISSN"] = first("SN")
    urls = record.get("UR") or []
    if urls:
        item["URL"] = str(urls[0]).strip()
    if record.get("KW"):
        item["keyword"] = ", ".join(str(word).strip() for word in record["KW"])
    if record.get("N1"):
        item["note"] = " ".join(str(note).strip() for note in record["N1"])
    if extra:
        item["custom"] = extra
    return item


def from_ris(data: str, path: str) -> list[dict[str, Any]]:
    """Read an RIS file into CSL-JSON items (the mapping in the module docstring).

    Args:
        data: the file's text.
        path: its path, for messages.

    Returns:
        One item per record, in file order; a record without ``ID`` gets ``ris-<n>``. Items are
        not validated here: pass them through ``csl.validate_items``.

    Raises:
        CitationError: the text is not RIS (no ``TY`` line starts a record).
    """
    mapping = {tag: tag for tag in rispy.TAG_KEY_MAPPING} | {"TA": "TA", "ED": "ED", "BT": "BT"}
    try:
        records = rispy.loads(data, mapping=mapping, list_tags=_LIST_TAGS, skip_unknown_tags=True)
    except (OSError, ValueError, KeyError, IndexError) as exc:
        raise CitationError(f"{path}: not an RIS file: {exc}") from exc
    if not records and data.strip():
        raise CitationError(f'{path}: no RIS record found; a record starts with "TY  - "')
    return [_item(record, number) for number, record in enumerate(records, start=1)]
