"""Redaction as removal: spans of text replaced by a placeholder of fixed form.

A placeholder never shows how long the withheld text was, nor a letter of it (a mask of the
same length invites matching against a public copy: froide #437): ``［姓名］`` in Chinese text,
``[name withheld]`` in other text, whatever the name. Overlapping and adjacent spans become one
placeholder. Strings to withhold are found on folded text (``privacy.fold``), so that a
decision about 阿依古丽·买买提 also withholds 阿依古丽・买买提, 阿依古丽-买买提, 阿依古丽 买买提
and 阿依古丽买买提, and one about 張秀蘭 withholds 张秀兰.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shiliao.privacy.fold import NAME_DOT, fold, invisible_class

__all__ = ["PLACEHOLDERS", "Span", "Withholding", "placeholder", "redact_text"]

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
_SEPARATORS = rf"[{NAME_DOT}\- \u3000]?"


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


class Withholding:
    """The strings to withhold from a source's texts, ready to be searched for.

    Args:
        strings: ``(text, kind)`` pairs; each text is matched on folded text, with any name
            separator (or none) where the text has one.
    """

    def __init__(self, strings: Iterable[tuple[str, str]]) -> None:
        kinds: dict[str, str] = {}
        for text, kind in strings:
            key = fold(text).strip()
            if key:
                kinds.setdefault(key, kind)
        # Longest first, so that a full name wins over its parts at the same place.
        self.keys = sorted(kinds, key=len, reverse=True)
        self._kinds = [kinds[key] for key in self.keys]
        # Between two characters of a withheld string, invisible characters may hide (周\u200b
        # 淑英 is 周淑英 to a reader), and so may a name separator where the string has one.
        hidden = f"[{invisible_class()}]*" if kinds else ""
        patterns = []
        for key in self.keys:
            pieces = [
                hidden.join(re.escape(c) for c in p)
                for p in re.split(_SEPARATORS[:-1] + "+", key)
                if p
            ]
            patterns.append(
                "(" + (f"{hidden}{_SEPARATORS}{hidden}".join(pieces) or re.escape(key)) + ")"
            )
        self._pattern = re.compile("|".join(patterns)) if patterns else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def spans(self, text: str) -> list[Span]:
        """Where the strings occur in ``text``, each with the kind given for it."""
        if self._pattern is None:
            return []
        return [
            Span(match.start(), match.end(), self._kinds[(match.lastindex or 1) - 1])
            for match in self._pattern.finditer(fold(text))
        ]

    def matched(self, text: str) -> set[str]:
        """Which of the strings (folded) occur in ``text``."""
        if self._pattern is None:
            return set()
        return {self.keys[(m.lastindex or 1) - 1] for m in self._pattern.finditer(fold(text))}


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
