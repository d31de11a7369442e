"""Evidence integrity end to end: OCFL versions, the signed log, `verify`, `verify-file`, URL
capture, crash safety, BagIt export and `rebuild` (the integrity issue's tests)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import threading
import unicodedata
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from shiliao.archive import open_archive
from shiliao.cli import main
from shiliao.collection import read_collection
from shiliao.config import load_settings
from shiliao.operations.ingest import ingest
from shiliao.store import OcflStore, file_object_id
from tests.faults import ARCHIVE_STEPS
from tests.store.test_ocfl import assert_valid, make_old_layout

SIDECAR = (
    "each_line:\n  title: '{title}'\n  date: '{date}'\n  text: body\ndefaults:\n  type: report\n"
)


def _collection(root: Path, bodies: list[str]) -> Path:
    (root / "sources").mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps({"title": f"通知{i}", "date": f"201{i}", "body": body}, ensure_ascii=False)
        for i, body in enumerate(bodies)
    ]
    (root / "sources" / "notices.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "sources" / "notices.jsonl.yaml").write_text(SIDECAR, encoding="utf-8")
    (root / "glossary.yaml").write_text(
        "- term: 结亲\n  pinyin: jiéqīn\n  english: [Jieqin]\n", encoding="utf-8"
    )
    return root


def _build(collection: Path, archive: Path) -> None:
    with open_archive(archive, create=True) as opened:
        ingest(opened, read_collection(collection), load_settings(collection))
        opened.checkpoint()


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    collection = _collection(tmp_path / "c", ["干部开展结亲活动。", "民族团结一家亲。"])
    _build(collection, tmp_path / "a")
    return tmp_path / "a"


def _content_file(archive: Path, name: str) -> Path:
    (found,) = [p for p in (archive / "objects").rglob(name) if "content" in p.parts]
    found.chmod(0o644)
    return found


def test_ocfl_root_validates_and_a_changed_file_makes_v2(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c", ["干部开展结亲活动。"])
    _build(collection, tmp_path / "a")
    _collection(collection, ["干部开展结亲活动。", "第二条通知。"])
    _build(collection, tmp_path / "a")
    assert_valid(tmp_path / "a" / "objects")
    with open_archive(tmp_path / "a") as opened:
        object_id = file_object_id("sources/notices.jsonl")
        assert [v.number for v in opened.ocfl.versions(object_id)] == [1, 2]
        with opened.ocfl.open(object_id, "sources/notices.jsonl", 1) as old:
            assert "第二条通知" not in old.read().decode()
        with opened.ocfl.open(object_id, "sources/notices.jsonl", 2) as new:
            assert "第二条通知" in new.read().decode()
        kinds = [entry.kind for entry in opened.log.entries()]
    assert kinds.count("file_captured") == 4  # glossary, sidecar, file v1, file v2
    assert "source_added" in kinds
    code, output = _run("verify", str(tmp_path / "a"))
    assert code == 0, output


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _mutations() -> dict[str, object]:
    def flipped_byte(a: Path) -> None:
        _flip(_content_file(a, "notices.jsonl"))

    def deleted_file(a: Path) -> None:
        _content_file(a, "glossary.yaml").unlink()

    def extra_file(a: Path) -> None:
        folder = _content_file(a, "glossary.yaml").parent
        (folder / "planted.txt").write_text("not captured")

    def edited_inventory(a: Path) -> None:
        inventory = _content_file(a, "notices.jsonl").parents[2] / "inventory.json"
        inventory.chmod(0o644)
        inventory.write_text(inventory.read_text().replace('"message"', '"message" ', 1))

    def edited_log_entry(a: Path) -> None:
        entries = a / "log" / "entries.jsonl"
        entries.write_text(entries.read_text().replace("source_added", "source_addex", 1))

    def truncated_log(a: Path) -> None:
        entries = a / "log" / "entries.jsonl"
        lines = entries.read_text().splitlines(keepends=True)
        entries.write_text("".join(lines[:-2]))

    def reordered_log(a: Path) -> None:
        entries = a / "log" / "entries.jsonl"
        lines = entries.read_text().splitlines(keepends=True)
        lines[1], lines[2] = lines[2], lines[1]
        entries.write_text("".join(lines))

    return {
        "flipped byte": (flipped_byte, "sha512 does not match"),
        "deleted file": (deleted_file, "glossary.yaml"),
        "extra file": (extra_file, "planted.txt"),
        "edited inventory": (edited_inventory, "inventory.json"),
        "edited log entry": (edited_log_entry, "entry"),
        "truncated log": (truncated_log, "log/"),
        "reordered log": (reordered_log, "log/"),
    }


@pytest.mark.parametrize("name", list(_mutations()))
def test_each_mutation_makes_verify_fail_naming_it(archive: Path, name: str) -> None:
    code, output = _run("verify", str(archive))
    assert code == 0, output
    mutate, expected = _mutations()[name]
    mutate(archive)
    code, output = _run("verify", str(archive))
    assert code == 1, output
    assert expected in output, output
    assert "problem(s)" in output


def _served(tmp_path: Path, body: bytes, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(body)
    return path


def test_verify_file_on_a_published_original(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c", ["干部开展结亲活动。"])
    # A plain-text original is offered as it is (a JSON-lines file also holds fields that were
    # not read for personal data, and is offered once an editor has checked its sources).
    (collection / "sources" / "notice.txt").write_text("民族团结一家亲。\n", encoding="utf-8")
    site = tmp_path / "site"
    code, output = _run(
        "build", str(collection), "--archive", str(tmp_path / "a"), "--out", str(site)
    )
    assert code == 0, output
    (source_dir,) = [p.parent for p in (site / "sources").glob("*/proof.json")][:1]
    proof = source_dir / "proof.json"
    (download,) = list((site / "files").glob("*/notice.txt"))
    key = site / "evidence" / "key.vkey"
    code, output = _run("verify-file", str(download), "--proof", str(proof), "--key", str(key))
    assert code == 0 and "verified" in output, output
    code, output = _run(
        "verify-file",
        str(download),
        "--proof",
        str(proof),
        "--key",
        str(key),
        "--checkpoint",
        str(site / "evidence" / "checkpoint.txt"),
    )
    assert code == 0, output

    changed = _served(tmp_path, download.read_bytes(), "changed.txt")
    _flip(changed)
    code, output = _run("verify-file", str(changed), "--proof", str(proof), "--key", str(key))
    assert code == 1 and "sha256" in output, output

    # The same proof, with a checkpoint signed by another archive's key, must fail.
    other = _collection(tmp_path / "other", ["别的档案。"])
    _build(other, tmp_path / "b")
    forged = json.loads(proof.read_text())
    forged["checkpoint"] = (tmp_path / "b" / "log" / "checkpoint").read_text()
    forged_path = _served(tmp_path, json.dumps(forged).encode(), "forged.json")
    code, output = _run(
        "verify-file", str(download), "--proof", str(forged_path), "--key", str(key)
    )
    assert code == 1, output
    other_key = tmp_path / "b" / "log" / "key.vkey"
    code, output = _run(
        "verify-file", str(download), "--proof", str(forged_path), "--key", str(other_key)
    )
    assert code == 1, output


def _signed(archive: Path) -> dict[str, bytes]:
    """Every checkpoint file of an archive's log, by name, with its bytes."""
    log = archive / "log"
    files = {p.name: p.read_bytes() for p in (log / "checkpoints").iterdir()}
    return {**files, "checkpoint": (log / "checkpoint").read_bytes()}


