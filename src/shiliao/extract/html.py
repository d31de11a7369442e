"""Web pages: main text by trafilatura, dates and source lines by our own patterns.

The stages, in order:

1. Charset: a BOM, else ``<meta charset>`` or ``<meta http-equiv="Content-Type">`` in the first
   4 KB (the WHATWG prescan window), else detection; see ``decode``. trafilatura ignores the
   meta charset of bytes it is given, so it always gets the decoded string.
2. Visible lines: the page's text outside ``<head>``, scripts and styles, one line per
   block-level element, table cells side by side; these carry the page's own metadata.
3. Layout tables (a table whose cells hold whole documents, as university and county sites
   built around 2005 do) become ``<div>``\\ s, so that trafilatura keeps their paragraphs
   apart and leaves their footer cell out; data tables stay tables.
4. Main text: trafilatura ``bare_extraction(favor_precision=True, with_metadata=True)``.
5. Date (see ``dates``), the first found of: a labelled date on the visible lines
   (``发布时间：``, ``时间：``...); a date-time line there (``2016年06月30日09时30分``); a month and
   day there (``4月10日 18:10``) whose year the page's address gives; the main text's signature
   line or dateline; a ``<meta>`` tag; JSON-LD ``datePublished``; a ``<time>`` element marked as
   the publication's (``pubdate``, ``itemprop="datePublished"``); the address's date path,
   unless the page shows a month and day that the address contradicts.
   Each keeps the precision written and says where it was read. htmldate (which trafilatura
   runs) is not used: it misreads Chinese pages, and it makes a day of a year written alone
   (``自2016年底`` in a body became 2016-01-01) without saying where it found it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import lxml.html
from lxml import etree
from trafilatura import bare_extraction

from shiliao.extract.dates import (
    FoundDate,
    find_date_line,
    find_datetime_line,
    find_labelled_date,
    find_month_day,
    parse_date_text,
    url_date,
    year_from_context,
)
from shiliao.extract.decode import decode_text, normalize_text
from shiliao.model import Extraction, Page

__all__ = ["extract_html", "find_declared_charset"]

_PRESCAN_BYTES = 4096

_META_CHARSET = re.compile(
    rb"<meta\s[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE | re.DOTALL
)
_XML_DECLARATION = re.compile(r"\s*<\?xml[^>]*\?>")
_WHITESPACE = re.compile(r"\s+")

_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)

_INVISIBLE = frozenset({"head", "script", "style", "noscript", "template"})
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tr",
        "ul",
    }
)  # fmt: skip
_CELLS = frozenset({"td", "th"})
_CELL_BLOCKS = ("p", "div", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "pre")

# A field's value ends at a separator, at the next Chinese "label：" or at the end of the line.
_FIELD_END = r"(?=\s*[|｜丨]|\s+[\u4e00-\u9fff]{1,8}[:：]|\s*$)"
_FIELD_START = r"(?:^|(?<=[\s|｜丨]))"
_SOURCE = re.compile(_FIELD_START + r"(?:信息|文章|稿件)?来源\s*[:：](?P<value>.*?)" + _FIELD_END)
_AUTHOR = re.compile(_FIELD_START + r"(?:作者|通讯员)\s*[:：](?P<value>.*?)" + _FIELD_END)

_META_DATE_KEYS = (
    "article:published_time",
    "pubdate",
    "publishdate",
    "firstpublishedtime",
    "datepublished",
    "dc.date.issued",
    "dcterms.issued",
    "citation_publication_date",
    "date",
)
_TITLE_SEPARATORS = re.compile(r"\s*[-|｜_—–]+\s*")

# trafilatura always runs htmldate, whose date is not used (see the module docstring): its
# quickest search, without scanning the text.
_HTMLDATE_PARAMS = {"extensive_search": False}


def find_declared_charset(head: bytes) -> str | None:
    """Find the charset a page declares in a ``<meta>`` tag.

    Args:
        head: the page's first bytes; only the first 4096 are searched, as browsers do.

    Returns:
        The label as written (``"gb2312"``, ``"UTF-8"``), from ``<meta charset=...>`` or
        ``<meta http-equiv="Content-Type" content="text/html; charset=...">``, or None.
    """
    match = _META_CHARSET.search(head[:_PRESCAN_BYTES])
    return match.group(1).decode("ascii") if match else None


def extract_html(data: bytes, name: str, *, declared_charset: str | None = None) -> Extraction:
    """Extract the main text and the metadata of a web page.

    Args:
        data: the page's bytes as captured.
        name: the file's name, or the page's address (a web archive's record), whose date
            path is evidence of its date.
        declared_charset: the charset of the HTTP ``Content-Type`` header the page came with
            (a web archive's record), which takes precedence over ``<meta>`` as in the WHATWG
            HTML Standard's encoding sniffing; None for a file without one.

    Returns:
        One page holding the main text, paragraphs separated by ``"\\n"``, NFC; method
        ``"html"``. Metadata keys, each only when found: ``title``; ``date`` (EDTF at the
        precision written: ``"2016"``, ``"2019-04"``, ``"2019-03-05"``) and ``date_source``
        (where it was read: ``"label:发布时间"``, ``"date-time line"``, ``"signature line"``,
        ``"dateline"``, ``"meta:pubdate"``, ``"json-ld:datePublished"``, ``"time element"``,
        ``"url path"``, or ``"<where>, year from context: url path 2019-04"``; see
        ``dates``); ``date_unresolved`` (a month and day without a year, as written, when the
        page has no date) with ``date_unresolved_source``; ``source_line`` and ``author_line`` (the value
        after 来源/信息来源 and 作者/通讯员, e.g. ``"山西日报"``; empty values are dropped);
        the decoding keys ``encoding``, ``declared_encoding``, ``replacement_ratio``,
        ``needs_review``. When trafilatura finds no main text, the page's whole visible text
        is kept instead and ``main_text_found: False`` and ``needs_review: True`` are set.
        An empty document gives one empty page.

    Raises:
        ExtractionLimit: the file is larger than ``decode.MAX_TEXT_BYTES`` (64 MiB).
    """
    decoded = decode_text(data, declared_charset or find_declared_charset(data))
    metadata: dict[str, Any] = decoded.metadata()
    markup = _XML_DECLARATION.sub("", decoded.text, count=1)
    try:
        root = lxml.html.document_fromstring(markup, parser=_PARSER)
    except etree.ParserError:
        return Extraction(pages=[Page(1, "")], method="html", metadata=metadata)

    lines = _visible_lines(root)
    head_titles = _head_titles(root)
    marked_dates = (_meta_date(root), _json_ld_date(root), _time_element_date(root))
    metadata |= _source_fields(lines)

    _unwrap_layout_tables(root)
    document = bare_extraction(
        root,
        favor_precision=True,
        with_metadata=True,
        date_extraction_params=dict(_HTMLDATE_PARAMS),
    )
    main_text = normalize_text(document.text) if document is not None and document.text else ""
    if not main_text.strip():
        main_text = "\n".join(lines)
        metadata |= {"main_text_found": False, "needs_review": True}

    title = _choose_title(document.title if document is not None else None, head_titles, lines)
    if title:
        metadata["title"] = title
    address_date = url_date(name) if "://" in name else None
    # Dates shown after the main text are related news', comments' or the footer's.
    lines = _lines_to_main_end(lines, main_text)
    month_day = find_month_day(lines)
    month_day_dated = (
        year_from_context(month_day, address_date) if month_day and address_date else None
    )
    if month_day is not None and month_day_dated is None:
        # The page shows a day its address does not hold (4月10日 under /201905/): the
        # address alone cannot date it.
        address_date = None
    found = (
        find_labelled_date(lines)
        or find_datetime_line(lines)
        or month_day_dated
        or find_date_line(main_text.split("\n"))
        or next((date for date in marked_dates if date is not None), None)
        or address_date
    )
    if found is not None:
        metadata |= {"date": found.date, "date_source": found.source}
    elif month_day is not None:
        metadata |= {"date_unresolved": month_day.text, "date_unresolved_source": month_day.source}
    return Extraction(pages=[Page(1, main_text)], method="html", metadata=metadata)


def _lines_to_main_end(lines: list[str], main_text: str) -> list[str]:
    """The visible lines up to the last one that holds a paragraph of the main text (spaces
    ignored; paragraphs of ten characters or more when there are any, as a short one, 打印,
    may be the footer's too); all of them when none is found among them."""
    paragraphs = [p for line in main_text.split("\n") if (p := "".join(line.split()))]
    paragraphs = [p for p in paragraphs if len(p) >= 10] or paragraphs
    shown = ["".join(normalize_text(line).split()) for line in lines]
    for at in range(len(lines) - 1, -1, -1):
        line = shown[at]
        if line and any(p in line or (len(line) >= 10 and line in p) for p in paragraphs):
            return lines[: at + 1]
    return lines


def _visible_lines(root: lxml.html.HtmlElement) -> list[str]:
    """The text a reader sees, one string per block, whitespace runs collapsed to one space."""
    chunks: list[str] = []
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start" and tag in _INVISIBLE:
            walker.skip_subtree()
            continue
        if tag in _BLOCKS:
            chunks.append("\n")
        elif tag in _CELLS:
            chunks.append(" ")
        # Newlines in the markup are spaces on screen; only blocks break lines.
        chunks.append(
            _WHITESPACE.sub(" ", (element.text if event == "start" else element.tail) or "")
        )
    return [line for raw in "".join(chunks).split("\n") if (line := raw.strip())]


def _head_titles(root: lxml.html.HtmlElement) -> list[str]:
    """The titles the page gives itself: ``<title>``, then ``og:title``."""
    titles = [" ".join(element.text_content().split()) for element in root.iter("title")][:1]
    for meta in root.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").strip().lower() == "og:title":
            titles.append(" ".join((meta.get("content") or "").split()))
    return [title for title in titles if title]


def _meta_date(root: lxml.html.HtmlElement) -> FoundDate | None:
    """The date of the first of ``_META_DATE_KEYS`` that a ``<meta>`` tag gives a date."""
    values: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        values.setdefault(key.strip(), meta.get("content") or "")
    for key in _META_DATE_KEYS:
        date = parse_date_text(values.get(key, ""))
        if date is not None:
            return FoundDate(date, f"meta:{key}")
    return None


def _json_ld_date(root: lxml.html.HtmlElement) -> FoundDate | None:
    """``datePublished`` of the first JSON-LD object (or ``@graph`` member) that has one."""
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        objects = data if isinstance(data, list) else [data]
        objects += [
            member
            for found in objects
            if isinstance(found, dict) and isinstance(found.get("@graph"), list)
            for member in found["@graph"]
        ]
        for found in objects:
            value = found.get("datePublished") if isinstance(found, dict) else None
            date = parse_date_text(value) if isinstance(value, str) else None
            if date is not None:
                return FoundDate(date, "json-ld:datePublished")
    return None


def _time_element_date(root: lxml.html.HtmlElement) -> FoundDate | None:
    """The ``datetime`` of the first ``<time>`` marked as the publication's: ``pubdate`` or
    ``itemprop="datePublished"``; any other ``<time>`` may date an event the page tells of."""
    for element in root.iter("time"):
        itemprop = (element.get("itemprop") or "").strip().lower()
        marked = element.get("pubdate") is not None or itemprop == "datepublished"
        date = parse_date_text(element.get("datetime") or "") if marked else None
        if date is not None:
            return FoundDate(date, "time element")
    return None


def _source_fields(lines: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, pattern in (("source_line", _SOURCE), ("author_line", _AUTHOR)):
        for line in lines:
            values = (match["value"].strip() for match in pattern.finditer(line))
            value = next((value for value in values if value), None)
            if value:
                found[key] = value
                break
    return found


def _choose_title(extracted: str | None, head_titles: list[str], lines: list[str]) -> str | None:
    """Pick the page's title.

    ``<title>`` and ``og:title`` usually join the article's title and the site's name
    (``文章标题_栏目_网站名``), and trafilatura's title may be a logo's hidden text (the Shanxi
    portal's lone ``<h1>`` is its site name). So the candidates are those titles, whole and
    split at ``-``, ``_``, ``|``, ``—``, that are also a line of the page (its heading):
    trafilatura's title if it is one of them, else the longest. Without such a line,
    trafilatura's title, else ``<title>``.
    """
    extracted = " ".join(extracted.split()) if extracted else None
    shown = set(lines)
    candidates = [*head_titles]
    candidates += [part for title in head_titles for part in _TITLE_SEPARATORS.split(title)]
    on_page = [candidate for candidate in candidates if candidate in shown]
    if extracted in on_page:
        return extracted
    if on_page:
        return max(on_page, key=len)
    return extracted or (head_titles[0] if head_titles else None)


def _unwrap_layout_tables(root: lxml.html.HtmlElement) -> None:
    """Turn layout tables into nested ``<div>``\\ s, in place.

    A table is for layout when one of its own cells holds a table or two or more block
    elements (paragraphs, lists, headings): a cell of data holds one value. Unwrapped, the
    cells become blocks that trafilatura weighs one by one, instead of one table it either
    keeps whole (with the site's menu and footer) or drops whole.
    """
    for table in list(root.iter("table")):
        parts = list(_table_parts(table))
        cells = [part for part in parts if part.tag in _CELLS]
        if any(_holds_blocks(cell) for cell in cells):
            for part in (table, *parts):
                part.tag = "div"


def _table_parts(table: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The table's own sections, rows and cells, not those of tables nested in it."""
    parts = []
    for section in (table, *table.iterchildren("thead", "tbody", "tfoot")):
        if section is not table:
            parts.append(section)
        for row in section.iterchildren("tr"):
            parts.append(row)
            parts.extend(row.iterchildren("td", "th"))
    return parts


def _holds_blocks(cell: lxml.html.HtmlElement) -> bool:
    for count, element in enumerate(cell.iterdescendants(*_CELL_BLOCKS), start=1):
        if element.tag == "table" or count >= 2:
            return True
    return False
