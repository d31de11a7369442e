"""Search through the CLI on the built sample: exact recall and precision, scripts, ranking, facets."""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import opencc
import pytest
from click.testing import CliRunner

from shiliao.archive import open_archive
from shiliao.cli import main
from shiliao.operations.search import search
from shiliao.search.facets import facets_of
from shiliao.search.index import LAYOUT, PassageIndex
from shiliao.zh.fold import fold, fold_query, unit_pattern
from shiliao.zh.normalize import normalize
from shiliao.zh.segment import Segmenter


@pytest.fixture(scope="module")
def corpus(built_sample: dict) -> dict:
    """The archive's passages and sources, read from its database (no index involved)."""
    with open_archive(built_sample["archive"]) as archive:
        passages = list(archive.catalog.iter_passages())
        sources = {source.id: source for source in archive.catalog.sources()}
    return {
        "passages": passages,
        "folded": {p.id: fold(p.text) for p in passages},
        "sources": sources,
    }


def draw_queries(corpus: dict, count: int = 102) -> list[str]:
    """``count`` strings of 1 to 6 characters (as many of each length) cut from random
    passages of the sample, without whitespace or double quotes (the query syntax)."""
    rng = random.Random(5)
    texts = [p.text for p in corpus["passages"] if len(p.text) >= 6]
    queries: list[str] = []
    while len(queries) < count:
        length = 1 + len(queries) % 6
        text = rng.choice(texts)
        start = rng.randrange(len(text) - length + 1)
        candidate = text[start : start + length]
        if not any(c.isspace() or c in '"＂' for c in candidate) and candidate not in queries:
            queries.append(candidate)
    return queries


def scan(corpus: dict, query: str) -> set[int]:
    pattern = unit_pattern(fold_query(query))
    return {pid for pid, text in corpus["folded"].items() if pattern.search(text)}


