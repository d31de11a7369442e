"""Where a query matches in a passage, and keyword-in-context (KWIC) snippets around it.

Matching is done on the folded text, exactly as the index matches (``Query.matches``), and
the spans are mapped back to the ORIGINAL text with ``zh.fold.fold_with_offsets``: a Simplified
query highlights the Traditional characters the passage really has. Everything here returns
plain strings and offsets; text is data, so HTML (with escaping) is the caller's job.
"""

from __future__ import annotations

from dataclasses import dataclass

from shiliao.search.query import Query
from shiliao.zh.fold import fold_with_offsets, unit_pattern

__all__ = ["Kwic", "find_spans", "format_kwic_plain", "snippet"]


@dataclass(frozen=True)
class Kwic:
    """A match with its context, all slices of the original text.

    Attributes:
        left: up to ``width`` code points before the match.
        match: the matched text, as the original writes it.
        right: up to ``width`` code points after the match.
        char_start: offset of the match in the original text (code points).
        char_end: offset one past the match (code points).
        left_truncated: whether the text goes on before ``left``.
        right_truncated: whether the text goes on after ``right``.
    """

    left: str
    match: str
    right: str
    char_start: int
    char_end: int
    left_truncated: bool
    right_truncated: bool


def find_spans(text: str, query: Query) -> list[tuple[int, int]]:
    """Find every place where a unit of the query occurs in a text.

    Every occurrence of every unit counts, overlapping ones included (``哈哈`` occurs twice in
    ``哈哈哈``); spans that overlap are then merged, spans that only touch are not.

    Args:
        text: the original text.
        query: the parsed query.

    Returns:
        Half-open ``(char_start, char_end)`` spans of code points in ``text``, sorted,
        non-overlapping; empty when no unit occurs. ``text[start:end]`` is the original form
        of the match (Traditional, full-width...); a match that ends inside a character that
        NFKC expands (``一`` in ``㈠``) covers that whole character.
    """
    folded, offsets = fold_with_offsets(text)
    found: list[tuple[int, int]] = []
    for unit in query.units:
        pattern = unit_pattern(unit)
        match = pattern.search(folded)
        while match:
            at = match.start()
            found.append((offsets[at], offsets[at + len(unit) - 1] + 1))
            match = pattern.search(folded, at + 1)
    found.sort()
    spans: list[tuple[int, int]] = []
    for start, end in found:
        if spans and start < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def snippet(text: str, query: Query, width: int = 30) -> Kwic | None:
    """The first match of a query in a text, with context on both sides.

    Args:
        text: the original text.
        query: the parsed query.
        width: how much context on each side, in code points.

    Returns:
        The first span of ``find_spans`` with up to ``width`` code points on each side, or
        None when no unit of the query occurs in the text.
    """
    spans = find_spans(text, query)
    if not spans:
        return None
    start, end = spans[0]
    left_start = max(0, start - width)
    right_end = min(len(text), end + width)
    return Kwic(
        left=text[left_start:start],
        match=text[start:end],
        right=text[end:right_end],
        char_start=start,
        char_end=end,
        left_truncated=left_start > 0,
        right_truncated=right_end < len(text),
    )


def format_kwic_plain(
    kwic: Kwic, *, mark_open: str = "[", mark_close: str = "]", ellipsis: str = "…"
) -> str:
    """Format a snippet as one line of plain text, for a terminal.

    The format is ``…left[match]right…``: the match between ``mark_open`` and ``mark_close``,
    and ``ellipsis`` on a side only where the text goes on. Line breaks in the context become
    spaces, so the snippet stays on one line.

    Args:
        kwic: the snippet.
        mark_open: written before the match.
        mark_close: written after the match.
        ellipsis: written where the context was cut.

    Returns:
        The formatted line (not escaped for any markup).
    """
    left = (ellipsis if kwic.left_truncated else "") + kwic.left
    right = kwic.right + (ellipsis if kwic.right_truncated else "")
    line = f"{left}{mark_open}{kwic.match}{mark_close}{right}"
    return " ".join(line.splitlines())
