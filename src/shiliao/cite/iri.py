"""Web addresses as readers see them (IRIs) and as exchange files carry them (URIs).

A Chinese web address is stored however it was copied: ``https://example.cn/新闻/2019`` from
a browser's address bar, or ``https://example.cn/%E6%96%B0%E9%97%BB/2019`` from a page's
source. The text styles print the IRI (RFC 3987), which a reader can read and a browser opens
as it is; BibTeX and RIS carry the URI (RFC 3986), since LaTeX's ``\\url`` and reference
managers' importers expect ASCII.

``to_iri`` follows RFC 3987 §3.2 ("Converting URIs to IRIs"): a percent-encoded sequence is
decoded where its octets are UTF-8 for characters an IRI may hold (``ucschar``, §2.2) that are
neither white space, nor control or format characters (the bidirectional marks §4.1 forbids),
nor private-use; an encoded ASCII character (``%2F``, ``%20``, ``%3F``) stays encoded, since
decoding it could change what the address means. Characters that may not stand in an IRI
(spaces of any width, ``<>"{}|\\^```, controls) are percent-encoded. ``to_uri`` is RFC 3987
§3.1 ("Mapping of IRIs to URIs"): every character outside the URI set encoded as its UTF-8
octets, and a host in other than ASCII written in IDNA (punycode, RFC 3490).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

__all__ = ["to_iri", "to_uri"]

# RFC 3986 §2.2-2.3: reserved and unreserved characters; "%" stands for itself only before two
# hexadecimal digits.
_URI_SAFE = ":/?#[]@!$&'()*+,;=-._~%"
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_ENCODED = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_AUTHORITY = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<authority>[^/?#]*)")
# RFC 3987 §2.2 ucschar (iprivate, allowed in queries only, is left encoded everywhere).
_UCSCHAR = (
    (0xA0, 0xD7FF),
    (0xF900, 0xFDCF),
    (0xFDF0, 0xFFEF),
    *((plane * 0x10000, plane * 0x10000 + 0xFFFD) for plane in range(1, 15)),
)


def _iri_char(char: str) -> bool:
    """Whether a non-ASCII character may stand unencoded in an IRI shown to readers."""
    code = ord(char)
    return any(low <= code <= high for low, high in _UCSCHAR) and unicodedata.category(char)[
        0
    ] not in ("Z", "C")


def to_iri(address: str) -> str:
    """An address as an IRI for reading (RFC 3987 §3.2; rules in the module docstring).

    Args:
        address: a URI or IRI, e.g. ``"https://example.cn/%E6%96%B0%E9%97%BB/2019?q=a b"``;
            surrounding white space is ignored.

    Returns:
        The IRI: ``"https://example.cn/新闻/2019?q=a%20b"``. Percent-encoded octets that are
        not UTF-8 (``%B2%E2``, GBK) stay encoded, a lone ``%`` is written ``%25``; the host
        is left as written.
    """

    def decode(match: re.Match[str]) -> str:
        encoded = match.group()
        octets = bytes.fromhex(encoded.replace("%", ""))
        out, position = [], 0
        while position < len(octets):
            for width in (4, 3, 2):
                try:
                    char = octets[position : position + width].decode("utf-8")
                except UnicodeDecodeError:
                    continue
                if len(char) == 1 and not char.isascii() and _iri_char(char):
                    out.append(char)
                    position += len(char.encode("utf-8"))
                    break
            else:
                out.append(encoded[position * 3 : position * 3 + 3])
                position += 1
        return "".join(out)

    decoded = _ENCODED.sub(decode, _LONE_PERCENT.sub("%25", address.strip()))
    return "".join(
        char
        if (char.isascii() and quote(char, safe=_URI_SAFE) == char)
        or (not char.isascii() and _iri_char(char))
        else quote(char, safe="")
        for char in decoded
    )


def to_uri(address: str) -> str:
    """An address as an ASCII URI for exchange files (RFC 3987 §3.1).

    Args:
        address: a URI or IRI, e.g. ``"https://例子.中国/新闻/2019"``; surrounding white space
            is ignored.

    Returns:
        ``"https://xn--fsqu00a.xn--fiqs8s/%E6%96%B0%E9%97%BB/2019"``: characters outside the
        URI set percent-encoded as UTF-8 (existing ``%XX`` kept, a lone ``%`` written
        ``%25``), a non-ASCII host in IDNA; an address already a URI is returned unchanged.
    """
    address = _LONE_PERCENT.sub("%25", address.strip())
    authority = _AUTHORITY.match(address)
    if authority and not authority.group("authority").isascii():
        userinfo, at, hostport = authority.group("authority").rpartition("@")
        host, colon, port = hostport.partition(":")
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            # Not a name IDNA can write (too long a label, say): percent-encoded, as RFC 3986
            # allows in a registered name.
            host = quote(host, safe="")
        address = (
            authority.group("scheme")
            + userinfo
            + at
            + host
            + colon
            + port
            + address[authority.end() :]
        )
    return quote(address, safe=_URI_SAFE)
