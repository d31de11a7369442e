"""Author-date citations in an essay's Markdown: finding them and resolving them to CSL items.

Three forms are found (see ``find_citations``):

* parenthetical, in every form the three styles print (``reference.in_text``) and as the
  sample essays write them: ``(Chang, 2020)``, ``(Chang 2020)``, ``(Yao and Zhang, 2016)``,
  ``(Sheng & Yanitakqiao, 2017)``, ``(Cao, Zhu, and Li, 2020)``, ``(Wang et al., 2019)``,
  ``(Xinhua Net, 2014)``; Chinese names in characters, ``(张三, 2020)``, ``(李世民 等, 2019)``
  (GB/T 7714-2015 §10.2.2 writes 等 after the first of several Chinese names; 等人 too),
  ``(李世民和秦叔宝, 2019)`` (names joined by 和, 与, 及 or 、), ``(阿布都热合曼·吐尔逊, 2018)``;
  full-width brackets and punctuation, ``（张三，2020）``, ``（张三，2020；李四，2019）``; several
  works ``(Chang, 2020; Xu, 2018)``; a prefix ``(see Chang, 2020)``, ``(参见张三, 2020)``; a
  locator ``(Chang, 2020, p. 14)``, ``(Chang 2020, 14)``, ``(张三，2020：14)``; a year suffix
  ``(Xu, 2018a)``; ``n.d.`` for an undated work; and, for a work with no names, its title in
  quotation marks as Chicago and APA write it (``(“结亲周” 2019)``, ``(“Kinship,” 2022)``) or
  GB/T 7714's ``(佚名, 2019)`` / ``(Anon, 2019)``;
* narrative: ``Chang (2020)``, ``Yao and Zhang (2016)``, ``Wang et al. (2019)``,
  ``Chang (2020, 14)``; each author is one word here, because in running prose the words before
  a name (``As Chang (2020)``) cannot be told from a name of several words, and at most ten
  are taken (a list "A, B, ..., and C" is joined by commas and a final "and");
* Pandoc citations (Pandoc User's Guide, "Citation syntax"): ``[@key]``, ``[@key, p. 14]``,
  ``[see @key, 33]``, ``[@a; @b]``, where ``key`` is the CSL ``id``. Author suppression
  (``[-@key]``) and bare ``@key`` are not recognised.

An author is a word starting with an upper-case letter, or a run of Han characters (with
middle dots between the parts of a transliterated name); several words make one name (``Xinhua
Net``), joined by the particles ``of``, ``the``, ``van``, ``de``... Lower-case words before the
first author are a prefix (``see``, ``e.g.,``, ``cf.``), as are 参见, 见, 转引自... before a
name in characters. A parenthesis is a citation only when every ``;``-separated part is one, so
``(四同)``, ``(e.g., Shihezi University)`` and ``(Kashgar, Khotan, Kizilsu, and Aksu)`` are not.
A citation may run over a line break but not over a blank line.

Resolution rules (see ``resolve``): names are compared in order, case-insensitively (and after
NFKC normalization, so full-width letters count as ASCII), with the forms each of the item's
names is cited by in some style: the family name, a ``literal`` name, a Chinese name in full
in characters (张三 for ``{"family": "张", "given": "三"}``, as GB/T 7714 cites it), the
romanized family name (``custom["author-romanized"]``) or romanized Chinese name in full
(``Zhang San``). Names in characters joined by 和, 与 or 及 are read both as one name and as
several, since 和 also occurs inside names (和平). ``et al.`` (or 等) matches an item whose names
begin with the names given and are more of them, since GB/T 7714 writes it after the first of
two. A work with no names is cited by a prefix of its title, or as 佚名/Anon. The year must
equal the item's ``issued`` year. When several items share authors and year, a suffix letter
picks the one the reference list gives it (``reference.year_suffixes``: by the order of their
titles, case-folded, then by id): ``a`` the first, ``b`` the second; without a suffix the
citation is ambiguous and names them all.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from shiliao.cite.csl import year
from shiliao.cite.record import citation_forms, fold, lead_names
from shiliao.cite.reference import year_suffixes

__all__ = ["Citation", "CitedWork", "Resolution", "Resolver", "find_citations", "resolve"]


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
# A name in characters, its parts joined by a middle dot (阿布都热合曼·吐尔逊). Lazy, so that a
# trailing 等 is read as "et al." rather than as part of the name; never 等 alone.
_HAN_WORD = rf"(?!等人?(?![{_HAN}]))[{_HAN}](?:[·・‧•]?[{_HAN}])*?"
_WORD = rf"(?:[{_UPPER}](?:[^\W\d_]|['’\-])*|{_HAN_WORD})"
_PARTICLE = r"(?:of|the|for|on|van|von|der|den|de|del|della|da|di|du|la|le|al|bin|ibn)"
_NAME = rf"{_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+)*{_WORD})*"
# Between names: ", ", " and ", " & ", ", and ", ", & ", and the full-width comma and the
# enumeration comma of Chinese text (张三、李四). 和, 与 and 及 stay inside the name, because they
# also occur in names; ``resolve`` reads them both ways.
_NAME_SEPARATOR = r"(?:\s*[,，、]\s*(?:(?:and|&)\s+)?|\s+(?:and|&)\s+)"
_ET_AL = r"(?:,?\s+et\s+al\.?|\s*等人?)"
_YEAR = r"(?:(?P<year>[0-9０-９]{4})(?P<suffix>[a-z]?)|(?P<nd>n\.d\.))"
# A prefix word does not start a name, nor a title (an opening quotation mark or bracket).
_PREFIX_WORD = rf"(?:See|Cf\.|E\.g\.,?|Also|[^\s{_UPPER}{_HAN}“\"【《「『〔［]\S*)"
# Words that introduce a citation in Chinese text; written straight before the name.
_HAN_PREFIX = r"(?:参见|参看|详见|另见|又见|转引自|引自|见)"
# A title stands for a work with no names (CMOS 15.32, APA 8.14): in quotation marks (which
# may hold a quotation of their own), or, for APA's titles of works that stand alone, as it is
# when it starts with a Han character or an opening bracket (【访惠聚】结亲周, 《人民日报》).
_TITLE = r"(?P<title>“(?:[^“”\n]|“[^“”\n]*”)+”|\"[^\"\n]+\")"
_BARE_TITLE = rf"(?P<bare_title>[{_HAN}【《「『〔［].*?)"

_PARENTHETICAL_ITEM = re.compile(
    rf"""\s*(?P<prefix>(?:{_PREFIX_WORD}\s+)*(?:{_HAN_PREFIX}\s*)?)
    (?P<label>
      (?:(?P<authors>{_NAME}(?:{_NAME_SEPARATOR}{_NAME})*)(?P<etal>{_ET_AL})?(?:\s*[,，]\s*|\s+)
        |{_TITLE}\s*[,，]?\s*
        |{_BARE_TITLE}\s*[,，]\s*)
      {_YEAR})
    (?:\s*[,:，：]\s*(?P<locator>\S.*?))?\s*""",
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
# Half-width or full-width, no parenthesis inside, no blank line inside; the body is checked
# item by item afterwards.
_PARENTHESES = re.compile(r"[(（](?P<body>[^()（）\n]*(?:\n(?![ \t]*\n)[^()（）\n]*)*)[)）]")
_BRACKETS = re.compile(r"\[(?P<body>[^\[\]\n]*@[^\[\]\n]*)\](?![(\[:])")
# Pandoc: a key starts with a word character and may hold internal punctuation.
_PANDOC_ITEM = re.compile(
    r"""\s*(?P<prefix>(?:[^@]*?\s)?)
    (?P<label>@(?P<key>\w(?:[\w:.\#$%&\-+?<>~/]*\w)?))
    (?:(?:\s*,\s*|\s+)(?P<locator>\S.*?))?\s*""",
    re.VERBOSE | re.DOTALL,
)
_AUTHOR_SPLIT = re.compile(_NAME_SEPARATOR)
_HAS_YEAR = re.compile(r"[0-9０-９]{4}|n\.d\.")
_ITEM_SEPARATOR = re.compile(r"[;；]")
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
        authors: the names as written (``("Yao", "Zhang")``, ``("李世民和秦叔宝",)``); empty
            for a Pandoc citation and for a title.
        et_al: whether the names end with ``et al.`` or 等.
        year: four ASCII digits (full-width digits are read as such), or ``"n.d."``; empty
            for a Pandoc citation.
        suffix: the year's letter (``"a"``), or ``""``.
        key: the CSL id of a Pandoc citation, else None.
        prefix: words before the work (``"see"``), or ``""``.
        locator: what follows the year or key (``"p. 14"``), or ``""``.
        title: the title a work with no names is cited by, without its quotation marks and
            trailing comma (``(“Kinship,” 2022)`` gives ``"Kinship"``), or ``""``.
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
    title: str = ""


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
        candidates: the ids of the matching items when several match (ambiguous), ordered by
            case-folded title, then id (the order of their year letters); else empty.
    """

    citation: Citation
    work: CitedWork
    entry_id: str | None
    candidates: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The work as quoted in warnings: ``(Wang, 2019)``, ``（张三，2020）``, ``Wang (2019)``,
        ``[@wang-2019]``; a parenthetical work in its citation's own parentheses."""
        if self.citation.kind == "parenthetical":
            return f"{self.citation.text[0]}{self.work.text}{self.citation.text[-1]}"
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
    for part in _ITEM_SEPARATOR.split(match.group("body")):
        item = pattern.fullmatch(part)
        if item is None:
            return ()
        works.append(_work(item, body_start + offset, line_of, pandoc=pandoc))
        offset += len(part) + 1  # the separator is one character
    return tuple(works)


def _work(
    item: re.Match[str], base: int, line_of: Callable[[int], int], *, pandoc: bool
) -> CitedWork:
    """A ``CitedWork`` from a match of one item; ``base`` is the match string's offset."""
    text = item.group().strip()
    start = base + item.start() + (len(item.group()) - len(item.group().lstrip()))
    authors: tuple[str, ...] = ()
    title = ""
    if pandoc:
        work_year, suffix, et_al = "", "", False
    else:
        if item.group("authors") is not None:
            authors = tuple(
                " ".join(name.split()) for name in _AUTHOR_SPLIT.split(item.group("authors"))
            )
        elif item.groupdict().get("title"):
            title = " ".join(item.group("title")[1:-1].split()).rstrip(",，")
        elif item.groupdict().get("bare_title"):
            title = " ".join(item.group("bare_title").split())
        work_year = unicodedata.normalize("NFKC", item.group("year") or item.group("nd"))
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
        title=title,
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
    * Otherwise each name must be one of the forms the item's name in that place is cited by
      (the names in the author's place, ``record.lead_names``: family name, ``literal`` name,
      Chinese name in full in characters, romanized family name or romanized Chinese name in
      full; compared after NFKC normalization and case folding), as many names as the item
      has, or, with ``et al.`` or 等, fewer; a name in characters holding 和, 与 or 及 may be
      read as several. A work with no names matches by its quoted title, or a name written
      in its place, being the start of the item's title (at a word boundary in Latin script),
      or by 佚名/Anon. The year must equal the item's (``"n.d."`` matches an undated item).
    * With a suffix letter, the matching item that the reference list gives that letter
      (``reference.year_suffixes`` over ``bibliography``) is picked; when none has it, the
      work matches nothing. Without a suffix, two or more matching items make the work
      ambiguous.

    Args:
        citations: as ``find_citations`` returns them.
        bibliography: CSL-JSON items as ``csl.load_bibliography`` returns them, with the
            archived sources' items after them where those can be cited; ids are unique.

    Returns:
        One ``Resolution`` per cited work, in citation order; ``Resolution.warning`` gives the
        message for those that did not resolve.
    """
    return Resolver(bibliography).resolve(citations)


class Resolver:
    """A bibliography indexed once, for resolving the citations of many calls (a renderer
    resolves each citation as it writes it); ``resolve`` is one call.

    Args:
        bibliography: as for ``resolve``; not changed while the resolver is used.
    """

    def __init__(self, bibliography: Sequence[Mapping[str, Any]]) -> None:
        self._bibliography = bibliography
        self._by_id = {entry["id"]: entry for entry in bibliography}
        self._by_year: dict[str | None, list[_Cited]] = {}
        for entry in bibliography:
            self._by_year.setdefault(year(entry), []).append(_cited(entry))
        # The reference list's year letters, worked out when a citation has one.
        self._letters: dict[str, str] | None = None

    def resolve(self, citations: Iterable[Citation]) -> list[Resolution]:
        """As ``resolve`` does, against the resolver's bibliography."""
        resolutions: list[Resolution] = []
        for citation in citations:
            for work in citation.works:
                resolutions.append(self._work(citation, work))
        return resolutions

    def _work(self, citation: Citation, work: CitedWork) -> Resolution:
        if work.key is not None:
            return Resolution(citation, work, work.key if work.key in self._by_id else None)
        cited_year = None if work.year == "n.d." else work.year
        readings = _readings(work.authors)
        title = fold(work.title)
        matches = sorted(
            (
                cited.entry
                for cited in self._by_year.get(cited_year, [])
                if any(cited.matches(reading, work.et_al, title) for reading in readings)
            ),
            key=lambda entry: (str(entry.get("title") or "").casefold(), entry["id"]),
        )
        if work.suffix:
            if self._letters is None:
                self._letters = year_suffixes(self._bibliography)
            letters = self._letters
            picked = next(
                (entry["id"] for entry in matches if letters.get(entry["id"]) == work.suffix),
                None,
            )
            return Resolution(citation, work, picked)
        if len(matches) == 1:
            return Resolution(citation, work, matches[0]["id"])
        return Resolution(citation, work, None, tuple(entry["id"] for entry in matches))


# What GB/T 7714-2015 (§10.2) and some writers put in place of the names of a work with none.
_ANONYMOUS = frozenset({"佚名", "anon", "anon.", "anonymous"})
# 和, 与, 及 between characters may join two names or belong to one (和平, 与同).
_HAN_CONJUNCTION = re.compile(rf"(?<=[{_HAN}])[和与及](?=[{_HAN}])")
# Each conjunction doubles the readings tried; past this many in one work the rest stay as
# written, so that a long run of them costs nothing.
_MAX_CONJUNCTIONS = 4


@dataclass(frozen=True)
class _Cited:
    """An item as citations are matched against it.

    Attributes:
        entry: the CSL-JSON item.
        names: for each name in the author's place, the folded forms it is cited by.
        title: the folded title.
    """

    entry: Mapping[str, Any]
    names: tuple[frozenset[str], ...]
    title: str

    def matches(self, reading: tuple[str, ...], et_al: bool, title: str) -> bool:
        """Whether a work citing these folded names (or this folded title) cites the item."""
        if not self.names:
            if title:
                return self._title_starts(title)
            return (
                len(reading) == 1
                and not et_al
                and (reading[0] in _ANONYMOUS or self._title_starts(reading[0]))
            )
        if title:
            return False
        # et al. stands for one name or more after those given.
        enough = len(self.names) > len(reading) if et_al else len(self.names) == len(reading)
        return enough and all(
            name in forms for name, forms in zip(reading, self.names[: len(reading)], strict=True)
        )

    def _title_starts(self, cited: str) -> bool:
        """Whether the title is ``cited`` or starts with it, at a word boundary in Latin script
        (CMOS 15.32 and APA 8.14 shorten a title to its first words)."""
        if not cited or not self.title.startswith(cited):
            return False
        rest = self.title[len(cited) :]
        return not rest or not (rest[0].isascii() and rest[0].isalnum())


def _cited(entry: Mapping[str, Any]) -> _Cited:
    names = tuple(citation_forms(person) for person in lead_names(entry)[1])
    return _Cited(entry, names, fold(str(entry.get("title") or "")))


def _readings(authors: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The ways of reading cited names: as written, and with names in characters split at 和,
    与 or 及 (``("李世民和秦叔宝",)`` is also ``("李世民", "秦叔宝")``); folded."""
    readings: list[tuple[str, ...]] = [()]
    budget = _MAX_CONJUNCTIONS
    for name in authors:
        cuts = [match.start() for match in _HAN_CONJUNCTION.finditer(name)][:budget]
        budget -= len(cuts)
        options = []
        for chosen in itertools.product((False, True), repeat=len(cuts)):
            parts, start = [], 0
            for cut, split in zip(cuts, chosen, strict=True):
                if split:
                    parts.append(fold(name[start:cut]))
                    start = cut + 1
            parts.append(fold(name[start:]))
            options.append(tuple(parts))
        readings = [reading + option for reading in readings for option in options]
    return readings
