"""Collections and the browse page: built from a fixture collection by ``shiliao build``
(public projection), read as HTML and driven in headless Chromium."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from shiliao.model import Section, Source
from shiliao.operations.build import build
from shiliao.publish.browse import reliability_code, source_values
from shiliao.publish.collections import collections_of, lead_of
from shiliao.publish.interface import Interface
from shiliao.publish.urls import SiteUrls
from shiliao.zh.pinyin import pinyin_sort_key
from tests.browser import launch_chromium, serve
from tests.publish.conftest import Page, all_pages

# name -> (text, sidecar). Titles start with 阿 (ā), 白 (bái), 东 (dōng), 无 (wú), 中 (zhōng):
# their pinyin order differs from their code point order (东 U+4E1C < 中 U+4E2D < 无 U+65E0 <
# 白 U+767D < 阿 U+963F).
SOURCES = {
    "a.txt": (
        "阿拉山口口岸的报告。\n",
        "title: 阿拉山口口岸年度报告\ndate: '2016'\ntype: report\nlanguage: zh-Hans\n"
        "creators: [王明]\npublisher: 新疆日报\nsubjects: [口岸]\ntags: [trade]\n"
        "place: 阿拉山口\ncollection: [ports, trade-docs]\nreliability: B2\n",
    ),
    "b.txt": (
        "白杨河的调查。\n",
        "title: 白杨河调查\ndate: 2016-05\ntype: report\nlanguage: zh-Hans\n"
        "creators: [{name: 李华}]\npublisher: 新疆日报\ntags: [survey]\nplace: 克拉玛依\n"
        "collection: ports\nreliability: {source: A, information: 1}\n",
    ),
    "c.txt": (
        "中国边境贸易。\n",
        "title: 中国边境贸易概况\ndate: 201X\ntype: report\nlanguage: zh-Hans\n"
        "publisher: 商务部\ncollection: trade-docs\n",
    ),
    "d.txt": (
        "东风农场。\n",
        "title: 东风农场记事\ndate: 2016?\ntype: document\nlanguage: zh-Hans\n"
        "collection: trade-docs\n",
    ),
    "e.txt": (
        "没有日期的通知。\n",
        "title: 无日期的通知\ntype: document\nlanguage: zh-Hans\ncollection: ports\n",
    ),
    "f.txt": (
        "二〇一九年的报告。\n",
        "title: 中亚口岸二〇一九年报告\ndate: 2019-03\ntype: report\nlanguage: zh-Hans\n"
        "publisher: 商务部\ncollection: trade-docs\n",
    ),
    "secret.txt": (
        "团队内部材料。\n",
        "title: 团队内部材料\ndate: '2016'\ntype: report\nlanguage: zh-Hans\n"
        "creators: [秘密作者]\npublisher: 秘密出版社\nplace: 秘密地点\ncollection: [ports, hidden-set]\n"
        "reliability: C3\naccess: team\n",
    ),
}
# The team source's reliability code (C3) is not among them: two letters occur by chance in the
# base64 of proof bundles; the facet test checks that no C3 is offered.
TEAM_STRINGS = ("团队内部材料", "秘密作者", "秘密出版社", "秘密地点", "hidden-set")
PUBLIC = 6


@dataclass
class Built:
    site: Path
    warnings: list[str]


def _collection(root: Path) -> Path:
    (root / "sources").mkdir(parents=True)
    (root / "essays").mkdir()
    for name, (text, sidecar) in SOURCES.items():
        (root / "sources" / name).write_text(text, encoding="utf-8")
        (root / "sources" / f"{name}.yaml").write_text(sidecar, encoding="utf-8")
    (root / "essays" / "ports.md").write_text(
        "---\ntitle: Ports of the northwest\nintroduces: ports\n---\n\n# Ports\n\n"
        "Figure 1: A port (阿拉山口).\n\n"
        "This collection gathers *reports* on the border ports of 新疆.\n\nMore.\n",
        encoding="utf-8",
    )
    (root / "essays" / "trade.md").write_text(
        "---\ntitle: Trade along the border\ncollection: ports\n---\n\nTrade.\n",
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    base = tmp_path_factory.mktemp("browse")
    report = build(_collection(base / "collection"), base / "archive", base / "site")
    return Built(site=base / "site", warnings=report.warnings)


@pytest.fixture(scope="module")
def pages(built: Built) -> dict[str, Page]:
    return all_pages(built.site)


def _rows(site: Path, path: str) -> list[str]:
    """The source ids of a page's source table, in order."""
    html = (site / path).read_text(encoding="utf-8")
    return [
        href.split("/")[-2] for href in re.findall(r'<td class="title"><a href="([^"]+)"', html)
    ]


