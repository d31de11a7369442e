"""The website's search, in headless Chromium, gives the CLI's sources for the same query.

Twenty queries of 1 to 6 characters drawn from the sample, pinyin and English queries expanded
through the glossary, and filters: for each, the sources the page lists and the number of
passages it reports equal what `shiliao search --json` returns.
"""

from __future__ import annotations

import json
import random
import statistics
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner

from shiliao.archive import open_archive
from shiliao.cli import main
from shiliao.errors import QueryError
from shiliao.search.query import parse_query
from tests.browser import launch_chromium, serve


@pytest.fixture(scope="module")
def served(built_sample: dict) -> Iterator[str]:
    with serve(built_sample["site"]) as url:
        yield url


def draw_queries(archive: Path, count: int = 20) -> list[str]:
    """Strings of 1 to 6 characters cut from random passages of the built sample."""
    with open_archive(archive) as opened:
        texts = [p.text for p in opened.catalog.iter_passages() if len(p.text) >= 6]
    rng = random.Random(11)
    queries: list[str] = []
    while len(queries) < count:
        length = 1 + len(queries) % 6
        text = rng.choice(texts)
        start = rng.randrange(len(text) - length + 1)
        piece = text[start : start + length]
        if (
            not any(c.isspace() or c in '"＂' for c in piece)
            and piece not in queries
            and not _refused(piece)
        ):
            queries.append(piece)
    return queries


def _refused(query: str) -> bool:
    try:
        parse_query(query)
    except QueryError:
        return True
    return False


def cli(archive: Path, query: str, *options: str) -> dict:
    result = CliRunner().invoke(
        main, ["search", str(archive), query, "--json", "--limit", "0", *options]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    return {
        "sources": {hit["source_id"] for hit in payload["hits"]},
        "passages": payload["total"],
        "expanded_to": payload["expanded_to"],
    }


@pytest.mark.browser
@pytest.mark.slow
def test_site_search_gives_the_cli_sources(built_sample: dict, served: str) -> None:
    from playwright.sync_api import sync_playwright

    archive = built_sample["archive"]
    cases: list[tuple[str, dict[str, str | list[str]], tuple[str, ...]]] = [
        (query, {}, ()) for query in draw_queries(archive)
    ]
    cases += [
        ("ethnic unity", {}, ()),
        ("minzu tuanjie 新疆", {}, ()),
        ("jieqin", {}, ()),
        ("Four Togethers", {}, ()),
        (
            "民族团结",
            {"year": "2014..2020", "collection": "government-work-reports"},
            ("--year", "2014..2020", "--collection", "government-work-reports"),
        ),
        ("发展", {"type": "speech", "year": "..1990"}, ("--type", "speech", "--year", "..1990")),
    ]
    problems: list[str] = []
    times: list[float] = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            for query, filters, options in cases:
                params = urlencode({"q": query, **filters}, doseq=True)
                page.goto(f"{served}search/index.html?{params}")
                page.wait_for_selector("#search[data-state=done], #search[data-state=error]")
                data = page.eval_on_selector("#search", "e => ({...e.dataset})")
                assert data["state"] == "done", (query, page.text_content("#search-status"))
                shown = set(
                    page.eval_on_selector_all("li.hit", "items => items.map(i => i.dataset.source)")
                )
                expected = cli(archive, query, *options)
                assert shown == expected["sources"], query
                assert int(data["passages"]) == expected["passages"], query
                assert json.loads(data["expandedTo"]) == expected["expanded_to"], query
                if not filters:
                    times.append(float(data["queryMs"]))
            # Operators of other engines are refused on the page as on the command line.
            for refused, says in (("新疆 OR 干部", "not an operator"), ("干部 -新疆", "leaving")):
                page.goto(f"{served}search/index.html?{urlencode({'q': refused})}")
                page.wait_for_selector("#search[data-state=error]")
                assert says in page.text_content("#search-status"), refused
                result = CliRunner().invoke(main, ["search", str(archive), refused])
                assert result.exit_code == 1 and says in result.output, result.output
            # A filter chosen on the page narrows the shown sources without searching again.
            page.goto(f"{served}search/index.html?q=%E5%B9%B2%E9%83%A8")
            page.wait_for_selector("#search[data-state=done]")
            before = int(page.eval_on_selector("#search", "e => e.dataset.sources"))
            page.check('#search-facets input[name=collection][value="cpc-congress-reports"]')
            page.wait_for_selector("#search[data-state=done]")
            after = cli(archive, "干部", "--collection", "cpc-congress-reports")
            assert (
                int(page.eval_on_selector("#search", "e => e.dataset.sources"))
                == len(after["sources"])
                < before
            )
            assert "collection=cpc-congress-reports" in page.url
        finally:
            browser.close()
    assert not problems, problems
    # research target: a query answers in the browser in under 300 ms (median over queries,
    # served from this machine, the first query's loading of the index included).
    assert statistics.median(times) < 300, times
