"""Web archives: each HTML response a document with URL and capture time; cut-off files are
reported with the last good record, never skipped silently."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from shiliao.errors import ExtractError
from shiliao.extract import extract_file, split_passages
from shiliao.extract.media import sniff_media_type
from shiliao.extract.warc import extract_wacz, extract_warc

from .conftest import real_fixture

NOTICE = (
    "<html><head><title>关于开展结对认亲活动的通知</title></head><body>"
    "<h1>关于开展结对认亲活动的通知</h1>"
    "<p>各县（市）：为深入开展民族团结一家亲活动，现将有关事项通知如下。</p>"
    "<p>国务院总理朱镕基在会上讲话，刘䶮同志所在的工作队走访农户一百二十户。</p>"
    "<p>发布时间：2017-03-05</p></body></html>"
)


def response(
    writer: WARCWriter,
    url: str,
    body: bytes,
    content_type: str,
    status: str = "200 OK",
    date: str = "2019-03-05T09:30:00Z",
) -> None:
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        http_headers=headers,
        warc_headers_dict={"WARC-Date": date},
    )
    writer.write_record(record)


def capture(gzip: bool = True) -> bytes:
    """A crawl of a county site: GBK page declared only in HTTP, a Big5 page, an image, a 404,
    a redirect, a request record, and the real Zhejiang page with its own meta charset."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzip)
    request = writer.create_warc_record(
        "http://www.example.gov.cn/notice.html",
        "request",
        payload=io.BytesIO(b"GET /notice.html HTTP/1.1\r\nHost: www.example.gov.cn\r\n\r\n"),
    )
    writer.write_record(request)
    response(
        writer,
        "http://www.example.gov.cn/notice.html",
        NOTICE.encode("gb18030"),
        "text/html; charset=gbk",
    )
    response(
        writer, "http://www.example.gov.cn/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png"
    )
    response(
        writer,
        "http://www.example.gov.cn/gone.html",
        b"<html>404</html>",
        "text/html",
        "404 Not Found",
    )
    response(
        writer, "http://www.example.gov.cn/old.html", b"", "text/html", "301 Moved Permanently"
    )
    big5 = "<html><head><title>公告</title></head><body><p>國務院公告：各機關應遵照辦理，特此公告周知。</p></body></html>"
    response(
        writer,
        "http://www.example.gov.tw/a.htm",
        big5.encode("big5"),
        "text/html; charset=big5",
        date="2020-01-02T03:04:05Z",
    )
    zhejiang = real_fixture("html/zj-fzggw-info-release.html").read_bytes()
    response(writer, "http://fzggw.zj.gov.cn/art/2016/11/22/art_1.html", zhejiang, "text/html")
    return out.getvalue()


@pytest.mark.parametrize("gzip", [True, False])
def test_each_html_response_is_a_document(tmp_path: Path, gzip: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if gzip else "crawl.warc")
    path.write_bytes(capture(gzip))
    assert sniff_media_type(path.read_bytes()[:4096], path.name) == "application/warc"

    extraction = extract_file(path)

    assert extraction.method == "warc" and extraction.pages == []
    assert extraction.metadata == {"warc_records": 7, "warc_pages": 3}
    notice, big5, zhejiang = extraction.documents
    assert notice.metadata["url"] == "http://www.example.gov.cn/notice.html"
    assert notice.metadata["warc_date"] == "2019-03-05T09:30:00Z"
    assert notice.metadata["http_status"] == 200
    assert (
        notice.metadata["declared_encoding"] == "gbk" and notice.metadata["encoding"] == "gb18030"
    )
    assert notice.metadata["date"] == "2017-03-05"
    assert notice.metadata["title"] == "关于开展结对认亲活动的通知"
    assert "朱镕基" in notice.pages[0].text and "刘䶮同志" in notice.pages[0].text
    assert notice.language == "zh-Hans" and notice.method == "html"
    assert notice.metadata["warc_record_id"].startswith("<urn:uuid:")
    assert isinstance(notice.metadata["warc_offset"], int)
    assert big5.pages[0].text == "國務院公告：各機關應遵照辦理，特此公告周知。"
    assert big5.language == "zh-Hant" and big5.metadata["warc_date"] == "2020-01-02T03:04:05Z"
    # When the page was captured is not when it was published.
    assert "date" not in big5.metadata
    assert zhejiang.metadata["date"] == "2016-11-22"
    assert zhejiang.metadata["date_source"] == "label:发布日期"
    assert split_passages("notice", notice.pages, notice.method)[0].text.startswith("各县（市）")


def test_records_are_found_at_their_offsets() -> None:
    data = capture(gzip=True)
    extraction = extract_warc(data, "crawl.warc.gz")
    for document in extraction.documents:
        offset = document.metadata["warc_offset"]
        assert (
            extract_warc(data[offset:], "tail.warc.gz").documents[0].metadata["url"]
            == document.metadata["url"]
        )


@pytest.mark.parametrize("gzip", [True, False])
def test_a_cut_off_archive_is_always_reported(gzip: bool) -> None:
    data = capture(gzip)
    whole = extract_warc(data, "crawl.warc")
    offsets = [document.metadata["warc_offset"] for document in whole.documents]
    last = offsets[-1]
    # Cut the last record (the Zhejiang page) at many places, its last 12 bytes each (a gzip
    # member's 8-byte trailer among them): never silently shorter.
    step = max((len(data) - last) // 20, 1)
    cuts = [*range(last + 1, len(data) - 12, step), *range(len(data) - 12, len(data) - 4)]
    for cut in cuts:
        found = extract_warc(data[:cut], "crawl.warc")
        assert found.metadata["needs_review"] is True, cut
        assert found.metadata["truncated"]["last_good_offset"] in offsets, cut
        assert "cut off" in found.metadata["warnings"][0]
        assert found.documents == whole.documents[: len(found.documents)]
        assert len(found.documents) >= 2


def test_not_a_warc() -> None:
    with pytest.raises(ExtractError, match="not a readable WARC"):
        extract_warc(b"WARC/1.0\r\nthis is no record", "bad.warc")


def test_wacz_reads_every_warc_in_its_archive_folder(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("datapackage.json", '{"profile": "data-package", "wacz_version": "1.1.1"}')
        package.writestr("archive/data.warc.gz", capture(gzip=True))
        package.writestr("pages/pages.jsonl", '{"format": "json-pages-1.0"}\n')
    path = tmp_path / "crawl.wacz"
    path.write_bytes(out.getvalue())
    extraction = extract_file(path)
    assert extraction.method == "wacz"
    assert [document.metadata["warc_file"] for document in extraction.documents] == [
        "archive/data.warc.gz"
    ] * 3
    assert "truncated" not in extraction.metadata
    with pytest.raises(ExtractError, match="without archive"):
        extract_wacz(_zip_with("pages/pages.jsonl", b"{}"), "empty.wacz")


def _zip_with(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr(name, data)
    return out.getvalue()
