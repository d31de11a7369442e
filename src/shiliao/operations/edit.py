"""Edit: change a source's metadata in the collection folder, the way a person does by hand.

Every edit is written to a sidecar, so that ``shiliao build`` of the folder afterwards gives
the archive the edit asked for, and the team reviews the change in version control like any
other:

* a source that is a file (``sources/x.pdf``) is edited in its sidecar, ``sources/x.pdf.yaml``
  (created when missing; an ``x.pdf.yml`` that is there is used);
* a source that is one line of a JSON-lines file is edited in that file's sidecar, under
  ``lines:`` and the line's source id (``collection.sidecar``); the sidecar is created, with
  the mapping a JSON-lines file without one is read with, when missing.

A record's ``version`` is the SHA-256 of what the sidecar says for that source alone (for a
line, its ``lines:`` entry), so two editors of two lines of one JSON-lines file never
conflict, and a save against a version that is no longer the record's is refused
(``EditConflict``) with nothing written. Saves hold the folder's edit lock
(``collection.writing.editing``) from the read of the record to the write, and each file is
replaced atomically (``collection.writing.replace_text``).

The YAML is edited round-trip (ruamel.yaml): the top-level entries an edit does not touch are
kept byte for byte (comments, key order, a flow mapping laid out by hand), a touched entry is
written again with the comments inside it, and Chinese is written as UTF-8, never escaped. The
new text is read back with the reader's own loader (``sidecar.load_sidecar``, PyYAML) and must
give exactly the metadata meant before it is written, and again from the disk after; a file
that would not is never left (the old bytes are put back) and the edit is refused
(``EditError``).

Values, as ``changes`` gives them (``None`` removes the field from the sidecar, so that the
``defaults`` of a JSON-lines sidecar apply again; an empty text is ``None`` too):

================  ==========================================================================
field             value
================  ==========================================================================
``title``,        one line of text (also ``title_en``, ``place``, ``url``, ``publisher``,
                  ``publisher_en``)
``description``   text, lines allowed (also ``rights``, ``note``)
``date``          EDTF (``sidecar.date_problem``): ``2016``, ``2016-03``, ``2016-03-05``,
                  ``2016?``, ``201X``
``type``          a CSL type (``cite.csl.CSL_TYPES``): ``report``, ``speech``...
``language``      a BCP 47 tag: ``zh-Hans``, ``ug-Arab``, ``en``
``access``        a level (``public``, ``redacted``, ``metadata``, ``team``) or an embargo,
                  ``{"embargo": "2030-01-01", "then": "public"}`` or its ``describe()`` form
                  ``"embargo until 2030-01-01, then public"`` (``model.Access``)
``reliability``   an Admiralty code, ``"B2"`` or ``{"source": "B", "information": 2,
                  "note": ...}`` (``collection.reliability``)
``creators``      a list of names (authors) or of ``{"name", "role"}`` mappings (``role``:
                  author, editor, translator; ``name_en`` too); a creator the source already
                  has, by name and role, keeps its ``name_en``
``subjects``,     a list of texts (one text is a list of one); written as ``collection``, or
``tags``,         as ``collections`` where the sidecar already uses that key
``collection``
================  ==========================================================================

A list field also takes ``{"add": [...], "remove": [...]}`` (either or both), for a bulk edit
of a selection: the items are added to (or removed from) the source's list as the reader
gives it, defaults included, and the result is written for the source. A creator to remove
given as a name alone removes that name in every role.

The metadata's text form (``field_text``, ``parse_field``) is the one of the CSV export and of
the editorial app's forms: lists joined with ``" | "``, creators as ``name (role)``, access as
``Access.describe()``, reliability as ``B2`` or ``B2 (note)``.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString, SingleQuotedScalarString

from shiliao.cite.csl import CSL_TYPES
from shiliao.collection import read_collection
from shiliao.collection.reader import DEFAULT_LINE_MAPPING
from shiliao.collection.reliability import parse_reliability, reliability_code
from shiliao.collection.sidecar import (
    check_metadata,
    date_problem,
    load_sidecar,
    parse_line_mapping,
)
from shiliao.collection.translations import is_language_tag
from shiliao.collection.writing import editing, replace_text
from shiliao.errors import EditConflict, EditError, SidecarError
from shiliao.model import Access

__all__ = [
    "CREATOR_ROLES",
    "EDITABLE_FIELDS",
    "EditResult",
    "EditableRecord",
    "ImportReport",
    "edit_source",
    "edit_sources",
    "export_metadata_csv",
    "field_text",
    "import_metadata_csv",
    "parse_field",
    "read_record",
]

EDITABLE_FIELDS = (
    "title",
    "title_en",
    "creators",
    "date",
    "type",
    "language",
    "subjects",
    "collection",
    "description",
    "access",
    "reliability",
    "place",
    "tags",
    "url",
    "publisher",
    "publisher_en",
    "rights",
    "note",
)
"""The fields an edit may change, in the order of the CSV export's columns (after ``id`` and
``version``)."""

CREATOR_ROLES = ("author", "editor", "translator")
"""The roles a creator may have (``cite.sources`` cites each)."""

_LINE_FIELDS = frozenset({"title", "title_en", "place", "url", "publisher", "publisher_en"})
_LONG_FIELDS = frozenset({"description", "rights", "note"})
_LIST_FIELDS = frozenset({"subjects", "tags", "collection"})
_SEPARATOR = " | "
_CREATOR_TEXT = re.compile(r"(.+?)\s*\(([a-z]+)\)")
_RELIABILITY_TEXT = re.compile(r"\s*([A-Za-z]\s*[0-9])\s*(?:\((.*)\))?\s*", re.DOTALL)
_EMBARGO_TEXT = re.compile(r"embargo until (\S+), then (\S+)")
# What PyYAML, the reader's loader, makes of a plain scalar: text that it would read as
# something else (yes, 2016, 2016-03-05, 1:20) is written quoted.
_PLAIN_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class EditableRecord:
    """A source's metadata as an editor sees it.

    Attributes:
        source_id: the source's id (``collection.read_collection``'s).
        kind: ``"file"`` (a source file with its own sidecar) or ``"line"`` (a line of a
            JSON-lines file).
        path: the sidecar an edit is written to, relative to the collection folder (POSIX):
            ``sources/x.pdf.yaml`` (perhaps not there yet) or ``sources/corpus.jsonl.yaml``.
        source_path: the source's file, relative to the collection folder.
        line: the line's number for a line, else None.
        written: what the sidecar says for this source alone: the whole sidecar of a file, the
            ``lines:`` entry of a line (empty when it says nothing).
        effective: the metadata the reader gives the source: ``written`` over the JSON-lines
            mapping and ``defaults`` (with ``file_access`` and ``file_collections`` where the
            file's sidecar keeps its own in force beside the line's).
        version: the SHA-256 (hex) of ``written`` as canonical JSON; what a save is checked
            against.
    """

    source_id: str
    kind: str
    path: str
    source_path: str
    line: int | None
    written: dict[str, Any]
    effective: dict[str, Any]
    version: str

    def value(self, name: str) -> Any:
        """The effective value of an editable field (``collection`` falls back to
        ``collections``), or None."""
        if name == "collection":
            return self.effective.get("collection") or self.effective.get("collections")
        return self.effective.get(name)


@dataclass(frozen=True)
class EditResult:
    """What one edit did to one source.

    Attributes:
        source_id: the source.
        path: the sidecar written (relative to the collection folder, POSIX).
        before: what the sidecar said for the source before (``EditableRecord.written``).
        after: what it says now.
        version: the record's version now.
        changed: the editable fields whose written value changed, sorted; empty when the
            edit left the source as it was (nothing was written for it).
    """

    source_id: str
    path: str
    before: dict[str, Any]
    after: dict[str, Any]
    version: str
    changed: list[str]


@dataclass
class ImportReport:
    """What an import of metadata from CSV did.

    Attributes:
        written: one result for each source a row changed.
        unchanged: ids of the sources whose rows matched what they have.
        conflicts: ``{"row", "id", "version"}`` for each row whose ``version`` is not the
            source's now (``version``: the source's); nothing of it was written.
        unknown: ``{"row", "id"}`` for each row whose id is no source of the collection.
        errors: ``{"row", "id", "message"}`` for each row with a value its field does not take
            (or an id given twice); nothing of it was written.
    """

    written: list[EditResult] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    unknown: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class _Found:
    """A record and the sidecar file it is written to."""

    record: EditableRecord
    sidecar: Path


@dataclass(frozen=True)
class _ListEdit:
    """``{"add": [...], "remove": [...]}`` for a list field, checked."""

    add: tuple[Any, ...]
    remove: tuple[Any, ...]


# ---------------------------------------------------------------------------------------------
# Reading records


def _version(written: Mapping[str, Any]) -> str:
    canonical = json.dumps(
        written, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _sidecar_text(path: Path, where: str) -> str:
    """A sidecar's text without its byte-order mark; ``EditError`` when it is not UTF-8 (the
    reader refuses it too)."""
    try:
        return path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise EditError(f"{where}: not UTF-8 text; save it as UTF-8") from exc


def _lines_of(data: Mapping[str, Any]) -> dict[str, Any]:
    lines = data.get("lines") or {}
    return {str(key): entry for key, entry in lines.items()} if isinstance(lines, dict) else {}


def _records(collection_dir: Path, only: str | None = None) -> dict[str, _Found]:
    """Every source of the folder as a record, by id; with ``only`` (a source file's path in
    the folder), the sources of that file alone (``read_collection(only=...)``).

    Raises:
        CollectionError, SidecarError, ConfigError: the folder cannot be read (as
            ``read_collection``).
    """
    collection = read_collection(collection_dir, only=None if only is None else frozenset({only}))
    files = {f.path: f for f in collection.files}
    # The sidecar of each file, by the file's path in lower case, as the reader finds it.
    sidecars = {
        f.path.rsplit(".", 1)[0].lower(): f
        for f in collection.files
        if f.path.lower().endswith((".yaml", ".yml"))
    }
    loaded: dict[str, dict[str, Any]] = {}
    found: dict[str, _Found] = {}
    for source in collection.sources:
        file = files[source.path]
        sidecar = sidecars.get(source.path.lower())
        if sidecar is None:
            path, where = file.abspath.with_name(file.abspath.name + ".yaml"), source.path + ".yaml"
            data: dict[str, Any] = {}
        else:
            path, where = sidecar.abspath, sidecar.path
            if where not in loaded:
                loaded[where] = load_sidecar(_sidecar_text(path, where), where)
            data = loaded[where]
        if source.line is None:
            kind, written = "file", copy.deepcopy(data)
        else:
            entry = _lines_of(data).get(source.id)
            kind, written = "line", copy.deepcopy(entry) if isinstance(entry, dict) else {}
        record = EditableRecord(
            source_id=source.id,
            kind=kind,
            path=where,
            source_path=source.path,
            line=source.line,
            written=written,
            effective=copy.deepcopy(source.metadata),
            version=_version(written),
        )
        found[source.id] = _Found(record=record, sidecar=path)
    return found


def read_record(collection_dir: Path, source_id: str, *, path: str | None = None) -> EditableRecord:
    """A source's metadata as it stands in the collection folder, for an editor.

    The folder is read by the reader (``collection.read_collection``), so that the ids and
    the effective metadata are exactly the reader's: the whole folder, or, given ``path``,
    the one file the source comes from (when the source is not there, the whole folder).

    Args:
        collection_dir: the collection folder.
        source_id: the source's id.
        path: the file the source is known to come from (``Source.path``, as the archive has
            it), or None.

    Returns:
        Its ``EditableRecord``.

    Raises:
        EditError: no source of the folder has that id.
        CollectionError, SidecarError, ConfigError: the folder cannot be read.
    """
    return _located(Path(collection_dir), source_id, path).record


def _located(collection_dir: Path, source_id: str, path: str | None) -> _Found:
    """The source's record, read from ``path`` alone when it is there (see ``read_record``)."""
    if path is not None:
        found = _records(collection_dir, only=path)
        if source_id in found:
            return found[source_id]
    return _find(_records(collection_dir), source_id, collection_dir)


