"""A real HTTP server on 127.0.0.1, and a record of every socket connection the test process
makes (a Python audit hook), so SSRF tests can prove a refused address was never dialled."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest

from tests.capture.server import Server, handler_for

_CONNECTIONS: list[object] = []


def _audit(event: str, args: tuple) -> None:
    if event == "socket.connect":
        _CONNECTIONS.append(args[1])


sys.addaudithook(_audit)


@pytest.fixture
def connections() -> list[object]:
    """Addresses passed to ``socket.connect`` in this process during the test."""
    _CONNECTIONS.clear()
    return _CONNECTIONS


@pytest.fixture(scope="session")
def http_server() -> Iterator[Server]:
    """A ThreadingHTTPServer on 127.0.0.1 and a free port."""
    server = Server(port=0)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(server))
    httpd.daemon_threads = True
    server.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield server
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def server(http_server: Server) -> Server:
    """The session's server with its request log cleared."""
    http_server.requests.clear()
    return http_server
