"""Log entries: one canonical JSON object per line of ``log/entries.jsonl``.

A line, without its newline, is the entry's bytes: it is what the leaf hash covers
(``SHA-256(0x00 || line)``, RFC 9162 §2.1.1) and what a proof bundle carries. Example::

    {"data":{"path":"sources/2019-notice.html","sha256":"9f86…","sha512":"ee26…","source_id":"2019-notice"},"index":0,"kind":"file_captured","time":"2025-06-01T08:30:00.123456Z"}

Fields, all required, no others:

- ``index``: 0-based position in the log; equal to the line number minus one. Inside the hashed
  bytes, so a proof for entry 12 cannot be passed off as one for entry 13, and a deleted or
  moved line is named by the first index out of place.
- ``time``: when the entry was appended, UTC, RFC 3339 with microseconds and ``Z``. The
  appending machine's clock: a claim, not a trusted timestamp.
- ``kind``: what happened, ``[a-z][a-z0-9_]*``: ``file_captured``, ``metadata_edited``,
  ``source_deleted``, ``site_published``... New kinds need no change here.
- ``data``: a JSON object whose fields depend on the kind. ``file_captured`` carries at least
  ``source_id``, ``sha256`` and ``sha512`` (lowercase hex of the file's bytes) and ``path``;
  ``verify_proof_bundle`` checks a file against ``sha256`` and ``sha512``.

Canonical JSON here is ``json.dumps(obj, sort_keys=True, separators=(",", ":"),
ensure_ascii=False)`` encoded as UTF-8: no whitespace, keys sorted by code point, non-ASCII
text as itself (Chinese stays readable in the file). It is *not* RFC 8785 (JCS): JCS also
fixes how numbers are written and sorts keys by UTF-16 code units. shiliao sidesteps both
differences by refusing floats (write a decimal as a string) and NaN; keys are ASCII in
practice, where the two orders agree. A line is checked for canonical form when read, so the
file has exactly one spelling of each entry.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shiliao.errors import LogCorrupt, LogError
from shiliao.log.merkle import leaf_hash

__all__ = ["Entry", "canonical_json", "decode_entry", "encode_entry", "format_time"]

_KIND = re.compile(r"[a-z][a-z0-9_]{0,63}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z")
_FIELDS = {"index", "time", "kind", "data"}


@dataclass(frozen=True)
class Entry:
    """One log entry as stored.

    Attributes:
        index: 0-based position in the log.
        time: UTC RFC 3339 time it was appended (``"2025-06-01T08:30:00.123456Z"``).
        kind: what happened (``"file_captured"``...).
        data: the kind's fields.
        line: the canonical UTF-8 bytes of the line, without the newline: the leaf's entry.
        leaf_hash: ``SHA-256(0x00 || line)``, 32 bytes.
    """

    index: int
    time: str
    kind: str
    data: dict[str, Any]
    line: bytes
    leaf_hash: bytes


def format_time(moment: datetime) -> str:
    """A timezone-aware time as UTC RFC 3339 with microseconds: ``2025-06-01T08:30:00.000000Z``.

    Raises:
        LogError: the time has no timezone (a naive time would be read in local time).
    """
    if moment.tzinfo is None:
        raise LogError("a log time must be timezone-aware (use datetime.now(UTC))")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _check_json(value: Any, where: str) -> None:
    # Floats are refused because their decimal spelling differs between JSON writers (and
    # from JCS); a digest or a size never needs one.
    if isinstance(value, float):
        what = "NaN or infinity" if not math.isfinite(value) else "a float"
        raise LogError(f"{where} is {what}; log data holds strings, integers, booleans, null")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise LogError(f"{where} has a key that is not a string: {key!r}")
            _check_json(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for number, item in enumerate(value):
            _check_json(item, f"{where}[{number}]")
    elif not (value is None or isinstance(value, str | int | bool)):
        raise LogError(f"{where} is a {type(value).__name__}, which JSON cannot hold")


def canonical_json(value: Any) -> bytes:
    """``value`` as canonical JSON bytes (see the module docstring).

    Raises:
        LogError: the value holds a float, a non-string key, a type JSON cannot hold, or a lone
            surrogate (which has no UTF-8 encoding).
    """
    _check_json(value, "value")
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise LogError(f"log data holds text that is not valid Unicode: {exc}") from exc


def encode_entry(index: int, time: str, kind: str, data: dict[str, Any]) -> Entry:
    """Build an entry and its canonical line.

    Args:
        index: its 0-based position.
        time: UTC RFC 3339 time (``format_time``).
        kind: ``[a-z][a-z0-9_]*``, at most 64 characters.
        data: a JSON object: strings, integers, booleans, null, lists and objects.

    Raises:
        LogError: ``kind`` or ``data`` is not allowed (see ``canonical_json``).
    """
    if not isinstance(kind, str) or not _KIND.fullmatch(kind):
        raise LogError(f"log entry kind {kind!r} is not [a-z][a-z0-9_]* (at most 64 characters)")
    if not isinstance(data, dict):
        raise LogError(f"log entry data must be a JSON object, not {type(data).__name__}")
    line = canonical_json({"index": index, "time": time, "kind": kind, "data": data})
    # canonical_json checked the data; decode again so the entry holds what a reader will get.
    return Entry(index, time, kind, json.loads(line)["data"], line, leaf_hash(line))


def decode_entry(line: bytes) -> Entry:
    """Read one line (without its newline) back into an ``Entry``, checking its form.

    Raises:
        LogCorrupt: the line is not UTF-8 JSON, lacks or adds a field, has a field of the wrong
            type, or is not in canonical form (the message says which; no path or line number,
            which the caller adds).
    """
    try:
        value = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LogCorrupt(f"not a JSON log entry ({exc})") from exc
    if not isinstance(value, dict) or set(value) != _FIELDS:
        found = sorted(value) if isinstance(value, dict) else type(value).__name__
        raise LogCorrupt(f"a log entry has exactly index, time, kind, data; found {found}")
    index, time, kind, data = value["index"], value["time"], value["kind"], value["data"]
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise LogCorrupt(f"index {index!r} is not a non-negative integer")
    if not isinstance(time, str) or not _TIME.fullmatch(time):
        raise LogCorrupt(f"time {time!r} is not UTC RFC 3339 (…Z)")
    try:
        entry = encode_entry(index, time, kind, data)
    except LogError as exc:
        raise LogCorrupt(str(exc)) from exc
    if entry.line != line:
        raise LogCorrupt("the entry is not in canonical JSON form (the bytes were rewritten)")
    return entry
