"""PDF text layers, page by page, with PDFium."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from shiliao.errors import EncryptedDocument, ExtractError, ExtractionLimit
from shiliao.extract import extract_bytes_inline, split_passages
from shiliao.extract.pdf import extract_pdf

from .conftest import make_pdf, real_fixture

CONSTITUTION = "pdf/prc-constitution-2018-text-layer.pdf"


def test_constitution_gives_31_pages_of_text() -> None:
    extraction = extract_pdf(real_fixture(CONSTITUTION).read_bytes(), "constitution.pdf")
    assert extraction.method == "pdf-text-layer"
    assert [page.number for page in extraction.pages] == list(range(1, 32))
    first = extraction.pages[0].text
    assert first.startswith("中华人民共和国宪法\n")
    assert "第一章 总 纲" in first
    assert "\r" not in first
    assert extraction.pages[1].text.startswith("序言\n中国是世界上历史最悠久的国家之一。")
    assert extraction.pages[30].text == "（新华社北京2018年3月21日电）"
    assert "pages_without_text" not in extraction.metadata


def test_constitution_metadata_keeps_title_and_date_but_not_the_author() -> None:
    data = real_fixture(CONSTITUTION).read_bytes()
    author = pdfium.PdfDocument(data).get_metadata_dict()["Author"]
    assert author  # the file does name someone

    metadata = extract_pdf(data, "constitution.pdf").metadata
    assert metadata == {
        "title": "中华人民共和国宪法",
        "date": "2023-03-18",
        "date_source": "pdf:CreationDate",
    }
    assert not any(author in str(value) for value in metadata.values())


def test_constitution_passages_slice_back_to_their_text() -> None:
    extraction = extract_pdf(real_fixture(CONSTITUTION).read_bytes(), "constitution.pdf")
    passages = split_passages("prc-constitution", extraction.pages, extraction.method)
    pages = {page.number: page.text for page in extraction.pages}
    assert [passage.paragraph for passage in passages] == list(range(1, len(passages) + 1))
    assert {passage.page for passage in passages} == set(range(1, 32))
    for passage in passages:
        assert pages[passage.page][passage.char_start : passage.char_end] == passage.text
        assert passage.text == passage.text.strip() != ""
    assert passages[0].text == "中华人民共和国宪法"
    assert passages[-1].text == "（新华社北京2018年3月21日电）"


def test_generated_chinese_pdf_round_trips() -> None:
    pages = [
        ["民族团结一家亲", "第二行：访惠聚工作队"],
        ["新疆维吾尔自治区人民政府办公厅", "二〇一六年十一月二十二日"],
        [],
    ]
    data = make_pdf(pages, title="结对认亲工作方案")
    extraction = extract_bytes_inline(data, "generated.pdf")
    assert [page.text for page in extraction.pages] == ["\n".join(lines) for lines in pages]
    assert extraction.metadata["title"] == "结对认亲工作方案"
    assert extraction.metadata["pages_without_text"] == [3]


def test_encrypted_pdf_is_refused() -> None:
    data = make_pdf([["绝密文件"]], encrypt="pw")
    with pytest.raises(EncryptedDocument, match="encrypted"):
        extract_pdf(data, "secret.pdf")


def test_page_limit() -> None:
    data = make_pdf([["第一页"], ["第二页"], ["第三页"]])
    with pytest.raises(ExtractionLimit, match="3 pages, more than the limit 2"):
        extract_pdf(data, "long.pdf", max_pages=2)
    assert len(extract_pdf(data, "long.pdf", max_pages=3).pages) == 3


@pytest.mark.parametrize("data", [b"%PDF-1.4\nnot really", b"", b"%PDF-"])
def test_damaged_pdf_is_an_extract_error(data: bytes) -> None:
    with pytest.raises(ExtractError, match="not a readable PDF") as error:
        extract_pdf(data, "damaged.pdf")
    assert type(error.value) is ExtractError


def test_the_text_dates_a_pdf_before_the_day_its_file_was_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # ReportLab's invariant mode writes CreationDate D:20000101000000+00'00'.
    monkeypatch.setattr("reportlab.rl_config.invariant", 1)
    labelled = make_pdf([["关于开展活动的通知", "发布日期：2016年11月22日", "正文。"]])
    signed = make_pdf(
        [["通知", "请认真贯彻执行。"], ["中共某某县委办公室", "二〇一七年三月二十四日"]]
    )
    undated = make_pdf([["通知", "正文内容。"]])

    def dates(data: bytes) -> dict[str, str]:
        return {k: v for k, v in extract_pdf(data, "a.pdf").metadata.items() if "date" in k}

    file_date = {"file_date": "2000-01-01", "file_date_source": "pdf:CreationDate"}
    assert dates(labelled) == {"date": "2016-11-22", "date_source": "label:发布日期", **file_date}
    assert dates(signed) == {"date": "2017-03-24", "date_source": "signature line", **file_date}
    assert dates(undated) == {"date": "2000-01-01", "date_source": "pdf:CreationDate"}
