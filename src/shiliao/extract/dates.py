"""Dates as Chinese sources write them, read into EDTF strings that claim no more than the
source says, each with where it was read.

General-purpose date finders (htmldate, dateparser) misread Chinese dates, refuse anything
before 1995 and make January 1st of a year written alone, so the forms official pages and
documents use are read here. A date keeps the precision written: a year (``"2016"``), a year
and a month (``"2019-04"``) or a day (``"2019-03-05"``); the time of day is dropped. Every
finder returns a ``FoundDate`` whose ``source`` says where the date was read:

- ``"label:发布时间"``: after a date label, ``发布时间：2019-03-05 09:30``, ``发布日期：2016-11-22``,
  ``时间： 2019-09-18 06:23``, ``成文日期：2019年3月5日``, ``发布日期：2019年4月`` (full-width or
  half-width colon, optional spaces), the label as written;
- ``"date-time line"``: a line that opens with a date and its time of day and no label,
  ``2016年06月30日09时30分``, ``2015年04月08日10:05 来源：新华网``: a date given to the minute is
  a timestamp, not an event the text tells of, unless a place or a sentence follows it
  (``2019年3月15日 09:30 县委三楼会议室`` is a meeting's schedule);
- ``"signature line"``: one of the last five lines of a text is a day and nothing else, and
  no sentence follows it: ``2019年03月05日``, ``二〇一七年三月二十四日``; a year and a month
  under the issuing office's line, ``2019年3月`` (white papers are signed so); none in a
  chronology (``find_date_line``);
- ``"dateline"``: one of the first eight lines is a date in brackets, alone or with the body
  that adopted the text: ``（2017年10月18日）``, ``（2023年3月13日第十四届全国人民代表大会第一次
  会议通过）``;
- ``"url path"``: the date path of a page's address, ``/2018-03/05/``, ``/2018/0305/``,
  ``/201803/t20180305_``, ``/2018/03/05/``, ``/201803/``;
- the values of ``<meta>`` tags and the like (``parse_date_text``): ``2019-03-05``,
  ``2019/3/5``, ``2019.03.05``, ``2019-03-05T09:30:00+08:00``, ``20190305``, ``2019-04``,
  ``2016``; PDF date strings (``pdf_date``, ISO 32000-1, 7.9.4): ``D:20230318101431+08'00'``.

What dates an event is no publication date and is not read: a date inside a sentence, a date
an event phrase holds (``自2016年底``, ``截至2019年3月``, ``2016年以来``, ``3月5日至8日``,
``2019年3月5日上午``). A month and day without a year (``4月10日 18:10``) is found by
``find_month_day`` and dated only from a clear context on the same page
(``year_from_context``), else left undated.
"""

from __future__ import annotations

import datetime
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import NamedTuple
from urllib.parse import urlsplit

__all__ = [
    "FoundDate",
    "MonthDay",
    "edtf_date",
    "find_date_line",
    "find_datetime_line",
    "find_labelled_date",
    "find_month_day",
    "find_text_date",
    "find_text_month_day",
    "is_edtf",
    "parse_date_text",
    "parse_month_day",
    "pdf_date",
    "url_date",
    "year_from_context",
]

_HAN_DIGITS = {"〇": 0, "○": 0, "零": 0, "0": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4}
_HAN_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