def _find(found: Mapping[str, _Found], source_id: str, collection_dir: Path) -> _Found:
    if source_id not in found:
        raise EditError(f"no source {source_id!r} in {collection_dir}; check the id")
    return found[source_id]


# ---------------------------------------------------------------------------------------------
# Checking values


def _refuse(name: str, value: Any, problem: str) -> EditError:
    return EditError(f"{name}: {problem}; got {value!r}")


def _text(name: str, value: Any, *, lines: bool) -> str | None:
    """A text value, stripped; None when empty."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise _refuse(name, value, "must be text")
    # A browser's text area sends CRLF; a sidecar keeps LF.
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if "\n" in text and not lines:
        raise _refuse(name, value, "must be one line")
    if any(_unwritable(c) and c not in "\n\t" for c in text) or ("\t" in text and not lines):
        raise _refuse(name, value, "holds a control character")
    return text or None


def _unwritable(char: str) -> bool:
    """A character YAML cannot hold as it is, or reads as a line break: a control character,
    half of a surrogate pair, U+2028/U+2029, U+FFFE/U+FFFF."""
    return unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") or char in "\ufffe\uffff"


def _item(name: str, value: Any) -> str:
    text = _text(name, value, lines=False)
    if text is None:
        raise _refuse(name, value, "an item is empty")
    if "|" in text:
        raise _refuse(name, value, "an item cannot hold '|' (it separates items in the CSV)")
    return text


def _creator(value: Any) -> str | dict[str, str]:
    """A creator as written: a name alone, or ``{"name", "name_en", "role"}``."""
    if isinstance(value, str):
        return _item("creators", value)
    if not isinstance(value, Mapping):
        raise _refuse("creators", value, "a creator is a name or {name, role}")
    unknown = sorted(set(map(str, value)) - {"name", "name_en", "role"})
    if unknown:
        raise _refuse(
            "creators", value, f"a creator has name, name_en and role, not {unknown[0]!r}"
        )
    creator = {"name": _item("creators", value.get("name"))}
    if value.get("name_en") not in (None, ""):
        creator["name_en"] = _item("creators", value["name_en"])
    role = value.get("role")
    if role not in (None, ""):
        if role not in CREATOR_ROLES:
            raise _refuse("creators", value, f"role must be {', '.join(CREATOR_ROLES)}")
        creator["role"] = str(role)
    return creator


def _creator_key(value: Any) -> tuple[str, str] | None:
    """A creator's name and role (author when none), to compare; None for no creator."""
    if isinstance(value, str) and value.strip():
        return value.strip(), "author"
    if isinstance(value, Mapping) and isinstance(value.get("name"), str):
        return value["name"].strip(), str(value.get("role") or "author")
    return None


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _items(name: str, value: Any) -> list[Any]:
    """A list field's items, checked, each once, in order."""
    if isinstance(value, str) or (name == "creators" and isinstance(value, Mapping)):
        value = [value]
    if not isinstance(value, list | tuple):
        raise _refuse(name, value, "must be a list")
    if name == "creators":
        creators: list[Any] = []
        for item in value:
            creator = _creator(item)
            if _creator_key(creator) not in map(_creator_key, creators):
                creators.append(creator)
        return creators
    return list(dict.fromkeys(_item(name, item) for item in value))


