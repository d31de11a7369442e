"""The pages the capture tests serve from 127.0.0.1, and the request handler that serves them."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UTF8_PAGE = "<html><head><meta charset='utf-8'><title>结亲周</title></head><body>亲人更亲</body></html>".encode()
GBK_TEXT = (
    "<html><head><title>关于开展结亲周活动的通知</title></head><body>访惠聚 亲戚</body></html>"
)
GBK_PAGE = GBK_TEXT.encode("gbk")
CHUNKS = [b"<p>", "第一段".encode(), "第二段</p>".encode()]


@dataclass
class Server:
    """The test server: its port and the requests it received (path, Host header)."""

    port: int
    requests: list[tuple[str, str]] = field(default_factory=list)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


def handler_for(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, headers: dict[str, str], body: bytes = b"") -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            server.requests.append((self.path, self.headers.get("Host", "")))
            path = self.path
            if path == "/utf8":
                self._send(200, {"Content-Type": "text/html; charset=utf-8"}, UTF8_PAGE)
            elif path == "/gbk":
                self._send(200, {"Content-Type": "text/html; charset=gbk"}, GBK_PAGE)
            elif path == "/redirect":
                self._send(302, {"Location": "/utf8"})
            elif path.startswith("/loop/"):
                self._send(302, {"Location": f"/loop/{int(path[6:]) + 1}"})
            elif path == "/to-file":
                self._send(302, {"Location": "file:///etc/passwd"})
            elif path == "/big":
                self._send(200, {"Content-Type": "application/pdf"}, b"%PDF" + b"0" * 2_000_000)
            elif path == "/missing":
                self._send(404, {"Content-Type": "text/html"}, "页面不存在".encode())
            elif path == "/chunked":
                self.wfile.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                    b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                )
                for chunk in CHUNKS:
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
                self.close_connection = True
            elif path == "/slow":
                self.send_response(200)
                self.send_header("Content-Length", "1000")
                self.end_headers()
                try:
                    for _ in range(1000):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                        time.sleep(0.05)
                except OSError:
                    pass
            else:
                self._send(404, {})

    return Handler


@contextmanager
def serving() -> Iterator[Server]:
    """A ``Server`` answering on 127.0.0.1 and a free port (a ThreadingHTTPServer in a daemon
    thread) until the block ends."""
    server = Server(port=0)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(server))
    httpd.daemon_threads = True
    server.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
