"""Passages: one per non-blank line, offsets into the page text, numbered across pages; OCR
passages carry the confidence of their weakest line."""

from __future__ import annotations

from dataclasses import replace

from shiliao.extract import split_passages
from shiliao.extract.passages import attach_ocr_confidence
from shiliao.model import Page, Passage


def test_each_non_blank_line_is_a_passage_with_exact_offsets() -> None:
    pages = [
        Page(1, "\u3000\u3000第一段，缩进两格。\n\n  第二段  \n"),
        Page(2, ""),
        Page(3, "\n\t第三段\r"),
    ]
    passages = split_passages("notice-1", pages, "text")
    assert passages == [
        Passage("notice-1", 1, 1, 2, 11, "第一段，缩进两格。", "text", language="zh-Hans"),
        Passage("notice-1", 1, 2, 15, 18, "第二段", "text", language="zh-Hans"),
        Passage("notice-1", 3, 3, 2, 5, "第三段", "text", language="zh-Hans"),
    ]
    texts = {page.number: page.text for page in pages}
    for passage in passages:
        assert texts[passage.page][passage.char_start : passage.char_end] == passage.text


def test_offsets_count_code_points_not_bytes_or_utf16_units() -> None:
    page = Page(1, "𠮷野家\n䶮")
    first, second = split_passages("x", [page], "html")
    assert (first.char_start, first.char_end) == (0, 3)
    assert (second.char_start, second.char_end) == (4, 5)


def test_no_text_no_passages() -> None:
    assert split_passages("x", [Page(1, ""), Page(2, " \n\u3000\n")], "pdf-text-layer") == []


def _line(page: int, text: str, confidence: float) -> dict:
    return {"page": page, "text": text, "confidence": confidence, "box": [0, 0, 1, 1]}


def test_each_ocr_passage_takes_the_lowest_confidence_of_its_lines() -> None:
    # Page 1 as OCR makes it: two printed lines joined into one paragraph (CJK, no space), two
    # Latin lines joined with a space, a sign's "西" twice; the OCR engine read "第二条" with an
    # ASCII space where the page has U+3000, and "Café" decomposed (NFD).
    pages = [
        Page(
            1,
            "第一条\u3000中华人民共和国是社会主义国家。\n第二条\u3000一切权力属于人民。\n"
            "西\nYuyuan Rd. Café\n西",
            method="ocr",
        ),
        Page(2, "第一条\u3000中华人民共和国是社会主义国家。"),
        Page(3, "无法辨认的一行", method="ocr"),
    ]
    lines = [
        _line(1, "第一条 中华人民共和国是社会", 0.99),
        _line(1, "主义国家。", 0.71),
        _line(1, "第二条 一切权力", 0.95),
        _line(1, "属于人民。", 0.97),
        _line(1, "西", 0.9),
        _line(1, "Yuyuan", 0.93),
        _line(1, "Rd. Cafe\u0301", 0.64),
        _line(1, "西", 0.55),
        _line(3, "完全不同", 0.5),
    ]
    passages = split_passages("scan", pages, "pdf-text-layer")

    marked = attach_ocr_confidence(passages, lines)

    assert [(p.page, p.text, p.confidence) for p in marked] == [
        (1, "第一条\u3000中华人民共和国是社会主义国家。", 0.71),
        (1, "第二条\u3000一切权力属于人民。", 0.95),
        (1, "西", 0.9),
        (1, "Yuyuan Rd. Café", 0.64),
        (1, "西", 0.55),
        # The text layer's page is no OCR; the OCR page whose line matches nothing keeps None.
        (2, "第一条\u3000中华人民共和国是社会主义国家。", None),
        (3, "无法辨认的一行", None),
    ]
    # Only the confidence changes; the passages given are left as they were.
    assert [replace(p, confidence=None) for p in marked] == passages
    assert all(p.confidence is None for p in passages)


def test_passages_without_ocr_lines_keep_no_confidence() -> None:
    passages = split_passages("notice", [Page(1, "第一段\n第二段")], "text")
    assert attach_ocr_confidence(passages, None) == passages
    assert attach_ocr_confidence(passages, []) == passages
