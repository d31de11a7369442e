"""The collection's privacy files: the editors' decisions (``privacy.yaml``) and the public
persons (``people.yaml``), both reviewable in git like the rest of the collection.

``privacy.yaml`` is a list of decisions, each a mapping::

    - text: 阿依古丽·买买提      # a string, matched in every form a reader takes as the same
      kind: name                 # optional: name, phone, resident_id, email, address...
      decision: redact           # redact | public | not-personal
      source: visit-2018         # optional: only in this source
      note: the relative the post pairs the cadre with
      by: alice
      date: 2026-12-03
    - finding: f-3a9c01d2e4b5   # one finding (its key from `shiliao privacy scan`)
      decision: public
    - source: visit-2018         # a whole source read by an editor: what is not decided
      decision: checked          # otherwise is fine, and its original may be offered
    - source: photo-12           # part of a picture (a face, a name tag): left, top, right,
      region: [0.1, 0.2, 0.4, 0.7]   # bottom as fractions of its width and height, painted
      page: 1                    # over in the public copy (page: a PDF's page, default 1)
      decision: redact

``people.yaml`` lists the people the archive names in a public role (officials, authors), as
strings or ``{name, note}`` mappings; their names are never withheld by default.

Unknown keys and values are errors naming the file and line: a misspelt ``decison`` must not
leave a name published.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from shiliao.collection.writing import replace_text
from shiliao.collection.yamlfile import load_entries, load_list
from shiliao.errors import CollectionError
from shiliao.model import DECISIONS, FINDING_KINDS, Decision

__all__ = [
    "DECISIONS_FILE",
    "PEOPLE_FILE",
    "append_decision",
    "read_decisions",
    "read_people",
]

DECISIONS_FILE = "privacy.yaml"
PEOPLE_FILE = "people.yaml"
_DECISION_KEYS = ("text", "finding", "source", "kind", "decision", "note", "by", "date")
_REGION_KEYS = ("region", "page")
_HEADER = (
    "# Privacy decisions of this collection: what is withheld from every public output, and\n"
    "# what is a public role. `shiliao privacy decide` appends here; edit it by hand too.\n"
    "# decision: redact | public | not-personal (for a text or a finding), checked (a source).\n"
)


def _string(value: Any, where: str, key: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise CollectionError(f"{where}: '{key}' must be a string")
    text = str(value).strip()
    if not text:
        raise CollectionError(f"{where}: '{key}' is empty")
    return text


def read_decisions(text: str, path: str) -> list[Decision]:
    """Parse ``privacy.yaml``.

    Args:
        text: the file's text.
        path: its path, for messages.

    Returns:
        The decisions in file order, each with its line.

    Raises:
        CollectionError: invalid YAML, an entry that is not a mapping, an unknown key, an
            unknown decision or kind, a decision without ``text``, ``finding`` or ``source``,
            a ``checked`` without ``source``, or two decisions that contradict each other (the
            same text or finding, in the same scope, decided two ways).
    """
    decisions: list[Decision] = []
    seen: dict[tuple[str | None, str | None, str | None], Decision] = {}
    for _, line, entry in load_entries(text, path, "entries"):
        where = f"{path}:{line}"
        unknown = sorted(set(map(str, entry)) - set(_DECISION_KEYS) - set(_REGION_KEYS))
        if unknown:
            raise CollectionError(
                f"{where}: unknown key {unknown[0]!r}; a decision has "
                f"{', '.join(_DECISION_KEYS + _REGION_KEYS)}"
            )
        values = {key: _string(entry.get(key), where, key) for key in _DECISION_KEYS}
        region, page = _region(entry, where)
        if region is not None and (
            values["decision"] != "redact"
            or values["source"] is None
            or values["text"]
            or values["finding"]
        ):
            raise CollectionError(
                f"{where}: a region is a redact decision with a source and nothing else"
            )
        decision = values["decision"]
        if decision not in DECISIONS:
            raise CollectionError(
                f"{where}: decision {decision!r} is not one of {', '.join(DECISIONS)}"
            )
        if values["kind"] is not None and values["kind"] not in FINDING_KINDS:
            raise CollectionError(
                f"{where}: kind {values['kind']!r} is not one of {', '.join(FINDING_KINDS)}"
            )
        if decision == "checked":
            if values["source"] is None or values["text"] or values["finding"]:
                raise CollectionError(f"{where}: 'checked' takes a source and nothing else")
        elif region is None and (values["text"] is None) == (values["finding"] is None):
            raise CollectionError(f"{where}: a {decision} decision names a text or a finding")
        parsed = Decision(
            decision=decision,
            text=values["text"],
            finding=values["finding"],
            source=values["source"],
            kind=values["kind"],
            note=values["note"],
            by=values["by"],
            date=values["date"],
            region=region,
            page=page,
            line=line,
        )
        scope = (
            values["text"],
            values["finding"],
            values["source"] if region is None else f"{values['source']}:{region}",
        )
        earlier = seen.get(scope)
        if earlier is not None and earlier.decision != decision:
            raise CollectionError(
                f"{where}: contradicts line {earlier.line} ({earlier.decision} there, "
                f"{decision} here); keep one"
            )
        seen[scope] = parsed
        decisions.append(parsed)
    return decisions


def _region(
    entry: dict[str, Any], where: str
) -> tuple[tuple[float, float, float, float] | None, int]:
    region, page = entry.get("region"), entry.get("page", 1)
    if region is None:
        if "page" in entry:
            raise CollectionError(f"{where}: 'page' goes with a 'region'")
        return None, 1
    if (
        not isinstance(region, list)
        or len(region) != 4
        or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1 for v in region
        )
        or not (region[0] < region[2] and region[1] < region[3])
    ):
        raise CollectionError(
            f"{where}: a region is [left, top, right, bottom], fractions of the width and "
            "height from 0 to 1, left < right and top < bottom"
        )
    if not isinstance(page, int) or isinstance(page, bool) or page < 1:
        raise CollectionError(f"{where}: 'page' is a page number from 1")
    return (float(region[0]), float(region[1]), float(region[2]), float(region[3])), page


def read_people(text: str, path: str) -> list[str]:
    """Parse ``people.yaml``: the names of people in a public role.

    Returns:
        The names, in file order.

    Raises:
        CollectionError: invalid YAML, or an entry that is neither a name nor a mapping with
            ``name`` (and optionally ``note``).
    """
    names = []
    for number, entry in enumerate(load_list(text, path, "entries"), start=1):
        if isinstance(entry, dict):
            line = entry.pop("__line__", number)
            unknown = sorted(set(map(str, entry)) - {"name", "note"})
            if unknown or not entry.get("name"):
                raise CollectionError(
                    f"{path}:{line}: a person is a name, or {{name, note}}"
                    + (f" (unknown key {unknown[0]!r})" if unknown else "")
                )
            names.append(str(entry["name"]).strip())
        elif isinstance(entry, str) and entry.strip():
            names.append(entry.strip())
        else:
            raise CollectionError(f"{path}: entry {number}: a person is a name, or {{name, note}}")
    return names


def append_decision(collection_dir: Path, decision: Decision) -> Path:
    """Append a decision to ``COLLECTION/privacy.yaml`` (created with a header when missing),
    keeping what is there, atomically; the new file must parse.

    Args:
        collection_dir: the collection folder.
        decision: the decision (its ``line`` is ignored).

    Returns:
        The file's path.

    Raises:
        CollectionError: the folder is not a collection, the file does not parse, or the new
            decision contradicts one already there.
        OSError: the file cannot be written.
    """
    collection_dir = Path(collection_dir)
    if not (collection_dir / "sources").is_dir():
        raise CollectionError(
            f"{collection_dir}: not a collection folder (no sources/); give the folder that "
            "holds sources/"
        )
    path = collection_dir / DECISIONS_FILE
    original = path.read_text(encoding="utf-8") if path.exists() else _HEADER
    lines = []
    for key in _DECISION_KEYS + _REGION_KEYS:
        value = getattr(decision, key)
        if key == "page" and decision.region is None:
            continue
        if value is not None:
            # A JSON string is a valid YAML flow scalar, quoted and escaped.
            lines.append(
                f"{'- ' if not lines else '  '}{key}: {json.dumps(value, ensure_ascii=False)}"
            )
    text = original + ("" if original.endswith("\n") else "\n") + "\n".join(lines) + "\n"
    read_decisions(text, str(path))
    replace_text(path, text)
    return path
