"""Vertical writing in reading order: columns top to bottom, right to left, in bands.

Chinese and Japanese set vertically run in columns, each read top to bottom, the columns right
to left; a page may hold several tiers of columns (a newspaper), read top tier first. A page's
text comes as pieces: parts of columns, and horizontal lines (a running head, a page number).
Pieces are grouped into bands, those whose heights overlap, top band first; within a band they
are read right to left, and pieces of one column (overlapping widths) top first.

Consecutive column pieces are joined into paragraphs as printed lines are
(``paragraphs.join_lines``), turned a quarter: a column's start edge is its top, its end edge
its foot, its height the column's width. A column that reaches the band's foot without ending a
sentence runs on into the next, unless that one starts lower (an indent). A horizontal piece is
a paragraph of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shiliao.extract.paragraphs import Line, join_lines

__all__ = ["Piece", "read_vertical"]


@dataclass(frozen=True)
class Piece:
    """A run of text on a page: part of a column, or a horizontal line.

    Attributes:
        text: its characters, stripped.
        left: x of its left edge, in any unit that grows to the right.
        top: y of its top edge, in the same unit, growing downward (pixels; PDF points
            negated).
        right: x of its right edge.
        bottom: y of its bottom edge.
        vertical: whether it is (part of) a column.
    """

    text: str
    left: float
    top: float
    right: float
    bottom: float
    vertical: bool


def read_vertical(pieces: Sequence[Piece]) -> tuple[list[int], list[str]]:
    """Put a vertical page's pieces in reading order and join them into paragraphs.

    Args:
        pieces: the page's pieces, in any order.

    Returns:
        The indexes of ``pieces`` in reading order (every one once), and the paragraphs in
        reading order (see the module docstring).
    """
    bands: list[list[int]] = []
    floor = 0.0
    for index in sorted(range(len(pieces)), key=lambda i: pieces[i].top):
        piece = pieces[index]
        if bands and piece.top < floor:
            bands[-1].append(index)
            floor = max(floor, piece.bottom)
        else:
            bands.append([index])
            floor = piece.bottom
    order: list[int] = []
    paragraphs: list[str] = []
    for band in bands:
        columns: list[list[int]] = []
        for index in sorted(band, key=lambda i: -pieces[i].right):
            if columns and pieces[index].right > min(pieces[i].left for i in columns[-1]):
                columns[-1].append(index)
            else:
                columns.append([index])
        ordered = [i for column in columns for i in sorted(column, key=lambda i: pieces[i].top)]
        order += ordered
        run: list[Piece] = []
        for index in ordered:
            if pieces[index].vertical:
                run.append(pieces[index])
                continue
            paragraphs += _joined(run)
            run = []
            paragraphs.append(pieces[index].text)
        paragraphs += _joined(run)
    return order, [paragraph for paragraph in paragraphs if paragraph]


def _joined(columns: list[Piece]) -> list[str]:
    return join_lines(
        [Line(piece.text, piece.top, piece.bottom, piece.right - piece.left) for piece in columns]
    )
