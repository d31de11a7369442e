"""Personal names in Chinese text, and whether each is a private individual or a public role.

Rules over the word lists of ``privacy.lexicon`` (no offline Chinese named-entity recogniser
with shipped weights fits this project; research/privacy-and-editorial.md §3), on ``fold(text)``
so that Traditional script, full-width forms and every name separator are read alike:

1. **Joined transliterated names**: two or more runs of transliteration characters
   (``lexicon.TRANSLITERATION``) joined by a name dot (any of ``·・‧•．∙``) or a hyphen:
   阿依古丽·买买提, 叶尔兰-努尔兰. Runs inside book-title marks (《七律·长征》) are titles, not
   names.
2. **Known name parts** (``lexicon.NAME_PARTS``): 阿依古丽, 买买提, 吐尔逊..., extended over
   the transliteration characters and separators (a space, too) around them, so that
   阿依古丽 买买提 and 阿依古丽买买提 are one name.
3. **Cued names**: after a word that introduces a private person (``lexicon.PRIVATE_CUES``:
   亲戚, 户主, 村民, 女儿..., optionally followed by an ethnic descriptor such as 维吾尔族) the
   longest of a transliteration run and a Han name (a surname, ``lexicon.SURNAMES`` or
   ``COMPOUND_SURNAMES``, and up to two given-name characters, ending at ``GIVEN_STOPS``); after
   the strongest cues (``GIVEN_ALONE_CUES``: 户主, 女儿...) a given name alone (户主秀兰). Names
   listed after one cue with 、 or 和 are each taken. Before a word that follows a private
   person (``PRIVATE_AFTER``: 大妈, 一家, （化名）, or an age: 马秀英，56岁), the Han name or
   transliteration run that ends there.
4. **Public roles**: a name right after an office (``OFFICE_CUES``: 书记, 县长, 记者...) or right
   before one (``OFFICE_AFTER``: 同志, 书记, 摄) is a public role, and so is a byline: a Han
   name alone in brackets at the end of a text (（张巨峰）).

A name found once in a source with a cue is then found wherever else it occurs in that source
(``propagate``), and so are its parts of two or more characters (its given name, each part of
a transliterated name), since a post that introduces 阿依古丽·买买提 goes on to call her 阿依古丽.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ahocorasick

from shiliao.privacy.fold import NAME_DOT, fold
from shiliao.privacy.lexicon import (
    ACTIVITIES,
    COMPOUND_SURNAMES,
    ETHNIC_WORDS,
    GIVEN_ALONE_CUES,
    GIVEN_STOPS,
    NAME_PARTS,
    OFFICE_AFTER,
    OFFICE_CUES,
    PRIVATE_AFTER,
    PRIVATE_CUES,
    SURNAMES,
    TRANSLITERATION,
)
from shiliao.zh.segment import has_word, tag_words

__all__ = ["NameMatch", "find_names", "looks_like_name", "name_parts", "propagate"]

_T = "".join(sorted(TRANSLITERATION))
# A run of transliteration characters, parts joined by a name dot or a hyphen (rule 1).
# One character of a transliterated name; 不 only in 阿不 (阿不都, 阿不拉), never alone: as the
# negation it follows a name far more often than it is in one.
_C = rf"(?:阿不|[{_T}])"
_JOINED = re.compile(rf"{_C}{{2,10}}(?:[{NAME_DOT}\-]{_C}{{1,10}})+")
# A transliteration run with any separator, a space included (rules 2 and 3).
_RUN = re.compile(rf"{_C}{{2,10}}(?:[{NAME_DOT}\- \u3000]?{_C}{{2,10}}){{0,3}}")
_RUN_END = re.compile(rf"(?:{_C}{{2,10}}[{NAME_DOT}\- \u3000]?){{0,3}}{_C}{{2,10}}$")
_ETHNIC = re.compile("|".join(ETHNIC_WORDS))
_AGE = re.compile(r"[，,、（(]?(?:今年|现年)?\d{1,3}(?:周)?岁")
_OFFICE_BEFORE = tuple(sorted(OFFICE_CUES, key=len, reverse=True))
# A photographer's credit is 摄 closing a bracket or the text, never 摄影 or 摄像.
_OFFICE_AFTER_RE = re.compile(
    "|".join(w for w in sorted(OFFICE_AFTER, key=len, reverse=True) if w != "摄")
    + r"|摄(?=[）)]|\s*$)"
)
_KINDS = (
    ("part", NAME_PARTS),
    ("cue", PRIVATE_CUES),
    ("after", PRIVATE_AFTER),
    ("office", OFFICE_CUES),
    ("office_after", OFFICE_AFTER),
)


def _automaton() -> ahocorasick.Automaton:
    """One Aho-Corasick automaton over every word list: a text is scanned once, in C."""
    kinds: dict[str, set[str]] = defaultdict(set)
    for kind, words in _KINDS:
        for word in words:
            kinds[word].add(kind)
    automaton = ahocorasick.Automaton()
    for word, found in kinds.items():
        automaton.add_word(word, (word, frozenset(found)))
    automaton.make_automaton()
    return automaton


_WORDS = _automaton()


def _words(folded: str) -> dict[str, list[tuple[int, int, str]]]:
    """The list words in ``folded`` by kind, as ``(start, end, word)``, left to right; a word
    overlapping an earlier or longer one of the same kind is not counted (副书记, not also
    书记)."""
    found: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for last, (word, kinds) in _WORDS.iter(folded):
        for kind in kinds:
            found[kind].append((last + 1 - len(word), last + 1, word))
    for kind, matches in found.items():
        kept: list[tuple[int, int, str]] = []
        for match in sorted(matches, key=lambda m: (m[0], -m[1])):
            # Leftmost, longest, never overlapping, as a regular expression's scan would:
            # in 妇女儿童 the cue is 妇女, not also 女儿.
            if kept and match[0] < kept[-1][1]:
                continue
            kept.append(match)
        found[kind] = kept
    return found


# A byline closes a text, after its last sentence: 。（张巨峰）, not 结对亲戚（郑桂香）.
_BYLINE = re.compile(r"(?:^|[。！？.!?”」』\s])[（(]([\u4e00-\u9fff]{2,4}?)(?:/?摄|供图)?[）)]\s*$")
# What may stand between a cue and its name: a colon, a space, an opening bracket (户主：吴秀云).
_AFTER_CUE = re.compile(r"[:：]?[\s\u3000]*[（(「“\"]?")
_LIST_JOINERS = ("、", "和", "与", "及", "，")
_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class NameMatch:
    """A personal name found in a text.

    Attributes:
        start: offset of its first character in the original text (code points).
        end: offset one past its last character.
        text: the name as written.
        role: ``"private"`` (a private individual) or ``"public"`` (a public role).
        reason: what decided it, e.g. ``"after 亲戚"``, ``"before 书记"``, ``"joined name"``.
    """

    start: int
    end: int
    text: str
    role: str
    reason: str


def _han_name(folded: str, start: int, limit: int | None = None) -> int:
    """End of the Han name that starts at ``start`` (surname, up to two given characters, not
    past ``limit``), or ``start`` when none does."""
    if folded[start : start + 2] in COMPOUND_SURNAMES:
        after = start + 2
    elif start < len(folded) and folded[start] in SURNAMES:
        after = start + 1
    else:
        return start
    end = after
    stop = min(after + 2, len(folded) if limit is None else limit)
    while end < stop and _HAN.match(folded[end]):
        if folded[end] in GIVEN_STOPS:
            break
        end += 1
    if end == after or _is_common_word(folded, start, end):
        return start
    if end - after == 2:
        # A last given character that begins a word running past the name is that word's
        # (王明|陪同): end the name where jieba ends a word.
        bounds, position = set(), start
        for word, _ in tag_words(folded[start : start + 8]):
            position += len(word)
            bounds.add(position)
        if (
            end not in bounds
            and end - 1 in bounds
            and folded[end - 1 : end + 1]
            and has_word(folded[end - 1 : end + 1])
        ):
            end -= 1
    return end


def _is_common_word(folded: str, start: int, end: int) -> bool:
    """Whether the candidate name ``folded[start:end]`` begins with a word of jieba's
    dictionary that is not a name or a place: one that covers the whole candidate (关系,
    农民, 宫颈癌), or a verb, adjective or other function word (解放, 成熟): a surname character
    that begins a word is not a name. A noun covering part of it (范志|芳) is not enough."""
    word, tag = tag_words(folded[start : start + 6])[0]
    if len(word) < 2 or tag.startswith(("nr", "ns")) or not has_word(word):
        return False
    return len(word) >= end - start or tag.startswith(("v", "a", "d", "p", "c", "u", "m", "t", "r"))


# Characters that end some names (居来提, 赛都拉, 艾山) and also begin what follows one (来了,
# 都在, 开会): a run ending in one of them before a particle ends before it.
_AMBIGUOUS_ENDS = frozenset("来都开外山")
_PARTICLES = frozenset("了过到的在是说和也就")


def _run_end(folded: str, start: int, end: int) -> int:
    """``end`` of a transliteration run, less an ambiguous last character that a particle
    follows (帕提古丽·阿不都拉|来了)."""
    if (
        end - start > 3
        and folded[end - 1] in _AMBIGUOUS_ENDS
        and (end == len(folded) or folded[end] in _PARTICLES)
    ):
        return end - 1
    return end


def _given_alone(folded: str, start: int) -> int:
    """End of a given name of two characters standing alone at ``start``, or ``start``.

    The pair must not be an activity (女儿上学) nor a word jieba knows as other than a name
    (a verb, a time word, a common noun: 女儿结婚, 女儿今年, 亲戚关系).
    """
    pair = folded[start : start + 2]
    if len(pair) < 2 or pair in ACTIVITIES:
        return start
    if not all(_HAN.match(c) and c not in GIVEN_STOPS for c in pair):
        return start
    word, tag = tag_words(folded[start : start + 6])[0]
    if word == pair and not tag.startswith("nr") and (has_word(word) or not tag.startswith("n")):
        return start
    return start + 2


def _name_after(folded: str, start: int, given_alone: bool) -> int:
    """End of the name that starts at ``start`` after a cue, or ``start``."""
    run = _RUN.match(folded, start)
    ends = [_run_end(folded, start, run.end()) if run else start, _han_name(folded, start)]
    if given_alone:
        ends.append(_given_alone(folded, start))
    return max(ends)


def _name_before(folded: str, end: int) -> int:
    """Start of the name that ends at ``end`` before a cue, or ``end``."""
    window = folded[max(0, end - 40) : end]
    run = _RUN_END.search(window)
    starts = [end - len(run.group()) if run else end]
    for length in (4, 3, 2):
        start = end - length
        if start >= 0 and _han_name(folded, start, end) == end:
            starts.append(start)
            # A three-character name with a surname wins over its last two characters.
            break
    return min(starts)


def _office_before(folded: str, start: int) -> str | None:
    for word in _OFFICE_BEFORE:
        if folded.endswith(word, 0, start):
            return word
    return None


def _office_after(folded: str, end: int) -> str | None:
    match = _OFFICE_AFTER_RE.match(folded, end)
    return match.group() if match else None


def _in_title_marks(folded: str, start: int) -> bool:
    opened = folded.rfind("《", 0, start)
    return opened >= 0 and folded.rfind("》", opened, start) < 0


def _role(folded: str, start: int, end: int, private_reason: str) -> tuple[str, str]:
    office = _office_before(folded, start)
    if office:
        return "public", f"after {office}"
    office = _office_after(folded, end)
    if office:
        return "public", f"before {office}"
    return "private", private_reason


def find_names(text: str, folded: str | None = None) -> list[NameMatch]:
    """Every personal name the rules find in one text (a passage, a title, a value).

    Args:
        text: the text, as written.
        folded: ``fold(text)`` when the caller has it.

    Returns:
        ``NameMatch`` values in text order, none overlapping (where two rules find
        overlapping names, the longer span is kept, public if either says so).
    """
    folded = fold(text) if folded is None else folded
    found: list[tuple[int, int, str, str]] = []

    words = _words(folded)
    if NAME_DOT in folded or "-" in folded:
        for match in _JOINED.finditer(folded):
            if not _in_title_marks(folded, match.start()):
                end = _run_end(folded, match.start(), match.end())
                found.append(
                    (match.start(), end, *_role(folded, match.start(), end, "joined name"))
                )
    for part_start, part_end, part in words["part"]:
        run_start = _name_before(folded, part_end)
        run = _RUN.match(folded, min(run_start, part_start))
        start = min(run_start, part_start)
        end = max(_run_end(folded, start, run.end()) if run else part_end, part_end)
        found.append((start, end, *_role(folded, start, end, f"name part {part}")))
    for _, cue_end, cue in words["cue"]:
        position = _AFTER_CUE.match(folded, cue_end).end()
        ethnic = _ETHNIC.match(folded, position)
        if ethnic:
            position = ethnic.end()
        given_alone = cue in GIVEN_ALONE_CUES
        while True:
            end = _name_after(folded, position, given_alone)
            if end <= position:
                break
            found.append((position, end, *_role(folded, position, end, f"after {cue}")))
            joiner = next((j for j in _LIST_JOINERS if folded.startswith(j, end)), None)
            if joiner is None:
                break
            position = end + len(joiner)
            given_alone = False
    afters = [(start, word) for start, _, word in words["after"]]
    if "岁" in folded:
        afters += [(m.start(), m.group()) for m in _AGE.finditer(folded)]
    for after_start, word in afters:
        start = _name_before(folded, after_start)
        if start < after_start and not _office_before(folded, start):
            found.append((start, after_start, "private", f"before {word}"))
    for _, office_end, office in words["office"]:
        end = _name_after(folded, office_end, given_alone=False)
        if end > office_end:
            found.append((office_end, end, "public", f"after {office}"))
    for office_start, _, office in words["office_after"]:
        if office == "摄" and not _OFFICE_AFTER_RE.match(folded, office_start):
            continue
        start = _name_before(folded, office_start)
        if start < office_start:
            found.append((start, office_start, "public", f"before {office}"))
    byline = _BYLINE.search(folded)
    if byline and _han_name(folded, byline.start(1), byline.end(1)) == byline.end(1):
        found.append((byline.start(1), byline.end(1), "public", "byline"))
    return _resolved(text, found)


def _resolved(text: str, found: Iterable[tuple[int, int, str, str]]) -> list[NameMatch]:
    """Merge overlapping spans, and private spans that touch (阿不都 + 热合曼): the union is one
    name, public if any part said so."""
    merged: list[list] = []
    for start, end, role, reason in sorted(found, key=lambda f: (f[0], -f[1])):
        touching = role == "private" and merged and merged[-1][2] == "private"
        if merged and (start < merged[-1][1] or (touching and start == merged[-1][1])):
            last = merged[-1]
            last[1] = max(last[1], end)
            if role == "public" and last[2] != "public":
                last[2], last[3] = role, reason
            continue
        merged.append([start, end, role, reason])
    return [NameMatch(s, e, text[s:e], role, reason) for s, e, role, reason in merged]


def looks_like_name(text: str) -> bool:
    """Whether ``text`` alone has the shape of a personal name: a transliterated name (parts
    of transliteration characters, with or without separators) or a Han surname with one or
    two given characters. For an editor's decision that names no kind."""
    folded = fold(text).strip()
    if _RUN.fullmatch(folded) or _JOINED.fullmatch(folded):
        return True
    surname = 2 if folded[:2] in COMPOUND_SURNAMES else 1 if folded[:1] in SURNAMES else 0
    return bool(surname) and 1 <= len(folded) - surname <= 2 and all(_HAN.match(c) for c in folded)


