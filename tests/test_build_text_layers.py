"""`shiliao build` shows a PDF page whose text layer is glyph codes as OCR read it, keeps the
layer in the archive (never on the site), and `shiliao show` says which reading is shown."""

from __future__ import annotations

import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner

from shiliao.cli import main
from shiliao.extract.plausibility import implausible_reasons
from shiliao.model import TextLayer
from shiliao.store import Catalog
from tests.conftest import build_json
from tests.extract.craft import pdf_without_tounicode

LINES = [
    "中华人民共和国宪法",
    "第一条中华人民共和国是工人阶级领导的、",
    "以工农联盟为基础的人民民主专政的社会主义国家。",
]


@pytest.mark.slow
def test_a_layer_of_glyph_codes_is_set_aside_and_shown_as_such(tmp_path: Path) -> None:
    data = pdf_without_tounicode(LINES)
    layer = pdfium.PdfDocument(data)[0].get_textpage().get_text_range()
    reasons = tuple(implausible_reasons(layer))
    sources = tmp_path / "c" / "sources"
    sources.mkdir(parents=True)
    (sources / "charter.pdf").write_bytes(data)

    build_json(tmp_path / "c", tmp_path)

    archive = tmp_path / "a"
    with Catalog(archive / "shiliao.db") as catalog:
        assert catalog.text_layers("charter") == [
            TextLayer("charter", 1, "pdf-text-layer", layer, reasons)
        ]
        passages = catalog.passages("charter")
    assert [(p.method, p.text) for p in passages] == [("ocr", line) for line in LINES]

    shown = json.loads(CliRunner().invoke(main, ["show", str(archive), "charter", "--json"]).stdout)
    assert shown["set_aside"] == [
        {"page": 1, "method": "pdf-text-layer", "reasons": list(reasons), "text": layer}
    ]
    assert shown["metadata"]["extracted_text_layers"] == [
        {
            "page": 1,
            "doubts": list(reasons),
            "ocr_agreement": 0.0,
            "shown": "ocr",
            "set_aside": "pdf-text-layer",
        }
    ]
    # reportlab's "untitled" is no title: the source is named by its file.
    assert shown["title"] == "charter.pdf"
    assert shown["metadata"]["extracted_placeholder_title"] == "untitled"

    text = CliRunner().invoke(main, ["show", str(archive), "charter"]).stdout
    assert (
        f"set aside      p.1 pdf-text-layer ({len(layer)} characters, not shown: "
        f"{'; '.join(reasons)}); the page is shown as OCR read it"
    ) in text

    # The codes are kept in the archive only: the site shows what OCR read.
    page = (tmp_path / "s" / "sources" / "charter" / "index.html").read_text(encoding="utf-8")
    assert LINES[0] in page
    codes = {char for char in layer if "À" <= char <= "ÿ"}
    assert codes and not codes & set(page)


def test_text_layers_are_replaced_with_their_source_and_go_with_it(tmp_path: Path) -> None:
    from shiliao.model import Source

    source = Source(
        "s1", "t", None, "document", "zh-Hans", {}, "0" * 64, None, "0" * 64, "a.pdf", "extracted"
    )
    with Catalog(tmp_path / "shiliao.db") as catalog:
        with catalog.transaction():
            catalog.record_file("0" * 64, 1, "application/pdf", "a.pdf")
            catalog.save_source(source, "fp", 0, [])
            catalog.replace_text_layers(
                "s1", [TextLayer("s1", 2, "pdf-text-layer", "\x01\x02ÄÅ", ("codes",))]
            )
        assert catalog.text_layers("s1") == [
            TextLayer("s1", 2, "pdf-text-layer", "\x01\x02ÄÅ", ("codes",))
        ]
        with catalog.transaction():
            catalog.replace_text_layers("s1", [])
        assert catalog.text_layers("s1") == []
        with catalog.transaction():
            catalog.replace_text_layers("s1", [TextLayer("s1", 1, "pdf-text-layer", "x")])
            catalog.delete_sources(["s1"])
        assert catalog.text_layers("s1") == []
