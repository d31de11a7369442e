"""Word documents: body in order, properties, and XML that tries to reach outside (XXE)."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import docx
import pytest

from shiliao.errors import ExtractError, ExtractionLimit
from shiliao.extract import extract_file
from shiliao.extract.docx import extract_docx

from .craft import docx_with_document_xml, zip_of

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def work_plan() -> bytes:
    document = docx.Document()
    properties = document.core_properties
    properties.title = "“结对认亲”工作方案"
    properties.author = "李明"
    properties.last_modified_by = "王芳"
    properties.created = datetime.datetime(2016, 11, 22, 9, 30)
    document.add_paragraph("为深入开展“民族团结一家亲”活动，制定本方案。")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ("干部", "结对户", "走访次数"), strict=True):
        cell.text = text
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "（待定）"
    table.cell(1, 2).text = "4"
    document.add_paragraph("")
    document.add_paragraph("各单位遵照执行。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_paragraphs_and_tables_in_order_with_title_and_date(tmp_path: Path) -> None:
    path = tmp_path / "plan.docx"
    path.write_bytes(work_plan())
    extraction = extract_file(path)
    assert extraction.method == "docx"
    assert extraction.pages[0].text == (
        "为深入开展“民族团结一家亲”活动，制定本方案。\n干部\t结对户\t走访次数\n（待定）\t4\n各单位遵照执行。"
    )
    assert extraction.metadata == {
        "title": "“结对认亲”工作方案",
        "date": "2016-11-22",
        "date_source": "docx:dcterms:created",
    }
    assert extraction.language == "zh-Hans"


def test_a_signed_document_is_dated_by_its_signature_not_its_template() -> None:
    document = docx.Document()
    # Made from a template of 2009: the package says so, the text does not.
    document.core_properties.created = datetime.datetime(2009, 1, 5, 8, 0)
    for line in (
        "关于开展结对认亲活动的通知",
        "各单位遵照执行。",
        "县人民政府",
        "二〇一七年三月二十四日",
    ):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    metadata = extract_docx(out.getvalue(), "notice.docx").metadata
    assert (metadata["date"], metadata["date_source"]) == ("2017-03-24", "signature line")


def document_xml(doctype: str, body: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{doctype}\n'
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>{body}</w:t></w:r></w:p>'
        "</w:body></w:document>"
    ).encode()


def test_external_entity_is_refused_and_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-NAME-LIST")
    xxe = document_xml(f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret}">]>', "&xxe;")
    path = tmp_path / "xxe.docx"
    path.write_bytes(docx_with_document_xml(xxe, work_plan()))
    with pytest.raises(ExtractError, match="declares a DTD") as caught:
        extract_file(path)
    assert "TOP-SECRET" not in str(caught.value)


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10)
    )
    bomb = document_xml(f"<!DOCTYPE w:document [{entities}]>", "&lol9;")
    path = tmp_path / "laughs.docx"
    path.write_bytes(docx_with_document_xml(bomb, work_plan()))
    with pytest.raises(ExtractError, match="declares a DTD"):
        extract_file(path, timeout_s=20, max_memory_bytes=1024**3)


def test_python_docx_itself_resolves_no_entity(tmp_path: Path) -> None:
    # The layer under the DTD check: lxml as python-docx configures it leaves entities alone.
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-NAME-LIST")
    xxe = document_xml(f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret}">]>', "&xxe;")
    document = docx.Document(io.BytesIO(docx_with_document_xml(xxe, work_plan())))
    assert "TOP-SECRET" not in "".join(paragraph.text for paragraph in document.paragraphs)


def test_a_docx_that_declares_gigabytes_is_refused() -> None:
    package = zip_of([("word/document.xml", b" " * (600 * 1024**2))])
    assert len(package) < 2 * 1024**2
    with pytest.raises(ExtractionLimit, match="declare"):
        extract_docx(package, "huge.docx")


@pytest.mark.parametrize("data", [b"PK\x03\x04 not really", zip_of([("a.txt", b"x")])])
def test_not_a_word_document(data: bytes) -> None:
    with pytest.raises(ExtractError, match="not a readable Word document"):
        extract_docx(data, "broken.docx")
