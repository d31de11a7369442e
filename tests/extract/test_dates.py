"""Dates as Chinese pages, texts and PDFs write them, into EDTF at the precision written."""

from __future__ import annotations

import pytest

from shiliao.extract.dates import (
    FoundDate,
    MonthDay,
    edtf_date,
    find_date_line,
    find_datetime_line,
    find_labelled_date,
    find_month_day,
    find_text_date,
    is_edtf,
    parse_date_text,
    pdf_date,
    url_date,
    year_from_context,
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("发布时间：2019-03-05 09:30", ("2019-03-05", "label:发布时间")),
        ("发布日期：2016-11-22", ("2016-11-22", "label:发布日期")),
        ("时间： 2019-09-18 06:23 来源： 山西日报", ("2019-09-18", "label:时间")),
        ("来源: | 发布时间: 2018-05-17 | 浏览次数: 2168", ("2018-05-17", "label:发布时间")),
        ("发布时间 ： 2019年03月05日", ("2019-03-05", "label:发布时间")),
        ("成文日期：2019年3月5日", ("2019-03-05", "label:成文日期")),
        ("日期：２０１９－０３－０５", ("2019-03-05", "label:日期")),
        ("发布日期：1956年4月25日", ("1956-04-25", "label:发布日期")),
        ("发布日期：二〇一九年三月五日", ("2019-03-05", "label:发布日期")),
        ("发布时间：2019/3/5", ("2019-03-05", "label:发布时间")),
        ("发布时间：2019-03-05浏览次数：12", ("2019-03-05", "label:发布时间")),
        ("发布日期：2019年03月05日 星期二", ("2019-03-05", "label:发布日期")),
        ("发布日期：2019年4月", ("2019-04", "label:发布日期")),
        ("发布时间：2016年", ("2016", "label:发布时间")),
        ("发布时间：2016", None),
        ("时间：2016年底", None),
        ("时间：2016年以来", None),
        ("日期：2019年3月5日至8日", None),
        ("日期：2019年3月5日 至 3月8日", None),
        ("时间：2019年3月5日上午9时", None),
        ("时间：2016年1-3月", None),
        ("留置时间：2019-03-05", None),
        ("发布时间：2019-02-30", None),
        ("发布时间：待定", None),
        ("当地时间9月16日下午", None),
    ],
)
def test_find_labelled_date(line: str, expected: tuple[str, str] | None) -> None:
    assert find_labelled_date([line]) == expected


def test_labelled_date_is_the_first_valid_one_in_reading_order() -> None:
    lines = ["首页 > 要闻", "发布时间：2019-13-01", "发布日期：2016-11-22", "时间：2020-01-01"]
    assert find_labelled_date(lines) == FoundDate("2016-11-22", "label:发布日期")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2016年06月30日09时30分", "2016-06-30"),
        ("2015年04月08日10:05", "2015-04-08"),
        ("2015-04-08 10:05:31 新华网", "2015-04-08"),
        ("来源：新华网 | 2015-04-08 10:05", "2015-04-08"),
        ("2019年3月5日 09:30 星期二", "2019-03-05"),
        ("2015年4月8日10:05，记者从市政府获悉", None),
        ("2015年04月08日10:05许，一辆货车", None),
        ("2015年04月08日", None),
        ("2015年4月 10:05", None),
        ("标题 2015-04-08 10:05", None),
    ],
)
def test_find_datetime_line(line: str, expected: str | None) -> None:
    found = find_datetime_line(["首页", line])
    assert found == (FoundDate(expected, "date-time line") if expected else None)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("4月10日 18:10", MonthDay(4, 10, "4月10日 18:10", "date-time line")),
        ("04-10 18:10 来源：人民网", MonthDay(4, 10, "04-10 18:10", "date-time line")),
        ("发布时间：4月10日", MonthDay(4, 10, "4月10日", "label:发布时间")),
        ("来源：人民网 | 2月29日 08:00", MonthDay(2, 29, "2月29日 08:00", "date-time line")),
        ("4月10日", None),
        ("4月10日 18:10，会议召开", None),
        ("发布时间：4月10日至12日", None),
        ("2月30日 08:00", None),
    ],
)
def test_find_month_day(line: str, expected: MonthDay | None) -> None:
    assert find_month_day([line]) == expected


