"""Web pages: main text without boilerplate, the page's own date, title and source lines."""

from __future__ import annotations

import pytest

from shiliao.extract import extract_bytes_inline
from shiliao.extract.finish import finish_extraction
from shiliao.extract.html import extract_html, find_declared_charset

from .conftest import real_fixture

PARAGRAPHS = [
    "国务院总理朱镕基在会上讲话，要求各地认真做好结对认亲工作，切实帮助群众解决实际困难。",
    "会议指出，刘䶮同志所在的工作队深入基层，走访农户一百二十户，收集意见建议三十余条。",
    "会议要求，各级各部门要加强组织领导，压实工作责任，确保各项任务落到实处、取得实效。",
]


def government_page(
    *,
    charset: str | None = "utf-8",
    info: str = "",
    meta: str = "",
    paragraphs: list[str] = PARAGRAPHS,
    title: str = "关于开展结对认亲活动的通知",
) -> str:
    """A page laid out as county portals are: menu, heading, info line, body, footer."""
    charset_tag = f'<meta charset="{charset}">' if charset else ""
    body = "".join(f"<p>\u3000\u3000{paragraph}</p>" for paragraph in paragraphs)
    return (
        f"<!DOCTYPE html><html><head>{charset_tag}<title>{title}_示例县人民政府网</title>{meta}"
        '</head><body><div class="nav"><a href="/">首页</a> &gt; <a href="/zw">政务公开</a></div>'
        f'<div class="article"><h1>{title}</h1><div class="info">{info}</div>{body}</div>'
        '<div class="footer">版权所有：示例县人民政府办公室 ICP备12345678号</div></body></html>'
    )


@pytest.mark.parametrize(
    ("relative", "date", "title", "phrase", "source_line"),
    [
        (
            "html/shanxi-gov-portal-news.html",
            ("2019-09-18", "label:时间"),
            "山西品牌丝路行（南美站）正式启动",
            "山西品牌丝路行首次登陆巴西",
            "山西日报",
        ),
        (
            "html/zj-fzggw-info-release.html",
            ("2016-11-22", "label:发布日期"),
            "1-10月德清县固定资产投资结构趋稳趋优",
            "全县固定资产投资完成246.79亿元",
            "省发改委",
        ),
        (
            "html/sxmu-jijian-supervision-law.html",
            ("2018-05-17", "label:发布时间"),
            "中华人民共和国监察法",
            "第六十九条　本法自公布之日起施行。",
            None,
        ),
    ],
)
def test_real_pages(
    relative: str, date: tuple[str, str], title: str, phrase: str, source_line: str | None
) -> None:
    data = real_fixture(relative).read_bytes()
    extraction = extract_html(data, relative)

    assert extraction.method == "html"
    assert [page.number for page in extraction.pages] == [1]
    text = extraction.pages[0].text
    assert phrase in text
    # The footers carry these; the main text must not.
    assert "版权所有".encode() in data
    assert "版权所有" not in text
    assert "ICP" not in text
    assert "浏览次数" not in text
    assert extraction.metadata["title"] == title
    assert (extraction.metadata["date"], extraction.metadata["date_source"]) == date
    assert extraction.metadata.get("source_line") == source_line
    assert extraction.metadata["encoding"] == "utf-8"
    assert extraction.metadata["replacement_ratio"] == 0.0


def test_shanxi_date_is_the_visible_one_not_the_stale_attribute() -> None:
    data = real_fixture("html/shanxi-gov-portal-news.html").read_bytes()
    assert 'alt="时间：2017-11-08 20:26"'.encode() in data
    assert extract_html(data, "shanxi.html").metadata["date"] == "2019-09-18"


def test_law_in_a_layout_table_keeps_one_paragraph_per_article() -> None:
    data = real_fixture("html/sxmu-jijian-supervision-law.html").read_bytes()
    lines = extract_html(data, "sxmu.html").pages[0].text.split("\n")
    articles = [line for line in lines if line.startswith("第") and "条\u3000" in line[:8]]
    assert articles[0].startswith("第一条")
    assert articles[-1].startswith("第六十九条")
    assert len(articles) == 69


def test_gb2312_label_with_characters_outside_gb2312() -> None:
    page = government_page(charset="gb2312", info="发布时间：2019-03-05 09:30")
    extraction = extract_html(page.encode("gb18030"), "notice.html")
    text = extraction.pages[0].text
    assert "朱镕基" in text  # GBK, not GB2312
    assert "刘䶮" in text  # GB18030 only
    assert extraction.metadata["encoding"] == "gb18030"
    assert extraction.metadata["declared_encoding"] == "gb2312"
    assert extraction.metadata["replacement_ratio"] == 0.0


