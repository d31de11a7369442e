"""Folding text for matching personal data: one code point in, one code point out.

Personal data is written in many forms that a reader takes as the same: full-width digits and
brackets (``１３８``, ``（０９９１）``), Traditional characters (``戶主張秀蘭``), and half a dozen
dots between the parts of a transliterated name (GB/T 15834-2011 §4.15 prescribes the 间隔号
U+00B7; ``・`` U+30FB, ``‧`` U+2027, ``•`` U+2022, ``．`` U+FF0E and ``∙`` U+2219 are all seen in
the wild). ``fold`` maps each code point on its own to the form detection works on:

1. ``zh.normalize.normalize_char`` (NFKC, lower case, Traditional to Simplified), kept only
   when it gives exactly one code point, so that ``fold(text)[i]`` always comes from
   ``text[i]`` and every offset found in the folded text is an offset in the original;
2. every dot variant to ``·``, every dash variant between name parts to ``-``.

Matches are found in ``fold(text)`` and reported with the original's characters.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from shiliao.zh.normalize import normalize, normalize_char

__all__ = ["NAME_DOT", "fold", "invisible_class"]

NAME_DOT = "·"
"""The one separator name parts are folded to (U+00B7 MIDDLE DOT)."""

_DOTS = "·・‧•．∙⋅･"
_DASHES = "-‐‑‒–—－﹣"


class _FoldTable(dict[int, str]):
    """``str.translate`` table filled on first use of each code point."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char in _DOTS:
            folded = NAME_DOT
        elif char in _DASHES:
            folded = "-"
        else:
            normalized = normalize_char(char)
            folded = normalized if len(normalized) == 1 else char
        self[code] = folded
        return folded


_TABLE = _FoldTable()
_MARKS = re.compile(f"[{re.escape(_DOTS + _DASHES)}]")


def fold(text: str) -> str:
    """Fold ``text`` for matching; the result has exactly ``len(text)`` code points.

    Args:
        text: any text (NFC or not).

    Returns:
        The folded text: ``fold("戶主張秀蘭")`` is ``"户主张秀兰"``, ``fold("１３８")`` is
        ``"138"``, ``fold("阿依古丽・买买提")`` is ``"阿依古丽·买买提"``.
    """
    # normalize's fast paths do the work; its result is this fold wherever it kept the length
    # and the text has no dot or dash.
    normalized = normalize(text)
    if len(normalized) != len(text):
        return text.translate(_TABLE)
    marks = list(_MARKS.finditer(text))
    if not marks:
        return normalized
    chars = list(normalized)
    for mark in marks:
        chars[mark.start()] = NAME_DOT if mark.group() in _DOTS else "-"
    return "".join(chars)


@functools.cache
def invisible_class() -> str:
    """A regular-expression character class body of every code point of the Basic
    Multilingual Plane that shows nothing of its own: format characters (zero-width space and
    joiner, soft hyphen, bidi marks: Unicode category Cf) and combining marks (Mn, Me). Made
    once, on first use."""
    return "".join(
        re.escape(chr(code))
        for code in range(0x10000)
        if unicodedata.category(chr(code)) in ("Cf", "Mn", "Me")
    )