def test_year_from_context_needs_a_context_that_agrees() -> None:
    month_day = MonthDay(4, 10, "4月10日 18:10", "label:发布时间")
    assert year_from_context(month_day, FoundDate("2019-04", "url path")) == FoundDate(
        "2019-04-10", "label:发布时间, year from context: url path 2019-04"
    )
    assert year_from_context(month_day, FoundDate("2019", "url path")) == FoundDate(
        "2019-04-10", "label:发布时间, year from context: url path 2019"
    )
    assert year_from_context(month_day, FoundDate("2019-05", "url path")) is None
    assert year_from_context(month_day, FoundDate("2019-04-11", "url path")) is None
    leap = MonthDay(2, 29, "2月29日 08:00", "date-time line")
    assert year_from_context(leap, FoundDate("2019-02", "url path")) is None


def test_find_date_line_takes_the_signature_date() -> None:
    lines = ["2018年3月20日，第十三届全国人大一次会议通过。", "省人民政府", "2019年3月5日"]
    assert find_date_line(lines) == FoundDate("2019-03-05", "signature line")
    signed = ["山西省人民政府办公厅", "  二〇一六年十一月二十二日  "]
    assert find_date_line(signed) == FoundDate("2016-11-22", "signature line")
    white_paper = ["……共同构建人类命运共同体。", "中华人民共和国国务院新闻办公室", "2019年3月"]
    assert find_date_line(white_paper) == FoundDate("2019-03", "signature line")
    assert find_date_line(["二〇一六年十一月三十一日"]) is None
    assert find_date_line(["2019年3月5日下午召开会议"]) is None
    assert find_date_line(["……全面推进。", "2016年"]) is None


def test_a_chronology_entry_is_no_signature() -> None:
    lines = ["大事记", "2016年9月30日", "召开动员大会。", "2016年10月1日", "活动全面启动。"]
    assert find_date_line(lines) is None
    far = ["通知全文。", "2019年3月5日", "附件一", "附件二", "附件三", "附件四", "附件五"]
    assert find_date_line(far) is None


def test_find_date_line_takes_a_dateline_under_the_title() -> None:
    speech = [
        "决胜全面建成小康社会",
        "——在中国共产党第十九次全国代表大会上的报告",
        "（2017年10月18日）",
    ]
    assert find_date_line(
        [*speech, "同志们：", "现在，我代表第十八届中央委员会向大会作报告。"]
    ) == (FoundDate("2017-10-18", "dateline"))
    adopted = "（2023年3月13日第十四届全国人民代表大会第一次会议通过）"
    resolution = ["关于政府工作报告的决议", adopted, "会议高度评价。"]
    assert find_date_line(resolution) == FoundDate("2023-03-13", "dateline")
    amended = "（1982年12月4日第五届全国人民代表大会第五次会议通过　2018年3月11日修正）"
    assert find_date_line(["中华人民共和国宪法", amended, "序言。"]) is None
    assert find_date_line(["（2017年10月18日）", *["正文。"] * 10]) == FoundDate(
        "2017-10-18", "dateline"
    )
    assert find_date_line([*["正文。"] * 8, "（2017年10月18日）", "正文。"]) is None


