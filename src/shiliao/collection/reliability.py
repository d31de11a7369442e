"""Reliability assessments: the Admiralty (NATO, STANAG 2511) code a team gives a source.

A sidecar (or a JSON-lines sidecar's ``defaults`` or ``each_line``) says::

    reliability: B2
    # or
    reliability: {source: B, information: 2, note: "Official report; figures unverified"}

The letter grades the source's reliability (A completely reliable ... F reliability cannot be
judged), the digit the credibility of the information (1 confirmed by other sources ... 6 truth
cannot be judged). Either form is normalised to ``{"source": "B", "information": 2}`` with
``"note"`` when one is given, kept as ``metadata["reliability"]``; its code is ``"B2"``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "INFORMATION_CREDIBILITY",
    "SOURCE_RELIABILITY",
    "parse_reliability",
    "reliability_code",
    "reliability_meaning",
]

SOURCE_RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
"""The letter of the Admiralty code: how reliable the source is."""

INFORMATION_CREDIBILITY = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}
"""The digit of the Admiralty code: how credible the information is."""

_CODE = re.compile(r"\s*([A-Za-z])\s*([0-9])\s*")
_FORMS = (
    "write a letter A-F and a digit 1-6, e.g. 'reliability: B2', or "
    "'reliability: {source: B, information: 2, note: ...}'"
)


def parse_reliability(value: Any) -> dict[str, Any]:
    """Normalise a reliability assessment as a sidecar gives it.

    Args:
        value: ``"B2"`` (any case, spaces allowed), or a mapping with ``source`` (A-F),
            ``information`` (1-6) and an optional ``note`` (text).

    Returns:
        ``{"source": "B", "information": 2}``, with ``"note"`` when a non-empty one is given.

    Raises:
        ValueError: the value is neither form, the letter is not A-F, the digit not 1-6, the
            mapping has another key, or the note is not text; the message says how to write it.
    """
    note = None
    if isinstance(value, str):
        match = _CODE.fullmatch(value)
        if match is None:
            raise ValueError(f"reliability {value!r} is not an Admiralty code; {_FORMS}")
        letter, digit = match.group(1), match.group(2)
    elif isinstance(value, Mapping):
        unknown = sorted(set(map(str, value)) - {"source", "information", "note"})
        if unknown:
            raise ValueError(f"reliability has no key {unknown[0]!r}; {_FORMS}")
        letter, digit = str(value.get("source") or ""), str(value.get("information") or "")
        note = value.get("note")
        if note is not None and not isinstance(note, str):
            raise ValueError("reliability: 'note' must be text")
    else:
        raise ValueError(f"reliability {value!r} is not an Admiralty code; {_FORMS}")
    letter = letter.strip().upper()
    if letter not in SOURCE_RELIABILITY:
        raise ValueError(f"reliability: source {letter or 'missing'!r} is not A-F; {_FORMS}")
    if digit.strip() not in {str(n) for n in INFORMATION_CREDIBILITY}:
        raise ValueError(f"reliability: information {digit or 'missing'!r} is not 1-6; {_FORMS}")
    normalised: dict[str, Any] = {"source": letter, "information": int(digit)}
    if note and note.strip():
        normalised["note"] = note.strip()
    return normalised


def reliability_code(value: Any) -> str | None:
    """``"B2"`` for a normalised assessment (``parse_reliability``); None for anything else."""
    if not isinstance(value, Mapping):
        return None
    letter, digit = value.get("source"), value.get("information")
    if letter in SOURCE_RELIABILITY and digit in INFORMATION_CREDIBILITY:
        return f"{letter}{digit}"
    return None


def reliability_meaning(value: Any) -> str | None:
    """``"B2 — usually reliable; probably true"`` for a normalised assessment, without its
    note; None for anything else."""
    code = reliability_code(value)
    if code is None:
        return None
    return (
        f"{code} — {SOURCE_RELIABILITY[value['source']]}; "
        f"{INFORMATION_CREDIBILITY[value['information']]}"
    )
