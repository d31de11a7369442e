"""Passages: one per non-blank line, offsets into the page text, numbered across pages."""

from __future__ import annotations

from shiliao.extract import split_passages
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
