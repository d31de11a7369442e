"""The search query language: words and quoted phrases, all required, matched as substrings.

A query is split on whitespace into words; text between double quotes (``"`` or the full-width
``＂``) is one unit, inner spaces included. Every unit is normalized with ``zh.normalize`` (NFKC,
lower case, Traditional to Simplified), and a passage matches when **every** unit occurs in its
normalized text as a substring. There are no operators, no field prefixes and no escapes: a
double quote cannot be searched for. Examples::

    干部                one word: passages containing 干部 (or 幹部)
    民族团结 新疆        two words, both required, anywhere in the passage
    "Four Togethers"    the phrase, with its one space, exactly, in any case
    團結 ２０１９          the same as 团结 2019
"""

from __future__ import annotations

from dataclasses import dataclass

from shiliao.errors import QueryError
from shiliao.zh.normalize import normalize

__all__ = ["Query", "parse_query"]

# Characters that open and close a phrase: the ASCII quote and the full-width one, which NFKC
# turns into it (so a query typed with a Chinese input method works too).
_QUOTES = frozenset('"＂')


@dataclass(frozen=True)
class Query:
    """A parsed query.

    Attributes:
        text: the query as the user typed it.
        units: the normalized words and phrases, in the order typed, without duplicates; never
            empty, no unit is empty or only whitespace. A unit contains whitespace only when it
            came from a quoted phrase (or from a character whose NFKC form has a space, like
            ``´``).
    """

    text: str
    units: tuple[str, ...]

    def matches(self, normalized_text: str) -> bool:
        """Whether a passage matches: every unit is a substring of its normalized text.

        This is the definition the index answers exactly; it is also the brute-force check.

        Args:
            normalized_text: ``zh.normalize(text)`` of the passage.
        """
        return all(unit in normalized_text for unit in self.units)


def parse_query(q: str) -> Query:
    """Parse a query typed by a user.

    Args:
        q: the query, e.g. ``'民族团结 "Four Togethers"'``.

    Returns:
        The query with its normalized units. Whitespace around the text of a quoted phrase is
        dropped; an empty phrase (``""``) is ignored.

    Raises:
        QueryError: when a quote is not closed, or when the query has no word to search for.
    """
    units: list[str] = []
    current: list[str] = []
    quoted = False

    def flush() -> None:
        raw = "".join(current)
        current.clear()
        if quoted:
            raw = raw.strip()
        unit = normalize(raw)
        if unit.strip() and unit not in units:
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
    if not units:
        raise QueryError(f"empty query {q!r}: give at least one word to search for")
    return Query(text=q, units=tuple(units))