def _check(name: str, value: Any) -> Any:
    """A field's value as the sidecar is to hold it, or None to remove the field.

    Raises:
        EditError: the field is not editable, or the value is not one it takes.
    """
    if name not in EDITABLE_FIELDS:
        raise EditError(
            f"{name!r} is not a field that can be edited; the fields are "
            f"{', '.join(EDITABLE_FIELDS)}"
        )
    if value is None:
        return None
    if name in _LIST_FIELDS or name == "creators":
        if isinstance(value, Mapping) and not (name == "creators" and "name" in value):
            unknown = sorted(set(map(str, value)) - {"add", "remove"})
            if unknown or not value:
                raise _refuse(
                    name, value, "a change to a list is a list or {add: [...]} / {remove: [...]}"
                )
            return _ListEdit(
                add=tuple(_items(name, value.get("add") or [])),
                remove=tuple(_items(name, value.get("remove") or [])),
            )
        return _items(name, value)
    if name in _LINE_FIELDS or name in _LONG_FIELDS:
        return _text(name, value, lines=name in _LONG_FIELDS)
    if name == "date":
        text = _text(name, value, lines=False)
        if text is not None and (problem := date_problem(text)) is not None:
            raise EditError(f"date: {problem}")
        return text
    if name == "type":
        text = _text(name, value, lines=False)
        if text is not None and text not in CSL_TYPES:
            raise _refuse(name, value, "not a CSL type (report, speech, article-newspaper, ...)")
        return text
    if name == "language":
        text = _text(name, value, lines=False)
        if text is not None and not is_language_tag(text):
            raise _refuse(name, value, "not a BCP 47 tag (zh-Hans, ug-Arab, en, ...)")
        return text
    if name == "access":
        return _access(value)
    return _reliability(value)


