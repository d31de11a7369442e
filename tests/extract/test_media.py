"""Media-type sniffing: magic bytes first, then the extension."""

from __future__ import annotations

import codecs

import pytest

from shiliao.extract import sniff_media_type

from .conftest import real_fixture


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (b"%PDF-1.7\n", "notice.bin", "application/pdf"),
        (b"\r\n\r\n%PDF-1.4\n", "junk-before-header", "application/pdf"),
        (b"<!DOCTYPE html><html>", "notice.jpg", "text/html"),
        (b"<!doctype HTML>\n<html>", "notice.txt", "text/html"),
        (codecs.BOM_UTF8 + b"  \n<html lang='zh'>", "page", "text/html"),
        (b"<?xml version='1.0' encoding='gbk'?>\n<html xmlns='x'>", "page.xhtml", "text/html"),
        (codecs.BOM_UTF16_LE + "<html><body>".encode("utf-16-le"), "page", "text/html"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "scan.png", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "scan", "image/png"),
        (b"GIF89a\x01\x00", "x", "image/gif"),
        (b"II*\x00\x08\x00", "scan.tif", "image/tiff"),
        (b"MM\x00*\x00\x00", "scan.tif", "image/tiff"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "photo", "image/webp"),
        (b"PK\x03\x04\x14\x00", "bundle.zip", "application/zip"),
        (b"PK\x05\x06" + bytes(18), "empty.bin", "application/zip"),
        (
            b"PK\x03\x04\x14\x00",
            "Report.DOCX",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("关于印发的通知".encode(), "notice.txt", "text/plain"),
        (b"# Title\n", "essay.md", "text/markdown"),
        (b"# Title\n", "essay.markdown", "text/markdown"),
        (b"<p>a fragment</p>", "page.htm", "text/html"),
        (b"<p>a fragment</p>", "page.HTML", "text/html"),
        (b"[broken", "damaged.PDF", "application/pdf"),
        (b'{"title": "x"}\n', "corpus.jsonl", "application/jsonl"),
        (b"\x00\x01\x02", "blob", "application/octet-stream"),
        (b"", "empty", "application/octet-stream"),
        (b"<p>not a document start</p>", "notes", "application/octet-stream"),
    ],
)
def test_sniff_media_type(head: bytes, name: str, expected: str) -> None:
    assert sniff_media_type(head, name) == expected


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("html/shanxi-gov-portal-news.html", "text/html"),
        ("html/sxmu-jijian-supervision-law.html", "text/html"),
        ("html/zj-fzggw-info-release.html", "text/html"),
        ("pdf/prc-constitution-2018-text-layer.pdf", "application/pdf"),
        ("image/easyocr-street-sign-yuyuan-rd.jpg", "image/jpeg"),
    ],
)
def test_real_files_are_typed_by_their_bytes_whatever_their_name(
    relative: str, expected: str
) -> None:
    head = real_fixture(relative).read_bytes()[:4096]
    assert sniff_media_type(head, relative) == expected
    assert sniff_media_type(head, "renamed.txt") == expected
