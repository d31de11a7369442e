"""Properties of the search query parser (``search.query``): any text is parsed or refused
with a ``QueryError``, never anything else, and what it gives back keeps its promises; a
phrase quoted from a passage always finds that passage."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from shiliao.errors import QueryError
from shiliao.search.query import Query, parse_query, split_query
from shiliao.zh.fold import fold
from tests.properties.strategies import chars, texts

_OPERATORS = {"OR", "AND", "NOT", "|", "||", "&", "&&"}
# A word as a user types it: no quote, no white space.
_WORDS = st.text(
    chars(surrogates=False).filter(lambda c: c not in '"＂' and not c.isspace()),
    min_size=1,
    max_size=8,
)


@given(texts(max_size=60))
def test_any_text_is_a_query_or_a_query_error(q: str) -> None:
    try:
        query = parse_query(q)
    except QueryError as exc:
        assert str(exc)
        return
    assert query.text == q
    assert query.units
    assert len(set(query.units)) == len(query.units)
    for unit in query.units:
        assert unit.strip()
        assert '"' not in unit
        # A unit is folded already: quoted again, it comes back as it is.
        assert split_query(f'"{unit}"') == [unit.strip()]
    assert query.groups == tuple((unit,) for unit in query.units)


@given(texts(max_size=60))
def test_split_and_parse_agree(q: str) -> None:
    try:
        units = split_query(q)
    except QueryError:
        return
    if units:
        assert parse_query(q).units == tuple(dict.fromkeys(units))


@given(st.lists(_WORDS, min_size=1, max_size=5), st.sampled_from([" ", "  ", "\u3000", "\t"]))
def test_words_are_split_one_by_one(words: list[str], space: str) -> None:
    try:
        units = split_query(space.join(words))
    except QueryError:
        # Only an operator of another query language is refused (the module docstring): one
        # of the words alone is refused too.
        refused = 0
        for word in words:
            try:
                split_query(word)
            except QueryError:
                refused += 1
        assert refused
        return
    assert units == [unit for word in words for unit in split_query(word)]


@given(st.sampled_from(sorted(_OPERATORS)), _WORDS)
def test_operators_are_refused_unquoted_and_searched_quoted(operator: str, word: str) -> None:
    try:
        split_query(f"{word} {operator}")
    except QueryError as exc:
        assert operator in str(exc)
    else:
        raise AssertionError(f"{operator!r} was searched as a word")
    assert split_query(f'"{operator}"') == split_query(f'"{operator.lower()}"')


@given(texts(max_size=30).filter(lambda t: '"' not in t and "＂" not in t))
def test_a_quoted_phrase_is_one_unit(phrase: str) -> None:
    units = split_query(f'"{phrase}"')
    assert len(units) <= 1
    assert split_query(f"＂{phrase}＂") == units
    assert bool(units) == bool(phrase.strip()) or not units


@given(texts(max_size=30), texts(max_size=30))
def test_an_odd_number_of_quotes_is_refused(before: str, after: str) -> None:
    q = before + '"' + after
    assume((q.count('"') + q.count("＂")) % 2 == 1)
    try:
        split_query(q)
    except QueryError as exc:
        # The first problem is named: an operator before the quote, or the quote.
        assert "unclosed quote" in str(exc) or "operator" in str(exc) or "search for" in str(exc)
    else:
        raise AssertionError(f"an unclosed quote was accepted: {q!r}")


@given(texts(max_size=40, surrogates=False), st.data())
def test_a_phrase_quoted_from_a_passage_finds_it(passage: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(passage)))
    end = data.draw(st.integers(start, len(passage)))
    phrase = passage[start:end]
    assume('"' not in phrase and "＂" not in phrase and phrase.strip())
    try:
        query = parse_query(f'"{phrase}"')
    except QueryError:
        # Only a phrase that folds to white space alone (´ folds to " ́") has no unit.
        return
    assert query.matches(fold(passage)), (phrase, passage)


@given(st.lists(_WORDS, min_size=1, max_size=4), texts(max_size=20, surrogates=False))
def test_a_passage_of_the_words_matches_every_group(words: list[str], filler: str) -> None:
    try:
        query = parse_query(" ".join(words))
    except QueryError:
        return
    passage = filler.join(words)
    assert query.matches(fold(passage)) or any(w != w.strip() for w in words)
    assert Query(query.text, query.units).groups == query.groups
