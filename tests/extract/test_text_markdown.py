"""Plain text and Markdown: decoded, kept as written, front matter read."""

from __future__ import annotations

import pytest

from shiliao.extract import extract_bytes_inline
from shiliao.extract.markdown import extract_markdown
from shiliao.extract.text import extract_text


def test_plain_text_is_one_page_with_its_encoding() -> None:
    data = "关于印发《方案》的通知\r\n\r\n\u3000\u3000各县市：\r\n".encode("gbk")
    extraction = extract_text(data, "notice.txt")
    assert extraction.method == "text"
    assert [page.text for page in extraction.pages] == [
        "关于印发《方案》的通知\n\n\u3000\u3000各县市：\n"
    ]
    assert extraction.metadata == {"encoding": "gb18030", "replacement_ratio": 0.0}


def test_plain_text_is_dated_from_its_signature_line_as_written() -> None:
    text = "关于开展结对认亲活动的通知\n各单位：\n自2016年底以来，活动覆盖全县。\n县人民政府\n二〇一七年三月二十四日\n"
    metadata = extract_text(text.encode("gbk"), "notice.txt").metadata
    assert (metadata["date"], metadata["date_source"]) == ("2017-03-24", "signature line")
    white_paper = "新疆的若干历史问题\n……\n中华人民共和国国务院新闻办公室\n2019年7月\n"
    metadata = extract_text(white_paper.encode(), "white-paper.txt").metadata
    assert (metadata["date"], metadata["date_source"]) == ("2019-07", "signature line")
    undated = "截至2019年3月，全县完成结对。\n2016年以来成效显著。\n"
    assert "date" not in extract_text(undated.encode(), "report.txt").metadata


def test_plain_text_with_utf8_bom_and_decomposed_accents() -> None:
    extraction = extract_text(b"\xef\xbb\xbfCafe\xcc\x81 \xe5\x92\x96\xe5\x95\xa1", "menu.txt")
    assert extraction.pages[0].text == "Café 咖啡"
    assert extraction.metadata["encoding"] == "utf-8-sig"


def test_empty_text_file() -> None:
    extraction = extract_text(b"", "empty.txt")
    assert [page.text for page in extraction.pages] == [""]
    assert extraction.metadata["replacement_ratio"] == 0.0


ESSAY = """---
title: 结对认亲：一项运动的档案
subtitle: Documenting the campaign
date: 2019-03-05
---
# 结对认亲

**“民族团结一家亲”** 活动始于 2016 年。[^1]

[^1]: 见《关于开展活动的通知》。
"""


def test_markdown_front_matter_becomes_metadata_and_the_markup_stays() -> None:
    extraction = extract_markdown(ESSAY.encode(), "essay.md")
    assert extraction.method == "markdown"
    assert extraction.pages[0].text == ESSAY.split("---\n", 2)[2]
    assert extraction.pages[0].text.startswith("# 结对认亲\n\n**“民族团结一家亲”**")
    assert extraction.metadata["title"] == "结对认亲：一项运动的档案"
    assert extraction.metadata["date"] == "2019-03-05"
    assert extraction.metadata["date_source"] == "front matter"
    assert "subtitle" not in extraction.metadata


def test_markdown_without_a_front_matter_date_is_dated_from_its_lines() -> None:
    data = "---\ntitle: 通知\n---\n# 通知\n\n正文。\n\n县人民政府\n\n2019年3月5日\n".encode()
    metadata = extract_markdown(data, "x.md").metadata
    assert (metadata["date"], metadata["date_source"]) == ("2019-03-05", "signature line")
    unreadable = "---\ndate: 2019-13-01\n---\n正文。\n2019年3月5日\n".encode()
    metadata = extract_markdown(unreadable, "x.md").metadata
    assert "date" not in metadata
    assert metadata["date_raw"] == "2019-13-01"


@pytest.mark.parametrize(
    ("date_line", "key", "value"),
    [
        ("date: 1921-07", "date", "1921-07"),
        ("date: 1950~", "date", "1950~"),
        ("date: 2016", "date", "2016"),
        ("date: 2019-03-05 09:30:00", "date", "2019-03-05"),
        ("date: 2019-13-01", "date_raw", "2019-13-01"),
        ("date: 2019年3月", "date_raw", "2019年3月"),
    ],
)
def test_markdown_front_matter_dates(date_line: str, key: str, value: str) -> None:
    data = f"---\ntitle: x\n{date_line}\n---\nbody\n".encode()
    metadata = extract_markdown(data, "x.md").metadata
    assert metadata[key] == value
    assert {"date", "date_raw"} - {key} - set(metadata) == {"date", "date_raw"} - {key}


@pytest.mark.parametrize(
    "text",
    [
        "# 没有前言\n\n正文。\n",
        "---\n这是一段被两条分隔线夹住的文字。\n---\n正文。\n",
        "---\ntitle: [未闭合\n---\n正文。\n",
        "---\ntitle: 没有结尾\n正文。\n",
    ],
)
def test_markdown_without_front_matter_is_kept_whole(text: str) -> None:
    extraction = extract_markdown(text.encode(), "x.md")
    assert extraction.pages[0].text == text
    assert "title" not in extraction.metadata


def test_markdown_is_registered() -> None:
    assert extract_bytes_inline(ESSAY.encode(), "essay.md").method == "markdown"
    assert extract_bytes_inline(ESSAY.encode(), "essay.txt").method == "text"
