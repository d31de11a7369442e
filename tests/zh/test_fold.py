"""Search folding: regional and variant forms find each other, distinct words do not."""

from __future__ import annotations

import pytest

from shiliao.search.query import parse_query
from shiliao.zh.fold import (
    fold,
    fold_query,
    fold_table,
    fold_with_offsets,
    overrides,
    query_choices,
    unit_choices,
    unit_pattern,
)
from shiliao.zh.normalize import normalize, normalize_with_offsets, t2s_table


def finds(query: str, text: str) -> bool:
    return parse_query(query).matches(fold(text))


# (query, text): the same word in another script or regional form; both directions must match.
SAME = [
    ("看著", "看着"),  # Taiwan 著 for 着
    ("著急", "着急"),
    ("顯著", "显著"),  # and 著 for 著
    ("著名", "著名"),
    ("鬭爭", "斗争"),  # Unihan kSemanticVariant 鬭 ~ 鬥
    ("鬥爭", "斗争"),
    ("鎗", "枪"),  # OpenCC STCharacters 枪 → 槍 鎗
    ("鎗", "槍"),
    ("乾燥", "干燥"),
    ("乾隆", "乾隆"),
    ("乾安", "乾安"),
    ("幹部", "干部"),
    ("頭髮", "头发"),
    ("發展", "发展"),
    ("以後", "以后"),
    ("皇后", "皇后"),
    ("麵條", "面条"),
    ("麪條", "麵條"),
    ("一隻", "一只"),
    ("鐘錶", "钟表"),
    ("於是", "于是"),
    ("裡面", "里面"),
    ("裏面", "裡面"),
    ("瞭解", "了解"),
    ("團結", "团结"),
]

# (query, text): a Traditional character that the Simplified one merges with another word.
DISTINCT = [
    ("乾", "干部"),
    ("乾隆", "干隆"),
    ("乾", "干涉"),
    ("幹", "乾隆"),
    ("幹", "干燥"),
    ("髮", "发展"),
    ("髮", "發展"),
    ("發", "头发"),
    ("後", "皇后"),
    ("麵", "面子"),
    ("隻", "只是"),
    ("鐘", "钟繇"),
    ("鍾", "钟表"),
    ("於", "于谦"),
    ("着", "著名"),
    ("瞭", "好了"),
]


@pytest.mark.parametrize(("query", "text"), SAME)
def test_forms_of_one_word_find_each_other(query: str, text: str) -> None:
    assert finds(query, text)
    assert finds(text, query)


@pytest.mark.parametrize(("query", "text"), DISTINCT)
def test_distinct_words_do_not_find_each_other(query: str, text: str) -> None:
    assert not finds(query, text)


def test_simplified_query_characters_stand_for_each_traditional_one() -> None:
    for text in ("干部", "幹部", "乾燥", "干燥", "干涉", "乾隆"):
        assert finds("干", text)
    assert finds("发", "頭髮") and finds("发", "發展")
    assert finds("头发", "頭髮") and not finds("头发", "發展")


def test_fold_labels() -> None:
    assert fold("干部和乾隆，干燥的头发") == "幹部和乾隆,乾燥的头髮"
    assert fold("看著他著急，著名") == "看着他着急,著名"
    assert fold("鬭鎗") == "鬥枪"
    assert fold("團結") == normalize("團結") == "团结"


def test_fold_keeps_normalize_positions() -> None:
    text = "㈠頭髮Ａ干燥"
    folded, offsets = fold_with_offsets(text)
    assert folded == "(一)头髮a乾燥"
    assert len(folded) == len(normalize(text))
    assert offsets == normalize_with_offsets(text)[1] == [0, 0, 0, 1, 2, 3, 4, 5, 6]


def test_fold_query_keeps_characters_that_stand_for_several() -> None:
    assert fold_query("干燥 頭髮 團結 著") == "干燥 头髮 团结 著"
    assert unit_choices("头发") == ["头", "發髮"]
    assert unit_choices("著") == ["著着"]
    assert unit_pattern("头发").pattern == "头[發髮]"
    assert query_choices()["干"] == "幹乾干"


def test_overrides_and_table_rebuild_the_fold() -> None:
    text = "头发和面条都晒干了；一只钟表。"
    labels = overrides(text)
    # 發, 面, 幹, 只, 鍾 and 表 are the characters' defaults (OpenCC's first candidates).
    assert labels == {1: "髮", 3: "麪", 7: "乾", 11: "隻", 12: "鐘", 13: "錶"}
    table, t2s = fold_table(), t2s_table()
    chars = [table.get(c, t2s.get(c, c)) for c in normalize(text)]
    for at, label in labels.items():
        chars[at] = label
    assert "".join(chars) == fold(text)


def test_a_substring_always_finds_its_text() -> None:
    text = "足额发放，维护发展中国家的利益；看著他著急；乾隆年间的干部"
    for start in range(len(text)):
        for end in range(start + 1, min(len(text), start + 6) + 1):
            piece = text[start:end]
            if piece.strip() and '"' not in piece:
                assert finds(f'"{piece}"', text), piece
