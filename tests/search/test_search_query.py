"""Parsing what a user types into words and phrases."""

from __future__ import annotations

import pytest

import shiliao.search
from shiliao.errors import QueryError, SearchError
from shiliao.search import parse_query


def test_words_are_split_on_whitespace_and_normalized():
    query = parse_query("  民族團結\t新疆　ＧＤＰ ")
    assert query.units == ("民族团结", "新疆", "gdp")
    assert query.text == "  民族團結\t新疆　ＧＤＰ "


def test_quoted_phrase_is_one_unit_with_its_inner_spaces():
    assert parse_query('干部 "Four  Togethers" 新疆').units == ("干部", "four  togethers", "新疆")
    assert parse_query('" 结亲 "').units == ("结亲",)
    assert parse_query('a"b c"d').units == ("a", "b c", "d")


def test_full_width_quote_opens_a_phrase():
    assert parse_query("＂民族 团结＂").units == ("民族 团结",)


def test_duplicates_are_dropped_in_order():
    assert parse_query("团结 新疆 團結").units == ("团结", "新疆")


@pytest.mark.parametrize("text", ['"民族团结', '干部 "', 'a "b" "c'])
def test_unclosed_quote(text):
    with pytest.raises(QueryError, match="unclosed quote"):
        parse_query(text)


@pytest.mark.parametrize("text", ["", "   ", "　", '""', '"  " ""'])
def test_empty_query(text):
    with pytest.raises(QueryError, match="empty query"):
        parse_query(text)


def test_query_error_is_a_search_error():
    with pytest.raises(SearchError):
        parse_query('"')


def test_matches_needs_every_unit():
    query = parse_query('民族 "a b"')
    assert query.matches("民族 x a b")
    assert not query.matches("民族 ab")
    assert not query.matches("a b")


def test_public_names():
    assert shiliao.search.__all__ == [
        "Kwic",
        "PassageIndex",
        "Query",
        "SearchResult",
        "find_spans",
        "format_kwic_plain",
        "parse_query",
        "snippet",
    ]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("新疆 OR 干部", "'OR' in the query '新疆 OR 干部' is not an operator"),
        ("新疆 AND 干部", "'AND' in the query"),
        ("NOT 干部", "'NOT' in the query"),
        ("新疆 | 干部", "'|' in the query"),
        ("干部 -新疆", "'-新疆' in the query '干部 -新疆': leaving words out is not supported"),
        ("干部 －新疆", "leaving words out"),  # the full-width hyphen-minus an IME types
        ("+cadre", "every word is already required"),
    ],
)
def test_operators_of_other_engines_are_refused_not_searched(text, says):
    with pytest.raises(QueryError) as refused:
        parse_query(text)
    assert says in str(refused.value)


def test_operators_quoted_or_in_other_cases_are_words():
    assert parse_query('"OR" 新疆').units == ("or", "新疆")
    assert parse_query('"-新疆"').units == ("-新疆",)
    assert parse_query("or 新疆 Or").units == ("or", "新疆")
    # A minus before a digit is a number, not an exclusion.
    assert parse_query("-5 零下").units == ("-5", "零下")
