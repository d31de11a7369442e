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


# 夏目漱石『吾輩は猫である』(1905, public domain) and the preamble of the Constitution of the
# Republic of Korea (not protected: Korean Copyright Act, article 7).
JAPANESE = (
    "吾輩は猫である。名前はまだ無い。\n"
    "どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは"
    "記憶している。\n"
)
KOREAN = (
    "유구한 역사와 전통에 빛나는 우리 대한국민은 3·1운동으로 건립된 대한민국임시정부의 법통과 "
    "불의에 항거한 4·19민주이념을 계승하고\n"
)


@pytest.mark.parametrize(
    ("text", "codec", "encoding"),
    [
        (JAPANESE, "shift_jis", "cp932"),
        (JAPANESE, "euc_jp", "euc_jp"),
        (JAPANESE, "iso2022_jp", "iso2022_jp_2"),
        ("東京都の天気予報", "shift_jis", "cp932"),
        ("東京都の天気予報", "euc_jp", "euc_jp"),
        (KOREAN, "euc_kr", "cp949"),
        (KOREAN, "iso2022_kr", "iso2022_kr"),
        ("대한민국 헌법", "euc_kr", "cp949"),
        # 똠 is one of the syllables CP949 adds to EUC-KR.
        ("똠방각하 대한민국 헌법", "cp949", "cp949"),
    ],
)
def test_undeclared_japanese_and_korean_are_not_read_as_gb18030(
    text: str, codec: str, encoding: str
) -> None:
    decoded = decode_text(text.encode(codec))
    assert (decoded.text, decoded.encoding) == (text, encoding)


@pytest.mark.parametrize(
    "text", [NOTICE, "區域發展計畫與臺灣的經濟政策", "中华人民共和国宪法", "结对认亲"]
)
def test_chinese_stays_chinese_beside_the_japanese_and_korean_readings(text: str) -> None:
    codec = "big5" if "臺" in text else "gb18030"
    assert decode_text(text.encode(codec)).encoding == codec


@pytest.mark.parametrize(
    ("mark", "codec", "name", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8", "UTF-8", "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16LE", "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16BE", "utf-16"),
        (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32LE", "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32BE", "utf-32"),
        (b"\x84\x31\x95\x33", "gb18030", "GB18030", "gb18030"),
    ],
)
def test_every_byte_order_mark_is_removed_and_named(
    mark: bytes, codec: str, name: str, encoding: str
) -> None:
    for declared in (None, "gbk", "utf-8"):
        decoded = decode_text(mark + NOTICE.encode(codec), declared)
        assert (decoded.text, decoded.encoding, decoded.bom) == (NOTICE, encoding, name)
        assert decoded.metadata()["bom"] == name


def test_a_utf7_byte_order_mark_is_removed() -> None:
    decoded = decode_text(b"+/v8-" + "通知".encode("utf-7"))
    assert (decoded.text, decoded.encoding, decoded.bom) == ("通知", "utf-7", "UTF-7")


def test_a_mark_no_codec_reads_is_reported() -> None:
    metadata = decode_text(b"\x0e\xfe\xffabc").metadata()
    assert metadata["warnings"][0] == (
        "the file begins with the byte-order mark of SCSU, which cannot be decoded; it was "
        "read as gb18030"
    )
    assert metadata["needs_review"] is True


def test_one_bad_byte_is_a_warning_with_its_count_and_place() -> None:
    # One undecodable byte in 600 characters: far under the 1 % that asks for review.
    good = ("关于开展民族团结一家亲活动的通知" * 40).encode()
    decoded = decode_text(good[:30] + b"\xff" + good[30:])
    assert decoded.encoding == "utf-8"
    assert (decoded.replacement_count, decoded.replacement_offset) == (1, 10)
    assert decoded.bad_byte_offset == 30
    metadata = decoded.metadata()
    assert metadata["warnings"] == [
        "1 replacement character(s) U+FFFD in the text read as utf-8, the first at character "
        "10; the first unreadable byte is at byte 30"
    ]
    assert "needs_review" not in metadata


def test_replacement_characters_the_file_holds_are_reported_too() -> None:
    decoded = decode_text("第\ufffd条 第\ufffd款".encode())
    assert decoded.metadata()["warnings"] == [
        "2 replacement character(s) U+FFFD in the text read as utf-8, the first at character "
        "1; the file holds them as such"
    ]
    assert decoded.bad_byte_offset is None
