"""The httpx transport that captures use: it connects only to checked addresses, and records the
bytes that cross the connection.

How the address is pinned (DNS rebinding). httpx hands a request to ``PinnedTransport``, which
runs it through an ``httpcore`` connection pool built on ``_PinnedBackend``. When httpcore opens
the TCP connection it calls ``_PinnedBackend.connect_tcp(host, port)``; that resolves the host
once (``addresses.resolve_checked``: IP literals parsed, names through the injected resolver),
refuses it if any address is forbidden, and opens the socket to one of *those* IP addresses. No
second lookup happens between the check and the connection, so a name that answers with a
public address for the check and 127.0.0.1 for the connection cannot get through. The request
itself is untouched: its ``Host`` header and, for https, the TLS server name (SNI) and the
certificate check still use the host name, because httpcore passes the URL's host to
``start_tls`` on the stream that ``connect_tcp`` returned.

Every request gets a new pool and connection (``Connection: close`` is sent too), and the stream
records what is written and read (after TLS): the exact bytes of one request and its response,
which ``fetch`` writes into the WARC as they came. No proxy is used: a proxy would make the
connection, and the address check would not apply.
"""

from __future__ import annotations

import ssl
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

from shiliao.capture.addresses import Resolver, resolve_checked, system_resolver
from shiliao.errors import CaptureError

__all__ = ["WIRE", "PinnedTransport", "Wire"]

WIRE = "shiliao.wire"
"""Key of the ``Wire`` in the extensions of a response from ``PinnedTransport``."""

_SPOOL_BYTES = 1 << 20
_HTTPCORE_ERRORS = (
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.UnsupportedProtocol,
)


class Wire:
    """The bytes of one connection, as sent and received (after TLS), and its peer.

    Attributes:
        sent: the request bytes, in order.
        received: the response bytes, in order; a spooled temporary file (memory up to 1 MiB).
        received_size: how many bytes ``received`` holds.
        peer: the IP address connected to (``"93.184.216.34"``), once connected.
    """

    def __init__(self) -> None:
        self.sent = bytearray()
        # Closed by whoever writes the bytes out (``fetch``), once the response is read.
        self.received = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115
        self.received_size = 0
        self.peer: str | None = None


class _RecordingStream(httpcore.NetworkStream):
    """A network stream that copies every byte it carries into a ``Wire``."""

    def __init__(self, inner: httpcore.NetworkStream, wire: Wire) -> None:
        self._inner = inner
        self._wire = wire

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data = self._inner.read(max_bytes, timeout)
        self._wire.received.write(data)
        self._wire.received_size += len(data)
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout)
        self._wire.sent.extend(buffer)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _RecordingStream(
            self._inner.start_tls(ssl_context, server_hostname, timeout), self._wire
        )

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _PinnedBackend(httpcore.NetworkBackend):
    """Opens TCP connections only to addresses it has resolved and checked itself."""

    def __init__(self, url: str, resolver: Resolver, allow_private: bool, wire: Wire) -> None:
        self._url = url
        self._resolver = resolver
        self._allow_private = allow_private
        self._wire = wire
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        addresses = resolve_checked(self._url, host, port, self._resolver, self._allow_private)
        failure: Exception | None = None
        for address in addresses:
            try:
                stream = self._backend.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            self._wire.peer = str(address)
            return _RecordingStream(stream, self._wire)
        assert failure is not None
        raise failure


@contextmanager
def _mapped_errors(url: str) -> Iterator[None]:
    """httpcore's errors as ``CaptureError`` naming the URL (chained)."""
    try:
        yield
    except httpcore.TimeoutException as exc:
        raise CaptureError(f"{url}: timed out ({type(exc).__name__})") from exc
    except _HTTPCORE_ERRORS as exc:
        raise CaptureError(f"{url}: {type(exc).__name__}: {exc}") from exc


class _ResponseStream(httpx.SyncByteStream):
    def __init__(self, url: str, response: httpcore.Response, pool: httpcore.ConnectionPool):
        self._url = url
        self._response = response
        self._pool = pool

    def __iter__(self) -> Iterator[bytes]:
        with _mapped_errors(self._url):
            yield from self._response.iter_stream()

    def close(self) -> None:
        with _mapped_errors(self._url):
            self._response.close()
            self._pool.close()


class PinnedTransport(httpx.BaseTransport):
    """An httpx transport for captures: checked, pinned addresses; wire bytes recorded.

    Args:
        resolver: resolves host names (``system_resolver`` by default; tests pass a table).
        allow_private: connect to private and loopback addresses too (the URL checks stay).
        ssl_context: certificate verification for https; httpx's default (certifi) when None.

    A response carries its ``Wire`` in ``response.extensions[WIRE]``. Errors are raised as
    ``UnsafeAddress`` (refused address, before connecting) or ``CaptureError`` (network).
    """

    def __init__(
        self,
        *,
        resolver: Resolver = system_resolver,
        allow_private: bool = False,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._resolver = resolver
        self._allow_private = allow_private
        self._ssl_context = ssl_context or httpx.create_ssl_context()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        wire = Wire()
        pool = httpcore.ConnectionPool(
            ssl_context=self._ssl_context,
            max_connections=1,
            max_keepalive_connections=0,
            http1=True,
            http2=False,
            network_backend=_PinnedBackend(url, self._resolver, self._allow_private, wire),
        )
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            with _mapped_errors(url):
                response = pool.handle_request(core_request)
        except BaseException:
            pool.close()
            raise
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(url, response, pool),
            extensions={**response.extensions, WIRE: wire},
        )
