"""Author-date citations in an essay's Markdown: finding them and resolving them to CSL items.

Three forms are found (see ``find_citations``):

* parenthetical, as the sample essays write them: ``(Chang, 2020)``, ``(Yao and Zhang, 2016)``,
  ``(Sheng & Yanitakqiao, 2017)``, ``(Cao, Zhu, and Li, 2020)``, ``(Wang et al., 2019)``,
  ``(Xinhua Net, 2014)``, several works ``(Chang, 2020; Xu, 2018)``, a prefix
  ``(see Chang, 2020)``, a locator ``(Chang, 2020, p. 14)`` or ``(Chang 2020, 14)`` (the comma
  before the year is optional, as Chicago author-date omits it), a year suffix ``(Xu, 2018a)``,
  and ``n.d.`` for an undated work;
* narrative: ``Chang (2020)``, ``Yao and Zhang (2016)``, ``Wang et al. (2019)``,
  ``Chang (2020, 14)``; each author is one word here, because in running prose the words before
  a name (``As Chang (2020)``) cannot be told from a name of several words, and at most ten
  are taken (a list "A, B, ..., and C" is joined by commas and a final "and");
* Pandoc citations (Pandoc User's Guide, "Citation syntax"): ``[@key]``, ``[@key, p. 14]``,
  ``[see @key, 33]``, ``[@a; @b]``, where ``key`` is the CSL ``id``. Author suppression
  (``[-@key]``) and bare ``@key`` are not recognised.

An author is a word starting with an upper-case letter or a Han character; several words make
one name (``Xinhua Net``), joined by the particles ``of``, ``the``, ``van``, ``de``... Lower-case
words before the first author are a prefix (``see``, ``e.g.,``, ``cf.``). A parenthesis is a
citation only when every ``;``-separated part is one, so ``(四同)``, ``(e.g., Shihezi
University)`` and ``(Kashgar, Khotan, Kizilsu, and Aksu)`` are not. A citation may run over a
line break but not over a blank line.

Resolution rules (see ``resolve``): names are compared case-insensitively, in order, with the
item's family names (or ``literal`` names); ``et al.`` matches an item whose authors begin with
the names given and number three or more; the year must equal the item's ``issued`` year. When
several items share authors and year, a suffix letter picks one by the order of their titles
(case-folded, then by id): ``a`` the first, ``b`` the second; without a suffix the citation is
ambiguous and names them all.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from shiliao.cite.csl import family_names, year

__all__ = ["Citation", "CitedWork", "Resolution", "find_citations", "resolve"]


def _char_class(predicate: Callable[[str], bool]) -> str:
    """A regex character-class body for the BMP characters that satisfy ``predicate``."""
    ranges: list[list[int]] = []
    for code in range(0x10000):
        if predicate(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "".join(
        re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
        for lo, hi in ranges
    )


# Python's re has no \p{Lu}; names in any Latin, Greek or Cyrillic script start with a capital.
_UPPER = _char_class(lambda c: c.isupper() or c.istitle())
# CJK Unified Ideographs, Extension A, Compatibility Ideographs, Extensions B to G.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_WORD = rf"(?:[{_UPPER}](?:[^\W\d_]|['’\-])*|[{_HAN}]+)"
_PARTICLE = r"(?:of|the|for|on|van|von|der|den|de|del|della|da|di|du|la|le|al|bin|ibn)"
_NAME = rf"{_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+)*{_WORD})*"
# Between names: ", ", " and ", " & ", ", and ", ", & ".
_NAME_SEPARATOR = r"(?:\s*,\s*(?:(?:and|&)\s+)?|\s+(?:and|&)\s+)"
_ET_AL = r",?\s+et\s+al\.?"
_YEAR = r"(?:(?P<year>\d{4})(?P<suffix>[a-z]?)|(?P<nd>n\.d\.))"
_PREFIX_WORD = rf"(?:See|Cf\.|E\.g\.,?|Also|[^\s{_UPPER}{_HAN}]\S*)"

_PARENTHETICAL_ITEM = re.compile(
    rf"""\s*(?P<prefix>(?:{_PREFIX_WORD}\s+)*)
    (?P<label>(?P<authors>{_NAME}(?:{_NAME_SEPARATOR}{_NAME})*)(?P<etal>{_ET_AL})?,?\s+{_YEAR})
    (?:\s*[,:]\s*(?P<locator>\S.*?))?\s*""",
    re.VERBOSE | re.DOTALL,
)
# Bounding the names of a narrative citation keeps the search linear on a long run of
# "Name, Name, ..." with no year after it; in-text lists stop at three names anyway (CMOS 15.29).
_MAX_NARRATIVE_AUTHORS = 8
_NARRATIVE = re.compile(
    rf"""(?<![\w'’\-])
    (?P<label>
      (?P<authors>{_WORD}
        (?:(?:\s*,\s*{_WORD}){{0,{_MAX_NARRATIVE_AUTHORS}}}\s*,?\s+(?:and|&)\s+{_WORD})?)
      (?P<etal>\s+et\s+al\.)?
      \s+\({_YEAR}(?:\s*[,:]\s*(?P<locator>[^()\n]*?))?\))""",
    re.VERBOSE,
)
# No parenthesis inside, no blank line inside; the body is checked item by item afterwards.
_PARENTHESES = re.compile(r"\((?P<body>[^()\n]*(?:\n(?![ \t]*\n)[^()\n]*)*)\)")
_BRACKETS = re.compile(r"\[(?P<body>[^\[\]\n]*@[^\[\]\n]*)\](?![(\[:])")
# Pandoc: a key starts with a word character and may hold internal punctuation.
_PANDOC_ITEM = re.compile(
    r"""\s*(?P<prefix>(?:[^@]*?\s)?)
    (?P<label>@(?P<key>\w(?:[\w:.\#$%&\-+?<>~/]*\w)?))
    (?:(?:\s*,\s*|\s+)(?P<locator>\S.*?))?\s*""",
    re.VERBOSE | re.DOTALL,
)
_AUTHOR_SPLIT = re.compile(_NAME_SEPARATOR)
_HAS_YEAR = re.compile(r"\d{4}|n\.d\.")
# A parenthesis longer than this is prose, not a list of citations; it also bounds the work of
# the item pattern.
_MAX_CITATION_CHARS = 400

Kind = Literal["parenthetical", "narrative", "pandoc"]


@dataclass(frozen=True)
class CitedWork:
    """One work named in a citation.

    Offsets are half-open, in code points, into the text given to ``find_citations``.

    Attributes:
        text: the work's part of the citation as written, e.g. ``"see Chang, 2020, p. 14"``;
            for a narrative citation the whole ``"Chang (2020)"``; for Pandoc ``"@key, p. 14"``.
        start: offset of ``text``.
        end: offset one past ``text``.
        label_start: offset of the part a renderer links: ``"Chang, 2020"`` of a parenthetical
            citation, the whole of a narrative one, ``"@key"`` of a Pandoc one.
        label_end: offset one past that part.
        line: 1-based line number of ``start``.
        authors: the names as written (``("Yao", "Zhang")``); empty for a Pandoc citation.
        et_al: whether the names end with ``et al.``.
        year: four digits, or ``"n.d."``; empty for a Pandoc citation.
        suffix: the year's letter (``"a"``), or ``""``.
        key: the CSL id of a Pandoc citation, else None.
        prefix: words before the work (``"see"``), or ``""``.
        locator: what follows the year or key (``"p. 14"``), or ``""``.
    """

    text: str
    start: int
    end: int
    label_start: int
    label_end: int
    line: int
    authors: tuple[str, ...]
    et_al: bool
    year: str
    suffix: str
    key: str | None
    prefix: str
    locator: str


@dataclass(frozen=True)
class Citation:
    """A citation as written: one parenthesis, one narrative mention, or one Pandoc bracket.

    Attributes:
        kind: ``"parenthetical"``, ``"narrative"`` or ``"pandoc"``.
        text: the citation as written, brackets included.
        start: offset of its first character (code points, into the text searched).
        end: offset one past its last character.
        line: 1-based line number of ``start``.
        works: the works it names, in order (one for a narrative citation).
    """

    kind: Kind
    text: str
    start: int
    end: int
    line: int
    works: tuple[CitedWork, ...]


@dataclass(frozen=True)
class Resolution:
    """What one cited work resolved to.

    Attributes:
        citation: the citation the work is part of.
        work: the work.
        entry_id: the CSL id of the one matching item, or None when none or several match.
        candidates: the ids of the matching items when several match (ambiguous), in the
            order a year suffix would pick them; else empty.
    """

    citation: Citation
    work: CitedWork
    entry_id: str | None
    candidates: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The work as quoted in warnings: ``(Wang, 2019)``, ``Wang (2019)``, ``[@wang-2019]``."""
        if self.citation.kind == "parenthetical":
            return f"({self.work.text})"
        if self.citation.kind == "pandoc":
            return f"[{self.work.text}]"
        return self.work.text

    @property
    def line(self) -> int:
        """1-based line number of the work."""
        return self.work.line

    def warning(self, path: str) -> str | None:
        """The warning for a work that did not resolve to exactly one item.

        Args:
            path: the essay's path as the user knows it, e.g. ``"essays/jieqin.md"``.

        Returns:
            ``"<path>:<line>: citation (Wang, 2019) matches no bibliography entry"`` or
            ``"<path>:<line>: citation (Xu, 2018) matches 2 entries: xu-2018-a, xu-2018-b"``;
            None when the work resolved.
        """
        if self.entry_id is not None:
            return None
        prefix = f"{path}:{self.line}: citation {self.text}"
        if self.candidates:
            ids = ", ".join(self.candidates)
            return f"{prefix} matches {len(self.candidates)} entries: {ids}"
        return f"{prefix} matches no bibliography entry"


def find_citations(text: str, first_line: int = 1) -> list[Citation]:
    """Find the author-date and Pandoc citations in Markdown text.

    The text is searched as written; a caller that must skip code spans and blocks (as the
    section renderer does) passes only the prose.

    Args:
        text: Markdown or plain text.
        first_line: the line number of ``text``'s first line in its file, so that line numbers
            in warnings point into the file (an essay's body starts after its front matter).

    Returns:
        The citations in order of position, none overlapping (of two that overlap, the one
        that starts first).
    """
    line_starts = [0] + [match.end() for match in re.finditer(r"\n", text)]

    def line_of(offset: int) -> int:
        return first_line + bisect_right(line_starts, offset) - 1

    found: list[Citation] = []
    for match in _BRACKETS.finditer(text):
        works = _split_items(match, _PANDOC_ITEM, line_of, pandoc=True)
        if works:
            found.append(_citation("pandoc", match, works, line_of))
    for match in _PARENTHESES.finditer(text):
        body = match.group("body")
        if len(body) > _MAX_CITATION_CHARS or not _HAS_YEAR.search(body):
            continue
        works = _split_items(match, _PARENTHETICAL_ITEM, line_of, pandoc=False)
        if works:
            found.append(_citation("parenthetical", match, works, line_of))
    for match in _NARRATIVE.finditer(text):
        work = _work(match, 0, line_of, pandoc=False)
        found.append(_citation("narrative", match, (work,), line_of))
    # Where two overlap, the one that starts first is kept, and at the same start a bracket or
    # parenthesis beats a narrative mention.
    found.sort(key=lambda citation: (citation.start, citation.kind == "narrative"))
    kept: list[Citation] = []
    for citation in found:
        if not kept or citation.start >= kept[-1].end:
            kept.append(citation)
    return kept


def _split_items(
    match: re.Match[str], pattern: re.Pattern[str], line_of: Callable[[int], int], *, pandoc: bool
) -> tuple[CitedWork, ...]:
    """The works of a bracket or parenthesis, or () when any part is not a citation."""
    body_start = match.start("body")
    works: list[CitedWork] = []
    offset = 0
    for part in match.group("body").split(";"):
        item = pattern.fullmatch(part)
        if item is None:
            return ()
        works.append(_work(item, body_start + offset, line_of, pandoc=pandoc))
        offset += len(part) + 1
    return tuple(works)


def _work(
    item: re.Match[str], base: int, line_of: Callable[[int], int], *, pandoc: bool
) -> CitedWork:
    """A ``CitedWork`` from a match of one item; ``base`` is the match string's offset."""
    text = item.group().strip()
    start = base + item.start() + (len(item.group()) - len(item.group().lstrip()))
    if pandoc:
        authors: tuple[str, ...] = ()
        work_year, suffix, et_al = "", "", False
    else:
        authors = tuple(
            " ".join(name.split()) for name in _AUTHOR_SPLIT.split(item.group("authors"))
        )
        work_year = item.group("year") or item.group("nd")
        suffix = item.group("suffix") or ""
        et_al = item.group("etal") is not None
    return CitedWork(
        text=text,
        start=start,
        end=start + len(text),
        label_start=base + item.start("label"),
        label_end=base + item.end("label"),
        line=line_of(start),
        authors=authors,
        et_al=et_al,
        year=work_year,
        suffix=suffix,
        key=item.group("key") if pandoc else None,
        prefix=" ".join((item.groupdict().get("prefix") or "").split()),
        locator=" ".join((item.group("locator") or "").split()),
    )


def _citation(
    kind: Kind, match: re.Match[str], works: tuple[CitedWork, ...], line_of: Callable[[int], int]
) -> Citation:
    return Citation(
        kind=kind,
        text=match.group(),
        start=match.start(),
        end=match.end(),
        line=line_of(match.start()),
        works=works,
    )


def resolve(
    citations: Iterable[Citation], bibliography: Sequence[Mapping[str, Any]]
) -> list[Resolution]:
    """Match every cited work to a bibliography item.

    Rules (the module docstring explains why):

    * A Pandoc key matches the item with that ``id``: a bibliography entry's, or an archived
      source's when the caller passes sources as CSL items (``sources.source_item``).
    * Otherwise the names must equal the item's ``family_names`` (case-insensitive, same order,
      same number), or their Latin-script forms (``custom["author-romanized"]``, so that
      ``(Wang, 2019)`` cites 王娟), or, with ``et al.``, be the first of three or more; and the
      year must equal the item's (``"n.d."`` matches an undated item).
    * With a suffix letter, the matching items are ordered by case-folded title, then id, and
      the letter's position in the alphabet picks one (``a`` the first); a letter past the end
      matches nothing. Without a suffix, two or more matching items make the work ambiguous.

    Args:
        citations: as ``find_citations`` returns them.
        bibliography: CSL-JSON items as ``csl.load_bibliography`` returns them, with the
            archived sources' items after them where those can be cited; ids are unique.

    Returns:
        One ``Resolution`` per cited work, in citation order; ``Resolution.warning`` gives the
        message for those that did not resolve.
    """
    by_id = {entry["id"]: entry for entry in bibliography}
    indexed = [
        (names, year(entry), entry) for entry in bibliography for names in _name_variants(entry)
    ]
    resolutions: list[Resolution] = []
    for citation in citations:
        for work in citation.works:
            if work.key is not None:
                entry_id = work.key if work.key in by_id else None
                resolutions.append(Resolution(citation, work, entry_id))
                continue
            cited = tuple(name.casefold() for name in work.authors)
            cited_year = None if work.year == "n.d." else work.year
            matches = sorted(
                (
                    {
                        id(entry): entry
                        for names, entry_year, entry in indexed
                        if entry_year == cited_year and _names_match(cited, work.et_al, names)
                    }.values()
                ),
                key=lambda entry: (str(entry.get("title") or "").casefold(), entry["id"]),
            )
            if work.suffix:
                position = ord(work.suffix) - ord("a")
                picked = matches[position]["id"] if position < len(matches) else None
                resolutions.append(Resolution(citation, work, picked))
            elif len(matches) == 1:
                resolutions.append(Resolution(citation, work, matches[0]["id"]))
            else:
                candidates = tuple(entry["id"] for entry in matches)
                resolutions.append(Resolution(citation, work, None, candidates))
    return resolutions


def _name_variants(entry: Mapping[str, Any]) -> set[tuple[str, ...]]:
    """The item's names as ``family_names`` gives them, and in Latin script where the record
    has ``custom["<role>-romanized"]`` (for the role ``family_names`` uses), case-folded."""
    names = family_names(entry)
    variants = {tuple(name.casefold() for name in names)}
    extra = entry.get("custom")
    role = "author" if entry.get("author") else "editor"
    forms = extra.get(f"{role}-romanized") if isinstance(extra, dict) else None
    if isinstance(forms, list) and forms:
        latin = [
            (form.get("family") or form.get("literal") or form.get("given") or name)
            if isinstance(form, dict)
            else name
            for name, form in zip(names, [*forms, *[None] * len(names)], strict=False)
        ]
        variants.add(tuple(" ".join(str(name).split()).casefold() for name in latin))
    return variants


def _names_match(cited: tuple[str, ...], et_al: bool, names: tuple[str, ...]) -> bool:
    if et_al:
        return len(names) >= 3 and len(names) > len(cited) and names[: len(cited)] == cited
    return names == cited
