"""Year facets and filters take a source's date at the precision it has, inventing no day."""

from __future__ import annotations

import pytest

from shiliao.search.facets import (
    FacetValue,
    PassageFacets,
    SearchFilters,
    count_facets,
    facets_from,
    year_of,
)


@pytest.mark.parametrize(
    ("date", "year"),
    [
        ("2016", 2016),
        ("2019-04", 2019),
        ("2019-03-05", 2019),
        ("2016?", 2016),
        ("2016~", 2016),
        ("2004/2006", 2004),
        ("-0500", -500),
        ("201X", None),
        ("19XX", None),
        ("民国十年", None),
        ("", None),
        (None, None),
    ],
)
def test_year_of(date: str | None, year: int | None) -> None:
    assert year_of(date) == year


def test_year_filters_take_a_year_alone_or_a_month_alone_as_that_year() -> None:
    within = SearchFilters(year_from=2016, year_to=2019)
    dates = ["2016", "2019-04", "2015-12-31", "2020", "-0500", "201X", None]
    allowed = [date for date in dates if within.allows(facets_from(date, "report", "zh-Hans"))]
    assert allowed == ["2016", "2019-04"]
    before = SearchFilters(year_to=-400)
    assert [date for date in dates if before.allows(facets_from(date, None, None))] == ["-0500"]


def test_year_facet_counts_year_only_and_month_only_sources_in_their_year() -> None:
    facets = {
        "a": facets_from("2016", "report", "zh-Hans"),
        "b": facets_from("2016-11-22", "webpage", "zh-Hans"),
        "c": facets_from("2019-04", "report", "zh-Hans"),
        "d": facets_from(None, "report", "zh-Hans"),
        "e": facets_from("201X", "report", "zh-Hans"),
    }
    counts = count_facets({"a": 3, "b": 1, "c": 2, "d": 5, "e": 4}, facets)
    assert counts["year"] == [
        FacetValue(2016, 4, 2),
        FacetValue(2019, 2, 1),
        FacetValue(None, 9, 2),
    ]
    assert facets["a"] == PassageFacets(year=2016, type="report", language="zh-Hans")
