"""Hypothesis strategies shared by the property tests: text that reaches the corners of the
code under test more often than ``st.text()`` alone would.
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st

# Characters with a story: Traditional forms and the Simplified ones they fold to (one of
# them, 乾, folds unlike its word), full-width forms, compatibility ideographs and characters
# that expand under NFKC (㈠, ﬁ, ㍻), case pairs with context rules (Σ, İ), a supplementary
# Traditional ideograph, quotes of both widths, spaces of several kinds, controls and a lone
# surrogate.
SPECIAL_CHARS = (
    "干幹乾團团結结體体國国龍龙語语發发後后臺台"
    "ＡＢａ１２３！＂（）　"
    "㈠㈱ﬁ㍻①⑴豈更ｶﾞ"
    "ΣσςİIıßẞ"
    "\U00020000\U0002f800\U0002a6d6"
    '"＂ \t\n\r\u00a0\u2028\u3000'
    "\x00\x7f\ufeff\ufffd\ud800"
)


def chars(*, surrogates: bool = True) -> st.SearchStrategy[str]:
    """One code point: any, or one of ``SPECIAL_CHARS`` a third of the time."""
    special = SPECIAL_CHARS if surrogates else SPECIAL_CHARS.replace("\ud800", "")
    anything = st.characters(exclude_categories=() if surrogates else ("Cs",))
    return st.one_of(st.sampled_from(special), anything, anything)


def texts(*, max_size: int = 40, surrogates: bool = True) -> st.SearchStrategy[str]:
    """Text of ``chars``."""
    return st.text(chars(surrogates=surrogates), max_size=max_size)


def scaled(fraction: float) -> int:
    """``max_examples`` for a test that costs more per example: a fraction of the profile's
    (``HYPOTHESIS_PROFILE``, tests/conftest.py), at least 10."""
    return max(10, int(settings().max_examples * fraction))
