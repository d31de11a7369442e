"""Splitting extracted pages into passages, the units that are indexed, cited and annotated.

A passage is a paragraph, not a line: a phrase broken by a hard line break must still be found.
Extractors of printed pages (PDF text layers, OCR) have already joined the printed lines of a
paragraph by their layout (see ``paragraphs``); texts without a layout (plain text, records,
web pages, Markdown) mark paragraphs in one of three ways, and a line break is read by the way
its page uses:

- one paragraph per line, as Chinese official texts do (paragraphs open with two ideographic
  spaces, lines end a sentence): each line is a paragraph;
- paragraphs separated by blank lines, with line breaks inside them that are no paragraph end
  (a copy of a web page breaks the line at every link: ``所以属于\n公有领域\n。``): a line
  that does not end a sentence runs on into the next. A page is read so when it has at least
  as many blank-line gaps as line breaks after a sentence end; Markdown always is (CommonMark
  §4.8: a paragraph's lines are one paragraph);
- text wrapped at a fixed width (an e-mail, a copy of a PDF): a line that reaches the page's
  widest line (within one and a half characters) runs on into the next, as ``paragraphs``
  reads a printed line that reaches the block's edge, when two lines reach it and it is at
  least 12 CJK characters (24 columns) wide.

Whatever the page, a line break never stands before a character that may not begin a line
(``。，、；：！？）》」』”’…``, the closing punctuation of GB/T 15834 and of CLREQ's line
breaking rules) nor after one that may not end it (``（《「『“‘``). A line that ends a
sentence, opens an article or a list item (``第十条``, ``一、``) or is indented starts a new
paragraph; so does every line after a blank one. A passage of punctuation alone (a lone
``。``, ``***``, ``↑``) is no passage: it holds nothing to find or cite.

Offsets point into the page text as extracted, which is what a reader checks a citation
against: a passage spans ``page.text[char_start:char_end]``, and its text is that span with
each line break (and the whitespace around it) taken out, lines meeting as ``paragraphs.joint``
says (nothing between CJK characters, a space between Latin words).

A passage read by OCR carries the confidence of its weakest line (``attach_ocr_confidence``),
traced from the extractor's ``ocr_lines`` by text, since joining lines into paragraphs keeps no
link from a line to its paragraph.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from shiliao.extract.language import detect_language
from shiliao.extract.paragraphs import ends_sentence, joint, opens_item
from shiliao.model import Page, Passage

__all__ = ["attach_ocr_confidence", "split_passages"]

# Methods whose lines were joined by their printed layout already: only the punctuation rules
# apply to what is left of their line breaks.
_LAID_OUT = frozenset({"pdf-text-layer", "ocr"})
# CLREQ §3.1.7 and GB/T 15834: closing punctuation, which may not begin a line.
_NO_LINE_START = frozenset("。．，、；：！？）》」』〗】〕〉］｝”’…‥・·〃々,.;:!?)]}")
# Opening punctuation, which may not end a line.
_NO_LINE_END = frozenset("（《「『〖【〔〈［｛“‘([{")
# A Markdown line that opens a block of its own (CommonMark §4-5).
_MARKDOWN_BLOCK = re.compile(r"(?:#{1,6}\s|[-*+]\s|>|\d{1,9}[.)]\s|\||```|~~~)")
# A Markdown line that is a block by itself.
_MARKDOWN_LINE = re.compile(r"(?:#{1,6}\s|\||```|~~~)")
# How close to the widest line a wrapped line ends, in display columns (a CJK character is 2).
_WRAP_TOLERANCE = 3
# The narrowest text taken for wrapped (12 CJK characters): below it, lines of one length
# are a list, a table or a signature, not a wrapped paragraph.
_WRAP_WIDTH = 24
# How deep a line that wraps may be indented, in columns.
_WRAP_INDENT = 6


@dataclass(frozen=True)
class _Line:
    text: str  # stripped
    start: int  # offset of the stripped text in the page
    indent: int  # display columns of leading whitespace
    width: int  # display columns of indentation and text
    after_blank: bool  # a blank line (or the page start) comes before it


def split_passages(source_id: str, pages: list[Page], method: str) -> list[Passage]:
    """Split pages into passages, one per paragraph (rules in the module docstring).

    Args:
        source_id: the source the pages belong to.
        pages: the pages in reading order, as an extractor returned them.
        method: the extraction method to record, as in ``Extraction.method``; a page's own
            ``method`` (``"ocr"`` for a scanned page of a text PDF) takes its place.

    Returns:
        The passages in reading order. Each holds one paragraph of a page: its lines stripped
        of the whitespace around them (spaces, tabs, U+3000 indentation) and joined.
        ``char_start``/``char_end`` are half-open code-point offsets into ``page.text`` of the
        paragraph's first and last character, so that ``page.text[char_start:char_end]`` with
        its line breaks taken out is ``passage.text``. ``paragraph`` counts from 1 over the
        whole source; ``page`` is the page's number. ``language`` is the passage's own
        (``language.detect_language``), the page's where the passage alone cannot tell (no
        letters, or Han characters common to both scripts). Blank lines and lines of
        punctuation alone make no passage.
    """
    passages: list[Passage] = []
    for page in pages:
        page_method = page.method or method
        for group in _paragraphs(_lines(page.text), page_method):
            text = group[0].text
            for before, line in itertools.pairwise(group):
                text += joint(before.text, line.text) + line.text
            if not any(unicodedata.category(char)[0] in "LN" for char in text):
                continue
            passages.append(
                Passage(
                    source_id=source_id,
                    page=page.number,
                    paragraph=len(passages) + 1,
                    char_start=group[0].start,
                    char_end=group[-1].start + len(group[-1].text),
                    text=text,
                    method=page_method,
                    language=detect_language(text, default=page.language),
                )
            )
    return passages


def _lines(text: str) -> list[_Line]:
    """The page's lines that hold text, with where they lie."""
    lines: list[_Line] = []
    line_start, after_blank = 0, True
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            indent = _columns(raw[:lead])
            lines.append(
                _Line(stripped, line_start + lead, indent, indent + _columns(stripped), after_blank)
            )
            after_blank = False
        else:
            after_blank = True
        line_start += len(raw) + 1
    return lines


