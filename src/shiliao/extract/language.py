"""The language of a text, from the scripts of its letters: ``zh-Hans``, ``zh-Hant``, ``ug-Arab``,
``en``, or ``mul`` when two of them are each a real part of it.

Our sources are written in few languages, each in a script of its own, so the script decides:

- Han characters are Chinese; Traditional when at least 5 % of them are characters OpenCC's
  ``t2s`` conversion changes and these outnumber those its ``s2t`` conversion changes (Simplified
  text still holds a few ``t2s``-changed characters: 乾, 著...), Simplified otherwise;
- Arabic-script letters are Uyghur (``ug-Arab``) when at most 5 % of them are outside the
  Uyghur alphabet (the 32 letters and hamza of the Uyghur Ereb Yéziqi: it has ە and ھ where
  Arabic has ه, and no ث ح ذ ص ض ط ظ ع ة), else ``und-Arab`` (Arabic, Persian...);
- Latin letters are English (``en``): the foreign-language sources of these archives are.

The ``zh`` package has its own Simplified/Traditional test for display; ``extract`` may not import
it (see DESIGN.md, layout), so OpenCC is asked directly here, per distinct character.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter

import opencc

__all__ = ["MIXED", "detect_language"]

MIXED = "mul"
"""The BCP 47 tag of a text in more than one language (ISO 639-2 ``mul``)."""

# A Han character carries a syllable, about as much as three letters of an alphabet; scripts
# are compared by this weight, so that "GDP" in a Chinese paragraph stays a detail.
_LETTER_WEIGHT = 1 / 3
# The second script makes a text mixed at this share of the weighted letters.
_MIXED_SHARE = 0.2
_TRADITIONAL_SHARE = 0.05

_UYGHUR_ALPHABET = frozenset("اەبپتجچخدرزژسشفڭلمھوۇۆۈۋېىيقكگنغئ")
_FOREIGN_LETTER_SHARE = 0.05

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# Arabic-script letters only: not the Arabic-Indic digits, punctuation or marks, which say
# nothing of the language (Arabic, Supplement, Extended-A, presentation forms).
_ARABIC_LETTER = re.compile(
    r"[\u0620-\u064a\u0671-\u06d3\u06d5\u0750-\u077f\u08a0-\u08c9\ufb50-\ufefc]"
)
# Letters of the Latin script: ASCII, Latin-1 and Latin Extended-A/B.
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]")

_lock = threading.Lock()
_converters: dict[str, opencc.OpenCC] = {}
# Per distinct character: (t2s changes it, s2t changes it).
_changes: dict[str, tuple[bool, bool]] = {}


def detect_language(text: str, *, default: str | None = None) -> str | None:
    """Tell the language of a text by the scripts of its letters.

    Args:
        text: any text.
        default: the tag to return for a text that has no letters, and for a Chinese text
            that has no character telling Simplified from Traditional when ``default`` is a
            Chinese tag (a short passage takes its page's script this way).

    Returns:
        ``"zh-Hans"``, ``"zh-Hant"``, ``"ug-Arab"``, ``"und-Arab"`` (Arabic script that is not
        Uyghur), ``"en"``, ``"mul"`` (two scripts each at least a fifth of the text,
        Han characters weighing three letters), or ``default`` when the text has no letters.
    """
    # Regular expressions count in C; a page of text is thousands of characters.
    han = _HAN.findall(text)
    arabic_letters = _ARABIC_LETTER.findall(text)
    arabic = len(arabic_letters)
    # Presentation forms (old encodings, some PDFs) stand for the letters NFKC gives.
    uyghur = sum(
        count
        for letter, count in Counter(arabic_letters).items()
        if unicodedata.normalize("NFKC", letter) in _UYGHUR_ALPHABET
    )
    latin = len(_LATIN_LETTER.findall(text))
    weights = {
        "han": float(len(han)),
        "arabic": arabic * _LETTER_WEIGHT,
        "latin": latin * _LETTER_WEIGHT,
    }
    total = sum(weights.values())
    if total == 0:
        return default
    ranked = sorted(weights, key=weights.__getitem__, reverse=True)
    if weights[ranked[1]] >= _MIXED_SHARE * total:
        return MIXED
    if ranked[0] == "han":
        return _chinese_script(han, default)
    if ranked[0] == "arabic":
        return "ug-Arab" if arabic - uyghur <= _FOREIGN_LETTER_SHARE * arabic else "und-Arab"
    return "en"


def _chinese_script(han: list[str], default: str | None) -> str:
    counts = Counter(han)
    changes = _script_changes(list(counts))
    traditional = sum(n for char, n in counts.items() if changes[char][0])
    simplified = sum(n for char, n in counts.items() if changes[char][1])
    if traditional >= _TRADITIONAL_SHARE * len(han) and traditional > simplified:
        return "zh-Hant"
    if traditional == simplified == 0 and default in ("zh-Hans", "zh-Hant"):
        return default
    return "zh-Hans"


def _script_changes(chars: list[str]) -> dict[str, tuple[bool, bool]]:
    """Whether OpenCC's t2s and s2t change each character, taken alone (no phrase rules)."""
    with _lock:
        new = [char for char in chars if char not in _changes]
        if new:
            if not _converters:
                _converters.update(t2s=opencc.OpenCC("t2s"), s2t=opencc.OpenCC("s2t"))
            # One character per line: OpenCC converts lines independently.
            to_simplified = _converters["t2s"].convert("\n".join(new)).split("\n")
            to_traditional = _converters["s2t"].convert("\n".join(new)).split("\n")
            for char, simple, traditional in zip(new, to_simplified, to_traditional, strict=True):
                _changes[char] = (simple != char, traditional != char)
        return {char: _changes[char] for char in chars}