def test_http_equiv_big5_page() -> None:
    paragraphs = [
        "行政院今日召開院會，通過區域發展計畫，將加強偏鄉地區的交通與醫療資源。",
        "院長表示，各部會應於三個月內提出具體執行方案，並定期向社會大眾報告進度。",
    ]
    page = government_page(charset=None, paragraphs=paragraphs, title="區域發展計畫").replace(
        "<head>", '<head><meta http-equiv="Content-Type" content="text/html; charset=big5">'
    )
    # The page chrome is in Simplified characters; Big5 has no bytes for some of them.
    extraction = extract_html(page.encode("big5", "xmlcharrefreplace"), "taipei.htm")
    assert extraction.metadata["encoding"] == "big5"
    assert paragraphs[0] in extraction.pages[0].text
    assert extraction.metadata["title"] == "區域發展計畫"


def test_unlabelled_gbk_page_is_not_read_as_latin() -> None:
    gbk_paragraphs = [PARAGRAPHS[0], PARAGRAPHS[2]]  # 䶮 has no GBK bytes
    page = government_page(charset=None, info="发布日期：2016-11-22", paragraphs=gbk_paragraphs)
    extraction = extract_html(page.encode("gbk"), "x")
    assert extraction.metadata["encoding"] == "gb18030"
    assert "declared_encoding" not in extraction.metadata
    assert PARAGRAPHS[0] in extraction.pages[0].text
    assert extraction.metadata["date"] == "2016-11-22"


def test_utf8_page_with_bom() -> None:
    extraction = extract_html(b"\xef\xbb\xbf" + government_page(charset="gbk").encode(), "x")
    assert extraction.metadata["encoding"] == "utf-8-sig"
    assert PARAGRAPHS[1] in extraction.pages[0].text
    assert not extraction.pages[0].text.startswith("\ufeff")


@pytest.mark.parametrize(
    ("info", "source_line", "author_line"),
    [
        ("发布时间：2019-03-05 | 来源： 县政府办 作者：李明 | 浏览次数：12", "县政府办", "李明"),
        ("信息来源：省发改委", "省发改委", None),
        ("文章来源：http://www.gov.cn/xinwen 通讯员：王芳", "http://www.gov.cn/xinwen", "王芳"),
        ("资金来源：财政拨款", None, None),
    ],
)
def test_source_and_author_lines(info: str, source_line: str, author_line: str) -> None:
    metadata = extract_html(government_page(info=info).encode(), "x").metadata
    assert metadata.get("source_line") == source_line
    assert metadata.get("author_line") == author_line


def test_empty_fields_are_dropped() -> None:
    page = government_page(info="来源: | 作者： 发布时间: 2018-05-17 网址：http://example.cn")
    metadata = extract_html(page.encode(), "x").metadata
    assert "source_line" not in metadata
    assert "author_line" not in metadata
    assert metadata["date"] == "2018-05-17"


@pytest.mark.parametrize(
    ("meta", "info", "date", "source"),
    [
        ('<meta name="PubDate" content="2016-11-22 09:53">', "", "2016-11-22", "meta:pubdate"),
        (
            '<meta property="article:published_time" content="1978-12-18T10:00:00+08:00">',
            "",
            "1978-12-18",
            "meta:article:published_time",
        ),
        (
            '<meta name="PubDate" content="2016-11-22">',
            "发布日期：2016-11-20",
            "2016-11-20",
            "label:发布日期",
        ),
        ('<meta name="date" content="2016">', "", "2016", "meta:date"),
        ("", "发布日期：2019年4月", "2019-04", "label:发布日期"),
        ("", "2016年06月30日09时30分 来源：新华网", "2016-06-30", "date-time line"),
        ("", "来源：县政府办 | 2015年04月08日10:05", "2015-04-08", "date-time line"),
        (
            '<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle", '
            '"datePublished": "2017-03-24T08:00:00+08:00"}]}</script>',
            "",
            "2017-03-24",
            "json-ld:datePublished",
        ),
        ("", "<time datetime='1989-06' pubdate>June 1989</time>", "1989-06", "time element"),
    ],
)
def test_date_sources(meta: str, info: str, date: str, source: str) -> None:
    metadata = extract_html(government_page(meta=meta, info=info).encode(), "x").metadata
    assert (metadata["date"], metadata["date_source"]) == (date, source)


