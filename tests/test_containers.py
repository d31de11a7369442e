"""Container files in a collection: each page of a web archive and each file of a ZIP or TAR is
a source of its own; the container is the original kept; skipped members and broken containers
are reported; rebuilding opens nothing that did not change."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.warcwriter import WARCWriter

from shiliao import containers
from shiliao.cli import main
from shiliao.store import Catalog, file_object_id
from tests.conftest import FIXTURES, build_json
from tests.extract.craft import tar_of, zip_of
from tests.extract.test_warc import NOTICE, response

SECOND = (
    "<html><head><title>驻村工作队工作简报</title></head><body><h1>驻村工作队工作简报</h1>"
    "<p>工作队入户走访，宣讲惠民政策，记录群众反映的困难和问题。</p>"
    "<p>发布日期：2018年06月01日</p></body></html>"
)


def _warc() -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    response(
        writer,
        "http://www.example.gov.cn/notice.html",
        NOTICE.encode("gb18030"),
        "text/html; charset=gbk",
    )
    response(
        writer,
        "http://www.example.gov.cn/brief.html",
        SECOND.encode("utf-8"),
        "text/html; charset=utf-8",
        date="2019-04-01T08:00:00Z",
    )
    response(
        writer, "http://www.example.gov.cn/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png"
    )
    return out.getvalue()


def _collection(root: Path) -> Path:
    sources = root / "sources"
    sources.mkdir(parents=True)
    (sources / "crawl.warc.gz").write_bytes(_warc())
    (sources / "crawl.warc.gz.yaml").write_text(
        "title: 县政府网站抓取\ncollections: [county-sites]\n", encoding="utf-8"
    )
    inner = zip_of([("inner/说明.txt", "工作队名单另行公布。".encode())])
    (sources / "scans.zip").write_bytes(
        zip_of(
            [
                ("通知/关于结对认亲的通知.txt", "各单位：现将结对认亲活动安排通知如下。".encode()),
                ("page.html", SECOND.encode("utf-8")),
                ("../escape.txt", b"outside"),
                ("nested.zip", inner),
                ("link-to-passwd", b"/etc/passwd"),
            ],
            symlinks=("link-to-passwd",),
        )
    )
    link = tarfile.TarInfo("shortcut")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/shadow"
    (sources / "photos.tar").write_bytes(
        tar_of(
            [
                (
                    "sign.jpg",
                    (FIXTURES / "image" / "easyocr-street-sign-yuyuan-rd.jpg").read_bytes(),
                ),
                link,
            ]
        )
    )
    (sources / "broken.zip").write_bytes(b"PK\x03\x04" + bytes(40))
    return root


def _show(archive: Path, source_id: str) -> dict:
    result = CliRunner().invoke(main, ["show", str(archive), source_id, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_containers_open_into_member_sources(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c")
    first = build_json(collection, tmp_path)
    archive = tmp_path / "a"
    with Catalog(archive / "shiliao.db") as catalog:
        sources = {s.id: s for s in catalog.sources()}
    members = {
        (s.path, s.metadata.get("member")): s for s in sources.values() if "member" in s.metadata
    }

    # The web archive: its two HTML pages, each with URL, capture time and the page's own date.
    notice = members[("sources/crawl.warc.gz", "http://www.example.gov.cn/notice.html")]
    brief = members[("sources/crawl.warc.gz", "http://www.example.gov.cn/brief.html")]
    assert not any(m[1].endswith("logo.png") for m in members)
    assert notice.title == "关于开展结对认亲活动的通知" and notice.date == "2017-03-05"
    assert notice.metadata["url"] == "http://www.example.gov.cn/notice.html"
    assert notice.metadata["captured"] == "2019-03-05T09:30:00Z"
    assert brief.metadata["captured"] == "2019-04-01T08:00:00Z" and brief.date == "2018-06-01"
    # The container's sidecar describes every page, but its title is the container's alone.
    assert notice.metadata["collections"] == ["county-sites"] and notice.title != "县政府网站抓取"
    assert notice.type == "webpage"

    # The ZIP: each file (the nested ZIP's too), never the escaping name or the link.
    zip_members = sorted(m for p, m in members if p == "sources/scans.zip")
    assert zip_members == ["nested.zip/inner/说明.txt", "page.html", "通知/关于结对认亲的通知.txt"]
    skipped = {(row["path"], row["member"]): row["reason"] for row in first["skipped"]}
    assert ("sources/scans.zip", "../escape.txt") in skipped
    assert skipped[("sources/scans.zip", "link-to-passwd")] == "symbolic link"
    assert skipped[("sources/photos.tar", "shortcut")] == "symbolic link"
    assert any("escape.txt" in w and "skipped" in w for w in first["warnings"])
    # A member without a title is named by its file's name, not the container's.
    assert any(s.title == "关于结对认亲的通知.txt" for s in sources.values())

    # The TAR's photo is read by OCR like any image.
    (sign,) = [s for (p, _), s in members.items() if p == "sources/photos.tar"]
    search = CliRunner().invoke(main, ["search", str(archive), "愚园路", "--json"])
    assert sign.id in {hit["source_id"] for hit in json.loads(search.stdout)["hits"]}

    # A damaged ZIP stays one source, failed, with the reason.
    failed = {f["path"]: f["reason"] for f in first["failed"]}
    assert set(failed) == {"sources/broken.zip"} and "ZIP" in failed["sources/broken.zip"]

    # Searching finds each page and member as its own source.
    hits = json.loads(
        CliRunner().invoke(main, ["search", str(archive), "工作队", "--json"]).stdout
    )["hits"]
    found = {hit["source_id"] for hit in hits}
    assert {brief.id, notice.id} <= found and len(found) >= 4

    # The container is the original kept: one object, and every member points at it.
    assert (
        _show(archive, notice.id)["files"][0]["sha256"]
        == _show(archive, brief.id)["files"][0]["sha256"]
    )
    with Catalog(archive / "shiliao.db") as catalog:
        objects = {row["object_id"] for row in catalog.file_versions()}
    assert file_object_id("sources/scans.zip") in objects
    assert not any("escape" in o or "passwd" in o for o in objects)
    assert CliRunner().invoke(main, ["verify", str(archive)]).exit_code == 0

    # Nothing changed: nothing is opened or processed again, and the ids are the same.
    again = build_json(collection, tmp_path)
    assert again["processed"] == 0 and again["sources"] == first["sources"]
    assert again["skipped"] == first["skipped"]

    # A new file in the ZIP: only it is processed; the others keep their ids and passages.
    scans = collection / "sources" / "scans.zip"
    scans.write_bytes(
        zip_of(
            [
                ("通知/关于结对认亲的通知.txt", "各单位：现将结对认亲活动安排通知如下。".encode()),
                ("page.html", SECOND.encode("utf-8")),
                ("新增.txt", "新增一份工作队简报。".encode()),
            ]
        )
    )
    third = build_json(collection, tmp_path)
    assert third["processed"] == 1
    with Catalog(archive / "shiliao.db") as catalog:
        now = {s.id for s in catalog.sources()}
    # The nested ZIP's member left with the nested ZIP.
    gone = {members[("sources/scans.zip", "nested.zip/inner/说明.txt")].id}
    assert set(sources) - now == gone and len(now - set(sources)) == 1


def test_rebuild_restores_container_members_and_duplicates(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c")
    shutil.copyfile(collection / "sources" / "scans.zip", collection / "sources" / "scans-copy.zip")
    # A file of the collection whose bytes are those of a file inside a ZIP.
    (collection / "sources" / "page-again.html").write_bytes(SECOND.encode("utf-8"))
    first = build_json(collection, tmp_path)
    assert [(d["path"], d["same_as"]) for d in first["duplicates"]] == [
        ("sources/scans.zip", "sources/scans-copy.zip"),
        ("sources/scans-copy.zip/page.html", "sources/page-again.html"),
    ]
    with Catalog(tmp_path / "a" / "shiliao.db") as catalog:
        again = [s for s in catalog.sources() if s.path == "sources/page-again.html"]
    assert [s.metadata["also_named"] for s in again] == [["sources/scans-copy.zip/page.html"]]
    archive = tmp_path / "a"
    with Catalog(archive / "shiliao.db") as catalog:
        before = sorted((s.id, s.title, s.path) for s in catalog.sources())
    result = CliRunner().invoke(main, ["rebuild", str(archive)])
    assert result.exit_code == 0, result.output
    with Catalog(archive / "shiliao.db") as catalog:
        after = sorted((s.id, s.title, s.path) for s in catalog.sources())
        names = set(catalog.collection_files())
    assert after == before
    assert {"sources/scans.zip", "sources/scans-copy.zip"} <= names


def test_add_opens_a_zip_in_parallel_and_rebuild_keeps_its_members(tmp_path: Path) -> None:
    collection = tmp_path / "c"
    (collection / "sources").mkdir(parents=True)
    (collection / "sources" / "note.txt").write_text("驻村工作队简报。", encoding="utf-8")
    build_json(collection, tmp_path)
    archive = tmp_path / "a"
    scans = tmp_path / "scans.zip"
    scans.write_bytes(
        zip_of(
            [
                ("一.txt", "第一份通知：开展结对认亲。".encode()),
                ("二.html", SECOND.encode("utf-8")),
                ("link", b"/etc/passwd"),
            ],
            symlinks=("link",),
        )
    )
    run = CliRunner().invoke(main, ["add", str(archive), str(scans), "--workers", "2", "--json"])
    assert run.exit_code == 0, run.output
    added = json.loads(run.stdout)
    assert len(added["added"]) == 2 and added["failed"] == []
    assert added["skipped"] == [
        {"path": "added/scans.zip", "member": "link", "reason": "symbolic link"}
    ]
    titles = {_show(archive, i)["title"] for i in added["added"]}
    assert titles == {"一.txt", "驻村工作队工作简报"}

    again = json.loads(CliRunner().invoke(main, ["add", str(archive), str(scans), "--json"]).stdout)
    assert again["added"] == [] and sorted(again["unchanged"]) == sorted(added["added"])

    with Catalog(archive / "shiliao.db") as catalog:
        before = sorted(
            (s.id, s.title, s.path, s.metadata.get("member")) for s in catalog.sources()
        )
    assert CliRunner().invoke(main, ["rebuild", str(archive)]).exit_code == 0
    with Catalog(archive / "shiliao.db") as catalog:
        after = sorted((s.id, s.title, s.path, s.metadata.get("member")) for s in catalog.sources())
    assert after == before and len(after) == 3
    search = CliRunner().invoke(main, ["search", str(archive), "结对认亲", "--json"])
    assert {h["source_id"] for h in json.loads(search.stdout)["hits"]} & set(added["added"])


def test_a_zip_bomb_in_a_collection_stays_one_failed_source(tmp_path: Path) -> None:
    collection = tmp_path / "c"
    (collection / "sources").mkdir(parents=True)
    (collection / "shiliao.toml").write_text(
        "[extract]\nmax_unpacked_bytes = 50000000\n", encoding="utf-8"
    )
    bomb = zip_of([(f"part{i}.txt", bytes(20 * 1024**2)) for i in range(6)])
    assert len(bomb) < 1024**2
    (collection / "sources" / "bomb.zip").write_bytes(bomb)
    (collection / "sources" / "note.txt").write_text("工作队简报。", encoding="utf-8")
    report = build_json(collection, tmp_path)
    assert report["sources"] == 2
    (failure,) = report["failed"]
    assert failure["path"] == "sources/bomb.zip" and "more than 50000000 bytes" in failure["reason"]
    archive = tmp_path / "a"
    assert not (archive / ".staging" / "containers").exists()
    assert CliRunner().invoke(main, ["verify", str(archive)]).exit_code == 0
    assert build_json(collection, tmp_path)["processed"] == 0


def _cut_warc() -> bytes:
    """A plain WARC of three pages, cut off in the middle of the third."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    for number in range(3):
        page = f"<html><head><title>第{number}页</title></head><body><p>{'工作队' * 50}</p></body></html>"
        response(writer, f"http://www.example.gov.cn/{number}.html", page.encode(), "text/html")
    data = out.getvalue()
    return data[: data.rindex(b"WARC/1.") + 300]


