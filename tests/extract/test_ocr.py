"""OCR: scanned PDF pages and images, Chinese by RapidOCR, Uyghur by Tesseract, run through the
worker as in production. Slow: each page takes seconds on two cores."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from shiliao.extract import extract_file, split_passages
from shiliao.extract.pdf import extract_pdf

from .conftest import real_fixture
from .craft import (
    character_accuracy,
    page_text_layer,
    render_rtl_page,
    scanned_pdf,
    uyghur_sentences,
)

pytestmark = pytest.mark.slow

CONSTITUTION = "pdf/prc-constitution-2018-text-layer.pdf"
OCR_TIMEOUT_S = 300


def test_scanned_pages_of_a_pdf_are_read_at_098_and_marked_ocr(tmp_path: Path) -> None:
    source = real_fixture(CONSTITUTION).read_bytes()
    # Page 1 keeps its text layer; pages 2 and 11 become 200-dpi scans of themselves.
    path = tmp_path / "partly-scanned.pdf"
    path.write_bytes(scanned_pdf(source, [(0, False), (1, True), (10, True)]))

    extraction = extract_file(path, timeout_s=OCR_TIMEOUT_S)

    assert extraction.method == "pdf-text-layer"
    assert [page.method for page in extraction.pages] == [None, "ocr", "ocr"]
    assert extraction.metadata["pages_without_text"] == [2, 3]
    assert extraction.metadata["ocr_pages"] == [2, 3]
    for page, index in zip(extraction.pages[1:], (1, 10), strict=True):
        accuracy = character_accuracy(page_text_layer(source, index), page.text)
        assert accuracy >= 0.98, f"page {page.number}: {accuracy:.4f}"
        assert page.language == "zh-Hans"
    lines = extraction.metadata["ocr_lines"]
    assert {line["page"] for line in lines} == {2, 3}
    assert all(0.5 <= line["confidence"] <= 1 and line["engine"] == "rapidocr" for line in lines)
    assert all(len(line["box"]) == 4 for line in lines)

    passages = split_passages("constitution-scan", extraction.pages, extraction.method)
    assert {passage.method for passage in passages if passage.page == 1} == {"pdf-text-layer"}
    assert {passage.method for passage in passages if passage.page > 1} == {"ocr"}
    # Printed lines were joined into the same paragraphs as the text layer's (OCR reads the
    # space after "第三十四条" as none).
    layer = [spaceless(text) for text in extract_pdf(source, "c.pdf").pages[10].text.split("\n")]
    read = {spaceless(passage.text) for passage in passages if passage.page == 3}
    assert sum(paragraph in read for paragraph in layer) >= 0.8 * len(layer)
    assert (
        "第三十四条中华人民共和国年满十八周岁的公民，不分民族、种族、性别、职业、家庭出身、宗教信仰、"
        "教育程度、财产状况、居住期限，都有选举权和被选举权；但是依照法律被剥夺政治权利的人除外。"
    ) in read


def spaceless(text: str) -> str:
    return "".join(text.split())


def test_image_only_pdf_is_an_ocr_document(tmp_path: Path) -> None:
    source = real_fixture(CONSTITUTION).read_bytes()
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned_pdf(source, [(30, True)]))
    extraction = extract_file(path, timeout_s=OCR_TIMEOUT_S)
    assert extraction.method == "ocr"
    assert extraction.pages[0].text == "（新华社北京2018年3月21日电）"


def test_street_sign_photo() -> None:
    extraction = extract_file(
        real_fixture("image/easyocr-street-sign-yuyuan-rd.jpg"), timeout_s=OCR_TIMEOUT_S
    )
    assert extraction.method == "ocr"
    lines = {line["text"]: line for line in extraction.metadata["ocr_lines"]}
    assert {"西", "愚园路", "东", "315", "309", "Yuyuan Rd."} <= set(lines)
    assert lines["愚园路"]["confidence"] > 0.9
    assert extraction.pages[0].text.split("\n")[:2] == ["西", "愚园路"]
    assert extraction.metadata["image_size"] == [640, 339]
    assert "date" not in extraction.metadata and "gps_private" not in extraction.metadata
    assert extraction.language == "mul"


def test_uyghur_sentences_are_read_back_at_090(tmp_path: Path) -> None:
    png, typeset = render_rtl_page(uyghur_sentences(6))
    path = tmp_path / "uyghur.png"
    path.write_bytes(png)

    extraction = extract_file(path, timeout_s=OCR_TIMEOUT_S)

    accuracy = character_accuracy(typeset, extraction.pages[0].text)
    assert accuracy >= 0.9, f"{accuracy:.4f}"
    assert extraction.language == "ug-Arab"
    assert {line["engine"] for line in extraction.metadata["ocr_lines"]} == {"tesseract-uig"}
    passages = split_passages("ug", extraction.pages, extraction.method)
    assert {passage.language for passage in passages} == {"ug-Arab"}


def test_a_bilingual_notice_is_read_by_both_engines(tmp_path: Path) -> None:
    source = real_fixture(CONSTITUTION).read_bytes()
    chinese = Image.open(io.BytesIO(scanned_png(source, 10))).crop((0, 150, 1654, 700))
    uyghur = Image.open(io.BytesIO(render_rtl_page(uyghur_sentences(2))[0]))
    page = Image.new("L", (1654, chinese.height + uyghur.height), 255)
    page.paste(chinese, (0, 0))
    page.paste(uyghur, (0, chinese.height))
    path = tmp_path / "bilingual.png"
    page.save(path)

    extraction = extract_file(path, timeout_s=OCR_TIMEOUT_S)

    engines = [line["engine"] for line in extraction.metadata["ocr_lines"]]
    assert "rapidocr" in engines and "tesseract-uig" in engines
    # Reading order: the Chinese block is above the Uyghur one.
    assert engines.index("tesseract-uig") > max(i for i, e in enumerate(engines) if e == "rapidocr")
    languages = {page.language for page in extraction.pages}
    assert languages == {"mul"}
    passages = split_passages("bilingual", extraction.pages, extraction.method)
    assert {"zh-Hans", "ug-Arab"} <= {passage.language for passage in passages}


def scanned_png(source: bytes, index: int) -> bytes:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(source)
    out = io.BytesIO()
    document[index].render(scale=200 / 72, grayscale=True).to_pil().save(out, format="PNG")
    return out.getvalue()
