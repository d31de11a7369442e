"""Detection of personal data in a source: every text of it read once, at ingest.

``detect`` finds, in one text, resident ID numbers, phone numbers, e-mail addresses, licence
plates (``numbers``), street addresses with a house number (``addresses``) and personal names
(``names``). ``detect_source`` runs it over every text of a source (its passages, title, path
and metadata values), then finds each private name found with a cue wherever else the source
uses it, parts included (``names.propagate``), and gives each finding a stable key.

Bump ``DETECTOR_VERSION`` whenever what is detected changes: an archive whose findings were
made by another version has them made again on the next build.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from shiliao.model import Finding, Passage, Source
from shiliao.privacy.addresses import find_addresses
from shiliao.privacy.fold import fold, invisible_class
from shiliao.privacy.names import find_names, propagate
from shiliao.privacy.numbers import iter_codes

__all__ = [
    "CONTEXT_CHARS",
    "DETECTOR_VERSION",
    "Detection",
    "detect",
    "detect_source",
    "finding_key",
    "source_texts",
]

DETECTOR_VERSION = "1"
CONTEXT_CHARS = 20
"""Characters of context kept on each side of a finding."""

# What the archive writes into a source's metadata itself; none of it is read for names.
_OWN_KEYS = frozenset(
    {
        "access",
        "file_access",
        "file_collections",
        "also_named",
        "language_declared",
        "extracted_encoding",
        "http_status",
        "image_size",
        "warc_offset",
        "warc_file",
        "truncated",
        "needs_review",
        "warnings",
        "text_cleaned",
        "exif_datetime",
        "date",
        "captured",
    }
)


@dataclass(frozen=True)
class Detection:
    """Personal data found in one text.

    Attributes:
        kind: one of ``model.FINDING_KINDS``.
        start: offset of its first character (code points).
        end: offset one past its last character.
        text: what was found, as written.
        role: ``"private"`` or ``"public"``.
        reason: what decided it.
    """

    kind: str
    start: int
    end: int
    text: str
    role: str
    reason: str


@functools.cache
def _hiding() -> re.Pattern[str]:
    """What hides a name from the detectors without changing what a reader sees: invisible
    characters anywhere, and a space between two Han characters (户主 张秀兰, 王　芳 in a
    form). Compiled on first use: the class takes a scan of the whole BMP."""
    return re.compile(
        f"[{invisible_class()}]+|(?<=[\\u3400-\\u9fff])[^\\S\\n]+(?=[\\u3400-\\u9fff])"
    )


def _visible(text: str) -> tuple[str, list[int]] | None:
    """``text`` without what ``_hiding`` matches, and the original offset of each character
    kept; None when there is nothing to take out."""
    hiding = _hiding()
    if not hiding.search(text):
        return None
    kept, offsets, position = [], [], 0
    for match in hiding.finditer(text):
        kept.append(text[position : match.start()])
        offsets.extend(range(position, match.start()))
        position = match.end()
    kept.append(text[position:])
    offsets.extend(range(position, len(text)))
    return "".join(kept), offsets


def detect(text: str, today: datetime.date | None = None) -> list[Detection]:
    """Every piece of personal data the detectors find in ``text``.

    Args:
        text: one passage, title or value.
        today: the latest birth date a resident ID number may give (default: today).

    Returns:
        Detections in text order. Numbers and addresses are private; a name is private
        unless its context gives it a public role (``names.find_names``). A name inside an
        address or a number is left to the address. Invisible characters and spaces between
        Han characters do not hide anything: the text is read without them, and each span is
        given back in ``text``'s own offsets.
    """
    visible = _visible(text)
    if visible is None:
        return _detect(text, today)
    clean, offsets = visible
    return [
        Detection(
            d.kind,
            offsets[d.start],
            offsets[d.end - 1] + 1,
            text[offsets[d.start] : offsets[d.end - 1] + 1],
            d.role,
            d.reason,
        )
        for d in _detect(clean, today)
    ]


def _detect(text: str, today: datetime.date | None) -> list[Detection]:
    folded = fold(text)
    found = [
        Detection(code.kind, code.start, code.end, code.text, "private", "pattern")
        for code in iter_codes(text, today, folded)
    ]
    found += [
        Detection("address", match.start, match.end, match.text, "private", "house number")
        for match in find_addresses(text, folded)
    ]
    taken = [(d.start, d.end) for d in found]
    for name in find_names(text, folded):
        if not any(start < name.end and name.start < end for start, end in taken):
            found.append(Detection("name", name.start, name.end, name.text, name.role, name.reason))
    return sorted(found, key=lambda d: (d.start, d.end))


def finding_key(source_id: str, field: str, kind: str, text: str, context: str) -> str:
    """The stable key of a finding: ``f-`` and 12 hex digits of SHA-256 over the source, the
    kind of place (a passage's text, the title, a metadata key), the kind, and the folded text
    and context, so that it is the same after a rebuild or a re-extraction that leaves the
    words as they were."""
    place = "text" if field == "text" else field
    blob = "\x1f".join((source_id, place, kind, fold(text), fold(context)))
    return "f-" + hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]


def _context(text: str, start: int, end: int) -> str:
    return text[max(0, start - CONTEXT_CHARS) : end + CONTEXT_CHARS]


def _metadata_strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        # An address is read as a reader sees it: percent-encoded Chinese decoded.
        yield path, unquote(value) if path.endswith(".url") or "%" in value else value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        # YAML reads a phone or ID number written bare as a number.
        yield path, str(value)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            # A key is shown too (extra: {户主吐尔洪: 走访对象}).
            yield f"{path}.{key}", str(key)
            yield from _metadata_strings(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for number, item in enumerate(value):
            yield from _metadata_strings(item, f"{path}[{number}]")


def source_texts(
    source: Source, passages: Sequence[Passage]
) -> list[tuple[str, str, Passage | None]]:
    """Every text of a source that is read for personal data, and shown somewhere.

    Returns:
        ``(field, text, passage)`` triples: each passage (field ``"text"``), the title, the
        path, and each string of the metadata (``metadata.<key>``, nested keys and list
        items included), except the values the archive writes itself (``_OWN_KEYS``).
    """
    texts: list[tuple[str, str, Passage | None]] = [("text", p.text, p) for p in passages]
    texts.append(("title", source.title, None))
    texts.append(("path", source.path, None))
    for key, value in source.metadata.items():
        if key not in _OWN_KEYS:
            texts += [
                (field, text, None) for field, text in _metadata_strings(value, f"metadata.{key}")
            ]
    return texts


def detect_source(
    source: Source, passages: Sequence[Passage], today: datetime.date | None = None
) -> list[Finding]:
    """Every finding of one source, keyed, in the order of its texts.

    Args:
        source: the stored source.
        passages: its passages (with their database ids, when stored).
        today: as for ``detect``.

    Returns:
        ``Finding`` values: what ``detect`` finds in each text of ``source_texts``, then every
        other occurrence of a private name found there (and of its parts), with the reason
        ``"same name as <reason>"``. One finding per key and span.
    """
    texts = source_texts(source, passages)
    per_text = [detect(text, today) for _, text, _ in texts]
    private = {
        d.text: d.reason
        for found in per_text
        for d in found
        if d.kind == "name" and d.role == "private"
    }
    if private:
        spans = propagate([text for _, text, _ in texts], private)
        for found, (_, text, _), extra in zip(per_text, texts, spans, strict=True):
            for start, end in extra:
                if not any(d.start < end and start < d.end for d in found):
                    found.append(
                        Detection("name", start, end, text[start:end], "private", "same name")
                    )
            found.sort(key=lambda d: (d.start, d.end))
    findings: list[Finding] = []
    seen: set[tuple[str, str, int, int]] = set()
    for (field, text, passage), found in zip(texts, per_text, strict=True):
        for d in found:
            context = _context(text, d.start, d.end)
            key = finding_key(source.id, field, d.kind, d.text, context)
            if (key, field, d.start, d.end) in seen:
                continue
            seen.add((key, field, d.start, d.end))
            findings.append(
                Finding(
                    key=key,
                    source_id=source.id,
                    field=field,
                    char_start=d.start,
                    char_end=d.end,
                    kind=d.kind,
                    text=d.text,
                    role=d.role,
                    reason=d.reason,
                    context=context,
                    paragraph=passage.paragraph if passage else None,
                    passage_id=passage.id if passage else None,
                )
            )
    return findings
