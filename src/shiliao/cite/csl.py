"""CSL-JSON bibliography records: loading, validation and the few fields citations need.

The format is CSL-JSON as defined by the CSL 1.0 input data schema
(``csl-data.json`` in citation-style-language/schema): a JSON array of items, each an object
with a unique ``id`` (string or number) and a ``type`` from the CSL type list; names are
objects with ``family``/``given`` (plus particles) or a single ``literal``; dates are objects
with ``date-parts`` (``[[2014, 4, 27]]``), or a ``literal`` or ``raw`` string.

Items are kept as plain dicts, exactly as parsed (only a numeric ``id`` becomes a string), so
that every field a later CSL processor needs survives the round trip.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from shiliao.cite.record import CUSTOM_KEYS, NAME_ROLES
from shiliao.errors import CitationError

__all__ = [
    "CSL_TYPES",
    "anchor_id",
    "creators",
    "dump_bibliography",
    "family_names",
    "load_bibliography",
    "validate_items",
    "year",
]

#: The item types of the CSL 1.0.2 specification (Appendix III), which the schema enumerates.
CSL_TYPES = frozenset(
    {
        "article",
        "article-journal",
        "article-magazine",
        "article-newspaper",
        "bill",
        "book",
        "broadcast",
        "chapter",
        "classic",
        "collection",
        "dataset",
        "document",
        "entry",
        "entry-dictionary",
        "entry-encyclopedia",
        "event",
        "figure",
        "graphic",
        "hearing",
        "interview",
        "legal_case",
        "legislation",
        "manuscript",
        "map",
        "motion_picture",
        "musical_score",
        "pamphlet",
        "paper-conference",
        "patent",
        "performance",
        "periodical",
        "personal_communication",
        "post",
        "post-weblog",
        "regulation",
        "report",
        "review",
        "review-book",
        "software",
        "song",
        "speech",
        "standard",
        "thesis",
        "treaty",
        "webpage",
    }
)

# Name variables of the schema that hold lists of name objects; only these are checked, the
# others are carried through untouched.
_NAME_FIELDS = ("author", "editor", "translator", "container-author", "collection-editor")
_DATE_FIELDS = ("issued", "accessed", "original-date", "event-date", "submitted")
_YEAR = re.compile(r"\d{4}")
_CUSTOM_NAME_ROLES = NAME_ROLES
_CUSTOM_TEXT_KEYS = CUSTOM_KEYS - {"supervisor"} - {f"{role}-romanized" for role in NAME_ROLES}


def load_bibliography(data: bytes | str, path: str) -> list[dict[str, Any]]:
    """Parse and validate a CSL-JSON bibliography.

    Args:
        data: the file's content, UTF-8 bytes (a BOM is accepted) or text.
        path: the file's path, used only in error messages.

    Returns:
        The items in file order, as parsed dicts; each has a string ``id`` (a numeric id, which
        the schema allows, is turned into its decimal string) and a ``type``.

    Raises:
        CitationError: the data is not JSON or not UTF-8, is not an array of objects, or an
            item has no ``id`` or ``type``, an unknown ``type``, a duplicate ``id``, a name
            list that is not a list of name objects, a date that is not a date object, or a
            lone surrogate (``"\\ud800"``). The message names the file and the item (its
            position and id).
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CitationError(
                f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"
            ) from exc
    try:
        items = json.loads(data)
    except json.JSONDecodeError as exc:
        raise CitationError(
            f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from exc
    except RecursionError as exc:
        raise CitationError(f"{path}: cannot be read: JSON nested too deeply") from exc
    except ValueError as exc:  # a number of more than 4,300 digits
        raise CitationError(f"{path}: cannot be read: {exc}") from exc
    if not isinstance(items, list):
        raise CitationError(f"{path}: CSL-JSON must be an array of items, found a JSON object")
    return validate_items(items, path)


def validate_items(items: list[Any], path: str) -> list[dict[str, Any]]:
    """Validate CSL-JSON items however they were read (JSON, BibTeX, RIS).

    Besides the checks of the CSL-JSON schema that citations need, shiliao's ``custom``
    fields (``shiliao.cite.record``) must have their shapes: name lists are lists of name
    objects (or null in a ``-romanized`` list), the others strings.

    Args:
        items: parsed items; a numeric ``id`` is turned into its decimal string in place.
        path: the file the items came from, for messages.

    Returns:
        ``items``, validated.

    Raises:
        CitationError: as ``load_bibliography`` describes.
    """
    seen: dict[str, int] = {}
    for number, item in enumerate(items, start=1):
        where = f"{path}: item {number}"
        if not isinstance(item, dict):
            raise CitationError(f"{where}: must be a JSON object")
        item_id = item.get("id")
        # bool is an int subclass, but true/false are not ids.
        if isinstance(item_id, int) and not isinstance(item_id, bool):
            item["id"] = item_id = str(item_id)
        if not isinstance(item_id, str) or not item_id.strip():
            raise CitationError(f'{where}: has no "id" (a non-empty string)')
        where = f"{path}: item {number} ({item_id})"
        if item_id in seen:
            raise CitationError(f"{where}: duplicate id, already used by item {seen[item_id]}")
        seen[item_id] = number
        item_type = item.get("type")
        if not isinstance(item_type, str):
            raise CitationError(f'{where}: has no "type"; use a CSL type such as "book"')
        if item_type not in CSL_TYPES:
            raise CitationError(
                f'{where}: unknown type {item_type!r}; use a CSL type such as "book", '
                '"article-journal", "webpage" or "document"'
            )
        _check_names(item, where)
        _check_dates(item, where)
        title = item.get("title")
        if title is not None and not isinstance(title, str):
            raise CitationError(f'{where}: "title" must be a string')
        _check_custom(item, where)
        _check_text(item, where)
    return items


def _check_text(item: dict[str, Any], where: str) -> None:
    # JSON may escape a lone surrogate (\ud800), which is no character: writing the item to
    # bibliography.json or the database would fail on it.
    try:
        json.dumps(item, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CitationError(
            f"{where}: holds a lone surrogate (\\u{ord(exc.object[exc.start]):04x}), half of a "
            "\\u pair; write the character itself"
        ) from exc
    except RecursionError as exc:
        raise CitationError(f"{where}: nested too deeply") from exc


def _check_custom(item: dict[str, Any], where: str) -> None:
    extra = item.get("custom")
    if extra is None:
        return
    if not isinstance(extra, dict):
        raise CitationError(f'{where}: "custom" must be an object')
    for key, value in extra.items():
        if key.endswith("-romanized") and key[: -len("-romanized")] in _CUSTOM_NAME_ROLES:
            if not isinstance(value, list) or not all(
                value is None or _is_name(name) for name in value
            ):
                raise CitationError(
                    f'{where}: "custom"."{key}" must be a list of names (or null for a name '
                    'that needs no romanization), e.g. [{"family": "Zhang", "given": "San"}]'
                )
        elif key == "supervisor":
            if not isinstance(value, list) or not all(_is_name(name) for name in value):
                raise CitationError(f'{where}: "custom"."supervisor" must be a list of names')
        elif key in _CUSTOM_TEXT_KEYS and not isinstance(value, str):
            raise CitationError(f'{where}: "custom"."{key}" must be a string')


def _is_name(name: Any) -> bool:
    return isinstance(name, dict) and any(
        isinstance(name.get(key), str) and name[key].strip()
        for key in ("family", "literal", "given")
    )


def dump_bibliography(items: list[dict[str, Any]]) -> str:
    """CSL-JSON text for items (CSL-JSON 1.0.2: an array of item objects).

    Args:
        items: CSL-JSON items.

    Returns:
        Pretty-printed UTF-8 JSON (characters unescaped, two-space indent) ending with a new
        line; ``load_bibliography`` reads it back to equal items.
    """
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def _check_names(item: dict[str, Any], where: str) -> None:
    for field in _NAME_FIELDS:
        if field not in item:
            continue
        names = item[field]
        if not isinstance(names, list):
            raise CitationError(f'{where}: "{field}" must be a list of names')
        for name in names:
            if not isinstance(name, dict) or not any(
                isinstance(name.get(key), str) and name[key].strip()
                for key in ("family", "literal", "given")
            ):
                raise CitationError(
                    f'{where}: each "{field}" name needs "family" (and "given") or '
                    f'"literal", found {json.dumps(name, ensure_ascii=False)}'
                )


def _check_dates(item: dict[str, Any], where: str) -> None:
    for field in _DATE_FIELDS:
        if field not in item:
            continue
        date = item[field]
        if not isinstance(date, dict):
            raise CitationError(f'{where}: "{field}" must be a date object')
        parts = date.get("date-parts")
        if parts is None:
            if not any(isinstance(date.get(key), str) for key in ("literal", "raw")):
                raise CitationError(f'{where}: "{field}" needs "date-parts", "literal" or "raw"')
            continue
        if not (
            isinstance(parts, list)
            and parts
            and all(
                isinstance(part, list)
                and 1 <= len(part) <= 3
                and all(
                    isinstance(value, str | int) and not isinstance(value, bool) for value in part
                )
                for part in parts
            )
        ):
            raise CitationError(
                f'{where}: "{field}"."date-parts" must look like [[2014, 4, 27]], '
                f"found {json.dumps(parts, ensure_ascii=False)}"
            )


def creators(entry: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The names an author-date citation is made from.

    The authors; for a work with none, its editors, which Chicago (17th ed., 15.35) puts in
    the author's place.

    Args:
        entry: a validated CSL-JSON item.

    Returns:
        CSL name objects (``{"family": ..., "given": ...}`` or ``{"literal": ...}``), in order;
        empty when the item has neither authors nor editors.
    """
    return list(entry.get("author") or entry.get("editor") or [])


def family_names(entry: Mapping[str, Any]) -> list[str]:
    """The names an author-date citation writes for an item, in order.

    Args:
        entry: a validated CSL-JSON item.

    Returns:
        For each of ``creators(entry)``: the ``family`` name without particles (so that
        "Gogh" and "van Gogh" both cite ``{"non-dropping-particle": "van", "family": "Gogh"}``),
        else the ``literal`` name (an institution such as "Xinhua Net"), else the ``given``
        name (a mononym).
    """
    return [
        (name.get("family") or name.get("literal") or name.get("given") or "").strip()
        for name in creators(entry)
    ]


def year(entry: Mapping[str, Any]) -> str | None:
    """The year of an item's ``issued`` date.

    Args:
        entry: a validated CSL-JSON item.

    Returns:
        ``issued["date-parts"][0][0]`` as a string (``"2014"``); failing that, the first four
        digits of ``issued["literal"]`` or ``issued["raw"]``; None when the item is undated.
    """
    issued = entry.get("issued")
    if not isinstance(issued, dict):
        return None
    parts = issued.get("date-parts")
    if parts and parts[0]:
        return str(parts[0][0]).strip() or None
    for key in ("literal", "raw"):
        text = issued.get(key)
        if isinstance(text, str) and (match := _YEAR.search(text)):
            return match.group()
    return None


def anchor_id(entry_id: str, prefix: str = "ref-") -> str:
    """The HTML id of an item's reference-list entry, stable as long as its CSL id is.

    Args:
        entry_id: the item's CSL ``id``.
        prefix: put before the id, so that reference anchors cannot clash with heading ids.

    Returns:
        ``prefix`` followed by the id, percent-encoding every character outside
        ``A-Z a-z 0-9 - . _ ~ :``; ``"chang-2020"`` gives ``"ref-chang-2020"``. An HTML id may
        not contain white space, and encoding (rather than replacing) keeps distinct ids
        distinct; the same string works unchanged as a ``#fragment``.
    """
    return prefix + quote(entry_id, safe="-._~:")
