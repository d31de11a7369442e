"""Term pages (chart, figures, collocates), the formulas page and the search data, as built."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.dom import minidom

from click.testing import CliRunner

from shiliao.cli import main
from shiliao.publish.chart import frequency_chart
from shiliao.publish.searchindex import read_data_script
from shiliao.zh.stats import yearly_frequency


def _stats(archive: Path, term: str) -> dict:
    result = CliRunner().invoke(main, ["terms", "stats", str(archive), term, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)[0]


def test_term_page_has_chart_figures_and_collocates(built_sample: dict) -> None:
    page = (built_sample["site"] / "terms" / "minzu-tuanjie" / "index.html").read_text()
    svg = re.search(r"<svg class=\"chart\".*?</svg>", page, re.S)
    assert svg, "the term page has an inline SVG chart"
    minidom.parseString(svg.group(0))  # well-formed
    assert 'role="img"' in svg.group(0) and "per 10,000 characters" in svg.group(0)
    # No script and no style attribute: the Content-Security-Policy allows neither inline.
    assert "<script" not in svg.group(0) and "style=" not in svg.group(0)
    stats = _stats(built_sample["archive"], "民族团结")
    # The page's words, without the elements that carry interface text for translation.
    words = re.sub(r"<[^>]+>", "", page)
    assert f"first in {stats['first_year']}, last in {stats['last_year']}" in words
    rows = re.findall(r"<tr><td>(\d{4})</td><td class=\"num\">(\d+)</td>", page)
    expected = [(str(r["year"]), str(r["count"])) for r in stats["years"] if r["count"]]
    assert rows == expected
    assert (
        "Dunning 1993" in page and '<h2><span data-ui="Collocates">Collocates</span></h2>' in page
    )
    assert '<td lang="zh-Hans">祖国统一</td>' in page


def test_formulas_page_ranks_the_archive_formulas(built_sample: dict) -> None:
    page = (built_sample["site"] / "formulas" / "index.html").read_text()
    ranked = re.findall(r'<td class="formula"><span lang="zh-Hans">([^<]+)</span>', page)
    assert len(ranked) >= 40
    for formula in ("两个维护", "四个意识", "四个自信", "四个全面", "三个代表", "一带一路"):
        assert formula in ranked[:40], formula
    # Linked from every page's navigation.
    home = (built_sample["site"] / "index.html").read_text()
    assert 'href="formulas/index.html"' in home


def test_search_data_carries_expansion_and_facets(built_sample: dict) -> None:
    data = built_sample["site"] / "search" / "data"
    table = read_data_script(data / "expand.js")[1]
    assert isinstance(table, dict)
    assert table["pinyin"]["jieqin"] == ["结亲"]
    assert table["english"]["fourtogethers"] == ["四同"]
    meta = read_data_script(data / "meta.js")[1]
    assert isinstance(meta, dict)
    row = meta["sources"][0]
    assert row[7] in {"report", "speech"} and row[8] in (
        ["government-work-reports"],
        ["cpc-congress-reports"],
    )


def test_chart_gaps_and_escaping() -> None:
    rows = yearly_frequency({2001: 2}, {2000: 10_000, 2001: 10_000, 2005: 5_000})
    svg = str(frequency_chart(rows, 'a <b> & "c"'))
    minidom.parseString(svg)
    # Two runs of consecutive years with text: 2000-2001 and 2005.
    assert svg.count("<polyline") == 2
    assert "&lt;b&gt;" in svg and "<b>" not in svg
    assert "2001: 2 (2.00 per 10,000 characters)" in svg
    assert str(frequency_chart([], "empty")) == ""