# Units ----------------------------------------------------------------------------------------


def test_pinyin_order_is_not_code_point_order() -> None:
    titles = ["中国", "白马", "阿里", "东风"]
    assert sorted(titles, key=pinyin_sort_key) == ["阿里", "白马", "东风", "中国"]
    assert sorted(titles) != sorted(titles, key=pinyin_sort_key)


def test_reliability_is_read_defensively() -> None:
    assert reliability_code({"source": "B", "information": 2, "note": "x"}) == "B2"
    assert reliability_code("b2") == "B2"
    assert reliability_code("G9") is None and reliability_code(7) is None
    source = Source("x", "t", None, "report", "zh-Hans", {"reliability": "Z"}, "", None, "", "", "")
    assert source_values(source)["reliability"] == ["not assessed"]


def test_lead_skips_headings_and_figures() -> None:
    body = "# Title\n\nFigure 2: A caption.\n\nThe [first](source:a) paragraph\nwraps.\n\nNext."
    assert lead_of(body) == "The first paragraph wraps."


def test_an_introduction_of_no_collection_is_a_warning() -> None:
    def essay(name: str, **front: object) -> Section:
        return Section(name, f"essays/{name}.md", dict(front), "Text.", 4, "")

    source = Source(
        "a", "甲", "2016", "report", "zh-Hans", {"collection": ["x"]}, "", None, "", "", ""
    )
    found, warnings = collections_of(
        [source],
        [
            essay("one", introduces="x"),
            essay("two", introduces=["x", "y"]),
            essay("three", collection="x"),
        ],
    )
    (x,) = found
    assert x.introduction is not None and x.introduction.id == "one" and x.lead == "Text."
    assert [s.id for s in x.sections] == ["three"]
    assert warnings == [
        "essays/two.md: introduces the collection 'x', already introduced by essays/one.md",
        "essays/two.md: introduces the collection 'y', which no published source belongs to "
        "(sources name theirs with `collection:`)",
    ]


def test_collection_urls_are_paths() -> None:
    assert SiteUrls.collection_page("ports") == "collections/ports/index.html"
    odd = SiteUrls.collection_page("边境 ports")
    assert re.fullmatch(r"collections/ports-[0-9a-f]{8}/index\.html", odd)
    assert SiteUrls.collection_page("index.html") != SiteUrls.collections


# Pages ----------------------------------------------------------------------------------------


def test_a_page_per_collection_with_its_introduction(built: Built, pages: dict) -> None:
    index = pages["collections/index.html"]
    assert {"collections/ports/index.html", "collections/trade-docs/index.html"} <= set(pages)
    assert not [p for p in pages if "hidden-set" in p]
    assert "Ports of the northwest" in index.text and "trade-docs" in index.text
    ports = pages["collections/ports/index.html"]
    assert "Ports of the northwest" in ports.text
    assert "This collection gathers reports on the border ports of" in " ".join(ports.text.split())
    links = [v for tag, _, v in ports.links if tag == "a"]
    # The introducing section, and the section whose front matter names the collection.
    assert "../../sections/ports/index.html" in links
    assert "../../sections/trade/index.html" in links
    # A source in two collections is on both pages; the team source on none.
    assert _rows(built.site, ports.path) == ["a", "b", "e"]
    assert _rows(built.site, "collections/trade-docs/index.html") == ["c", "a", "d", "f"]
    # Its facets open the browse page filtered.
    filtered = [v for v in links if v.startswith("../../sources/index.html?")]
    assert "../../sources/index.html?collection=ports" in filtered
    assert any(parse_qs(urlsplit(v).query).get("reliability") == ["B2"] for v in filtered)
    # The other collection its sources are in, by its page.
    assert "../trade-docs/index.html" in links
    assert not [w for w in built.warnings if "introduces" in w]


