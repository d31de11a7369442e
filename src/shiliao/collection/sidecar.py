"""Sidecars: the YAML file beside a source file (``x.pdf.yaml``) that gives its metadata.

Two shapes are read:

* a plain mapping of metadata for a single file (``title``, ``date``, ``type``, ``language``,
  ``url``, ``creators``, ``publisher``, ``collection``, ``rights``...);
* for a JSON-lines file, ``each_line`` maps the fields of each line's JSON object to metadata,
  and ``defaults`` gives metadata shared by every line. A value in ``each_line`` is either

  - a template string: ``"{title}"`` is the line's ``title``; a template whose fields are all
    missing or null gives no value (so ``date: "{year}"`` with ``"year": null`` leaves the date
    unset rather than writing ``"None"``);
  - a field name (no braces), used for ``text``: ``text: content``;
  - a lookup: ``{from: congress, map: {1: 1921-07, ...}}`` maps the line's field through a table.

  An optional ``id`` template in ``each_line`` names the key that identifies a line across
  edits; without it the line's ``url`` is used when present, else its line number.

  An optional ``lines`` maps a line's source id (``reader.source_id_for``, the id the line's
  source has) to metadata for that line alone, over what ``each_line`` and ``defaults`` give;
  it is what the editorial app writes when one line is edited::

      lines:
        government-work-reports-8a1711081d:
          title_en: Report on the Work of the Government, 2016
          date: 2016-03-05

  An id that matches no line is a warning of the reader (``Collection.problems``). A line's
  ``access`` there, like one its ``each_line`` gives, cannot loosen the ``defaults``' access
  (both are kept, the most restrictive wins), and a line's ``collection`` there keeps it in the
  ``defaults``' collections for their access rules.

Keys are checked (``check_metadata``): a key that is not one of ``SOURCE_KEYS`` is an error
naming the key and the file, never ignored, and so is an ``access`` that is not a level and a
``date`` that is not EDTF (``date_problem``); a JSON-lines line's such date is a warning and
leaves that line's source undated, but one under ``lines`` is an error, since a person wrote it
for that line.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from shiliao.collection.reliability import parse_reliability
from shiliao.collection.yamlfile import YamlProblem, load_yaml
from shiliao.errors import SidecarError
from shiliao.extract.dates import is_edtf, parse_date_text
from shiliao.model import Access

__all__ = [
    "SOURCE_KEYS",
    "LineMapping",
    "apply_line_mapping",
    "check_metadata",
    "date_problem",
    "load_sidecar",
    "override_line",
    "parse_line_mapping",
    "with_reliability",
]

_FIELD = re.compile(r"\{([^{}]+)\}")

SOURCE_KEYS = frozenset(
    {
        "id",
        "title",
        "title_en",
        "date",
        "type",
        "language",
        "url",
        "captured",
        "creators",
        "publisher",
        "publisher_en",
        "collection",
        "collections",
        "description",
        "rights",
        "subjects",
        "tags",
        "place",
        "note",
        "access",
        "reliability",
        "extra",
    }
)
"""The keys a sidecar may give a source. ``access`` takes a level or an embargo
(``model.Access.parse``); ``reliability`` an Admiralty code (``collection.reliability``);
``extra`` takes a mapping of anything else a team records."""

# Keys people write expecting them to keep a source private; each is an error that says what
# to write instead, never a key silently ignored while the source is published.
_PRIVACY_HINTS = {
    "private": "access: team",
    "publish": "access: team (or metadata)",
    "public": "access: public",
    "restricted": "access: team",
    "hidden": "access: team",
    "embargo": "access: {embargo: YYYY-MM-DD, then: public}",
    "redact": "a decision in the collection's privacy.yaml (shiliao privacy decide)",
    "redactions": "a decision in the collection's privacy.yaml (shiliao privacy decide)",
    "level": "access: LEVEL",
}


@dataclass(frozen=True)
class LineMapping:
    """How one JSON-lines file maps to sources.

    Attributes:
        each_line: metadata key -> template string, field name (for ``text``) or lookup dict.
        defaults: metadata shared by every line (a line's own values win).
        lines: a line's source id -> metadata for that line alone (``lines`` in the sidecar),
            over what ``each_line`` and ``defaults`` give; checked, reliability normalised.
    """

    each_line: dict[str, Any]
    defaults: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, dict[str, Any]] = field(default_factory=dict)


def load_sidecar(text: str, path: str) -> dict[str, Any]:
    """Parse a sidecar's YAML into a mapping.

    Args:
        text: the sidecar's content.
        path: its path, for messages.

    Returns:
        The mapping (empty for an empty file).

    Raises:
        SidecarError: the YAML is invalid, gives a key twice, or is not a mapping.
    """
    try:
        data = load_yaml(text)
    except YamlProblem as exc:
        raise SidecarError(path, str(exc)) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SidecarError(path, "a sidecar must be a mapping of metadata")
    return _dates_as_text(data)


def check_metadata(
    metadata: dict[str, Any], path: str, where: str = "", *, templates: bool = False
) -> None:
    """Check a source's metadata as a sidecar gives it: known keys, a valid ``access``.

    Args:
        metadata: the mapping (a single file's sidecar, or ``defaults``/``each_line``).
        path: the sidecar's path, for messages.
        where: what part of the sidecar it is (``"defaults: "``), for messages.
        templates: the values are ``each_line`` templates (``"{access}"``), filled in per line
            and checked then.

    Raises:
        SidecarError: a key is not in ``SOURCE_KEYS`` (keys meant to keep a source private,
            such as ``private`` or ``redact``, say what to write instead), ``access`` is
            not a level or an embargo, or ``date`` is not EDTF (``date_problem``).
    """
    for key in metadata:
        if str(key) in _PRIVACY_HINTS:
            raise SidecarError(
                path, f"{where}{key!r} is not a sidecar key; write {_PRIVACY_HINTS[str(key)]}"
            )
        if str(key) not in SOURCE_KEYS:
            raise SidecarError(
                path,
                f"{where}unknown key {key!r}; a sidecar has {', '.join(sorted(SOURCE_KEYS))} "
                "(put anything else under 'extra')",
            )
    if "access" in metadata and not (templates and _is_template(metadata["access"])):
        try:
            Access.parse(metadata["access"])
        except ValueError as exc:
            raise SidecarError(path, f"{where}access: {exc}") from exc
    # An each_line template or lookup gives each line's date, checked per line (reader).
    date = metadata.get("date")
    if not (templates and (_is_template(date) or isinstance(date, dict))):
        problem = date_problem(date)
        if problem is not None:
            raise SidecarError(path, f"{where}{problem}")
    if "extra" in metadata and not isinstance(metadata["extra"], dict):
        raise SidecarError(path, f"{where}'extra' must be a mapping")
    reliability = metadata.get("reliability")
    if "reliability" in metadata and not (
        templates and (_is_template(reliability) or isinstance(reliability, dict))
    ):
        try:
            parse_reliability(reliability)
        except ValueError as exc:
            raise SidecarError(path, f"{where}{exc}") from exc


def with_reliability(metadata: dict[str, Any]) -> dict[str, Any]:
    """The metadata with its ``reliability`` normalised (``collection.reliability``); call it
    on metadata ``check_metadata`` passed (a per-line value: see the reader).

    Raises:
        ValueError: the reliability is not an Admiralty code.
    """
    if "reliability" not in metadata:
        return metadata
    return {**metadata, "reliability": parse_reliability(metadata["reliability"])}


def date_problem(value: Any) -> str | None:
    """What is wrong with a date a sidecar or a JSON-lines line gives, or None.

    Args:
        value: the date as read (YAML reads ``date: 2016`` as a number), or None.

    Returns:
        None when it is absent or EDTF, levels 0 and 1 (``dates.is_edtf``); else a message
        naming the value and how to write it: ``date '2016年3月' is not EDTF; write 2016-03``,
        or the forms when the value is no date at all.
    """
    if value is None or is_edtf(str(value)):
        return None
    written = parse_date_text(str(value))
    how = written or "YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2016-03 (EDTF; 2016?, 2016-03~, 2016/2017)"
    return f"date {str(value)!r} is not EDTF; write {how}"


def _is_template(value: Any) -> bool:
    return isinstance(value, str) and bool(_FIELD.search(value))


def _dates_as_text(value: Any) -> Any:
    """YAML reads ``2017-01-05`` as a date; metadata keeps dates as EDTF strings."""
    if isinstance(value, dict):
        return {key: _dates_as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(item) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def parse_line_mapping(data: dict[str, Any], path: str) -> LineMapping:
    """Check a JSON-lines sidecar and return its mapping.

    Raises:
        SidecarError: ``each_line`` is missing or malformed, ``text`` is not a field name, or
            an entry of ``lines`` is not a mapping of metadata that ``check_metadata`` passes
            (its date must be EDTF) or gives an ``id``.
    """
    unknown = sorted(set(map(str, data)) - {"each_line", "defaults", "lines"})
    if unknown:
        raise SidecarError(
            path,
            f"unknown key {unknown[0]!r}; a JSON-lines sidecar has each_line, defaults and "
            "lines (a source's metadata, access included, goes under them)",
        )
    each_line = data.get("each_line")
    if not isinstance(each_line, dict) or not each_line:
        raise SidecarError(path, "a JSON-lines sidecar needs an 'each_line' mapping")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise SidecarError(path, "'defaults' must be a mapping")
    check_metadata(defaults, path, "defaults: ")
    check_metadata(
        {k: v for k, v in each_line.items() if k != "text"}, path, "each_line: ", templates=True
    )
    text = each_line.get("text")
    if text is not None and (not isinstance(text, str) or _FIELD.search(text)):
        raise SidecarError(path, "'each_line.text' must name one field, e.g. 'text: content'")
    for key, value in each_line.items():
        if isinstance(value, dict) and (
            "from" not in value or not isinstance(value.get("map"), dict)
        ):
            raise SidecarError(path, f"'each_line.{key}' lookup needs 'from' and a 'map' mapping")
        if not isinstance(value, str | dict):
            raise SidecarError(path, f"'each_line.{key}' must be a template or a lookup")
    return LineMapping(
        each_line=dict(each_line),
        defaults=with_reliability(dict(defaults)),
        lines=_line_entries(data.get("lines"), path),
    )


def _line_entries(lines: Any, path: str) -> dict[str, dict[str, Any]]:
    """The checked ``lines`` of a JSON-lines sidecar, by source id.

    Raises:
        SidecarError: ``lines`` is not a mapping, or an entry is not a mapping of metadata
            ``check_metadata`` passes, or gives an ``id``.
    """
    if lines is None:
        return {}
    if not isinstance(lines, dict):
        raise SidecarError(path, "'lines' must map a line's source id to its metadata")
    entries: dict[str, dict[str, Any]] = {}
    for key, entry in lines.items():
        # YAML reads an id such as 2019 as a number; ids are text.
        source_id = str(key)
        if not isinstance(entry, dict):
            raise SidecarError(path, f"'lines.{source_id}' must be a mapping of metadata")
        if "id" in entry:
            raise SidecarError(
                path, f"lines: {source_id}: 'id' cannot be set here; the key is the line's id"
            )
        check_metadata(entry, path, f"lines: {source_id}: ")
        entries[source_id] = with_reliability(dict(entry))
    return entries


def _render(template: str, record: dict[str, Any]) -> str | None:
    names = _FIELD.findall(template)
    if names and all(record.get(name) in (None, "") for name in names):
        return None
    return _FIELD.sub(
        lambda m: "" if record.get(m.group(1)) is None else str(record[m.group(1)]), template
    )


def apply_line_mapping(
    mapping: LineMapping, record: dict[str, Any], path: str, line: int
) -> tuple[dict[str, Any], str | None]:
    """Map one JSON-lines record to metadata and text.

    Args:
        mapping: the file's mapping.
        record: the line's JSON object.
        path: the JSON-lines file, for messages.
        line: 1-based line number, for messages.

    Returns:
        ``(metadata, text)``: metadata with ``defaults`` under the line's own values (keys
        whose value is None are left out; an ``access`` of both is kept, the defaults' as
        ``file_access``), and the text named by ``each_line.text`` (None when the mapping has
        no ``text``).

    Raises:
        SidecarError: the named text field is missing or not a string.
    """
    metadata = dict(mapping.defaults)
    text: str | None = None
    for key, spec in mapping.each_line.items():
        if key == "text":
            value = record.get(spec)
            if not isinstance(value, str):
                raise SidecarError(path, f"line {line}: field {spec!r} (the text) is missing")
            text = value
            continue
        if isinstance(spec, dict):
            raw = record.get(spec["from"])
            table = {str(k): v for k, v in spec["map"].items()}
            value = table.get(str(raw)) if raw is not None else None
            value = None if value is None else str(value)
        else:
            value = _render(spec, record)
        if value is not None:
            metadata[key] = value
    if "access" in mapping.each_line and "access" in metadata:
        try:
            Access.parse(metadata["access"])
        except ValueError as exc:
            raise SidecarError(path, f"line {line}: access: {exc}") from exc
    _keep_file_rules(mapping, metadata, set(mapping.each_line))
    return metadata, text


def override_line(mapping: LineMapping, metadata: dict[str, Any], source_id: str) -> dict[str, Any]:
    """A line's metadata with its entry in ``lines`` over it.

    Args:
        mapping: the file's mapping.
        metadata: what ``apply_line_mapping`` gave the line.
        source_id: the line's source id.

    Returns:
        ``metadata`` itself when ``lines`` has no entry for the line; else a new mapping with
        the entry's values over it, ``file_access`` and ``file_collections`` set again as
        ``apply_line_mapping`` sets them.
    """
    entry = mapping.lines.get(source_id)
    if not entry:
        return metadata
    merged = {k: v for k, v in metadata.items() if k not in ("file_access", "file_collections")}
    merged.update(entry)
    _keep_file_rules(mapping, merged, set(mapping.each_line) | set(entry))
    return merged


def _keep_file_rules(mapping: LineMapping, metadata: dict[str, Any], own: set[str]) -> None:
    """Keep the file's access and collections in force beside a line's own (``own``: the
    keys the line gives itself, through ``each_line`` or ``lines``)."""
    if "access" in own and "access" in metadata and "access" in mapping.defaults:
        # The file's level stays in force beside the line's: the most restrictive wins, so
        # a line cannot loosen what its file's sidecar says.
        metadata["file_access"] = mapping.defaults["access"]
    for key in ("collection", "collections"):
        if key in mapping.defaults and metadata.get(key) != mapping.defaults[key]:
            # Likewise the collections the file's sidecar puts every line in: a collection's
            # access rule applies to the line even when the line names another collection.
            metadata.setdefault("file_collections", [])
            defaults = mapping.defaults[key]
            metadata["file_collections"] += defaults if isinstance(defaults, list) else [defaults]
