"""Folding for search: Traditional and Simplified forms find each other, distinct words do not.

``zh.normalize`` folds each code point on its own, so it merges every Traditional character
into its Simplified form: 乾 (the Qianlong emperor's 乾) becomes 干 and a search for 乾隆 would
find 干部; 髮 (hair) and 發 (to issue) both become 发. Search folds with this module instead.
Its rules, for a text (``fold``) and for a query (``fold_query``):

1. Every code point is normalized as ``zh.normalize`` does (NFKC, lower case, Traditional to
   Simplified per character with OpenCC's ``t2s`` and the variants it leaves alone: 鎗 → 枪,
   鬭 → 斗, 裡 → 里).
2. Where that gives a Simplified character that stands for several Traditional characters that
   are distinct words (``choices`` of ``zh.normalize.folding_tables``: 发 for 發/髮, 干 for
   幹/乾/干, 后 for 後/后, 面 for 面/麪, 只 for 只/隻/祇, 钟 for 鍾/鐘, 于 for 於/于; 135 of
   them, from OpenCC's ``STCharacters`` and Unihan's ``kTraditionalVariant``), the text keeps
   the Traditional character instead (its label; 麵 and 麪 share the label 麪):
   - a Traditional character in the text is its own label (乾 stays 乾 in 乾隆 and 乾燥);
   - a Simplified one gets the label OpenCC's ``s2t`` gives it in its word, the words being
     those the jieba segmenter (``zh.segment``) cuts from the normalized text (干部 → 幹,
     干燥 → 乾, 干涉 → 干; 头发 → 髮, 发展 → 發; OpenCC's characters' first candidate where
     no phrase says otherwise: 发 alone is 發).
3. ``著``, which Taiwan writes both for 着 (看著, 著急) and for 著 (著名), gets the label OpenCC's
   ``tw2t`` gives it in its word, after ``s2t`` (``regional`` of the tables): 着 unless the
   word is one of OpenCC's exceptions (著名, 顯著, 著作...).
4. In a query, such a Simplified character (or 著) stands for all its labels (发 matches 發 and
   髮) and every other character for its own fold. A query matches where its units occur with
   one allowed label at each position (``unit_pattern``).

So 乾隆 finds 乾隆 in both scripts and never 干部 (幹部); 乾燥 finds 干燥; 干 finds all three;
头髮 finds 头发 but not 发展; 看著 finds 看着; 鬭 finds 斗. A literal substring of a text always
matches it: every label the text can carry is one its own characters allow in a query.

The folded text has one code point for each code point of ``normalize(text)``, so
``normalize_with_offsets``'s offsets serve it too. Unlike ``normalize``, ``fold`` is not
per code point: a Simplified character's label depends on its phrase, so the site ships the
labels that differ from a character's default (``overrides``) with each passage.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Callable

import opencc

from shiliao.zh.normalize import folding_tables, normalize, normalize_with_offsets, t2s_table
from shiliao.zh.segment import Segmenter

__all__ = [
    "fold",
    "fold_query",
    "fold_table",
    "fold_with_offsets",
    "overrides",
    "query_choices",
    "unit_choices",
    "unit_pattern",
]

_segmenter: Segmenter | None = None
_SEPARATORS = ("\n", "\x1f", "\x1e", "\x1d")
_converters: dict[str, opencc.OpenCC] = {}
_converters_lock = threading.Lock()


def _convert(config: str, text: str) -> str:
    converter = _converters.get(config)
    if converter is None:
        with _converters_lock:
            converter = _converters.setdefault(config, opencc.OpenCC(config))
    return converter.convert(text)


@functools.cache
def _rules() -> tuple[dict[str, str], dict[str, str], frozenset[str], re.Pattern[str]]:
    """The default label of each code point whose label differs from its normalized form; what
    each special character of a query unit stands for; the regional characters; and a regex
    finding the normalized characters whose label may differ from them."""
    tables = folding_tables()
    choices: dict[str, str] = tables["choices"]
    labels: dict[str, str] = tables["labels"]
    regional: dict[str, str] = tables["regional"]
    t2s = t2s_table()
    default: dict[str, str] = {}
    for simple, options in choices.items():
        if options[0] != simple:
            default[simple] = options[0]
    for char, simple in t2s.items():
        if simple in choices and char not in choices:
            label = labels.get(char, char)
            # A label outside the choices would be one that no query character allows.
            default[char] = label if label in choices[simple] else choices[simple][0]
    stands_for = dict(choices)
    for char, reading in regional.items():
        stands_for[char] = char + reading
    special = re.compile("[" + "".join(map(re.escape, stands_for)) + "]")
    return default, stands_for, frozenset(regional), special


def _typed(text: str, normalized: str) -> Callable[[int], str]:
    # The code point at a position of normalize(text) before its Traditional-to-Simplified step.
    if len(normalized) == len(text):
        return lambda at: unicodedata.normalize("NFKC", text[at]).lower()
    before = "".join(unicodedata.normalize("NFKC", char).lower() for char in text)
    return before.__getitem__


def _labels(text: str) -> tuple[str, dict[int, str], Callable[[int], str]]:
    """normalize(text), the label of each position whose label may differ from it, and the
    typed character at a position."""
    normalized = normalize(text)
    default, stands_for, regional, special = _rules()
    found = [m.start() for m in special.finditer(normalized)]
    typed_at = _typed(text, normalized)
    labels: dict[int, str] = {}
    for at in found:
        typed = typed_at(at)
        if typed != normalized[at] or typed not in stands_for:
            label = default.get(typed, normalized[at])
        else:
            # The Taiwan rules read Traditional phrases (顯著, not 显著): s2t first.
            context = _phrase_forms(normalized, typed in regional)
            label = folding_tables()["labels"].get(context[at], context[at])
            if label not in stands_for[typed]:
                label = typed if typed in regional else stands_for[typed][0]
        labels[at] = label
    return normalized, labels, typed_at


@functools.lru_cache(maxsize=64)
def _phrase_forms(normalized: str, regional: bool) -> str:
    # OpenCC's s2t (then tw2t for Taiwan forms), word by word as jieba cuts the text: OpenCC's
    # own greedy longest match reads 维护发展 as 维/护发/展 (護髮, hair care), jieba as 维护/发展.
    # A control character that the text lacks, put between words, keeps every OpenCC phrase
    # inside one word. The dictionaries never change a phrase's length; a text whose conversion
    # did would get no context (default labels).
    separator = next((c for c in _SEPARATORS if c not in normalized), None)
    if separator is None:
        return normalized
    global _segmenter
    if _segmenter is None:
        _segmenter = Segmenter()
    converted = _convert("s2t", separator.join(_segmenter.segment(normalized)))
    if regional:
        converted = _convert("tw2t", converted)
    converted = converted.replace(separator, "")
    return converted if len(converted) == len(normalized) else normalized


def fold(text: str) -> str:
    """Fold a text for the search index (the rules of the module docstring).

    Args:
        text: any text.

    Returns:
        The folded text, one code point for each code point of ``normalize(text)``:
        ``fold("干部和乾隆")`` is ``"幹部和乾隆"``, ``fold("頭髮")`` is ``"头髮"``.
    """
    normalized, labels, _ = _labels(text)
    if not labels:
        return normalized
    chars = list(normalized)
    for at, label in labels.items():
        chars[at] = label
    return "".join(chars)


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Fold a text and map each folded code point back to the original.

    Returns:
        ``(fold(text), offsets)`` with the offsets of ``normalize_with_offsets(text)``, which
        fit the folded text as well (see there).
    """
    return fold(text), normalize_with_offsets(text)[1]


