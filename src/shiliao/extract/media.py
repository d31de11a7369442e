"""Deciding a file's media type from its first bytes and its name.

The bytes are trusted before the name: collected files are often misnamed (a saved web page
called ``notice.jpg``), and the extractor must match what the bytes are. Signatures follow the
WHATWG MIME Sniffing Standard (images, archives, PDF) and the formats' own specifications.
"""

from __future__ import annotations

import codecs
import re
import zlib
from pathlib import PurePath

__all__ = ["SNIFF_BYTES", "sniff_media_type"]

SNIFF_BYTES = 4096
"""How many leading bytes ``sniff_media_type`` looks at; pass at least this many."""

# A PDF reader accepts the header anywhere in the first 1024 bytes (ISO 32000-2, Annex H).
_PDF_HEADER_WINDOW = 1024

_IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)

# ZIP is only the container: the name says which document format it carries.
_ZIP_FORMATS = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".epub": "application/epub+zip",
    ".wacz": "application/wacz",
}

_EXTENSIONS = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".pdf": "application/pdf",
    ".jsonl": "application/jsonl",
    ".warc": "application/warc",
}

# POSIX ustar and GNU tar write this magic at byte 257 of each header (POSIX.1-2001, pax).
_TAR_MAGIC_OFFSET = 257
# Enough of a gzip stream's start to read what it compresses: a WARC record or a tar header.
_GZIP_PEEK_BYTES = 512

_UTF16_BOMS = ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))

# An optional XML declaration, then the start of an HTML document, case-insensitive.
_HTML_START = re.compile(rb"\s*(?:<\?xml[^>]*\?>\s*)?<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE)


def sniff_media_type(head: bytes, name: str) -> str:
    """Decide a file's IANA media type, from its leading bytes first and then its name.

    Args:
        head: the first bytes of the file; ``SNIFF_BYTES`` (4096) are enough, fewer work for
            files that short.
        name: the file's name or path; only its extension (any case) is used.

    Returns:
        A media type without parameters: ``"application/pdf"``, ``"text/html"``,
        ``"image/jpeg"``, ``"image/png"``, ``"image/gif"``, ``"image/tiff"``, ``"image/webp"``,
        ``"application/zip"`` (or the document format a ZIP file's extension names:
        ``.docx``, ``.wacz`` as ``"application/wacz"``...), ``"application/warc"`` (plain or
        gzip-compressed, by the ``WARC/`` version line), ``"application/x-tar"``,
        ``"application/gzip"`` (anything else compressed: a ``.tar.gz``), ``"text/plain"``,
        ``"text/markdown"``, ``"application/jsonl"``; otherwise ``"application/octet-stream"``.
    """
    suffix = PurePath(name).suffix.lower()
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    for signature, media_type in _IMAGE_SIGNATURES:
        if head.startswith(signature):
            return media_type
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"PK\x03\x04"):
        return _ZIP_FORMATS.get(suffix, "application/zip")
    if head.startswith(b"PK\x05\x06"):  # an empty ZIP: only its end-of-directory record
        return "application/zip"
    if head.startswith(b"WARC/"):
        return "application/warc"
    if head.startswith(b"\x1f\x8b"):
        return (
            "application/warc" if _gunzip_start(head).startswith(b"WARC/") else "application/gzip"
        )
    if head[_TAR_MAGIC_OFFSET : _TAR_MAGIC_OFFSET + 5] == b"ustar":
        return "application/x-tar"
    if _HTML_START.match(_as_single_byte_text(head)):
        return "text/html"
    if b"%PDF-" in head[:_PDF_HEADER_WINDOW]:
        return "application/pdf"
    return _EXTENSIONS.get(suffix, "application/octet-stream")


def _as_single_byte_text(head: bytes) -> bytes:
    """The head without a UTF-8 mark, and UTF-16 text narrowed to ASCII, for pattern matching."""
    if head.startswith(codecs.BOM_UTF8):
        return head[len(codecs.BOM_UTF8) :]
    for bom, codec in _UTF16_BOMS:
        if head.startswith(bom):
            # The head may end inside a character; what matters is its start.
            text = head[len(bom) :].decode(codec, errors="ignore")
            return text.encode("ascii", errors="replace")
    return head


def _gunzip_start(head: bytes) -> bytes:
    """The first bytes that a gzip stream's start decompresses to; empty when it is corrupt."""
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, _GZIP_PEEK_BYTES)
    except zlib.error:
        return b""
