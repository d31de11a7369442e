"""A PDF page's text layer read with its geometry: reading order and glyphs that do not draw.

PDFium gives a page's characters with a box each, and breaks the text at each printed line
(CR LF). The lines are joined into paragraphs by their positions (``paragraphs.join_lines``),
using the loose boxes of each line's first and last characters.

Vertical writing. Chinese and Japanese set vertically run in columns, top to bottom, the
columns right to left. PDFium orders such a page's columns left to right when the font writes
vertically (WMode 1, ``Identity-V`` or ``UniGB-UCS2-V``), and in content-stream order when
each character is placed by itself: neither is the reading order. A page is vertical when most
of its East Asian letters follow the one before by stepping down the same column
(``_is_vertical``). Its characters are then cut into column pieces wherever one does not stand
below the one before, and read in the order of ``columns.read_vertical``: bands top first,
columns right to left, joined into paragraphs as lines are, turned a quarter. A horizontal
line on a vertical page (a running head: three characters or more side by side) is a piece of
its own.

Glyphs that do not draw. A font that the PDF does not embed is drawn with a system font that
has its characters; when none has them (a CJK font on a system without fonts-noto-cjk), PDFium
substitutes a Latin font and the characters draw as nothing. Their text layer may be right, but
the page's picture (what OCR and a public copy see) is blank where they stand. Such a character
has a tight box (PDFium's box around the glyph's outline) of no height: under 1 % of its font
size, where the thinnest real glyph (一, an underscore, a dash) is 3 %. Text drawn invisible
(render mode 3 or 7: the text layer an OCR program lays over a scan, often in a font of empty
glyphs) is meant not to draw, and is not counted.
"""

from __future__ import annotations

import ctypes
import itertools
import unicodedata
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from shiliao.errors import ExtractError
from shiliao.extract.columns import Piece, read_vertical
from shiliao.extract.decode import normalize_text
from shiliao.extract.paragraphs import Line, join_lines
from shiliao.extract.plausibility import script_family

__all__ = ["PageTextLayer", "read_text_layer"]

# A character's box in PDF points: (left, bottom, right, top), y growing upward.
_Box = tuple[float, float, float, float]

# A glyph whose outline is lower than this share of its font size draws nothing.
_EMPTY_GLYPH_SHARE = 0.01
# Only glyphs lower than this (points) have their font size looked up.
_THIN_GLYPH_PT = 1.0
# Render modes that draw nothing by design (ISO 32000-1, Table 106).
_INVISIBLE = (pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE, pdfium_c.FPDF_TEXTRENDERMODE_CLIP)
# Fonts named in a warning at most.
_MAX_FONTS_NAMED = 5
# The script families that are written vertically.
_EAST_ASIAN = ("CJK", "HANGUL")
# A step between characters more than this many character sizes long starts a new piece.
_MAX_COLUMN_GAP = 3.0


@dataclass(frozen=True)
class PageTextLayer:
    """One page's text layer.

    Attributes:
        text: paragraphs separated by ``"\\n"``, NFC, in reading order; ``""`` when the layer
            holds nothing but whitespace.
        raw: the characters as PDFium gave them, in its order, before any cleaning: the
            evidence for judging whether they are text (``plausibility``).
        vertical: whether the page was read as vertical writing (module docstring).
        missing_glyphs: how many visible characters draw no glyph.
        missing_fonts: the fonts of those characters (PDF names, at most five, in page order).
    """

    text: str
    raw: str
    vertical: bool
    missing_glyphs: int
    missing_fonts: tuple[str, ...]


def read_text_layer(page: pdfium.PdfPage, number: int, name: str) -> PageTextLayer:
    """Read a page's text layer in reading order, and find the characters that do not draw.

    Args:
        page: an open PDFium page.
        number: its 1-based number, for error messages.
        name: the file's name, for error messages.

    Returns:
        The layer (see ``PageTextLayer``). When PDFium's text does not match its characters one
        for one (a character it expands), the lines come without positions: not joined, not
        reordered, no glyph checked.

    Raises:
        ExtractError: PDFium cannot read the page's text.
    """
    try:
        textpage = page.get_textpage()
        try:
            # PDFium marks a hyphen that ends a line with U+FFFE, a noncharacter; the printed
            # hyphen it stands for keeps the string's length, so the boxes still match.
            raw = textpage.get_text_range().replace("\ufffe", "-")
            if len(raw) != textpage.count_chars():
                texts = raw.split("\r\n")
                paragraphs = join_lines([Line(text, 0.0, 0.0, 0.0) for text in texts])
                return _layer(paragraphs, raw, False, 0, ())
            boxes = [textpage.get_charbox(index) for index in range(len(raw))]
            missing, fonts = _missing_glyphs(textpage, raw, boxes)
            if _is_vertical(raw, boxes):
                paragraphs = _vertical_paragraphs(raw, boxes)
                return _layer(paragraphs, raw, True, missing, fonts)
            paragraphs = join_lines(_horizontal_lines(textpage, raw))
            return _layer(paragraphs, raw, False, missing, fonts)
        finally:
            textpage.close()
    except pdfium.PdfiumError as exc:
        raise ExtractError(f"{name}: page {number} cannot be read ({exc})") from exc


def _layer(
    paragraphs: list[str], raw: str, vertical: bool, missing: int, fonts: tuple[str, ...]
) -> PageTextLayer:
    text = normalize_text("\n".join(paragraphs))
    return PageTextLayer(text if text.strip() else "", raw, vertical, missing, fonts)


