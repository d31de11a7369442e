"""Which URLs and addresses a capture may connect to: the guard against server-side request
forgery (reliability test W-ssrf, onefilellm #79, yoko-crawler #89).

A capture fetches URLs that strangers chose, from a machine inside the team's network, so a URL
must never make shiliao reach that network: the cloud metadata service (169.254.169.254), a
router's admin page, a database on localhost. Every hop is checked (the first URL and every
redirect target), and again when the connection is made (``transport``):

1. The URL string: no backslash or control character anywhere. Parsers disagree about them
   (``http://127.0.0.1\\@example.com`` is example.com to RFC 3986 and 127.0.0.1 to browsers).
2. The URL as httpx parses it (the parser that makes the request): scheme ``http`` or
   ``https`` only (no ``file:``, ``ftp:``, ``gopher:``); no user name or password (they hide
   the real host, ``http://trusted.example@10.0.0.1/``); no ``%`` in the host.
3. The host's addresses. A host that ends in a number is an IPv4 address in any of the forms
   browsers and ``inet_aton`` accept (WHATWG URL Standard, "IPv4 parser"): ``2130706433``,
   ``0x7f.1``, ``017700000001``, ``127.1`` are all 127.0.0.1; it is parsed here and never sent to
   DNS, and one that does not parse is refused. An IPv6 literal is parsed by ``ipaddress``. A
   name is resolved by the resolver. Unless private addresses are allowed, every address the
   host has must be globally reachable (``forbidden_reason``); one bad address refuses the host.

The comparison is on ``ipaddress`` values, never on strings, and IPv6 forms that carry an IPv4
address (IPv4-mapped ``::ffff:127.0.0.1``, NAT64 ``64:ff9b::7f00:1``, 6to4 ``2002:7f00:1::``) are
judged by the address they carry.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable

import httpx

from shiliao.errors import CaptureError, UnsafeAddress

__all__ = [
    "Address",
    "Resolver",
    "check_url",
    "forbidden_reason",
    "has_unsafe_characters",
    "resolve_checked",
    "system_resolver",
]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Iterable[str]]
"""Resolves ``(host, port)`` to IP address strings (``"93.184.216.34"``, ``"2606:2800::1"``)."""

_BAD_CHARACTERS = re.compile(r"[\\\x00-\x1f\x7f]")
_SCHEMES = ("http", "https")
# Special-purpose blocks (RFC 6890 and the IANA special-purpose address registries) that
# ``ipaddress`` does not flag as private, reserved, link-local, loopback or multicast in every
# Python version; each is not globally reachable.
_SPECIAL_NETWORKS = tuple(
    ipaddress.ip_network(block)
    for block in (
        "0.0.0.0/8",  # "this network" (RFC 791)
        "100.64.0.0/10",  # shared address space, carrier-grade NAT (RFC 6598)
        "192.0.0.0/24",  # IETF protocol assignments (RFC 6890)
        "198.18.0.0/15",  # benchmarking (RFC 2544)
        "100::/64",  # discard-only (RFC 6666)
        "2001::/23",  # IETF protocol assignments, Teredo included (RFC 2928, RFC 4380)
        "2001:db8::/32",  # documentation (RFC 3849)
        "64:ff9b:1::/48",  # local-use IPv4/IPv6 translation (RFC 8215)
        "fec0::/10",  # site-local, deprecated but still routed inside some networks (RFC 3879)
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # well-known prefix (RFC 6052): carries an IPv4
_SIXTOFOUR = ipaddress.ip_network("2002::/16")  # 6to4 (RFC 3056): carries an IPv4 in bits 16-48


def system_resolver(host: str, port: int) -> list[str]:
    """Resolve a host name with the operating system (``getaddrinfo``), TCP addresses only.

    Raises:
        CaptureError: the name does not resolve.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise CaptureError(f"cannot resolve {host}: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def has_unsafe_characters(text: str) -> bool:
    """Whether a URL, or a redirect's ``Location``, holds a backslash or a control character."""
    return bool(_BAD_CHARACTERS.search(text))


def check_url(url: str) -> httpx.URL:
    """Check a URL's form (steps 1 and 2 of the module docstring) and parse it.

    Args:
        url: an absolute URL.

    Returns:
        The URL as httpx parsed it.

    Raises:
        UnsafeAddress: a backslash or control character, a scheme other than http or https,
            user info, no host, a percent-encoded host, or a URL httpx cannot parse.
    """
    if not isinstance(url, str) or has_unsafe_characters(url):
        raise UnsafeAddress(repr(url), "backslash or control character in the URL")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise UnsafeAddress(url, f"not a valid URL ({exc})") from exc
    if parsed.scheme not in _SCHEMES:
        raise UnsafeAddress(url, f"scheme {parsed.scheme!r} is not http or https")
    if parsed.userinfo:
        raise UnsafeAddress(url, "user name or password in the URL (it can hide the real host)")
    if not parsed.host:
        raise UnsafeAddress(url, "no host")
    if "%" in parsed.host:
        raise UnsafeAddress(url, "percent-encoded characters or a zone id in the host")
    return parsed


def _ipv4_number(part: str) -> int | None:
    """One part of a WHATWG IPv4 address: decimal, ``0x`` hex, or ``0`` octal; None if not."""
    if part[:2] in ("0x", "0X"):
        digits, pattern, base = part[2:], r"[0-9a-fA-F]*", 16
    elif len(part) > 1 and part.startswith("0"):
        digits, pattern, base = part[1:], r"[0-7]*", 8
    else:
        digits, pattern, base = part, r"[0-9]+", 10
    if not re.fullmatch(pattern, digits):
        return None
    return int(digits, base) if digits else 0


def _numeric_host(url: str, host: str) -> Address | None:
    """The address a host names literally (IPv6, or IPv4 in any WHATWG form); None for a name.

    Raises:
        UnsafeAddress: the host ends in a number but is not a valid IPv4 address.
    """
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host)
        except ValueError as exc:
            raise UnsafeAddress(url, f"not a valid IPv6 address: {host}") from exc
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    last = parts[-1]
    if not re.fullmatch(r"[0-9]+|0[xX][0-9a-fA-F]*", last):
        return None
    numbers = [_ipv4_number(part) for part in parts if part]
    if len(parts) > 4 or len(numbers) != len(parts) or None in numbers:
        raise UnsafeAddress(url, f"the host {host!r} ends in a number but is not an IPv4 address")
    values = [n for n in numbers if n is not None]
    if any(n > 255 for n in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
        raise UnsafeAddress(url, f"the host {host!r} is out of the IPv4 range")
    value = values[-1] + sum(n * 256 ** (3 - i) for i, n in enumerate(values[:-1]))
    return ipaddress.IPv4Address(value)


def forbidden_reason(address: Address) -> str | None:
    """Why an address must not be connected to, or None when it is globally reachable.

    Refused: loopback (127.0.0.0/8, ::1), private (RFC 1918, fc00::/7), link-local
    (169.254.0.0/16 with the 169.254.169.254 metadata service, fe80::/10), unspecified,
    multicast, reserved, the other special-purpose blocks of RFC 6890, and IPv6 forms that carry
    one of these in an IPv4 part.

    Args:
        address: an ``ipaddress`` value.

    Returns:
        A short reason, e.g. ``"127.0.0.1 is a loopback address"``; None when allowed.
    """
    if isinstance(address, ipaddress.IPv6Address):
        carried = address.ipv4_mapped
        if address in _NAT64:
            carried = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if carried is not None:
            reason = forbidden_reason(carried)
            return None if reason is None else f"{address} carries {carried}: {reason}"
        if address in _SIXTOFOUR and address.sixtofour is not None:
            reason = forbidden_reason(address.sixtofour)
            if reason is not None:
                return f"{address} carries {address.sixtofour}: {reason}"
    checks = (
        ("a loopback", address.is_loopback),
        ("an unspecified", address.is_unspecified),
        ("a link-local", address.is_link_local),
        ("a multicast", address.is_multicast),
        ("a private", address.is_private),
        ("a reserved", address.is_reserved),
        ("a site-local", getattr(address, "is_site_local", False)),
        ("a special-purpose", any(address in network for network in _SPECIAL_NETWORKS)),
        ("a non-global", not address.is_global),
    )
    for kind, applies in checks:
        if applies:
            return f"{address} is {kind} address"
    return None


def resolve_checked(
    url: str, host: str, port: int, resolver: Resolver, allow_private: bool
) -> list[Address]:
    """The addresses to connect to for a host, each checked (step 3 of the module docstring).

    Args:
        url: the URL being fetched (for messages).
        host: the host as it goes on the wire (IDNA-encoded name, or an IP literal without
            brackets).
        port: the TCP port.
        resolver: resolves names; not called for IP literals.
        allow_private: skip the address check (for a capture on the team's own network, and
            for tests on 127.0.0.1); the URL checks still apply.

    Returns:
        At least one address, in the resolver's order.

    Raises:
        UnsafeAddress: an address is forbidden, or the host is a malformed number.
        CaptureError: the name does not resolve, or resolves to something that is not an IP.
    """
    literal = _numeric_host(url, host)
    if literal is not None:
        addresses: list[Address] = [literal]
    else:
        try:
            addresses = [ipaddress.ip_address(a) for a in resolver(host, port)]
        except ValueError as exc:
            raise CaptureError(
                f"{host} resolved to something that is not an address: {exc}"
            ) from exc
    if not addresses:
        raise CaptureError(f"{host} has no address")
    if not allow_private:
        for address in addresses:
            if (reason := forbidden_reason(address)) is not None:
                via = "" if literal is not None else f" ({host} resolves to it)"
                raise UnsafeAddress(url, reason + via)
    return addresses
