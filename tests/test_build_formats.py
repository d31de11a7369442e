"""`shiliao build` on real files of many kinds: text-layer PDF, web pages, a photographed sign, an
encrypted PDF, a broken file, a duplicate, a photo with a GPS position (the ingest issue, as the
build wires it)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from reportlab.pdfgen import canvas

from shiliao.cli import main
from shiliao.store import Catalog, file_object_id
from tests.conftest import FIXTURES, build_json
from tests.extract.craft import jpeg_with_exif


def _collection(root: Path) -> Path:
    sources = root / "sources"
    sources.mkdir(parents=True)
    for path in [
        FIXTURES / "pdf" / "prc-constitution-2018-text-layer.pdf",
        *sorted((FIXTURES / "html").glob("*.html")),
        FIXTURES / "image" / "easyocr-street-sign-yuyuan-rd.jpg",
    ]:
        shutil.copyfile(path, sources / path.name)
    shutil.copyfile(sources / "zj-fzggw-info-release.html", sources / "zj-copy.html")
    (sources / "broken.pdf").write_bytes(b"%PDF-1.7\nnot really a PDF\n")
    locked = canvas.Canvas(str(sources / "locked.pdf"), encrypt="secret")
    locked.drawString(72, 720, "internal notice")
    locked.save()
    (sources / "photo.jpg").write_bytes(jpeg_with_exif("2018:05:17 10:30:00", 39.47, 75.99))
    return root


def _passages(archive: Path, source_id: str) -> list[tuple]:
    from shiliao.store import Catalog

    with Catalog(archive / "shiliao.db") as catalog:
        return [(p.page, p.paragraph, p.text, p.method) for p in catalog.passages(source_id)]


@pytest.mark.slow
def test_a_mixed_batch_keeps_every_file_and_reports_each_problem(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c")
    serial = build_json(collection, tmp_path / "serial")
    # The copy of a web page is reported, kept once, and no source of its own; both names stay.
    assert serial["sources"] == 8 and serial["files"] == 8
    failed = {f["path"]: f["reason"] for f in serial["failed"]}
    assert set(failed) == {"sources/broken.pdf", "sources/locked.pdf"}
    assert [d["path"] for d in serial["duplicates"]] == ["sources/zj-fzggw-info-release.html"]
    assert serial["duplicates"][0]["same_as"] == "sources/zj-copy.html"
    assert any("encrypted no text" in w for w in serial["warnings"])

    archive = tmp_path / "serial" / "a"
    copy = json.loads(CliRunner().invoke(main, ["show", str(archive), "zj-copy", "--json"]).stdout)
    assert copy["metadata"]["also_named"] == ["sources/zj-fzggw-info-release.html"]
    assert CliRunner().invoke(main, ["show", str(archive), "zj-fzggw-info-release"]).exit_code != 0
    with Catalog(archive / "shiliao.db") as catalog:
        stored = catalog.file_versions(serial["duplicates"][0]["sha256"])
        received = [e for e in catalog.events() if e["kind"] == "duplicate_received"]
    assert [row["object_id"] for row in stored] == [file_object_id("sources/zj-copy.html")]
    assert [e["data"]["path"] for e in received] == ["sources/zj-fzggw-info-release.html"]
    assert CliRunner().invoke(main, ["verify", str(archive)]).exit_code == 0
    show = CliRunner().invoke(main, ["show", str(archive), "locked", "--json"])
    assert json.loads(show.stdout)["status"] == "encrypted_no_text"
    photo = json.loads(CliRunner().invoke(main, ["show", str(archive), "photo", "--json"]).stdout)
    assert photo["date"] == "2018-05-17"
    assert "39.47" not in json.dumps(photo) and "gps" not in json.dumps(photo).lower()
    site = tmp_path / "serial" / "s"
    assert "39.47" not in (site / "sources" / "photo" / "index.html").read_text()

    sign = _passages(archive, "easyocr-street-sign-yuyuan-rd")
    assert any("愚园路" in text for _, _, text, _ in sign)
    assert {method for *_, method in sign} == {"ocr"}
    page = (site / "sources" / "easyocr-street-sign-yuyuan-rd" / "index.html").read_text()
    assert "ocr-mark" in page
    code = CliRunner().invoke(main, ["search", str(archive), "愚园路", "--json"])
    assert json.loads(code.stdout)["total"] >= 1
    constitution = _passages(archive, "prc-constitution-2018-text-layer")
    assert any("中华人民共和国是工人阶级领导的" in text for _, _, text, _ in constitution)

    parallel = build_json(collection, tmp_path / "parallel", "--workers", "2")
    assert parallel["sources"] == serial["sources"]
    for source_id in ("prc-constitution-2018-text-layer", "easyocr-street-sign-yuyuan-rd"):
        assert _passages(tmp_path / "parallel" / "a", source_id) == _passages(archive, source_id)