def test_find_text_date() -> None:
    notice = "关于开展结对认亲活动的通知\n发布日期：2016-11-22\n\n各单位：\n现将有关事项通知如下。"
    assert find_text_date(notice) == FoundDate("2016-11-22", "label:发布日期")
    meeting = "通知\n" + "正文。\n" * 12 + "时间：2019年3月5日\n地点：会议室\n县政府办公室\n"
    assert find_text_date(meeting) is None
    signed = meeting + "二〇一七年三月二十四日\n"
    assert find_text_date(signed) == FoundDate("2017-03-24", "signature line")
    stamped = "标题\n2016年06月30日09时30分\n正文。\n"
    assert find_text_date(stamped) == FoundDate("2016-06-30", "date-time line")
    assert find_text_date("自2016年底以来，截至2019年3月，全县完成。\n2016年以来成效显著。") is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.news.cn/politics/2018-03/05/c_1122486.htm", "2018-03-05"),
        ("http://www.gov.cn/zhengce/content/201803/t20180305_5271.htm", "2018-03-05"),
        ("http://politics.people.com.cn/n1/2018/0305/c1001-29848741.html", "2018-03-05"),
        ("https://example.cn/2018/03/05/story.html", "2018-03-05"),
        ("https://example.cn/c/20180305/a.html", "2018-03-05"),
        ("https://example.cn/xxgk/201803/a.html", "2018-03"),
        ("https://example.cn/2018-03/a.html", "2018-03"),
        ("https://example.cn/2018/03/a.html", "2018-03"),
        ("https://example.cn/news/2018/a.html", None),
        ("https://example.cn/201803/t20180402_1.html", None),
        ("https://example.cn/201813/a.html", None),
        ("https://example.cn/1234/05/06/a.html", None),
        ("https://example.cn/a.html?d=2018-03-05", None),
    ],
)
def test_url_date(url: str, expected: str | None) -> None:
    assert url_date(url) == (FoundDate(expected, "url path") if expected else None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2016-11-22 09:53", "2016-11-22"),
        ("2019-03-05T09:30:00+08:00", "2019-03-05"),
        ("2019.03.05", "2019-03-05"),
        ("20190305", "2019-03-05"),
        ("2019年3月5日", "2019-03-05"),
        ("2019-04", "2019-04"),
        ("2019年4月", "2019-04"),
        ("2016", "2016"),
        ("2016年", "2016"),
        ("2016年底", None),
        ("2019年4月以来", None),
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


def test_a_meeting_time_in_the_body_is_not_the_publication_date() -> None:
    notice = (
        "关于召开推进会的通知\n各乡镇党委：\n经研究，定于近期召开推进会。\n"
        "  时间：2019年3月15日（星期五）\n  地点：县委三楼会议室\n请准时参加。\n\n"
        "中共某某县委办公室\n2019年3月10日\n"
    )
    assert find_text_date(notice) == FoundDate("2019-03-10", "signature line")
    assert find_text_date("会议纪要\n时间：2019年3月15日\n地点：会议室\n正文。") == FoundDate(
        "2019-03-15", "label:时间"
    )
    two_dates = "会议纪要\n时间：2019年3月15日\n2019年3月1日印\n正文。"
    assert find_text_date(two_dates) is None
    assert find_text_date("标题\n各单位：\n时间：2019年3月15日\n正文。") is None
    strong = "标题\n各单位：\n成文日期：2019年3月5日\n正文。"
    assert find_text_date(strong) == FoundDate("2019-03-05", "label:成文日期")


@pytest.mark.parametrize(
    "line",
    [
        "时间：2018年度",
        "时间：2019年第一季度",
        "日期：2019年上半年",
        "日期：2019年3月5日、6日",
        "发布日期：2019年3月5日，6日",
        "2019年3月15日 09:30 县委三楼会议室",
        "2019年3月5日 10:00 在县委召开会议",
    ],
)
def test_periods_lists_and_schedules_are_no_dates(line: str) -> None:
    assert find_text_date(f"通知\n{line}\n正文。") is None


def test_a_publication_label_beats_a_bare_one_and_a_widget_is_none() -> None:
    lines = ["日期：2024年01月01日 星期一", "标题", "发布时间：2019-03-05 09:30"]
    assert find_labelled_date(lines) == FoundDate("2019-03-05", "label:发布时间")
    assert find_labelled_date(lines[:2]) is None
    assert find_labelled_date(["日期：2024年01月01日", "标题"]) == FoundDate(
        "2024-01-01", "label:日期"
    )
    assert find_labelled_date(["日期：2024年01月01日"], bare=False) is None
    stamped = ["2015-04-08 10:05 新华网", "2015-04-08 10:05 | 来源：县政府"]
    for line in stamped:
        assert find_datetime_line([line]) == FoundDate("2015-04-08", "date-time line")
    assert find_datetime_line(["2019年3月15日 09:30 县委三楼会议室"]) is None


def test_a_signature_is_a_day_after_text_and_no_chronology_entry() -> None:
    chronology = ["大事记", "2016年10月1日", "开展结对认亲活动", "2017年3月", "全面推开"]
    assert find_date_line(chronology) is None
    assert find_date_line(["大事记", "2016年10月1日 开展活动", "2017年3月5日"]) is None
    assert find_date_line(["正文。", "二〇一九年三月"]) is None
    assert find_date_line(["2019年3月5日"]) is None
    assert find_date_line(["正文。", "2019年3月5日"]) == FoundDate("2019-03-05", "signature line")
    signed = ["正文。", "某某县人民政府", "2019年3月"]
    assert find_date_line(signed) == FoundDate("2019-03", "signature line")


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        *[(v, True) for v in ["2016", "2016-03-05", "20XX", "2016-XX", "2016-03-XX", "2016?"]],
        *[(v, True) for v in ["2016-03~", "2016-21", "2016-04/2017", "2016/..", "/2017", "-0100"]],
        *[(v, False) for v in ["2016-13-45", "2016年3月", "2019/4/10", "20190410", "2X16"]],
        *[(v, False) for v in ["2019-04-10 08:00:00", "2017/2016", "2019-02-29", "..", "16"]],
    ],
)
def test_is_edtf(value: str, valid: bool) -> None:
    assert is_edtf(value) is valid
