"""Redaction as removal: spans of text replaced by a placeholder of fixed form.

A placeholder never shows how long the withheld text was, nor a letter of it (a mask of the
same length invites matching against a public copy: froide #437): ``［姓名］`` in Chinese text,
``[name withheld]`` in other text, whatever the name. Overlapping and adjacent spans become one
placeholder. Strings to withhold are found however they are written (``Withholding``): a
decision about 阿依古丽·买买提 also withholds 阿依古丽・买买提, 阿依古丽-买买提, 阿依古丽 买买提
and 阿依古丽买买提, and one about 張秀蘭 withholds 张秀兰.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ahocorasick

from shiliao.privacy.fold import NAME_DOT, fold, invisible_class

__all__ = ["PLACEHOLDERS", "Span", "Withholding", "compact", "placeholder", "redact_text"]

PLACEHOLDERS = {
    "name": ("［姓名］", "[name withheld]"),
    "resident_id": ("［身份证号］", "[ID number withheld]"),
    "phone": ("［电话］", "[phone number withheld]"),
    "email": ("［电子邮件］", "[e-mail withheld]"),
    "licence_plate": ("［车牌］", "[licence plate withheld]"),
    "address": ("［地址］", "[address withheld]"),
    "other": ("［已隐去］", "[withheld]"),
}
"""Kind -> (the placeholder in Chinese text, in other text)."""

_HAN = re.compile(r"[\u3400-\u9fff]")


def placeholder(kind: str, chinese: bool) -> str:
    """The placeholder of a kind of data (``other`` for an unknown kind), in Chinese text or
    not."""
    zh, en = PLACEHOLDERS.get(kind, PLACEHOLDERS["other"])
    return zh if chinese else en


@dataclass(frozen=True)
class Span:
    """A span to withhold: ``[start, end)`` in code points, and its kind."""

    start: int
    end: int
    kind: str


@functools.cache
def _gaps() -> re.Pattern[str]:
    """What may stand between two characters of a withheld string without changing it for a
    reader: name separators, dots, hyphens, spaces of every width, invisible characters."""
    return re.compile(f"[{invisible_class()}{re.escape(NAME_DOT)}\\s\\-.‧]+")


def compact(text: str) -> tuple[str, list[int]]:
    """``fold(text)`` without the gaps of ``_gaps``, and the original offset of each character
    kept."""
    folded = fold(text)
    kept, offsets, position = [], [], 0
    for match in _gaps().finditer(folded):
        kept.append(folded[position : match.start()])
        offsets.extend(range(position, match.start()))
        position = match.end()
    kept.append(folded[position:])
    offsets.extend(range(position, len(folded)))
    return "".join(kept), offsets


class Withholding:
    """The strings to withhold from a source's texts, ready to be searched for.

    Strings and texts are compared compacted (``compact``: folded, with no separator, dot,
    hyphen, space or invisible character), so that 阿依古丽·买买提 withholds 阿依古丽 买买提
    and 阿依古丽买买提, 13912345678 withholds 139-1234-5678, and 周淑英 withholds 周\\u200b淑英;
    one Aho-Corasick pass over a text finds every string, however many there are.

    Args:
        strings: ``(text, kind)`` pairs.
    """

    def __init__(self, strings: Iterable[tuple[str, str]]) -> None:
        kinds: dict[str, str] = {}
        for text, kind in strings:
            key = compact(text)[0]
            if key:
                kinds.setdefault(key, kind)
        self.keys = set(kinds)
        # Every string found so far, in any text given to ``spans`` or ``matched``.
        self.seen: set[str] = set()
        self._automaton = None
        if kinds:
            self._automaton = ahocorasick.Automaton()
            for key, kind in kinds.items():
                self._automaton.add_word(key, (key, kind))
            self._automaton.make_automaton()

    @staticmethod
    def key(text: str) -> str:
        """A text as the strings are compared: compacted."""
        return compact(text)[0]

    def _found(self, text: str) -> list[tuple[int, int, str, str]]:
        if self._automaton is None or not text:
            return []
        compacted, offsets = compact(text)
        found = [
            (offsets[last + 1 - len(key)], offsets[last] + 1, key, kind)
            for last, (key, kind) in self._automaton.iter(compacted)
        ]
        self.seen.update(key for _, _, key, _ in found)
        return found

    def spans(self, text: str) -> list[Span]:
        """Where the strings occur in ``text`` (overlapping occurrences included: redaction
        merges them), each with the kind given for it."""
        return [Span(start, end, kind) for start, end, _, kind in self._found(text)]

    def matched(self, text: str) -> set[str]:
        """Which of the strings (compacted) occur in ``text``."""
        return {key for _, _, key, _ in self._found(text)}


def redact_text(text: str, spans: Sequence[Span]) -> tuple[str, Counter[str]]:
    """Replace spans of ``text`` by placeholders.

    Args:
        text: the text as written.
        spans: what to withhold; they may overlap or touch, and come in any order.

    Returns:
        ``(redacted, counts)``: the text with each run of overlapping or touching spans
        replaced by one placeholder (of the kind of its longest span; Chinese when the text
        has Han characters), and how many placeholders of each kind were put in.
    """
    if not spans:
        return text, Counter()
    chinese = bool(_HAN.search(text))
    merged: list[list] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.end <= span.start:
            continue
        if merged and span.start <= merged[-1][1]:
            last = merged[-1]
            if span.end - span.start > last[3]:
                last[2], last[3] = span.kind, span.end - span.start
            last[1] = max(last[1], span.end)
        else:
            merged.append([span.start, span.end, span.kind, span.end - span.start])
    out, counts, position = [], Counter(), 0
    for start, end, kind, _ in merged:
        out.append(text[position:start])
        out.append(placeholder(kind, chinese))
        counts[kind] += 1
        position = end
    out.append(text[position:])
    return "".join(out), counts