def _access(value: Any) -> str | dict[str, str] | None:
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if match := _EMBARGO_TEXT.fullmatch(value):
            value = {"embargo": match.group(1), "then": match.group(2)}
    try:
        access = Access.parse(value)
    except ValueError as exc:
        raise EditError(f"access: {exc}") from exc
    if access.until is None:
        return access.level
    return {"embargo": access.until, "then": access.level}


def _reliability(value: Any) -> str | dict[str, Any] | None:
    if isinstance(value, str) and not value.strip():
        return None
    try:
        assessed = parse_reliability(value)
    except ValueError as exc:
        raise EditError(f"{exc}; got {value!r}") from exc
    return assessed if "note" in assessed else reliability_code(assessed)


def _checked_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(changes, Mapping):
        raise EditError("changes must map field names to values")
    return {str(name): _check(str(name), value) for name, value in changes.items()}


# ---------------------------------------------------------------------------------------------
# The text form: CSV cells and form fields


def field_text(name: str, value: Any) -> str:
    """A field's value as text (a CSV cell, a form field); ``""`` for none.

    Lists are joined with ``" | "``, creators written ``name (role)`` (a name alone without a
    role), access as ``Access.describe()``, reliability as ``B2`` or ``B2 (note)``; a value
    the field does not take is written as it is, so that it can be seen and corrected.
    """
    if value is None:
        return ""
    if name == "creators":
        shown = []
        for creator in _listed(value):
            if isinstance(creator, Mapping):
                role = f" ({creator['role']})" if creator.get("role") else ""
                shown.append(f"{creator.get('name') or ''}{role}")
            else:
                shown.append(str(creator))
        return _SEPARATOR.join(shown)
    if name in _LIST_FIELDS:
        return _SEPARATOR.join(str(item) for item in _listed(value))
    if name == "access":
        try:
            return Access.parse(value).describe()
        except ValueError:
            return str(value)
    if name == "reliability":
        try:
            assessed = parse_reliability(value)
        except ValueError:
            return str(value)
        code = reliability_code(assessed)
        return f"{code} ({assessed['note']})" if "note" in assessed else str(code)
    return str(value)


def parse_field(name: str, text: str) -> Any:
    """Read a field's text form (``field_text``) into a value ``edit_source`` takes.

    Args:
        name: one of ``EDITABLE_FIELDS``.
        text: the text; empty (or only spaces) for no value.

    Returns:
        None for an empty text; a list for a list field and for ``creators`` (each
        ``{"name", "role"}``, a name without ``(role)`` an author); an access level or
        ``{"embargo", "then"}``; ``"B2"`` or ``{"source", "information", "note"}``; else the
        text, stripped.

    Raises:
        EditError: the field is not editable, or the text is not a value it takes.
    """
    if name not in EDITABLE_FIELDS:
        raise EditError(f"{name!r} is not a field that can be edited")
    if not isinstance(text, str):
        raise _refuse(name, text, "must be text")
    if not text.strip():
        return None
    if name in _LIST_FIELDS:
        return _check(name, [part.strip() for part in text.split("|") if part.strip()])
    if name == "creators":
        creators = []
        for part in (part.strip() for part in text.split("|")):
            if not part:
                continue
            match = _CREATOR_TEXT.fullmatch(part)
            if match is None:
                creators.append({"name": part, "role": "author"})
            elif match.group(2) not in CREATOR_ROLES:
                raise _refuse(name, part, f"role must be {', '.join(CREATOR_ROLES)}")
            else:
                creators.append({"name": match.group(1), "role": match.group(2)})
        return _check(name, creators)
    if name == "reliability":
        match = _RELIABILITY_TEXT.fullmatch(text)
        if match is not None and match.group(2) is not None:
            code = match.group(1).replace(" ", "")
            return _check(name, {"source": code[0], "information": code[1], "note": match.group(2)})
    return _check(name, text)


# ---------------------------------------------------------------------------------------------
# Planning an edit


def _key_of(name: str, written: Mapping[str, Any]) -> str:
    """The sidecar key a field is written under: ``collections`` where the sidecar uses it."""
    if name == "collection" and "collection" not in written and "collections" in written:
        return "collections"
    return name


def _removed(creator: Any, remove: Sequence[Any]) -> bool:
    """Whether a creator is one to remove: a name alone removes it in every role."""
    key = _creator_key(creator)
    return key is not None and any(
        key[0] == gone if isinstance(gone, str) else key == _creator_key(gone) for gone in remove
    )


def _with_list_edit(name: str, current: Any, edit: _ListEdit) -> list[Any]:
    """The source's effective list with the items added and removed."""
    items = _listed(current)
    if name == "creators":
        kept = [creator for creator in items if not _removed(creator, edit.remove)]
        keys = {_creator_key(creator) for creator in kept}
        return kept + [creator for creator in edit.add if _creator_key(creator) not in keys]
    kept = [item for item in items if item not in edit.remove]
    return kept + [item for item in edit.add if item not in kept]


