"""Telling Simplified from Traditional Chinese text, for the BCP 47 tag shown with it."""

from __future__ import annotations

import functools

from shiliao.zh.normalize import t2s_table

__all__ = ["chinese_script", "is_han"]

# A text is Traditional when this share of its Han characters has a distinct Simplified form;
# Simplified text still has a few (surnames, 乾/干), so the threshold is not zero.
_TRADITIONAL_SHARE = 0.05


@functools.cache
def _traditional_chars() -> frozenset[str]:
    # t2s_table() hands out a fresh copy; this is called once per passage when a site is built.
    return frozenset(t2s_table())


def is_han(char: str) -> bool:
    """Whether one character is a CJK unified or compatibility ideograph."""
    code = ord(char)
    return (
        0x3400 <= code <= 0x4DBF
        or 0x4E00 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x3134F
    )


def chinese_script(text: str) -> str | None:
    """Decide whether a Chinese text is written in Simplified or Traditional characters.

    Args:
        text: any text.

    Returns:
        ``"zh-Hant"`` when at least 5 % of its Han characters are Traditional forms (OpenCC's
        t2s table changes them), ``"zh-Hans"`` for other text with Han characters, None for
        text without any.
    """
    table = _traditional_chars()
    han = traditional = 0
    for char in text:
        if is_han(char):
            han += 1
            if char in table:
                traditional += 1
    if han == 0:
        return None
    return "zh-Hant" if traditional / han >= _TRADITIONAL_SHARE else "zh-Hans"
