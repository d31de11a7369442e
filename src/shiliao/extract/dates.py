"""Dates as Chinese sources write them, read into EDTF strings.

General-purpose date finders (htmldate, dateparser) misread Chinese dates and refuse anything
before 1995, so the forms official pages and documents use are read here:

- labelled: ``发布时间：2019-03-05 09:30``, ``发布日期：2016-11-22``, ``时间： 2019-09-18 06:23``,
  ``成文日期：2019年3月5日`` (full-width or half-width colon, optional spaces);
- bare: a line that is only a date, ``2019年03月05日`` or ``二〇一九年三月五日``, as notices are
  signed;
- the numeric forms of ``<meta>`` values: ``2019-03-05``, ``2019/3/5``, ``2019.03.05``,
  ``2019-03-05T09:30:00+08:00``, ``20190305``;
- PDF date strings (ISO 32000-1, 7.9.4): ``D:20230318101431+08'00'``.

Every result is an EDTF (ISO 8601-2) date string; the time of day is dropped.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable

__all__ = ["edtf_date", "find_date_line", "find_labelled_date", "parse_date_text", "pdf_date"]

_HAN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4}
_HAN_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

# Matched against NFKC text, so full-width digits and colons arrive as ASCII.
_DATE = re.compile(
    r"(?P<y1>\d{4})(?P<sep>[-/.])(?P<m1>\d{1,2})(?P=sep)(?P<d1>\d{1,2})(?!\d)"
    r"|(?P<y2>\d{4})\s*年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日"
    r"|(?P<y3>[〇○零一二三四五六七八九]{4})\s*年\s*(?P<m3>[一二三四五六七八九十]{1,3})\s*月"
    r"\s*(?P<d3>[一二三四五六七八九十]{1,3})\s*日"
)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})(?!\d)")
_LABEL = re.compile(r"(?:^|[\s|丨])(?:发布|发稿|发文|成文|印发|公布)?(?:时间|日期)\s*:\s*")
_PDF_DATE = re.compile(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?")


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


def parse_date_text(value: str) -> str | None:
    """Find the first full date in a short string such as a ``<meta>`` value.

    Args:
        value: any text, e.g. ``"2016-11-22 09:53"`` or ``"2019-03-05T09:30:00+08:00"``.

    Returns:
        The date as EDTF ``"YYYY-MM-DD"``, or None when the string holds no valid date.
    """
    text = unicodedata.normalize("NFKC", value)
    match = _DATE.search(text)
    if match is not None:
        return _date_from_match(match)
    compact = _COMPACT.match(text.strip())
    if compact is None:
        return None
    return edtf_date(*(int(part) for part in compact.groups()))


def find_labelled_date(lines: Iterable[str]) -> str | None:
    """Find the first date written after a date label (发布时间, 发布日期, 时间, 日期...).

    A label counts only at the start of a line or after whitespace or a ``|`` separator, so
    that ``留置时间：`` in a body text is no date label.

    Args:
        lines: the visible lines of a page, in reading order.

    Returns:
        The first valid date as EDTF ``"YYYY-MM-DD"``, or None.
    """
    for line in lines:
        text = unicodedata.normalize("NFKC", line)
        for label in _LABEL.finditer(text):
            match = _DATE.match(text, label.end())
            found = _date_from_match(match) if match is not None else None
            if found is not None:
                return found
    return None


def find_date_line(lines: Iterable[str]) -> str | None:
    """Find the last line that is a date and nothing else, as notices are signed.

    Args:
        lines: lines of text, in reading order.

    Returns:
        The date of the last such line as EDTF ``"YYYY-MM-DD"``, or None.
    """
    found = None
    for line in lines:
        match = _DATE.fullmatch(unicodedata.normalize("NFKC", line).strip())
        if match is not None:
            found = _date_from_match(match) or found
    return found


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


def _date_from_match(match: re.Match[str]) -> str | None:
    if match["y1"]:
        return edtf_date(int(match["y1"]), int(match["m1"]), int(match["d1"]))
    if match["y2"]:
        return edtf_date(int(match["y2"]), int(match["m2"]), int(match["d2"]))
    year = int("".join(str(_HAN_DIGITS[ch]) for ch in match["y3"]))
    month = _han_number(match["m3"])
    day = _han_number(match["d3"])
    if month is None or day is None:
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
