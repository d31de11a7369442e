"""Names for the copies of original files that the site offers for download.

An original is copied to ``files/<sha256>/<name>``: the digest in the path makes the copy's
identity checkable by anyone (``sha256sum`` it) and keeps two files of the same name apart.
The name is the original's own when it is a plain ASCII name, else ``<sha256><.ext>``. A file a
browser would run (HTML, SVG, XML, scripts) gets ``.txt`` appended: served from the site's own
origin it could otherwise run its scripts there (reliability.md W-svg-html-upload), while as
text it is shown, not run; its bytes are unchanged.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["download_name"]

_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,119}")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}")
_ACTIVE_SUFFIXES = frozenset(
    {
        ".htm",
        ".html",
        ".shtml",
        ".xht",
        ".xhtml",
        ".svg",
        ".svgz",
        ".xml",
        ".xsl",
        ".xslt",
        ".js",
        ".mjs",
        ".swf",
        ".mht",
        ".mhtml",
    }
)
_ACTIVE_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "image/svg+xml",
        "application/xml",
        "text/xml",
        "text/javascript",
        "application/javascript",
        "application/x-shockwave-flash",
        "multipart/related",
        "message/rfc822",
    }
)


def download_name(original_name: str | None, sha256: str, media_type: str | None) -> str:
    """The file name of an original's copy on the site.

    Args:
        original_name: the name it had in the collection, or None when unknown.
        sha256: its digest, lowercase hex.
        media_type: its IANA media type as stored, or None.

    Returns:
        A name of ASCII letters, digits, ``.``, ``_`` and ``-``: ``report.pdf`` stays
        ``report.pdf``; ``报告.pdf`` becomes ``<sha256>.pdf``; ``page.html`` becomes
        ``page.html.txt``.
    """
    name = unicodedata.normalize("NFC", original_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, suffix = name.rpartition(".")
    extension = f".{suffix}" if dot and stem and _EXTENSION.fullmatch(f".{suffix}") else ""
    base = name if _PLAIN_NAME.fullmatch(name) and ".." not in name else f"{sha256}{extension}"
    kind = (media_type or "").split(";", 1)[0].strip().lower()
    if extension.lower() in _ACTIVE_SUFFIXES or kind in _ACTIVE_TYPES:
        base += ".txt"
    return base
