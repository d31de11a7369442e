"""The glossary matcher finds exactly the occurrences a scan of the normalized text finds."""

from __future__ import annotations

import random
from pathlib import Path

from shiliao.collection import read_collection
from shiliao.model import Term
from shiliao.zh.entries import complete_terms
from shiliao.zh.glossary import GlossaryMatcher, Mention
from shiliao.zh.normalize import normalize, normalize_with_offsets


def scan(terms: list[Term], text: str) -> list[Mention]:
    """Every occurrence of every term's normalized forms in the normalized text, mapped back
    (the definition, with no automaton and no shortcut)."""
    normalized, offsets = normalize_with_offsets(text)
    found = set()
    for term in terms:
        for form in {normalize(f) for f in (term.term, term.traditional) if f}:
            at = normalized.find(form)
            while at >= 0:
                end = at + len(form)
                found.add(Mention(offsets[at], offsets[end - 1] + 1, term.term))
                at = normalized.find(form, at + 1)
    return sorted(found)


def test_sample_glossary_on_the_sample_text(sample_dir: Path) -> None:
    collection = read_collection(sample_dir)
    terms = complete_terms(collection.terms)
    matcher = GlossaryMatcher(terms)
    checked = 0
    for item in collection.sources:
        for paragraph in (item.text or "").split("\n"):
            assert matcher.find(paragraph) == scan(terms, paragraph), paragraph[:40]
            checked += 1
    assert checked > 9000


def test_variant_forms_expansions_and_supplementary_characters() -> None:
    terms = [
        Term(term="民族团结", pinyin="", english=("x",)),
        Term(term="xuar", pinyin="", english=("x",)),
        Term(term="(一)", pinyin="", english=("x",)),
        Term(term="互联网+", pinyin="", english=("x",)),
    ]
    matcher = GlossaryMatcher(terms)
    texts = [
        "民族團結、民族团結和ＸＵＡＲ",  # Traditional, mixed, full-width upper case
        "第㈠条民族团结",  # ㈠ expands to (一): offsets move
        "𠀀民族团结 互联网＋",  # a supplementary character before the match
        "互联网+ 與 互聯網＋",
    ]
    rng = random.Random(3)
    pieces = [
        "民族",
        "團結",
        "团结",
        "ｘ",
        "U",
        "A",
        "r",
        "㈠",
        "(",
        "一",
        ")",
        "𠀀",
        "＋",
        "互聯網",
    ]
    texts += ["".join(rng.choice(pieces) for _ in range(12)) for _ in range(300)]
    for text in texts:
        assert matcher.find(text) == scan(terms, text), text
    assert [m.term for m in matcher.find(texts[0])] == ["民族团结", "民族团结", "xuar"]
    assert matcher.find("第㈠条") == [Mention(1, 2, "(一)")]
