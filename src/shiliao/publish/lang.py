"""Escaping text from sources into HTML, with the language of every Chinese string marked.

The page's ``<html>`` is ``lang="en"``; every run of Han characters shown must sit inside an
element with ``lang="zh-Hans"`` or ``lang="zh-Hant"`` so that browsers pick Chinese fonts and
screen readers a Chinese voice, and Uyghur in Arabic script needs ``lang="ug-Arab"
dir="rtl"``. These helpers are the only places besides ``section.py`` that make HTML from text:
each escapes the text first (``markupsafe.escape``) and only then adds its own elements, so
text from a source can never open an element or leave an attribute.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache

import opencc
from markupsafe import Markup, escape

from shiliao.model import Term
from shiliao.zh.glossary import Mention
from shiliao.zh.script import chinese_script

__all__ = [
    "CHINESE_TAGS",
    "direction",
    "mark_chinese",
    "passage_markup",
    "term_hint",
    "text_lang",
]

CHINESE_TAGS = frozenset({"zh-Hans", "zh-Hant"})
# Primary subtags of languages written right to left (the Arabic-script Uyghur of the sources,
# and the scripts a future source may bring).
_RTL = frozenset({"ar", "fa", "he", "ps", "ur", "yi"})

_HAN = "\u3005\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# CJK symbols and punctuation and the full-width forms: inside a run they belong to it.
_CJK_PUNCTUATION = "\u3000-\u303f\uff00-\uffef"
# A run starts at a Han character and goes on through Han characters and CJK punctuation;
# spaces, digits and ASCII punctuation stay inside only between Chinese text (北京 (一大),
# 2016年10月 keeps 10 inside), and a letter of another script ends it.
_HAN_RUN = re.compile(
    rf"[{_HAN}](?:[{_HAN}{_CJK_PUNCTUATION}]|[\s\d!-/:-@\[-`{{-~]+(?=[{_HAN}{_CJK_PUNCTUATION}]))*"
)


def text_lang(text: str, hint: str | None = None) -> str | None:
    """The BCP 47 tag for a string's Chinese text.

    Args:
        text: the string.
        hint: the language its source declares. ``zh-Hant`` is used for a string that
            ``chinese_script`` calls Simplified only because all its characters are shared by
            both scripts (a short title such as 中央委員 is detected as such, 中央 alone is not):
            a string with a Simplified-only character (陈, 报) stays ``zh-Hans``.

    Returns:
        ``"zh-Hant"`` or ``"zh-Hans"`` for a string with Han characters, None for one without.
    """
    detected = chinese_script(text)
    if detected == "zh-Hans" and hint == "zh-Hant" and _to_traditional().convert(text) == text:
        return "zh-Hant"
    return detected


@cache
def _to_traditional() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def direction(lang: str | None) -> str | None:
    """``"rtl"`` for a language written right to left (``ug-Arab``, ``ar``...), else None."""
    if not lang:
        return None
    primary, _, rest = lang.partition("-")
    if primary.lower() == "ug":
        # Uyghur is written in Arabic script unless a script subtag says otherwise (ug-Latn).
        return "rtl" if not rest or rest.lower().startswith("arab") else None
    return "rtl" if primary.lower() in _RTL or "-arab" in lang.lower() else None


def mark_chinese(text: object, hint: str | None = None) -> Markup:
    """Escape a string for HTML and wrap each run of Han characters in ``<span lang>``.

    Args:
        text: the string (anything else is converted with ``str``; None gives an empty string).
        hint: the language its source declares (see ``text_lang``).

    Returns:
        Safe HTML: ``北京 <b>`` gives ``<span lang="zh-Hans">北京</span> &lt;b&gt;``. The tag of
        all runs is decided once, for the whole string.
    """
    if text is None:
        return Markup("")
    value = str(text)
    lang = text_lang(value, hint)
    if lang is None:
        return escape(value)
    parts: list[Markup] = []
    position = 0
    for match in _HAN_RUN.finditer(value):
        parts.append(escape(value[position : match.start()]))
        parts.append(Markup('<span lang="{}">{}</span>').format(lang, match.group()))
        position = match.end()
    parts.append(escape(value[position:]))
    return Markup("").join(parts)


def term_hint(term: Term) -> str:
    """What a term's link shows on hover or tap: ``"jiéqīn · pair up and become family"``
    (its pinyin, then its English renderings joined by ``"; "``), the ``title`` of term links
    in essays; ``assets/terms.js`` shows the same on every page."""
    return " · ".join(part for part in (term.pinyin, "; ".join(term.english)) if part)


def passage_markup(
    text: str,
    mentions: Sequence[Mention],
    term_url: Callable[[str], str | None],
    lang: str | None,
) -> Markup:
    """Escape a passage's text and link the glossary terms it mentions.

    Args:
        text: the passage's original text.
        mentions: non-overlapping mentions sorted by ``char_start`` (``longest_mentions``),
            with offsets into ``text`` in code points.
        term_url: the relative URL of a term's page, or None for an unknown term (left as text).
        lang: the ``lang`` of the element the passage is shown in; when it is not Chinese, Han
            runs are wrapped as ``mark_chinese`` does.

    Returns:
        Safe HTML; a mention becomes ``<a class="term" href="...">原文</a>`` showing the text
        as the passage writes it (Traditional stays Traditional); ``assets/terms.js`` gives it
        the term's pinyin and English on hover or tap.
    """
    inside_chinese = lang in CHINESE_TAGS

    def plain(piece: str) -> Markup:
        return escape(piece) if inside_chinese else mark_chinese(piece)

    parts: list[Markup] = []
    position = 0
    for mention in mentions:
        url = term_url(mention.term)
        if url is None or mention.char_start < position:
            continue
        shown = text[mention.char_start : mention.char_end]
        parts.append(plain(text[position : mention.char_start]))
        if inside_chinese:
            parts.append(Markup('<a class="term" href="{}">{}</a>').format(url, shown))
        else:
            parts.append(
                Markup('<a class="term" href="{}" lang="{}">{}</a>').format(
                    url, text_lang(shown) or "zh-Hans", shown
                )
            )
        position = mention.char_end
    parts.append(plain(text[position:]))
    return Markup("").join(parts)
