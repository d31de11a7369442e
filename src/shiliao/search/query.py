"""The search query language: words and quoted phrases, all required, matched as substrings.

A query is split on whitespace into words; text between double quotes (``"`` or the full-width
``＂``) is one unit, inner spaces included. Every unit is folded with ``zh.fold.fold_query`` (NFKC,
lower case, Traditional to Simplified except where that would merge distinct words), and a
passage matches when **every** unit occurs in its folded text (``zh.fold.fold``) as a
substring, a Simplified character that stands for several Traditional ones matching any of them
(``zh.fold.unit_pattern``). There are no operators, no field prefixes and no escapes: a
double quote cannot be searched for. What other search engines read as an operator is refused
with a message rather than searched as a word, which would find nothing or the wrong thing:
``OR``, ``AND``, ``NOT`` (as typed, in capitals), ``|``, ``&&`` and a word that opens with ``-``
or ``+`` before a letter (``-新疆``, ``+cadre``). Quoted, each is searched as written
(``"OR"``, ``"-新疆"``). Examples::

    干部                one word: passages containing 干部 (or 幹部)
    乾隆                乾隆 in either script, never 干部 (幹部)
    民族团结 新疆        two words, both required, anywhere in the passage
    "Four Togethers"    the phrase, with its one space, exactly, in any case
    團結 ２０１９          the same as 团结 2019

A query may also hold groups of alternatives (``Query.groups``): ``search.expand`` adds the
glossary's Chinese term beside a word typed in pinyin or English, and the group matches when
any of its alternatives occurs. ``parse_query`` itself makes one group per unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from shiliao.errors import QueryError
from shiliao.zh.fold import fold_query, unit_pattern

__all__ = ["Query", "parse_query", "split_query"]

# Characters that open and close a phrase: the ASCII quote and the full-width one, which NFKC
# turns into it (so a query typed with a Chinese input method works too).
_QUOTES = frozenset('"＂')
# Operators of other engines' query languages, as typed (before normalization).
_OPERATORS = frozenset({"OR", "AND", "NOT", "|", "||", "&", "&&"})


@dataclass(frozen=True)
class Query:
    """A parsed query.

    Attributes:
        text: the query as the user typed it.
        units: the folded words and phrases (``zh.fold.fold_query``), in the order typed,
            without duplicates; never
            empty, no unit is empty or only whitespace. A unit contains whitespace only when it
            came from a quoted phrase (or from a character whose NFKC form has a space, like
            ``´``).
        groups: what must match: every group, each by any one of its units (alternatives).
            Left empty, it is one group per unit (every unit required). Every unit of
            ``groups`` is in ``units``, and every unit of ``units`` in some group.
    """

    text: str
    units: tuple[str, ...]
    groups: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        if not self.groups:
            object.__setattr__(self, "groups", tuple((unit,) for unit in self.units))

    def matches(self, folded_text: str) -> bool:
        """Whether a passage matches: in every group, some unit occurs in its folded text.

        This is the definition the index answers exactly; it is also the brute-force check.

        Args:
            folded_text: ``zh.fold.fold(text)`` of the passage.
        """
        return all(
            any(unit_pattern(unit).search(folded_text) for unit in group) for group in self.groups
        )


def split_query(q: str) -> list[str]:
    """Cut a query into its folded words and phrases, in order, repeats kept.

    ``parse_query`` drops repeats; ``search.expand`` needs them (``si tong si song``).

    Args:
        q: the query as typed.

    Returns:
        The folded units in the order typed; whitespace around the text of a quoted phrase
        is dropped; empty units (``""``) are left out.

    Raises:
        QueryError: when a quote is not closed, or an unquoted word is an operator of another
            query language (``OR``, ``-word``: see the module docstring).
    """
    units: list[str] = []
    current: list[str] = []
    quoted = False

    def flush() -> None:
        raw = "".join(current)
        current.clear()
        if quoted:
            raw = raw.strip()
        unit = fold_query(raw)
        if not quoted:
            _refuse_operator(raw, unit, q)
        if unit.strip():
            units.append(unit)

    for char in q:
        if char in _QUOTES:
            flush()
            quoted = not quoted
        elif char.isspace() and not quoted:
            flush()
        else:
            current.append(char)
    if quoted:
        raise QueryError(
            f'unclosed quote in the query {q!r}: add the closing " or remove the opening one'
        )
    flush()
    return units


def _refuse_operator(raw: str, unit: str, q: str) -> None:
    """Raise ``QueryError`` when an unquoted word is an operator of another query language."""
    if raw.strip() in _OPERATORS:
        word = raw.strip()
        raise QueryError(
            f"{word!r} in the query {q!r} is not an operator here: every word is required, "
            f"and there is no {word}; run one search per alternative, or quote it to search "
            f"for the word itself ({_quoted(word)})"
        )
    if len(unit) > 1 and unit[0] in "-+" and unit[1].isalpha():
        hint = (
            "leaving words out is not supported; search without it"
            if unit[0] == "-"
            else "every word is already required; drop the +"
        )
        raise QueryError(
            f"{raw.strip()!r} in the query {q!r}: {hint}, or quote it to search for the text "
            f"itself ({_quoted(raw.strip())})"
        )


def _quoted(word: str) -> str:
    """How to type ``word`` quoted: as the query has it, and on a shell's command line (whose
    own quotes do not reach the query)."""
    return f""""{word}"; in a shell: '"{word}"'"""


def parse_query(q: str) -> Query:
    """Parse a query typed by a user.

    Args:
        q: the query, e.g. ``'民族团结 "Four Togethers"'``.

    Returns:
        The query with its folded units (``split_query``, each unit once).

    Raises:
        QueryError: when a quote is not closed, or when the query has no word to search for.
    """
    units = tuple(dict.fromkeys(split_query(q)))
    if not units:
        raise QueryError(f"empty query {q!r}: give at least one word to search for")
    return Query(text=q, units=units)
