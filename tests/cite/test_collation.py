"""Sorting Chinese names by pinyin as a dictionary does, polyphonic surnames included."""

from __future__ import annotations

from shiliao.cite.collation import name_key, pinyin_key, stroke_count

# Twenty surnames in the order of the Xiandai Hanyu Cidian, written by hand. The rule: by the
# letters of the syllable (ü counted as u, a syllable with ü after the same letters with u),
# then by tone (first, second, third, fourth, neutral), then by number of strokes. Surnames are
# read as surnames: 曾 Zēng (not céng), 沈 Shěn, 仇 Qiú (not chóu), 解 Xiè (not jiě),
# 单 Shàn (not dān), 查 Zhā (not chá).
DICTIONARY_ORDER = [
    "陈",  # chén
    "黄",  # huáng
    "李",  # lǐ
    "刘",  # liú
    "卢",  # lú
    "陆",  # lù, 7 strokes
    "路",  # lù, 13 strokes
    "吕",  # lǚ: after every lu
    "仇",  # qiú
    "单",  # shàn
    "沈",  # shěn
    "王",  # wáng
    "吴",  # wú
    "解",  # xiè
    "徐",  # xú
    "曾",  # zēng
    "查",  # zhā
    "张",  # zhāng, 7 strokes
    "章",  # zhāng, 11 strokes
    "赵",  # zhào
]


def test_twenty_surnames_sort_as_a_dictionary_orders_them() -> None:
    shuffled = sorted(DICTIONARY_ORDER, key=lambda name: ord(name) * 7919 % 101)
    assert shuffled != DICTIONARY_ORDER
    assert sorted(shuffled, key=name_key) == DICTIONARY_ORDER


def test_stroke_counts_break_ties() -> None:
    assert (stroke_count("张"), stroke_count("章"), stroke_count("陆"), stroke_count("路")) == (
        7,
        11,
        7,
        13,
    )
    assert stroke_count("A") == 0


def test_full_names_and_romanized_names_interleave() -> None:
    names = [
        ("曾", "明"),
        ("Zhang", "San"),
        ("张", "三"),
        ("Chang", ""),
        ("单", "丽"),
        ("Shan", "Li"),
    ]
    ordered = sorted(names, key=lambda name: name_key(*name))
    assert ordered == [
        ("Chang", ""),
        ("Shan", "Li"),
        ("单", "丽"),
        ("曾", "明"),
        ("Zhang", "San"),
        ("张", "三"),
    ]


def test_compound_surnames_and_readings_outside_names() -> None:
    # 万俟 Mòqí as a surname; 单 read dān in ordinary text.
    assert pinyin_key("万俟", surname=True)[0][0] == "mo"
    assert pinyin_key("单位")[0][0] == "dan"
    assert pinyin_key("单位", surname=True)[0][0] == "shan"
