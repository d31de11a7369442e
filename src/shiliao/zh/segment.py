"""Word segmentation of Chinese text with jieba's dictionary, through rjieba (jieba-rs).

rjieba gives jieba's output 20 times faster than jieba itself on this project's corpus
(research/performance.md §1: 99.95 % identical token lists). Segmentation is never what search
depends on for finding a word (the index is character bigrams, see ``shiliao.search``); it is
used for ranking, collocates and term analysis, where words are the unit.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from types import ModuleType
from typing import Any

__all__ = ["Segmenter", "has_word", "tag_words"]


def _rjieba() -> ModuleType:
    """rjieba, imported on first use: it loads jieba's dictionary (about 0.1 s), which a
    command that segments nothing (a search of the archive, ``--help``) need not pay."""
    return importlib.import_module("rjieba")


class Segmenter:
    """A jieba segmenter that also knows the glossary's terms as words.

    Args:
        words: extra words (e.g. glossary terms) that must come out whole; added to this
            segmenter's own dictionary, not to a process-wide one.
    """

    def __init__(self, words: Iterable[str] = ()) -> None:
        self._jieba: Any = _rjieba().Jieba()
        for word in words:
            if word:
                self._jieba.add_word(word, None, None)

    def segment(self, text: str) -> list[str]:
        """Cut ``text`` into words.

        Args:
            text: any text.

        Returns:
            The words in order; their concatenation is exactly ``text`` (whitespace and
            punctuation come out as tokens of their own).
        """
        return list(self._jieba.cut(text, hmm=True))


def tag_words(text: str) -> list[tuple[str, str]]:
    """Cut ``text`` into words with jieba's part-of-speech tags (ICTCLAS tag set: ``n`` noun,
    ``nr`` person name, ``v`` verb, ``t`` time word, ``r`` pronoun...).

    Args:
        text: any text.

    Returns:
        ``(word, tag)`` pairs in order; the words concatenate to ``text``.
    """
    return [(word, tag) for word, tag in _rjieba().tag(text)]


def has_word(word: str) -> bool:
    """Whether ``word`` is in jieba's dictionary."""
    return bool(_rjieba().has_word(word))
