"""Completing a glossary entry: its Traditional form and pinyin, filled in where it has none.

The glossary file is the source of truth. When an entry gives no ``traditional`` form, OpenCC's
``s2t`` conversion of the whole term (phrase-level, so 干部 becomes 幹部 and not 乾部) fills
it in; when it gives no ``pinyin``, ``zh.pinyin.pinyin_of`` does. A value the glossary gives is
never replaced, and every value filled in is named in ``Term.auto_filled``, so that exports and
pages can say which values no person has checked.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable

import opencc

from shiliao.model import Term
from shiliao.zh.pinyin import pinyin_of

__all__ = ["complete_term", "complete_terms", "to_traditional"]

_lock = threading.Lock()
_s2t: opencc.OpenCC | None = None


def to_traditional(text: str) -> str:
    """Convert Simplified Chinese to Traditional with OpenCC's ``s2t`` configuration.

    Conversion is phrase-level (OpenCC's dictionaries pick 幹部 for 干部 and 乾燥 for 干燥),
    unlike the per-character ``zh.normalize`` table, which only folds the other way.

    Args:
        text: any text.

    Returns:
        The text with Simplified characters replaced; other characters unchanged.
    """
    global _s2t
    if _s2t is None:
        with _lock:
            if _s2t is None:
                _s2t = opencc.OpenCC("s2t")
    return _s2t.convert(text)


def complete_term(term: Term) -> Term:
    """Fill in a term's Traditional form and pinyin where the glossary gives none.

    Args:
        term: an entry as read from the glossary.

    Returns:
        The entry with ``traditional`` set (when OpenCC's form differs from ``term.term``) and
        ``pinyin`` set (when it was empty), each filled field's name appended to
        ``auto_filled``; the same object when nothing was filled.
    """
    changes: dict[str, object] = {}
    filled = list(term.auto_filled)
    if not term.traditional:
        traditional = to_traditional(term.term)
        if traditional != term.term:
            changes["traditional"] = traditional
            filled.append("traditional")
    if not term.pinyin.strip():
        changes["pinyin"] = pinyin_of(term.term)
        filled.append("pinyin")
    if not changes:
        return term
    return dataclasses.replace(term, **changes, auto_filled=tuple(dict.fromkeys(filled)))


def complete_terms(terms: Iterable[Term]) -> list[Term]:
    """``complete_term`` for each entry of a glossary, in order.

    Args:
        terms: the glossary's entries.

    Returns:
        A new list of the completed entries, same order and length.
    """
    return [complete_term(term) for term in terms]
