"""Stored dates in order by the earliest day they can mean, at the precision they have."""

from __future__ import annotations

from shiliao.edtf import date_sort_key, year_span


def test_dates_sort_by_earliest_day_and_less_precise_first() -> None:
    dates = [
        "2016-01-01",
        None,
        "2019-04",
        "民国十年",
        "2016",
        "2016-02",
        "201X",
        "2015-12-31",
        "2016?",
        "-0500",
        "../2006",
        "[1667,1668]",
        "2004/2006",
        "2016-01",
        "",
    ]
    assert sorted(dates, key=date_sort_key) == [
        "-0500",
        "[1667,1668]",
        "2004/2006",
        "../2006",
        "201X",
        "2015-12-31",
        "2016",
        "2016?",
        "2016-01",
        "2016-01-01",
        "2016-02",
        "2019-04",
        "民国十年",
        None,
        "",
    ]


def test_plain_dates_sort_as_their_strings_do() -> None:
    # SQL orders the stored strings; for years, months and days it must agree.
    dates = ["2019-04", "2016", "2016-01-01", "2016-12", "1921-07", "2016-01", "2019-03-05"]
    assert sorted(dates, key=date_sort_key) == sorted(dates)


def test_the_key_says_what_the_date_gives() -> None:
    assert date_sort_key("2019-04") == (0, 2019, 4, 1, 2, "2019-04")
    assert date_sort_key("2016") == (0, 2016, 1, 1, 1, "2016")
    assert date_sort_key("2004-XX") == (0, 2004, 1, 1, 1, "2004-XX")
    assert date_sort_key("2001-21") == (0, 2001, 1, 1, 1, "2001-21")
    assert date_sort_key("1760-01..1760-03") == (0, 1760, 1, 1, 2, "1760-01..1760-03")


def test_year_spans_are_the_years_a_date_may_fall_in() -> None:
    assert year_span("2016") == year_span("2016-05") == year_span("2016?") == (2016, 2016)
    assert year_span("2016-05-03~") == (2016, 2016)
    assert year_span("201X") == (2010, 2019) and year_span("19XX") == (1900, 1999)
    assert year_span("2004/2006") == (2004, 2006) and year_span("../2006") == (2006, 2006)
    assert year_span("[1667,1668]") == (1667, 1668)
    assert year_span("[1760-01..1760-12]") == (1760, 1760)
    assert year_span("-0500") == (-500, -500)
    assert year_span(None) is None and year_span("") is None and year_span("民国十年") is None
    # The earliest day a date sorts by is in its span.
    for date in ("2016", "201X", "2016?", "2004/2006", "../2006", "[1667,1668]", "-0500"):
        span = year_span(date)
        assert span is not None and span[0] <= date_sort_key(date)[1] <= span[1], date
