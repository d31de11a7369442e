"""Printed lines joined into paragraphs: layout rules, and the real constitution PDF."""

from __future__ import annotations

import re

from shiliao.extract import split_passages
from shiliao.extract.paragraphs import Line, join_lines
from shiliao.extract.pdf import extract_pdf

from .conftest import make_pdf, real_fixture

CONSTITUTION = "pdf/prc-constitution-2018-text-layer.pdf"
ARTICLE = re.compile(r"第[一二三四五六七八九十百零]+条 ")


def body(text: str, left: float = 90, right: float = 505) -> Line:
    return Line(text, left, right, 12)


def test_wrapped_lines_of_a_paragraph_join_without_a_space() -> None:
    lines = [
        Line("中国是世界上历史最悠久的国家之一。中国各族人民共同创造了", 119, 505, 12),
        body("光辉灿烂的文化，具有光荣的革命传统。", right=330),
        Line("根据1988年4月12日第七届全国人民代表大会第一次会议通过 1982", 119, 504, 12),
        body("年12月4日全国人民代表大会公告公布施行", right=300),
    ]
    assert join_lines(lines) == [
        "中国是世界上历史最悠久的国家之一。中国各族人民共同创造了光辉灿烂的文化，具有光荣的革命传统。",
        "根据1988年4月12日第七届全国人民代表大会第一次会议通过 1982年12月4日全国人民代表大会公告公布施行",
    ]


def test_a_line_ending_a_sentence_or_short_of_the_margin_ends_the_paragraph() -> None:
    lines = [
        body("中国人民为国家独立、民族解放和民主自由进行了前仆后继的英勇奋"),
        body("斗。", right=110),
        body("二十世纪，中国发生了翻天覆地的伟大历史变革。", right=420),
        body("序言", left=284, right=311),
        body("一九一一年孙中山先生领导的辛亥革命，废除了封建帝制，创立了中"),
        body("华民国。"),
    ]
    assert join_lines(lines) == [
        "中国人民为国家独立、民族解放和民主自由进行了前仆后继的英勇奋斗。",
        "二十世纪，中国发生了翻天覆地的伟大历史变革。",
        "序言",
        "一九一一年孙中山先生领导的辛亥革命，废除了封建帝制，创立了中华民国。",
    ]


def test_articles_list_items_and_indented_lines_start_new_paragraphs() -> None:
    lines = [
        body("国家保障自然资源的合理利用，保护珍贵的动物和植物。禁止任何组"),
        body("第十条 城市的土地属于国家所有。", right=300),
        body("各级人民政府应当做好以下工作，确保各项任务落到实处取得实效"),
        body("（一）加强组织领导，压实工作责任"),
        body("1. 深入基层，走访农户一百二十户，收集意见建议三十余条，汇总"),
        body("一、总体要求和主要任务以及保障措施等方面的具体安排和部署"),
        body("新疆维吾尔自治区人民政府办公厅印发的通知全文如下所示各单位"),
        body("遵照执行。", left=119),
    ]
    assert join_lines(lines) == [
        *(line.text for line in lines[:5]),
        lines[5].text + lines[6].text,
        lines[7].text,
    ]


def test_words_scattered_over_a_sign_are_not_a_paragraph() -> None:
    # The street-sign fixture as RapidOCR reads it: pixel boxes of each line.
    lines = [
        Line("西", 84, 147, 52),
        Line("愚园路", 173, 476, 90),
        Line("东", 510, 566, 43),
        Line("315", 77, 136, 32),
        Line("309", 513, 572, 32),
        Line("W", 77, 127, 41),
        Line("Yuyuan Rd.", 229, 420, 42),
        Line("E", 533, 568, 39),
    ]
    assert join_lines(lines) == [line.text for line in lines]


def test_a_short_page_of_short_lines_is_left_alone() -> None:
    lines = [
        Line("新疆维吾尔自治区人民政府办公厅", 72, 282, 14),
        Line("二〇一六年十一月二十二日", 72, 240, 14),
    ]
    assert join_lines(lines) == [line.text for line in lines]


def test_latin_lines_join_with_a_space_and_hyphenated_words_close_up() -> None:
    lines = [
        body("The campaign sent cadres to live with the families of the in-"),
        body("terned, and the reports call this pairing and kinship with the"),
        body("Uyghur households.", right=200),
    ]
    assert join_lines(lines) == [
        "The campaign sent cadres to live with the families of the in-terned, and the reports "
        "call this pairing and kinship with the Uyghur households."
    ]


def test_right_to_left_lines_reach_the_left_edge() -> None:
    lines = [
        Line("ئاسماننى كۆپكۈك، دەريا، كۆل سۇلىرىنى سۈپسۈزۈك تۇرۇشقا، دەل", 120, 1534, 40),
        Line("دەرەخلەرنى بۈك باراقسان بولۇشقا", 700, 1534, 40),
        Line("بۇ بۆلەكتىكى تېكىستلەرنى ئوقۇش ئارقىلىق، كىشىلەرنىڭ ھايۋانلار", 121, 1534, 40),
        Line("قانداق مۇئامىلە قىلغانلىقى", 900, 1534, 40),
    ]
    assert join_lines(lines) == [
        "ئاسماننى كۆپكۈك، دەريا، كۆل سۇلىرىنى سۈپسۈزۈك تۇرۇشقا، دەل دەرەخلەرنى بۈك باراقسان بولۇشقا",
        "بۇ بۆلەكتىكى تېكىستلەرنى ئوقۇش ئارقىلىق، كىشىلەرنىڭ ھايۋانلار قانداق مۇئامىلە قىلغانلىقى",
    ]


def test_a_phrase_wrapped_in_the_constitution_is_in_one_passage() -> None:
    extraction = extract_pdf(real_fixture(CONSTITUTION).read_bytes(), "constitution.pdf")
    passages = split_passages("constitution", extraction.pages, extraction.method)
    pages = {page.number: page.text for page in extraction.pages}
    for passage in passages:
        assert pages[passage.page][passage.char_start : passage.char_end] == passage.text
        assert "\n" not in passage.text
    # Printed as "... 1982" / "年12月4日 ..." and "... 英勇奋" / "斗。".
    assert any("通过 1982年12月4日全国人民代表大会公告" in passage.text for passage in passages)
    assert any(passage.text.endswith("前仆后继的英勇奋斗。") for passage in passages)
    article_6 = next(passage for passage in passages if passage.text.startswith("第六条"))
    assert article_6.text == (
        "第六条 中华人民共和国的社会主义经济制度的基础是生产资料的社会主义公有制，"
        "即全民所有制和劳动群众集体所有制。社会主义公有制消灭人剥削人的制度，"
        "实行各尽所能、按劳分配的原则。"
    )
    assert "序言" in {passage.text for passage in passages}
    # Every article starts a passage of its own.
    articles = [passage for passage in passages if ARTICLE.match(passage.text)]
    assert [ARTICLE.match(passage.text).group() for passage in articles[-2:]] == [
        "第一百四十二条 ",
        "第一百四十三条 ",
    ]
    assert len(articles) == 143


def test_a_generated_pdf_with_short_lines_keeps_its_lines() -> None:
    pages = [
        ["民族团结一家亲", "第二行：访惠聚工作队"],
        ["新疆维吾尔自治区人民政府办公厅", "二〇一六年十一月二十二日"],
    ]
    extraction = extract_pdf(make_pdf(pages), "short.pdf")
    assert [page.text for page in extraction.pages] == ["\n".join(lines) for lines in pages]
