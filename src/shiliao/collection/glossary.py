"""The glossary file (``glossary.yaml``): a YAML list of terms, fields as in the sample's header.

Fields: ``term`` (Simplified, required), ``pinyin`` (filled in automatically when missing, see
``zh.entries``), ``english`` (list, required),
``traditional``, ``uyghur`` (``{latin, arabic}``), ``category``, ``parts``, ``parts_en``, ``note``,
``see``. Unknown fields are an error so that a misspelt field is not silently dropped.
"""

from __future__ import annotations

from typing import Any

from shiliao.collection.yamlfile import YamlProblem, load_yaml
from shiliao.errors import CollectionError
from shiliao.model import Term

__all__ = ["read_glossary"]

_FIELDS = {
    "term",
    "pinyin",
    "english",
    "traditional",
    "uyghur",
    "category",
    "parts",
    "parts_en",
    "note",
    "see",
}


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise CollectionError(f"{where}: must be a string or a list of strings")


def read_glossary(text: str, path: str) -> list[Term]:
    """Parse the glossary.

    Args:
        text: the YAML text.
        path: the file's path, for messages.

    Returns:
        The terms in file order.

    Raises:
        CollectionError: invalid YAML, an entry without ``term`` or ``english``, an unknown
            field, or the same term twice.
    """
    try:
        entries = load_yaml(text) or []
    except YamlProblem as exc:
        raise CollectionError(f"{path}: {exc}") from exc
    if not isinstance(entries, list):
        raise CollectionError(f"{path}: the glossary must be a list of entries")
    terms: list[Term] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: entry {number}"
        if not isinstance(entry, dict):
            raise CollectionError(f"{where}: must be a mapping")
        unknown = set(entry) - _FIELDS
        if unknown:
            raise CollectionError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        # pinyin may be left out: it is filled in when terms are loaded (zh.entries), marked so.
        for required in ("term", "english"):
            if not entry.get(required):
                raise CollectionError(f"{where}: '{required}' is required")
        term = str(entry["term"]).strip()
        if term in seen:
            raise CollectionError(f"{where}: {term} is already in the glossary")
        seen.add(term)
        uyghur = entry.get("uyghur")
        if uyghur is not None and not isinstance(uyghur, dict):
            raise CollectionError(f"{where}: 'uyghur' must be a mapping with latin and arabic")
        terms.append(
            Term(
                term=term,
                pinyin=str(entry.get("pinyin") or ""),
                english=_strings(entry["english"], f"{where} english"),
                traditional=entry.get("traditional"),
                category=entry.get("category"),
                parts=_strings(entry.get("parts"), f"{where} parts"),
                parts_en=_strings(entry.get("parts_en"), f"{where} parts_en"),
                note=entry.get("note"),
                see=_strings(entry.get("see"), f"{where} see"),
                uyghur={str(k): str(v) for k, v in uyghur.items()} if uyghur else None,
            )
        )
    return terms