def _verify_against_newest(site: Path, archive: Path) -> tuple[int, str]:
    (proof,) = list((site / "sources").glob("*/proof.json"))
    (download,) = list((site / "files").glob("*/notice.txt"))
    return _run(
        "verify-file",
        str(download),
        "--proof",
        str(proof),
        "--key",
        str(site / "evidence" / "key.vkey"),
        "--checkpoint",
        str(archive / "log" / "checkpoint"),
    )


def test_after_a_build_the_newest_checkpoint_is_the_one_the_site_proves(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c", ["干部开展结亲活动。"])
    (collection / "sources" / "notice.txt").write_text("民族团结一家亲。\n", encoding="utf-8")
    archive, site = tmp_path / "a", tmp_path / "site"
    build = ("build", str(collection), "--archive", str(archive), "--out", str(site), "--json")
    code, output = _run(*build)
    assert code == 0 and json.loads(output)["site"]["written"], output
    code, output = _verify_against_newest(site, archive)
    assert code == 0 and "verified" in output, output
    # The publication is the log's last entry, and the checkpoint signs it too.
    with open_archive(archive) as opened:
        last = opened.log.entry(opened.log.size - 1)
        size = opened.log.size
    assert last.kind == "site_published" and last.data["checkpoint_size"] == size
    assert (site / "evidence" / "checkpoint.txt").read_bytes() == _signed(archive)["checkpoint"]
    assert sorted(_signed(archive)) == [f"{size}.txt", "checkpoint"]
    signed = _signed(archive)

    # A build that changes nothing writes, logs and signs nothing.
    code, output = _run(*build)
    assert code == 0 and not json.loads(output)["site"]["written"], output
    assert _signed(archive) == signed

    # Adds that add nothing sign nothing: bytes the archive holds under another name (logged
    # as received, not signed), a refused URL, a missing file.
    copy = _served(tmp_path, (collection / "sources" / "notice.txt").read_bytes(), "副本.txt")
    code, output = _run("add", str(archive), str(copy), "--json")
    report = json.loads(output)
    assert code == 0 and report["duplicates"] and report["checkpoint"] is None, output
    for target in ("http://127.0.0.1:9/", str(tmp_path / "absent.pdf")):
        code, output = _run("add", str(archive), target, "--json")
        report = json.loads(output)
        assert code == 1 and report["failed"][0]["path"] == target, output
        assert report["checkpoint"] is None and not report["added"], output
    assert _signed(archive) == signed
    with open_archive(archive) as opened:
        assert [e.kind for e in opened.log.entries(size)] == ["duplicate_received"]
    code, output = _verify_against_newest(site, archive)
    assert code == 0, output

    # A checkpoint signed by hand makes the next build write the site with proofs for it.
    code, output = _run("checkpoint", str(archive), "--json")
    assert code == 0 and json.loads(output)["size"] == size + 1, output
    code, output = _verify_against_newest(site, archive)
    assert code == 1 and "tree size" in output, output
    code, output = _run(*build)
    assert code == 0 and json.loads(output)["site"]["written"], output
    code, output = _verify_against_newest(site, archive)
    assert code == 0 and f"of {size + 2} entries" in output, output


def test_a_site_folder_that_is_refused_logs_and_signs_nothing(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c", ["干部开展结亲活动。"])
    archive = tmp_path / "a"
    _build(collection, archive)
    entries = (archive / "log" / "entries.jsonl").read_bytes()
    signed = _signed(archive)
    (tmp_path / "elsewhere").mkdir()
    _served(tmp_path / "elsewhere", b"not a site", "notes.txt")
    code, output = _run(
        "build", str(collection), "--archive", str(archive), "--out", str(tmp_path / "elsewhere")
    )
    assert code == 1 and "is not a shiliao site" in output, output
    assert (archive / "log" / "entries.jsonl").read_bytes() == entries
    assert _signed(archive) == signed


def test_a_site_that_fails_to_be_written_is_logged_as_failed(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c", ["干部开展结亲活动。"])
    (collection / "sources" / "notice.txt").write_text("民族团结一家亲。\n", encoding="utf-8")
    archive, site = tmp_path / "a", tmp_path / "site"
    build = ("build", str(collection), "--archive", str(archive), "--out", str(site))
    assert _run(*build)[0] == 0
    # The original the site offers becomes a folder, so copying it fails; a new record makes
    # the site due to be written again.
    stored = _content_file(archive, "notice.txt")
    stored.unlink()
    stored.mkdir()
    _collection(collection, ["干部开展结亲活动。", "第二条通知。"])
    code, output = _run(*build)
    assert code == 1 and "cannot write the site" in output, output
    with open_archive(archive) as opened:
        *_, published, failed = opened.log.entries()
        size = opened.log.size
    assert (published.kind, failed.kind) == ("site_published", "site_publication_failed")
    assert published.data["checkpoint_size"] == failed.index == size - 1
    assert failed.data["content_version"] == published.data["content_version"]
    assert "cannot write the site" in failed.data["reason"]
    assert f"{size - 1}.txt" in _signed(archive)


def test_an_add_signs_only_when_it_adds(archive: Path, tmp_path: Path) -> None:
    news = _served(tmp_path, "乌鲁木齐晚报：结亲周。\n".encode(), "晚报.txt")
    code, output = _run("add", str(archive), str(news), "--json")
    report = json.loads(output)
    with open_archive(archive) as opened:
        size = opened.log.size
    assert code == 0 and report["added"] and report["checkpoint"] == size, output
    added = report["added"]
    signed = _signed(archive)
    assert f"{size}.txt" in signed
    code, output = _run("add", str(archive), str(news), "--json")
    report = json.loads(output)
    assert code == 0 and report["unchanged"] == added, output
    assert not report["added"] and report["checkpoint"] is None, output
    assert _signed(archive) == signed
    with open_archive(archive) as opened:
        assert opened.log.size == size


def _ocfl_validate(objects: Path) -> subprocess.CompletedProcess[str]:
    """ocfl-py's command-line validator (``ocfl-validate.py``, installed with the test
    extra) on a storage root."""
    script = Path(sysconfig.get_path("scripts")) / "ocfl-validate.py"
    return subprocess.run(
        [sys.executable, str(script), str(objects)], capture_output=True, text=True, timeout=120
    )


def test_ocfl_validate_accepts_a_built_archive(built_sample: dict) -> None:
    result = _ocfl_validate(built_sample["archive"] / "objects")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[E" not in result.stdout + result.stderr


def test_an_archive_in_the_old_layout_is_converted_and_the_conversion_logged(
    archive: Path,
) -> None:
    objects = archive / "objects"
    make_old_layout(objects)
    rejected = _ocfl_validate(objects)
    assert rejected.returncode == 1
    before = sorted(p.relative_to(objects).as_posix() for p in objects.rglob("*"))
    # verify reads the old layout as it is, changes nothing and says what is pending.
    code, output = _run("verify", str(archive))
    assert code == 0 and "pending: objects/: storage layout 0004-hashed-n-tuple" in output, output
    assert sorted(p.relative_to(objects).as_posix() for p in objects.rglob("*")) == before
    # Converted by the store alone (as when a crash comes before the archive logs it): verify
    # says the conversion waits to be logged.
    note = OcflStore(objects, staging=archive / ".staging" / "ocfl").layout_conversion()
    assert note is not None and note["objects"] == 3  # glossary, sidecar, notices
    code, output = _run("verify", str(archive))
    assert code == 0 and "the conversion is logged when the archive is next opened" in output
    with open_archive(archive) as opened:
        (entry,) = [e for e in opened.log.entries() if e.kind == "storage_layout_converted"]
        events = [e for e in opened.catalog.events() if e["kind"] == entry.kind]
    assert entry.data == note
    assert entry.data["from"] == "0004-hashed-n-tuple-storage-layout"
    assert entry.data["to"] == "0003-hash-and-id-n-tuple-storage-layout"
    assert [e["log_index"] for e in events] == [entry.index]
    # Logged once, even when a crash left the note behind after the entry was appended.
    note_file = archive / ".staging" / "ocfl.layout.json"
    assert not note_file.exists()
    note_file.write_text(json.dumps(note))
    with open_archive(archive) as opened:
        kinds = [e.kind for e in opened.log.entries()]
    assert kinds.count("storage_layout_converted") == 1 and not note_file.exists()
    assert _ocfl_validate(objects).returncode == 0
    code, output = _run("verify", str(archive))
    assert code == 0 and "pending" not in output, output


def test_a_name_in_nfd_on_disk_is_a_warning_not_a_missing_and_an_extra_file(
    tmp_path: Path,
) -> None:
    collection = _collection(tmp_path / "c", ["干部开展结亲活动。"])
    (collection / "sources" / "Ürümqi.txt").write_text("乌鲁木齐。\n", encoding="utf-8")
    _build(collection, tmp_path / "a")
    stored = _content_file(tmp_path / "a", "Ürümqi.txt")
    stored.rename(stored.with_name(unicodedata.normalize("NFD", stored.name)))
    code, output = _run("verify", str(tmp_path / "a"), "--json")
    check = json.loads(output)
    assert code == 0 and check["ok"] and check["problems"] == [], output
    (warning,) = check["warnings"]
    assert "sources/Ürümqi.txt" in warning and "Unicode normalization" in warning
    assert warning.endswith("[E092]")
    code, output = _run("verify", str(tmp_path / "a"))
    assert code == 0 and "warning: objects/" in output, output
    stored.with_name(unicodedata.normalize("NFD", stored.name)).write_bytes(b"changed")
    code, output = _run("verify", str(tmp_path / "a"))
    assert code == 1 and "sha512 does not match" in output, output


PAGES = {
    "/utf8.html": (
        "text/html; charset=utf-8",
        "<html><head><title>结亲周活动</title></head><body><p>发布时间：2017年03月05日</p>"
        "<p>各单位干部与亲戚同吃同住同学习同劳动，开展结亲周试点。</p></body></html>".encode(),
    ),
    "/gbk.html": (
        "text/html; charset=gbk",
        "<html><head><title>关于访惠聚的通知</title></head><body><p>发布日期：2016-11-22</p>"
        "<p>访惠聚工作队入户走访，宣讲政策，镕字为生僻字测试。</p></body></html>".encode("gbk"),
    ),
}


@pytest.fixture
def local_server() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            content_type, body = PAGES.get(self.path, ("text/plain", b"missing"))
            self.send_response(200 if self.path in PAGES else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_url_capture_keeps_a_warc_and_makes_the_page_searchable(
    archive: Path, local_server: str
) -> None:
    urls = [local_server + "/utf8.html", local_server + "/gbk.html"]
    code, output = _run("add", str(archive), *urls, "--allow-private", "--json")
    assert code == 0, output
    report = json.loads(output)
    assert len(report["added"]) == 2 and report["failed"] == []
    for word, title in (("结亲周试点", "结亲周活动"), ("镕字为生僻字", "关于访惠聚的通知")):
        code, output = _run("search", str(archive), word, "--json")
        found = json.loads(output)
        assert found["total"] == 1 and found["hits"][0]["title"] == title, output
    with open_archive(archive) as opened:
        captures = [
            e for e in opened.log.entries() if e.kind == "file_captured" and "http" in e.data
        ]
        assert {e.data["original"] for e in captures} == set(urls)
        for entry in captures:
            assert entry.data["http"]["status"] == 200 and entry.data["how"] == "URL capture"
            with opened.ocfl.open(entry.data["object_id"], entry.data["path"]) as warc:
                records = [r.rec_type for r in ArchiveIterator(warc)]
            assert "response" in records and "request" in records
    code, output = _run("verify", str(archive))
    assert code == 0, output

    wacz = archive.parent / "captures.wacz"
    code, output = _run("export", str(archive), str(wacz), "--format", "wacz")
    # A web page's WARC also holds what was not read for personal data: the public export
    # holds none until an editor has checked it.
    assert code == 1 and "--full" in output
    code, output = _run("export", str(archive), str(wacz), "--format", "wacz", "--full")
    assert code == 0, output
    with zipfile.ZipFile(wacz) as bundle:
        package = json.loads(bundle.read("datapackage.json"))
        for resource in package["resources"]:
            data = bundle.read(resource["path"])
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
            assert resource["bytes"] == len(data)
        lines = bundle.read("indexes/index.cdxj").decode().splitlines()
        assert {json.loads(line.split(" ", 2)[2])["url"] for line in lines} == set(urls)
        for line in lines:
            block = json.loads(line.split(" ", 2)[2])
            warc = bundle.read(f"archive/{block['filename']}")
            record = next(ArchiveIterator(io.BytesIO(warc[block["offset"] :])))
            assert record.rec_type == "response"
            assert record.rec_headers.get_header("WARC-Target-URI") == block["url"]
        pages = bundle.read("pages/pages.jsonl").decode().splitlines()
        assert json.loads(pages[0])["format"] == "json-pages-1.0" and len(pages) == 3


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://2130706433/",
        "file:///etc/passwd",
    ],
)
def test_url_capture_refuses_unsafe_addresses(archive: Path, url: str) -> None:
    code, output = _run("add", str(archive), url, "--json")
    assert code == 1
    (failure,) = json.loads(output)["failed"]
    assert failure["path"] == url and "refused" in failure["reason"]


FAULT_CHILD = """
import os, sys
from pathlib import Path
from shiliao.archive import open_archive
from shiliao.config import load_settings
from shiliao.operations.add import add_targets

label = sys.argv[3]
def fault(seen):
    if seen == label:
        os._exit(1)
labels = []
record = (lambda seen: labels.append(seen)) if label == "-" else fault
with open_archive(Path(sys.argv[1]), fault=record) as archive:
    add_targets(archive, [sys.argv[2]], load_settings())
if label == "-":
    print("\\n".join(dict.fromkeys(labels)))
"""


@pytest.mark.slow
def test_a_capture_killed_at_any_write_leaves_before_or_after(
    archive: Path, tmp_path: Path
) -> None:
    page = tmp_path / "notice.html"
    page.write_text(
        "<html><head><title>结亲周</title></head><body><p>第一次入户走访记录。</p></body></html>",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    scratch = tmp_path / "scratch"
    shutil.copytree(archive, scratch)
    listed = subprocess.run(
        [sys.executable, "-c", FAULT_CHILD, str(scratch), str(page), "-"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    # The OCFL commit's steps; the archive's own are killed in tests/test_crash_safety.py.
    labels = [
        line for line in listed.stdout.splitlines() if line and not line.startswith(ARCHIVE_STEPS)
    ]
    assert len(labels) >= 10, labels
    for number, label in enumerate(labels):
        copy = tmp_path / f"kill-{number}"
        shutil.copytree(archive, copy)
        killed = subprocess.run(
            [sys.executable, "-c", FAULT_CHILD, str(copy), str(page), label], env=env, check=False
        )
        assert killed.returncode == 1, label
        code, output = _run("verify", str(copy))
        assert code == 0, (label, output)
        code, output = _run("add", str(copy), str(page), "--json")
        assert code == 0 and json.loads(output)["added"], (label, output)
        code, output = _run("search", str(copy), "第一次入户走访", "--json")
        assert json.loads(output)["total"] == 1, label
        code, output = _run("verify", str(copy))
        assert code == 0, (label, output)
        shutil.rmtree(copy)


def test_bagit_export_validates_and_detects_a_changed_byte(archive: Path, tmp_path: Path) -> None:
    import bagit

    out = tmp_path / "bag"
    code, output = _run("export", str(archive), str(out), "--format", "bagit", "--full")
    assert code == 0, output
    assert bagit.Bag(str(out)).is_valid()
    assert (out / "data" / "log" / "entries.jsonl").is_file()
    assert not list(out.rglob("key.private"))
    events = (out / "data" / "metadata" / "provenance.jsonl").read_text().splitlines()
    assert any(json.loads(line)["kind"] == "file_captured" for line in events)
    validator = shutil.which("bagit.py")
    assert validator, "bagit-python's command-line validator is missing"
    assert subprocess.run([validator, "--validate", str(out)], capture_output=True).returncode == 0
    target = next(p for p in (out / "data" / "objects").rglob("notices.jsonl") if p.is_file())
    target.chmod(0o644)
    _flip(target)
    assert not bagit.Bag(str(out)).is_valid()
    assert subprocess.run([validator, "--validate", str(out)], capture_output=True).returncode != 0


@pytest.mark.slow
def test_rebuild_gives_the_same_search_results(built_sample: dict, tmp_path: Path) -> None:
    copy = tmp_path / "archive"
    shutil.copytree(built_sample["archive"], copy)
    words = [
        "民族团结",
        "干部",
        "新疆",
        "亲戚",
        "结对",
        "精准扶贫",
        "两个维护",
        "中华民族共同体意识",
    ]

    def results() -> dict[str, list]:
        found = {}
        for word in words:
            code, output = _run("search", str(copy), word, "--json", "--limit", "0")
            assert code == 0, output
            hits = json.loads(output)["hits"]
            found[word] = sorted((h["source_id"], h["paragraph"], h["text"]) for h in hits)
        return found

    before = results()
    shutil.rmtree(copy / "index")
    for name in ("shiliao.db", "shiliao.db-wal", "shiliao.db-shm"):
        (copy / name).unlink(missing_ok=True)
    code, output = _run("rebuild", str(copy))
    assert code == 0, output
    assert results() == before
    code, output = _run("verify", str(copy))
    assert code == 0, output
