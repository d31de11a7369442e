"""Hanyu Pinyin: written for a term when the glossary gives none, and folded into lookup keys.

Automatic pinyin (pypinyin, per character, with its phrase dictionary) is wrong for some terms
the glossary cares about (克孜勒苏 is Kèzīlèsū, not kè zī lēi sū; 亲戚 is qīnqi), so it is only a
fill-in: ``zh.entries.complete_term`` never replaces the glossary's own pinyin.

Lookup keys let a reader type pinyin any way they like: ``jieqin``, ``jié qīn``, ``jie2 qin1``,
``Jiéqīn`` all fold to ``jieqin`` (``pinyin_key``). English renderings fold the same way, but
keep their digits (``english_key``), so ``Four Togethers`` and ``four-togethers`` are one key.
"""

from __future__ import annotations

import re
import unicodedata

from shiliao.zh.script import is_han
from shiliao.zh.segment import Segmenter

__all__ = ["english_key", "pinyin_key", "pinyin_of", "pinyin_sort_key"]

# Pinyin orthography: a syllable that starts with a, o or e inside a word takes an apostrophe
# (Xī'ān, Wéiwú'ěr), or the syllable boundary is lost.
_VOWEL_START = re.compile(r"^[aoeāáǎàōóǒòēéěè]", re.IGNORECASE)
_segmenter: Segmenter | None = None


def _words(text: str) -> list[str]:
    global _segmenter
    if _segmenter is None:
        _segmenter = Segmenter()
    return _segmenter.segment(text)


def pinyin_of(text: str) -> str:
    """Automatic Hanyu Pinyin with tone marks, syllables grouped by word.

    Words come from the jieba segmenter (``zh.segment``); within a word the syllables are joined
    (with an apostrophe before a syllable starting with a, o or e), and words are separated by
    one space, the glossary's own style (``精准扶贫`` gives ``jīngzhǔn fúpín``). Characters that
    are not Han are kept as they are.

    Args:
        text: a term, usually a few Han characters.

    Returns:
        The pinyin; empty for empty text. Readings come from pypinyin's dictionary (per
        character, with its phrase table for polyphones) and are sometimes wrong for names and
        neutral tones: use it only where no human-written pinyin exists.
    """
    # Imported on first use: pypinyin loads its phrase dictionary (about 0.2 s), which a
    # command that shows no pinyin need not pay.
    from pypinyin import Style, lazy_pinyin

    words: list[str] = []
    for word in _words(text):
        if word.isspace():
            continue
        if not any(is_han(char) for char in word):
            words.append(word)
            continue
        syllables = lazy_pinyin(word, style=Style.TONE, errors=lambda chars: [chars])
        joined = syllables[0]
        for syllable in syllables[1:]:
            joined += ("'" if _VOWEL_START.match(syllable) else "") + syllable
        words.append(joined)
    return " ".join(words)


def pinyin_sort_key(text: str) -> tuple[tuple[str, ...], tuple[int, ...], str]:
    """The key that puts texts in pinyin order, as Chinese dictionaries and indexes are.

    Each Han character is read as its pypinyin syllable (with the phrase table for polyphones),
    any other letter or digit as itself, folded (case and accents dropped); spaces, punctuation
    and symbols are ignored. Texts compare by their syllables' letters first, then by their
    tones (1-4, 5 the neutral tone), then by the text itself: ``阿`` (ā) before ``白`` (bái)
    before ``中`` (zhōng), and Latin words interleave by their letters (``Annual`` before
    ``白``). ``ü`` sorts as pypinyin writes it, ``v``, after ``u``.

    Args:
        text: a title or a name.

    Returns:
        ``(syllables, tones, text)``, comparable with ``<``.
    """
    letters: list[str] = []
    tones: list[int] = []
    from pypinyin import Style, lazy_pinyin

    readings = lazy_pinyin(
        text, style=Style.TONE3, neutral_tone_with_five=True, errors=lambda chars: list(chars)
    )
    word = False  # whether the last item is a run of letters and digits still being read
    # One reading per character: a Han character's syllable ends with its tone digit.
    for char, reading in zip(text, readings, strict=False):
        if is_han(char) and reading[-1:].isdigit() and len(reading) > 1:
            letters.append(reading[:-1])
            tones.append(int(reading[-1]))
            word = False
        elif char.isalnum():
            if word:
                letters[-1] += _fold(char)
            else:
                letters.append(_fold(char))
                tones.append(0)
            word = True
        else:
            word = False
    return tuple(letters), tuple(tones), text


def _fold(text: str) -> str:
    # NFKD splits ǚ into u + two combining marks; dropping the marks (category Mn) leaves the
    # bare letters. lower(), not casefold(): the site's script folds with toLowerCase(), and
    # the two must give the same keys.
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()


def pinyin_key(text: str) -> str:
    """Fold pinyin to a lookup key: lower-case letters a-z only.

    Tone marks and tone numbers, spaces, hyphens and apostrophes are dropped, and ``ü`` (or the
    ``v`` that keyboards use for it) becomes ``u``: ``Jié qīn``, ``jie2qin1`` and ``JIEQIN`` all
    give ``jieqin``; ``Fùnǚ`` and ``funv`` give ``funu``.

    Args:
        text: pinyin as written or typed.

    Returns:
        The key; empty when ``text`` has no Latin letter.
    """
    return re.sub(r"[^a-z]", "", _fold(text)).replace("v", "u")


def english_key(text: str) -> str:
    """Fold an English rendering (or a Latin-script name) to a lookup key.

    Case, accents, spaces and punctuation are dropped; letters a-z and digits are kept:
    ``"Four Togethers"``, ``four-togethers`` and ``FOUR TOGETHERS`` give ``fourtogethers``,
    ``"'focus' population"`` gives ``focuspopulation``, ``Ürümqi`` gives ``urumqi``.

    Args:
        text: the rendering as written or typed.

    Returns:
        The key; empty when ``text`` has no Latin letter or digit.
    """
    return re.sub(r"[^a-z0-9]", "", _fold(text))
