"""Term statistics: per-year frequency checked against a substring scan; G² and collocates."""

from __future__ import annotations

import json
import math
from collections import Counter

import pytest
from click.testing import CliRunner

from shiliao.archive import open_archive
from shiliao.cli import main
from shiliao.search.facets import year_of
from shiliao.zh.normalize import normalize
from shiliao.zh.segment import Segmenter
from shiliao.zh.stats import (
    COLLOCATION_MEASURE,
    CollocationCounter,
    count_occurrences,
    log_likelihood,
    yearly_frequency,
)


@pytest.fixture(scope="module")
def scan(built_sample: dict) -> dict:
    """Brute force over the built archive: year -> [normalized passage texts], and sizes."""
    texts: dict[int | None, list[str]] = {}
    sizes: Counter[int] = Counter()
    with open_archive(built_sample["archive"]) as archive:
        years = {s.id: year_of(s.date) for s in archive.catalog.sources()}
        for passage in archive.catalog.iter_passages():
            year = years[passage.source_id]
            texts.setdefault(year, []).append(normalize(passage.text))
            if year is not None:
                sizes[year] += len(passage.text)
    return {"texts": texts, "sizes": sizes}


def _stats(built_sample: dict, *terms: str, extra: tuple[str, ...] = ()) -> list[dict]:
    result = CliRunner().invoke(
        main, ["terms", "stats", str(built_sample["archive"]), *terms, "--json", *extra]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_first_and_last_use_of_jingzhun_fupin_match_a_scan(built_sample: dict, scan: dict) -> None:
    [stats] = _stats(built_sample, "精准扶贫")
    used = sorted(
        year
        for year, texts in scan["texts"].items()
        if year is not None and any("精准扶贫" in text for text in texts)
    )
    assert used, "the sample uses 精准扶贫"
    assert (stats["first_year"], stats["last_year"]) == (used[0], used[-1])
    # SOURCES.md: 精准扶贫 is in 8 documents.
    assert stats["sources"] == 8


def test_counts_and_rates_per_year_match_a_scan(built_sample: dict, scan: dict) -> None:
    for stats in _stats(built_sample, "民族团结", "干部", "幹部"):
        rows = {row["year"]: row for row in stats["years"]}
        for year, texts in scan["texts"].items():
            if year is None:
                continue
            expected = sum(text.count(normalize(stats["term"])) for text in texts)
            assert rows[year]["count"] == expected, (stats["term"], year)
            assert rows[year]["chars"] == scan["sizes"][year]
            assert rows[year]["per_10k"] == pytest.approx(
                expected / scan["sizes"][year] * 10_000, abs=1e-4
            )
    # Traditional and Simplified forms count together.
    by_term = {s["term"]: s for s in _stats(built_sample, "干部", "幹部")}
    assert by_term["干部"]["years"] == by_term["幹部"]["years"]


def test_collection_restricts_the_counts(built_sample: dict) -> None:
    [everywhere] = _stats(built_sample, "民族团结")
    [congress] = _stats(built_sample, "民族团结", extra=("--collection", "cpc-congress-reports"))
    [reports] = _stats(built_sample, "民族团结", extra=("--collection", "government-work-reports"))
    assert congress["total"] + reports["total"] == everywhere["total"]
    assert 0 < congress["total"] < everywhere["total"]


def test_yearly_frequency_and_counting() -> None:
    rows = yearly_frequency({2016: 3}, {2015: 1000, 2016: 20_000})
    assert [(r.year, r.count, r.per_10k) for r in rows] == [(2015, 0, 0.0), (2016, 3, 1.5)]
    assert count_occurrences("哈哈哈", "哈哈") == 1
    with pytest.raises(ValueError):
        count_occurrences("文本", "")


def test_log_likelihood_matches_the_formula() -> None:
    # A table worked by hand: G2 = 2 * sum(O ln(O/E)).
    o = (10, 90, 40, 9860)
    total = sum(o)
    rows, cols = (o[0] + o[1], o[2] + o[3]), (o[0] + o[2], o[1] + o[3])
    expected = 2 * sum(
        obs * math.log(obs / (rows[i // 2] * cols[i % 2] / total)) for i, obs in enumerate(o)
    )
    assert log_likelihood(*o) == pytest.approx(expected)
    assert log_likelihood(5, 5, 5, 5) == pytest.approx(0.0)


def test_collocates_of_yidai_yilu(built_sample: dict) -> None:
    result = CliRunner().invoke(
        main,
        ["terms", "collocates", str(built_sample["archive"]), "一带一路", "--limit", "5", "--json"],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["measure"] == COLLOCATION_MEASURE and "Dunning" in payload["measure"]
    words = [c["word"] for c in payload["collocates"]]
    assert "共建" in words  # 共建“一带一路”: the fixed collocation of the sample
    g2 = [c["g2"] for c in payload["collocates"]]
    assert g2 == sorted(g2, reverse=True)
    assert all(c["together"] > c["expected"] for c in payload["collocates"])


def test_collocation_windows_never_count_a_word_twice() -> None:
    counter = CollocationCounter(["甲乙甲乙甲"], Segmenter(["甲", "乙"]).segment)
    found = {c.word: c for c in counter.collocates("甲", window=2, min_together=1, limit=None)}
    # 乙 occurs twice in all; each occurrence is near some 甲 but is counted once.
    assert all(c.together <= c.total for c in found.values())
