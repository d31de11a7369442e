"""The "Cite this" block of source pages, its downloads, and sections citing sources."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from shiliao.cite.exchange import read_bibliography
from tests.cite.records import write_collection
from tests.conftest import build_json

ARCHIVED = "https://example.org/jieqin/sources/xinhua/"
ORIGINAL = "http://www.xinhuanet.com/politics/2014-04/30/c_1110490745.htm"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("cite-this")
    collection = write_collection(base / "collection")
    assert build_json(collection, base)["warnings"] == []
    return base / "s"


def test_source_page_cites_in_three_styles_chosen_first(site: Path) -> None:
    page = lxml.html.parse(str(site / "sources" / "xinhua" / "index.html")).getroot()
    [block] = page.xpath('//section[@class="cite-this"]')
    assert [dt.text_content() for dt in block.xpath(".//dt")] == [
        "GB/T 7714-2015",
        "Chicago (17th ed., author-date)",
        "APA (7th ed.)",
    ]
    references = [
        " ".join(p.text_content().split()) for p in block.xpath('.//p[@class="reference"]')
    ]
    assert references == [
        "新华社, 2014. 习近平在新疆考察时强调 坚持依法治疆团结稳疆长期建疆[EB/OL]. (2014-04-30)[2024-05-02]. "
        f"{ORIGINAL}. 存档于2024-05-02: {ARCHIVED}.",
        "Xinhua News Agency 新华社. 2014. “习近平在新疆考察时强调 坚持依法治疆团结稳疆长期建疆” "
        "[Xi Jinping stresses governing Xinjiang by law during inspection tour]. April 30, 2014. "
        f"{ORIGINAL}. Archived May 2, 2024, at {ARCHIVED}.",
        "Xinhua News Agency 新华社. (2014, April 30). 习近平在新疆考察时强调 坚持依法治疆团结稳疆长期建疆 "
        "[Xi Jinping stresses governing Xinjiang by law during inspection tour]. "
        f"{ORIGINAL} (archived May 2, 2024, at {ARCHIVED})",
    ]
    assert [p.text_content() for p in block.xpath('.//p[@class="in-text"]')] == [
        "In the text: (新华社, 2014)",
        "In the text: (Xinhua News Agency 2014)",
        "In the text: (Xinhua News Agency, 2014)",
    ]
    assert ARCHIVED in block.xpath(".//a/@href")


def test_downloads_beside_the_page_hold_the_record(site: Path) -> None:
    page = lxml.html.parse(str(site / "sources" / "xinhua" / "index.html")).getroot()
    links = page.xpath('//p[@class="downloads"]/a/@href')
    assert links == ["cite.bib", "cite.ris", "cite.json"]
    records = [
        read_bibliography((site / "sources" / "xinhua" / name).read_bytes(), name) for name in links
    ]
    assert records[0] == records[1] == records[2]
    [item] = records[0]
    assert item["custom"]["archived-url"] == ARCHIVED
    assert item["custom"]["archived-date"] == "2024-05-02"
    assert item["author"] == [{"literal": "新华社"}]
    assert item["custom"]["author-romanized"] == [{"literal": "Xinhua News Agency"}]


def test_sections_cite_sources_by_id_in_the_chosen_style(site: Path) -> None:
    [path] = (site / "sections").glob("*/index.html")
    page = lxml.html.parse(str(path)).getroot()
    paragraph = " ".join(page.xpath("string(//p)").split())
    assert paragraph == (
        "Xi spoke in Kashgar (新华社, 2014, p. 2) (Xinhua News Agency, 2014); cadres paired up "
        "(Liu, 2017)."
    )
    # A cited source opens its page; the bibliography's entry, its reference.
    assert page.xpath('//a[@class="cite archived"]/@href') == [
        "../../sources/xinhua/index.html",
        "../../sources/xinhua/index.html",
    ]
    assert page.xpath('//a[@class="cite"]/@href') == ["#ref-liu-2017"]
    assert page.xpath('//li[@id="ref-xinhua"]/a[@class="archived-copy"]/@href') == [
        "../../sources/xinhua/index.html"
    ]
    entries = [
        " ".join(li.text_content().split())
        for li in page.xpath('//section[@class="references"]//li')
    ]
    # GB/T 7714-2015 §9.2: both Chinese, by pinyin of the first name: liu before xin.
    assert entries[0] == "刘晓明, 2017. 新疆百万干部职工与各族群众结对认亲[N]. 人民日报, 01-05(4)."
    assert entries[1].startswith("新华社, 2014. 习近平在新疆考察时强调")


def test_an_address_is_shown_as_an_iri_and_linked_by_its_uri() -> None:
    from shiliao.cite.runs import Run
    from shiliao.publish.citing import runs_html

    html = runs_html([Run("https://example.cn/新闻/2019?q=a%20b", "link")], "zh-Hans")
    assert html == (
        '<a href="https://example.cn/%E6%96%B0%E9%97%BB/2019?q=a%20b">'
        'https://example.cn/<span lang="zh-Hans">新闻</span>/2019?q=a%20b</a>'
    )
