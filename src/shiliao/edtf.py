"""EDTF (ISO 8601-2, the Library of Congress's Extended Date/Time Format) dates put in order
without inventing a day.

A source's date says only what its evidence says: ``"2016"``, ``"2019-04"``, ``"2019-03-05"``,
and what a sidecar may give besides: qualified (``"2016?"`` uncertain, ``"2016~"``
approximate, ``"2016%"`` both), with unspecified digits (``"201X"``, ``"2004-XX"``), an
interval (``"2004/2006"``, ``"../2006"``), a set (``"[1667,1668]"``). Sorting places each at
the earliest day it can mean, and of dates starting on the same day the less precise first:
``"2016"``, ``"2016-01"``, ``"2016-01-01"``. For plain years, months and days this is the
order of the strings themselves, so SQL's ``ORDER BY date`` agrees with it. The date shown is
always the string as stored.
"""

from __future__ import annotations

import re

__all__ = ["date_sort_key", "year_span"]

_DATE = re.compile(r"(-?)([\dX]{4})(?:-([\dX]{2})(?:-([\dX]{2}))?)?")
_QUALIFIERS = re.compile(r"[?~%]")


def date_sort_key(date: str | None) -> tuple[int, int, int, int, int, str]:
    """The sort key of a stored date: dated first, by the earliest day the date can mean.

    Args:
        date: an EDTF string, anything else a sidecar gave, or None.

    Returns:
        ``(0, year, month, day, precision, date)`` for a date read as EDTF: the earliest day
        it can mean (``"201X"``: 2010-01-01; ``"2004/2006"`` and ``"[2004,2006]"``: by 2004;
        ``"../2006"``: by 2006; a season, ``"2001-21"``, by its year) and how many of year,
        month and day it gives; ``(1, 0, 0, 0, 0, date)`` for a string that is not EDTF,
        after every date; ``(2, 0, 0, 0, 0, "")`` for None or ``""``, last.
    """
    if not date:
        return (2, 0, 0, 0, 0, "")
    text = date.strip()
    if text[:1] in "[{" and text[-1:] in "]}":
        text = text[1:-1].split(",")[0]
    if "/" in text:
        start, _, end = text.partition("/")
        text = end if start in ("", "..") else start
    # A range inside a set (1760-01..1760-03), or its open start (..1760-12-03).
    text = next((bound for bound in text.split("..") if bound), "")
    text = _QUALIFIERS.sub("", text)
    match = _DATE.fullmatch(text)
    if match is None:
        return (1, 0, 0, 0, 0, date)
    sign, year, month, day = match.groups()
    parts = [int(year.replace("X", "0")) * (-1 if sign else 1)]
    for part in (month, day):
        if part is None or "X" in part:
            break
        parts.append(int(part))
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        parts = parts[:1]  # a season (21-41): its year
    precision = len(parts)
    parts += [1] * (3 - len(parts))
    return (0, parts[0], parts[1], parts[2], precision, date)


def _bound_years(text: str) -> tuple[int, int] | None:
    """The first and last year one EDTF date (no interval, no set) can mean, or None."""
    match = _DATE.fullmatch(_QUALIFIERS.sub("", text))
    if match is None:
        return None
    sign, year = match.group(1), match.group(2)
    low, high = int(year.replace("X", "0")), int(year.replace("X", "9"))
    return (-high, -low) if sign else (low, high)


def year_span(date: str | None) -> tuple[int, int] | None:
    """The years an EDTF date can fall in, first and last (inclusive).

    A year, a month or a day is its year, whatever its qualifier (``"2016?"``, ``"2016-05~"``:
    2016 to 2016); unspecified digits widen it (``"201X"``: 2010 to 2019, ``"19XX"``: 1900 to
    1999); an interval runs from its start's first year to its end's last (``"2004/2006"``),
    an open end taking the other's (``"../2006"``: 2006 to 2006); a set or a range inside one
    spans its members (``"[1667,1668]"``, ``"[1760-01..1760-12]"``).

    Args:
        date: an EDTF string, anything else a sidecar gave, or None.

    Returns:
        ``(first, last)``, negative before the common era; None for None, ``""`` or a string
        that is not such a date (it has no year to filter by).
    """
    if not date:
        return None
    text = date.strip()
    if text[:1] in "[{" and text[-1:] in "]}":
        parts = [p for m in text[1:-1].split(",") for p in m.strip().split("..")]
    elif "/" in text:
        parts = text.split("/", 1)
    else:
        parts = text.split("..")
    spans = []
    for part in parts:
        if part.strip() in ("", ".."):
            continue
        span = _bound_years(part.strip())
        if span is None:
            return None
        spans.append(span)
    if not spans:
        return None
    return min(s[0] for s in spans), max(s[1] for s in spans)
