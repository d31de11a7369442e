"""Finding numbered formulas and quoted slogans: candidates for the glossary.

The state names its campaigns in formulas: a numeral, often a measure word, and a short phrase
(三个代表, 四个意识, 两个维护, 九类人群), sometimes repeated (四同四送, 一带一路, 三去一降一补), and
it quotes its slogans (“一国两制”, “放管服”). ``find_candidates`` reads passages and proposes
such strings, ranked, for an editor to accept into the glossary or not.

How (all on ``zh.normalize``d text, so Traditional and Simplified count together):

1. **Numbered patterns.** At every Chinese numeral (一 二 两 三 四 五 六 七 八 九 十, one or two of
   them) not preceded by another numeral, a digit or 第 (then it is part of a number or an
   ordinal), two shapes are read: numeral + measure word (个 项 条 类 种 大 点 件 步) + 1 to 4 Han
   characters, each length a candidate; and two or three numeral + 1-2 character pairs
   (一带一路, 三去一降一补).
2. **Boundaries** (accessor variety, after Feng et al. 2004): a numbered candidate must stand
   between varied neighbours. Its closure on a side is ``1 - m / n``, where ``n`` is its number
   of occurrences and ``m`` the largest number of them sharing one neighbouring Han character
   (every other neighbour, punctuation or the passage's edge, counts as its own); both sides
   need at least ``MIN_CLOSURE``. 四个现代 is always followed by 化, so 四个现代化 is the
   candidate; 一步加强 is always preceded by 进, so it is no formula.
3. **Counting, not naming.** 两个方面, 三个方面, 八个方面: a phrase counted by many different
   numbers (digits, 几, 多, 每, 各, 这, 那 included) is a counted noun, not a formula; more than
   ``MAX_NUMERALS`` different ones and it is dropped. 一个 is the indefinite article far more
   often than a number, so 一 + measure word needs quotation marks somewhere (see 4).
4. **Quotation.** Text between Chinese quotation marks (“” 「」 『』 ‘’), 2 to 16 characters,
   whole or cut at 、 and , into its items, is quoted evidence for a candidate equal to it. A
   whole quoted span is itself a candidate when it is quoted in at least two sources and in at
   least ``MIN_QUOTED_SHARE`` of the sources that use it (so a common word put in scare
   quotes once or twice, 自由, is not).
   A numbered candidate whose occurrences mostly (``MAX_SUBSUMED_SHARE``) go on into longer
   numbered candidates is dropped as their prefix (两个确 of 两个确立 and 两个确保).
5. **Ranking.** Score = (sources + 2 × sources that quote it) × (2 for a numbered formula):
   recurrence across sources counts, quotation counts double, and numbered formulas, what a
   glossary of campaign formulas most needs, come first. Ties by count, then text.

Every number reported (count, sources, first date, examples) is of the candidate's free
occurrences: everywhere it occurs as a substring, except, for a candidate that starts with a
numeral, where a numeral, digit or 第 comes just before it (二十四个 is not 四个).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import ahocorasick

from shiliao.zh.normalize import normalize, normalize_with_offsets

__all__ = [
    "MAX_NUMERALS",
    "MAX_SUBSUMED_SHARE",
    "MIN_CLOSURE",
    "MIN_QUOTED_SHARE",
    "Candidate",
    "CandidatePassage",
    "Occurrence",
    "find_candidates",
]

NUMERALS = "一二两三四五六七八九十"
MEASURES = "个项条类种大点件步"
# Before a numeral, these make it part of a bigger number or an ordinal.
_NUMBER_CONTEXT = frozenset(NUMERALS + "0123456789百千万亿零〇几第")
# Words that count a noun: any of them before "measure + phrase" is one more way of counting.
_QUANTIFIERS = frozenset(NUMERALS + "0123456789几数多每各这那百千万")
MIN_CLOSURE = 0.5
MAX_NUMERALS = 2
MIN_QUOTED_SHARE = 0.3
# A candidate most of whose occurrences go on into longer candidates is only their prefix.
MAX_SUBSUMED_SHARE = 0.8
_QUOTED = re.compile(r"[“「『‘]([^“”「」『』‘’。！？；：!?;:\n]{2,16})[”」』’]")
_ITEM_SEPARATORS = re.compile(r"[、,]")
_MAX_PHRASE = 4


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


@dataclass(frozen=True)
class CandidatePassage:
    """A passage to read for candidates.

    Attributes:
        passage_id: its id in the store.
        source_id: its source.
        date: its source's EDTF date (compared as text: ``"1921-07" < "1945"``), None if undated.
        text: the original text.
    """

    passage_id: int
    source_id: str
    date: str | None
    text: str


@dataclass(frozen=True)
class Occurrence:
    """Where a candidate occurs.

    Attributes:
        passage_id: the passage.
        source_id: its source.
        date: its source's date, or None.
        char_start: offset of the first character in the passage's original text (code points).
        char_end: offset one past the last character (code points).
    """

    passage_id: int
    source_id: str
    date: str | None
    char_start: int
    char_end: int


@dataclass(frozen=True)
class Candidate:
    """A string proposed for the glossary.

    Attributes:
        text: the candidate, normalized (Simplified, half-width).
        kinds: ``("numbered",)``, ``("quoted",)`` or both: a numbered formula, a phrase some
            source puts in quotation marks.
        count: free occurrences in all passages.
        sources: sources with at least one.
        quoted_sources: sources that put it in quotation marks (whole, or as an item of a list).
        first_date: the earliest date of a source that uses it; None when all are undated.
        score: the ranking score (see the module docstring); higher is better.
        examples: up to three occurrences in different sources: the earliest, one from the
            middle and the latest (dated sources first).
        in_glossary: whether it is already a glossary term (or a term's Traditional form).
    """

    text: str
    kinds: tuple[str, ...]
    count: int
    sources: int
    quoted_sources: int
    first_date: str | None
    score: float
    examples: tuple[Occurrence, ...] = field(default=())
    in_glossary: bool = False


class _Reading:
    """What one pass over the passages gathers."""

    def __init__(self) -> None:
        # candidate -> occurrences as (passage index, start, end) in normalized text
        self.numbered: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        self.left: dict[str, Counter[str]] = defaultdict(Counter)
        self.right: dict[str, Counter[str]] = defaultdict(Counter)
        # (measure, phrase) -> the quantifiers seen before it
        self.quantifiers: dict[tuple[str, str], set[str]] = defaultdict(set)
        # candidate -> sources that quote it (whole span or item)
        self.quoted_sources: dict[str, set[str]] = defaultdict(set)
        # whole quoted spans -> sources
        self.spans: dict[str, set[str]] = defaultdict(set)
        self.one_measure: set[str] = set()


def _neighbour(text: str, at: int, tag: int) -> str:
    # A Han neighbour is itself; anything else (punctuation, the edge) is unique, so that it
    # never piles up into one "most common neighbour".
    if 0 <= at < len(text) and _is_han(text[at]):
        return text[at]
    return f"#{tag}:{at}"


def _record(reading: _Reading, candidate: str, text: str, index: int, start: int, end: int) -> None:
    reading.numbered[candidate].append((index, start, end))
    reading.left[candidate][_neighbour(text, start - 1, index)] += 1
    reading.right[candidate][_neighbour(text, end, index)] += 1


def _read_numbered(reading: _Reading, text: str, index: int) -> None:
    length = len(text)
    at = 0
    while at < length:
        if text[at] not in _QUANTIFIERS:
            at += 1
            continue
        end = at
        while end < length and text[end] in _QUANTIFIERS:
            end += 1
        number = text[at:end]
        after = end
        measure = ""
        if after < length and text[after] in MEASURES:
            measure = text[after]
            after += 1
        phrases = []
        for size in range(1, _MAX_PHRASE + 1):
            phrase = text[after : after + size]
            if len(phrase) < size or not _is_han(phrase[-1]):
                break
            phrases.append(phrase)
        if measure:
            for phrase in phrases:
                reading.quantifiers[(measure, phrase)].add(number)
        free = (
            len(number) <= 2
            and all(char in NUMERALS for char in number)
            and (at == 0 or text[at - 1] not in _NUMBER_CONTEXT)
        )
        if free and measure:
            for phrase in phrases:
                candidate = number + measure + phrase
                _record(reading, candidate, text, index, at, after + len(phrase))
                if number == "一":
                    reading.one_measure.add(candidate)
        if free:
            _read_repeated(reading, text, index, at, end, number, 1)
        at = end


def _read_repeated(
    reading: _Reading, text: str, index: int, start: int, at: int, prefix: str, pairs: int
) -> None:
    """Numeral + 1-2 characters, two or three times (一带一路, 三去一降一补)."""
    for size in (1, 2):
        part = text[at : at + size]
        if len(part) < size or not all(_is_han(c) and c not in _QUANTIFIERS for c in part):
            continue
        end = at + size
        if pairs >= 2:
            _record(reading, prefix + part, text, index, start, end)
        if pairs < 3 and end < len(text) and text[end] in NUMERALS:
            _read_repeated(
                reading, text, index, start, end + 1, prefix + part + text[end], pairs + 1
            )


def _read_quoted(reading: _Reading, text: str, source_id: str) -> None:
    for match in _QUOTED.finditer(text):
        span = match.group(1).strip()
        reading.spans[span].add(source_id)
        reading.quoted_sources[span].add(source_id)
        for item in _ITEM_SEPARATORS.split(span):
            item = item.strip()
            if len(item) >= 2:
                reading.quoted_sources[item].add(source_id)


def _closure(neighbours: Counter[str], total: int) -> float:
    most = max((n for key, n in neighbours.items() if not key.startswith("#")), default=0)
    return 1.0 - most / total


def _numbered_ok(reading: _Reading, candidate: str) -> bool:
    occurrences = len(reading.numbered[candidate])
    if _closure(reading.left[candidate], occurrences) < MIN_CLOSURE:
        return False
    if _closure(reading.right[candidate], occurrences) < MIN_CLOSURE:
        return False
    quoted = bool(reading.quoted_sources.get(candidate))
    if candidate in reading.one_measure and not quoted:
        return False
    match = re.match(f"^[{NUMERALS}]{{1,2}}([{MEASURES}])(.+)$", candidate)
    if match and not quoted:
        counted_by = reading.quantifiers.get((match.group(1), match.group(2)), set())
        if len(counted_by) > MAX_NUMERALS:
            return False
    return True


def _prefixes_only(reading: _Reading, kept: set[str]) -> set[str]:
    """Kept candidates whose occurrences mostly continue into longer kept candidates.

    两个确 is followed by 立 or 保: 两个确立 and 两个确保 are the formulas, 两个确 their prefix.
    """
    prefixes = set()
    for candidate in kept:
        total = len(reading.numbered[candidate])
        continued = sum(
            count
            for neighbour, count in reading.right[candidate].items()
            if candidate + neighbour in kept
        )
        if continued >= MAX_SUBSUMED_SHARE * total:
            prefixes.add(candidate)
    return prefixes


def find_candidates(
    passages: Iterable[CandidatePassage],
    known: Iterable[str] = (),
    *,
    min_sources: int = 2,
    limit: int | None = None,
) -> list[Candidate]:
    """Find numbered formulas and recurring quoted phrases, best first.

    Args:
        passages: the passages to read (one pass; a generator is fine).
        known: the glossary's terms and Traditional forms, to mark candidates already in it.
        min_sources: the fewest sources a candidate must occur in.
        limit: the most candidates to return; None for all.

    Returns:
        Candidates sorted by score (highest first), then count, then text; each with its
        counts, first date and up to three examples (see ``Candidate``).
    """
    reading = _Reading()
    texts: list[tuple[CandidatePassage, str]] = []
    for index, passage in enumerate(passages):
        text = normalize(passage.text)
        texts.append((passage, text))
        _read_numbered(reading, text, index)
        _read_quoted(reading, text, passage.source_id)

    numbered = {c for c in reading.numbered if _numbered_ok(reading, c)}
    numbered -= _prefixes_only(reading, numbered)
    quoted_only = set()
    for span, sources in reading.spans.items():
        if len(sources) >= min_sources and span not in numbered:
            quoted_only.add(span)
    chosen = numbered | quoted_only
    occurrences = _free_occurrences(chosen, texts)
    known_keys = {normalize(term) for term in known if term}

    candidates = []
    for text, found in occurrences.items():
        sources = {texts[i][0].source_id for i, _, _ in found}
        if len(sources) < min_sources:
            continue
        quoted_sources = len(reading.quoted_sources.get(text, ()))
        if text in quoted_only and quoted_sources < max(
            min_sources, MIN_QUOTED_SHARE * len(sources)
        ):
            continue
        is_numbered = text in numbered or (
            text in quoted_only and re.match(f"^[{NUMERALS}]", text) is not None
        )
        kinds = tuple(
            kind
            for kind, present in (("numbered", is_numbered), ("quoted", quoted_sources > 0))
            if present
        )
        dates = sorted(d for d in (texts[i][0].date for i, _, _ in found) if d)
        score = (len(sources) + 2 * quoted_sources) * (2 if is_numbered else 1)
        candidates.append(
            Candidate(
                text=text,
                kinds=kinds,
                count=len(found),
                sources=len(sources),
                quoted_sources=quoted_sources,
                first_date=dates[0] if dates else None,
                score=float(score),
                examples=_examples(found, texts),
                in_glossary=text in known_keys,
            )
        )
    candidates.sort(key=lambda c: (-c.score, -c.count, c.text))
    return candidates if limit is None else candidates[:limit]


def _free_occurrences(
    chosen: set[str], texts: list[tuple[CandidatePassage, str]]
) -> dict[str, list[tuple[int, int, int]]]:
    """Every occurrence of the chosen strings (Aho-Corasick), less the bound numerals."""
    found: dict[str, list[tuple[int, int, int]]] = {text: [] for text in chosen}
    if not chosen:
        return found
    automaton = ahocorasick.Automaton()
    for text in chosen:
        automaton.add_word(text, text)
    automaton.make_automaton()
    for index, (_, text) in enumerate(texts):
        for end, candidate in automaton.iter(text):
            start = end + 1 - len(candidate)
            if candidate[0] in NUMERALS and start > 0 and text[start - 1] in _NUMBER_CONTEXT:
                continue
            found[candidate].append((index, start, end + 1))
    return found


def _examples(
    found: list[tuple[int, int, int]], texts: list[tuple[CandidatePassage, str]]
) -> tuple[Occurrence, ...]:
    """The first occurrence in each of up to three sources: earliest, middle and latest."""
    first_per_source: dict[str, tuple[int, int, int]] = {}
    for occurrence in found:
        first_per_source.setdefault(texts[occurrence[0]][0].source_id, occurrence)
    ordered = sorted(
        first_per_source.values(),
        key=lambda o: (texts[o[0]][0].date is None, texts[o[0]][0].date or "", o[0]),
    )
    dated = [o for o in ordered if texts[o[0]][0].date]
    if len(dated) >= 3:
        # The latest example should be the latest dated use, not an undated source.
        ordered = dated
    if len(ordered) > 3:
        ordered = [ordered[0], ordered[len(ordered) // 2], ordered[-1]]
    examples = []
    for index, start, end in ordered:
        passage = texts[index][0]
        _, offsets = normalize_with_offsets(passage.text)
        examples.append(
            Occurrence(
                passage_id=passage.passage_id,
                source_id=passage.source_id,
                date=passage.date,
                char_start=offsets[start],
                char_end=offsets[end - 1] + 1,
            )
        )
    return tuple(examples)