def test_web_archives_inside_zips_same_names_in_two_folders_and_cut_archives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    collection = tmp_path / "c"
    sources = collection / "sources"
    (sources / "a").mkdir(parents=True)
    (sources / "b").mkdir()
    (sources / "a" / "scans.zip").write_bytes(zip_of([("page1.txt", "甲县通知。".encode())]))
    (sources / "b" / "scans.zip").write_bytes(zip_of([("page1.txt", "乙县通知。".encode())]))
    (sources / "bundle.zip").write_bytes(
        zip_of([("crawl.warc.gz", _warc()), ("same-a.txt", b"same"), ("same-b.txt", b"same")])
    )
    (sources / "bundle-copy.zip").write_bytes((sources / "bundle.zip").read_bytes())
    (sources / "cut.warc").write_bytes(_cut_warc())
    (sources / "x.zip").write_bytes(zip_of([("x.txt", b"x")]))
    (sources / "x.txt").write_text("另一个同名文件。", encoding="utf-8")
    (sources / "x.txt.yaml").write_text("id: x-text\n", encoding="utf-8")
    (sources / "empty.zip").write_bytes(zip_of([]))

    opened = []
    real = containers.unpack_in_worker
    monkeypatch.setattr(
        containers, "unpack_in_worker", lambda *a, **k: opened.append(a[0]) or real(*a, **k)
    )
    first = build_json(collection, tmp_path)
    with Catalog(tmp_path / "a" / "shiliao.db") as catalog:
        rows = {
            (s.path, s.metadata.get("member"), s.metadata.get("url")): s for s in catalog.sources()
        }

    # Same name in two ZIPs of two folders: two sources, each with its own text.
    a = rows[("sources/a/scans.zip", "page1.txt", None)]
    b = rows[("sources/b/scans.zip", "page1.txt", None)]
    assert a.id != b.id
    # A WARC inside a ZIP gives each of its pages; the copy of the ZIP is named on them.
    pages = [s for (p, m, u), s in rows.items() if p == "sources/bundle-copy.zip" and u]
    assert sorted(s.title for s in pages) == ["关于开展结对认亲活动的通知", "驻村工作队工作简报"]
    assert all(s.metadata["also_named"] == ["sources/bundle.zip/crawl.warc.gz"] for s in pages)
    # Two equal files inside one ZIP: one source, the other reported.
    assert ("sources/bundle-copy.zip/same-b.txt", "sources/bundle-copy.zip/same-a.txt") in {
        (d["path"], d["same_as"]) for d in first["duplicates"]
    }
    # A cut-off web archive: its whole pages are sources, and the cut is reported.
    assert sorted(s.title for (p, _, _), s in rows.items() if p == "sources/cut.warc") == [
        "第0页",
        "第1页",
    ]
    assert any(
        w.startswith("sources/cut.warc: the web archive is cut off") for w in first["warnings"]
    )
    # An empty ZIP stays one source, with nothing to read, and says so.
    assert rows[("sources/empty.zip", None, None)].status == "extracted"
    assert "sources/empty.zip: holds no file that could be taken out" in first["warnings"]
    # A sidecar's id separates sources whose names differ only in their extension.
    assert rows[("sources/x.txt", None, None)].id == "x-text"

    opened.clear()
    again = build_json(collection, tmp_path)
    assert again["processed"] == 0 and opened == []
    assert any("cut off" in w for w in again["warnings"])