# Matched against NFKC text, so full-width digits, colons and brackets arrive as ASCII. Each
# form gives a year, a year and a month, or a day.
_DATE = re.compile(
    r"(?<!\d)(?P<y1>\d{4})(?P<sep>[-/.])(?P<m1>\d{1,2})(?:(?P=sep)(?P<d1>\d{1,2}))?(?!\d)"
    r"|(?<!\d)(?P<y2>\d{4})\s*年(?:\s*(?P<m2>\d{1,2})\s*月(?:\s*(?P<d2>\d{1,2})\s*[日号])?)?"
    r"|(?P<y3>[〇○零0O一二三四五六七八九]{4})\s*年(?:\s*(?P<m3>[一二三四五六七八九十]{1,3})\s*月"
    r"(?:\s*(?P<d3>[一二三四五六七八九十]{1,3})\s*日)?)?"
)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})(?!\d)")
_MONTH_DAY = re.compile(
    r"(?<![\d年/.-])(?:(?P<m1>\d{1,2})\s*月\s*(?P<d1>\d{1,2})\s*[日号]|(?P<m2>\d{2})-(?P<d2>\d{2}))"
    r"(?![\d-])"
)
# A time of day given to the minute: 09:30, 09:30:00, 09时30分, 9点30分.
_TIME = re.compile(r"\s*T?\d{1,2}(?::\d{2}(?::\d{2})?|时\d{1,2}分(?:\d{1,2}秒)?|点\d{1,2}分)(?!\d)")
_WEEKDAY = re.compile(r"\s*\(?(?:星期|周)[一二三四五六日天]\)?")
_LABEL = re.compile(
    r"(?:^|(?<=[\s|丨]))(?P<label>(?:发布|发稿|发文|成文|印发|公布)?(?:时间|日期))\s*:\s*"
)
# What follows a date that an event or a span has, not a text: right after it, and after a
# space (where single characters would begin the next field's words: 中国新闻网).
# A period (年度, 第一季度, 上半年) or a list of days (3月5日、6日) is no publication day either.
_EVENT_NEXT = re.compile(
    r"底|初|末|上旬|中旬|下旬|年中|以来|以后|以前|之前|之后|前|后|起|止|至|到|开始|期间|许|左右"
    r"|上午|下午|中午|晚上|早上|凌晨|度|第|[上下]半年|全年|、|[,，]\s*\d|\d|[-–—~～〜]\s*\d"
)
_EVENT_SPACED = re.compile(
    r"(?:以来|以后|以前|之前|之后|起|止|至|到|开始|期间|左右|上午|下午|中午|晚上|早上|凌晨)"
    r"|[-–—~～〜]\s*\d"
)
_SEPARATORS = "|丨"
# Labels that name the publication's date; a bare 时间/日期 may be a meeting's or a widget's.
_STRONG_LABEL = re.compile(r"(?:发布|发稿|发文|成文|印发|公布)(?:时间|日期)")
# What may follow a timestamp's date and time: a separator, a field (来源：…) or a medium's
# name (新华网, 人民日报); a place or a sentence (县委三楼会议室, 在县委召开会议) is an event's.
_STAMP_REST = re.compile(
    r"$|[|丨]|(?:来源|作者|编辑|责任编辑|责编|记者|通讯员|供稿|浏览|点击|阅读|字号|信息来源)"
    r"|\S*(?:网|报|社|台|客户端)(?:\s|$|[|丨])"
)
# A line that ends so is a sentence or a salutation (各单位：): the body has begun.
_BODY_LINE = re.compile(r".*(?:。|[!?;:！？；：]\s*$)")
# The last word of a line naming who issued a text: 县委办公室, 某某局, 国务院新闻办公室.
_ISSUER = re.compile(
    r".*(?:政府|委员会|办公室|办公厅|局|党委|委|厅|部|院|处|中心|公司|学校|街道|社区|村|乡|镇)"
)
# What may follow a date that stands as a field of its own, unlabelled.
_FIELD_END = frozenset(_SEPARATORS + "/【[(")
_ADOPTED = re.compile(r"[^()\d]*(?:通过|批准|公布|发布|讲话|报告)")
_PDF_DATE = re.compile(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?")
_URL_DATES = (
    re.compile(r"/(\d{4})-(\d{2})/(\d{2})/"),
    re.compile(r"/(\d{4})/(\d{2})/(\d{2})/"),
    re.compile(r"/(\d{4})/(\d{2})(\d{2})/"),
    re.compile(r"/t(\d{4})(\d{2})(\d{2})_\d+"),
    re.compile(r"/(\d{4})(\d{2})(\d{2})/"),
    re.compile(r"/(\d{4})(\d{2})()/"),
    re.compile(r"/(\d{4})-(\d{2})()/"),
    re.compile(r"/(\d{4})/(\d{2})()/"),
)
# The web's first pages are from 1991; a path number outside these years is no date.
_URL_YEARS = range(1990, 2100)
_HEAD_LINES = 8
_TAIL_LINES = 5
_TEXT_HEAD_LINES = 10


class FoundDate(NamedTuple):
    """A date read from a source.

    Attributes:
        date: EDTF (ISO 8601-2): ``"YYYY"``, ``"YYYY-MM"`` or ``"YYYY-MM-DD"``.
        source: where it was read: ``"label:发布时间"``, ``"date-time line"``,
            ``"signature line"``, ``"dateline"``, ``"url path"``...; see the module docstring.
    """

    date: str
    source: str


class MonthDay(NamedTuple):
    """A month and day written without a year.

    Attributes:
        month: 1 to 12.
        day: 1 to 31.
        text: the date as written, with its time of day (``"4月10日 18:10"``).
        source: ``"label:…"`` or ``"date-time line"``, as in ``FoundDate``.
    """

    month: int
    day: int
    text: str
    source: str


def edtf_date(year: int, month: int | None = None, day: int | None = None) -> str | None:
    """Format a calendar date as EDTF at the precision given.

    Args:
        year: the year, 1000 to 9999 (EDTF level 0 needs four digits).
        month: 1 to 12, or None for a year alone.
        day: the day of the month, or None; ignored without a month.

    Returns:
        ``"YYYY"``, ``"YYYY-MM"`` or ``"YYYY-MM-DD"``; None when no such date exists
        (2019-02-30, month 13, a three-digit year).
    """
    if not 1000 <= year <= 9999:
        return None
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


# An EDTF level 0-1 date: a year (digits or X for unspecified ones, negative allowed), a month
# (or a season, 21-24), a day, and a qualifier of the whole date (? uncertain, ~ approximate).
_EDTF_DATE = re.compile(
    r"(?P<year>-?[0-9X]{4})(?:-(?P<month>[0-9X]{2})(?:-(?P<day>[0-9X]{2}))?)?(?P<q>[?~%])?"
)


def is_edtf(value: str) -> bool:
    """Whether a value is an EDTF date or interval, levels 0 and 1 (ISO 8601-2).

    Args:
        value: e.g. ``"2016"``, ``"2016-03"``, ``"2016-03-05"``, ``"201X"``, ``"2016-XX"``,
            ``"2016?"``, ``"2016-03~"``, ``"2016-21"`` (spring), ``"2016-04/2017"``,
            ``"2016/.."``, ``"/2017"``.

    Returns:
        True when every part is a date that exists (``"2016-13-45"`` and ``"2019-02-30"``
        are none) and an interval does not end before it starts.
    """
    parts = value.split("/")
    if len(parts) > 2 or not all(_edtf_date_ok(part, len(parts) == 2) for part in parts):
        return False
    if len(parts) == 2:
        start, end = (part.rstrip("?~%") for part in parts)
        if start in ("", "..") and end in ("", ".."):
            return False
        known = min(len(start), len(end))
        if start not in ("", "..") and end not in ("", "..") and "X" not in start + end:
            return start[:known] <= end[:known]
    return True


def _edtf_date_ok(part: str, in_interval: bool) -> bool:
    if in_interval and part in ("", ".."):
        return True
    match = _EDTF_DATE.fullmatch(part)
    if match is None:
        return False
    year, month, day = match["year"], match["month"], match["day"]
    if "X" in year.lstrip("-").rstrip("X"):  # X only for the last digits: 20XX, not 2X16
        return False
    if month is None:
        return True
    if "X" in month:
        return month == "XX" and day in (None, "XX")
    number = int(month)
    if 21 <= number <= 24:
        return day is None
    if not 1 <= number <= 12:
        return False
    if day is None or "X" in day:
        return day in (None, "XX")
    # A year with X digits or outside 1000-9999 (edtf_date's) is checked as 2000, a leap year.
    known = 2000 if "X" in year or not 1000 <= int(year) <= 9999 else int(year)
    return edtf_date(known, number, int(day)) is not None


def parse_date_text(value: str) -> str | None:
    """Read a short value that is a date, such as a ``<meta>`` tag's content.

    Args:
        value: e.g. ``"2016-11-22 09:53"``, ``"2019-03-05T09:30:00+08:00"``, ``"20190305"``,
            ``"2019-04"``, ``"2016"``, ``"2019年4月"``.

    Returns:
        EDTF at the precision written: a day when the value opens with one (what follows,
        a time of day, is dropped); a year and a month, or a year, only when that is the whole
        value (``"2016年底"`` is no date). None when the value is no valid date.
    """
    text = unicodedata.normalize("NFKC", value).strip()
    match = _DATE.match(text)
    if match is not None:
        date = _date_from_match(match)
        if date is not None and (len(date) == 10 or not text[match.end() :].strip()):
            return date
        return None
    compact = _COMPACT.match(text)
    if compact is not None:
        return edtf_date(*(int(part) for part in compact.groups()))
    if re.fullmatch(r"\d{4}", text):
        return edtf_date(int(text))
    return None


def find_labelled_date(lines: Iterable[str], *, bare: bool = True) -> FoundDate | None:
    """Find the date written after a date label (发布时间, 发布日期, 时间, 日期...).

    A label counts only at the start of a line or after whitespace or a ``|`` separator, so
    that ``留置时间：`` in a body text is no date label; the date must stand as the label's
    value, so that ``时间：2016年以来``, ``日期：3月5日至8日``, ``日期：2019年3月5日、6日`` or
    ``时间：2018年度`` are not read. A label naming the publication (发布时间, 成文日期...) beats
    a bare 时间/日期 anywhere in the lines; a bare label's date followed by a weekday
    (``日期：2024年01月01日 星期一``, ``时间：2019年3月15日（星期五）``) is a date widget's or a
    meeting's and is not read.

    Args:
        lines: the visible lines of a page, in reading order.
        bare: whether a bare 时间/日期 label is read at all.

    Returns:
        The first valid date after a publication label, else (``bare``) after a bare one, at
        the precision written, with source ``"label:<label>"`` (e.g. ``"label:发布时间"``);
        or None.
    """
    first_bare = None
    for line in lines:
        text = unicodedata.normalize("NFKC", line)
        for label in _LABEL.finditer(text):
            strong = _STRONG_LABEL.fullmatch(label["label"]) is not None
            if not strong and (not bare or first_bare is not None):
                continue
            match = _DATE.match(text, label.end())
            if match is None or not _stands_alone(text, _field_end(text, match), strict=False):
                continue
            if not strong and _WEEKDAY.match(text, match.end()):
                continue
            date = _date_from_match(match)
            if date is None:
                continue
            if strong:
                return FoundDate(date, f"label:{label['label']}")
            first_bare = FoundDate(date, f"label:{label['label']}")
    return first_bare


def find_datetime_line(lines: Iterable[str]) -> FoundDate | None:
    """Find the first line that gives a day and its time of day as a field, without a label.

    News pages print their timestamp so, above the text: ``2016年06月30日09时30分``,
    ``2015-04-08 10:05 新华网``, ``来源：新华网 | 2015-04-08 10:05``. The date must open the
    line or follow a ``|`` separator, and be followed by a space, a separator or nothing, so
    that a sentence (``2015年4月8日10:05，记者…``) is not read.

    Args:
        lines: the visible lines of a page, in reading order.

    Returns:
        The day with source ``"date-time line"``, or None.
    """
    for line in lines:
        text = unicodedata.normalize("NFKC", line)
        for start in _field_starts(text):
            match = _DATE.match(text, start)
            if match is None or not (match["d1"] or match["d2"] or match["d3"]):
                continue
            if _TIME.match(text, match.end()) is None:
                continue
            date = _date_from_match(match)
            end = _field_end(text, match)
            if (
                date is not None
                and _stands_alone(text, end, strict=True)
                and _stamp_ends(text, end)
            ):
                return FoundDate(date, "date-time line")
    return None


def find_month_day(lines: Iterable[str]) -> MonthDay | None:
    """Find the first month and day written without a year where a page gives its date.

    That is after a date label (``发布时间：4月10日 18:10``, the time optional), or at the start
    of a line with its time of day (``04-10 18:10``, ``4月10日 18:10``), standing alone as in
    ``find_labelled_date`` and ``find_datetime_line``.

    Args:
        lines: the visible lines of a page, in reading order.

    Returns:
        The month and day with the text as written and where, or None. It is no date until
        a year is found for it (``year_from_context``).
    """
    for line in lines:
        text = unicodedata.normalize("NFKC", line)
        starts = [(label.end(), f"label:{label['label']}") for label in _LABEL.finditer(text)]
        starts += [(start, "date-time line") for start in _field_starts(text)]
        for start, source in starts:
            match = _MONTH_DAY.match(text, start)
            if match is None:
                continue
            labelled = source != "date-time line"
            if not labelled and _TIME.match(text, match.end()) is None:
                continue
            end = _field_end(text, match)
            if not _stands_alone(text, end, strict=not labelled):
                continue
            if not labelled and not _stamp_ends(text, end):
                continue
            month, day = int(match["m1"] or match["m2"]), int(match["d1"] or match["d2"])
            if edtf_date(2000, month, day) is not None:  # 2000 is a leap year: 2月29日 passes
                return MonthDay(month, day, text[match.start() : end].strip(), source)
    return None


def find_text_month_day(text: str) -> MonthDay | None:
    """``find_month_day`` in the first ten non-blank lines of a plain text, where
    ``find_text_date`` reads labels.

    Args:
        text: the whole text, lines separated by ``"\\n"``.

    Returns:
        The month and day as ``find_month_day`` gives them, or None.
    """
    return find_month_day([line for line in text.split("\n") if line.strip()][:_TEXT_HEAD_LINES])


def parse_month_day(text: str, source: str) -> MonthDay | None:
    """Read again a month and day that ``find_month_day`` found (``MonthDay.text``).

    Args:
        text: e.g. ``"4月10日 18:10"``, ``"04-10 18:10"``.
        source: where it was found (``MonthDay.source``), kept.

    Returns:
        The ``MonthDay``, or None when ``text`` does not open with a month and day.
    """
    match = _MONTH_DAY.match(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        return None
    month, day = int(match["m1"] or match["m2"]), int(match["d1"] or match["d2"])
    return MonthDay(month, day, text, source)


def year_from_context(month_day: MonthDay, context: FoundDate) -> FoundDate | None:
    """Date a month and day from another date of the same page that leaves no doubt.

    Args:
        month_day: what ``find_month_day`` found.
        context: a date of the same page that is not a publication date by itself read
            here, e.g. its address's (``url_date``).

    Returns:
        The day, with source ``"<month_day.source>, year from context: <context.source>
        <context.date>"``, when the context gives a year and every month and day it also
        gives agree; else None (a ``/201905/`` address does not date ``4月10日``).
    """
    year, _, rest = context.date.partition("-")
    month, _, day = rest.partition("-")
    if (month and int(month) != month_day.month) or (day and int(day) != month_day.day):
        return None
    date = edtf_date(int(year), month_day.month, month_day.day)
    if date is None:
        return None
    return FoundDate(
        date, f"{month_day.source}, year from context: {context.source} {context.date}"
    )


def find_date_line(lines: Sequence[str]) -> FoundDate | None:
    """Find the date a text is signed with, else the dateline under its title.

    A signature is one of the last five non-blank lines that is a day and nothing else, after
    some text and with no sentence (a line with ``。``) after it; a year and a month only
    right under the line of the office that issued it (white papers: ``国务院新闻办公室`` then
    ``2019年3月``). A text with another line that opens with a date standing alone
    (``2016年10月1日`` then what happened) is a chronology, whose last entry is no signature.
    A dateline is one of the first
    eight non-blank lines that is a date in brackets, alone or with the meeting that adopted
    the text: ``（2017年10月18日）``, ``（2023年3月13日第十四届全国人民代表大会第一次会议通过）``; a
    bracket holding a second date (a law amended since) is none.

    Args:
        lines: lines of text, in reading order.

    Returns:
        The date with source ``"signature line"`` (the last signature when there are
        several) or ``"dateline"``; or None.
    """
    texts = [text for line in lines if (text := unicodedata.normalize("NFKC", line).strip())]
    entries = [at for at, text in enumerate(texts) if _opens_entry(text)]
    tail = texts[-_TAIL_LINES:]
    for back, text in enumerate(reversed(tail)):
        if any("。" in later for later in tail[len(tail) - back :]):
            break
        match = _DATE.fullmatch(text)
        date = _date_from_match(match) if match is not None else None
        at = len(texts) - 1 - back
        if date is None or at == 0 or entries != [at]:
            continue
        if len(date) == 10 or (len(date) == 7 and _ISSUER.fullmatch(texts[at - 1])):
            return FoundDate(date, "signature line")
    for text in texts[:_HEAD_LINES]:
        if not (text.startswith("(") and text.endswith(")")):
            continue
        inside = text[1:-1].strip()
        match = _DATE.match(inside)
        rest = inside[match.end() :] if match is not None else ""
        if match is None or (rest and (not _ADOPTED.fullmatch(rest) or _DATE.search(rest))):
            continue
        date = _date_from_match(match)
        if date is not None and len(date) >= 7:
            return FoundDate(date, "dateline")
    return None


def find_text_date(text: str) -> FoundDate | None:
    """Find the date of a plain text the way a web page's is found.

    In order: a publication label in its first ten non-blank lines (``发布时间：``,
    ``成文日期：``…); a bare ``时间：``/``日期：`` label only in the header, the lines before
    the body begins (a line holding ``。`` or ending in ``：``, a salutation), and only when it
    is the header's one date; a date-time line in the first ten lines; a signature line; a
    dateline (see ``find_labelled_date``, ``find_datetime_line`` and ``find_date_line``).
    Further down, ``时间：2019年3月15日`` is the time of a meeting the text announces.

    Args:
        text: the whole text, lines separated by ``"\\n"``.

    Returns:
        The date and where it was read, or None.
    """
    lines = text.split("\n")
    head = [line for line in lines if line.strip()][:_TEXT_HEAD_LINES]
    header = list(itertools.takewhile(lambda line: not _BODY_LINE.match(line), head))
    dated = [line for line in header if _DATE.search(unicodedata.normalize("NFKC", line))]
    return (
        find_labelled_date(head, bare=False)
        or (find_labelled_date(dated) if len(dated) == 1 else None)
        or find_datetime_line(head)
        or find_date_line(lines)
    )


def url_date(url: str) -> FoundDate | None:
    """Read the date in a web address's path, as publishing systems write it.

    Forms: ``/2018-03/05/``, ``/2018/03/05/``, ``/2018/0305/``, ``/t20180305_123.html``
    (TRS, used by most government sites), ``/20180305/``, and a year and month alone:
    ``/201803/``, ``/2018-03/``, ``/2018/03/``. Years outside 1990-2099 are numbers, not
    dates.

    Args:
        url: an absolute address, or a path.

    Returns:
        The most precise date the path gives, with source ``"url path"``; None when it
        gives none, or two that disagree (``/201803/t20180402_1.html``).
    """
    try:
        path = urlsplit(url).path
    except ValueError:  # an address no URL parser reads ("http://[", a broken IPv6 host)
        return None
    found: set[str] = set()
    for pattern in _URL_DATES:
        for match in pattern.finditer(path):
            year, month, day = match.groups()
            if int(year) not in _URL_YEARS:
                continue
            date = edtf_date(int(year), int(month), int(day) if day else None)
            if date is not None:
                found.add(date)
    if not found:
        return None
    best = max(found, key=len)
    if any(not best.startswith(date) for date in found):
        return None
    return FoundDate(best, "url path")


def pdf_date(value: str) -> str | None:
    """Read a PDF date string (ISO 32000-1, 7.9.4) as EDTF at the precision it gives.

    The date is taken as written, in the producer's local time; the offset is ignored, so
    the day is the one the document's author saw.

    Args:
        value: e.g. ``"D:20230318101431+08'00'"``, ``"D:2023"``; the ``D:`` prefix is optional.

    Returns:
        ``"YYYY"``, ``"YYYY-MM"`` or ``"YYYY-MM-DD"``, or None when the string is not a date.
    """
    match = _PDF_DATE.match(value.strip())
    if match is None:
        return None
    year, month, day = match.groups()
    return edtf_date(int(year), int(month) if month else None, int(day) if day else None)


def _field_end(text: str, match: re.Match[str]) -> int:
    """Where a date found at ``match`` ends with its time of day and weekday, if any."""
    end = match.end()
    for part in (_WEEKDAY, _TIME, _WEEKDAY):
        found = part.match(text, end)
        if found is not None:
            end = found.end()
    return end


def _opens_entry(text: str) -> bool:
    """Whether a line opens with a date standing alone: a signature, or a chronology's entry
    (``2016年10月1日``, ``2016年10月1日 开展结对认亲活动``); not a timestamp (``… 09:30``)."""
    match = _DATE.match(text)
    if match is None:
        return False
    after = text[match.end() :]
    return (not after or after[0].isspace()) and _TIME.match(after) is None


def _stamp_ends(text: str, end: int) -> bool:
    """Whether what follows a date and time ending at ``end`` is a timestamp's (nothing, a
    separator, a field, a medium's name), not an event's place or a sentence."""
    return _STAMP_REST.match(text[end:].lstrip()) is not None


def _field_starts(text: str) -> list[int]:
    """Where a field may begin in a line: its first character and after each separator,
    spaces skipped."""
    starts = [0] + [at + 1 for at, char in enumerate(text) if char in _SEPARATORS]
    return [start + len(text[start:]) - len(text[start:].lstrip()) for start in starts]


def _stands_alone(text: str, end: int, *, strict: bool) -> bool:
    """Whether the date ending at ``end`` is a field's value, not part of an event phrase.

    No event word (``底``, ``以来``, ``至``, ``上午``...) or digit may follow it. ``strict``
    (a date without a label): it must be followed by the end, a space or a separator, not by
    a word or a comma, as a date in a sentence is.
    """
    after = text[end:]
    if _EVENT_NEXT.match(after):
        return False
    if strict and after and not (after[0].isspace() or after[0] in _FIELD_END):
        return False
    return _EVENT_SPACED.match(after.lstrip()) is None


def _date_from_match(match: re.Match[str]) -> str | None:
    if match["y1"]:
        day = int(match["d1"]) if match["d1"] else None
        return edtf_date(int(match["y1"]), int(match["m1"]), day)
    if match["y2"]:
        month = int(match["m2"]) if match["m2"] else None
        return edtf_date(int(match["y2"]), month, int(match["d2"]) if match["d2"] else None)
    year = int("".join(str(_HAN_DIGITS[ch]) for ch in match["y3"]))
    month = _han_number(match["m3"]) if match["m3"] else None
    day = _han_number(match["d3"]) if match["d3"] else None
    if (match["m3"] and month is None) or (match["d3"] and day is None):
        return None
    return edtf_date(year, month, day)


def _han_number(text: str) -> int | None:
    """Read 1 to 99 written with Chinese numerals: 五, 十, 十一, 二十, 二十二."""
    tens, ten, units = text.partition("十")
    if not ten:
        return _HAN_DIGITS.get(text) if len(text) == 1 else None
    if len(tens) > 1 or len(units) > 1:
        return None
    high = _HAN_DIGITS.get(tens, -1) if tens else 1
    low = _HAN_DIGITS.get(units, -1) if units else 0
    if high < 1 or low < 0:
        return None
    return high * 10 + low
