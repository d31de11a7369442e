"""Splitting extracted pages into passages, the units that are indexed, cited and annotated.

Chinese official texts put one paragraph on a line and mark paragraphs by indentation (two
ideographic spaces), not by blank lines, so each line with text is a passage. Extractors of
printed pages (PDF text layers, OCR) have already joined the printed lines of a paragraph (see
``paragraphs``), so there too a line of the page text is a paragraph; offsets point into the
page text as extracted, which is what a reader checks a citation against.
"""

from __future__ import annotations

from shiliao.extract.language import detect_language
from shiliao.model import Page, Passage

__all__ = ["split_passages"]


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
