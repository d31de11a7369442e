"""Sorting names and titles the way a Chinese dictionary orders them, by pinyin.

The order is the one of the *Xiandai Hanyu Cidian* (现代汉语词典) for its head characters,
applied syllable by syllable:

1. the letters of the syllable's pinyin, where ``ü`` counts as ``u`` (so ``lu`` < ``lü`` <
   ``luan``, as in that dictionary's syllable table), and a syllable with ``ü`` follows the
   same letters with ``u``;
2. the tone: first (阴平), second (阳平), third (上声), fourth (去声), then neutral (轻声);
3. the number of strokes (Unihan ``kTotalStrokes``), fewer first;
4. the code point, so that the order is total.

A word in Latin script is one unit compared by its letters (accents removed, case folded, tone
0), so that romanized names and names in characters interleave: ``Zhang San`` sorts with 张三.

Surnames are read as surnames: a character with several readings takes its reading as a
surname (曾 Zēng, not céng; 单 Shàn, not dān; 解 Xiè, not jiě; 仇 Qiú, not chóu; 查 Zhā, not
chá), and compound surnames (欧阳, 尉迟, 万俟...) are recognized first. Other characters take
pypinyin's reading in context.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from pypinyin import Style, lazy_pinyin

from shiliao.cite._strokes import ALPHABET, RANGES

__all__ = ["SURNAME_READINGS", "name_key", "pinyin_key", "stroke_count", "text_key"]

#: Surnames whose reading as a surname differs from the character's most common reading, and
#: compound surnames; numbered-tone pinyin, one syllable per character, as the Xiandai Hanyu
#: Cidian gives the reading it marks "姓" (where it gives two, as for 覃, the commoner one).
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "万俟": ("mo4", "qi2"),
    "尉迟": ("yu4", "chi2"),
    "长孙": ("zhang3", "sun1"),
    "单于": ("chan2", "yu2"),
    "澹台": ("tan2", "tai2"),
    "令狐": ("ling2", "hu2"),
    "曾": ("zeng1",),
    "沈": ("shen3",),
    "仇": ("qiu2",),
    "解": ("xie4",),
    "单": ("shan4",),
    "查": ("zha1",),
    "区": ("ou1",),
    "朴": ("piao2",),
    "盖": ("ge3",),
    "覃": ("qin2",),
    "乐": ("yue4",),
    "员": ("yun4",),
    "缪": ("miao4",),
    "召": ("shao4",),
    "折": ("she2",),
    "翟": ("zhai2",),
    "祭": ("zhai4",),
    "种": ("chong2",),
    "秘": ("bi4",),
    "句": ("gou1",),
    "冼": ("xian3",),
    "洗": ("xian3",),
    "华": ("hua4",),
    "任": ("ren2",),
    "纪": ("ji3",),
    "宁": ("ning4",),
    "殷": ("yin1",),
    "强": ("qiang2",),
    "隗": ("wei3",),
    "能": ("nai4",),
    "黑": ("he4",),
    "相": ("xiang4",),
    "贲": ("ben1",),
    "过": ("guo1",),
    "繁": ("po2",),
    "那": ("na1",),
    "谌": ("chen2",),
    "曲": ("qu1",),
    "车": ("che1",),
    "重": ("chong2",),
    "朝": ("chao2",),
    "都": ("du1",),
    "占": ("zhan1",),
    "薄": ("bo2",),
    "柏": ("bai3",),
    "蔚": ("yu4",),
    "尉": ("wei4",),
    "么": ("yao1",),
    "粘": ("nian2",),
    "佴": ("nai4",),
}
_LONGEST_SURNAME = max(map(len, SURNAME_READINGS))
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_SYLLABLE = re.compile(r"(?P<letters>[a-zü]+?)(?P<tone>[1-5]?)")
_LATIN_WORD = re.compile(r"[^\W_]+", re.UNICODE)

#: One unit of a sort key: (letters with ü as u, 1 if the syllable has ü, tone 0-5, strokes,
#: code point or 0).
Unit = tuple[str, int, int, int, int]


def stroke_count(char: str) -> int:
    """The total number of strokes of a Han character (Unihan ``kTotalStrokes``).

    Args:
        char: one character.

    Returns:
        The count for the form used in the PRC (1 to 63); 0 for a character outside the CJK
        Unified Ideographs and Extension A, or with no count recorded.
    """
    code = ord(char)
    for first, last, counts in RANGES:
        if first <= code <= last:
            return ALPHABET.index(counts[code - first])
    return 0


def _readings(text: str, *, surname: bool) -> list[str]:
    """Numbered-tone pinyin per Han character (``"lv3"`` for 吕), surname readings first."""
    readings: list[str] = []
    rest = text
    if surname:
        for length in range(min(_LONGEST_SURNAME, len(text)), 0, -1):
            if text[:length] in SURNAME_READINGS:
                readings = list(SURNAME_READINGS[text[:length]])
                rest = text[length:]
                break
    readings += lazy_pinyin(rest, style=Style.TONE3, neutral_tone_with_five=True)
    return readings


@cache
def _han_units(text: str, surname: bool) -> tuple[Unit, ...]:
    units: list[Unit] = []
    for char, reading in zip(text, _readings(text, surname=surname), strict=True):
        match = _SYLLABLE.fullmatch(reading.replace("v", "ü"))
        if match is None:
            units.append((reading, 0, 0, stroke_count(char), ord(char)))
            continue
        letters = match.group("letters")
        units.append(
            (
                letters.replace("ü", "u"),
                int("ü" in letters),
                int(match.group("tone") or 5),
                stroke_count(char),
                ord(char),
            )
        )
    return tuple(units)


def _latin_units(text: str) -> tuple[Unit, ...]:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    umlaut = "\u0308" in decomposed
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return tuple((word, int(umlaut), 0, 0, 0) for word in _LATIN_WORD.findall(letters))


def pinyin_key(text: str, *, surname: bool = False) -> tuple[Unit, ...]:
    """The dictionary sort key of a string of Han characters and/or Latin words.

    Args:
        text: e.g. ``"单丽"``, ``"Zhang San"``, ``"新疆社会科学"``.
        surname: read the first character(s) as a surname (``SURNAME_READINGS``).

    Returns:
        A tuple of units, one per Han character (its syllable) and one per Latin word; compare
        two keys with ``<``. Characters that are neither (punctuation, the middle dot of a
        transliterated name) are skipped.
    """
    units: list[Unit] = []
    position = 0
    first = True
    for match in re.finditer(f"(?:{_HAN.pattern})+", text):
        units += _latin_units(text[position : match.start()])
        units += _han_units(match.group(), surname and first and not units)
        first = False
        position = match.end()
    units += _latin_units(text[position:])
    return tuple(units)


def text_key(text: str) -> tuple[Unit, ...]:
    """The dictionary sort key of a title or other text (no surname readings).

    Args:
        text: any text.

    Returns:
        ``pinyin_key(text)``.
    """
    return pinyin_key(text)


def name_key(family: str, given: str = "") -> tuple[tuple[Unit, ...], tuple[Unit, ...]]:
    """The sort key of a person's name: family name (read as a surname), then given name.

    Args:
        family: the family name, in characters (``"单"``) or romanized (``"Shan"``); an
            institution's whole name also goes here.
        given: the given name, or ``""``.

    Returns:
        ``(key of family, key of given)``, comparable with ``<``.
    """
    return pinyin_key(family, surname=True), pinyin_key(given)
