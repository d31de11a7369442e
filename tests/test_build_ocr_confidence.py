"""`shiliao build` keeps each OCR passage's confidence (its weakest line's) in the archive and
shows it beside the OCR mark on the source's page; text not read by OCR has none."""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner

from shiliao.cli import main
from shiliao.store import Catalog
from tests.extract.conftest import real_fixture

CONSTITUTION = "pdf/prc-constitution-2018-text-layer.pdf"


def _scanned_paragraphs() -> bytes:
    """A PNG of a few paragraphs of the Constitution (articles 34-35, in its own font): page 11
    rendered at 200 dpi, as a scanner makes it, cropped to a strip as the OCR tests crop it."""
    document = pdfium.PdfDocument(real_fixture(CONSTITUTION).read_bytes())
    page = document[10].render(scale=200 / 72, grayscale=True).to_pil()
    out = io.BytesIO()
    page.crop((0, 150, 1654, 700)).save(out, format="PNG")
    document.close()
    return out.getvalue()


@pytest.mark.slow
def test_ocr_passages_keep_their_confidence_and_the_site_shows_it(tmp_path: Path) -> None:
    sources = tmp_path / "c" / "sources"
    sources.mkdir(parents=True)
    (sources / "scan.png").write_bytes(_scanned_paragraphs())
    (sources / "notice.txt").write_text("关于开展结亲活动的通知\n各单位：\n", encoding="utf-8")
    archive, site = tmp_path / "a", tmp_path / "s"
    result = CliRunner().invoke(
        main, ["build", str(tmp_path / "c"), "--archive", str(archive), "--out", str(site)]
    )
    assert result.exit_code == 0, result.output

    with Catalog(archive / "shiliao.db") as catalog:
        scan, notice = catalog.passages("scan"), catalog.passages("notice")
    assert len(scan) >= 2 and {p.method for p in scan} == {"ocr"}
    assert any("中华人民共和国" in p.text for p in scan)
    assert all(p.confidence is not None and 0 < p.confidence <= 1 for p in scan)
    assert [(p.method, p.confidence) for p in notice] == [("text", None), ("text", None)]

    page = (site / "sources" / "scan" / "index.html").read_text(encoding="utf-8")
    shown = re.findall(r'class="ocr-mark"[^>]*>OCR · confidence (\d\.\d\d)</span>', page)
    # Rounded down to two places: the page never claims more than the engine gave.
    assert shown == [f"{math.floor(p.confidence * 100) / 100:.2f}" for p in scan]
    notice_page = (site / "sources" / "notice" / "index.html").read_text(encoding="utf-8")
    assert "confidence" not in notice_page and "ocr-mark" not in notice_page
    # `show --json` prints only the number of passages, so there is no confidence to show.
    shown_json = json.loads(
        CliRunner().invoke(main, ["show", str(archive), "scan", "--json"]).stdout
    )
    assert shown_json["passages"] == len(scan)