def name_parts(name: str) -> list[str]:
    """The parts of a name a text may use alone: each part of a transliterated name of two or
    more characters, or a Han name's given name of two characters.

    Args:
        name: a name as found (any script, any separator).

    Returns:
        The parts as folded text (Simplified, separators folded), longest first; empty for a
        name with no such part.
    """
    folded = fold(name).strip()
    pieces = [p for p in re.split(rf"[{NAME_DOT}\- \u3000]", folded) if len(p) >= 2]
    if len(pieces) > 1:
        return sorted(set(pieces), key=len, reverse=True)
    if folded[:2] in COMPOUND_SURNAMES and len(folded) == 4:
        return [folded[2:]]
    if len(folded) == 3 and folded[0] in SURNAMES:
        return [folded[1:]]
    return []


def propagate(texts: Sequence[str], names: Iterable[str]) -> list[list[tuple[int, int]]]:
    """Where else in a source its private names occur.

    Args:
        texts: every text of one source (passages, title, values).
        names: the private names found in it with a cue.

    Returns:
        For each text, the ``(start, end)`` spans of every occurrence of a name or of one of its
        parts (``name_parts``), matched on folded text with any separator between the parts.
    """
    patterns = set()
    for name in names:
        folded = fold(name).strip()
        pieces = [re.escape(p) for p in re.split(rf"[{NAME_DOT}\- \u3000]+", folded) if p]
        if pieces and sum(len(p) for p in pieces) >= 2:
            patterns.add(rf"[{NAME_DOT}\- \u3000]?".join(pieces))
        patterns.update(re.escape(part) for part in name_parts(name))
    if not patterns:
        return [[] for _ in texts]
    pattern = re.compile("|".join(sorted(patterns, key=len, reverse=True)))
    return [[m.span() for m in pattern.finditer(fold(text))] for text in texts]
