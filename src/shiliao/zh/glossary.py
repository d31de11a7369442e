"""Finding glossary terms in text, whatever the script or width they are written in.

Terms (and their Traditional forms) are normalized like the text (``zh.normalize``: NFKC,
lower case, Traditional to Simplified) and matched with an Aho-Corasick automaton
(pyahocorasick), which research/performance.md §2 measured 37 times faster than a loop of
``str.find`` at 10,000 patterns. Offsets found in the normalized text are mapped back to the
original text, which is what is shown.

Normalizing every character of every text costs more than the matching itself, so the matcher
folds only the code points that can take part in a match: those whose normalized form contains
a character of some key (Traditional forms of the keys' characters, full-width and upper-case
forms of their letters), learned once per matcher. The matches are exactly those in the fully
normalized text (``tests/zh/test_glossary_matcher.py`` checks it against a scan); a text with a
relevant code point that expands under NFKC, or with a supplementary-plane one, takes the
full path.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from shiliao.model import Term
from shiliao.zh.normalize import normalize, normalize_char, normalize_with_offsets, t2s_table

__all__ = ["GlossaryMatcher", "Mention", "longest_mentions"]


@dataclass(frozen=True, order=True)
class Mention:
    """A term found in a text.

    Attributes:
        char_start: offset of the first character in the original text (code points).
        char_end: offset one past the last character (code points).
        term: the glossary entry's ``term`` (Simplified), whatever form the text used.
    """

    char_start: int
    char_end: int
    term: str


class GlossaryMatcher:
    """Finds every occurrence of the glossary's terms in a text.

    Args:
        terms: the glossary; each term is matched in its own form and its Traditional form.
    """

    def __init__(self, terms: Iterable[Term]) -> None:
        self._automaton = ahocorasick.Automaton()
        key_chars: set[str] = set()
        for term in terms:
            for form in (term.term, term.traditional):
                if form:
                    key = normalize(form)
                    if key:
                        self._automaton.add_word(key, (len(key), term.term))
                        key_chars.update(key)
        self._empty = len(self._automaton) == 0
        if not self._empty:
            self._automaton.make_automaton()
        self._relevant, self._folded = _relevant_changes(key_chars)

    def find(self, text: str) -> list[Mention]:
        """Find every occurrence, overlapping ones included (民族团结 inside 民族团结一家亲).

        Args:
            text: the original text.

        Returns:
            Mentions sorted by ``char_start`` then ``char_end``, with offsets into ``text``.
        """
        if self._empty or not text:
            return []
        # Only code points whose normalized form shares a character with some key can become
        # part of a match; folding just those (one scan of a small class, in C) finds exactly
        # what matching the fully normalized text finds, at the same offsets, as long as each
        # folds to one code point. Others (expansions, supplementary planes) take the full path.
        present = set(self._relevant.findall(text))
        if all(char in self._folded for char in present):
            work = text
            for char in present:
                work = work.replace(char, self._folded[char])
            # Tuples sort in C; Mention's generated ordering would run in Python per comparison.
            spans = sorted(
                {
                    (end + 1 - length, end + 1, term)
                    for end, (length, term) in self._automaton.iter(work)
                }
            )
            return [Mention(*span) for span in spans]
        normalized, offsets = normalize_with_offsets(text)
        found = {
            # The last original character of a match is the one that produced its last
            # normalized character; an expanded character (… -> ...) is included whole.
            Mention(offsets[end + 1 - length], offsets[end] + 1, term)
            for end, (length, term) in self._automaton.iter(normalized)
        }
        return sorted(found)


def _relevant_changes(key_chars: set[str]) -> tuple[re.Pattern[str], dict[str, str]]:
    """The Basic Multilingual Plane code points whose normalized form differs from them and
    contains a key character: a regex class of them (plus every supplementary code point, so
    that those take the full path) and, for those that fold to one code point, that one."""
    table = t2s_table()
    relevant: list[str] = []
    folded: dict[str, str] = {}
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        # The same quick test as normalize's: most code points cannot change.
        if char not in table and char.lower() == char and unicodedata.is_normalized("NFKC", char):
            continue
        form = normalize_char(char)
        if form != char and not key_chars.isdisjoint(form):
            relevant.append(char)
            if len(form) == 1:
                folded[char] = form
    klass = "".join(re.escape(char) for char in relevant)
    return re.compile(f"[{klass}\U00010000-\U0010ffff]"), folded


def longest_mentions(mentions: Iterable[Mention]) -> list[Mention]:
    """Keep the longest mention at each place, dropping those that overlap a longer or earlier one.

    Used where a term is linked in text: 民族团结一家亲 is linked once, not also 民族团结 inside it.

    Args:
        mentions: any mentions of one text.

    Returns:
        Non-overlapping mentions sorted by ``char_start``; leftmost first, longest at a tie.
    """
    chosen: list[Mention] = []
    end = -1
    for mention in sorted(mentions, key=lambda m: (m.char_start, -(m.char_end - m.char_start))):
        if mention.char_start >= end:
            chosen.append(mention)
            end = mention.char_end
    return chosen
