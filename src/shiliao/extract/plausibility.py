"""Whether a string is writing: which legacy East Asian encoding a text was written in, and
whether a PDF text layer is text or the codes of glyphs ("soup").

Both questions are answered from the same tables, derived at first use from the national
character standards through Python's own codecs (nothing is shipped as data):

- GB 2312 level 1 (3,755 hanzi in common use, rows 16-55) and level 2 (3,008, rows 56-87);
- Big5 level 1 (5,401 常用字, A440-C67E) and level 2 (7,652 次常用字, C940-F9D5);
- JIS X 0208 level 1 (2,965 kanji, rows 16-47) and level 2 (3,390, rows 48-84);
- KS X 1001's 2,350 Hangul syllables (rows 16-40) and 4,888 hanja (rows 42-93);

and charset-normalizer's lists of the most frequent characters of Chinese (100), Japanese (79)
and Korean (26), from Wikipedia (``charset_normalizer.constant.FREQUENCIES``).

Readings (``reading_score``). The bytes of a text in one of these encodings are mostly valid in
the others too (EUC-KR Hangul rows are GB 2312's level-1 rows), so validity cannot choose. Each
reading is scored by the mean natural log-probability of its characters under a coarse model of
the language the encoding writes: the frequent characters, the rest of level 1 and level 2 each
hold a share of the text (``_MODELS``) spread evenly over their characters; what the language
does not write (kana in Chinese, half-width katakana, lone Hangul jamo) is nearly impossible.
Chinese read as Korean gives Hangul mixed with rare hanja; Korean read as Chinese gives common
hanzi but almost never the frequent ones; Shift_JIS read as GB18030 gives GBK's rarest rows.

Soup (``implausible_reasons``). A font without a ToUnicode map, or with a broken one, makes a
text layer of the font's codes or glyph ids taken as Unicode: control characters and Latin-1
letters (a subset font's codes 1, 2, 3...), characters from every block of the BMP at once (a
whole font's glyph ids), private-use or unassigned code points, or hanzi that no writer uses
(``⺐想犉냉꧆``), or runs of consecutive code points (a subset font's codes in the order of
first use, ``+,-./0123456789``, which fall in ASCII). Real text keeps to a script or two, to the common characters of its script,
and, in alphabetic scripts, to words between spaces.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable

from charset_normalizer.constant import FREQUENCIES

__all__ = [
    "COMMON_HAN_SHARE",
    "han_counts",
    "implausible_reasons",
    "reading_score",
    "script_family",
]

COMMON_HAN_SHARE = 0.6
"""A text whose Han characters are less often than this among the 7,174 of level 1 of GB 2312,
Big5 or JIS X 0208 is not Chinese or Japanese writing. Measured: every page of the PRC
Constitution 1.0, three government web pages 0.994-0.999; the ideographs of the BMP taken at
random 0.34."""

# The fewest Han characters (or Hangul syllables) whose commonness is judged: with 12 drawn at
# 0.97 (print) a share under 0.6 does not happen; drawn at random (0.34), over 0.6 rarely.
_MIN_JUDGED = 12
# Control, private-use, unassigned and replacement characters: above this share of the
# non-space characters (and at least ``_MIN_ODD`` of them) the text holds codes, not letters.
# Some fonts put a rare hanzi in the private-use area, so a few are no proof.
_ODD_SHARE = 0.05
_MIN_ODD = 3
# Adjacent letters of two script families (Han and kana are one family): real text changes
# script between words, and Chinese with Latin abbreviations ("CPI上涨2.1%，PPI上涨") may do so
# at every other letter, but in two families; a whole font's glyph ids taken as code points
# change at most letters, among a dozen families.
_SWITCH_SHARE = 0.25
_MIN_FAMILIES = 3
_MIN_LETTERS = 20
# Letters of Latin-1 (À-ÿ) and its signs (¡-¿), as a share of the non-space characters: French
# or German runs at 2-5 %; bytes of GBK or of a font's codes read as Latin-1 at over half.
_LATIN1_SHARE = 0.3
_MIN_LATIN1 = 6
# Alphabetic scripts separate words with spaces (English one for five letters); 40 letters
# with under one space for 33 are a font's codes, or words run together by a broken layer.
_MIN_SPACE_SHARE = 0.03
_MIN_ALPHABETIC = 40
# A subset font without a ToUnicode map numbers its glyphs in the order the text first uses
# them, so a page of new characters reads as a run of code points (``+,-./0123456789:;<=>?@AB``,
# letters and signs of ASCII with no Han among them). Real text has a few such steps ("abc",
# "123", "st"): a third of its adjacent pairs, and 12 of them, it does not reach.
_SEQUENTIAL_SHARE = 0.33
_MIN_SEQUENTIAL = 12
_CID_PLACEHOLDER = re.compile(r"\(cid:\d+\)")
_ODD_CATEGORIES = frozenset({"Cc", "Co", "Cn", "Cs"})

# Scripts whose words are separated by spaces (name prefixes in the Unicode character names).
_ALPHABETIC = frozenset({"LATIN", "CYRILLIC", "GREEK", "ARABIC", "HEBREW", "ARMENIAN", "GEORGIAN"})
# Name prefixes that are one family: Han with the kana and bopomofo written beside it.
_FAMILIES = {
    "CJK": "CJK",
    "KANGXI": "CJK",
    "HIRAGANA": "CJK",
    "KATAKANA": "CJK",
    "BOPOMOFO": "CJK",
    "IDEOGRAPHIC": "CJK",
    "HANGUL": "HANGUL",
}


@functools.lru_cache(maxsize=65536)
def script_family(char: str) -> str | None:
    """The script family of a letter: the first word of its Unicode name (``"LATIN"``,
    ``"CYRILLIC"``, ``"ARABIC"``...), ``"CJK"`` for Han, kana and bopomofo, ``"HANGUL"``;
    None for a character that is not a letter (category L*)."""
    if not unicodedata.category(char).startswith("L"):
        return None
    prefix = unicodedata.name(char, "").partition(" ")[0]
    return _FAMILIES.get(prefix, prefix or None)


def implausible_reasons(text: str) -> list[str]:
    """Why ``text`` cannot be writing that a page shows (see the module docstring).

    Args:
        text: a page's text layer as extracted, before any cleaning (its control
            characters are evidence). Line breaks and whitespace are ignored.

    Returns:
        One sentence per failed test, with its figures, in a fixed order; empty when the text
        is plausible or too short to judge (each test has a minimum count, documented with
        its threshold).
    """
    reasons = []
    placeholders = len(_CID_PLACEHOLDER.findall(text))
    if placeholders:
        reasons.append(f"{placeholders} (cid:…) placeholder(s) for characters with no mapping")
    # Every test but one counts characters, so they run over the distinct characters once.
    counts = Counter(text)
    chars = sum(n for char, n in counts.items() if not char.isspace())
    if not chars:
        return reasons
    odd: Counter[str] = Counter()
    han = common_han = hangul = common_hangul = latin1 = alphabetic = letters = 0
    tables = _tables()
    for char, n in counts.items():
        kind = None if char.isspace() else _odd_kind(char)
        if kind is not None:
            odd[kind] += n
        elif _is_han(char):
            han += n
            common_han += n if char in tables.common_han else 0
        elif "\uac00" <= char <= "\ud7a3":
            hangul += n
            common_hangul += n if char in tables.ks_hangul else 0
        if "\u00a1" <= char <= "\u00ff":
            latin1 += n
        family = script_family(char)
        if family is not None:
            letters += n
            alphabetic += n if family in _ALPHABETIC else 0
    odd_total = sum(odd.values())
    if odd_total >= _MIN_ODD and odd_total > _ODD_SHARE * chars:
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(odd.items()))
        reasons.append(f"{odd_total} of {chars} characters are not letters of any text ({kinds})")
    if han >= _MIN_JUDGED and common_han < COMMON_HAN_SHARE * han:
        reasons.append(
            f"only {common_han / han:.0%} of its {han} Han characters are in common use "
            "(level 1 of GB 2312, Big5 or JIS X 0208)"
        )
    if hangul >= _MIN_JUDGED and common_hangul < COMMON_HAN_SHARE * hangul:
        reasons.append(
            f"only {common_hangul / hangul:.0%} of its {hangul} Hangul syllables are among the "
            "2,350 of KS X 1001"
        )
    present = sorted({family for char in counts if (family := script_family(char))})
    if letters >= _MIN_LETTERS and len(present) >= _MIN_FAMILIES:
        families = [script_family(char) for char in text]
        pairs = switches = 0
        for one, two in itertools.pairwise(families):
            if one is not None and two is not None:
                pairs += 1
                switches += one != two
        if switches > _SWITCH_SHARE * pairs:
            reasons.append(
                f"the script changes between {switches} of {pairs} adjacent letters, "
                f"among {len(present)} scripts ({', '.join(present)})"
            )
    if latin1 >= _MIN_LATIN1 and latin1 > _LATIN1_SHARE * chars:
        reasons.append(
            f"{latin1} of {chars} characters are Latin-1 letters and signs (Ä, Ö, »...): "
            "codes of a font or a legacy encoding read as Latin-1"
        )
    if alphabetic >= _MIN_ALPHABETIC and alphabetic * 2 > letters:
        spaces = counts[" "] + counts["\u00a0"]
        if spaces < _MIN_SPACE_SHARE * alphabetic:
            reasons.append(f"{alphabetic} letters of an alphabet with {spaces} spaces between them")
    if not reasons:
        # Last, for codes that pass every other test: those in ASCII look like letters.
        visible = [char for char in text if not char.isspace()]
        steps = sum(1 for one, two in itertools.pairwise(visible) if ord(two) == ord(one) + 1)
        if steps >= _MIN_SEQUENTIAL and steps > _SEQUENTIAL_SHARE * (len(visible) - 1):
            reasons.append(
                f"{steps} of {len(visible) - 1} adjacent characters are consecutive code points "
                "(+,-./012...): a font's codes in the order the text first uses its glyphs"
            )
    return reasons


def han_counts(text: str) -> tuple[int, int]:
    """``(han, common)``: how many Han characters ``text`` holds, and how many of them are in
    level 1 of GB 2312, Big5 or JIS X 0208 (compare with ``COMMON_HAN_SHARE``)."""
    common = _tables().common_han
    han = [char for char in text if _is_han(char)]
    return len(han), sum(1 for char in han if char in common)


def reading_score(text: str, language: str) -> float:
    """How well ``text`` reads as ``language``: the summed natural log-probability of its
    characters other than ASCII and whitespace under that language's coarse model (see the
    module docstring). Two readings of the same bytes compare by this sum; the difference is
    the log of how many times likelier one is.

    Args:
        text: a decoded text; only its first 200,000 characters are read.
        language: ``"zh-Hans"`` (GB 2312/GBK/GB18030), ``"zh-Hant"`` (Big5), ``"ja"``
            (Shift_JIS, EUC-JP, ISO-2022-JP) or ``"ko"`` (EUC-KR, CP949, ISO-2022-KR).

    Returns:
        0.0 for a text with no such character, else a negative number: per character about
        -6 to -8 for fair text in its own language, -9 and below for another language's bytes
        read in its encoding.

    Raises:
        KeyError: an unknown language.
    """
    model = _model(language)
    counts = Counter(char for char in text[:200_000] if ord(char) > 0x7F and not char.isspace())
    return sum(n * model(char) for char, n in counts.items())


def _odd_kind(char: str) -> str | None:
    if char == "\ufffd":
        return "replacement"
    category = unicodedata.category(char)
    if category not in _ODD_CATEGORIES:
        return None
    return {"Cc": "control", "Co": "private-use", "Cn": "unassigned", "Cs": "surrogate"}[category]


def _is_han(char: str) -> bool:
    return (
        "\u3400" <= char <= "\u9fff"
        or "\uf900" <= char <= "\ufaff"
        or "\U00020000" <= char <= "\U0003134f"
    )


class _Tables:
    """The character sets of the national standards (module docstring), built once."""

    def __init__(self) -> None:
        self.gb_1 = _han(_pairs("gb2312", range(0xB0, 0xD8), range(0xA1, 0xFF)))
        self.gb_2 = _han(_pairs("gb2312", range(0xD8, 0xF8), range(0xA1, 0xFF)))
        self.gbk = _han(_pairs("gbk", range(0x81, 0xFF), range(0x40, 0xFF))) - self.gb_1 - self.gb_2
        big5_trails = [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
        self.big5_1 = _han(_pairs("big5", range(0xA4, 0xC7), big5_trails))
        self.big5_2 = _han(_pairs("big5", range(0xC9, 0xFA), big5_trails))
        self.jis_1 = _han(_pairs("euc_jp", range(0xB0, 0xD0), range(0xA1, 0xFF)))
        self.jis_2 = _han(_pairs("euc_jp", range(0xD0, 0xF5), range(0xA1, 0xFF)))
        korean = _pairs("euc_kr", range(0xB0, 0xFE), range(0xA1, 0xFF))
        self.ks_hangul = frozenset(char for char in korean if "\uac00" <= char <= "\ud7a3")
        self.ks_hanja = _han(korean)
        self.common_han = self.gb_1 | self.big5_1 | self.jis_1


@functools.cache
def _tables() -> _Tables:
    return _Tables()


def _pairs(codec: str, leads: Iterable[int], trails: Iterable[int]) -> frozenset[str]:
    found = set()
    trails = list(trails)
    for lead in leads:
        for trail in trails:
            try:
                found.add(bytes((lead, trail)).decode(codec))
            except UnicodeDecodeError:
                continue
    return frozenset(found)


def _han(chars: Iterable[str]) -> frozenset[str]:
    return frozenset(char for char in chars if len(char) == 1 and _is_han(char))


# A language's model: tiers of characters, each with the share of running text it holds.
# The shares are round figures, not fitted: what decides a reading is the gap of several
# natural-log units between a language's frequent characters and another's rare ones.
_FREQUENT_SHARE = {"zh-Hans": 0.40, "zh-Hant": 0.40, "ja": 0.12, "ko": 0.35}
_KANA_SHARE = 0.5
# Punctuation, fullwidth forms, symbols: any CJK text uses them; one probability for all.
_SYMBOL_PROBABILITY = 0.005
# A character the language does not write, or writes once in a book.
_FOREIGN_PROBABILITY = 1e-7


@functools.cache
def _model(language: str) -> Callable[[str], float]:
    tables = _tables()
    frequent_share = _FREQUENT_SHARE[language]
    if language == "zh-Hans":
        frequent = frozenset(FREQUENCIES["Chinese"])
        tiers = [(frequent, frequent_share), (tables.gb_1, 0.57), (tables.gb_2, 0.02)]
        tiers.append((tables.gbk, 0.01))
    elif language == "zh-Hant":
        frequent = _traditional(FREQUENCIES["Chinese"])
        tiers = [(frequent, frequent_share), (tables.big5_1, 0.57), (tables.big5_2, 0.03)]
    elif language == "ja":
        frequent = frozenset(FREQUENCIES["Japanese"])
        kana = frozenset(map(chr, range(0x3041, 0x30FF)))
        tiers = [(kana, _KANA_SHARE), (frequent, frequent_share)]
        tiers += [(tables.jis_1, 0.35), (tables.jis_2, 0.03)]
    else:
        frequent = frozenset(FREQUENCIES["Korean"])
        tiers = [(frequent, frequent_share), (tables.ks_hangul, 0.6), (tables.ks_hanja, 0.03)]
    probabilities: dict[str, float] = {}
    # Earlier tiers win: a frequent character is not counted again in its level.
    for chars, share in tiers:
        members = [char for char in chars if char not in probabilities]
        for char in members:
            probabilities[char] = math.log(share / len(members))
    symbol = math.log(_SYMBOL_PROBABILITY)
    foreign = math.log(_FOREIGN_PROBABILITY)

    def log_probability(char: str) -> float:
        found = probabilities.get(char)
        if found is not None:
            return found
        if _is_symbol(char):
            return symbol
        return foreign

    return log_probability


def _is_symbol(char: str) -> bool:
    """CJK punctuation, fullwidth ASCII forms, general punctuation and Latin-1 signs."""
    return (
        "\u3000" <= char <= "\u3003"
        or "\u3008" <= char <= "\u301f"
        or "\uff01" <= char <= "\uff5e"
        or "\u2010" <= char <= "\u2027"
        or "\u00a0" <= char <= "\u00bf"
        or char in "\u00d7\u00f7\u30fb\u30fc"
    )


def _traditional(chars: Iterable[str]) -> frozenset[str]:
    # Imported here: OpenCC loads its dictionaries on first use, which only Big5 needs.
    import opencc

    converter = opencc.OpenCC("s2t")
    return frozenset(converter.convert("\n".join(chars)).split("\n"))
