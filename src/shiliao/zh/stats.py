"""Term statistics: frequency per year and collocates, on normalized text.

Frequencies are counts of non-overlapping occurrences (``str.count``) in ``zh.normalize``d text,
so Traditional and Simplified forms count together, and relative frequency is per 10,000
characters (code points) of the text of that year, the unit corpus linguists use for Chinese.

Collocates are the words that occur near a term more often than chance: the words within a
window of ``window`` words on each side of every occurrence (words as the jieba segmenter cuts
the text), scored by the log-likelihood ratio G² (Dunning 1993, "Accurate methods for the
statistics of surprise and coincidence") on the 2x2 table of (in the window or not) x (this
word or another), and by pointwise mutual information (PMI, log2) for reference. Only words
more frequent near the term than expected are kept.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "COLLOCATION_MEASURE",
    "Collocate",
    "CollocationCounter",
    "YearCount",
    "count_occurrences",
    "log_likelihood",
    "yearly_frequency",
]

COLLOCATION_MEASURE = "log-likelihood G2 (Dunning 1993); PMI (log2) also given"


@dataclass(frozen=True)
class YearCount:
    """How often a term occurs in one year's texts.

    Attributes:
        year: the year (of the sources' dates).
        count: occurrences (absolute, non-overlapping).
        chars: characters (code points) of text of that year: the denominator.
        per_10k: ``count / chars * 10,000``, rounded to 4 decimals; 0.0 when ``chars`` is 0.
    """

    year: int
    count: int
    chars: int
    per_10k: float

    def to_json(self) -> dict[str, int | float]:
        """``{"year", "count", "chars", "per_10k"}``."""
        return {
            "year": self.year,
            "count": self.count,
            "chars": self.chars,
            "per_10k": self.per_10k,
        }


def count_occurrences(normalized_text: str, normalized_term: str) -> int:
    """Non-overlapping occurrences of a term in a text (both already normalized).

    Args:
        normalized_text: ``zh.normalize(text)``.
        normalized_term: ``zh.normalize(term)``; must not be empty.

    Returns:
        ``normalized_text.count(normalized_term)`` (哈哈 occurs once in 哈哈哈).

    Raises:
        ValueError: the term is empty.
    """
    if not normalized_term:
        raise ValueError("the term is empty")
    return normalized_text.count(normalized_term)


def yearly_frequency(counts: Mapping[int, int], sizes: Mapping[int, int]) -> list[YearCount]:
    """Absolute and relative frequency per year.

    Args:
        counts: year -> occurrences of the term.
        sizes: year -> characters of text of that year (every year with text, so that years
            where the term is absent appear with 0).

    Returns:
        One ``YearCount`` per year of ``sizes`` or ``counts``, ascending.
    """
    rows = []
    for year in sorted(set(sizes) | set(counts)):
        chars = sizes.get(year, 0)
        count = counts.get(year, 0)
        per_10k = round(count / chars * 10_000, 4) if chars else 0.0
        rows.append(YearCount(year=year, count=count, chars=chars, per_10k=per_10k))
    return rows


def log_likelihood(o11: int, o12: int, o21: int, o22: int) -> float:
    """Dunning's log-likelihood ratio G² of a 2x2 contingency table.

    ``G² = 2 * sum(O * ln(O / E))`` over the four cells, with ``E`` the count expected if rows
    and columns were independent; a cell with ``O == 0`` adds nothing.

    Args:
        o11: the word in the window.
        o12: other words in the window.
        o21: the word outside the window.
        o22: other words outside the window.

    Returns:
        G² (0.0 or more); about 3.84 is p < 0.05 and 10.83 is p < 0.001 (one degree of freedom).
    """
    total = o11 + o12 + o21 + o22
    if total == 0:
        return 0.0
    rows = (o11 + o12, o21 + o22)
    cols = (o11 + o21, o12 + o22)
    g2 = 0.0
    for observed, row, col in ((o11, 0, 0), (o12, 0, 1), (o21, 1, 0), (o22, 1, 1)):
        if observed:
            expected = rows[row] * cols[col] / total
            g2 += observed * math.log(observed / expected)
    return 2.0 * g2


@dataclass(frozen=True)
class Collocate:
    """A word found near a term more often than chance.

    Attributes:
        word: the word (normalized).
        together: its occurrences within the window of the term.
        total: its occurrences in the whole corpus.
        expected: occurrences within the window expected by chance.
        g2: log-likelihood ratio G² (Dunning 1993); the ranking measure.
        pmi: pointwise mutual information, log2(together / expected).
    """

    word: str
    together: int
    total: int
    expected: float
    g2: float
    pmi: float

    def to_json(self) -> dict[str, object]:
        """``{"word", "together", "total", "expected", "g2", "pmi"}`` (floats to 3 decimals)."""
        return {
            "word": self.word,
            "together": self.together,
            "total": self.total,
            "expected": round(self.expected, 3),
            "g2": round(self.g2, 3),
            "pmi": round(self.pmi, 3),
        }


def _is_word(token: str) -> bool:
    return any(char.isalnum() for char in token)


class CollocationCounter:
    """A segmented corpus, for finding the collocates of any number of terms.

    Args:
        texts: the corpus, each text already normalized (``zh.normalize``).
        segment: the word segmenter (``zh.segment.Segmenter().segment``); its words must
            concatenate back to the text.

    Segmenting is the costly step (about 25 MB/s with rjieba): done once here, then each
    ``collocates`` call only scans for the term.
    """

    def __init__(self, texts: Iterable[str], segment: Callable[[str], list[str]]) -> None:
        self._texts: list[str] = []
        self._tokens: list[list[tuple[int, int, str]]] = []
        self._frequency: Counter[str] = Counter()
        # The vocabulary is far smaller than the corpus: decide once per distinct token.
        is_word: dict[str, bool] = {}
        for text in texts:
            tokens = []
            at = 0
            for word in segment(text):
                end = at + len(word)
                keep = is_word.get(word)
                if keep is None:
                    keep = is_word[word] = _is_word(word)
                if keep:
                    tokens.append((at, end, word))
                at = end
            self._texts.append(text)
            self._tokens.append(tokens)
            self._frequency.update(word for _, _, word in tokens)
        self._size = sum(self._frequency.values())

    @property
    def size(self) -> int:
        """Words in the corpus (punctuation and whitespace not counted)."""
        return self._size

    def collocates(
        self, term: str, window: int = 5, min_together: int = 3, limit: int | None = 20
    ) -> list[Collocate]:
        """The words most associated with a term, by G² (Dunning 1993).

        Args:
            term: the node, normalized; found as a substring, whatever the segmenter did with it.
            window: words on each side of an occurrence; words overlapping the occurrence are
                not counted.
            min_together: the fewest co-occurrences for a word to be listed.
            limit: the most collocates to return; None for all.

        Returns:
            Collocates with more co-occurrences than expected, by G² (highest first), then word.

        Raises:
            ValueError: the term is empty or the window is less than 1.
        """
        if not term:
            raise ValueError("the term is empty")
        if window < 1:
            raise ValueError(f"the window must be at least 1 word, got {window}")
        together: Counter[str] = Counter()
        for text, tokens in zip(self._texts, self._tokens, strict=True):
            # A word in the windows of two nearby occurrences is counted once, so that no
            # word is counted in windows more often than it occurs.
            near: set[int] = set()
            at = text.find(term)
            while at >= 0:
                near.update(_window_indices(tokens, at, at + len(term), window))
                at = text.find(term, at + len(term))
            together.update(tokens[i][2] for i in near)
        in_windows = sum(together.values())
        found = []
        for word, o11 in together.items():
            total = self._frequency[word]
            if o11 < min_together:
                continue
            expected = in_windows * total / self._size
            if o11 <= expected:
                continue
            o12 = in_windows - o11
            o21 = total - o11
            o22 = self._size - o11 - o12 - o21
            found.append(
                Collocate(
                    word=word,
                    together=o11,
                    total=total,
                    expected=expected,
                    g2=log_likelihood(o11, o12, o21, max(o22, 0)),
                    pmi=math.log2(o11 / expected),
                )
            )
        found.sort(key=lambda c: (-c.g2, c.word))
        return found if limit is None else found[:limit]


def _window_indices(
    tokens: Sequence[tuple[int, int, str]], start: int, end: int, window: int
) -> list[int]:
    """Indices of up to ``window`` tokens ending by ``start`` and starting from ``end``."""
    first_after = bisect.bisect_left(tokens, end, key=lambda token: token[0])
    last_before = bisect.bisect_right(tokens, start, key=lambda token: token[1])
    return list(range(max(0, last_before - window), last_before)) + list(
        range(first_after, min(len(tokens), first_after + window))
    )
