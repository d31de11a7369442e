"""What the browser tests share: a static server for a built site, and headless Chromium.

Chromium is Debian's package driven by Playwright (its own browser download cannot run here),
started with the flags a sandbox-less CI machine needs.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


class _QuietHandler(SimpleHTTPRequestHandler):
    # Keep-alive, as every real static host has; HTTP/1.0 would open a connection per file.
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output clean."""


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` over HTTP on a free loopback port; yields the base URL (ending ``/``)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def launch_chromium(playwright: Any) -> Any:
    """Headless Chromium from ``CHROMIUM``; the test is skipped when it is missing, and fails
    instead when ``SHILIAO_REQUIRE_BROWSER=1`` (CI)."""
    if not CHROMIUM.is_file() or shutil.which(str(CHROMIUM)) is None:
        if os.environ.get("SHILIAO_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and SHILIAO_REQUIRE_BROWSER=1")
        pytest.skip(f"{CHROMIUM} is missing")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
