"""The built site in a real browser: search, term page, section, facets (headless Chromium)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from shiliao.search.query import parse_query
from shiliao.zh.fold import fold
from tests.browser import launch_chromium, serve
from tests.conftest import sample_documents
from tests.publish.conftest import BuiltSite, parse_page


@pytest.fixture
def served(sample_site: BuiltSite) -> Iterator[str]:
    with serve(sample_site.site) as url:
        yield url


def _site_path(site: Path, href: str) -> tuple[Path, str]:
    parts = urlsplit(href)
    return site / unquote(parts.path).lstrip("/"), parts.fragment


@pytest.mark.browser
@pytest.mark.slow
def test_site_in_a_browser(sample_site: BuiltSite, served: str) -> None:
    from playwright.sync_api import sync_playwright

    documents = sample_documents()
    timings: dict[str, tuple[float, float]] = {}
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            page.on(
                "console",
                lambda message: problems.append(message.text) if message.type == "error" else None,
            )
            page.goto(served + "search/index.html")
            page.wait_for_selector("#search[data-state=ready]")

            def search(query: str) -> list[str]:
                page.evaluate("document.getElementById('search').dataset.state = 'typing'")
                page.fill("#q", query)
                page.click("#search-form button[type=submit]")
                page.wait_for_selector("#search[data-state=done]")
                data = page.eval_on_selector("#search", "e => ({...e.dataset})")
                timings[query] = (float(data["queryMs"]), float(data["completeMs"]))
                assert not page.is_visible("#search-more")
                return page.eval_on_selector_all("li.hit h3 a", "links => links.map(a => a.href)")

            for word, known in (("民族团结", 35), ("干部", 60)):
                expected = sum(1 for d in documents if word in d["simplified"])
                assert expected == known
                links = search(word)
                assert len(links) == len(set(links)) == expected, word
                status = page.text_content("#search-status") or ""
                assert f"in {expected} sources" in status
                for href in links:
                    path, fragment = _site_path(sample_site.site, href)
                    assert path.is_file(), href
                    assert (
                        fragment
                        in parse_page(
                            sample_site.site, path.relative_to(sample_site.site).as_posix()
                        ).ids
                    )
                assert page.locator("li.hit .kwic mark").count() == expected
                if word == "民族团结":
                    page.screenshot(path="/tmp/shiliao-search.png")

            simplified = search("团结")
            simplified_status = page.text_content("#search-status") or ""
            traditional = search("團結")
            assert traditional == simplified and simplified
            assert (page.text_content("#search-status") or "").split(" (")[0] == (
                simplified_status.split(" (")[0]
            )

            # Full-width and half-width forms are one: the script normalizes like Python.
            search("2016年")
            half = (page.text_content("#search-status") or "").split(" (")[0]
            search("２０１６年")
            assert (page.text_content("#search-status") or "").split(" (")[0] == half
            assert not half.startswith("0 ")

            # Folding: a Simplified character that stands for several Traditional ones (发,
            # 后) finds each, a Traditional one only its own words, as Python's Query does.
            catalog = sample_site.archive.catalog
            for query in ("发展的", "以後", "傢伙", "髮"):
                parsed = parse_query(query)
                sources = {
                    source.id
                    for source in catalog.sources()
                    for passage in catalog.passages(source.id)
                    if parsed.matches(fold(passage.text))
                }
                assert len(search(query)) == len(sources), query
            assert len(search("发展的")) > len(search("髮")) > 0

            # A source page from a result, and its passage anchor.
            page.goto(simplified[0])
            assert page.locator("h1").count() == 1
            page.screenshot(path="/tmp/shiliao-source.png")

            page.goto(served + "terms/minzu-tuanjie/index.html")
            lines = page.locator("td.kwic-match mark")
            assert lines.count() > 0
            assert set(lines.all_text_contents()) <= {"民族团结", "民族團結"}

            page.goto(served + "sections/jieqin/index.html")
            cite = page.locator('a.cite[href="#ref-chang-2020"]').first
            assert cite.text_content() == "Chang, 2020"
            cite.click()
            assert page.evaluate("location.hash") == "#ref-chang-2020"
            assert page.locator("#ref-chang-2020").is_visible()

            # Facets and sorting on the collection page (the script shows the form).
            page.goto(served + "sources/index.html")
            assert page.is_visible("#facets")
            total = page.locator("#sources tbody tr").count()
            page.locator('input[name="collection"]').first.check()
            shown = int(page.text_content("#shown-count") or "0")
            assert 0 < shown < total == 88
            assert page.locator("#sources tbody tr:visible").count() == shown
            page.select_option("#sort", "date-desc")
            first = page.locator("#sources tbody tr:visible td.date").first.text_content()
            page.select_option("#sort", "date-asc")
            assert page.locator("#sources tbody tr:visible td.date").first.text_content() != first
        finally:
            browser.close()
    assert not problems, problems
    print("\nsearch times (ms, results shown / snippets done):", timings)
