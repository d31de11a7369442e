"""Personal data written as numbers and codes: resident ID numbers, phone numbers, e-mail
addresses, licence plates.

- **Resident ID numbers** (居民身份证号码, GB 11643-1999): 18 characters, a 6-digit area code,
  the birth date ``YYYYMMDD``, a 3-digit sequence number and a check character computed by ISO
  7064 MOD 11-2 (``id_check_character``); and the first-generation 15-digit form (area, birth
  date ``YYMMDD`` of the 1900s, sequence) that has no check character. A match needs the check
  character (18 digits), a real calendar date not in the future, and a province code of GB/T
  2260 as its first two digits. The area code is not checked against the table of its year:
  python-stdnum's ``cn.ric`` does that and so rejects valid numbers of older Xinjiang residents
  whose district code is younger than they are (650102 for someone born in 1955).
- **Phone numbers**: Google's libphonenumber through the ``phonenumbers`` package (Apache-2.0),
  whose matcher with ``Leniency.VALID`` reads mainland mobiles and landlines in every common
  writing (spaces, hyphens, dots, ``+86``/``0086``, full-width digits and brackets) and only
  numbers that are valid for their region. It is maintained against the numbering plans, which
  no pattern of ours would be.
- **E-mail addresses**: the common ``local@domain.tld`` shape.
- **Licence plates** (GA 36-2018): a province's one-character abbreviation, an issuing-office
  letter, an optional separator and five characters (six for new-energy vehicles), at least
  three of them digits.

Every finder works on ``fold(text)`` and returns spans into the original text.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass

import phonenumbers

from shiliao.privacy.fold import fold

__all__ = [
    "CodeMatch",
    "find_emails",
    "find_licence_plates",
    "find_phone_numbers",
    "find_resident_ids",
    "id_check_character",
    "is_resident_id",
    "iter_codes",
]

# GB/T 2260 province-level codes (the first two digits of an area code).
_PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82}
)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# 18 characters, possibly grouped with single spaces, dots or hyphens (6-8-4, or in fours); or
# 15 digits. Not inside a longer run of digits or Latin letters (an account or document number).
_ID = re.compile(r"(?<![0-9A-Za-z])(?:(\d(?:[ .\-]?\d){16}[ .\-]?[0-9Xx])|(\d{15}))(?![0-9A-Za-z])")
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9])"
)
_PLATE = re.compile(
    r"(?<![A-Za-z0-9])[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]"
    r"\s?[A-HJ-NP-Z][·.\s-]?([A-HJ-NP-Z0-9]{5,6}|[A-HJ-NP-Z0-9]{4}[挂学警港澳])(?![A-Za-z0-9])"
)
# A phone number needs at least seven digits; texts without such a run skip the matcher.
_DIGITS = re.compile(r"\d(?:[\s().+-]{0,2}\d){6}")
# Quick tests that rule a text out before the full patterns run (most passages hold neither).
_FOUR_DIGITS = re.compile(r"\d{4}")
_LETTER = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class CodeMatch:
    """A number or code found in a text.

    Attributes:
        kind: ``"resident_id"``, ``"phone"``, ``"email"`` or ``"licence_plate"``.
        start: offset of the first character in the original text (code points).
        end: offset one past the last character.
        text: the original text of the match.
    """

    kind: str
    start: int
    end: int
    text: str


def id_check_character(first17: str) -> str:
    """The check character of an 18-character resident ID number (ISO 7064 MOD 11-2).

    Args:
        first17: its first 17 digits (ASCII).

    Returns:
        ``"0"``-``"9"`` or ``"X"``: ``(12 - sum(digit * 2^(17 - position) mod 11)) mod 11``,
        written with the table of GB 11643-1999 (``10X98765432`` indexed by the sum mod 11).

    Raises:
        ValueError: ``first17`` is not 17 ASCII digits.
    """
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"a resident ID number's first 17 characters are digits: {first17!r}")
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def _real_date(year: int, month: int, day: int, today: datetime.date) -> bool:
    try:
        born = datetime.date(year, month, day)
    except ValueError:
        return False
    return datetime.date(1880, 1, 1) <= born <= today


def is_resident_id(value: str, today: datetime.date | None = None) -> bool:
    """Whether ``value`` is a well-formed resident ID number.

    Args:
        value: 18 characters (the last may be ``X`` or ``x``) or 15 digits, nothing else
            (fold full-width digits first).
        today: the latest birth date accepted (default: today).

    Returns:
        True for a known province code, a real birth date not after ``today`` and, for the
        18-character form, the right check character.
    """
    today = today or datetime.date.today()
    if len(value) == 18 and value[:17].isascii() and value[:17].isdigit():
        if value[17].upper() != id_check_character(value[:17]):
            return False
        year, month, day = int(value[6:10]), int(value[10:12]), int(value[12:14])
    elif len(value) == 15 and value.isascii() and value.isdigit():
        year, month, day = 1900 + int(value[6:8]), int(value[8:10]), int(value[10:12])
    else:
        return False
    return int(value[:2]) in _PROVINCES and _real_date(year, month, day, today)


def find_resident_ids(
    text: str, today: datetime.date | None = None, folded: str | None = None
) -> list[CodeMatch]:
    """Every resident ID number in ``text``, with or without 6-8-4 spacing, full-width or not.

    Args:
        text: any text.
        today: the latest birth date accepted (default: today).
        folded: ``fold(text)`` when the caller has it.

    Returns:
        ``CodeMatch`` values of kind ``"resident_id"`` in text order.
    """
    folded = fold(text) if folded is None else folded
    if not _FOUR_DIGITS.search(folded):
        return []
    found = []
    for match in _ID.finditer(folded):
        value = match.group(2) or "".join(c for c in match.group(1) if c not in " .-")
        if is_resident_id(value, today):
            found.append(
                CodeMatch(
                    "resident_id", match.start(), match.end(), text[match.start() : match.end()]
                )
            )
    return found


def find_phone_numbers(text: str, region: str = "CN", folded: str | None = None) -> list[CodeMatch]:
    """Every valid phone number in ``text`` (libphonenumber's matcher, ``Leniency.VALID``).

    Args:
        text: any text; full-width digits and brackets are read as such by the matcher.
        region: the ISO 3166 region of numbers written without a country code.
        folded: ``fold(text)`` when the caller has it.

    Returns:
        ``CodeMatch`` values of kind ``"phone"`` in text order.
    """
    folded = fold(text) if folded is None else folded
    if not _DIGITS.search(folded):
        return []
    # The folded text: the same length, with spaces of every width made plain (en space, no-break
    # space), which the matcher reads as separators.
    folded = fold(text) if folded is None else folded
    matcher = phonenumbers.PhoneNumberMatcher(folded, region, leniency=phonenumbers.Leniency.VALID)
    return [CodeMatch("phone", m.start, m.end, text[m.start : m.end]) for m in matcher]


def find_emails(text: str, folded: str | None = None) -> list[CodeMatch]:
    """Every e-mail address in ``text`` (full-width ``＠`` included).

    Args:
        text: any text.
        folded: ``fold(text)`` when the caller has it.

    Returns:
        ``CodeMatch`` values of kind ``"email"`` in text order.
    """
    folded = fold(text) if folded is None else folded
    if "@" not in folded:
        return []
    # fold reads a full-width full stop as a name dot; in an address it is a dot, and so is
    # the ideographic full stop a Chinese keyboard types (turhun@example。cn).
    folded = "".join("." if c in "．。" else f for c, f in zip(text, folded, strict=True))
    return [
        CodeMatch("email", m.start(), m.end(), text[m.start() : m.end()])
        for m in _EMAIL.finditer(folded)
    ]


def find_licence_plates(text: str, folded: str | None = None) -> list[CodeMatch]:
    """Every mainland licence plate in ``text`` (新A·12345, 京B 12345, 粤AD12345).

    Args:
        text: any text.
        folded: ``fold(text)`` when the caller has it.

    Returns:
        ``CodeMatch`` values of kind ``"licence_plate"`` in text order.
    """
    folded = fold(text) if folded is None else folded
    if not _LETTER.search(folded):
        return []
    folded = folded.upper()
    return [
        CodeMatch("licence_plate", m.start(), m.end(), text[m.start() : m.end()])
        for m in _PLATE.finditer(folded)
        if sum(char.isdigit() for char in m.group(1)) >= 3
    ]


def iter_codes(
    text: str, today: datetime.date | None = None, folded: str | None = None
) -> Iterator[CodeMatch]:
    """Every resident ID, phone number, e-mail address and licence plate in ``text``; a phone
    match that lies inside a resident ID number is left out.

    Args:
        text: any text.
        today: the latest birth date a resident ID number may give (default: today).
        folded: ``fold(text)`` when the caller has it.
    """
    folded = fold(text) if folded is None else folded
    ids = find_resident_ids(text, today, folded)
    yield from ids
    for match in find_phone_numbers(text, folded=folded):
        if not any(i.start < match.end and match.start < i.end for i in ids):
            yield match
    yield from find_emails(text, folded)
    yield from find_licence_plates(text, folded)
