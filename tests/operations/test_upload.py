"""Uploads and URL captures written into the collection folder (``operations.upload``): names
checked, bytes streamed atomically, nothing replaced, duplicates kept once, and a build of the
folder afterwards takes them as sources (a ZIP's bad member skipped, the others kept)."""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import stat
from pathlib import Path, PurePosixPath

import httpx
import pytest

from shiliao.collection import read_collection
from shiliao.collection.sidecar import load_sidecar
from shiliao.errors import EditError, UploadRefused
from shiliao.operations.build import build
from shiliao.operations.upload import capture_url, save_uploads, upload_path
from shiliao.store import Catalog
from tests.extract.craft import zip_of

DAY = datetime.date(2024, 5, 6)
UPLOADS = "sources/uploads/2024-05-06"
PUBLIC = {"public.test": ["93.184.216.34"], "internal.test": ["10.0.0.1"]}
PAGE = (
    "<html><head><title>关于开展结对认亲活动的通知</title></head><body>"
    "<p>各级干部深入基层开展结对认亲活动。</p></body></html>"
).encode()


def _collection(root: Path) -> Path:
    (root / "sources").mkdir(parents=True)
    return root


def _save(collection: Path, *files: tuple[str, bytes], max_bytes: int = 1 << 20):
    return save_uploads(
        collection,
        [(name, io.BytesIO(data)) for name, data in files],
        max_bytes=max_bytes,
        today=DAY,
    )


def _leftovers(collection: Path) -> list[str]:
    """Hidden files and folders under sources/ (temporary files a write left behind)."""
    return [
        str(p.relative_to(collection))
        for p in (collection / "sources").rglob(".*")
        if p.name != ".shiliao-edit.lock"
    ]


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("通知.pdf", "通知.pdf"),
        ("scans/page 1.jpg", "scans/page 1.jpg"),
        ("scans\\page1.jpg", "scans/page1.jpg"),
        ("./a//b.txt", "a/b.txt"),
        # NFD (as macOS writes names) becomes NFC.
        ("Ce\u0301sar.txt", "C\u00e9sar.txt"),
        ("notes.yaml.txt", "notes.yaml.txt"),
    ],
)
def test_upload_path_keeps_a_plain_name(name: str, path: str) -> None:
    assert upload_path(name) == PurePosixPath(path)


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("", "without a name"),
        ("  ", "without a name"),
        ("../evil.txt", "'..'"),
        ("a/../../b.txt", "'..'"),
        ("..\\evil.txt", "'..'"),
        ("/etc/passwd", "absolute"),
        ("C:\\Windows\\evil.bat", "absolute"),
        ("C:evil.bat", "drive letter"),
        ("\\\\server\\share\\x.txt", "absolute"),
        ("a\x00b.txt", "control character"),
        ("a\nb.txt", "control character"),
        ("a\x7fb.txt", "control character"),
        ("a\x9bb.txt", "control character"),
        ("invoice\u202efdp.exe", "bidirectional"),
        ("a\u2066b.txt", "bidirectional"),
        ("a\u200fb.txt", "bidirectional"),
        ("a\u061cb.txt", "bidirectional"),
        ("x" * 252 + ".pdf", "255 bytes"),
        ("通" * 84 + ".pdf", "255 bytes"),
        (".hidden.pdf", "hidden"),
        ("folder/.git/config", "hidden"),
        ("notice.pdf.yaml", "sidecar"),
        ("meta.YML", "sidecar"),
        ("notice.pdf.en.translation.md", "translation"),
        ("x.translation", "translation"),
    ],
)
def test_upload_path_refuses_a_bad_name(name: str, why: str) -> None:
    with pytest.raises(UploadRefused, match=why):
        upload_path(name)


def test_a_refused_name_is_shown_without_its_control_characters() -> None:
    with pytest.raises(UploadRefused) as caught:
        upload_path("invoice\u202efdp.exe")
    assert "\u202e" not in str(caught.value) and "\\u202e" in str(caught.value)


