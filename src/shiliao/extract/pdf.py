"""PDF: the text layer page by page with pypdfium2, and OCR for pages that have none.

pypdfium2 binds Google's PDFium (Apache-2.0/BSD-3-Clause) and reads CJK text layers with their
ToUnicode maps. PyMuPDF would do as well but is AGPL, which this Apache-2.0 project cannot ship.
A page that holds an image and whose text layer has fewer than ``MIN_TEXT_CHARS`` characters (a
scan, or a scan with only a stamped page number) is rendered at 200 dpi and read by OCR (see
``ocr``); a page without images is never OCR'd, however little text it has.

The text layer is read in reading order, vertical writing included, and its characters that
draw no glyph are found (``pdf_layer``).

Text that is not text. A font without a ToUnicode map, or with a broken one, gives a text layer
of glyph codes: control characters, Latin-1 letters, characters of every script at once
(``plausibility.implausible_reasons`` says which and why). Such a page is rendered and read by
OCR as a scan is. When OCR reads the same characters (``AGREEMENT``), the layer was right
after all and stays shown; when OCR reads other, plausible text, the OCR text is shown
(``Page.method == "ocr"``) and the layer is kept beside it, set aside; when OCR reads nothing,
the layer stays shown, doubted, and the document needs review. A page whose characters draw no
glyph is not OCR'd: its picture is blank where they stand, and OCR would read nothing there.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from shiliao.errors import EncryptedDocument, ExtractError, ExtractionLimit
from shiliao.extract.dates import find_text_date, pdf_date
from shiliao.extract.pdf_info import read_info_title
from shiliao.extract.pdf_layer import PageTextLayer, read_text_layer
from shiliao.extract.plausibility import implausible_reasons
from shiliao.model import Extraction, Page

__all__ = ["AGREEMENT", "MAX_PAGES", "MIN_TEXT_CHARS", "extract_pdf"]

MAX_PAGES = 5000
"""Default page limit: more pages than any single document in our collections, far fewer than
a crafted file can claim."""

MIN_TEXT_CHARS = 10
"""A page with an image and fewer non-space characters of text layer than this is read by OCR."""

AGREEMENT = 0.8
"""OCR confirms a doubted text layer when the two share this much of their characters (the F1
of their multisets of non-space characters): OCR of print reads 0.98 of them right, while
glyph codes share almost none with the text they stand for."""

_SURROGATE = re.compile(r"[\ud800-\udfff]")


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
        info Title, with ``title_encoding`` when read again from a legacy encoding; when no
        encoding reads it, ``info_title`` and a warning instead: see ``pdf_info``), ``date``
        (EDTF, at the precision given) with ``date_source``: the text's own date as a plain
        text's is read (``dates.find_text_date``: a label, a signature line...), else the
        document info's CreationDate, else its ModDate (``"pdf:CreationDate"``,
        ``"pdf:ModDate"``); ``file_date`` and ``file_date_source``, the info's date when the
        text's differs,
        ``pages_without_text`` (page numbers whose text layer is empty), ``ocr_pages`` (page
        numbers read by OCR), ``ocr_lines`` (``[{page, text, confidence, box, engine}]``, box
        in pixels at 200 dpi), ``vertical_pages`` (pages read as vertical writing),
        ``pages_missing_glyphs`` (pages with characters that draw no glyph), ``text_layers``
        (one ``{page, doubts, shown, ...}`` per page whose text layer was doubted: ``doubts``
        the reasons, ``shown`` ``"ocr"`` or ``"pdf-text-layer"``, ``ocr_agreement`` when OCR
        read the page, ``set_aside: "pdf-text-layer"`` when the layer was replaced, ``note``
        when OCR was not tried or read nothing), ``set_aside_layers`` (``[{page, method,
        text, reasons}]``: each replaced layer as PDFium gave it, lone surrogates as U+FFFD),
        ``needs_review: True`` when a doubted layer is shown unconfirmed, and ``warnings``.
        The Author field is never copied: it often holds the name of a private clerk, not an
        author.

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
        notes: list[str] = metadata.pop("warnings", [])
        missing_fonts: list[str] = []
        for number in range(1, page_count + 1):
            page = _load_page(document, number, name)
            try:
                layer = read_text_layer(page, number, name)
                text = layer.text
                if not text:
                    metadata.setdefault("pages_without_text", []).append(number)
                if layer.vertical:
                    metadata.setdefault("vertical_pages", []).append(number)
                if layer.missing_glyphs:
                    metadata.setdefault("pages_missing_glyphs", []).append(number)
                    missing_fonts += [f for f in layer.missing_fonts if f not in missing_fonts]
                doubts = implausible_reasons(layer.raw) if text else []
                read = None
                if _needs_ocr(page, text) or (doubts and not layer.missing_glyphs):
                    read = _ocr_page(page, number, name)
                    notes += [note for note in read.warnings if note not in notes]
                shown = _shown(number, layer, doubts, read, metadata)
                pages.append(shown)
                if shown.method == "ocr" and read is not None:
                    metadata.setdefault("ocr_pages", []).append(number)
                    ocr_lines += [line.as_metadata(number) for line in read.lines]
            finally:
                page.close()
    finally:
        document.close()
    if ocr_lines:
        metadata["ocr_lines"] = ocr_lines
    metadata |= _dated("\n".join(page.text for page in pages), metadata)
    notes += _layer_warnings(metadata, missing_fonts)
    if notes:
        metadata["warnings"] = notes
    method = "ocr" if pages and all(page.method == "ocr" for page in pages) else "pdf-text-layer"
    return Extraction(pages=pages, method=method, metadata=metadata)


def _shown(
    number: int, layer: PageTextLayer, doubts: list[str], read: Any, metadata: dict[str, Any]
) -> Page:
    """The page as shown: its text layer, or what OCR read (module docstring); a doubted
    layer is recorded in ``metadata`` (``text_layers``, ``set_aside_layers``)."""
    text = layer.text
    read_text = read.text if read is not None else ""
    if not doubts:
        return Page(number, read_text, method="ocr") if read_text else Page(number, text)
    entry: dict[str, Any] = {"page": number, "doubts": doubts}
    metadata.setdefault("text_layers", []).append(entry)
    if read is None:
        entry |= {"shown": "pdf-text-layer", "note": "not read by OCR: characters draw no glyph"}
        metadata["needs_review"] = True
        return Page(number, text)
    agreement = round(_agreement(text, read_text), 3)
    entry["ocr_agreement"] = agreement
    if read_text and agreement >= AGREEMENT:
        entry["shown"] = "pdf-text-layer"
        return Page(number, text)
    if read_text and not implausible_reasons(read_text):
        entry |= {"shown": "ocr", "set_aside": "pdf-text-layer"}
        kept = _SURROGATE.sub("\ufffd", layer.raw)
        metadata.setdefault("set_aside_layers", []).append(
            {"page": number, "method": "pdf-text-layer", "text": kept, "reasons": doubts}
        )
        return Page(number, read_text, method="ocr")
    entry |= {"shown": "pdf-text-layer", "note": "OCR read no plausible text"}
    metadata["needs_review"] = True
    return Page(number, text)


def _agreement(layer: str, read: str) -> float:
    """The F1 of the two texts' multisets of non-space characters: 1.0 when they hold the
    same characters, whatever their order or spacing."""
    ours = Counter(char for char in layer if not char.isspace())
    theirs = Counter(char for char in read if not char.isspace())
    common = sum((ours & theirs).values())
    if not common:
        return 0.0
    return 2 * common / (sum(ours.values()) + sum(theirs.values()))


def _layer_warnings(metadata: dict[str, Any], missing_fonts: list[str]) -> list[str]:
    """One sentence per kind of trouble with the text layers, naming the pages."""
    warnings = []
    if missing_fonts:
        pages = ", ".join(map(str, metadata["pages_missing_glyphs"]))
        fonts = ", ".join(missing_fonts)
        warnings.append(
            f"page(s) {pages}: characters in font(s) {fonts} draw no glyph (not embedded, and "
            "no installed font has them): the page's picture is blank there and OCR cannot "
            "read it; install a CJK font (fonts-noto-cjk) and extract again"
        )
    entries = metadata.get("text_layers", [])
    for shown, sentence in (
        ("ocr", "the text layer is glyph codes, not text; OCR's reading is shown, the layer kept"),
        ("pdf-text-layer", "the text layer looks like glyph codes and is shown unconfirmed"),
    ):
        pages = [
            str(entry["page"])
            for entry in entries
            if entry["shown"] == shown and entry.get("ocr_agreement", 0.0) < AGREEMENT
        ]
        if pages:
            warnings.append(f"page(s) {', '.join(pages)}: {sentence}")
    return warnings


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
    # A title in a legacy encoding is read again (a placeholder is refused in ``finish``).
    found: dict[str, Any] = read_info_title(info.get("Title", ""))
    # The day the file was made (or last saved) dates it only when its text does not.
    for key in ("CreationDate", "ModDate"):
        date = pdf_date(info.get(key, ""))
        if date is not None:
            return found | {"file_date": date, "file_date_source": f"pdf:{key}"}
    return found


def _dated(text: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """The date keys: the text's own date (``find_text_date``), else the file's from
    ``metadata`` (``file_date``, popped), which stays beside a text's date that differs."""
    file_date = metadata.pop("file_date", None)
    file_source = metadata.pop("file_date_source", None)
    found = find_text_date(text)
    if found is None:
        return {"date": file_date, "date_source": file_source} if file_date else {}
    fields = {"date": found.date, "date_source": found.source}
    if file_date is not None and file_date != found.date:
        fields |= {"file_date": file_date, "file_date_source": file_source}
    return fields
