"""PDF: the text layer page by page with pypdfium2, and OCR for pages that have none.

pypdfium2 binds Google's PDFium (Apache-2.0/BSD-3-Clause) and reads CJK text layers with their
ToUnicode maps. PyMuPDF would do as well but is AGPL, which this Apache-2.0 project cannot ship.
A page that holds an image and whose text layer has fewer than ``MIN_TEXT_CHARS`` characters (a
scan, or a scan with only a stamped page number) is rendered at 200 dpi and read by OCR (see
``ocr``); a page without images is never OCR'd, however little text it has.

PDFium breaks the text at each printed line; the lines are joined into paragraphs by their
positions on the page (``paragraphs.join_lines``), using the loose boxes of each line's first
and last characters.
"""

from __future__ import annotations

from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from shiliao.errors import EncryptedDocument, ExtractError, ExtractionLimit
from shiliao.extract.dates import pdf_date
from shiliao.extract.decode import normalize_text
from shiliao.extract.paragraphs import Line, join_lines
from shiliao.model import Extraction, Page

__all__ = ["MAX_PAGES", "MIN_TEXT_CHARS", "extract_pdf"]

MAX_PAGES = 5000
"""Default page limit: more pages than any single document in our collections, far fewer than
a crafted file can claim."""

MIN_TEXT_CHARS = 10
"""A page with an image and fewer non-space characters of text layer than this is read by OCR."""


def extract_pdf(data: bytes, name: str, *, max_pages: int = MAX_PAGES) -> Extraction:
    """Extract the text of a PDF, one ``Page`` per PDF page: the text layer, else OCR.

    Args:
        data: the file's bytes.
        name: the file's name, used in error messages.
        max_pages: refuse documents with more pages than this.

    Returns:
        Pages numbered from 1, each holding its text as paragraphs separated by ``"\\n"``
        (printed lines joined, see the module docstring), NFC. Method ``"pdf-text-layer"``,
        or ``"ocr"`` when every page was read by OCR; an OCR'd page of a PDF with a text layer
        has ``Page.method == "ocr"``. Metadata, each key only when found: ``title`` (document
        info Title), ``date`` (CreationDate as EDTF, at the precision it gives) with
        ``date_source: "pdf:CreationDate"``,
        ``pages_without_text`` (page numbers whose text layer is empty), ``ocr_pages`` (page
        numbers read by OCR), ``ocr_lines`` (``[{page, text, confidence, box, engine}]``, box
        in pixels at 200 dpi) and ``warnings``. The Author field is never copied: it
        often holds the name of a private clerk, not an author.

    Raises:
        EncryptedDocument: the PDF needs a password to open.
        ExtractionLimit: the PDF claims more than ``max_pages`` pages (a page bomb: its
            ``/Count`` can say a million in a few bytes).
        ExtractError: PDFium cannot read the file, or a page of it.
    """
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise EncryptedDocument(f"{name}: the PDF is encrypted; no password given") from exc
        raise ExtractError(f"{name}: not a readable PDF ({exc})") from exc
    try:
        page_count = len(document)
        if page_count > max_pages:
            raise ExtractionLimit(
                f"{name}: too many pages: {page_count} pages, more than the limit {max_pages}"
            )
        metadata = _document_metadata(document)
        pages = []
        ocr_lines: list[dict[str, Any]] = []
        notes: list[str] = []
        for number in range(1, page_count + 1):
            page = _load_page(document, number, name)
            try:
                text = _page_text(page, number, name)
                if not text:
                    metadata.setdefault("pages_without_text", []).append(number)
                if _needs_ocr(page, text):
                    read = _ocr_page(page, number, name)
                    if read.text:
                        pages.append(Page(number, read.text, method="ocr"))
                        metadata.setdefault("ocr_pages", []).append(number)
                        ocr_lines += [line.as_metadata(number) for line in read.lines]
                        notes += [note for note in read.warnings if note not in notes]
                        continue
                pages.append(Page(number, text))
            finally:
                page.close()
    finally:
        document.close()
    if ocr_lines:
        metadata["ocr_lines"] = ocr_lines
    if notes:
        metadata["warnings"] = notes
    method = "ocr" if pages and all(page.method == "ocr" for page in pages) else "pdf-text-layer"
    return Extraction(pages=pages, method=method, metadata=metadata)


def _load_page(document: pdfium.PdfDocument, number: int, name: str) -> pdfium.PdfPage:
    try:
        return document[number - 1]
    except pdfium.PdfiumError as exc:
        raise ExtractError(f"{name}: page {number} cannot be read ({exc})") from exc


def _needs_ocr(page: pdfium.PdfPage, text: str) -> bool:
    """Whether the page looks scanned: little or no text layer, and an image to read."""
    if sum(not char.isspace() for char in text) >= MIN_TEXT_CHARS:
        return False
    images = page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2)
    return next(images, None) is not None


def _page_text(page: pdfium.PdfPage, number: int, name: str) -> str:
    try:
        textpage = page.get_textpage()
        try:
            raw = textpage.get_text_range()
            lines = _lines(textpage, raw)
        finally:
            textpage.close()
    except pdfium.PdfiumError as exc:
        raise ExtractError(f"{name}: page {number} cannot be read ({exc})") from exc
    text = normalize_text("\n".join(join_lines(lines)))
    return text if text.strip() else ""


def _lines(textpage: pdfium.PdfTextPage, raw: str) -> list[Line]:
    """The page's printed lines (PDFium ends each with CR LF), with their horizontal extent.

    The text's code points are PDFium's characters one for one, so a line's first and last
    characters have boxes; when they are not (a character PDFium expands), the lines come
    without positions and are not joined.
    """
    texts = raw.split("\r\n")
    if len(raw) != textpage.count_chars():
        return [Line(text, 0.0, 0.0, 0.0) for text in texts]
    lines = []
    start = 0
    for text in texts:
        first = start + len(text) - len(text.lstrip())
        last = start + len(text.rstrip()) - 1
        if last >= first:
            left, bottom, _, top = textpage.get_charbox(first, loose=True)
            _, _, right, _ = textpage.get_charbox(last, loose=True)
            lines.append(Line(text, min(left, right), max(left, right), abs(top - bottom)))
        start += len(text) + 2
    return lines


def _ocr_page(page: pdfium.PdfPage, number: int, name: str) -> Any:
    # Imported here: the OCR engines load slowly, and most PDFs have a text layer.
    from shiliao.extract.ocr import OCR_DPI, ocr_image

    try:
        bitmap = page.render(scale=OCR_DPI / 72, grayscale=True)
    except pdfium.PdfiumError as exc:
        raise ExtractError(f"{name}: page {number} cannot be rendered ({exc})") from exc
    try:
        return ocr_image(bitmap.to_pil(), dpi=OCR_DPI)
    finally:
        bitmap.close()


def _document_metadata(document: pdfium.PdfDocument) -> dict[str, Any]:
    info = document.get_metadata_dict(skip_empty=True)
    found: dict[str, Any] = {}
    title = info.get("Title", "").strip()
    if title:
        found["title"] = normalize_text(title)
    date = pdf_date(info.get("CreationDate", ""))
    if date is not None:
        found |= {"date": date, "date_source": "pdf:CreationDate"}
    return found
