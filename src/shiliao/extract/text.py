"""Plain text: decoded (see ``decode``) and kept whole as one page; dated from its own lines
as a web page is (``dates.find_text_date``)."""

from __future__ import annotations

from shiliao.extract.dates import find_text_date
from shiliao.extract.decode import decode_text
from shiliao.model import Extraction, Page

__all__ = ["extract_text"]


def extract_text(data: bytes, name: str) -> Extraction:
    """Extract a plain-text file.

    Args:
        data: the file's bytes, in any encoding ``decode.decode_text`` recognizes.
        name: the file's name; unused (the text carries no format hints), accepted so that
            every extractor has the same signature.

    Returns:
        One page holding the whole text (newlines ``"\\n"``, NFC), method ``"text"``, and
        metadata ``encoding``, ``replacement_ratio``, ``needs_review: True`` when more than
        1 % of the characters could not be decoded, and ``date`` (EDTF at the precision
        written) with ``date_source`` when a label, a date-time line, a signature line or a
        dateline gives one (``dates.find_text_date``). Never raises on bad bytes.

    Raises:
        ExtractionLimit: the file is larger than ``decode.MAX_TEXT_BYTES`` (64 MiB).
    """
    decoded = decode_text(data)
    metadata = decoded.metadata()
    found = find_text_date(decoded.text)
    if found is not None:
        metadata |= {"date": found.date, "date_source": found.source}
    return Extraction(pages=[Page(1, decoded.text)], method="text", metadata=metadata)
