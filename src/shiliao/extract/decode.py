"""Bytes to text for the text-based formats (plain text, Markdown, HTML).

The order of evidence, strongest first:

1. a byte-order mark (UTF-8, UTF-16, UTF-32);
2. the charset the file or its transport declares. It yields only to a Chinese reading that
   decodes every byte: when the bytes are invalid in it (GBK labelled ``utf-8``), or when it
   is ISO-8859-1 or windows-1252, the defaults of many servers and editors;
3. strict UTF-8;
4. charset-normalizer, asked to choose among the encodings our sources use.

Chinese sources are mostly GBK; pages labelled ``gb2312`` or ``gbk`` routinely hold characters
outside those sets (镕 is in GBK, not GB2312; 䶮 only in GB18030), so the whole GB family is
read as GB18030, their superset, as the WHATWG Encoding Standard does for ``gbk``.
charset-normalizer alone misreads short GBK texts as Big5-HKSCS, Shift JIS, CP949 or a Latin
code page; restricting its candidates and checking its single-byte answers against GB18030
keeps that from happening.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass
from typing import Any

from charset_normalizer import from_bytes

from shiliao.errors import ExtractionLimit

__all__ = [
    "MAX_TEXT_BYTES",
    "REVIEW_REPLACEMENT_RATIO",
    "DecodedText",
    "decode_text",
    "normalize_text",
]

# Longest first: the UTF-32-LE mark begins with the UTF-16-LE one. The codec named is the one
# that consumes the mark, so ``data.decode(encoding)`` reproduces the text.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Python codec names (as ``codecs.lookup`` spells them) read as GB18030 instead.
_GB_FAMILY = frozenset({"gb2312", "gbk", "gb18030"})

# Web labels that Python's codec registry does not know.
_LABEL_ALIASES = {"x-gbk": "gbk", "x-euc-cn": "gb2312", "x-x-big5": "big5"}

# Declarations that servers and editors emit by default, whatever the bytes are: a page that
# says ISO-8859-1 may well be GBK, so these are checked against detection.
_WEAK_DECLARATIONS = frozenset({"iso8859-1", "cp1252"})

# What charset-normalizer may choose from: the Chinese encodings, plus the Western and Cyrillic
# code pages of the foreign-language sources an archive of this kind also holds.
_CANDIDATES = ["gb18030", "big5", "cp1252", "cp1251"]
_SINGLE_BYTE = frozenset({"cp1252", "cp1251"})

_NEWLINES = str.maketrans({"\r": "\n", "\u0085": "\n", "\u2028": "\n", "\u2029": "\n"})

MAX_TEXT_BYTES = 64 * 1024**2
"""The largest text file (plain text, Markdown, a web page) decoded, in bytes. Decoding,
normalizing and parsing take several copies of the text, and one passage of a 200 MB line is
of no use to a reader; a larger file is refused (reliability.md I-long-line)."""

REVIEW_REPLACEMENT_RATIO = 0.01
"""Above this share of U+FFFD characters a decoded text is marked ``needs_review``: one
undecodable character in a hundred means the encoding, not a stray byte, is likely wrong."""


@dataclass(frozen=True)
class DecodedText:
    """Text decoded from bytes, with how it was decoded.

    Attributes:
        text: the text, newlines normalized to ``"\\n"``, NFC.
        encoding: the Python codec that decoded the bytes (``"utf-8"``, ``"gb18030"``,
            ``"utf-8-sig"`` when a byte-order mark was present...).
        declared_encoding: the charset label the caller passed, as given, or None.
        replacement_ratio: U+FFFD characters per character of ``text`` (0.0 for empty text);
            bytes the codec could not read became U+FFFD.
    """

    text: str
    encoding: str
    declared_encoding: str | None
    replacement_ratio: float

    def metadata(self) -> dict[str, Any]:
        """Return the decoding provenance as ``Extraction.metadata`` keys.

        Returns:
            ``encoding``, ``replacement_ratio``, ``declared_encoding`` when one was declared,
            and ``needs_review: True`` when more than 1 % of the characters are U+FFFD.
        """
        found: dict[str, Any] = {
            "encoding": self.encoding,
            "replacement_ratio": self.replacement_ratio,
        }
        if self.declared_encoding is not None:
            found["declared_encoding"] = self.declared_encoding
        if self.replacement_ratio > REVIEW_REPLACEMENT_RATIO:
            found["needs_review"] = True
        return found


def normalize_text(text: str) -> str:
    """Normalize newlines to ``"\\n"`` and the text to Unicode NFC.

    Args:
        text: any text.

    Returns:
        The text with CR LF, CR, NEL, U+2028 and U+2029 each turned into one ``"\\n"``, in NFC.
    """
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").translate(_NEWLINES))


def decode_text(data: bytes, declared: str | None = None) -> DecodedText:
    """Decode the bytes of a text file or web page.

    Args:
        data: the file's bytes.
        declared: the charset label the file or its transport gives (``<meta charset>``, an
            HTTP ``Content-Type`` parameter), any case; None when there is none. An unknown
            label is recorded and otherwise ignored.

    Returns:
        The decoded, normalized text and its provenance. Never raises on bad bytes: what no
        codec can read becomes U+FFFD and shows in ``replacement_ratio``.

    Raises:
        ExtractionLimit: the data is longer than ``MAX_TEXT_BYTES``.
    """
    if len(data) > MAX_TEXT_BYTES:
        raise ExtractionLimit(
            f"{len(data)} bytes of text, more than the limit of {MAX_TEXT_BYTES}; refused"
        )
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decoded(data, encoding, declared)

    codec = _codec_for_label(declared) if declared else None
    if codec is not None and _decodes_strictly(data, codec):
        if codec in _WEAK_DECLARATIONS and not data.isascii():
            detected = _detect(data)
            if detected not in _SINGLE_BYTE and _reads_as_chinese(data, detected):
                return _decoded(data, detected, declared)
        return _decoded(data, codec, declared)

    detected = _detect(data)
    if codec is None:
        return _decoded(data, detected, declared)
    # The declaration is wrong somewhere. A strict CJK reading means the page was mislabelled
    # (GBK saved as "utf-8"); a code-page reading never fails and would only turn a few bad
    # bytes into a whole page of mojibake, so then the declaration stands, with U+FFFD.
    if detected not in _SINGLE_BYTE and _decodes_strictly(data, detected):
        return _decoded(data, detected, declared)
    return _decoded(data, codec, declared)


def _codec_for_label(label: str) -> str | None:
    name = label.strip().lower()
    try:
        codec = codecs.lookup(_LABEL_ALIASES.get(name, name)).name
    except LookupError:
        return None
    return "gb18030" if codec in _GB_FAMILY else codec


def _decodes_strictly(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _detect(data: bytes) -> str:
    """Pick the codec for undeclared bytes (see the module docstring)."""
    if _decodes_strictly(data, "utf-8"):
        return "utf-8"
    best = from_bytes(data, cp_isolation=_CANDIDATES).best()
    guess = best.encoding if best is not None else None
    if guess is not None and guess not in _SINGLE_BYTE:
        return guess
    if _reads_as_chinese(data, "gb18030"):
        return "gb18030"
    return guess or "gb18030"


def _reads_as_chinese(data: bytes, codec: str) -> bool:
    """Whether the bytes are valid in ``codec`` and then mostly CJK where they are not ASCII.

    A Latin-1 text is almost never valid GB18030 or Big5 (an accented letter followed by a
    space or punctuation is an invalid pair), so this tells short Chinese texts from Western
    ones.
    """
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return False
    wide = [ch for ch in text if ord(ch) > 0x7F]
    cjk = sum(1 for ch in wide if _is_cjk(ch))
    return bool(wide) and cjk * 2 >= len(wide)


def _is_cjk(ch: str) -> bool:
    name = unicodedata.name(ch, "")
    return name.startswith(("CJK ", "IDEOGRAPHIC ", "FULLWIDTH ")) or "\u3000" <= ch <= "\u303f"


def _decoded(data: bytes, codec: str, declared: str | None) -> DecodedText:
    text = normalize_text(data.decode(codec, errors="replace"))
    ratio = text.count("\ufffd") / len(text) if text else 0.0
    return DecodedText(text, codec, declared, ratio)
