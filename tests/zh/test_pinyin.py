"""Pinyin fill-in and lookup keys; glossary entries completed without overriding the glossary."""

from __future__ import annotations

from pathlib import Path

from shiliao.collection import read_collection
from shiliao.model import Term
from shiliao.zh.entries import complete_term, complete_terms, to_traditional
from shiliao.zh.pinyin import english_key, pinyin_key, pinyin_of


def test_automatic_pinyin_groups_syllables_by_word() -> None:
    assert pinyin_of("精准扶贫") == "jīngzhǔn fúpín"
    assert pinyin_of("结亲") == "jiéqīn"
    # An a/o/e syllable inside a word takes an apostrophe.
    assert pinyin_of("新疆维吾尔自治区").replace(" ", "").count("'") == 1
    assert pinyin_of("") == ""


def test_keys_fold_tones_spaces_case_and_umlaut() -> None:
    assert pinyin_key("jié qīn") == pinyin_key("jieqin") == pinyin_key("JIE2 QIN1") == "jieqin"
    assert pinyin_key("Fùnǚ") == pinyin_key("funv") == "funu"
    assert pinyin_key("Wéiwú'ěr") == "weiwuer"
    assert english_key("Four Togethers") == english_key("four-togethers") == "fourtogethers"
    assert english_key("'focus' population") == "focuspopulation"
    assert english_key("Ürümqi") == "urumqi"
    assert english_key("spirit of the 19th Party Congress").endswith("19thpartycongress")


def test_glossary_pinyin_wins_where_automatic_pinyin_is_wrong(sample_dir: Path) -> None:
    # DESIGN.md: automatic pinyin is wrong for these four; the glossary's is kept.
    glossary = {t.term: t for t in complete_terms(read_collection(sample_dir).terms)}
    expected = {
        "克孜勒苏": "Kèzīlèsū",
        "石河子": "Shíhézǐ",
        "八个讲清楚": "bā gè jiǎng qīngchu",
        "亲戚": "qīnqi",
    }
    for term, pinyin in expected.items():
        assert glossary[term].pinyin == pinyin
        assert "pinyin" not in glossary[term].auto_filled
        # ...and the automatic reading really differs (tones, letters or word breaks).
        assert pinyin_of(term) != pinyin


def test_missing_values_are_filled_and_marked() -> None:
    bare = Term(term="两个维护", pinyin="", english=("Two Upholds",))
    filled = complete_term(bare)
    assert filled.pinyin == pinyin_of("两个维护")
    assert filled.traditional == "兩個維護"
    assert filled.auto_filled == ("traditional", "pinyin")
    # Values the glossary gives are kept as they are, and not marked.
    given = Term(term="结亲", pinyin="jiéqīn", english=("Jieqin",), traditional="結親")
    assert complete_term(given) is given
    # A term whose Traditional form is the same gets none.
    same = complete_term(Term(term="全家福", pinyin="quánjiāfú", english=("family photo",)))
    assert same.traditional is None and same.auto_filled == ()


def test_traditional_conversion_is_phrase_level() -> None:
    assert to_traditional("干部") == "幹部"
    assert to_traditional("民族团结一家亲") == "民族團結一家親"