def test_browse_page_lists_every_public_source_by_date(built: Built, pages: dict) -> None:
    page = pages["sources/index.html"]
    # 201X (from 2010), 2016, 2016?, 2016-05, 2019-03, then undated.
    assert _rows(built.site, page.path) == ["c", "a", "d", "b", "f", "e"]
    assert ("script", {"src": "browse-data.js", "defer": None}) in page.elements
    assert ("script", {"src": "../assets/browse.js", "defer": None}) in page.elements
    # Facet values travel as short keys, never as text from the sources.
    boxes = [a for tag, a in page.elements if tag == "input" and a.get("type") == "checkbox"]
    assert all(re.fullmatch(r"[a-z][0-9]+", a["value"] or "") for a in boxes if "value" in a)
    assert len([a for a in boxes if "value" in a]) == 17
    data = (built.site / "sources" / "browse-data.js").read_text(encoding="utf-8")
    assert data.startswith("window.shiliaoBrowse = ") and len(data) < 2000
    parsed = json.loads(data.removeprefix("window.shiliaoBrowse = ").rstrip().rstrip(";"))
    assert len(parsed["rows"]) == PUBLIC
    facets = {name: values for name, _, values in parsed["facets"]}
    assert facets["reliability"] == ["not assessed", "A1", "B2"]
    assert set(facets) == {
        "creator",
        "publisher",
        "subject",
        "place",
        "type",
        "language",
        "collection",
        "reliability",
    }


def test_no_team_source_anywhere(built: Built) -> None:
    for path in built.site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".js", ".json"):
            text = path.read_text(encoding="utf-8")
            for secret in TEAM_STRINGS:
                assert secret not in text, f"{path}: {secret}"


def test_interface_text_has_chinese(built: Built, pages: dict) -> None:
    used: dict[str, int] = {}
    for path in ("sources/index.html", "collections/index.html", "collections/ports/index.html"):
        html = (built.site / path).read_text(encoding="utf-8")
        for text in re.findall(r'data-(?:ui|ui-[a-z-]+|option)="([^"]*)"', html):
            used[text.replace("&#39;", "'").replace("&amp;", "&")] = 1
    assert Interface(["en", "zh-Hans"]).missing(used) == {"zh-Hans": []}


# In a browser ---------------------------------------------------------------------------------


@pytest.fixture
def served(built: Built) -> Iterator[str]:
    with serve(built.site) as url:
        yield url


def _visible(page: object) -> list[str]:
    return page.eval_on_selector_all(  # type: ignore[attr-defined]
        "#sources tbody tr:not([hidden]) td.title a",
        "links => links.map(a => a.getAttribute('href').split('/')[0])",
    )


def _count(page: object, value: str) -> int:
    key = page.get_attribute(f'#facets label:has-text("{value}") input', "value")  # type: ignore[attr-defined]
    return int(page.text_content(f'[data-count="{key}"]') or "-1")  # type: ignore[attr-defined]