def test_adding_a_changed_zip_removes_what_left_it_and_rebuild_keeps_the_new_bytes(
    tmp_path: Path,
) -> None:
    collection = tmp_path / "c"
    (collection / "sources").mkdir(parents=True)
    (collection / "sources" / "note.txt").write_text("简报。", encoding="utf-8")
    build_json(collection, tmp_path)
    archive = tmp_path / "a"
    x = tmp_path / "x.zip"
    x.write_bytes(zip_of([("a.txt", "旧的甲".encode()), ("b.txt", "乙".encode())]))
    first = json.loads(CliRunner().invoke(main, ["add", str(archive), str(x), "--json"]).stdout)
    x.write_bytes(zip_of([("a.txt", "新的甲".encode())]))
    second = json.loads(CliRunner().invoke(main, ["add", str(archive), str(x), "--json"]).stdout)
    assert len(second["removed"]) == 1 and second["removed"][0] in first["added"]
    assert second["added"] == [i for i in first["added"] if i not in second["removed"]]

    def texts() -> list[tuple[str, str]]:
        with Catalog(archive / "shiliao.db") as catalog:
            return sorted(
                (s.id, " ".join(p.text for p in catalog.passages(s.id)))
                for s in catalog.sources()
                if s.path == "added/x.zip"
            )

    before = texts()
    assert [text for _, text in before] == ["新的甲"]
    assert CliRunner().invoke(main, ["rebuild", str(archive)]).exit_code == 0
    assert texts() == before