def test_uploads_are_written_into_a_dated_folder(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c")
    report = _save(collection, ("通知.txt", "各级干部。".encode()), ("scans/p1.txt", b"page one"))
    assert report.refused == [] and report.duplicates == []
    assert [row["path"] for row in report.saved] == [
        f"{UPLOADS}/通知.txt",
        f"{UPLOADS}/scans/p1.txt",
    ]
    first = report.saved[0]
    assert first["name"] == "通知.txt" and first["bytes"] == len("各级干部。".encode())
    assert first["sha256"] == hashlib.sha256("各级干部。".encode()).hexdigest()
    assert (collection / first["path"]).read_bytes() == "各级干部。".encode()
    # A file any user of the folder can read, as a copied file (not the 0600 of a temporary).
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE((collection / first["path"]).stat().st_mode) == 0o666 & ~mask
    assert _leftovers(collection) == []
    # The folder reads as sources, with no problem.
    read = read_collection(collection)
    assert sorted(s.path for s in read.sources) == sorted(row["path"] for row in report.saved)
    assert read.problems == []


def test_a_taken_name_gets_a_number_and_nothing_is_replaced(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c")
    _save(collection, ("report.pdf", b"first"), ("crawl.warc.gz", b"one"))
    report = _save(
        collection, ("report.pdf", b"second"), ("report.pdf", b"third"), ("crawl.warc.gz", b"two")
    )
    assert [row["path"] for row in report.saved] == [
        f"{UPLOADS}/report (2).pdf",
        f"{UPLOADS}/report (3).pdf",
        f"{UPLOADS}/crawl (2).warc.gz",
    ]
    assert (collection / UPLOADS / "report.pdf").read_bytes() == b"first"
    assert (collection / UPLOADS / "report (3).pdf").read_bytes() == b"third"


def test_bytes_the_sources_already_hold_are_a_duplicate(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c")
    (collection / "sources" / "old").mkdir()
    (collection / "sources" / "old" / "notice.txt").write_bytes(b"same bytes")
    # A file of the same size but other bytes is no duplicate.
    (collection / "sources" / "other.txt").write_bytes(b"some bytes")
    report = _save(
        collection,
        ("renamed.txt", b"same bytes"),
        ("new.txt", b"new"),
        ("new-again.txt", b"new"),
    )
    assert report.duplicates == [
        {"name": "renamed.txt", "same_as": "sources/old/notice.txt"},
        {"name": "new-again.txt", "same_as": f"{UPLOADS}/new.txt"},
    ]
    assert [row["path"] for row in report.saved] == [f"{UPLOADS}/new.txt"]
    assert not (collection / UPLOADS / "renamed.txt").exists()
    # The same file uploaded again, under its own name, is a duplicate too, not "new (2).txt".
    again = _save(collection, ("new.txt", b"new"))
    assert again.saved == [] and again.duplicates == [
        {"name": "new.txt", "same_as": f"{UPLOADS}/new.txt"}
    ]
    assert _leftovers(collection) == []


def test_a_body_over_the_limit_is_refused_and_the_batch_goes_on(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c")
    report = _save(
        collection,
        ("big.pdf", b"x" * 101),
        ("../evil.txt", b"evil"),
        ("exact.pdf", b"y" * 100),
        max_bytes=100,
    )
    assert [row["path"] for row in report.saved] == [f"{UPLOADS}/exact.pdf"]
    reasons = {row["name"]: row["reason"] for row in report.refused}
    assert "larger than 100 bytes" in reasons["big.pdf"] and "'..'" in reasons["../evil.txt"]
    assert not (collection / UPLOADS / "big.pdf").exists() and _leftovers(collection) == []
    assert (
        not (tmp_path / "evil.txt").exists() and not (collection / "sources" / "evil.txt").exists()
    )


def test_a_large_body_is_streamed_in_chunks(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c")
    reads: list[int] = []

    class Body(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            reads.append(size if size is not None else -1)
            return super().read(size)

    data = os.urandom(3 * (1 << 20) + 5)
    report = save_uploads(collection, [("scan.tif", Body(data))], max_bytes=len(data), today=DAY)
    assert report.saved[0]["bytes"] == len(data)
    assert (collection / report.saved[0]["path"]).read_bytes() == data
    assert reads and all(0 < size <= 1 << 20 for size in reads)


def test_a_folder_link_or_a_file_in_the_way_refuses_the_file_alone(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c")
    outside = tmp_path / "outside"
    outside.mkdir()
    (collection / UPLOADS).mkdir(parents=True)
    (collection / UPLOADS / "linked").symlink_to(outside)
    (collection / UPLOADS / "scans").write_bytes(b"a file named scans")
    report = _save(
        collection, ("linked/x.txt", b"x"), ("scans/p1.txt", b"p1"), ("fine.txt", b"fine")
    )
    assert [row["path"] for row in report.saved] == [f"{UPLOADS}/fine.txt"]
    reasons = {row["name"]: row["reason"] for row in report.refused}
    assert "symbolic link" in reasons["linked/x.txt"] and "stands where" in reasons["scans/p1.txt"]
    assert list(outside.iterdir()) == [] and _leftovers(collection) == []


@pytest.mark.parametrize("folder", ["uploads", "sources/../x", "/tmp/x", "sources/.hidden"])
def test_the_upload_folder_must_be_under_sources(tmp_path: Path, folder: str) -> None:
    collection = _collection(tmp_path / "c")
    with pytest.raises(EditError, match="under sources/"):
        save_uploads(collection, [("a.txt", io.BytesIO(b"a"))], folder=folder, max_bytes=10)


def test_a_folder_without_sources_is_no_collection(tmp_path: Path) -> None:
    with pytest.raises(EditError, match="sources/"):
        save_uploads(tmp_path, [("a.txt", io.BytesIO(b"a"))], max_bytes=10)


def _page_transport(content: bytes = PAGE, status: int = 200) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return httpx.Response(301, headers={"Location": "/notice.html"})
        return httpx.Response(
            status, headers={"Content-Type": "text/html; charset=utf-8"}, content=content
        )

    return httpx.MockTransport(handler)


def _capture(collection: Path, url: str, **options):
    return capture_url(
        collection,
        url,
        transport=_page_transport(**options),
        resolver=lambda name, port: PUBLIC[name],
        today=DAY,
    )


def test_a_url_is_captured_into_a_warc_with_its_sidecar(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c")
    report = _capture(collection, "http://public.test/old")
    assert report.refused == []
    (saved,) = report.saved
    assert saved["path"] == "sources/captures/2024-05-06/public.test-old.warc.gz"
    assert saved["sidecar"] == saved["path"] + ".yaml"
    warc = collection / saved["path"]
    assert saved["sha256"] == hashlib.sha256(warc.read_bytes()).hexdigest()
    assert saved["bytes"] == warc.stat().st_size
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(warc.stat().st_mode) == 0o666 & ~mask
    sidecar = load_sidecar((collection / saved["sidecar"]).read_text("utf-8"), saved["sidecar"])
    assert sidecar["url"] == "http://public.test/old" and sidecar["type"] == "webpage"
    assert sidecar["captured"].endswith("Z") and sidecar["captured"].startswith("20")
    assert sidecar["extra"] == {"final_url": "http://public.test/notice.html", "http_status": 200}
    # The reader takes the sidecar as it is (known keys only) and the WARC as a source.
    read = read_collection(collection)
    assert [s.path for s in read.sources] == [saved["path"]] and read.problems == []
    assert read.sources[0].metadata["url"] == "http://public.test/old"
    assert _leftovers(collection) == []
    # A second capture of the same URL the same day gets its own file and sidecar.
    again = _capture(collection, "http://public.test/old")
    assert again.saved[0]["path"] == "sources/captures/2024-05-06/public.test-old (2).warc.gz"
    assert (collection / again.saved[0]["sidecar"]).is_file()


def test_a_refused_or_failed_capture_leaves_nothing(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c")
    report = _capture(collection, "http://internal.test/secret")
    assert report.saved == [] and "10.0.0.1" in report.refused[0]["reason"]
    # The collection's capture limits apply, as they do to shiliao add.
    (collection / "shiliao.toml").write_text("[capture]\nmax_bytes = 100\n", encoding="utf-8")
    too_big = _capture(collection, "http://public.test/notice.html")
    assert too_big.saved == [] and "max_bytes" in too_big.refused[0]["reason"]
    captures = collection / "sources" / "captures"
    assert list(captures.rglob("*")) == []


def test_a_build_after_uploads_loses_no_good_member_of_a_zip(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c")
    scans = zip_of(
        [
            ("通知.txt", "各单位：现将结对认亲活动安排通知如下。".encode()),
            ("../evil.txt", b"outside"),
            ("broken.pdf", b"%PDF-1.7\n this is no PDF"),
            ("brief/简报.txt", "工作队入户走访，宣讲惠民政策。".encode()),
        ]
    )
    uploaded = _save(collection, ("scans.zip", scans), ("note.txt", "驻村工作队。".encode()))
    captured = _capture(collection, "http://public.test/notice.html")
    report = build(collection, tmp_path / "a", tmp_path / "s", today=DAY)

    zip_path = f"{UPLOADS}/scans.zip"
    assert [row["path"] for row in uploaded.saved] == [zip_path, f"{UPLOADS}/note.txt"]
    with Catalog(tmp_path / "a" / "shiliao.db") as catalog:
        sources = catalog.sources()
        members = {s.metadata.get("member") for s in sources if s.path == zip_path}
        assert members == {"通知.txt", "broken.pdf", "brief/简报.txt"}
        # The whole ZIP is the original kept, its bad member's bytes with it.
        stored = {row["sha256"] for row in catalog.file_versions()}
    assert uploaded.saved[0]["sha256"] in stored
    assert {"path": zip_path, "member": "../evil.txt"} == {
        key: row[key] for row in report.skipped for key in ("path", "member")
    }
    # The corrupt PDF is a source whose extraction failed, kept with its reason.
    assert any(row["path"] == zip_path and "broken.pdf" in str(row) for row in report.failed)
    assert any(s.path == f"{UPLOADS}/note.txt" for s in sources)
    # The captured page is a source of its WARC, with its URL and title from the page.
    (page,) = [s for s in sources if s.path == captured.saved[0]["path"]]
    assert page.metadata["url"] == "http://public.test/notice.html"
    assert page.title == "关于开展结对认亲活动的通知"


def test_names_that_would_give_one_source_id_are_numbered(tmp_path: Path) -> None:
    """report.txt and Report.md (or report-1.txt and "report 1.txt") give one source id, which
    the reader refuses for the whole collection: the second is numbered, and the collection
    still reads."""
    import io

    from shiliao.collection import read_collection
    from shiliao.operations.upload import save_uploads

    (tmp_path / "sources").mkdir()
    files = [
        ("report.txt", io.BytesIO("第一份".encode())),
        ("Report.md", io.BytesIO("第二份".encode())),
        ("report-1.txt", io.BytesIO("第三份".encode())),
        ("report 1.txt", io.BytesIO("第四份".encode())),
    ]
    report = save_uploads(tmp_path, files, max_bytes=1000)
    assert len(report.saved) == 4 and not report.refused
    ids = [source.id for source in read_collection(tmp_path).sources]
    assert len(ids) == len(set(ids)) == 4
