"""Stored dates in order by the earliest day they can mean, at the precision they have."""

from __future__ import annotations

from shiliao.edtf import date_sort_key


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