@pytest.mark.browser
def test_browse_in_a_browser(served: str, built: Built) -> None:
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            page.goto(served + "sources/index.html")
            assert page.is_visible("#facets")
            assert _visible(page) == ["c", "a", "d", "b", "f", "e"]
            assert _count(page, "新疆日报") == 2 and _count(page, "trade-docs") == 4
            # A collection is named by its introduction's title.
            assert _count(page, "Ports of the northwest") == 3

            # One facet value: rows and the other facets' counts follow; OR within a facet.
            page.check('#facets label:has-text("新疆日报") input')
            assert _visible(page) == ["a", "b"]
            assert page.text_content("#shown-count") == "2"
            assert _count(page, "trade-docs") == 1 and _count(page, "Ports of the") == 2
            assert _count(page, "商务部") == 2  # its own facet ignores its own choice
            page.check('#facets label:has-text("商务部") input')
            assert _visible(page) == ["c", "a", "b", "f"]
            page.uncheck('#facets label:has-text("商务部") input')
            page.check('#facets label:has-text("B2") input')
            assert _visible(page) == ["a"]
            page.uncheck('#facets label:has-text("B2") input')

            # The date range: a year-only, a month and an uncertain date fall in their year;
            # a decade (201X) meets any range inside it; undated can be left out.
            page.uncheck('#facets label:has-text("新疆日报") input')
            page.fill("#year-from", "2016")
            page.fill("#year-to", "2016")
            assert _visible(page) == ["c", "a", "d", "b", "e"]
            page.uncheck("#undated")
            assert _visible(page) == ["c", "a", "d", "b"]
            page.fill("#year-from", "2017")
            page.fill("#year-to", "2019")
            assert _visible(page) == ["c", "f"]
            assert page.text_content("#undated-count") == "1"

            # Order by title in pinyin: 阿, 白, 东, 无, 中 (中国 before 中亚).
            page.fill("#year-from", "")
            page.fill("#year-to", "")
            page.check("#undated")
            page.select_option("#sort", "title")
            assert _visible(page) == ["a", "b", "d", "e", "c", "f"]
            # By creator, or publisher where there is none (李华, 商务部, 王明), then neither.
            page.select_option("#sort", "creator")
            assert _visible(page) == ["b", "c", "f", "a", "d", "e"]
            page.select_option("#sort", "date-desc")
            assert _visible(page) == ["f", "b", "d", "a", "c", "e"]

            # The state is in the URL; a fresh page opened at it shows the same view.
            page.check('#facets label:has-text("Ports of the northwest") input')
            page.fill("#year-from", "2016")
            # Read from the page: Playwright's page.url may lag behind replaceState.
            shared = page.evaluate("location.href")
            query = parse_qs(urlsplit(shared).query)
            assert query == {"collection": ["ports"], "from": ["2016"], "sort": ["date-desc"]}
            shown = _visible(page)
            assert shown == ["b", "a", "e"]
            fresh = browser.new_page(viewport={"width": 1200, "height": 900})
            fresh.goto(shared)
            assert _visible(fresh) == shown
            assert fresh.is_checked('#facets label:has-text("Ports of the northwest") input')
            assert fresh.input_value("#year-from") == "2016"
            assert fresh.input_value("#sort") == "date-desc"
            assert fresh.text_content("#shown-count") == "3"

            # The order's names follow the interface language.
            fresh.click('button[data-language="zh-Hans"]')
            assert fresh.text_content('#sort option[value="title"]') == "标题，按拼音排序"
            fresh.click('button[data-language="en"]')
            assert fresh.text_content('#sort option[value="title"]') == "Title, in pinyin order"

            # A collection page's facet link opens the browse page filtered.
            page.goto(served + "collections/ports/index.html")
            with page.expect_navigation(wait_until="load"):
                page.click('a:has-text("B2")')
            assert _visible(page) == ["a"]

            # Narrow screens: the filters fold away, nothing scrolls sideways.
            narrow = browser.new_page(viewport={"width": 390, "height": 800})
            narrow.goto(served + "sources/index.html")
            assert not narrow.is_visible("#facets")
            narrow.click("#browse-filters summary")
            assert narrow.is_visible("#facets")
            for path in (
                "sources/index.html",
                "collections/index.html",
                "collections/ports/index.html",
            ):
                narrow.goto(served + path)
                assert narrow.evaluate(
                    "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
                ), path

            # Opened from disk: the data is a script, so the page works from file://.
            local = browser.new_page(viewport={"width": 1200, "height": 900})
            local.goto((built.site / "sources" / "index.html").as_uri())
            assert local.is_visible("#facets")
            local.check('#facets label:has-text("trade-docs") input')
            assert _visible(local) == ["c", "a", "d", "f"]
            local.select_option("#sort", "title")
            assert _visible(local) == ["a", "d", "c", "f"]
        finally:
            browser.close()
    assert not problems, problems
