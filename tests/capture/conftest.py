"""A real HTTP server on 127.0.0.1, and a record of every socket connection the test process
makes (a Python audit hook), so SSRF tests can prove a refused address was never dialled."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from tests.capture.server import Server, serving

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
    with serving() as server:
        yield server


@pytest.fixture
def server(http_server: Server) -> Server:
    """The session's server with its request log cleared."""
    http_server.requests.clear()
    return http_server
