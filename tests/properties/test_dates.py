"""Properties of the date reader (``extract.dates``): whatever the text, a finder answers with
a real date in EDTF or with None, never an exception; a date written in any of the forms read
comes back as itself, at the precision written."""

from __future__ import annotations

import datetime
import re

from hypothesis import example, given
from hypothesis import strategies as st

from shiliao.extract.dates import (
    FoundDate,
    MonthDay,
    edtf_date,
    find_date_line,
    find_datetime_line,
    find_labelled_date,
    find_month_day,
    find_text_date,
    parse_date_text,
    pdf_date,
    url_date,
    year_from_context,
)
from tests.properties.strategies import chars

_EDTF = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
_HAN = "〇一二三四五六七八九"
# Pieces of the forms dates are written in, so that random lines come near real ones.
_PIECES = st.sampled_from(
    [
        "发布时间：",
        "日期:",
        "成文日期 ： ",
        "时间：",
        "年",
        "月",
        "日",
        "号",
        "-",
        "/",
        ".",
        ":",
        " ",
        "|",
        "（",
        "）",
        "(",
        ")",
        "。",
        "二〇一九",
        "十",
        "二十",
        "三十一",
        "2019",
        "1921",
        "0230",
        "12",
        "31",
        "09:30",
        "09时30分",
        "星期二",
        "以来",
        "至",
        "上午",
        "通过",
        "\n",
        "D:",
        "+08'00'",
        "/t",
        "_1.html",
        "http://",
        "[",
        "]",
        "%",
        "２０１９",
    ]
)
_LINES = st.lists(st.one_of(_PIECES, chars(surrogates=False)), max_size=16).map("".join)
_DAYS = st.dates(datetime.date(1000, 1, 1), datetime.date(9999, 12, 31))


def _real(date: str) -> bool:
    """Whether ``date`` is EDTF at one of the three precisions, and such a date exists."""
    if not _EDTF.fullmatch(date):
        return False
    parts = [int(part) for part in date.split("-")]
    return edtf_date(*parts) == date


def _check(found: FoundDate | None) -> None:
    if found is not None:
        assert _real(found.date), found
        assert found.source


@given(st.lists(_LINES, max_size=12))
def test_the_finders_answer_a_real_date_or_none(lines: list[str]) -> None:
    _check(find_labelled_date(lines))
    _check(find_datetime_line(lines))
    _check(find_date_line(lines))
    _check(find_text_date("\n".join(lines)))
    month_day = find_month_day(lines)
    if month_day is not None:
        assert isinstance(month_day, MonthDay)
        assert edtf_date(2000, month_day.month, month_day.day) is not None
        _check(year_from_context(month_day, FoundDate("2019", "url path")))


@given(_LINES)
@example("http://[")
@example("//[::1/2019/03/05/")
def test_value_readers_answer_a_real_date_or_none(value: str) -> None:
    for date in (parse_date_text(value), pdf_date(value)):
        assert date is None or _real(date)
    _check(url_date(value))


@given(st.integers(-20000, 20000), st.integers(-5, 20), st.integers(-5, 40))
def test_edtf_date_is_none_exactly_for_impossible_dates(year: int, month: int, day: int) -> None:
    try:
        datetime.date(year, month, day)
        possible = year >= 1000
    except ValueError:
        possible = False
    assert (edtf_date(year, month, day) is not None) == possible
    assert (edtf_date(year, month) is not None) == (1000 <= year <= 9999 and 1 <= month <= 12)
    assert (edtf_date(year) is not None) == (1000 <= year <= 9999)


def _han_number(n: int) -> str:
    tens, units = divmod(n, 10)
    return (
        ("" if tens < 2 else _HAN[tens]) + ("十" if tens else "") + (_HAN[units] if units else "")
    )


@given(_DAYS)
def test_a_day_written_in_any_form_reads_back(day: datetime.date) -> None:
    iso = day.isoformat()
    y, m, d = day.year, day.month, day.day
    han_year = "".join(_HAN[int(digit)] for digit in f"{y:04d}")
    for written in (
        iso,
        f"{y}/{m}/{d}",
        f"{y}.{m:02d}.{d:02d}",
        f"{iso}T09:30:00+08:00",
        f"{y}{m:02d}{d:02d}",
        f"{y}年{m}月{d}日",
        f"{han_year}年{_han_number(m)}月{_han_number(d)}日",
        f"{iso} 09:30",
    ):
        assert parse_date_text(written) == iso, written
    assert pdf_date(f"D:{y:04d}{m:02d}{d:02d}101431+08'00'") == iso
    assert find_labelled_date([f"发布时间：{y}年{m}月{d}日"]) == (iso, "label:发布时间")
    assert find_datetime_line([f"{iso} 09:30 来源：新华网"]) == (iso, "date-time line")
    assert find_date_line(["正文。", f"{y}年{m:02d}月{d:02d}日"]) == (iso, "signature line")
    assert find_date_line(["标题", f"（{y}年{m}月{d}日）", "正文。"]) == (iso, "dateline")


@given(st.dates(datetime.date(1990, 1, 1), datetime.date(2099, 12, 31)))
def test_a_web_address_gives_its_date(day: datetime.date) -> None:
    iso = day.isoformat()
    y, m, d = day.year, day.month, day.day
    for address in (
        f"http://www.gov.cn/{y}-{m:02d}/{d:02d}/content_1.htm",
        f"https://example.cn/{y}/{m:02d}/{d:02d}/a.html",
        f"https://example.cn/a/{y}{m:02d}/t{y}{m:02d}{d:02d}_123.html",
    ):
        assert url_date(address) == (iso, "url path"), address
    assert url_date(f"https://example.cn/{y}{m:02d}/index.html") == (iso[:7], "url path")


@given(st.integers(1000, 9999), st.integers(1, 12))
def test_a_year_or_a_month_keeps_its_precision(year: int, month: int) -> None:
    assert parse_date_text(f"{year}") == f"{year}"
    assert parse_date_text(f"{year}-{month:02d}") == f"{year}-{month:02d}"
    assert parse_date_text(f"{year}年{month}月") == f"{year}-{month:02d}"
    assert parse_date_text(f"{year}年底") is None
    assert pdf_date(f"D:{year}") == f"{year}"