def overrides(text: str) -> dict[int, str]:
    """Where ``fold(text)`` differs from folding each code point alone (``fold_table``).

    The site's script folds passages with ``fold_table`` and these, since it has no phrase
    dictionary.

    Returns:
        Position in ``normalize(text)`` -> label, for the positions whose label came from
        their phrase and is not the character's default (头发 gives ``{1: "髮"}``).
    """
    normalized, labels, typed_at = _labels(text)
    default = _rules()[0]
    return {
        at: label
        for at, label in labels.items()
        if label != default.get(typed_at(at), normalized[at])
    }


def fold_table() -> dict[str, str]:
    """The default label of each code point (after NFKC and lower case) whose label differs
    from its ``normalize`` form: 发 → 發 (OpenCC's default), 乾 → 乾, 麵 → 麪.

    Returns:
        A new dict; with ``t2s_table`` and ``overrides`` it gives ``fold`` per code point.
    """
    return dict(_rules()[0])


def query_choices() -> dict[str, str]:
    """The characters that stand for several labels in a query unit, with those labels.

    Returns:
        A new dict: ``{"发": "發髮", "干": "幹乾干", "著": "著着", ...}``.
    """
    return dict(_rules()[1])


def fold_query(text: str) -> str:
    """Fold a query's text: like ``fold``, but each character that stands for several labels
    (``query_choices``: 发, 干, 著...) is kept as typed.

    Args:
        text: a query unit as typed.

    Returns:
        One code point for each code point of ``normalize(text)``; ``fold_query("乾燥 干燥")``
        is ``"乾燥 干燥"``, ``fold_query("頭髮")`` is ``"头髮"``, ``fold_query("團結")`` is
        ``"团结"``.
    """
    normalized = normalize(text)
    default, stands_for, _, special = _rules()
    found = [m.start() for m in special.finditer(normalized)]
    if not found:
        return normalized
    typed_at = _typed(text, normalized)
    chars = list(normalized)
    for at in found:
        typed = typed_at(at)
        if typed == normalized[at] and typed in stands_for:
            continue
        chars[at] = default.get(typed, normalized[at])
    return "".join(chars)


def unit_choices(unit: str) -> list[str]:
    """The labels each position of a folded query unit allows.

    Args:
        unit: a unit folded with ``fold_query``.

    Returns:
        One string per code point of ``unit``: its labels (``"發髮"`` for 发), or the code point.
    """
    stands_for = _rules()[1]
    return [stands_for.get(char, char) for char in unit]


@functools.lru_cache(maxsize=1024)
def unit_pattern(unit: str) -> re.Pattern[str]:
    """A regular expression that finds a folded query unit in folded text.

    Args:
        unit: a unit folded with ``fold_query``.

    Returns:
        The compiled pattern: ``unit_pattern("头发")`` is ``头[發髮]``.
    """
    return re.compile(
        "".join(
            re.escape(options) if len(options) == 1 else f"[{re.escape(options)}]"
            for options in unit_choices(unit)
        )
    )
