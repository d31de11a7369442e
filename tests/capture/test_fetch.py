"""Capturing URLs into WARC files: exact bytes from a real local server, limits, and the SSRF
guard (reliability test 34), proven by the server's request log and by the process's own record
of socket connections. No test sends traffic anywhere but 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import re
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from warcio.archiveiterator import ArchiveIterator

from shiliao import __version__
from shiliao.capture import PinnedTransport, capture_url
from shiliao.errors import CaptureError, UnsafeAddress
from tests.capture.server import CHUNKS, GBK_PAGE, GBK_TEXT, UTF8_PAGE, Server, handler_for


def records(path: Path) -> list:
    """Every record of a WARC file as ``(type, WARC headers, HTTP headers, block bytes)``,
    digests checked by warcio; the block is the HTTP message exactly as stored."""
    with path.open("rb") as handle:
        parsed = [
            (r.rec_type, r.rec_headers, r.http_headers)
            for r in ArchiveIterator(handle, check_digests="raise")
            if r.content_stream().read() is not None
        ]
    with path.open("rb") as handle:
        blocks = [r.raw_stream.read() for r in ArchiveIterator(handle, no_record_parse=True)]
    return [(*record, block) for record, block in zip(parsed, blocks, strict=True)]


def content(path: Path, index: int) -> bytes:
    """The decoded body (chunking undone) of the record at ``index``."""
    with path.open("rb") as handle:
        for number, record in enumerate(ArchiveIterator(handle)):
            if number == index:
                return record.content_stream().read()
    raise IndexError(index)


def b32_sha256(data: bytes) -> str:
    return "sha256:" + base64.b32encode(hashlib.sha256(data).digest()).decode()


@pytest.mark.parametrize(
    ("path", "body", "content_type"),
    [
        ("/utf8", UTF8_PAGE, "text/html; charset=utf-8"),
        ("/gbk", GBK_PAGE, "text/html; charset=gbk"),
    ],
    ids=["utf8", "gbk"],
)
def test_a_page_is_captured_byte_for_byte(
    server: Server, tmp_path: Path, path: str, body: bytes, content_type: str
) -> None:
    capture = capture_url(server.url(path), allow_private=True, temp_dir=tmp_path)
    assert capture.status == 200 and capture.final_url == server.url(path)
    assert capture.payload_sha256 == hashlib.sha256(body).hexdigest()
    assert capture.payload_sha512 == hashlib.sha512(body).hexdigest()
    assert capture.payload_size == len(body)
    assert ("Content-Type", content_type) in capture.headers
    assert capture.warc_payload_digest == b32_sha256(body)

    found = records(capture.warc_path)
    assert [r[0] for r in found] == ["warcinfo", "response", "request"]
    _, response_headers, http_headers, raw = found[1]
    assert raw.endswith(b"\r\n\r\n" + body)  # the response as it came off the wire
    assert http_headers.get_header("Content-Type") == content_type
    assert http_headers.get_statuscode() == "200"
    assert response_headers.get_header("WARC-Target-URI") == server.url(path)
    assert response_headers.get_header("WARC-IP-Address") == "127.0.0.1"
    assert response_headers.get_header("WARC-Payload-Digest") == b32_sha256(body)
    assert response_headers.protocol == "WARC/1.1"
    assert content(capture.warc_path, 1) == body
    _, request_headers, request_http, request_raw = found[2]
    assert request_headers.get_header("WARC-Concurrent-To") == response_headers.get_header(
        "WARC-Record-ID"
    )
    assert request_raw.startswith(f"GET {path} HTTP/1.1\r\n".encode())
    assert raw.startswith(b"HTTP/1.0 200 OK\r\n")
    assert request_http.get_header("User-Agent") == f"shiliao/{__version__}"
    if path == "/gbk":
        assert content(capture.warc_path, 1).decode("gb18030") == GBK_TEXT
    assert server.requests == [(path, f"127.0.0.1:{server.port}")]


def test_a_redirect_chain_is_recorded_hop_by_hop(server: Server, tmp_path: Path) -> None:
    before = datetime.now(UTC)
    capture = capture_url(server.url("/redirect"), allow_private=True, agent="Xinjiang team")
    assert [(h.url, h.status, h.ip_address) for h in capture.hops] == [
        (server.url("/redirect"), 302, "127.0.0.1"),
        (server.url("/utf8"), 200, "127.0.0.1"),
    ]
    assert capture.final_url == server.url("/utf8")
    found = records(capture.warc_path)
    assert [(r[0], r[1].get_header("WARC-Target-URI")) for r in found[1:]] == [
        ("response", server.url("/redirect")),
        ("request", server.url("/redirect")),
        ("response", server.url("/utf8")),
        ("request", server.url("/utf8")),
    ]
    assert found[1][2].get_header("Location") == "/utf8"
    event = capture.provenance()
    assert event["eventType"] == "capture" and event["eventOutcome"] == "success"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", event["eventDateTime"])
    assert before <= capture.captured_at <= datetime.now(UTC)
    assert event["agent"] == "Xinjiang team"
    assert event["tool"].startswith(f"shiliao {__version__} (httpx ")
    assert (event["url"], event["finalUrl"], event["status"]) == (
        server.url("/redirect"),
        server.url("/utf8"),
        200,
    )
    assert ["Content-Type", "text/html; charset=utf-8"] in event["headers"]
    assert [hop["status"] for hop in event["redirects"]] == [302, 200]
    assert event["payloadSha256"] == hashlib.sha256(UTF8_PAGE).hexdigest()
    capture.warc_path.unlink()


def test_a_chunked_response_keeps_its_wire_framing(server: Server) -> None:
    body = b"".join(CHUNKS)
    capture = capture_url(server.url("/chunked"), allow_private=True)
    assert capture.payload_sha256 == hashlib.sha256(body).hexdigest()
    raw = records(capture.warc_path)[1][3]
    assert raw.endswith(b"\r\n0\r\n\r\n") and b"Transfer-Encoding: chunked" in raw
    assert content(capture.warc_path, 1) == body
    capture.warc_path.unlink()


def test_a_404_is_a_capture_too(server: Server) -> None:
    capture = capture_url(server.url("/missing"), allow_private=True)
    assert capture.status == 404
    assert content(capture.warc_path, 1) == "页面不存在".encode()
    capture.warc_path.unlink()


@pytest.mark.parametrize(
    ("path", "options", "message"),
    [
        ("/big", {"max_bytes": 1_000_000}, "larger than max_bytes"),
        ("/slow", {"timeout_s": 1.0}, "timed out"),
        ("/loop/0", {"max_redirects": 2}, "more than 2 redirects"),
    ],
)
def test_limits_raise_and_leave_no_warc(
    server: Server, tmp_path: Path, path: str, options: dict, message: str
) -> None:
    started = datetime.now(UTC)
    with pytest.raises(CaptureError, match=message):
        capture_url(server.url(path), allow_private=True, temp_dir=tmp_path, **options)
    assert datetime.now(UTC) - started < timedelta(seconds=5)
    assert list(tmp_path.iterdir()) == []
    if path.startswith("/loop"):
        assert [p for p, _ in server.requests] == ["/loop/0", "/loop/1", "/loop/2"]


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "[::1]",
        "2130706433",  # decimal
        "0x7f.1",  # hex, short form
        "017700000001",  # octal
        "127.1",
        "[::ffff:127.0.0.1]",  # IPv4-mapped IPv6
        "[::ffff:7f00:1]",
        "0.0.0.0",
        "localhost.test",  # a name that resolves to loopback
    ],
)
def test_loopback_in_any_form_is_refused_before_connecting(
    server: Server, connections: list, tmp_path: Path, host: str
) -> None:
    url = f"http://{host}:{server.port}/utf8"
    with pytest.raises(UnsafeAddress) as caught:
        capture_url(url, resolver=lambda name, port: ["127.0.0.1"], temp_dir=tmp_path)
    assert caught.value.url == url
    assert (
        "127.0.0.1" in caught.value.reason
        or "::1" in caught.value.reason
        or "0.0.0.0" in caught.value.reason
    )
    assert server.requests == [] and connections == [] and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://10.0.0.1/", "private"),
        ("http://172.16.5.4/", "private"),
        ("http://192.168.1.1/admin", "private"),
        ("http://100.64.0.1/", "special-purpose"),
        ("http://224.0.0.1/", "multicast"),
        ("http://[fd00::1]/", "private"),
        ("http://[fe80::1]/", "link-local"),
        ("http://[64:ff9b::a00:1]/", "10.0.0.1"),  # NAT64 form of 10.0.0.1
        ("http://metadata.test/computeMetadata/v1/", "169.254.169.254"),
        ("http://intranet.test/", "10.1.2.3"),
        ("http://mixed.test/", "192.168.0.1"),  # one bad address refuses the host
    ],
)
def test_private_addresses_are_refused_before_connecting(
    connections: list, url: str, reason: str
) -> None:
    table = {
        "metadata.test": ["169.254.169.254"],
        "intranet.test": ["10.1.2.3"],
        "mixed.test": ["93.184.216.34", "192.168.0.1"],
    }
    with pytest.raises(UnsafeAddress, match=re.escape(reason)):
        capture_url(url, resolver=lambda name, port: table[name])
    assert connections == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.test/pub/file.txt",
        "gopher://example.test/",
        "javascript:alert(1)",
        "http://evil@{server}/utf8",
        "http://user:password@{server}/utf8",
        "http://{server}\\@example.test/utf8",
        "http://example.test\\@{server}/utf8",
        "http://{server}/utf8\tx",
        "http://0177.0.0.1/",
        "http://1.2.3.4.5/",
        "http:///utf8",
    ],
)
def test_schemes_and_url_tricks_are_refused_even_for_private_captures(
    server: Server, connections: list, url: str
) -> None:
    url = url.replace("{server}", f"127.0.0.1:{server.port}")
    with pytest.raises(UnsafeAddress):
        capture_url(url, allow_private=True, resolver=lambda name, port: ["127.0.0.1"])
    assert server.requests == [] and connections == []


def test_a_redirect_to_another_scheme_is_refused(
    server: Server, connections: list, tmp_path: Path
) -> None:
    with pytest.raises(UnsafeAddress, match="scheme 'file'"):
        capture_url(server.url("/to-file"), allow_private=True, temp_dir=tmp_path)
    assert server.requests == [("/to-file", f"127.0.0.1:{server.port}")]
    assert connections == [("127.0.0.1", server.port)]
    assert list(tmp_path.iterdir()) == []


PUBLIC = {"public.test": ["93.184.216.34"], "internal.test": ["10.0.0.1"]}


@pytest.mark.parametrize(
    "location",
    [
        "http://internal.test/admin",
        "http://169.254.169.254/latest/meta-data/iam/",
        "http://2130706433/",
        "http://[::ffff:10.0.0.1]/",
        "http://public.test@10.0.0.1/",
        "file:///etc/passwd",
        "http://public.test\\@127.0.0.1/",
    ],
)
def test_a_redirect_from_a_public_host_to_a_private_address_is_refused(
    connections: list, tmp_path: Path, location: str
) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": location})

    with pytest.raises(UnsafeAddress):
        capture_url(
            "http://public.test/start",
            transport=httpx.MockTransport(handler),
            resolver=lambda name, port: PUBLIC[name],
            temp_dir=tmp_path,
        )
    assert seen == ["http://public.test/start"]
    assert connections == [] and list(tmp_path.iterdir()) == []


def test_an_injected_transport_gets_a_rebuilt_warc(connections: list) -> None:
    page = "<title>通知</title>".encode("gbk")

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["Host"] == "public.test"
        return httpx.Response(200, headers={"Content-Type": "text/html; charset=gbk"}, content=page)

    capture = capture_url(
        "http://public.test/notice",
        transport=httpx.MockTransport(handler),
        resolver=lambda name, port: PUBLIC[name],
    )
    found = records(capture.warc_path)
    assert [r[0] for r in found] == ["warcinfo", "response", "request"]
    assert found[1][2].get_header("Content-Type") == "text/html; charset=gbk"
    assert found[1][1].get_header("WARC-IP-Address") is None
    assert content(capture.warc_path, 1) == page
    assert capture.hops[0].ip_address is None and connections == []
    capture.warc_path.unlink()


def test_dns_rebinding_is_caught_at_connection_time(server: Server, connections: list) -> None:
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])
    asked: list[str] = []

    def rebinding(name: str, port: int) -> list[str]:
        asked.append(name)
        return next(answers)

    with pytest.raises(UnsafeAddress, match=re.escape("127.0.0.1 is a loopback address")):
        capture_url(f"http://rebind.test:{server.port}/utf8", resolver=rebinding)
    # Checked before the request and again when connecting; neither answer was dialled.
    assert asked == ["rebind.test", "rebind.test"]
    assert server.requests == [] and connections == []


def test_the_connection_goes_to_the_checked_address_with_the_host_name_kept(
    server: Server, connections: list
) -> None:
    capture = capture_url(
        f"http://pinned.test:{server.port}/utf8",
        allow_private=True,
        resolver=lambda name, port: {"pinned.test": ["127.0.0.1"]}[name],
    )
    assert server.requests == [("/utf8", f"pinned.test:{server.port}")]
    assert connections == [("127.0.0.1", server.port)]
    assert capture.hops[0].ip_address == "127.0.0.1"
    capture.warc_path.unlink()


# TLS: the name is verified and sent (SNI) while the socket goes to the pinned address -------


def _certificates(directory: Path, host: str) -> tuple[Path, Path, Path]:
    """A test CA and a server certificate for ``host`` signed by it: (ca, cert, key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.now(UTC)

    def build(subject: str, key, issuer: str, issuer_key, ca: bool) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(hours=1))
            .not_valid_after(now + timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False
            )
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = build("shiliao test CA", ca_key, "shiliao test CA", ca_key, True)
    cert = build(host, key, "shiliao test CA", ca_key, False)
    paths = directory / "ca.pem", directory / "cert.pem", directory / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[Server, Path, list[str]]]:
    ca, cert, key = _certificates(tmp_path, "pinned.test")
    server = Server(port=0)
    names: list[str] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: names.append(name)

    class QuietServer(ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass

    httpd = QuietServer(("127.0.0.1", 0), handler_for(server))
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    server.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield server, ca, names
    httpd.shutdown()
    httpd.server_close()


def test_https_verifies_the_host_name_while_connecting_to_the_pinned_address(
    tls_server: tuple[Server, Path, list[str]], connections: list
) -> None:
    server, ca, names = tls_server
    resolver = {"pinned.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]}.__getitem__

    def transport() -> PinnedTransport:
        return PinnedTransport(
            resolver=lambda name, port: resolver(name),
            allow_private=True,
            ssl_context=ssl.create_default_context(cafile=str(ca)),
        )

    capture = capture_url(
        f"https://pinned.test:{server.port}/gbk",
        transport=transport(),
        resolver=lambda name, port: resolver(name),
        allow_private=True,
    )
    assert content(capture.warc_path, 1) == GBK_PAGE
    assert names == ["pinned.test"]
    assert server.requests == [("/gbk", f"pinned.test:{server.port}")]
    assert connections == [("127.0.0.1", server.port)]
    capture.warc_path.unlink()
    # The same address under a name the certificate does not carry fails verification.
    with pytest.raises(CaptureError, match=r"CERTIFICATE_VERIFY_FAILED|ConnectError"):
        capture_url(
            f"https://other.test:{server.port}/gbk",
            transport=transport(),
            resolver=lambda name, port: resolver(name),
            allow_private=True,
        )
