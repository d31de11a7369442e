"""Language per text, page, passage and document: zh-Hans, zh-Hant, ug-Arab, en, mul."""

from __future__ import annotations

import pytest

from shiliao.extract import extract_bytes_inline, split_passages
from shiliao.extract.language import detect_language
from shiliao.model import Page

from .craft import uyghur_sentences


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("中华人民共和国是全国各族人民共同缔造的统一的多民族国家。", "zh-Hans"),
        ("中華人民共和國是全國各族人民共同締造的統一的多民族國家。", "zh-Hant"),
        ("國務院總理朱鎔基在會上講話", "zh-Hant"),
        ("国内生产总值GDP增长百分之六点五", "zh-Hans"),
        ("The work teams visited every household in the village.", "en"),
        ("ئاسماننى كۆپكۈك، دەريا، كۆل سۇلىرىنى سۈپسۈزۈك تۇرۇشقا", "ug-Arab"),
        ("بسم الله الرحمن الرحيم", "und-Arab"),
        ("西 315 愚园路 东 309 Yuyuan Rd. W E", "mul"),
        ("民族团结一家亲 مىللەتلەر ئىتتىپاقلىقى بىر ئائىلە", "mul"),
        ("2019-03-05 / 12:30", None),
        ("", None),
    ],
)
def test_detect_language(text: str, language: str | None) -> None:
    assert detect_language(text) == language


def test_a_text_without_telling_characters_takes_the_default() -> None:
    # 第一章 is written alike in both scripts; 第一節 is not.
    assert detect_language("第一章", default="zh-Hant") == "zh-Hant"
    assert detect_language("第一章") == "zh-Hans"
    assert detect_language("第一節", default="zh-Hans") == "zh-Hant"
    assert detect_language("1982", default="zh-Hans") == "zh-Hans"
    assert detect_language("Rd.", default="zh-Hans") == "en"


def test_uyghur_treebank_sentences_are_uyghur() -> None:
    sentences = uyghur_sentences(50)
    assert len(sentences) == 50
    assert {detect_language(sentence) for sentence in sentences} == {"ug-Arab"}


def test_passages_and_pages_carry_languages() -> None:
    text = (
        "中華民國憲法\n第一章 總綱\n"
        "中華民國基於三民主義，為民有民治民享之民主共和國。中華民國之主權屬於國民全體。\n"
        "The Constitution of the Republic of China\n"
    )
    extraction = extract_bytes_inline(text.encode("utf-8"), "constitution.txt")
    assert extraction.language == "zh-Hant"
    assert extraction.pages[0].language == "zh-Hant"
    passages = split_passages("roc", extraction.pages, extraction.method)
    assert [passage.language for passage in passages] == ["zh-Hant", "zh-Hant", "zh-Hant", "en"]
    bilingual = extract_bytes_inline(b"\xe5\x9b\xbd\xe5\x8a\xa1\xe9\x99\xa2 State Council", "x.txt")
    assert bilingual.language == "mul"


def test_a_passage_without_letters_takes_its_page_language() -> None:
    pages = [Page(1, "國務院\n2019\n", language="zh-Hant")]
    assert [passage.language for passage in split_passages("x", pages, "text")] == [
        "zh-Hant",
        "zh-Hant",
    ]
