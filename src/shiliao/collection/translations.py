"""Human translations of sources, aligned paragraph by paragraph with their passages.

A translation is a file of the collection, kept as an original and never a source itself:

- beside its source's file: ``<file name>.<BCP 47 tag>.translation.md`` (or ``.txt``), e.g.
  ``sources/notice.html.en.translation.md`` translates ``sources/notice.html`` into English;
- for a source without a file of its own (a JSON-lines line, a file inside a ZIP):
  ``translations/<source id>.<tag>.md`` (or ``.txt``) at the collection's root.

Its optional YAML front matter (between ``---`` lines) gives ``title``, ``translator`` and
``note``. The body is paragraphs separated by blank lines: the Nth translates passage N; one
that starts with ``[12] `` translates passage 12, and those after it continue from there
(13, 14...). A number beyond the source's passages is a build warning (the archive knows how
many there are, not the reader). Published only through the public projection.
"""

from __future__ import annotations

import re
from typing import Any

from shiliao.collection.yamlfile import YamlProblem, load_yaml
from shiliao.errors import CollectionError
from shiliao.model import Translation

__all__ = [
    "TRANSLATIONS_FOLDER",
    "is_language_tag",
    "read_translation",
    "translation_beside",
    "translation_of_id",
]

TRANSLATIONS_FOLDER = "translations"
_TAG = r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*"
_BESIDE = re.compile(rf"(?P<file>.+)\.(?P<tag>{_TAG})\.translation\.(?:md|txt)", re.IGNORECASE)
_BY_ID = re.compile(rf"(?P<id>[a-z0-9][a-z0-9-]*)\.(?P<tag>{_TAG})\.(?:md|txt)")
_NUMBERED = re.compile(r"\[(\d{1,6})\][ \t]+")
_BLANK_LINES = re.compile(r"\n[ \t]*\n+")
_FRONT_KEYS = ("title", "translator", "note")


def is_language_tag(text: str) -> bool:
    """Whether ``text`` has the shape of a BCP 47 tag (RFC 5646 §2.1): a primary language of
    two or three letters, then subtags of two to eight letters or digits (``en``, ``zh-Hans``,
    ``ug-Arab-CN``); the registry itself is not consulted."""
    return re.fullmatch(_TAG, text) is not None


def translation_beside(name: str) -> tuple[str, str] | None:
    """Whether a file's name is that of a translation beside its source's file.

    Args:
        name: the file's name (no folder).

    Returns:
        ``(name of the source's file, language tag)``, e.g. ``("notice.html", "en")`` for
        ``notice.html.en.translation.md``; None for any other name.
    """
    match = _BESIDE.fullmatch(name)
    return (match.group("file"), match.group("tag")) if match else None


def translation_of_id(name: str) -> tuple[str, str] | None:
    """``(source id, language tag)`` of a file in ``translations/`` (``gwr-2016.en.md``), or
    None when its name is not ``<source id>.<tag>.md`` (or ``.txt``)."""
    match = _BY_ID.fullmatch(name)
    return (match.group("id"), match.group("tag")) if match else None


def _front_matter(text: str, path: str) -> tuple[dict[str, str | None], str]:
    if not text.startswith("---"):
        return {}, text
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return {}, text
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        raise CollectionError(f"{path}: front matter opened with --- is never closed")
    try:
        data: Any = load_yaml("\n".join(lines[1:end]))
    except YamlProblem as exc:
        raise CollectionError(f"{path}: front matter: {exc}") from exc
    data = data or {}
    if not isinstance(data, dict):
        raise CollectionError(f"{path}: front matter must be a mapping")
    unknown = sorted(set(map(str, data)) - set(_FRONT_KEYS))
    if unknown:
        raise CollectionError(
            f"{path}: unknown front matter key {unknown[0]!r}; a translation has "
            f"{', '.join(_FRONT_KEYS)}"
        )
    values: dict[str, str | None] = {}
    for key in _FRONT_KEYS:
        value = data.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, str | int)):
            raise CollectionError(f"{path}: front matter '{key}' must be text")
        values[key] = str(value).strip() or None if value is not None else None
    return values, "\n".join(lines[end + 1 :])


def read_translation(text: str, path: str, source: str, language: str) -> Translation:
    """Parse a translation file.

    Args:
        text: the file's text.
        path: its path relative to the collection, for messages and the record.
        source: the id of the source it translates.
        language: its language tag (from its name).

    Returns:
        A ``Translation`` whose paragraphs are numbered as the module docstring says.

    Raises:
        CollectionError: the front matter is malformed (never closed, not a mapping, an
            unknown key), or a ``[N]`` number is 0 or not after the paragraph before it.
    """
    front, body = _front_matter(text.replace("\r\n", "\n").replace("\r", "\n"), path)
    paragraphs: list[tuple[int, str]] = []
    number = 0
    for block in _BLANK_LINES.split(body):
        block = block.strip()
        if not block:
            continue
        match = _NUMBERED.match(block)
        if match:
            given = int(match.group(1))
            if given <= number:
                raise CollectionError(
                    f"{path}: paragraph [{given}] comes after paragraph {number}; number "
                    "paragraphs in the order of the source's passages, from 1"
                )
            number = given
            block = block[match.end() :].strip()
        else:
            number += 1
        if block:
            # Lines inside a paragraph are one paragraph, as Markdown reads them.
            paragraphs.append((number, " ".join(line.strip() for line in block.split("\n"))))
    return Translation(
        source=source,
        language=language,
        path=path,
        paragraphs=tuple(paragraphs),
        title=front.get("title"),
        translator=front.get("translator"),
        note=front.get("note"),
    )
