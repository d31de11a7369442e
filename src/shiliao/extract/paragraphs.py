"""Visual lines into paragraphs, for the text of PDF pages and OCR'd images.

A PDF text layer and an OCR engine give one string per printed line, and Chinese text wraps
anywhere, even inside a number (``1982`` / ``年12月4日``); a phrase split across two lines is in
no passage whole, so no search finds it. Lines are therefore joined when the layout says the
paragraph runs on:

- the line spans the text block: it reaches the block's end edge (the right edge; the left
  edge for right-to-left Arabic-script lines) within 1.5 times the line height, and starts
  within three line heights of its start edge (a first-line indent is two characters); and at
  least one other line of the page reaches the end edge too (one long line among short ones is
  no justified block; the words of a sign or a form are no paragraph);
- it does not end a sentence (``。！？；：…`` and their ASCII forms, before any closing quotes);
- the next line is not indented by more than a line height (Chinese paragraphs open with a
  two-character indent), runs in the same direction, and does not open an article or list item
  (``第十条``, ``一、``, ``（一）``, ``1.``, ``①``, ``附件``).

Joined lines meet without a space when either side is a wide (CJK) character, with one space
otherwise; a line ending in a Latin hyphen meets the next with nothing between.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Line", "ends_sentence", "join_lines", "joint", "opens_item"]

_SENTENCE_END = frozenset("。！？；：…!?;:")
_CLOSING_QUOTES = "”’」』\"'"
_ITEM_START = re.compile(
    r"(?:第[一二三四五六七八九十百千零〇两\d]+[条章节款编篇项部]"
    r"|[一二三四五六七八九十]+[、.．]"
    r"|[（(][一二三四五六七八九十\d]+[)）]"
    r"|\d+[.．、)）](?!\d)"
    r"|[①-⒇]"
    r"|附件|附表|附[:：]|注[:：]"
    r"|[•·●■◆▪]\s?)"
)
# Hebrew, Arabic, Syriac, Thaana, NKo... and their presentation forms: a line without any
# of these is left to right, and needs no look at each character's bidirectional class.
_RIGHT_TO_LEFT_BLOCKS = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# How far from the block's end edge a line may stop and still reach it, in line heights: a
# line may end a character early (punctuation cannot start a line) or end in narrow digits.
_END_TOLERANCE = 1.5
# The deepest indent, in line heights, of a line that belongs to a paragraph.
_INDENT_LIMIT = 3


@dataclass(frozen=True)
class Line:
    """One printed line, with where it lies across the page.

    Attributes:
        text: the line's text.
        left: x of its left edge, in any unit that grows to the right (PDF points, pixels).
        right: x of its right edge, same unit.
        height: its height (about the font size), same unit.
    """

    text: str
    left: float
    right: float
    height: float


def join_lines(lines: Sequence[Line]) -> list[str]:
    """Join a page's lines into paragraphs (rules in the module docstring).

    Args:
        lines: the page's lines in reading order; blank ones are dropped.

    Returns:
        The paragraphs in reading order, each the stripped texts of its lines joined; as many
        as the lines when the layout shows no paragraph running over a line end.
    """
    lines = [
        Line(line.text.strip(), line.left, line.right, line.height)
        for line in lines
        if line.text.strip()
    ]
    if len(lines) < 2:
        return [line.text for line in lines]
    em = statistics.median(line.height for line in lines)
    block_left = min(line.left for line in lines)
    block_right = max(line.right for line in lines)
    rtl = [_is_right_to_left(line.text) for line in lines]

    def reaches_end(index: int) -> bool:
        line = lines[index]
        if rtl[index]:
            return line.left <= block_left + _END_TOLERANCE * em
        return line.right >= block_right - _END_TOLERANCE * em

    def spans(index: int) -> bool:
        line = lines[index]
        if rtl[index]:
            return line.right >= block_right - _INDENT_LIMIT * em
        return line.left <= block_left + _INDENT_LIMIT * em

    def indented(index: int) -> bool:
        line = lines[index]
        if rtl[index]:
            return line.right < block_right - em
        return line.left > block_left + em

    at_end = [reaches_end(index) for index in range(len(lines))]
    paragraphs = [lines[0].text]
    for index in range(1, len(lines)):
        previous, line = lines[index - 1].text, lines[index].text
        runs_on = (
            at_end[index - 1]
            and spans(index - 1)
            and sum(at_end) >= 2
            and rtl[index - 1] == rtl[index]
            and not ends_sentence(previous)
            and not indented(index)
            and not opens_item(line)
        )
        if runs_on:
            paragraphs[-1] += joint(previous, line) + line
        else:
            paragraphs.append(line)
    return paragraphs


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends a sentence: ``。！？；：…`` or their ASCII forms, before any
    closing quotes."""
    stripped = text.rstrip(_CLOSING_QUOTES)
    return bool(stripped) and stripped[-1] in _SENTENCE_END


def opens_item(text: str) -> bool:
    """Whether ``text`` opens an article or a list item (``第十条``, ``一、``, ``（一）``,
    ``1.``, ``①``, ``附件``, a bullet)."""
    return _ITEM_START.match(text) is not None


def joint(before: str, after: str) -> str:
    """What goes between two stripped lines joined into one paragraph: nothing when either
    side is a wide (CJK) character or ``before`` ends a hyphenated Latin word, else a space."""
    if _is_wide(before[-1]) or _is_wide(after[0]):
        return ""
    if before.endswith("-") and before[-2:-1].isalpha():
        return ""
    return " "


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _is_right_to_left(text: str) -> bool:
    """Whether most of the line's letters are of a right-to-left script (Arabic, Hebrew)."""
    if _RIGHT_TO_LEFT_BLOCKS.search(text) is None:
        return False
    rtl = ltr = 0
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            rtl += 1
        elif direction == "L":
            ltr += 1
    return rtl > ltr
