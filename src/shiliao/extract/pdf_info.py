"""A PDF's document information (the Info dictionary, ISO 32000-1 §14.3.3): a title written in
a legacy encoding is read again.

Legacy encodings. A text string in a PDF is PDFDocEncoding, or UTF-16BE after its byte-order
mark (§7.9.2.2; PDF 2.0 adds UTF-8 after its mark). Chinese producers often write GBK bytes
instead, which a reader takes for PDFDocEncoding, Latin-1 above 0xA0: 中华 comes out as
``ÖÐ»ª``. PDFium decodes the string so; its bytes are got back by inverting PDFDocEncoding
(Annex D: ``_PDF_DOC_SPECIALS``), and read as UTF-8 or the likeliest East Asian encoding
(``decode.legacy_reading``). A string is taken for such bytes only when its bytes above ASCII
are many (``_HIGH_SHARE`` of the bytes that are not spaces: a Western title's accented letters
are a few, ``Président`` one in nine) or four stand together (two Chinese characters; Western
words hold one or two accented letters in a row), and nearly all stand as the first or second byte of a
double-byte character (a byte from 0x81 with the next, from 0x40) or in a GB18030 four-byte
sequence (``_is_four_byte``: 𠀀 shows as ``Ł2‡6``), and only when a reading
decodes every byte. PDFDocEncoding leaves 0x9F and 0xAD undefined and PDFium gives U+0000 for
them, so each U+0000 is tried as either byte, and the likeliest reading is kept
(``plausibility.reading_score``). A string that looks so and that no encoding reads is not
used as a title, and is reported.

A placeholder (``Microsoft Word - 通知.doc``) is refused later, for every format alike
(``finish``).
"""

from __future__ import annotations

import itertools
from typing import Any

from shiliao.extract.decode import legacy_reading, normalize_text
from shiliao.extract.plausibility import reading_score

__all__ = ["read_info_title"]

# PDFDocEncoding (ISO 32000-1, Annex D, Table D.2) where it is not Latin-1: 0x18-0x1F and
# 0x80-0xA0 (0x9F undefined).
_PDF_DOC_SPECIALS = {
    **{char: 0x18 + offset for offset, char in enumerate("˘ˇˆ˙˝˛˚˜")},
    **{char: 0x80 + offset for offset, char in enumerate("•†‡…—–ƒ⁄‹›−‰„“”‘’‚™ﬁﬂŁŒŠŸŽıłœšž")},
    "€": 0xA0,
}
# The bytes PDFium reads as U+0000 in PDFDocEncoding.
_UNDEFINED = (0x9F, 0xAD)
# Strings with more U+0000 than this are not tried (two readings each).
_MAX_UNDEFINED = 4
# Bytes above ASCII as a share of those that are not spaces, and the share of them that must
# be parts of double-byte characters.
_HIGH_SHARE = 0.3
_PAIRED_SHARE = 0.9
_HIGH_RUN = 4


def read_info_title(value: str) -> dict[str, Any]:
    """What a PDF's document information Title gives, as ``Extraction.metadata`` keys.

    Args:
        value: the Title as PDFium decoded it (``PdfDocument.get_metadata_dict``).

    Returns:
        ``title`` (NFC, read again from its bytes when they were a legacy encoding: then
        ``title_encoding`` names the codec); or, when it looks like a legacy encoding that
        nothing reads, ``info_title`` (the string as read) and ``warnings`` saying why it is
        not the title. Empty for an empty value.
    """
    title = value.strip()
    if not title:
        return {}
    found: dict[str, Any] = {}
    codes = _pdf_doc_bytes(title)
    if codes is not None and _looks_misread(codes):
        reading = _reread(codes)
        if reading is None:
            return {
                "info_title": normalize_text(title),
                "warnings": [
                    "the document information Title seems to be text in a legacy encoding "
                    "that no known encoding reads; not used as the title"
                ],
            }
        title, codec = reading
        found["title_encoding"] = codec
    return {"title": normalize_text(title).strip(), **found}


def _pdf_doc_bytes(text: str) -> list[int] | None:
    """The PDFDocEncoding bytes that decode to ``text`` (0 for U+0000), or None when a
    character is not in PDFDocEncoding (the string was UTF-16: it is what it says)."""
    codes = []
    for char in text:
        code = _PDF_DOC_SPECIALS.get(char, ord(char))
        if code > 0xFF:
            return None
        codes.append(code)
    return codes


def _looks_misread(codes: list[int]) -> bool:
    """Whether the bytes look like a double-byte encoding (module docstring)."""
    is_high = [code > 0x7F or code == 0 for code in codes]
    high = sum(is_high)
    longest = max((len(list(run)) for flag, run in itertools.groupby(is_high) if flag), default=0)
    if high < 2 or (
        high < _HIGH_SHARE * sum(code != 0x20 for code in codes) and longest < _HIGH_RUN
    ):
        return False
    paired = 0
    index = 0
    while index < len(codes):
        code = codes[index]
        follows = codes[index + 1] if index + 1 < len(codes) else None
        if _is_four_byte(codes[index : index + 4]):
            paired += 2
            index += 4
        elif (
            (code > 0x80 or code == 0) and follows is not None and (follows >= 0x40 or follows == 0)
        ):
            paired += (code > 0x7F or code == 0) + (follows > 0x7F or follows == 0)
            index += 2
        else:
            index += 1
    return paired >= _PAIRED_SHARE * high


def _is_four_byte(codes: list[int]) -> bool:
    """Whether the codes are a GB18030 four-byte sequence (lead, digit, lead, digit): 𠀀 is
    ``95 32 82 36``, which PDFDocEncoding shows as ``Ł2‡6``."""
    return (
        len(codes) == 4
        and all(0x81 <= code <= 0xFE or code == 0 for code in codes[::2])
        and all(0x30 <= code <= 0x39 for code in codes[1::2])
    )


def _reread(codes: list[int]) -> tuple[str, str] | None:
    """The likeliest reading of the PDFDocEncoding bytes, each undefined byte tried as 0x9F
    and 0xAD; None when no reading decodes them."""
    holes = [index for index, code in enumerate(codes) if code == 0]
    if len(holes) > _MAX_UNDEFINED:
        return None
    codes = list(codes)
    readings = []
    for filling in itertools.product(_UNDEFINED, repeat=len(holes)):
        for index, code in zip(holes, filling, strict=True):
            codes[index] = code
        reading = legacy_reading(bytes(codes))
        if reading is not None:
            readings.append(reading)
    return max(readings, key=lambda reading: _likelihood(reading[0]), default=None)


def _likelihood(text: str) -> float:
    return max(reading_score(text, language) for language in ("zh-Hans", "zh-Hant", "ja", "ko"))