def _with_known_creators(creators: list[Any], current: Any) -> list[Any]:
    """A creator given by name and role that the source has keeps what else it records."""
    known = {_creator_key(c): c for c in _listed(current) if _creator_key(c) is not None}
    kept = []
    for creator in creators:
        given_more = isinstance(creator, Mapping) and "name_en" in creator
        kept.append(creator if given_more else known.get(_creator_key(creator), creator))
    return kept


def _planned(record: EditableRecord, checked: Mapping[str, Any]) -> dict[str, Any]:
    """What the sidecar is to say for the source once the checked changes are made."""
    after = copy.deepcopy(record.written)
    for name, value in checked.items():
        key = _key_of(name, record.written)
        if isinstance(value, _ListEdit):
            value = _with_list_edit(name, record.value(name), value)
        if name == "creators" and value is not None:
            value = _with_known_creators(value, record.value(name))
        if value is None:
            after.pop(key, None)
        else:
            after[key] = value
    return after


def _written_value(name: str, written: Mapping[str, Any]) -> Any:
    if name == "collection":
        return written.get("collection"), written.get("collections")
    return written.get(name)


def _changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    return sorted(
        name
        for name in EDITABLE_FIELDS
        if _written_value(name, before) != _written_value(name, after)
    )


# ---------------------------------------------------------------------------------------------
# Writing YAML round-trip


def _round_trip() -> YAML:
    loader = YAML(typ="rt")
    loader.allow_unicode = True
    loader.preserve_quotes = True
    # A long title stays on its line, as a person writes it.
    loader.width = 4096
    loader.indent(mapping=2, sequence=4, offset=2)
    return loader


def _to_yaml(value: Any) -> Any:
    """A plain value as ruamel.yaml is to write it, read back the same by PyYAML."""
    if isinstance(value, Mapping):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[_to_yaml(key)] = _to_yaml(item)
        return mapping
    if isinstance(value, list | tuple):
        items = CommentedSeq(_to_yaml(item) for item in value)
        if all(isinstance(item, str) and "\n" not in item for item in value):
            # Subjects, tags, collections on one line, as the sample's sidecars write them.
            items.fa.set_flow_style()
        return items
    if isinstance(value, str):
        if "\n" in value:
            return LiteralScalarString(value)
        if _PLAIN_RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) != _STR_TAG:
            return SingleQuotedScalarString(value)
    return value


def _dump(loader: YAML, data: Any) -> str:
    out = io.StringIO()
    loader.dump(data, out)
    return out.getvalue()


def _is_tail(line: str) -> bool:
    """A blank line or a comment in the first column: between two top-level entries, it
    belongs to neither's value."""
    return not line.strip() or line.startswith("#")


def _load(loader: YAML, text: str) -> Any:
    try:
        return loader.load(text)
    except YAMLError as exc:
        raise EditError(f"the sidecar cannot be edited in place: {exc}") from exc


def _spliced(
    text: str, doc: CommentedMap, edit: Callable[[CommentedMap], set[Any]], loader: YAML
) -> str | None:
    """``text`` with the top-level entries ``edit`` touches written again and every other
    line kept; None when the entries are not one block each (a flow mapping, two on a line).

    The blank lines and first-column comments that end an entry's lines (its tail) are kept
    where they are: they are read apart from the entries, which ruamel.yaml would otherwise
    hang on the entry's last value, and move with it when a value is added after that one.

    Args:
        text: the sidecar's text before the edit.
        doc: its round-trip mapping, as read (not edited).
        edit: changes a mapping in place and returns the top-level keys it touched.
        loader: the round-trip loader and dumper.
    """
    keys = list(doc)
    starts = [doc.lc.key(key) for key in keys]
    rows = [row for row, _ in starts]
    if doc.fa.flow_style() or any(column != 0 for _, column in starts):
        return None
    if rows != sorted(set(rows)):
        return None
    # Lines as YAML counts them: str.splitlines would also split at U+2028 and form feeds.
    lines = re.findall(r"[^\n]*\n|[^\n]+\Z", text)
    head = lines[: rows[0]]
    cores: list[list[str]] = []
    tails: list[list[str]] = []
    for index in range(len(keys)):
        region = lines[rows[index] : rows[index + 1] if index + 1 < len(rows) else len(lines)]
        cut = len(region)
        while cut > 1 and _is_tail(region[cut - 1]):
            cut -= 1
        cores.append(region[:cut])
        tails.append(region[cut:])
    trimmed = _load(loader, "".join(head + [line for core in cores for line in core]))
    if not isinstance(trimmed, CommentedMap) or list(trimmed) != keys:
        return None
    touched = edit(trimmed)
    out = list(head)
    for key, core, tail in zip(keys, cores, tails, strict=True):
        if key not in touched:
            out += core + tail
            continue
        if key in trimmed:
            entry = CommentedMap()
            entry[key] = trimmed[key]
            eol = trimmed.ca.items.get(key)
            if eol and len(eol) > 2 and eol[2] is not None:
                # The comment at the end of the key's line stays there.
                entry.ca.items[key] = [None, None, eol[2], None]
            out.append(_dump(loader, entry))
        out += tail
    added = CommentedMap((key, trimmed[key]) for key in trimmed if key not in keys)
    if added:
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n"
        out.append(_dump(loader, added))
    return "".join(out)


