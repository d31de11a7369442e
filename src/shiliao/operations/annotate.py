"""Annotations added and removed from the app, written into ``annotations.yaml`` as a curator
writes them by hand (``collection.annotations`` reads the file; its docstring has the format).

The file is edited as text, never re-dumped: a new entry is appended after the last one, at the
list's indentation, and a removed entry's lines are cut out, so every other byte of the file (the
team's comments, blank lines, quoting, key order) stays as it was. The result is read back with
``read_annotations`` before it is written, and written only when it reads as the old entries
with the one change; otherwise ``EditError`` and nothing is written. Writes are atomic
(``collection.writing.replace_text``) and under the folder's edit lock.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from shiliao.collection.annotations import ANNOTATIONS_FILE, read_annotations
from shiliao.collection.writing import editing, replace_text
from shiliao.errors import CollectionError, EditConflict, EditError
from shiliao.model import Annotation

__all__ = ["AnnotationFile", "add_annotation", "read_annotation_file", "remove_annotation"]

# Source ids are slugs (``collection.source_id_for``, or a sidecar's ``id``).
_SOURCE_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
_BOM = "\ufeff"
# Line breaks YAML folds inside a quoted scalar; a value holding one is written double-quoted,
# with escapes, on one line.
_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")


@dataclass(frozen=True)
class AnnotationFile:
    """``annotations.yaml`` as read now.

    Attributes:
        annotations: its entries in file order (entry ``n`` is ``annotations[n - 1]``), each
            with its line.
        version: the SHA-256 of the file's bytes, 64 lowercase hex (of no bytes when there is
            no file): the token to remove an entry against.
    """

    annotations: list[Annotation]
    version: str


class _EntryDumper(yaml.SafeDumper):
    """Writes an entry as the format's examples do: a block mapping with its lists in flow
    style (``tags: [a, b]``)."""


_EntryDumper.add_representer(
    list,
    lambda dumper, value: dumper.represent_sequence(
        "tag:yaml.org,2002:seq", value, flow_style=True
    ),
)
_EntryDumper.add_representer(
    str,
    lambda dumper, value: dumper.represent_scalar(
        "tag:yaml.org,2002:str", value, style='"' if any(b in value for b in _BREAKS) else None
    ),
)


def _read_text(path: Path) -> str:
    """The file's text (``""`` when missing), a byte-order mark kept.

    Raises:
        EditError: the file is not UTF-8.
    """
    if not path.is_file():
        return ""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EditError(
            f"{ANNOTATIONS_FILE}: not UTF-8 text (byte {exc.start + 1}); save it as UTF-8 first"
        ) from exc


def _version(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _parse(text: str) -> list[Annotation]:
    """The annotations of ``text``, as the collection's reader reads them.

    Raises:
        CollectionError: the text is not a valid ``annotations.yaml`` (the reader's message).
    """
    return read_annotations(text.removeprefix(_BOM), ANNOTATIONS_FILE)


def _parse_file(text: str) -> list[Annotation]:
    """``_parse`` of the file as it is, which an edit needs valid.

    Raises:
        EditError: it is not a valid ``annotations.yaml`` (the reader's message).
    """
    try:
        return _parse(text)
    except CollectionError as exc:
        raise EditError(f"{exc}; fix the file first") from exc


def _same(found: list[Annotation], expected: list[Annotation]) -> bool:
    """Whether two lists of annotations are equal, their lines aside."""
    return [dataclasses.replace(a, line=0) for a in found] == [
        dataclasses.replace(a, line=0) for a in expected
    ]


def read_annotation_file(collection_dir: Path) -> AnnotationFile:
    """Read the collection's ``annotations.yaml`` with its version.

    Returns:
        An ``AnnotationFile`` (no entries when there is no file).

    Raises:
        EditError: the file is not UTF-8 or not a valid ``annotations.yaml``.
    """
    text = _read_text(collection_dir / ANNOTATIONS_FILE)
    return AnnotationFile(_parse_file(text), _version(text))


def _text(value: str | None, what: str, *, required: bool = False) -> str | None:
    if value is None or not str(value).strip():
        if required:
            raise EditError(f"an annotation needs a {what}")
        return None
    text = str(value).strip()
    if any("\ud800" <= character <= "\udfff" for character in text):
        raise EditError(
            f"the {what} holds a lone surrogate, half of a \\u pair; write the character itself"
        )
    return text


def _texts(values: Iterable[str], what: str) -> list[str]:
    if isinstance(values, str):
        raise EditError(f"{what} must be a list of texts, not one text")
    return [text for value in values if (text := _text(value, what)) is not None]


def _entry_text(entry: dict[str, Any], column: int) -> str:
    """``entry`` as one item of a block list whose ``-`` stands at ``column``."""
    dumped = yaml.dump(
        entry,
        Dumper=_EntryDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1 << 30,
    )
    lines = dumped.splitlines(keepends=True)
    return "".join(
        " " * column + ("- " if number == 0 else "  ") + line for number, line in enumerate(lines)
    )


def _appended(text: str, entry: dict[str, Any]) -> str:
    """``text`` (a valid ``annotations.yaml``) with ``entry`` appended as the last item of its
    list.

    Raises:
        EditError: the list is written in flow style with entries (``[{...}]``), where no line
            can be appended.
    """
    # The caller has read the text with read_annotations: it is valid YAML.
    node = yaml.compose(text.removeprefix(_BOM))
    if isinstance(node, yaml.SequenceNode) and node.flow_style:
        if node.value:
            raise EditError(
                f"{ANNOTATIONS_FILE} is written as a flow list ([...]); write its entries as a "
                "block list (- source: ...) to add to it from the app"
            )
        # An empty "[]": the entry takes its place, the rest of the file kept.
        offset = len(text) - len(text.removeprefix(_BOM))
        start, end = node.start_mark.index + offset, node.end_mark.index + offset
        return text[:start] + _entry_text(entry, 0).rstrip("\n") + text[end:]
    column = node.start_mark.column if isinstance(node, yaml.SequenceNode) else 0
    if text and not text.endswith("\n"):
        text += "\n"
    return text + _entry_text(entry, column)


def add_annotation(
    collection_dir: Path,
    *,
    source: str,
    paragraph: int,
    note: str,
    quote: str | None = None,
    tags: Iterable[str] = (),
    terms: Iterable[str] = (),
    sources: Iterable[str] = (),
    access: str | None = None,
    passage_text: str | None = None,
) -> Annotation:
    """Append an annotation to the collection's ``annotations.yaml`` (created when missing).

    Whether the source and its paragraph exist is for the build to say (a warning), as for a
    note written by hand: this folder holds no passages. Texts are stripped; empty tags, terms
    and linked sources are dropped.

    Args:
        collection_dir: the collection folder.
        source: the id of the source annotated (``[a-z0-9-]``).
        paragraph: the passage's number, from 1.
        note: the note, plain text (required).
        quote: words of the passage to highlight, or None.
        tags: the note's tags.
        terms: glossary terms it links to.
        sources: ids of other sources it links to.
        access: ``"team"`` for a note only the team site shows, ``"public"`` or None.
        passage_text: the passage's text, when the caller has it (from the archive); a
            ``quote`` must then occur in it, as the site highlights it.

    Returns:
        The annotation as the collection's reader now reads it, with its line in the file.

    Raises:
        EditError: a value the format does not take (no note, a paragraph that is not a whole
            number from 1, a source id that is not one, an access that is not ``team`` or
            ``public``), a ``quote`` not in ``passage_text``, or an ``annotations.yaml`` that
            cannot be read or appended to as it is; nothing was written.
        OSError: the file cannot be written.
    """
    source_id = _text(source, "source", required=True)
    if not _SOURCE_ID.fullmatch(str(source_id)):
        raise EditError(f"source {source_id!r} is not a source id (lowercase a-z, 0-9 and '-')")
    if isinstance(paragraph, bool) or not isinstance(paragraph, int) or paragraph < 1:
        raise EditError(f"paragraph {paragraph!r} is not a passage number (1, 2, ...)")
    if access not in (None, "team", "public"):
        raise EditError(f"access {access!r} is not team or public")
    quoted = _text(quote, "quote")
    if quoted is not None and passage_text is not None and quoted not in passage_text:
        raise EditError(
            f"the quote {quoted!r} is not in paragraph {paragraph} of {source_id}; quote its "
            "words exactly"
        )
    entry: dict[str, Any] = {"source": source_id, "paragraph": paragraph}
    if quoted is not None:
        entry["quote"] = quoted
    entry["note"] = _text(note, "note", required=True)
    for key, values in (("tags", tags), ("terms", terms), ("sources", sources)):
        if items := _texts(values, key):
            entry[key] = items
    if access is not None:
        entry["access"] = access
    path = collection_dir / ANNOTATIONS_FILE
    with editing(collection_dir):
        text = _read_text(path)
        before = _parse_file(text)
        after_text = _appended(text, entry)
        try:
            after = _parse(after_text)
        except CollectionError as exc:
            raise EditError(
                f"{ANNOTATIONS_FILE} would not read with the new note added ({exc}); add it by hand"
            ) from exc
        expected = Annotation(
            source=str(source_id),
            paragraph=paragraph,
            note=str(entry["note"]),
            quote=quoted,
            tags=tuple(entry.get("tags", ())),
            terms=tuple(entry.get("terms", ())),
            sources=tuple(entry.get("sources", ())),
            access="team" if access == "team" else None,
        )
        if not _same(after, [*before, expected]):
            raise EditError(
                f"{ANNOTATIONS_FILE} would not read back as before with the new note added; "
                "add it by hand"
            )
        replace_text(path, after_text)
    return after[-1]


def _entry_span(text: str, item: yaml.Node) -> tuple[int, int]:
    """Where one entry of the list stands in ``text``: from the start of the line of its ``-``
    to the end of its last line (a comment on that line with it)."""
    start = text.rfind("-", 0, item.start_mark.index)
    start = text.rfind("\n", 0, start) + 1
    if isinstance(item, yaml.MappingNode) and not item.flow_style and item.value:
        end = item.value[-1][1].end_mark.index
    else:
        end = item.end_mark.index
    if end > 0 and text[end - 1] != "\n":
        newline = text.find("\n", end)
        end = len(text) if newline < 0 else newline + 1
    return start, end


def remove_annotation(collection_dir: Path, number: int, base_version: str) -> Annotation:
    """Remove one entry of ``annotations.yaml``, its lines cut out and the rest kept.

    Args:
        collection_dir: the collection folder.
        number: the entry's 1-based number in file order (``AnnotationFile.annotations``).
        base_version: ``AnnotationFile.version`` as the editor read it.

    Returns:
        The annotation removed.

    Raises:
        EditConflict: the file changed since ``base_version``; ``current`` is the
            ``AnnotationFile`` now and ``version`` its version. Nothing was written.
        EditError: no entry has that number, the file cannot be read, or it would not read
            back as before without that entry; nothing was written.
        OSError: the file cannot be written.
    """
    path = collection_dir / ANNOTATIONS_FILE
    with editing(collection_dir):
        text = _read_text(path)
        before = _parse_file(text)
        version = _version(text)
        if version != base_version:
            raise EditConflict(
                f"{ANNOTATIONS_FILE} changed since it was read; look at it again",
                AnnotationFile(before, version),
                version,
            )
        if isinstance(number, bool) or not 1 <= number <= len(before):
            raise EditError(f"{ANNOTATIONS_FILE} has no entry {number!r}")
        body = text.removeprefix(_BOM)
        node = yaml.compose(body)
        if node.flow_style:
            raise EditError(
                f"{ANNOTATIONS_FILE} is written as a flow list ([...]); remove the entry by hand"
            )
        start, end = _entry_span(body, node.value[number - 1])
        offset = len(text) - len(body)
        after_text = text[: start + offset] + text[end + offset :]
        removed = before[number - 1]
        try:
            after = _parse(after_text)
        except CollectionError:
            after = before
        if not _same(after, before[: number - 1] + before[number:]):
            raise EditError(
                f"{ANNOTATIONS_FILE}: entry {number} cannot be cut out alone; remove it by hand"
            )
        replace_text(path, after_text)
    return removed
