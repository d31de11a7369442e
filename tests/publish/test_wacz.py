"""`shiliao export --format wacz` checked by Webrecorder's reference validator, `wacz validate`
(py-wacz, run as its own process): archives holding a WARC gzipped record by record, a plain
WARC, and several captures (both, and a URL captured from a server on 127.0.0.1) must pass; a
changed byte in a WARC record must fail.

py-wacz imports, through cdxj-indexer, the ``surt`` package, which is AGPL-3.0: shiliao takes no
GPL or AGPL dependency, not even for its tests, so ``.ci/run`` installs py-wacz and cdxj-indexer
without their dependencies (both Apache-2.0) and the validator runs with a stand-in ``surt``
module that refuses to be called; validating never calls it (only indexing, ``wacz create``,
does). Without py-wacz these tests are skipped, unless ``SHILIAO_REQUIRE_VALIDATORS=1`` (CI).
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import io
import json
import os
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from shiliao.archive import open_archive
from shiliao.cli import main
from shiliao.collection import read_collection
from shiliao.config import load_settings
from shiliao.operations.ingest import ingest
from shiliao.publish.wacz import PAGES_HEADER, export_wacz
from tests.capture.server import Server, serving

VALIDATE_TIMEOUT_S = 120

PAGES = [
    (
        "http://www.example.gov.cn/notice.html",
        "<html><head><title>关于开展结对认亲活动的通知</title></head><body>"
        "<p>各县（市）：现将民族团结一家亲活动有关事项通知如下。</p></body></html>",
        "2019-03-05T09:30:00Z",
    ),
    (
        "http://example.gov.cn/list.html?page=2&sort=date",
        "<html><head><title>通知公告</title></head><body>"
        "<p>第二页：干部开展结亲活动，入户走访农户。</p></body></html>",
        "2019-03-06T10:00:00Z",
    ),
]


def _warc(gzipped: bool) -> bytes:
    """Two HTML pages and an image, each a request and a response, as WARC/1.1."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzipped, warc_version="1.1")
    captures = [
        *(
            (url, html.encode("utf-8"), "text/html; charset=utf-8", date)
            for url, html, date in PAGES
        )
    ]
    captures.append(
        (
            "http://example.gov.cn/logo.png",
            b"\x89PNG\r\n\x1a\n" + bytes(64),
            "image/png",
            PAGES[0][2],
        )
    )
    for url, body, content_type, date in captures:
        path = url.split("/", 3)[3]
        request = writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(f"GET /{path} HTTP/1.1\r\nHost: example.gov.cn\r\n\r\n".encode()),
            warc_headers_dict={"WARC-Date": date},
        )
        writer.write_record(request)
        headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
        response = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            http_headers=headers,
            warc_headers_dict={"WARC-Date": date},
        )
        writer.write_record(response)
    return out.getvalue()


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


if importlib.util.find_spec("wacz") is None:
    if os.environ.get("SHILIAO_REQUIRE_VALIDATORS") == "1":
        pytest.fail("py-wacz is missing: .ci/run installs it (pip install --no-deps wacz)")
    pytest.skip("py-wacz is not installed (see .ci/run)", allow_module_level=True)

# The ``wacz`` console script's own entry point (``python -m wacz`` drops main()'s return value
# and exits 0 even when validation fails), with the stand-in for ``surt``.
_VALIDATOR = """
import sys, types
surt = types.ModuleType("surt")
def refuse(*args, **kwargs):
    raise RuntimeError("surt (AGPL-3.0) is not installed: only validation can run")
surt.surt = refuse
sys.modules.setdefault("surt", surt)
from wacz.main import main
sys.exit(main())
"""
WACZ_COMMAND = [sys.executable, "-c", _VALIDATOR]


def wacz_command(*args: str) -> subprocess.CompletedProcess[str]:
    """``wacz ARGS...`` (py-wacz's command line) in its own process."""
    return subprocess.run(
        [*WACZ_COMMAND, *args],
        capture_output=True,
        text=True,
        timeout=VALIDATE_TIMEOUT_S,
        check=False,
    )


def validate(wacz: Path) -> subprocess.CompletedProcess[str]:
    """``wacz validate -f WACZ``."""
    return wacz_command("validate", "-f", str(wacz))


@pytest.fixture(scope="module")
def loopback() -> Iterator[Server]:
    """The capture tests' page server, on 127.0.0.1 and a free port."""
    with serving() as server:
        yield server


def _archive(base: Path, files: dict[str, bytes]) -> Path:
    collection = base / "c"
    (collection / "sources").mkdir(parents=True)
    for name, data in files.items():
        (collection / "sources" / name).write_bytes(data)
    with open_archive(base / "a", create=True) as opened:
        ingest(opened, read_collection(collection), load_settings(collection))
    return base / "a"


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory, loopback: Server) -> dict[str, Path]:
    """Archives whose web captures are: a gzipped WARC; a plain WARC; both and a URL."""
    made = {
        "gzipped": _archive(tmp_path_factory.mktemp("gz"), {"crawl.warc.gz": _warc(True)}),
        "plain": _archive(tmp_path_factory.mktemp("plain"), {"crawl.warc": _warc(False)}),
    }
    several = _archive(
        tmp_path_factory.mktemp("several"),
        {"crawl.warc.gz": _warc(True), "crawl.warc": _warc(False)},
    )
    code, output = _run("add", str(several), loopback.url("/utf8"), "--allow-private", "--json")
    assert code == 0 and json.loads(output)["added"], output
    made["several"] = several
    return made