def _rewrite(
    text: str, edit: Callable[[CommentedMap], set[Any]], new_header: str | None = None
) -> list[str]:
    """The candidate texts of a sidecar once ``edit`` has changed its round-trip mapping,
    best first: the splice that keeps untouched entries byte for byte, then the whole mapping
    written again.

    Args:
        text: the sidecar's text (no byte-order mark); empty for a new sidecar.
        edit: changes a mapping in place and returns the top-level keys it touched.
        new_header: the comment a new sidecar begins with.

    Raises:
        EditError: the sidecar cannot be read round-trip, or is not a mapping.
    """
    loader = _round_trip()
    doc = _load(loader, text) if text.strip() else None
    if doc is None:
        doc = CommentedMap()
        if new_header:
            doc.yaml_set_start_comment(new_header)
        edit(doc)
        return [_dump(loader, doc)]
    if not isinstance(doc, CommentedMap):
        raise EditError("the sidecar is not a mapping of metadata")
    spliced = _spliced(text, doc, edit, loader) if doc else None
    edit(doc)
    whole = _dump(loader, doc)
    return [spliced, whole] if spliced is not None else [whole]


def _set_entries(
    mapping: CommentedMap, entries: Mapping[str, Any], before: Mapping[str, Any]
) -> None:
    """Make a round-trip mapping say ``entries`` where it said ``before``: changed keys set,
    removed keys deleted, the rest (and their comments) left."""
    for key in list(mapping):
        if str(key) in before and str(key) not in entries:
            del mapping[key]
    for key, value in entries.items():
        if key not in before or before[key] != value:
            mapping[key] = _to_yaml(value)


def _lines_key(lines: CommentedMap, source_id: str) -> Any:
    return next((key for key in lines if str(key) == source_id), None)


def _file_edit(
    old: Mapping[str, Any], after: Mapping[str, Any]
) -> Callable[[CommentedMap], set[Any]]:
    def edit(doc: CommentedMap) -> set[Any]:
        touched = {key for key in set(old) | set(after) if old.get(key) != after.get(key)}
        _set_entries(doc, after, old)
        return touched

    return edit


def _lines_edit(
    old: Mapping[str, Any], entries: Mapping[str, tuple[dict[str, Any], dict[str, Any]]]
) -> Callable[[CommentedMap], set[Any]]:
    """The edit of a JSON-lines sidecar: ``entries`` maps a line's id to its ``lines:``
    entry ``(before, after)``."""

    def edit(doc: CommentedMap) -> set[Any]:
        if not old:
            doc["each_line"] = _to_yaml(DEFAULT_LINE_MAPPING.each_line)
        if not isinstance(doc.get("lines"), CommentedMap):
            doc["lines"] = CommentedMap()
        lines = doc["lines"]
        for source_id, (before, after) in entries.items():
            key = _lines_key(lines, source_id)
            if not after:
                if key is not None:
                    del lines[key]
                continue
            if key is None:
                lines[_to_yaml(source_id)] = _to_yaml(after)
            else:
                if not isinstance(lines[key], CommentedMap):
                    lines[key] = CommentedMap()
                _set_entries(lines[key], after, before)
        if not lines:
            del doc["lines"]
        return {"lines"}

    return edit


def _expected_lines(
    old: Mapping[str, Any], entries: Mapping[str, tuple[Any, dict[str, Any]]]
) -> dict[str, Any]:
    expected = (
        copy.deepcopy(dict(old)) if old else {"each_line": dict(DEFAULT_LINE_MAPPING.each_line)}
    )
    lines = _lines_of(expected)
    for source_id, (_, after) in entries.items():
        if after:
            lines[source_id] = after
        else:
            lines.pop(source_id, None)
    expected.pop("lines", None)
    if lines:
        expected["lines"] = lines
    return expected


def _normal(data: Mapping[str, Any]) -> dict[str, Any]:
    """A sidecar's mapping with the ids under ``lines`` as text, to compare."""
    normal = dict(data)
    if "lines" in normal:
        normal["lines"] = _lines_of(normal)
    return normal


def _valid(text: str, where: str, expected: Mapping[str, Any], lines: bool) -> bool:
    """Whether a sidecar's text reads (with the reader's own loader and checks) as exactly
    the metadata meant."""
    try:
        data = load_sidecar(text.removeprefix("\ufeff"), where)
        if lines:
            parse_line_mapping(data, where)
        else:
            check_metadata(data, where)
    except SidecarError:
        return False
    return _normal(data) == _normal(expected)


@dataclass
class _FileWrite:
    """One sidecar's new text, and what it held before (None: there was no file)."""

    path: Path
    where: str
    old: bytes | None
    text: str
    expected: dict[str, Any]
    lines: bool


def _prepare(sidecar: Path, where: str, group: list[tuple[_Found, dict[str, Any]]]) -> _FileWrite:
    """The new text of one sidecar that the planned records of ``group`` are written to.

    Raises:
        EditError: no text written the ways tried reads back as the metadata meant.
    """
    old = sidecar.read_bytes() if sidecar.exists() else None
    text = _sidecar_text(sidecar, where) if old is not None else ""
    bom = "\ufeff" if old is not None and old.startswith(b"\xef\xbb\xbf") else ""
    old_data = load_sidecar(text, where) if old is not None else {}
    is_lines = group[0][0].record.kind == "line"
    if is_lines:
        entries = {found.record.source_id: (found.record.written, after) for found, after in group}
        expected = _expected_lines(old_data, entries)
        candidates = _rewrite(
            text,
            _lines_edit(old_data, entries),
            f"Sidecar of {Path(where).stem}: each_line is how the file is read without one;\n"
            "lines: holds the metadata edited for one line, by the line's source id.",
        )
    else:
        expected = group[0][1]
        candidates = _rewrite(text, _file_edit(old_data, expected))
    if "\r\n" in text:
        # A sidecar saved on Windows keeps its line ends (YAML reads either the same).
        candidates = [c.replace("\r\n", "\n").replace("\n", "\r\n") for c in candidates]
    for candidate in candidates:
        if _valid(candidate, where, expected, is_lines):
            return _FileWrite(sidecar, where, old, bom + candidate, expected, is_lines)
    raise EditError(
        f"{where}: the edit cannot be written so that the sidecar reads back as meant; nothing was written"
    )


