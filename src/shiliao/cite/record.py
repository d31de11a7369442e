"""A bilingual view of one CSL-JSON item: names and titles in original script and romanized.

CSL-JSON 1.0.2 holds one form of each name and title. shiliao keeps the work's own forms in
the CSL fields (``author``, ``title``, ``publisher``... in the original script: 张三,
新疆社会科学, 石河子大学) and the other forms in the item's ``custom`` object, which the CSL-JSON
schema provides for "additional information that does not have a designated CSL JSON field".
The keys shiliao reads there (all optional):

=============================  ===================================================================
``author-romanized``           list parallel to ``author``: the name in Latin script (pinyin,
                               a Uyghur Latin spelling, an English institution name), as a CSL
                               name (``{"family": "Zhang", "given": "San"}`` or ``{"literal":
                               "Xinhua News Agency"}``), or ``null`` where the name needs none
``editor-romanized``           the same for ``editor``
``translator-romanized``       the same for ``translator``
``supervisor``                 a thesis's supervisors, CSL names in original script (CSL has no
                               supervisor variable)
``supervisor-romanized``       parallel to ``supervisor``
``title-romanized``            the title in pinyin, printed before the characters
``title-translated``           the title translated into English, printed in square brackets;
                               write it in sentence case, as Chicago and APA print it
``container-title-romanized``  journal, newspaper or website name in Latin script
``publisher-romanized``        publisher or, for a thesis, the degree-granting institution in
                               Latin script (``"Shihezi University"``)
``publisher-place-romanized``  place of publication in Latin script (``"Ürümqi"``)
``archived-url``               the address of a preserved copy of a web source
``archived-date``              when that copy was captured, ISO 8601 (``"2024-05-02"``)
=============================  ===================================================================

A name may hold ``family`` and ``given`` beside the ``literal`` it was imported as (司马光 read
from a Zotero export as ``{"family": "司马", "given": "光", "literal": "司马光"}``,
``names.split_single_field_names``); it is then read by its parts, and the literal kept for
export.

A thesis's institution is CSL's ``publisher`` (the CSL specification's variable for it, where
Zotero's "University" goes), its kind CSL's ``genre`` (``"硕士学位论文"``, ``"PhD
dissertation"``). A name whose ``family`` is in Han characters is a Chinese name: written family
name first with no comma (张三, Zhang San); CSL's ``static-ordering`` on a romanized name asks
for the same.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shiliao.extract.dates import edtf_date

__all__ = [
    "CUSTOM_KEYS",
    "NAME_ROLES",
    "Person",
    "citation_forms",
    "custom",
    "date_parts",
    "fold",
    "has_han",
    "is_chinese_work",
    "is_undivided",
    "lead_names",
    "people",
    "romanized",
    "text",
]

#: Roles whose names shiliao reads: CSL name variables and ``custom["supervisor"]``.
NAME_ROLES = ("author", "editor", "translator", "supervisor")
#: The keys of ``custom`` described in this module's docstring.
CUSTOM_KEYS = frozenset(
    {f"{role}-romanized" for role in NAME_ROLES}
    | {
        "supervisor",
        "title-romanized",
        "title-translated",
        "container-title-romanized",
        "publisher-romanized",
        "publisher-place-romanized",
        "archived-url",
        "archived-date",
    }
)
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def has_han(value: str) -> bool:
    """Whether a string holds a Han character (CJK Unified Ideographs, any extension)."""
    return _HAN.search(value) is not None


def text(item: Mapping[str, Any], field: str) -> str:
    """A CSL field as one line of text.

    Args:
        item: a CSL-JSON item.
        field: a CSL variable, e.g. ``"title"`` or ``"volume"``.

    Returns:
        The value with runs of white space made one space; a number as its decimal string;
        ``""`` when the field is missing or not text.
    """
    value = item.get(field)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return " ".join(value.split()) if isinstance(value, str) else ""


def custom(item: Mapping[str, Any]) -> Mapping[str, Any]:
    """The item's ``custom`` object, or an empty mapping."""
    value = item.get("custom")
    return value if isinstance(value, dict) else {}


def romanized(item: Mapping[str, Any], field: str) -> str:
    """The Latin-script form of a text field (``custom["<field>-romanized"]``), or ``""``."""
    value = custom(item).get(f"{field}-romanized")
    return " ".join(value.split()) if isinstance(value, str) else ""


@dataclass(frozen=True)
class Person:
    """One name of a work, in its original script and in Latin script.

    Attributes:
        original: the CSL name object as the record gives it (original script).
        latin: the CSL name object in Latin script: the romanized form when the record gives
            one, else ``original`` when that is not in Han characters, else None.
    """

    original: Mapping[str, Any]
    latin: Mapping[str, Any] | None

    @property
    def han(self) -> str:
        """The name in Han characters as written (``"张三"``, ``"阿布都热合曼·吐尔逊"``), or ``""``.

        A person's name is family name then given name with nothing between; a ``literal``
        name (one without family and given name) is kept as written.
        """
        name = self.original
        if is_undivided(name):
            return name["literal"].strip() if has_han(name["literal"]) else ""
        whole = _part(name, "family") + _part(name, "given")
        return whole if has_han(whole) else ""

    @property
    def chinese_order(self) -> bool:
        """Whether the name is written family name first, without a comma (Chinese names)."""
        if is_undivided(self.original):
            return False
        if has_han(_part(self.original, "family")):
            return True
        return bool(self.latin and self.latin.get("static-ordering"))

    @property
    def is_literal(self) -> bool:
        """Whether the name is one undivided string (an institution, a transliterated name)."""
        return is_undivided(self.latin or self.original)