def test_a_member_that_becomes_a_source_again_is_extracted(tmp_path: Path) -> None:
    collection = tmp_path / "c"
    sources = collection / "sources"
    sources.mkdir(parents=True)
    (sources / "a-letter.txt").write_text("结对认亲的来信。", encoding="utf-8")
    (sources / "b.zip").write_bytes(
        zip_of([("letter.txt", "结对认亲的来信。".encode()), ("z.txt", "另一封信。".encode())])
    )
    (sources / "c.zip").write_bytes(zip_of([("c.txt", "第三封信。".encode())]))
    first = build_json(collection, tmp_path)
    assert [(d["path"], d["same_as"]) for d in first["duplicates"]] == [
        ("sources/b.zip/letter.txt", "sources/a-letter.txt")
    ]
    # The plain file goes: the member it hid comes back, read from the unchanged ZIP.
    (sources / "a-letter.txt").unlink()
    # A container moved out and back: its members are stored again from an unchanged state.
    (sources / "c.zip").rename(tmp_path / "c.zip")
    build_json(collection, tmp_path)
    (tmp_path / "c.zip").rename(sources / "c.zip")
    back = build_json(collection, tmp_path)
    assert back["failed"] == []
    with Catalog(tmp_path / "a" / "shiliao.db") as catalog:
        texts = {
            s.metadata.get("member"): [p.text for p in catalog.passages(s.id)]
            for s in catalog.sources()
        }
        statuses = {s.status for s in catalog.sources()}
    assert texts["letter.txt"] == ["结对认亲的来信。"] and texts["c.txt"] == ["第三封信。"]
    assert statuses == {"extracted"}
    search = CliRunner().invoke(main, ["search", str(tmp_path / "a"), "来信", "--json"])
    (hit,) = json.loads(search.stdout)["hits"]
    assert _show(tmp_path / "a", hit["source_id"])["metadata"]["member"] == "letter.txt"