def _export(archive: Path, out: Path) -> Path:
    code, output = _run("export", str(archive), str(out), "--format", "wacz", "--full")
    assert code == 0, output
    return out


@pytest.mark.parametrize("kind", ["gzipped", "plain", "several"])
def test_the_reference_validator_accepts_the_export(
    archives: dict[str, Path], tmp_path: Path, kind: str
) -> None:
    wacz = _export(archives[kind], tmp_path / "captures.wacz")
    checked = validate(wacz)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Validation succeeded, the passed WACZ is valid" in checked.stdout


@pytest.mark.parametrize("kind", ["gzipped", "plain", "several"])
def test_each_index_line_points_at_one_gzip_member_holding_its_record(
    archives: dict[str, Path], tmp_path: Path, kind: str
) -> None:
    with zipfile.ZipFile(_export(archives[kind], tmp_path / "captures.wacz")) as bundle:
        lines = bundle.read("indexes/index.cdxj").decode().splitlines()
        assert lines == sorted(lines)
        for line in lines:
            block = json.loads(line.split(" ", 2)[2])
            warc = bundle.read(f"archive/{block['filename']}")
            member = warc[block["offset"] : block["offset"] + block["length"]]
            gunzip = zlib.decompressobj(16 + zlib.MAX_WBITS)
            record_bytes = gunzip.decompress(member)
            # Exactly one whole member: it ends where the index says, with nothing after it.
            assert gunzip.eof and gunzip.unused_data == b""
            (record,) = list(ArchiveIterator(io.BytesIO(record_bytes)))
            assert record.rec_type == "response"
            assert record.rec_headers.get_header("WARC-Target-URI") == block["url"]
    urls = {json.loads(line.split(" ", 2)[2])["url"] for line in lines}
    assert {url for url, _, _ in PAGES} <= urls


def test_a_plain_warc_is_gzipped_record_by_record_to_the_same_bytes(
    archives: dict[str, Path], tmp_path: Path
) -> None:
    wacz = _export(archives["plain"], tmp_path / "captures.wacz")
    with zipfile.ZipFile(wacz) as bundle:
        (name,) = [n for n in bundle.namelist() if n.startswith("archive/")]
        stored = bundle.read(name)
        assert bundle.getinfo(name).compress_type == zipfile.ZIP_STORED
    with open_archive(archives["plain"]) as opened:
        (source,) = {s.file_sha256 for s in opened.catalog.sources() if s.type == "webpage"}
        with opened.blobs.open(source) as original:
            assert gzip.decompress(stored) == original.read()
    # One member per record: request and response for each of three URLs.
    assert stored.count(b"\x1f\x8b\x08") >= 6


def test_a_gzipped_warc_is_stored_as_it_is_and_indexed_by_surt_keys(
    archives: dict[str, Path], tmp_path: Path
) -> None:
    wacz = _export(archives["gzipped"], tmp_path / "captures.wacz")
    with open_archive(archives["gzipped"]) as opened:
        (sha256,) = {s.file_sha256 for s in opened.catalog.sources() if s.type == "webpage"}
        with opened.blobs.open(sha256) as original:
            stored = original.read()
    with zipfile.ZipFile(wacz) as bundle:
        ours = bundle.read("indexes/index.cdxj").decode().splitlines()
        assert bundle.read("archive/00001.warc.gz") == stored
    # SURT keys as the replay tools look them up (host reversed, "www." dropped, the query
    # kept): what ``wacz create`` writes for the same WARC.
    keys = {(line.split(" ", 2)[0], json.loads(line.split(" ", 2)[2])["url"]) for line in ours}
    assert keys == {
        ("cn,gov,example)/notice.html", "http://www.example.gov.cn/notice.html"),
        ("cn,gov,example)/logo.png", "http://example.gov.cn/logo.png"),
        (
            "cn,gov,example)/list.html?page=2&sort=date",
            "http://example.gov.cn/list.html?page=2&sort=date",
        ),
    }


def test_pages_have_the_header_line_and_one_line_per_capture(
    archives: dict[str, Path], tmp_path: Path
) -> None:
    wacz = _export(archives["several"], tmp_path / "captures.wacz")
    with zipfile.ZipFile(wacz) as bundle:
        text = bundle.read("pages/pages.jsonl").decode()
        archived = [n for n in bundle.namelist() if n.startswith("archive/")]
    header, *pages = [json.loads(line) for line in text.split("\n")[:-1]]
    assert text.endswith("}\n") and "\n\n" not in text
    assert header == PAGES_HEADER
    with open_archive(archives["several"]) as opened:
        captures = [s for s in opened.catalog.sources() if s.type == "webpage"]
    assert sorted(p["id"] for p in pages) == sorted(s.id for s in captures)
    for page in pages:
        assert page["url"].startswith("http") and page["title"]
        # RFC 3339, as the specification asks of ``ts``.
        assert datetime.fromisoformat(page["ts"].replace("Z", "+00:00")).tzinfo is not None
    # Two WARC files in the collection and one URL capture: each WARC once.
    assert len(archived) == 3