def _paragraphs(lines: list[_Line], method: str) -> list[list[_Line]]:
    """The lines grouped into paragraphs, in order."""
    if not lines:
        return []
    laid_out = method in _LAID_OUT
    breaks = list(itertools.pairwise(lines))
    gaps = sum(line.after_blank for _, line in breaks)
    after_ends = sum(ends_sentence(before.text) for before, line in breaks if not line.after_blank)
    by_blank_lines = method == "markdown" or (gaps > 0 and gaps >= after_ends)
    widest = max(line.width for line in lines)
    leftmost = min(line.indent for line in lines)
    reaching = [
        line.width >= widest - _WRAP_TOLERANCE and line.indent <= leftmost + _WRAP_INDENT
        for line in lines
    ]
    wrapped = widest >= _WRAP_WIDTH and sum(reaching) >= 2

    groups = [[lines[0]]]
    for index, (before, line) in enumerate(breaks):
        if line.after_blank:
            runs_on = False
        elif line.text[0] in _NO_LINE_START or before.text[-1] in _NO_LINE_END:
            runs_on = True
        elif (
            laid_out
            or ends_sentence(before.text)
            or opens_item(line.text)
            or line.indent > before.indent
            or (method == "markdown" and _markdown_break(before.text, line.text))
        ):
            runs_on = False
        else:
            runs_on = by_blank_lines or (wrapped and reaching[index])
        if runs_on:
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def _markdown_break(before: str, line: str) -> bool:
    """Whether a Markdown line break ends a block: the next line opens one, or the line before
    is a heading, a table row or a fence, which are a line long."""
    return _MARKDOWN_BLOCK.match(line) is not None or _MARKDOWN_LINE.match(before) is not None


def _columns(text: str) -> int:
    """Display columns of ``text``: 2 for a wide (CJK) character, 1 for any other; a tab is 4."""
    return sum(
        4 if char == "\t" else 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
        for char in text
    )


def attach_ocr_confidence(
    passages: Sequence[Passage], ocr_lines: Sequence[Mapping[str, Any]] | None
) -> list[Passage]:
    """Set the ``confidence`` of passages read by OCR to that of their weakest OCR line.

    A line belongs to a passage of its page whose text contains the line's text, both compared
    in NFC with every whitespace and control character removed (lines are stripped and joined
    into paragraphs, CJK lines without a space, and page text is cleaned of controls). Lines are
    taken in reading order, as are passages: a line is looked for from where the previous line
    of its page was found (in that passage, after it; then in the passages that follow), so a
    line repeated on a page goes to its own occurrence; one found nowhere after is looked for
    from the page's first passage. A line found in no passage is passed over.

    Args:
        passages: passages in reading order, as ``split_passages`` returns them.
        ocr_lines: the extraction's ``metadata["ocr_lines"]``: ``{"page": int, "text": str,
            "confidence": float (0.0 to 1.0), ...}`` in reading order, or None (no OCR).

    Returns:
        The passages in the same order, each with ``confidence`` set to the lowest confidence
        of the lines found in it; a passage no line was found in (text not read by OCR, or
        OCR text no line could be traced to) is returned as it was.
    """
    page_passages: dict[int, list[int]] = {}
    for index, passage in enumerate(passages):
        page_passages.setdefault(passage.page, []).append(index)
    keys = [_comparable(passage.text) for passage in passages]
    # Per page: (position in page_passages[page], key offset) just after the last line found.
    cursors: dict[int, tuple[int, int]] = {}
    lowest: dict[int, float] = {}
    for line in ocr_lines or ():
        page, key = int(line["page"]), _comparable(str(line["text"]))
        on_page = page_passages.get(page)
        if not key or on_page is None:
            continue
        found = _find_line(key, [keys[index] for index in on_page], cursors.get(page, (0, 0)))
        if found is None:
            continue
        cursors[page] = found
        index = on_page[found[0]]
        lowest[index] = min(lowest.get(index, 1.0), float(line["confidence"]))
    return [
        replace(passage, confidence=lowest[index]) if index in lowest else passage
        for index, passage in enumerate(passages)
    ]


def _comparable(text: str) -> str:
    """NFC text without whitespace or control characters."""
    return "".join(
        char
        for char in unicodedata.normalize("NFC", text)
        if not char.isspace() and unicodedata.category(char) != "Cc"
    )


def _find_line(key: str, texts: list[str], cursor: tuple[int, int]) -> tuple[int, int] | None:
    """Where ``key`` next occurs in ``texts`` from ``cursor``, else from the start, as
    ``(text index, offset just past it)``; None when it occurs in none."""
    position, offset = cursor
    starts = [(position, offset), *((later, 0) for later in range(position + 1, len(texts)))]
    starts += [(earlier, 0) for earlier in range(position + 1)]
    for index, start in starts:
        at = texts[index].find(key, start)
        if at >= 0:
            return index, at + len(key)
    return None
