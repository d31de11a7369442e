"""Decoding text bytes: BOM, declared charset, GB18030 for the GB family, detection."""

from __future__ import annotations

import codecs

import pytest

from shiliao.extract.decode import decode_text, normalize_text

NOTICE = (
    "关于开展民族团结一家亲活动的通知\n"
    "各县（市）人民政府，各有关部门：\n"
    "现将《结对认亲工作方案》印发给你们，请结合实际认真贯彻执行。\n"
)


def test_undeclared_gbk_is_read_as_gb18030_not_latin() -> None:
    decoded = decode_text(NOTICE.encode("gbk"))
    assert decoded.encoding == "gb18030"
    assert decoded.text == NOTICE
    assert decoded.replacement_ratio == 0.0


@pytest.mark.parametrize("text", ["善。", "结对认亲", "朱镕基讲话", "访惠聚工作队"])
def test_short_undeclared_gbk_is_not_taken_for_another_code_page(text: str) -> None:
    # charset-normalizer alone says cp1251, Big5-HKSCS, Shift JIS or CP949 for these.
    assert decode_text(text.encode("gbk")).text == text


def test_gb2312_and_gbk_labels_are_read_as_gb18030() -> None:
    # 镕 is in GBK but not GB2312; 䶮 only in GB18030 (a four-byte sequence).
    text = "朱镕基与刘䶮"
    decoded = decode_text(text.encode("gb18030"), "GB2312")
    assert decoded.text == text
    assert (decoded.encoding, decoded.declared_encoding) == ("gb18030", "GB2312")
    assert decode_text(text.encode("gb18030"), "x-gbk").text == text


def test_declared_big5_is_honoured() -> None:
    text = "區域發展計畫與臺灣"
    decoded = decode_text(text.encode("big5"), "big5")
    assert (decoded.text, decoded.encoding) == (text, "big5")


def test_a_wrong_declaration_loses_to_the_bytes() -> None:
    decoded = decode_text(NOTICE.encode("gbk"), "utf-8")
    assert decoded.text == NOTICE
    assert (decoded.encoding, decoded.declared_encoding) == ("gb18030", "utf-8")


def test_a_default_latin1_declaration_yields_to_chinese_bytes() -> None:
    decoded = decode_text(NOTICE.encode("gbk"), "ISO-8859-1")
    assert (decoded.text, decoded.encoding) == (NOTICE, "gb18030")


def test_western_text_stays_western() -> None:
    text = "Le président a déclaré que la réforme était nécessaire, à côté de l'été.\n"
    assert decode_text(text.encode("cp1252")).text == text
    assert decode_text(text.encode("cp1252"), "iso-8859-1").encoding == "iso8859-1"


@pytest.mark.parametrize(
    ("bom", "codec", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
        (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    ],
)
def test_a_byte_order_mark_wins_over_the_declaration(bom: bytes, codec: str, encoding: str) -> None:
    data = bom + NOTICE.encode(codec)
    decoded = decode_text(data, "gbk")
    assert (decoded.text, decoded.encoding) == (NOTICE, encoding)
    # The recorded codec reproduces the text from the stored bytes.
    assert data.decode(decoded.encoding) == NOTICE


def test_undecodable_bytes_are_counted_and_flagged() -> None:
    decoded = decode_text("发布日期：".encode() + b"\xff\xfe\xfa" * 5, "utf-8")
    assert decoded.replacement_ratio > 0.01
    assert decoded.metadata()["needs_review"] is True
    assert "needs_review" not in decode_text(NOTICE.encode()).metadata()


def test_metadata_records_only_what_was_found() -> None:
    assert decode_text(b"plain").metadata() == {"encoding": "utf-8", "replacement_ratio": 0.0}
    declared = decode_text(b"plain", "no-such-charset").metadata()
    assert declared["declared_encoding"] == "no-such-charset"


def test_normalize_text_unifies_newlines_and_composes() -> None:
    assert normalize_text("a\r\nb\rc\u2028d\u2029e") == "a\nb\nc\nd\ne"
    assert normalize_text("e\u0301") == "\u00e9"