def _rewrite(wacz: Path, name: str, data: bytes) -> None:
    """Replace one file of a ZIP, keeping a valid ZIP (CRC and sizes of the new bytes)."""
    with zipfile.ZipFile(wacz) as bundle:
        entries = [(info, bundle.read(info.filename)) for info in bundle.infolist()]
    with zipfile.ZipFile(wacz, "w") as bundle:
        for info, old in entries:
            bundle.writestr(info, data if info.filename == name else old)


def test_a_changed_byte_in_a_warc_record_fails_the_validator(
    archives: dict[str, Path], tmp_path: Path
) -> None:
    wacz = _export(archives["gzipped"], tmp_path / "captures.wacz")
    with zipfile.ZipFile(wacz) as bundle:
        line = bundle.read("indexes/index.cdxj").decode().splitlines()[0]
        block = json.loads(line.split(" ", 2)[2])
        name = f"archive/{block['filename']}"
        warc = bundle.read(name)
    start, end = block["offset"], block["offset"] + block["length"]
    record = bytearray(gzip.decompress(warc[start:end]))
    record[-10] ^= 0x01  # a byte of the response's payload
    changed = warc[:start] + gzip.compress(bytes(record)) + warc[end:]
    _rewrite(wacz, name, changed)
    checked = validate(wacz)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "Validation failed" in checked.stdout and name.split("/")[1] in checked.stdout


def test_a_flipped_byte_inside_the_stored_warc_fails_the_validator(
    archives: dict[str, Path], tmp_path: Path
) -> None:
    wacz = _export(archives["plain"], tmp_path / "captures.wacz")
    with zipfile.ZipFile(wacz) as bundle:
        info = bundle.getinfo("archive/00001.warc.gz")
    data = bytearray(wacz.read_bytes())
    # A stored entry's bytes follow its 30-byte local header, name and extra field.
    name_length = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_length = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_length + extra_length
    data[start + info.file_size // 2] ^= 0x01
    wacz.write_bytes(bytes(data))
    checked = validate(wacz)
    # The validator unpacks the ZIP first, and stops at the entry whose CRC-32 is wrong.
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "Bad CRC-32 for file 'archive/00001.warc.gz'" in checked.stderr


def test_a_gzipped_warc_cut_short_is_refused_naming_it(tmp_path: Path) -> None:
    whole = _warc(True)
    archive = _archive(tmp_path, {"cut.warc.gz": whole[: len(whole) - 40]})
    out = tmp_path / "captures.wacz"
    code, output = _run("export", str(archive), str(out), "--format", "wacz", "--full")
    assert code == 1 and "cut.warc.gz" in output, output
    assert not out.exists() and not list(tmp_path.glob("*.wacz"))


class _OneWarc:
    """A catalog and its files holding one WARC, with a capture for each page of ``PAGES``:
    the two methods of each that ``export_wacz`` reads."""

    def __init__(self, data: bytes, name: str) -> None:
        self.data, self.name = data, name
        self.sha256 = hashlib.sha256(data).hexdigest()

    def sources(self) -> list[SimpleNamespace]:
        return [
            SimpleNamespace(
                id=f"page-{number}",
                type="webpage",
                title=f"page {number}",
                file_sha256=self.sha256,
                metadata={"url": url, "captured": date},
            )
            for number, (url, _, date) in enumerate(PAGES)
        ]

    def file(self, sha256: str) -> dict[str, object] | None:
        if sha256 != self.sha256:
            return None
        return {"media_type": "application/warc", "original_name": self.name}

    def exists(self, sha256: str) -> bool:
        return sha256 == self.sha256

    def open(self, sha256: str) -> io.BytesIO:
        assert sha256 == self.sha256
        return io.BytesIO(self.data)


def test_a_warc_gzipped_whole_is_gzipped_again_record_by_record(tmp_path: Path) -> None:
    # warcio cannot seek in a WARC gzipped as one stream, nor can a replay tool.
    plain = _warc(False)
    archive = _OneWarc(gzip.compress(plain), "whole.warc.gz")
    out = tmp_path / "captures.wacz"
    assert export_wacz(archive, archive, out) == len(PAGES)  # type: ignore[arg-type]
    checked = validate(out)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    with zipfile.ZipFile(out) as bundle:
        stored = bundle.read("archive/00001.warc.gz")
        lines = bundle.read("indexes/index.cdxj").decode().splitlines()
    assert gzip.decompress(stored) == plain
    for line in lines:
        block = json.loads(line.split(" ", 2)[2])
        member = stored[block["offset"] : block["offset"] + block["length"]]
        (record,) = list(ArchiveIterator(io.BytesIO(gzip.decompress(member))))
        assert record.rec_headers.get_header("WARC-Target-URI") == block["url"]