def is_undivided(name: Mapping[str, Any]) -> bool:
    """Whether a CSL name object is a ``literal`` alone (``{"literal": "新华社"}``), not a name
    divided on import that keeps its literal beside ``family`` and ``given``
    (``names.split_single_field_names``)."""
    return isinstance(name.get("literal"), str) and not (
        _part(name, "family") or _part(name, "given")
    )


def _part(name: Mapping[str, Any], key: str) -> str:
    value = name.get(key)
    return " ".join(value.split()) if isinstance(value, str) else ""


def fold(value: str) -> str:
    """A name or title as citations compare it: NFKC (full-width letters as ASCII),
    case-folded, one space between words."""
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def citation_forms(person: Person) -> frozenset[str]:
    """The forms an in-text citation writes a name in, in one style or another, folded.

    The family name (``Zhang``, 张), a ``literal`` name (``Xinhua Net``, 新华社), or the given
    name of a mononym; a Chinese name in full in characters (张三, as GB/T 7714-2015 §10.2 and
    the other styles, for a name known only in characters, cite it); the same of the
    romanized form (``custom["<role>-romanized"]``, as Chicago and APA cite it), and a romanized
    Chinese name in full, family name first (``zhang san``).

    Args:
        person: one name of a work (``people``, ``lead_names``).

    Returns:
        Non-empty strings, folded (``fold``).
    """
    forms = {person.han}
    for name in (person.original, person.latin):
        if name is None:
            continue
        family, given, literal = (_part(name, key) for key in ("family", "given", "literal"))
        forms |= {family or literal or given, literal}
        if name is person.latin and person.chinese_order and family and given:
            forms.add(f"{family} {given}")
    return frozenset(fold(form) for form in forms if form)


def people(item: Mapping[str, Any], role: str) -> list[Person]:
    """The names of one role, each with its Latin-script form.

    Args:
        item: a CSL-JSON item.
        role: one of ``NAME_ROLES``.

    Returns:
        ``Person`` values in the record's order; empty when the role has no names.
    """
    extra = custom(item)
    names = extra.get("supervisor") if role == "supervisor" else item.get(role)
    if not isinstance(names, list):
        return []
    forms = extra.get(f"{role}-romanized")
    forms = forms if isinstance(forms, list) else []
    found = []
    for number, name in enumerate(names):
        if not isinstance(name, dict):
            continue
        form = forms[number] if number < len(forms) else None
        if isinstance(form, dict):
            latin: Mapping[str, Any] | None = form
        elif not any(has_han(str(value)) for value in name.values()):
            latin = name
        else:
            latin = None
        found.append(Person(name, latin))
    return found


def lead_names(item: Mapping[str, Any]) -> tuple[str, list[Person]]:
    """The names in the author's place: the authors, else the editors (CMOS 15.35, APA 9.10).

    Args:
        item: a CSL-JSON item.

    Returns:
        ``("author", [...])``, ``("editor", [...])``, or ``("author", [])`` when neither.
    """
    authors = people(item, "author")
    if authors:
        return "author", authors
    editors = people(item, "editor")
    return ("editor", editors) if editors else ("author", [])


def date_parts(item: Mapping[str, Any], field: str) -> tuple[int, int | None, int | None] | None:
    """The first date of a CSL date field.

    Args:
        item: a CSL-JSON item.
        field: ``"issued"``, ``"accessed"``...

    Returns:
        ``(year, month or None, day or None)`` from ``date-parts``, or from an ISO 8601 / EDTF
        ``raw``, ``literal`` or string value (``"2014-04-30"``); None when there is no year.
    """
    value = item.get(field)
    if isinstance(value, str):
        return _parse_date(value)
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        numbers = []
        for part in parts[0][:3]:
            try:
                numbers.append(int(part))
            except (TypeError, ValueError):
                break
        if numbers:
            month = numbers[1] if len(numbers) > 1 else None
            day = numbers[2] if len(numbers) > 2 else None
            return numbers[0], month, day
    for key in ("raw", "literal"):
        if isinstance(value.get(key), str) and (found := _parse_date(value[key])):
            return found
    return None


def _parse_date(value: str) -> tuple[int, int | None, int | None] | None:
    """One date written out, at its precision; None for an interval (``2016-04/2017``), a
    qualified or unspecified date (``2016?``, ``201X``) or a date that does not exist, whose
    parts would be invented (``2016/2017`` is no month 20), so that a writer keeps it whole."""
    match = re.match(r"\s*(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?", value)
    if match is None or re.match(r"/[\d.]|[?~%X\d]", value[match.end() :]):
        return None
    year, month, day = match.groups()
    parts = int(year), int(month) if month else None, int(day) if day else None
    return parts if edtf_date(*parts) is not None else None


def is_chinese_work(item: Mapping[str, Any]) -> bool:
    """Whether a work is in Chinese: its ``language`` is ``zh`` (any subtag), or it has no
    language and its title or first author is in Han characters."""
    language = text(item, "language").lower()
    if language:
        return language == "zh" or language.startswith("zh-") or language == "cmn"
    names = lead_names(item)[1]
    return has_han(text(item, "title")) or bool(names and names[0].han)