def test_control_characters_in_names_never_reach_the_terminal(tmp_path: Path) -> None:
    collection = tmp_path / "c"
    (collection / "sources").mkdir(parents=True)
    hostile = "evil\x1b[31mRED\x1b]0;pwned\x07\nline.txt"
    (collection / "sources" / "h.zip").write_bytes(zip_of([(hostile, b"")]))
    result = CliRunner().invoke(
        main,
        ["build", str(collection), "--archive", str(tmp_path / "a"), "--out", str(tmp_path / "s")],
    )
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "evil␛[31mRED␛]0;pwned␇␊line.txt" in result.output
    with Catalog(tmp_path / "a" / "shiliao.db") as catalog:
        (source,) = catalog.sources()
    assert source.title == "evil␛[31mRED␛]0;pwned␇␊line.txt"


def test_add_warns_when_two_files_share_a_name(tmp_path: Path) -> None:
    collection = tmp_path / "c"
    (collection / "sources").mkdir(parents=True)
    (collection / "sources" / "note.txt").write_text("简报。", encoding="utf-8")
    build_json(collection, tmp_path)
    for folder, text in (("p", "甲"), ("q", "乙")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "y.txt").write_text(text, encoding="utf-8")
    run = CliRunner().invoke(
        main,
        [
            "add",
            str(tmp_path / "a"),
            str(tmp_path / "p/y.txt"),
            str(tmp_path / "q/y.txt"),
            "--json",
        ],
    )
    report = json.loads(run.stdout)
    assert len(report["added"]) == 1
    assert any("p/y.txt: another file of the same name" in w for w in report["warnings"])
