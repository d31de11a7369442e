"""PDF: the text layer, page by page, with pypdfium2.

pypdfium2 binds Google's PDFium (Apache-2.0/BSD-3-Clause) and reads CJK text layers with their
ToUnicode maps. PyMuPDF would do as well but is AGPL, which this Apache-2.0 project cannot ship.
Scanned pages have no text layer; they come out empty and are listed for OCR.
"""

from __future__ import annotations

from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from shiliao.errors import EncryptedDocument, ExtractError, ExtractionLimit
from shiliao.extract.dates import pdf_date
from shiliao.extract.decode import normalize_text
from shiliao.model import Extraction, Page

__all__ = ["MAX_PAGES", "extract_pdf"]

MAX_PAGES = 5000
"""Default page limit: more pages than any single document in our collections, far fewer than
a crafted file can claim."""


def extract_pdf(data: bytes, name: str, *, max_pages: int = MAX_PAGES) -> Extraction:
    """Extract the text layer of a PDF, one ``Page`` per PDF page.

    Args:
        data: the file's bytes.
        name: the file's name, used in error messages.
        max_pages: refuse documents with more pages than this.

    Returns:
        Pages numbered from 1, each holding PDFium's text for that page (lines separated by
        ``"\\n"``, NFC; PDFium puts a line break at each visual line end), method
        ``"pdf-text-layer"``. Metadata, each key only when found: ``title`` (document info
        Title), ``date`` (CreationDate as EDTF, at the precision it gives), and
        ``pages_without_text`` (page numbers whose text layer is empty: scans, for OCR). The
        Author field is never copied: it often holds the name of a private clerk, not an
        author.

    Raises:
        EncryptedDocument: the PDF needs a password to open.
        ExtractionLimit: the PDF has more than ``max_pages`` pages.
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
            raise ExtractionLimit(f"{name}: {page_count} pages, more than the limit {max_pages}")
        pages = [
            Page(number, _page_text(document, number, name)) for number in range(1, page_count + 1)
        ]
        metadata = _document_metadata(document)
    finally:
        document.close()
    empty = [page.number for page in pages if not page.text]
    if empty:
        metadata["pages_without_text"] = empty
    return Extraction(pages=pages, method="pdf-text-layer", metadata=metadata)


def _page_text(document: pdfium.PdfDocument, number: int, name: str) -> str:
    try:
        page = document[number - 1]
        try:
            textpage = page.get_textpage()
            try:
                text = textpage.get_text_range()
            finally:
                textpage.close()
        finally:
            page.close()
    except pdfium.PdfiumError as exc:
        raise ExtractError(f"{name}: page {number} cannot be read ({exc})") from exc
    text = normalize_text(text)
    return text if text.strip() else ""


def _document_metadata(document: pdfium.PdfDocument) -> dict[str, Any]:
    info = document.get_metadata_dict(skip_empty=True)
    found: dict[str, Any] = {}
    title = info.get("Title", "").strip()
    if title:
        found["title"] = normalize_text(title)
    date = pdf_date(info.get("CreationDate", ""))
    if date is not None:
        found["date"] = date
    return found