def _restore(done: Iterable[_FileWrite]) -> None:
    for written in done:
        if written.old is None:
            written.path.unlink(missing_ok=True)
        else:
            replace_text(written.path, written.old.decode("utf-8"))


def _write_all(writes: Sequence[_FileWrite]) -> None:
    """Write each sidecar and read it back from the disk; when one does not read as meant,
    put back every one written and refuse.

    Raises:
        EditError: a sidecar written does not read back as meant (all were put back).
        OSError: a sidecar cannot be written (those written before were put back).
    """
    done: list[_FileWrite] = []
    try:
        for write in writes:
            replace_text(write.path, write.text)
            done.append(write)
            if not _valid(
                write.path.read_text(encoding="utf-8"), write.where, write.expected, write.lines
            ):
                raise EditError(
                    f"{write.where}: the sidecar written did not read back as meant; it was put back"
                )
    except BaseException:
        _restore(done)
        raise


def _apply(plans: Sequence[tuple[_Found, dict[str, Any]]]) -> list[EditResult]:
    """Write the planned records (``(found, written after)``), each sidecar once; called with
    the edit lock held.

    Raises:
        EditError: a sidecar cannot be written so that it reads back as meant.
    """
    groups: dict[Path, list[tuple[_Found, dict[str, Any]]]] = {}
    for found, after in plans:
        if after != found.record.written:
            groups.setdefault(found.sidecar, []).append((found, after))
    writes = [_prepare(path, group[0][0].record.path, group) for path, group in groups.items()]
    _write_all(writes)
    results = []
    for found, after in plans:
        record = found.record
        results.append(
            EditResult(
                source_id=record.source_id,
                path=record.path,
                before=record.written,
                after=after,
                version=_version(after),
                changed=_changed(record.written, after),
            )
        )
    return results


# ---------------------------------------------------------------------------------------------
# Operations


def edit_source(
    collection_dir: Path,
    source_id: str,
    changes: Mapping[str, Any],
    *,
    base_version: str,
    path: str | None = None,
) -> EditResult:
    """Change one source's metadata in its sidecar.

    Args:
        collection_dir: the collection folder.
        source_id: the source's id.
        changes: field (``EDITABLE_FIELDS``) -> new value (the module docstring gives each
            field's values; None removes the field; a list field also takes ``{"add": [...]}``
            / ``{"remove": [...]}``).
        base_version: the ``version`` of the record the editor changed (``read_record``).
        path: the file the source is known to come from, to read that file alone (as
            ``read_record``).

    Returns:
        The ``EditResult``; ``changed`` is empty, and nothing was written, when the changes
        leave the sidecar as it was.

    Raises:
        EditError: the id is no source's, a field is not editable or a value not one it takes
            (the message names the field and the value); nothing was written.
        EditConflict: the record's version is not ``base_version`` (another save came first);
            ``current`` is the ``EditableRecord`` now; nothing was written.
        CollectionError, SidecarError, ConfigError: the folder cannot be read.
        OSError: the sidecar cannot be written (the old one is left).
    """
    collection_dir = Path(collection_dir)
    checked = _checked_changes(changes)
    with editing(collection_dir):
        target = _located(collection_dir, source_id, path)
        record = target.record
        if record.version != base_version:
            raise EditConflict(
                f"{source_id} was changed since it was read (by another save); "
                "see its metadata now and save again",
                record,
                record.version,
            )
        return _apply([(target, _planned(record, checked))])[0]


def edit_sources(
    collection_dir: Path,
    source_ids: Iterable[str],
    changes: Mapping[str, Any],
    *,
    versions: Mapping[str, str] | None = None,
) -> list[EditResult]:
    """Make the same changes to a selection of sources (a bulk edit).

    Everything is checked before anything is written; the sources that share a JSON-lines
    sidecar are written in one rewrite of it. Each sidecar is replaced atomically; were one
    to fail to read back as meant, those already written are put back.

    Args:
        collection_dir: the collection folder.
        source_ids: the sources (each once; in the order of the results).
        changes: as ``edit_source``'s; ``{"add": [...]}`` / ``{"remove": [...]}`` changes a
            list field of each source from its own effective list.
        versions: source id -> the version the editor saw; when given, every source must
            have one, and one that is not the source's version now refuses the whole edit.

    Returns:
        One ``EditResult`` for each source, in order (``changed`` empty for a source the
        changes left as it was).

    Raises:
        EditError: an id is no source's, no version was given for one, a field is not editable
            or a value not one it takes; nothing was written.
        EditConflict: a source's version is not the one given (the message names each such
            source; ``current`` is the first's record now); nothing was written.
        CollectionError, SidecarError, ConfigError: the folder cannot be read.
        OSError: a sidecar cannot be written (those written before were put back).
    """
    collection_dir = Path(collection_dir)
    chosen = list(dict.fromkeys(source_ids))
    checked = _checked_changes(changes)
    with editing(collection_dir):
        found = _records(collection_dir)
        targets = [_find(found, source_id, collection_dir) for source_id in chosen]
        if versions is not None:
            missing = [t.record.source_id for t in targets if t.record.source_id not in versions]
            if missing:
                raise EditError(f"no version given for {', '.join(missing)}")
            stale = [t.record for t in targets if versions[t.record.source_id] != t.record.version]
            if stale:
                raise EditConflict(
                    f"changed since they were read (by another save): "
                    f"{', '.join(r.source_id for r in stale)}; see them now and edit again",
                    stale[0],
                    stale[0].version,
                )
        return _apply([(t, _planned(t.record, checked)) for t in targets])