def test_signature_date_line_in_the_main_text() -> None:
    page = government_page(paragraphs=[*PARAGRAPHS, "示例县人民政府办公室", "二〇一九年三月五日"])
    metadata = extract_html(page.encode(), "x").metadata
    assert (metadata["date"], metadata["date_source"]) == ("2019-03-05", "signature line")


def test_no_date_means_no_date_key() -> None:
    metadata = extract_html(government_page().encode(), "x").metadata
    assert "date" not in metadata
    assert "date_source" not in metadata


def test_dates_of_events_in_the_body_date_nothing() -> None:
    # htmldate made 2016-01-01 of this page's 自2016年底.
    paragraphs = [
        "自2016年底以来，示例县共组织干部职工开展结对认亲活动，走访群众一千余户，收集意见三十余条。",
        "截至2019年3月，全县结对认亲活动已覆盖所有行政村，各级各部门压实工作责任，确保落到实处。",
        PARAGRAPHS[2],
    ]
    info = "<time datetime='2016-12-31'>2016年底</time> 时间：2016年以来"
    page = government_page(paragraphs=paragraphs, info=info).encode()
    assert "date" not in extract_html(page, "notice.html").metadata
    address = "http://www.example.gov.cn/xxgk/201803/t20180305_1234.html"
    metadata = extract_html(page, address).metadata
    assert (metadata["date"], metadata["date_source"]) == ("2018-03-05", "url path")


def test_month_and_day_take_their_year_from_the_address_only() -> None:
    page = government_page(info="4月10日 18:10 来源：示例县融媒体中心").encode()
    metadata = extract_html(page, "http://www.example.cn/news/201904/t20190410_77.html").metadata
    assert (metadata["date"], metadata["date_source"]) == (
        "2019-04-10",
        "date-time line, year from context: url path 2019-04-10",
    )
    for name in ("http://www.example.cn/news/2019-05/abc.html", "saved.html"):
        metadata = extract_html(page, name).metadata
        assert "date" not in metadata
        assert metadata["date_unresolved"] == "4月10日 18:10"


def test_page_without_main_text_keeps_its_visible_text_for_review() -> None:
    menu = "<ul><li><a href='/'>首页</a></li><li><a href='/zw'>政务公开</a></li></ul>"
    extraction = extract_html(f"<html><body>{menu}</body></html>".encode(), "x")
    assert extraction.pages[0].text == "首页\n政务公开"
    assert extraction.metadata["main_text_found"] is False
    assert extraction.metadata["needs_review"] is True


@pytest.mark.parametrize("data", [b"", b"   \n", b"\xef\xbb\xbf"])
def test_empty_document_gives_one_empty_page(data: bytes) -> None:
    assert [page.text for page in extract_html(data, "empty.html").pages] == [""]


def test_xml_declaration_is_no_obstacle() -> None:
    page = '<?xml version="1.0" encoding="gbk"?>\n' + government_page(charset="gbk")
    assert PARAGRAPHS[2] in extract_html(page.encode("gb18030"), "x.xhtml").pages[0].text


def test_find_declared_charset() -> None:
    assert find_declared_charset(b'<meta charset="GB2312">') == "GB2312"
    assert (
        find_declared_charset(b"<META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=gbk'>")
        == "gbk"
    )
    assert find_declared_charset(b" " * 5000 + b'<meta charset="big5">') is None
    assert find_declared_charset(b"<p>charset=gbk</p>") is None


def test_registered_for_text_html() -> None:
    page = government_page().encode()
    assert extract_bytes_inline(page, "notice.jpg") == finish_extraction(
        extract_html(page, "notice.jpg")
    )


_ARTICLE = "<p>" + "这是一段很长的正文，用于让正文抽取器识别主体内容。" * 8 + "</p>"


def test_a_date_widget_and_dates_after_the_article_do_not_date_the_page() -> None:
    widget = (
        "<html><body><div>日期：2024年01月01日 星期一</div><div><h1>标题</h1>"
        f"<div>发布时间：2019-03-05 09:30</div>{_ARTICLE}</div></body></html>"
    )
    metadata = extract_html(widget.encode(), "widget.html").metadata
    assert (metadata["date"], metadata["date_source"]) == ("2019-03-05", "label:发布时间")
    related = (
        f"<html><body><div><h1>标题</h1>{_ARTICLE}</div>"
        "<ul><li>2021-06-01 12:00 | 另一条新闻</li></ul>"
        "<div class='comment'><p>时间：2022-02-02 10:00</p></div></body></html>"
    )
    assert "date" not in extract_html(related.encode(), "related.html").metadata
