"""Fetch a URL into a WARC file, safely: ``capture_url``.

The WARC (ISO 28500, WARC 1.1: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/)
holds a ``warcinfo`` record, then for every hop (the URL and each redirect it leads to) a
``response`` record and a ``request`` record (``WARC-Concurrent-To`` the response), each record
gzip-compressed on its own so that a reader can seek to any record. With the default transport
the records hold the HTTP messages exactly as they crossed the connection (after TLS): status
line, headers and body as the server sent them, chunked framing and content coding included,
and ``WARC-IP-Address`` names the address connected to. With an injected transport (tests,
``httpx.MockTransport``) they are rebuilt from what httpx reports. Block and payload digests
are sha256 (WARC 1.1 §5.8, §5.9), in warcio's form (``sha256:`` and base32) so that
``warcio check`` verifies them; the payload digest covers the bytes after the HTTP headers.

Safety (see ``addresses`` and ``transport``): only http and https; every hop's URL and addresses
are checked before it is requested and again when its connection is made, and a refused hop
raises ``UnsafeAddress`` before anything is sent to it. Limits: ``timeout_s`` for the whole
capture (all hops), ``max_bytes`` of body per response (reading stops there), ``max_redirects``.
The body is never decoded or decompressed here. Any failure raises ``CaptureError`` and deletes
the WARC file.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import os
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import IO, Any

import httpx
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from shiliao import __version__
from shiliao.capture.addresses import (
    Resolver,
    check_url,
    has_unsafe_characters,
    resolve_checked,
    system_resolver,
)
from shiliao.capture.transport import WIRE, PinnedTransport, Wire
from shiliao.errors import CaptureError, UnsafeAddress

__all__ = ["DEFAULT_USER_AGENT", "Capture", "Hop", "capture_url"]

DEFAULT_USER_AGENT = f"shiliao/{__version__}"
_REDIRECTS = {301, 302, 303, 307, 308}
_CHUNK_BYTES = 1 << 16
_SPOOL_BYTES = 1 << 20
_WARC_1_1 = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"


@dataclass(frozen=True)
class Hop:
    """One request of a capture.

    Attributes:
        url: the URL requested.
        status: the HTTP status code of its response.
        ip_address: the address connected to; None with an injected transport.
    """

    url: str
    status: int
    ip_address: str | None


@dataclass(frozen=True)
class Capture:
    """A URL captured into a WARC file.

    Attributes:
        warc_path: the WARC file (``.warc.gz``), a temporary file the caller stores as the
            original and then deletes.
        url: the URL asked for.
        final_url: the URL of the last hop (after redirects).
        status: the HTTP status of the last hop (a 404 is a capture too: proof of absence).
        headers: the last response's headers in order, as ``(name, value)``; values decoded
            as ISO-8859-1, which maps every byte to one character, so nothing is lost.
        payload_sha256: sha256 of the last response's body as received (transfer coding
            removed, content coding kept), 64 lowercase hex; computed before anything parses it.
        payload_sha512: sha512 of the same bytes, 128 lowercase hex.
        payload_size: length of that body in bytes.
        warc_payload_digest: the last response record's ``WARC-Payload-Digest``
            (``"sha256:<base32>"``); over the same bytes unless the server used chunked
            transfer coding, whose framing the record keeps.
        captured_at: when the last response arrived, UTC.
        hops: every request in order, redirects first, the last hop last.
        agent: who captured it (the name configured for the archive).
        tool: ``"shiliao <version>"`` with the versions of httpx and warcio.
    """

    warc_path: Path
    url: str
    final_url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    payload_sha256: str
    payload_sha512: str
    payload_size: int
    warc_payload_digest: str
    captured_at: datetime
    hops: tuple[Hop, ...]
    agent: str
    tool: str

    def provenance(self) -> dict[str, Any]:
        """The capture as a PREMIS-style event (PREMIS 3 ``event`` semantic units), JSON-ready.

        Returns:
            ``eventType`` (``"capture"``), ``eventDateTime`` (RFC 3339, UTC), ``eventOutcome``
            (``"success"``), ``agent``, ``tool``, ``url``, ``finalUrl``, ``status``,
            ``headers`` (list of ``[name, value]``), ``redirects`` (list of ``{url, status,
            ipAddress}`` for every hop), ``ipAddress``, ``payloadSha256``, ``payloadSha512``,
            ``payloadSize`` (bytes), ``warcPayloadDigest``.
        """
        return {
            "eventType": "capture",
            "eventDateTime": self.captured_at.isoformat(timespec="microseconds").replace(
                "+00:00", "Z"
            ),
            "eventOutcome": "success",
            "agent": self.agent,
            "tool": self.tool,
            "url": self.url,
            "finalUrl": self.final_url,
            "status": self.status,
            "headers": [[name, value] for name, value in self.headers],
            "redirects": [
                {"url": hop.url, "status": hop.status, "ipAddress": hop.ip_address}
                for hop in self.hops
            ],
            "ipAddress": self.hops[-1].ip_address,
            "payloadSha256": self.payload_sha256,
            "payloadSha512": self.payload_sha512,
            "payloadSize": self.payload_size,
            "warcPayloadDigest": self.warc_payload_digest,
        }


def _tool() -> str:
    return f"shiliao {__version__} (httpx {httpx.__version__}, warcio {version('warcio')})"


def _digest_label(digest: Any) -> str:
    return "sha256:" + base64.b32encode(digest.digest()).decode("ascii")


def _header_end(head: bytes) -> int:
    """Offset just past the empty line that ends an HTTP message's headers (CRLF or LF)."""
    ends = [i + len(m) for m in (b"\r\n\r\n", b"\n\n") if (i := head.find(m)) >= 0]
    if not ends:
        raise CaptureError("the HTTP message has no end of headers")
    return min(ends)


