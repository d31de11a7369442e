"""The collection's annotations: curators' notes on passages, in ``annotations.yaml``.

The file is a list of entries, each a mapping::

    - source: gwr-2016          # source id (required)
      paragraph: 12             # passage number (required)
      quote: 结对认亲            # optional: words of the passage to highlight
      note: "First mention ..." # required, plain text
      tags: [pairing, mobilization]
      terms: [结亲]              # glossary terms linked
      sources: [cpc-2017]        # other sources linked
      access: team              # optional: shown on the team site only

It is kept as an original, like ``privacy.yaml``, and read strictly: an unknown key, a missing
``source``, ``paragraph`` or ``note``, or a value of the wrong kind is an error naming the file,
the entry's number and its line. Whether the source and paragraph exist is checked against the
archive by the build (a warning, not an error: a source may be renamed after it was annotated).
Annotations are published only through the public projection (``privacy.projection``).
"""

from __future__ import annotations

import datetime
from typing import Any

from shiliao.collection.yamlfile import load_entries
from shiliao.errors import CollectionError
from shiliao.model import Annotation

__all__ = ["ANNOTATIONS_FILE", "read_annotations"]

ANNOTATIONS_FILE = "annotations.yaml"
_KEYS = ("source", "paragraph", "quote", "note", "tags", "terms", "sources", "access")
# Far more passages than any source has, and within what SQLite's INTEGER holds.
_MAX_PARAGRAPH = 2**31 - 1


def _text(value: Any, where: str, key: str, *, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise CollectionError(f"{where}: '{key}' is required")
        return None
    if isinstance(value, datetime.date):
        value = value.isoformat()
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise CollectionError(f"{where}: '{key}' must be text")
    text = str(value).strip()
    if not text:
        if required:
            raise CollectionError(f"{where}: '{key}' is empty")
        return None
    return text


def _texts(value: Any, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(t for item in items if (t := _text(item, where, key)) is not None)


def read_annotations(text: str, path: str) -> list[Annotation]:
    """Parse ``annotations.yaml``.

    Args:
        text: the file's text.
        path: its path, for messages.

    Returns:
        The annotations in file order, each with its line.

    Raises:
        CollectionError: invalid YAML, or an entry (named by its number and line) that is not
            a mapping, has an unknown key, lacks ``source``, ``paragraph`` or ``note``, has a
            ``paragraph`` that is not a whole number from 1 to 2**31 - 1, or an ``access`` other than
            ``team`` or ``public``.
    """
    annotations = []
    for number, line, entry in load_entries(text, path, "annotations"):
        where = f"{path}: entry {number} (line {line})"
        unknown = sorted(set(map(str, entry)) - set(_KEYS))
        if unknown:
            raise CollectionError(
                f"{where}: unknown key {unknown[0]!r}; an annotation has {', '.join(_KEYS)}"
            )
        paragraph = entry.get("paragraph")
        if (
            isinstance(paragraph, bool)
            or not isinstance(paragraph, int)
            or not 1 <= paragraph <= _MAX_PARAGRAPH
        ):
            raise CollectionError(
                f"{where}: 'paragraph' must be a passage number from 1 to {_MAX_PARAGRAPH:,}"
            )
        access = _text(entry.get("access"), where, "access")
        if access not in (None, "team", "public"):
            raise CollectionError(f"{where}: access {access!r} is not team or public")
        annotations.append(
            Annotation(
                source=str(_text(entry.get("source"), where, "source", required=True)),
                paragraph=paragraph,
                note=str(_text(entry.get("note"), where, "note", required=True)),
                quote=_text(entry.get("quote"), where, "quote"),
                tags=_texts(entry.get("tags"), where, "tags"),
                terms=_texts(entry.get("terms"), where, "terms"),
                sources=_texts(entry.get("sources"), where, "sources"),
                access="team" if access == "team" else None,
                line=line,
            )
        )
    return annotations
