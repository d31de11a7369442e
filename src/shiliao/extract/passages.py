"""Splitting extracted pages into passages, the units that are indexed, cited and annotated.

Chinese official texts put one paragraph on a line and mark paragraphs by indentation (two
ideographic spaces), not by blank lines, so each line with text is a passage. Extractors of
printed pages (PDF text layers, OCR) have already joined the printed lines of a paragraph (see
``paragraphs``), so there too a line of the page text is a paragraph; offsets point into the
page text as extracted, which is what a reader checks a citation against.

A passage read by OCR carries the confidence of its weakest line (``attach_ocr_confidence``),
traced from the extractor's ``ocr_lines`` by text, since joining lines into paragraphs keeps no
link from a line to its paragraph.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from shiliao.extract.language import detect_language
from shiliao.model import Page, Passage

__all__ = ["attach_ocr_confidence", "split_passages"]


def split_passages(source_id: str, pages: list[Page], method: str) -> list[Passage]:
    """Split pages into passages, one per line that is not blank.

    Args:
        source_id: the source the pages belong to.
        pages: the pages in reading order, as an extractor returned them.
        method: the extraction method to record, as in ``Extraction.method``; a page's own
            ``method`` (``"ocr"`` for a scanned page of a text PDF) takes its place.

    Returns:
        The passages in reading order. Each holds one line of a page with the whitespace
        around it (spaces, tabs, U+3000 indentation) stripped; ``char_start``/``char_end``
        are half-open code-point offsets into ``page.text`` such that
        ``page.text[char_start:char_end] == passage.text``. ``paragraph`` counts from 1 over
        the whole source; ``page`` is the page's number. ``language`` is the passage's own
        (``language.detect_language``), the page's where the passage alone cannot tell (no
        letters, or Han characters common to both scripts). Blank lines make no passage.
    """
    passages: list[Passage] = []
    for page in pages:
        line_start = 0
        for line in page.text.split("\n"):
            stripped = line.strip()
            if stripped:
                char_start = line_start + len(line) - len(line.lstrip())
                passages.append(
                    Passage(
                        source_id=source_id,
                        page=page.number,
                        paragraph=len(passages) + 1,
                        char_start=char_start,
                        char_end=char_start + len(stripped),
                        text=stripped,
                        method=page.method or method,
                        language=detect_language(stripped, default=page.language),
                    )
                )
            line_start += len(line) + 1
    return passages


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