def _write_http_record(
    writer: WARCWriter,
    record_type: str,
    uri: str,
    message: IO[bytes],
    length: int,
    headers: dict[str, str],
) -> tuple[str, str]:
    """Write one HTTP message (request or response, headers and body) as a WARC record, its
    bytes unchanged, with sha256 block and payload digests.

    Returns:
        ``(WARC-Record-ID, WARC-Payload-Digest)``.
    """
    message.seek(0)
    payload_start = _header_end(message.read(min(length, 1 << 17)))
    message.seek(0)
    block, payload, position = hashlib.sha256(), hashlib.sha256(), 0
    while chunk := message.read(_CHUNK_BYTES):
        block.update(chunk)
        if position + len(chunk) > payload_start:
            payload.update(chunk[max(0, payload_start - position) :])
        position += len(chunk)
    message.seek(0)
    record_id = f"<urn:uuid:{uuid.uuid4()}>"
    payload_digest = _digest_label(payload)
    warc_headers = StatusAndHeaders(
        "",
        [
            ("WARC-Type", record_type),
            ("WARC-Record-ID", record_id),
            ("WARC-Target-URI", uri),
            *headers.items(),
            ("WARC-Block-Digest", _digest_label(block)),
            ("WARC-Payload-Digest", payload_digest),
        ],
        protocol="WARC/1.1",
    )
    content_type = f"application/http; msgtype={record_type}"
    writer.write_record(
        ArcWarcRecord("warc", record_type, warc_headers, message, None, content_type, length)
    )
    return record_id, payload_digest


def _rebuild_messages(
    response: httpx.Response, body: IO[bytes], out: IO[bytes]
) -> tuple[bytes, int]:
    """Rebuild the request, and write the response into ``out``, from httpx's objects (for
    transports that do not record the wire); return the request bytes and the response length."""
    request = response.request
    lines = [f"{request.method} {request.url.raw_path.decode('ascii')} HTTP/1.1".encode()]
    lines += [name + b": " + value for name, value in request.headers.raw]
    request_bytes = b"\r\n".join(lines) + b"\r\n\r\n"
    reason = response.reason_phrase or ""
    head = [f"{response.http_version} {response.status_code} {reason}".encode("latin-1")]
    head += [name + b": " + value for name, value in response.headers.raw]
    out.write(b"\r\n".join(head) + b"\r\n\r\n")
    size = body.seek(0, os.SEEK_END)
    body.seek(0)
    chunked = "chunked" in response.headers.get("transfer-encoding", "").lower()
    if chunked and size:
        # httpx removed the chunk framing; one chunk keeps the message what its headers say.
        out.write(f"{size:x}\r\n".encode())
    while chunk := body.read(_CHUNK_BYTES):
        out.write(chunk)
    if chunked:
        out.write(b"\r\n0\r\n\r\n" if size else b"0\r\n\r\n")
    return request_bytes, out.tell()


