"""The input tests of research/reliability.md §5 (I-1 to I-15), each with its expected
outcome, and one batch holding them all: it finishes, keeps every file, reports each failure."""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from shiliao.errors import EncryptedDocument, ExtractError, ExtractionLimit
from shiliao.extract import Extractor, extract_file, sniff_media_type
from shiliao.extract.media import SNIFF_BYTES
from shiliao.extract.pool import Limits, extract_many
from shiliao.extract.unpack import ARCHIVE_MEDIA_TYPES, Unpacked, unpack_archive
from shiliao.model import Extraction

from . import helper_extractors
from .conftest import make_pdf, real_fixture
from .craft import (
    deep_page_tree_pdf,
    docx_with_document_xml,
    page_bomb_pdf,
    png_claiming,
    tar_of,
    xref_loop_pdf,
    zip_of,
    ztxt_bomb_png,
)
from .test_docx import document_xml, work_plan

Register = Callable[[str, Extractor], None]
UNPACK_LIMIT_BYTES = 64 * 1024**2
LIMITS = Limits(timeout_s=30, max_memory_bytes=1536 * 1024**2)
GBK_NOTICE = (
    "国务院总理朱镕基在会上讲话，要求各地认真做好结对认亲工作。刘䶮同志所在的工作队走访农户。"
)


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def test_i1_page_bomb_is_refused_within_the_time_limit(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(ExtractionLimit, match="too many pages: 1000000 pages"):
        extract_file(write(tmp_path, "bomb.pdf", page_bomb_pdf()), timeout_s=10)
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("make", [xref_loop_pdf, deep_page_tree_pdf])
def test_i2_loops_and_deep_trees_fail_cleanly(tmp_path: Path, make: Callable[[], bytes]) -> None:
    started = time.monotonic()
    with pytest.raises(ExtractError, match=r"not a readable PDF|cannot be read"):
        extract_file(write(tmp_path, "loop.pdf", make()), timeout_s=10)
    assert time.monotonic() - started < 10


def test_i4_encrypted_pdf(tmp_path: Path) -> None:
    with pytest.raises(EncryptedDocument, match="encrypted"):
        extract_file(write(tmp_path, "locked.pdf", make_pdf([["绝密"]], encrypt="pw")))


def test_i9_gbk_labelled_utf8_is_read_as_gb18030_and_both_recorded(tmp_path: Path) -> None:
    page = f'<html><head><meta charset="utf-8"><title>通知</title></head><body><p>{GBK_NOTICE}</p></body></html>'
    extraction = extract_file(write(tmp_path, "n.html", page.encode("gb18030")))
    assert extraction.pages[0].text == GBK_NOTICE
    assert extraction.metadata["declared_encoding"] == "utf-8"
    assert extraction.metadata["encoding"] == "gb18030"
    garbled = b"<html><body><p>" + bytes(range(0x80, 0xFF)) * 4 + b"</p></body></html>"
    review = extract_file(
        write(tmp_path, "garbled.html", garbled.replace(b"<p>", b'<meta charset="utf-8"><p>'))
    )
    assert review.metadata["needs_review"] is True


def test_i10_no_charset_is_never_latin1(tmp_path: Path) -> None:
    page = f"<html><body><p>{GBK_NOTICE}</p></body></html>".encode("gbk", errors="ignore")
    extraction = extract_file(write(tmp_path, "plain.html", page))
    assert extraction.metadata["encoding"] not in {"latin-1", "iso8859-1", "cp1252"}
    assert "朱镕基" in extraction.pages[0].text


def test_i11_nul_and_lone_surrogates_are_cleaned_and_counted(
    tmp_path: Path, registered: Register
) -> None:
    text = write(tmp_path, "nul.txt", "第一行\x00\n第二\x07行\n".encode())
    extraction = extract_file(text)
    assert extraction.pages[0].text == "第一行\n第二行\n"
    assert extraction.metadata["text_cleaned"] == {"nul": 1, "control": 1}
    assert text.read_bytes() == "第一行\x00\n第二\x07行\n".encode()  # the original is untouched
    registered("application/x-broken", helper_extractors.extract_with_broken_text)
    broken = extract_file(write(tmp_path, "broken.bin", b"x"), "application/x-broken")
    assert broken.pages[0].text == "国务院\ufffd通知第一号"
    assert broken.metadata["text_cleaned"] == {"nul": 1, "surrogate": 1}
    broken.pages[0].text.encode("utf-8")  # no UnicodeEncodeError downstream


def test_i12_a_200_mb_single_line_page_is_refused_under_the_memory_cap(tmp_path: Path) -> None:
    path = tmp_path / "long.html"
    with path.open("wb") as out:
        out.write(b"<html><body><p>")
        for _ in range(200):
            out.write(b"a" * 1024**2)
    started = time.monotonic()
    with pytest.raises(ExtractionLimit, match="more than the limit"):
        extract_file(path, timeout_s=60, max_memory_bytes=1024**3)
    assert time.monotonic() - started < 60


def test_i15_polyglots_are_typed_by_their_bytes(tmp_path: Path) -> None:
    html = write(
        tmp_path, "photo.jpg", b"<!DOCTYPE html><html><body><p>not a photo</p></body></html>"
    )
    assert extract_file(html).method == "html"
    zipped = write(tmp_path, "report.pdf", zip_of([("a.txt", b"a")]))
    assert sniff_media_type(zipped.read_bytes()[:SNIFF_BYTES], zipped.name) == "application/zip"


@dataclass
class Outcome:
    media_type: str
    extraction: Extraction | None = None
    unpacked: Unpacked | None = None
    failure: str | None = None


def ingest_batch(paths: list[Path], staging: Path) -> dict[Path, Outcome]:
    """What the pipeline does with a batch: archives unpacked, the rest extracted in parallel;
    every file gets an outcome, every failure a reason."""
    outcomes: dict[Path, Outcome] = {}
    jobs = []
    for path in paths:
        media_type = sniff_media_type(path.read_bytes()[:SNIFF_BYTES], path.name)
        outcomes[path] = Outcome(media_type)
        if media_type in ARCHIVE_MEDIA_TYPES:
            try:
                outcomes[path].unpacked = unpack_archive(
                    path, staging, media_type=media_type, max_total_bytes=UNPACK_LIMIT_BYTES
                )
            except ExtractError as exc:
                outcomes[path].failure = f"{type(exc).__name__}: {exc}"
        else:
            jobs.append((path, path, media_type))
    for path, result in extract_many(jobs, workers=2, limits=LIMITS):
        if isinstance(result, ExtractError):
            outcomes[path].failure = f"{type(result).__name__}: {result}"
        else:
            outcomes[path].extraction = result
    return outcomes


def truncated_warc() -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for number in range(3):
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        body = f"<html><body><p>第{number}号通知：{GBK_NOTICE}</p></body></html>".encode()
        writer.write_record(
            writer.create_warc_record(
                f"http://example.gov.cn/{number}",
                "response",
                payload=io.BytesIO(body),
                http_headers=headers,
            )
        )
    return out.getvalue()[:-40]


def test_a_batch_of_every_bad_input_finishes_keeps_every_file_and_reports_each_failure(
    tmp_path: Path, registered: Register
) -> None:
    registered("application/x-crash", helper_extractors.extract_by_crashing)
    sources = tmp_path / "sources"
    sources.mkdir()
    staging = tmp_path / "staging"
    staging.mkdir()
    evil_link = tarfile.TarInfo("docs")
    evil_link.type, evil_link.linkname = tarfile.SYMTYPE, "/etc"
    files = {
        "i1-page-bomb.pdf": page_bomb_pdf(),
        "i2-xref-loop.pdf": xref_loop_pdf(),
        "i3-crash.bin": b"\x00crash",
        "i4-encrypted.pdf": make_pdf([["绝密"]], encrypt="pw"),
        "i5-pixel-bomb.png": png_claiming(50_000, 50_000),
        "i5-ztxt-bomb.png": ztxt_bomb_png(),
        "i6-zip-bomb.zip": zip_of([(f"{i}.txt", bytes(16 * 1024**2)) for i in range(8)]),
        "i7-zip-slip.zip": zip_of([("../../escape.txt", b"x"), ("ok.txt", b"ok")]),
        "i8-symlink.tar": tar_of([evil_link, ("docs/passwd", b"x")]),
        "i9-gbk-as-utf8.html": f'<meta charset="utf-8"><p>{GBK_NOTICE}</p>'.encode("gb18030"),
        "i10-no-charset.html": f"<html><body><p>{GBK_NOTICE}</p></body></html>".encode("gb18030"),
        "i11-nul.txt": "第一行\x00第二行".encode(),
        "i13-xxe.docx": docx_with_document_xml(
            document_xml('<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "&x;"),
            work_plan(),
        ),
        "i14-truncated.warc.gz": truncated_warc(),
        "i15-polyglot.jpg": b"<!DOCTYPE html><html><body><p>not a photo</p></body></html>",
        "i15-zip-named.pdf": zip_of([("inner.txt", "里面".encode())]),
        "good-constitution.pdf": real_fixture(
            "pdf/prc-constitution-2018-text-layer.pdf"
        ).read_bytes(),
        "good-sxmu.html": real_fixture("html/sxmu-jijian-supervision-law.html").read_bytes(),
        "good-notice.txt.gz": gzip.compress("通知全文".encode()),
    }
    paths = [write(sources, name, data) for name, data in files.items()]
    digests = {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}
    crash = sources / "i3-crash.bin"

    # The crash job needs its media type named: sniffing would call it octet-stream.
    outcomes = ingest_batch([path for path in paths if path != crash], staging)
    [(_, crashed)] = list(extract_many([(crash, crash, "application/x-crash")], limits=LIMITS))

    assert set(outcomes) == set(paths) - {crash}
    # Every file is kept, byte for byte.
    assert {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in paths} == digests
    failures = {path.name: outcome.failure for path, outcome in outcomes.items() if outcome.failure}
    assert set(failures) == {
        "i1-page-bomb.pdf",
        "i2-xref-loop.pdf",
        "i4-encrypted.pdf",
        "i5-pixel-bomb.png",
        "i5-ztxt-bomb.png",
        "i6-zip-bomb.zip",
        "i13-xxe.docx",
    }
    assert (
        failures["i1-page-bomb.pdf"].startswith("ExtractionLimit: ")
        and "too many pages" in failures["i1-page-bomb.pdf"]
    )
    assert failures["i2-xref-loop.pdf"].startswith("ExtractError: ")
    assert failures["i4-encrypted.pdf"].startswith("EncryptedDocument: ")
    assert failures["i5-pixel-bomb.png"].startswith("ExtractionLimit: ")
    assert failures["i5-ztxt-bomb.png"].startswith("ExtractionLimit: ")
    assert failures["i6-zip-bomb.zip"].startswith("ExtractionLimit: ")
    assert "declares a DTD" in failures["i13-xxe.docx"]
    assert isinstance(crashed, ExtractError) and "SIGSEGV" in str(crashed)

    by_name = {path.name: outcome for path, outcome in outcomes.items()}
    slip = by_name["i7-zip-slip.zip"].unpacked
    assert slip is not None and [member.name for member in slip.members] == ["ok.txt"]
    assert [skipped.name for skipped in slip.skipped] == ["../../escape.txt"]
    symlink = by_name["i8-symlink.tar"].unpacked
    assert symlink is not None and [(s.name, s.reason) for s in symlink.skipped] == [
        ("docs", "symbolic link")
    ]
    assert not any(path.is_symlink() for path in staging.rglob("*"))
    assert not (tmp_path / "escape.txt").exists()
    gbk = by_name["i9-gbk-as-utf8.html"].extraction
    assert (
        gbk is not None
        and gbk.pages[0].text == GBK_NOTICE
        and gbk.metadata["encoding"] == "gb18030"
    )
    unlabelled = by_name["i10-no-charset.html"].extraction
    assert unlabelled is not None and "朱镕基" in unlabelled.pages[0].text
    nul = by_name["i11-nul.txt"].extraction
    assert nul is not None and nul.metadata["text_cleaned"] == {"nul": 1}
    warc = by_name["i14-truncated.warc.gz"].extraction
    assert warc is not None and warc.metadata["needs_review"] is True
    assert warc.metadata["truncated"]["last_good_offset"] is not None and len(warc.documents) == 2
    assert by_name["i15-polyglot.jpg"].media_type == "text/html"
    assert by_name["i15-polyglot.jpg"].extraction is not None
    assert by_name["i15-zip-named.pdf"].media_type == "application/zip"
    zipped = by_name["i15-zip-named.pdf"].unpacked
    assert zipped is not None and zipped.members[0].path.read_bytes() == "里面".encode()
    assert by_name["good-constitution.pdf"].extraction is not None
    assert len(by_name["good-constitution.pdf"].extraction.pages) == 31
    assert by_name["good-sxmu.html"].extraction is not None
    notice = by_name["good-notice.txt.gz"].unpacked
    assert notice is not None and [member.name for member in notice.members] == ["good-notice.txt"]