def cli_search(archive: Path, *args: str) -> dict:
    result = CliRunner().invoke(main, ["search", str(archive), *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_cli_finds_exactly_what_a_substring_scan_finds(built_sample: dict, corpus: dict) -> None:
    queries = draw_queries(corpus)
    assert len(queries) >= 100 and {len(q) for q in queries} == {1, 2, 3, 4, 5, 6}
    for query in queries:
        payload = cli_search(built_sample["archive"], query, "--limit", "0", "--no-expand")
        found = {hit["passage_id"] for hit in payload["hits"]}
        expected = scan(corpus, query)
        assert payload["total"] == len(expected), query
        assert found == expected, query  # recall 1.0 and precision 1.0


def _has(results, source_id: str) -> bool:
    return any(hit.source.id == source_id for hit in results.hits)


def _pieces(text: str, changed: Callable[[str], bool], rng: random.Random, count: int) -> list[str]:
    """Up to ``count`` 3-character pieces of Han text, at random places, that ``changed``
    alters (tried at up to 2,000 places)."""
    pieces: list[str] = []
    for _ in range(2000):
        if len(pieces) == count or len(text) < 3:
            break
        at = rng.randrange(len(text) - 2)
        piece = text[at : at + 3]
        if all("\u4e00" <= c <= "\u9fff" for c in piece) and changed(piece):
            pieces.append(piece)
    return pieces


def test_traditional_and_simplified_documents_find_each_other(
    built_sample: dict, corpus: dict
) -> None:
    t2s, s2t = opencc.OpenCC("t2s"), opencc.OpenCC("s2t")
    rng = random.Random(7)
    by_source: dict[str, str] = {}
    for passage in corpus["passages"]:
        by_source[passage.source_id] = by_source.get(passage.source_id, "") + passage.text
    traditional = [s for s in corpus["sources"].values() if s.language == "zh-Hant"]
    simplified = [s for s in corpus["sources"].values() if s.language == "zh-Hans"]
    assert len(traditional) >= 3 and len(simplified) > 80
    with open_archive(built_sample["archive"]) as archive:
        for source in traditional:
            pieces = _pieces(by_source[source.id], lambda p: t2s.convert(p) != p, rng, 5)
            assert pieces, source.id
            for piece in pieces:
                results = search(archive, t2s.convert(piece), limit=None, expand=False)
                assert _has(results, source.id), (source.id, piece)
        for source in simplified:
            text = by_source.get(source.id, "")
            pieces = _pieces(text, lambda p: s2t.convert(p) != p, rng, 1)
            if not text:
                continue
            assert pieces, source.id
            results = search(archive, s2t.convert(pieces[0]), limit=None, expand=False)
            assert _has(results, source.id), (source.id, pieces[0])


@pytest.mark.parametrize("word", ["团结", "干部", "人民", "社会"])
def test_whole_word_matches_come_first(built_sample: dict, word: str) -> None:
    segment = Segmenter().segment
    with open_archive(built_sample["archive"]) as archive:
        results = search(archive, word, limit=None, expand=False)
    whole = [word in segment(normalize(hit.passage.text)) for hit in results.hits]
    assert True in whole and False in whole  # both kinds exist for these words
    first_partial = whole.index(False)
    assert not any(whole[first_partial:]), word


def test_year_and_collection_filters_and_facets(built_sample: dict, corpus: dict) -> None:
    payload = cli_search(
        built_sample["archive"],
        "民族团结",
        "--year",
        "2014..2020",
        "--collection",
        "government-work-reports",
        "--limit",
        "0",
    )
    allowed = {
        sid
        for sid, source in corpus["sources"].items()
        if (f := facets_of(source)).year is not None
        and 2014 <= f.year <= 2020
        and "government-work-reports" in f.collections
    }
    expected = {
        p.id
        for p in corpus["passages"]
        if p.source_id in allowed and p.id in scan(corpus, "民族团结")
    }
    assert {hit["passage_id"] for hit in payload["hits"]} == expected and expected
    assert payload["filters"] == {"year": [2014, 2020], "collections": ["government-work-reports"]}
    years = payload["facets"]["year"]
    assert all(2014 <= row["value"] <= 2020 for row in years)
    assert sum(row["passages"] for row in years) == payload["total"]
    assert sum(row["sources"] for row in years) == len(
        {hit["source_id"] for hit in payload["hits"]}
    )


def test_facets_count_every_match(built_sample: dict, corpus: dict) -> None:
    payload = cli_search(built_sample["archive"], "新疆", "--limit", "1")
    matches = scan(corpus, "新疆")
    assert payload["total"] == len(matches) and len(payload["hits"]) == 1
    by_source: dict[str, int] = {}
    for passage in corpus["passages"]:
        if passage.id in matches:
            by_source[passage.source_id] = by_source.get(passage.source_id, 0) + 1
    collections = {row["value"]: row for row in payload["facets"]["collection"]}
    for name in ("government-work-reports", "cpc-congress-reports"):
        ids = [s for s in by_source if name in facets_of(corpus["sources"][s]).collections]
        assert collections[name]["sources"] == len(ids)
        assert collections[name]["passages"] == sum(by_source[s] for s in ids)
    # SOURCES.md: 新疆 is in 17 documents.
    assert sum(row["sources"] for row in payload["facets"]["language"]) == 17
    bad = CliRunner().invoke(main, ["search", str(built_sample["archive"]), "新疆", "--year", "x"])
    assert bad.exit_code != 0 and "year range" in bad.output


def test_an_index_of_an_older_layout_is_rebuilt(built_sample: dict, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(built_sample["archive"], archive)
    marker = archive / "index" / "shiliao-layout.json"
    marker.write_text(json.dumps({"layout": LAYOUT - 1}), encoding="utf-8")
    assert not PassageIndex.is_current(archive / "index")
    before = cli_search(built_sample["archive"], "精准扶贫", "--limit", "0")
    after = cli_search(archive, "精准扶贫", "--limit", "0")
    assert PassageIndex.is_current(archive / "index")
    assert after["total"] == before["total"] > 0


def test_the_index_stays_under_twice_the_text(built_sample: dict, corpus: dict) -> None:
    index = built_sample["archive"] / "index"
    index_bytes = sum(f.stat().st_size for f in index.rglob("*") if f.is_file())
    text_bytes = sum(len(p.text.encode("utf-8")) for p in corpus["passages"])
    assert index_bytes < 2 * text_bytes, index_bytes / text_bytes