def capture_url(
    url: str,
    *,
    transport: httpx.BaseTransport | None = None,
    resolver: Resolver | None = None,
    allow_private: bool = False,
    timeout_s: float = 30.0,
    max_bytes: int = 50 * 1024**2,
    max_redirects: int = 5,
    user_agent: str = DEFAULT_USER_AGENT,
    agent: str = "shiliao",
    temp_dir: Path | None = None,
) -> Capture:
    """Fetch a URL (following redirects) into a new WARC file.

    Args:
        url: an absolute http or https URL.
        transport: how requests are sent; a ``PinnedTransport`` when None. An injected
            transport (``httpx.MockTransport`` in tests) still gets only checked URLs; it is
            closed when the capture ends, as httpx closes a client's transport.
        resolver: resolves host names for the address checks (and for the default
            transport's connections); ``system_resolver`` when None. Tests map their host
            names with it, so no lookup leaves the machine.
        allow_private: allow loopback and private addresses (a team-internal site, or tests
            on 127.0.0.1). Schemes and URL forms stay restricted.
        timeout_s: seconds for the whole capture, all hops (a read in progress may add at
            most one more read's wait).
        max_bytes: most body bytes read from any one response.
        max_redirects: most redirects followed.
        user_agent: the ``User-Agent`` sent.
        agent: the capturing person or team, for the provenance record.
        temp_dir: where the WARC file is created (put it on the archive's file system);
            the system's temporary folder when None.

    Returns:
        The ``Capture``: its WARC file, final URL, status, headers, payload digests, time and
        request chain.

    Raises:
        UnsafeAddress: a hop's URL or address is refused (nothing was sent to it).
        CaptureError: the network failed, a limit was reached, or the response cannot be
            recorded. No WARC file is left behind.
    """
    resolver = resolver or system_resolver
    client_transport = transport or PinnedTransport(resolver=resolver, allow_private=allow_private)
    deadline = time.monotonic() + timeout_s
    handle, name = tempfile.mkstemp(prefix="capture-", suffix=".warc.gz", dir=temp_dir)
    path = Path(name)
    try:
        with (
            os.fdopen(handle, "wb") as out,
            httpx.Client(transport=client_transport, trust_env=False) as client,
        ):
            writer = WARCWriter(out, gzip=True, warc_version="1.1")
            writer.write_record(
                writer.create_warcinfo_record(
                    None,
                    {
                        "software": _tool(),
                        "format": "WARC File Format 1.1",
                        "conformsTo": _WARC_1_1,
                        "http-header-user-agent": user_agent,
                    },
                )
            )
            hops: list[Hop] = []
            current = url
            while True:
                hop = _fetch_hop(
                    client,
                    writer,
                    current,
                    resolver,
                    allow_private,
                    deadline,
                    max_bytes,
                    user_agent,
                )
                hops.append(hop.hop)
                location = hop.response.headers.get("location")
                if hop.hop.status not in _REDIRECTS or location is None:
                    break
                if len(hops) > max_redirects:
                    raise CaptureError(f"{url}: more than {max_redirects} redirects")
                # Checked before joining: a join may turn a backslash into a slash.
                if has_unsafe_characters(location):
                    raise UnsafeAddress(
                        repr(location), "backslash or control character in a redirect"
                    )
                try:
                    current = str(httpx.URL(current).join(location))
                except httpx.InvalidURL as exc:
                    raise UnsafeAddress(location, f"not a valid redirect target ({exc})") from exc
        return Capture(
            warc_path=path,
            url=url,
            final_url=hop.hop.url,
            status=hop.hop.status,
            headers=tuple(
                (k.decode("latin-1"), v.decode("latin-1")) for k, v in hop.response.headers.raw
            ),
            payload_sha256=hop.sha256,
            payload_sha512=hop.sha512,
            payload_size=hop.size,
            warc_payload_digest=hop.warc_payload_digest,
            captured_at=hop.received_at,
            hops=tuple(hops),
            agent=agent,
            tool=_tool(),
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise


@dataclass
class _HopResult:
    hop: Hop
    response: httpx.Response
    sha256: str
    sha512: str
    size: int
    warc_payload_digest: str
    received_at: datetime


def _fetch_hop(
    client: httpx.Client,
    writer: WARCWriter,
    url: str,
    resolver: Resolver,
    allow_private: bool,
    deadline: float,
    max_bytes: int,
    user_agent: str,
) -> _HopResult:
    """Check, request and record one URL; the body is read, bounded, into a spool file."""
    target = check_url(url)
    # Refuse before anything is sent, whatever the transport; the default transport checks
    # again at connection time and connects to what it checked.
    resolve_checked(
        url,
        target.raw_host.decode("ascii"),
        target.port or (443 if target.scheme == "https" else 80),
        resolver,
        allow_private,
    )
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise CaptureError(f"{url}: timed out before the request")
    request = client.build_request(
        "GET",
        target,
        headers={
            "User-Agent": user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            # The body is kept as sent; asking for no content coding keeps it readable.
            "Accept-Encoding": "identity",
            "Connection": "close",
        },
        timeout=httpx.Timeout(remaining),
    )
    sha256, sha512, size = hashlib.sha256(), hashlib.sha512(), 0
    with contextlib.ExitStack() as files:
        body = files.enter_context(tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES))
        try:
            response = client.send(request, stream=True)
            try:
                received_at = datetime.now(UTC)
                # With the default transport the record is the wire bytes; otherwise it is
                # rebuilt from this copy of the body.
                wire: Wire | None = response.extensions.get(WIRE)
                if wire is not None:
                    files.enter_context(wire.received)
                # Unbuffered: chunks arrive as read, so the deadline is checked on every read.
                # A transport that built its response from bytes (MockTransport) has read it.
                chunks = [response.content] if response.is_stream_consumed else response.iter_raw()
                for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise CaptureError(
                            f"{url}: the response is larger than max_bytes ({max_bytes} bytes);"
                            f" stopped after reading {size} bytes"
                        )
                    if time.monotonic() > deadline:
                        raise CaptureError(f"{url}: timed out while reading the response")
                    sha256.update(chunk)
                    sha512.update(chunk)
                    if wire is None:
                        body.write(chunk)
            finally:
                response.close()
        except httpx.HTTPError as exc:
            raise CaptureError(f"{url}: {type(exc).__name__}: {exc}") from exc
        extra = {
            "WARC-Date": datetime_to_iso_date(received_at.replace(tzinfo=None), use_micros=True)
        }
        if wire is not None:
            request_bytes, message, length = bytes(wire.sent), wire.received, wire.received_size
            if wire.peer:
                extra["WARC-IP-Address"] = wire.peer
        else:
            message = files.enter_context(tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES))
            request_bytes, length = _rebuild_messages(response, body, message)
        response_id, payload_digest = _write_http_record(
            writer, "response", url, message, length, extra
        )
        _write_http_record(
            writer,
            "request",
            url,
            io.BytesIO(request_bytes),
            len(request_bytes),
            {**extra, "WARC-Concurrent-To": response_id},
        )
    return _HopResult(
        hop=Hop(url, response.status_code, wire.peer if wire else None),
        response=response,
        sha256=sha256.hexdigest(),
        sha512=sha512.hexdigest(),
        size=size,
        warc_payload_digest=payload_digest,
        received_at=received_at,
    )