def _horizontal_lines(textpage: pdfium.PdfTextPage, raw: str) -> list[Line]:
    """The page's printed lines (PDFium ends each with CR LF), with their horizontal extent,
    from the loose boxes of each line's first and last characters."""
    lines = []
    start = 0
    for text in raw.split("\r\n"):
        first = start + len(text) - len(text.lstrip())
        last = start + len(text.rstrip()) - 1
        if last >= first:
            left, bottom, _, top = textpage.get_charbox(first, loose=True)
            _, _, right, _ = textpage.get_charbox(last, loose=True)
            lines.append(Line(text, min(left, right), max(left, right), abs(top - bottom)))
        start += len(text) + 2
    return lines


def _visible(char: str) -> bool:
    return not char.isspace() and unicodedata.category(char) not in ("Cc", "Cf")


def _missing_glyphs(
    textpage: pdfium.PdfTextPage, raw: str, boxes: list[_Box]
) -> tuple[int, tuple[str, ...]]:
    """Count the visible characters whose glyph has no height, and name their fonts."""
    missing = 0
    fonts: list[str] = []
    for index, (char, (_, bottom, _, top)) in enumerate(zip(raw, boxes, strict=True)):
        height = abs(top - bottom)
        if height >= _THIN_GLYPH_PT or not _visible(char):
            continue
        size = pdfium_c.FPDFText_GetFontSize(textpage.raw, index)
        if size > 0 and height < _EMPTY_GLYPH_SHARE * size and not _invisible(textpage, index):
            missing += 1
            font = _font_name(textpage, index)
            if font not in fonts and len(fonts) < _MAX_FONTS_NAMED:
                fonts.append(font)
    return missing, tuple(fonts)


def _invisible(textpage: pdfium.PdfTextPage, index: int) -> bool:
    text_object = pdfium_c.FPDFText_GetTextObject(textpage.raw, index)
    return bool(text_object) and pdfium_c.FPDFTextObj_GetTextRenderMode(text_object) in _INVISIBLE


def _font_name(textpage: pdfium.PdfTextPage, index: int) -> str:
    size = pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, None, 0, None)
    buffer = ctypes.create_string_buffer(max(size, 1))
    pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, buffer, size, None)
    return buffer.value.decode("utf-8", "replace") or "unnamed"


def _center(box: _Box) -> tuple[float, float]:
    left, bottom, right, top = box
    return (left + right) / 2, (bottom + top) / 2


def _size(box: _Box) -> float:
    left, bottom, right, top = box
    return max(abs(right - left), abs(top - bottom), 1e-3)


def _steps_down(one: _Box, two: _Box) -> bool:
    """Whether ``two`` stands below ``one`` in the same column, near enough to follow it."""
    (x1, y1), (x2, y2) = _center(one), _center(two)
    size = max(_size(one), _size(two))
    return y2 < y1 and abs(x2 - x1) < size / 2 and y1 - y2 < _MAX_COLUMN_GAP * size


def _is_vertical(raw: str, boxes: list[_Box]) -> bool:
    """Whether most East Asian letters that follow another step down a column (the module
    docstring); PDFium's line breaks are ignored, as it may end a line after each character
    of a column."""
    down = across = 0
    visible = [index for index, char in enumerate(raw) if _visible(char)]
    for one, two in itertools.pairwise(visible):
        if script_family(raw[one]) not in _EAST_ASIAN or script_family(raw[two]) not in _EAST_ASIAN:
            continue
        if _steps_down(boxes[one], boxes[two]):
            down += 1
        else:
            across += 1
    return down > across


def _line_spans(raw: str) -> list[range]:
    spans = []
    start = 0
    for text in raw.split("\r\n"):
        spans.append(range(start, start + len(text)))
        start += len(text) + 2
    return spans


def _vertical_paragraphs(raw: str, boxes: list[_Box]) -> list[str]:
    pieces = []
    stream: list[int] = []
    for line in _line_spans(raw):
        visible = [index for index in line if _visible(raw[index])]
        steps = list(itertools.pairwise(visible))
        across = sum(_same_line(boxes[one], boxes[two]) for one, two in steps)
        # Two characters side by side may be the foot of one column and the head of the next.
        if across >= 2 and across * 2 > len(steps):
            pieces.append(_piece(raw, boxes, visible, vertical=False))
        else:
            stream += visible
    if stream:
        run = [stream[0]]
        for one, two in itertools.pairwise(stream):
            if not _steps_down(boxes[one], boxes[two]):
                pieces.append(_piece(raw, boxes, run, vertical=True))
                run = []
            run.append(two)
        pieces.append(_piece(raw, boxes, run, vertical=True))
    return read_vertical(pieces)[1]


def _same_line(one: _Box, two: _Box) -> bool:
    """Whether ``two`` stands right of ``one`` on the same horizontal line."""
    (x1, y1), (x2, y2) = _center(one), _center(two)
    return x2 > x1 and abs(y2 - y1) < max(_size(one), _size(two)) / 2


def _piece(raw: str, boxes: list[_Box], run: list[int], *, vertical: bool) -> Piece:
    """A piece of the characters ``run`` (visible ones, in order), in PDF points with y
    negated: a horizontal line keeps the spaces between its characters, a column piece is its
    characters alone (PDFium may break the line after each)."""
    chosen = [boxes[index] for index in run]
    text = "".join(raw[index] for index in run) if vertical else raw[run[0] : run[-1] + 1]
    return Piece(
        text.strip(),
        min(box[0] for box in chosen),
        -max(box[3] for box in chosen),
        max(box[2] for box in chosen),
        -min(box[1] for box in chosen),
        vertical=vertical,
    )