def export_metadata_csv(collection_dir: Path, source_ids: Iterable[str] | None = None) -> str:
    """The sources' metadata as CSV, for a spreadsheet and ``import_metadata_csv``.

    Columns: ``id``, ``version`` (the record's, which an import checks), then
    ``EDITABLE_FIELDS``, each cell the effective value's text form (``field_text``). The
    text has no byte-order mark (add one when serving it to Excel).

    Args:
        collection_dir: the collection folder.
        source_ids: the sources, in this order; None for every source, in collection order.

    Raises:
        EditError: an id is no source's.
        CollectionError, SidecarError, ConfigError: the folder cannot be read.
    """
    collection_dir = Path(collection_dir)
    found = _records(collection_dir)
    chosen = list(found) if source_ids is None else list(dict.fromkeys(source_ids))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["id", "version", *EDITABLE_FIELDS])
    for source_id in chosen:
        record = _find(found, source_id, collection_dir).record
        writer.writerow(
            [record.source_id, record.version]
            + [_inert(field_text(name, record.value(name))) for name in EDITABLE_FIELDS]
        )
    return out.getvalue()


# A cell a spreadsheet would run as a formula: a title "=HYPERLINK(...)" typed by anyone who
# may edit could send the cells beside it (other titles, names) to another site when an
# editor opens the export (OWASP, "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(cell: str) -> str:
    """``cell`` as a spreadsheet shows it without running it: a leading apostrophe before a
    formula's first character (``_active`` takes it off on import)."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _active(cell: str) -> str:
    """The value ``_inert`` made a cell of (an apostrophe it added is taken off)."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_FORMULA_START) else cell


def import_metadata_csv(collection_dir: Path, text: str) -> ImportReport:
    """Write the metadata a CSV gives (the columns of ``export_metadata_csv``).

    Only the ``id`` column is required; a field without a column is left alone. Of each row,
    only the fields whose cell differs from the source's effective value (``field_text``) are
    written, so an exported file imported again writes nothing, and an empty cell removes the
    source's own value (a JSON-lines file's defaults stay). A filled ``version`` cell is checked
    against the source's version now.

    A row is written whole or not at all, and rows are independent: the rows that are fine are
    written (each sidecar once) even when others are refused, because a spreadsheet of many
    rows is corrected row by row; every refused row is listed with why.

    Args:
        collection_dir: the collection folder.
        text: the CSV (a UTF-8 byte-order mark at its start, as Excel writes, is ignored).

    Returns:
        An ``ImportReport``.

    Raises:
        EditError: the CSV has no ``id`` column, or a column that is not ``version`` nor an
            editable field (nothing was written: a misspelt column would lose its edits).
        CollectionError, SidecarError, ConfigError: the folder cannot be read.
        OSError: a sidecar cannot be written (those written before were put back).
    """
    collection_dir = Path(collection_dir)
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    columns = [str(name).strip() for name in reader.fieldnames or []]
    if "id" not in columns:
        raise EditError("the CSV has no 'id' column; export one to see the columns")
    twice = [c for c in dict.fromkeys(columns) if columns.count(c) > 1]
    if twice:
        raise EditError(f"the CSV has the column {twice[0]!r} twice; keep one")
    unknown = [c for c in columns if c not in ("id", "version", *EDITABLE_FIELDS)]
    if unknown:
        raise EditError(
            f"the CSV has a column {unknown[0]!r} that is no field; the columns are id, "
            f"version, {', '.join(EDITABLE_FIELDS)}"
        )
    reader.fieldnames = columns
    report = ImportReport()
    with editing(collection_dir):
        found = _records(collection_dir)
        plans: list[tuple[_Found, dict[str, Any]]] = []
        seen: set[str] = set()
        # Row 1 is the header, as a spreadsheet numbers rows.
        for row_number, row in enumerate(reader, start=2):
            cells = {k: _active(v or "") for k, v in row.items() if k is not None}
            if not any(value.strip() for value in cells.values()):
                continue
            source_id = cells["id"].strip()
            if source_id not in found:
                report.unknown.append({"row": row_number, "id": source_id})
                continue
            if source_id in seen:
                report.errors.append(
                    {"row": row_number, "id": source_id, "message": "the id is given twice"}
                )
                continue
            seen.add(source_id)
            record = found[source_id].record
            version = cells.get("version", "").strip()
            if version and version != record.version:
                report.conflicts.append(
                    {"row": row_number, "id": source_id, "version": record.version}
                )
                continue
            try:
                changes = {
                    name: parse_field(name, cells[name])
                    for name in EDITABLE_FIELDS
                    if name in cells
                    and cells[name].strip() != field_text(name, record.value(name)).strip()
                }
                after = _planned(record, _checked_changes(changes))
            except EditError as exc:
                report.errors.append({"row": row_number, "id": source_id, "message": str(exc)})
                continue
            if after == record.written:
                report.unchanged.append(source_id)
            else:
                plans.append((found[source_id], after))
        report.written = _apply(plans)
    return report
