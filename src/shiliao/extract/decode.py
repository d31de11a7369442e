"""Bytes to text for the text-based formats (plain text, Markdown, HTML).

The order of evidence, strongest first:

1. a byte-order mark: UTF-8, UTF-16LE/BE, UTF-32LE/BE, GB18030 (``84 31 95 33``, its
   encoding of U+FEFF) or UTF-7; the mark is removed from the text, and recorded. The marks of
   UTF-1, UTF-EBCDIC, SCSU and BOCU-1, which Python cannot decode, are reported;
2. the charset the file or its transport declares. It yields only to an East Asian reading
   that decodes every byte: when the bytes are invalid in it (GBK labelled ``utf-8``), or when
   it is ISO-8859-1 or windows-1252, the defaults of many servers and editors;
3. the escape sequences of ISO-2022-JP and ISO-2022-KR, in 7-bit text (which is valid UTF-8);
4. UTF-8, strict, or with a few bytes it cannot read: at least ``_UTF8_GOOD_PER_BAD``
   well-formed multi-byte characters for each bad sequence, or ``_UTF8_GOOD_PER_BAD_UNRIVALLED``
   when no East Asian reading is plausible (a UTF-8 file with one stray byte or a cut last
   character is UTF-8 with one U+FFFD, not GB18030 or CP932 mojibake; GBK read as UTF-8 fails
   at nearly every character). Short GBK can be valid UTF-8 (通知 is ``֪ͨ``): a UTF-8 reading
   that mixes alphabets, begins with a combining mark or holds controls (``_doubtful_utf8``)
   yields to an East Asian reading of common characters;
5. charset-normalizer, asked to choose among the encodings our sources use, then the East
   Asian readings compared (below).

Chinese sources are mostly GBK; pages labelled ``gb2312`` or ``gbk`` routinely hold characters
outside those sets (镕 is in GBK, not GB2312; 䶮 only in GB18030), so the whole GB family is
read as GB18030, their superset, as the WHATWG Encoding Standard does for ``gbk``.
charset-normalizer alone misreads short GBK texts as Big5-HKSCS, Shift JIS, CP949 or a Latin
code page; restricting its candidates and checking its single-byte answers against GB18030
keeps that from happening.

Japanese and Korean files come undeclared too, and their bytes are mostly valid GB18030 (the
Hangul rows of EUC-KR are GB 2312's level-1 rows). Every reading among GB18030, Big5,
Shift_JIS (as Microsoft's CP932), EUC-JP and CP949 (EUC-KR's superset) that decodes every byte
is scored by how likely its characters are in the language that encoding writes
(``plausibility.reading_score``); GB18030 is kept unless another reading is at least
``_CHINESE_PRIOR`` (e^3, twenty times) likelier, the odds that our sources are Chinese.

Every U+FFFD in the text, whether the codec made it from bytes it could not read or the file
holds it, is reported with its count and first place: a quotation cannot be defended whose
characters are not the document's.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass
from typing import Any

from charset_normalizer import from_bytes

from shiliao.errors import ExtractionLimit
from shiliao.extract.plausibility import (
    COMMON_HAN_SHARE,
    han_counts,
    reading_score,
    script_family,
)

__all__ = [
    "MAX_TEXT_BYTES",
    "REVIEW_REPLACEMENT_RATIO",
    "DecodedText",
    "decode_text",
    "legacy_reading",
    "normalize_text",
]

# (mark, codec, name) longest first: the UTF-32-LE mark begins with the UTF-16-LE one. The
# codec named consumes the mark where Python has one that does (``data.decode(encoding)`` then
# reproduces the text); GB18030 and UTF-7 decode it as U+FEFF, which is removed.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32LE"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32BE"),
    (b"\x84\x31\x95\x33", "gb18030", "GB18030"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16LE"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16BE"),
    # UTF-7 (RFC 2152) spells U+FEFF "+/v" and a fourth character that carries bits of the
    # next one.
    (b"+/v8", "utf-7", "UTF-7"),
    (b"+/v9", "utf-7", "UTF-7"),
    (b"+/v+", "utf-7", "UTF-7"),
    (b"+/v/", "utf-7", "UTF-7"),
)
# Marks of encodings Python has no codec for (RFC 1641 SCSU, UTR #16 UTF-EBCDIC...).
_UNDECODABLE_BOMS = (
    (b"\xdd\x73\x66\x73", "UTF-EBCDIC"),
    (b"\xf7\x64\x4c", "UTF-1"),
    (b"\x0e\xfe\xff", "SCSU"),
    (b"\xfb\xee\x28", "BOCU-1"),
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

# The East Asian readings compared, with the language each encoding writes.
_EAST_ASIAN = {
    "gb18030": "zh-Hans",
    "big5": "zh-Hant",
    "cp932": "ja",
    "euc_jp": "ja",
    "cp949": "ko",
}
# Well-formed non-ASCII characters per malformed sequence for bytes to read as damaged UTF-8.
_UTF8_GOOD_PER_BAD = 20
# The same when no East Asian reading is plausible: a cut last character or a stray byte.
_UTF8_GOOD_PER_BAD_UNRIVALLED = 2
# Natural-log odds a reading other than GB18030 must win by.
_CHINESE_PRIOR = 3.0
# ISO-2022 designations (ESC sequences: RFC 1557 for Korean, RFC 1468 and RFC 1554 for
# Japanese) and the codec that reads each family.
_ISO2022 = (
    ((b"\x1b$)C",), "iso2022_kr"),
    ((b"\x1b$B", b"\x1b$@", b"\x1b$(D", b"\x1b(J", b"\x1b(I"), "iso2022_jp_2"),
)

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
        text: the text, newlines normalized to ``"\\n"``, NFC, without a byte-order mark.
        encoding: the Python codec that decoded the bytes (``"utf-8"``, ``"gb18030"``,
            ``"cp932"`` for Shift_JIS, ``"utf-8-sig"`` when a UTF-8 byte-order mark was
            present...).
        declared_encoding: the charset label the caller passed, as given, or None.
        replacement_ratio: U+FFFD characters per character of ``text`` (0.0 for empty text);
            bytes the codec could not read became U+FFFD.
        bom: the encoding whose byte-order mark began the bytes (``"UTF-8"``, ``"UTF-16LE"``,
            ``"GB18030"``...), removed from ``text``; None when there was none.
        replacement_count: the number of U+FFFD characters in ``text``.
        replacement_offset: the offset of the first of them in ``text`` (code points), or
            None.
        bad_byte_offset: the offset in the bytes of the first byte the codec could not read,
            or None when it read them all (any U+FFFD was then in the file itself).
        warnings: what a reader of the text must know beyond U+FFFD: a byte-order mark of an
            encoding no codec here reads (the text is then surely wrong).
    """

    text: str
    encoding: str
    declared_encoding: str | None
    replacement_ratio: float
    bom: str | None = None
    replacement_count: int = 0
    replacement_offset: int | None = None
    bad_byte_offset: int | None = None
    warnings: tuple[str, ...] = ()

    def metadata(self) -> dict[str, Any]:
        """Return the decoding provenance as ``Extraction.metadata`` keys.

        Returns:
            ``encoding``, ``replacement_ratio``, ``declared_encoding`` when one was declared,
            ``bom`` when a byte-order mark was removed, ``replacement_count`` and
            ``replacement_offset`` when the text holds U+FFFD, ``warnings`` (a list of
            sentences: every U+FFFD makes one, with its count and first offset) and
            ``needs_review: True`` when more than 1 % of the characters are U+FFFD or the
            bytes begin with a mark no codec here reads.
        """
        found: dict[str, Any] = {
            "encoding": self.encoding,
            "replacement_ratio": self.replacement_ratio,
        }
        if self.declared_encoding is not None:
            found["declared_encoding"] = self.declared_encoding
        if self.bom is not None:
            found["bom"] = self.bom
        warnings = list(self.warnings)
        if self.replacement_count:
            found["replacement_count"] = self.replacement_count
            found["replacement_offset"] = self.replacement_offset
            if self.bad_byte_offset is None:
                where = "the file holds them as such"
            else:
                where = f"the first unreadable byte is at byte {self.bad_byte_offset}"
            warnings.append(
                f"{self.replacement_count} replacement character(s) U+FFFD in the text read "
                f"as {self.encoding}, the first at character {self.replacement_offset}; {where}"
            )
        if warnings:
            found["warnings"] = warnings
        if self.replacement_ratio > REVIEW_REPLACEMENT_RATIO or self.warnings:
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
        codec can read becomes U+FFFD and shows in ``replacement_ratio``,
        ``replacement_count`` and the warnings.

    Raises:
        ExtractionLimit: the data is longer than ``MAX_TEXT_BYTES``.
    """
    if len(data) > MAX_TEXT_BYTES:
        raise ExtractionLimit(
            f"{len(data)} bytes of text, more than the limit of {MAX_TEXT_BYTES}; refused"
        )
    for bom, encoding, name in _BOMS:
        if data.startswith(bom):
            return _decoded(data, encoding, declared, bom=name)

    codec = _codec_for_label(declared) if declared else None
    if codec is not None and _decodes_strictly(data, codec):
        if codec in _WEAK_DECLARATIONS and not data.isascii():
            detected = _detect(data)
            if detected not in _SINGLE_BYTE and _reads_as_east_asian(data, detected):
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


def legacy_reading(data: bytes) -> tuple[str, str] | None:
    """Read bytes that a program took for Latin-1 or the like (a PDF's document information
    written in GBK): as UTF-8, or as the likeliest East Asian encoding.

    Args:
        data: the bytes, short or long.

    Returns:
        ``(text, codec)``: strict UTF-8 when the bytes hold non-ASCII and decode so, unless
        that reading is doubtful (``_doubtful_utf8``: short GBK like 通知 is valid UTF-8 as
        ``֪ͨ``) and an East Asian reading of common characters decodes every byte; else the
        East Asian reading without private-use characters that decodes every byte into mostly
        East Asian text and is likeliest (see the module docstring); None when there is none.
        The text is not normalized.
    """
    if data.isascii():
        return None
    utf8 = data.decode("utf-8", errors="replace")
    if "\ufffd" not in utf8:
        # Valid UTF-8 yields only to a plausible East Asian reading, and only when doubtful.
        readings = _plausible_readings(data) if _doubtful_utf8(utf8) else {}
        if not readings:
            return utf8, "utf-8"
    else:
        # A private-use character is no proof in a long text (some fonts put rare hanzi
        # there), but in a short string it is the codec's guess at bytes it cannot map.
        readings = {
            codec: text
            for codec, text in _east_asian_readings(data).items()
            if not any(unicodedata.category(ch) == "Co" for ch in text)
        }
    if not readings:
        return None
    codec = _likeliest(readings)
    return readings[codec], codec


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
    if data.isascii() and b"\x1b" in data:
        for escapes, codec in _ISO2022:
            if any(escape in data for escape in escapes) and _decodes_strictly(data, codec):
                return codec
    utf8 = data.decode("utf-8", errors="replace")
    doubtful = _doubtful_utf8(utf8)
    if "\ufffd" not in utf8:
        # Valid UTF-8 yields only to a plausible East Asian reading, and only when doubtful.
        readings = _plausible_readings(data) if doubtful else {}
        return _likeliest(readings) if readings else "utf-8"
    readings = _east_asian_readings(data)
    if not doubtful and _mostly_utf8(utf8, readings):
        return "utf-8"
    best = from_bytes(data, cp_isolation=_CANDIDATES).best()
    guess = best.encoding if best is not None else None
    if readings and (guess is None or guess not in _SINGLE_BYTE or "gb18030" in readings):
        return _likeliest(readings)
    return guess or "gb18030"


def _east_asian_readings(data: bytes) -> dict[str, str]:
    """Each East Asian codec that decodes every byte into mostly East Asian text, with it."""
    readings = {}
    for codec in _EAST_ASIAN:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _mostly_east_asian(text):
            readings[codec] = text
    return readings


def _plausible_readings(data: bytes) -> dict[str, str]:
    return {
        codec: text
        for codec, text in _east_asian_readings(data).items()
        if _plausible_east_asian(text)
    }


def _mostly_utf8(text: str, readings: dict[str, str]) -> bool:
    """Whether ``text``, bytes read as UTF-8 with U+FFFD for what it could not read, is UTF-8
    with a few bad bytes: ``_UTF8_GOOD_PER_BAD`` well-formed characters per bad sequence, or,
    when no East Asian reading decodes every byte into plausible text (a cut last character
    or a stray byte makes those readings fail or give private-use and rare characters),
    ``_UTF8_GOOD_PER_BAD_UNRIVALLED``. GBK read as UTF-8 has about one good character for ten
    bad, so its bad sequences outnumber its good ones either way."""
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 0x7F) - bad
    if good >= _UTF8_GOOD_PER_BAD * bad:
        return True
    plausible = any(_plausible_east_asian(reading) for reading in readings.values())
    return not plausible and good >= _UTF8_GOOD_PER_BAD_UNRIVALLED * bad


def _plausible_east_asian(text: str) -> bool:
    """Whether a reading holds no private-use character and its Han characters are common
    ones (``plausibility.COMMON_HAN_SHARE`` of them in level 1 of GB 2312, Big5 or JIS)."""
    if any(unicodedata.category(ch) == "Co" for ch in text):
        return False
    han, common = han_counts(text)
    return common >= COMMON_HAN_SHARE * han


def _doubtful_utf8(text: str) -> bool:
    """Whether strict UTF-8 gives what no writer writes, the sign of a short legacy-encoded
    string that happens to be valid UTF-8 (GBK 通知 is ``֪ͨ``, 学习 ``ѧϰ``): a C1 control,
    private-use or unassigned character, a combining mark that follows no letter, or letters
    of two alphabets (Hebrew and Armenian, Cyrillic and Greek) among its non-ASCII letters.
    Only texts whose non-ASCII characters are all two-byte sequences (below U+0800) are
    doubted: a three-byte sequence (all of CJK) does not happen by chance in GBK."""
    wide = [ch for ch in text if ord(ch) > 0x7F and ch != "\ufffd"]
    if not wide or any(ord(ch) >= 0x800 for ch in wide):
        return False
    families = set()
    previous = ""
    for ch in text:
        category = unicodedata.category(ch)
        if ord(ch) > 0x7F and category in ("Cc", "Co", "Cn"):
            return True
        if category.startswith("M") and not (previous and script_family(previous)):
            return True
        if ord(ch) > 0x7F and (family := script_family(ch)) is not None:
            families.add(family)
        if not category.startswith("M"):
            previous = ch
    return len(families) > 1


def _likeliest(readings: dict[str, str]) -> str:
    """The East Asian reading whose characters are likeliest in its language, GB18030 unless
    another wins by ``_CHINESE_PRIOR``."""
    scores = {codec: reading_score(text, _EAST_ASIAN[codec]) for codec, text in readings.items()}
    best = max(scores, key=scores.__getitem__)
    if "gb18030" in scores and scores[best] - scores["gb18030"] < _CHINESE_PRIOR:
        return "gb18030"
    return best


def _reads_as_east_asian(data: bytes, codec: str) -> bool:
    """Whether the bytes are valid in ``codec`` and then mostly CJK where they are not ASCII."""
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return False
    return _mostly_east_asian(text)


def _mostly_east_asian(text: str) -> bool:
    """Whether at least half the non-ASCII characters are Han, kana, Hangul or CJK punctuation.

    A Latin-1 text is almost never valid GB18030 or Big5 (an accented letter followed by a
    space or punctuation is an invalid pair), so this tells short Chinese texts from Western
    ones; half-width katakana, which GBK bytes become in Shift_JIS, do not count.
    """
    wide = [ch for ch in text if ord(ch) > 0x7F]
    cjk = sum(1 for ch in wide if _is_cjk(ch))
    return bool(wide) and cjk * 2 >= len(wide)


def _is_cjk(ch: str) -> bool:
    name = unicodedata.name(ch, "")
    return (
        name.startswith(("CJK ", "IDEOGRAPHIC ", "FULLWIDTH ", "HIRAGANA ", "KATAKANA "))
        or name.startswith("HANGUL SYLLABLE ")
        or "\u3000" <= ch <= "\u303f"
    )


def _decoded(data: bytes, codec: str, declared: str | None, bom: str | None = None) -> DecodedText:
    warnings = tuple(
        f"the file begins with the byte-order mark of {name}, which cannot be decoded; it was "
        f"read as {codec}"
        for mark, name in _UNDECODABLE_BOMS
        if data.startswith(mark)
    )
    text = normalize_text(data.decode(codec, errors="replace"))
    if bom is not None and text.startswith("\ufeff"):
        # GB18030 and UTF-7 decode their mark as U+FEFF.
        text = text[1:]
    count = text.count("\ufffd")
    bad_byte = None
    if count:
        try:
            data.decode(codec)
        except UnicodeDecodeError as exc:
            bad_byte = exc.start
    return DecodedText(
        text,
        codec,
        declared,
        count / len(text) if text else 0.0,
        bom=bom,
        replacement_count=count,
        replacement_offset=text.find("\ufffd") if count else None,
        bad_byte_offset=bad_byte,
        warnings=warnings,
    )
