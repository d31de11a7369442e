"""Query expansion through the glossary: pinyin and English words find the Chinese term.

A reader who types ``jieqin``, ``jié qīn``, ``si tong si song``, ``Four Togethers`` or
``focus persons`` is looking for 结亲, 四同四送, 四同 or 重点人员. ``ExpansionTable`` keys every
glossary entry by its pinyin (the glossary's own, or the automatic fill-in where it has none:
``zh.entries``), by each English rendering and by its Uyghur Latin name, folded with
``zh.pinyin.pinyin_key`` and ``english_key`` (case, accents, tone marks and numbers, spaces
and punctuation ignored). ``expand_query`` looks up runs of consecutive Latin-script words of a
parsed query, longest run first, and turns each run that is a key into a group of
alternatives: the Chinese term(s) and the words as typed (a phrase), so that a passage in
English that has the words is still found. What was added is returned, so a result can say how
the query was expanded; Chinese words are never expanded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shiliao.model import Term
from shiliao.search.query import Query, split_query
from shiliao.zh.fold import fold_query
from shiliao.zh.pinyin import english_key, pinyin_key

__all__ = ["Expansion", "ExpansionTable", "expand_query", "may_expand"]

# A unit that may be pinyin or English: Latin letters (with tone marks or other accents),
# digits (tone numbers, "19th"), apostrophes, hyphens and the spaces of a quoted phrase.
_LATIN_UNIT = re.compile(r"[a-z0-9\u00c0-\u024f\u0300-\u036f'’\- ]+")
_HAS_LETTER = re.compile(r"[a-z\u00c0-\u024f]")
# The longest run of words tried as one key: glossary renderings are short.
_MAX_RUN_WORDS = 8


@dataclass(frozen=True)
class Expansion:
    """One run of query words found in the glossary.

    Attributes:
        words: the words as the query has them (normalized: lower case), joined by spaces.
        terms: the glossary terms (Simplified) added for them, in glossary order.
        via: ``"pinyin"``, ``"english"`` or ``"pinyin+english"``: which key matched.
    """

    words: str
    terms: tuple[str, ...]
    via: str


class ExpansionTable:
    """The glossary's pinyin and English keys, each mapping to the terms that have it.

    Args:
        terms: the glossary, completed (``zh.entries.complete_terms``) so that every entry has
            pinyin; an entry's pinyin key is made from ``Term.pinyin`` only, so the glossary's
            pinyin wins over any automatic reading.
    """

    def __init__(self, terms: Iterable[Term]) -> None:
        self.by_pinyin: dict[str, list[str]] = {}
        self.by_english: dict[str, list[str]] = {}
        for term in terms:
            _add(self.by_pinyin, pinyin_key(term.pinyin), term.term)
            for rendering in term.english:
                _add(self.by_english, english_key(rendering), term.term)
            if term.uyghur and term.uyghur.get("latin"):
                _add(self.by_english, english_key(term.uyghur["latin"]), term.term)

    def lookup(self, words: str) -> tuple[tuple[str, ...], str] | None:
        """The terms whose pinyin or English folds to the same key as ``words``.

        Args:
            words: one or more words as typed (``"jié qīn"``, ``"Four Togethers"``).

        Returns:
            ``(terms, via)`` with the terms in glossary order and ``via`` as in ``Expansion``;
            None when no key matches.
        """
        from_pinyin = self.by_pinyin.get(pinyin_key(words), [])
        from_english = self.by_english.get(english_key(words), [])
        if not from_pinyin and not from_english:
            return None
        via = "+".join(
            name for name, found in (("pinyin", from_pinyin), ("english", from_english)) if found
        )
        return tuple(dict.fromkeys(from_pinyin + from_english)), via

    def to_json(self) -> dict[str, Mapping[str, list[str]]]:
        """The table as plain data, for the website's search script.

        Returns:
            ``{"pinyin": {key: [term, ...]}, "english": {key: [term, ...]}}``, keys sorted; the
            script folds a query with the same rules as ``pinyin_key`` and ``english_key``.
        """
        return {
            "pinyin": dict(sorted(self.by_pinyin.items())),
            "english": dict(sorted(self.by_english.items())),
        }


def _add(table: dict[str, list[str]], key: str, term: str) -> None:
    if key and term not in table.setdefault(key, []):
        table[key].append(term)


def _is_latin(unit: str) -> bool:
    return bool(_LATIN_UNIT.fullmatch(unit)) and bool(_HAS_LETTER.search(unit))


def may_expand(query: Query) -> bool:
    """Whether a query has a word in Latin script (so the glossary's table is worth loading).

    Args:
        query: a parsed query.
    """
    return any(_is_latin(unit) for unit in query.units)


def expand_query(query: Query, table: ExpansionTable) -> tuple[Query, list[Expansion]]:
    """Add glossary terms for the pinyin and English words of a query.

    Consecutive Latin-script units are tried as one key, longest run first from the left
    (``si tong si song`` is 四同四送, not 四同 and 四送). A run that matches becomes one group
    whose alternatives are the folded terms (``zh.fold.fold_query``) and the run itself as a
    phrase; other units stay required on their own.

    Args:
        query: a parsed query (``parse_query``); its words are read again from ``query.text``
            (``split_query``, repeats kept), so groups it already has are not kept.
        table: the glossary's keys.

    Returns:
        ``(expanded, expansions)``: the query with the new groups (the same object when nothing
        matched) and what was added, in query order.
    """
    units = split_query(query.text)
    groups: list[tuple[str, ...]] = []
    expansions: list[Expansion] = []
    start = 0
    while start < len(units):
        found = None
        if _is_latin(units[start]):
            end = start + 1
            while end < len(units) and end - start < _MAX_RUN_WORDS and _is_latin(units[end]):
                end += 1
            for stop in range(end, start, -1):
                words = " ".join(units[start:stop])
                match = table.lookup(words)
                if match is not None:
                    found = (stop, words, match)
                    break
        if found is None:
            if (units[start],) not in groups:
                groups.append((units[start],))
            start += 1
            continue
        stop, words, (terms, via) = found
        expansions.append(Expansion(words=words, terms=terms, via=via))
        alternatives = [fold_query(term) for term in terms] + [words]
        if tuple(dict.fromkeys(alternatives)) not in groups:
            groups.append(tuple(dict.fromkeys(alternatives)))
        start = stop
    if not expansions:
        return query, []
    flat = tuple(dict.fromkeys(unit for group in groups for unit in group))
    return Query(text=query.text, units=flat, groups=tuple(groups)), expansions
