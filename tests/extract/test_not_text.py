"""Text that is not text and bytes read in the wrong encoding, in every source: ASCII-range
glyph codes, short GBK that is valid UTF-8, GB18030 four-byte titles, placeholder titles,
(cid:N) in a plain text, damaged UTF-8, U+FEFF inside a text."""

from __future__ import annotations

import zipfile

import pytest

from shiliao.extract import extract_bytes_inline
from shiliao.extract.decode import decode_text, legacy_reading
from shiliao.extract.finish import is_placeholder_title
from shiliao.extract.pdf import extract_pdf
from shiliao.extract.plausibility import implausible_reasons
from shiliao.extract.unpack import _zip_name

from .craft import pdf_with_info_title


def test_consecutive_code_points_are_a_fonts_codes() -> None:
    # What PDFium gives for a page of new characters in a subset font without ToUnicode.
    assert implausible_reasons("+,-.\x18/0123456789\n:;<=>?@ABCDEFG") == [
        "27 of 29 adjacent characters are consecutive code points (+,-./012...): a font's "
        "codes in the order the text first uses its glyphs"
    ]
    assert implausible_reasons("The quick brown fox, abc 123 rstuv, jumps over the dog. " * 3) == []


@pytest.mark.parametrize(
    ("text", "codec"), [("通知", "gbk"), ("学习", "gbk"), ("中文𠀀标题", "gb18030")]
)
def test_short_legacy_text_is_read_as_its_encoding(text: str, codec: str) -> None:
    data = text.encode(codec)
    assert legacy_reading(data) == (text, "gb18030")
    decoded = decode_text(data)
    assert (decoded.text, decoded.encoding) == (text, "gb18030")


def test_valid_utf8_of_one_alphabet_stays_utf8() -> None:
    assert legacy_reading("Москва".encode()) == ("Москва", "utf-8")
    assert decode_text("café".encode()).encoding == "utf-8"


@pytest.mark.parametrize(
    ("title", "codec"), [("通知", "gbk"), ("学习", "gbk"), ("中文𠀀标题", "gb18030")]
)
def test_a_legacy_pdf_title_is_read_again(title: str, codec: str) -> None:
    extraction = extract_bytes_inline(pdf_with_info_title(title.encode(codec)), "t.pdf")
    assert extraction.metadata["title"] == title
    assert extraction.metadata["title_encoding"] == "gb18030"
    assert "warnings" not in extraction.metadata
    assert extract_pdf(pdf_with_info_title(title.encode(codec)), "t.pdf").metadata["title"] == title


def test_gbk_member_names_that_are_valid_utf8() -> None:
    names = []
    for name in ("通知.txt", "学习.txt"):
        info = zipfile.ZipInfo(name.encode("gbk").decode("cp437"))
        names.append(_zip_name(info))
    assert names == ["通知.txt", "学习.txt"]


@pytest.mark.parametrize(
    "title",
    [
        "新建 Microsoft Word 文档",
        "新建 Microsoft Word 文档 (2)",
        "WPS文字",
        "New Microsoft Word Document",
        "Scan0001",
        "IMG_0001",
        "IMG_20230101_123456",
        "微信图片_20200101",
        "Sheet1",
        "未命名",
        "无标题",
        "Document1",
        "文档1",
        "Book1",
        "幻灯片1",
        "PowerPoint Presentation",
        "新建文本文档",
        "Document1 - 副本",
    ],
)
def test_default_names_are_placeholders(title: str) -> None:
    assert is_placeholder_title(title)


@pytest.mark.parametrize(
    "title",
    [
        "Word and Image",
        "Sheet Music of the Revolution",
        "文件精神学习",
        "新建水库的通知",
        "Imagery 2019",
    ],
)
def test_titles_beginning_like_defaults_are_titles(title: str) -> None:
    assert not is_placeholder_title(title)


def test_cid_placeholders_in_a_text_file_need_review() -> None:
    extraction = extract_bytes_inline(b"(cid:12)(cid:345)(cid:67) (cid:11)\n", "c.txt")
    reasons = ["page 1: 4 (cid:…) placeholder(s) for characters with no mapping"]
    assert extraction.metadata["text_doubts"] == reasons
    assert extraction.metadata["needs_review"] is True
    assert extraction.metadata["warnings"] == ["the text may be codes, not writing: " + reasons[0]]


@pytest.mark.parametrize(
    ("data", "text", "offset"),
    [
        (
            "关于开展民族团结一家亲活动的通知".encode()[:-1],
            "关于开展民族团结一家亲活动的通\ufffd",
            15,
        ),
        ("通知".encode() + b"\xff", "通知\ufffd", 2),
    ],
)
def test_damaged_utf8_stays_utf8(data: bytes, text: str, offset: int) -> None:
    decoded = decode_text(data)
    assert (decoded.text, decoded.encoding) == (text, "utf-8")
    metadata = decoded.metadata()
    assert metadata["replacement_offset"] == offset
    assert metadata["needs_review"] is True


def test_a_byte_order_mark_inside_the_text_is_removed() -> None:
    data = "第一部分。\n".encode("utf-8-sig") + "第二部分。\n".encode("utf-8-sig")
    extraction = extract_bytes_inline(data, "joined.txt")
    assert extraction.pages[0].text == "第一部分。\n第二部分。\n"
    assert extraction.metadata["text_cleaned"] == {"byte_order_mark": 1}
    assert extraction.metadata["warnings"] == [
        "1 byte-order mark(s) U+FEFF inside the text (files joined into one?) removed"
    ]
