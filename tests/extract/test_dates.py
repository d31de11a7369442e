"""Dates as Chinese pages and PDFs write them, into EDTF."""

from __future__ import annotations

import pytest

from shiliao.extract.dates import (
    edtf_date,
    find_date_line,
    find_labelled_date,
    parse_date_text,
    pdf_date,
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("发布时间：2019-03-05 09:30", "2019-03-05"),
        ("发布日期：2016-11-22", "2016-11-22"),
        ("时间： 2019-09-18 06:23 来源： 山西日报", "2019-09-18"),
        ("来源: | 发布时间: 2018-05-17 | 浏览次数: 2168", "2018-05-17"),
        ("发布时间 ： 2019年03月05日", "2019-03-05"),
        ("成文日期：2019年3月5日", "2019-03-05"),
        ("日期：２０１９－０３－０５", "2019-03-05"),
        ("发布日期：1956年4月25日", "1956-04-25"),
        ("发布日期：二〇一九年三月五日", "2019-03-05"),
        ("发布时间：2019/3/5", "2019-03-05"),
        ("留置时间：2019-03-05", None),
        ("发布时间：2019-02-30", None),
        ("发布时间：待定", None),
        ("当地时间9月16日下午", None),
    ],
)
def test_find_labelled_date(line: str, expected: str | None) -> None:
    assert find_labelled_date([line]) == expected


def test_labelled_date_is_the_first_valid_one_in_reading_order() -> None:
    lines = ["首页 > 要闻", "发布时间：2019-13-01", "发布日期：2016-11-22", "时间：2020-01-01"]
    assert find_labelled_date(lines) == "2016-11-22"


def test_find_date_line_takes_the_signature_date() -> None:
    lines = ["2018年3月20日，第十三届全国人大一次会议通过。", "省人民政府", "2019年3月5日"]
    assert find_date_line(lines) == "2019-03-05"
    assert find_date_line(["山西省人民政府办公厅", "  二〇一六年十一月二十二日  "]) == "2016-11-22"
    assert find_date_line(["二〇一六年十一月三十一日"]) is None
    assert find_date_line(["2019年3月5日下午召开会议"]) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2016-11-22 09:53", "2016-11-22"),
        ("2019-03-05T09:30:00+08:00", "2019-03-05"),
        ("2019.03.05", "2019-03-05"),
        ("20190305", "2019-03-05"),
        ("2019年3月5日", "2019-03-05"),
        ("yesterday", None),
        ("", None),
    ],
)
def test_parse_date_text(value: str, expected: str | None) -> None:
    assert parse_date_text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("D:20230318101431+02'14'", "2023-03-18"),
        ("D:20230318", "2023-03-18"),
        ("D:202303", "2023-03"),
        ("D:2023", "2023"),
        ("20230318101431Z", "2023-03-18"),
        ("D:20231318", None),
        ("", None),
    ],
)
def test_pdf_date_keeps_the_precision_given(value: str, expected: str | None) -> None:
    assert pdf_date(value) == expected


def test_edtf_date_refuses_impossible_dates() -> None:
    assert edtf_date(1921, 7) == "1921-07"
    assert edtf_date(2020, 2, 29) == "2020-02-29"
    assert edtf_date(2019, 2, 29) is None
    assert edtf_date(999) is None
