"""The static search index: its encoding, its exactness on the sample, and its size."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from shiliao.model import Passage
from shiliao.publish.searchindex import (
    ALPHABET,
    SHARDS,
    IndexedSource,
    encode_postings,
    passage_tokens,
    read_data_script,
    token_shard,
    write_search_index,
)
from shiliao.search.query import parse_query
from shiliao.zh.fold import fold, fold_table, query_choices, unit_choices, unit_pattern
from shiliao.zh.normalize import t2s_table
from tests.conftest import sample_documents
from tests.publish.conftest import BuiltSite

WORDS = ["民族团结", "干部", "新疆", "亲戚", "结对", "精准扶贫", "两个维护", "中华民族共同体意识"]


def decode_postings(code: str) -> list[int]:
    """The inverse of ``encode_postings``, written as search.js's ``decode`` is."""
    numbers: list[int] = []
    previous, value, scale = -1, 0, 1
    for char in code:
        digit = ALPHABET.index(char)
        if digit >= 32:
            value += (digit - 32) * scale
            scale *= 32
        else:
            value += digit * scale
            previous += value + 1
            numbers.append(previous)
            value, scale = 0, 1
    return numbers


def read_data(data: Path, name: str) -> object:
    """The data of the index file ``name`` (``t/0a``), checking the name it registers."""
    registered, value = read_data_script(data / f"{name}.js")
    assert registered == name
    return value


class StaticIndex:
    """The files of ``search/data`` read the way search.js reads them, to test them in Python."""

    def __init__(self, data: Path) -> None:
        self.data = data
        meta = read_data(data, "meta")
        assert isinstance(meta, dict)
        self.meta = meta
        self._shards: dict[int, dict[str, str]] = {}
        self._chunks: dict[int, list[list[object]]] = {}
        self._labels: dict[str, str] = read_data(data, "fold")["labels"]  # type: ignore[index]
        self._t2s: dict[str, str] = read_data(data, "t2s")  # type: ignore[assignment]

    def postings(self, token: str) -> list[int]:
        shard = token_shard(token, self.meta["shards"])
        if shard not in self._shards:
            text = read_data(self.data, f"t/{shard:02x}")
            assert isinstance(text, str)
            pairs = text.split(" ") if text else []
            self._shards[shard] = dict(zip(pairs[::2], pairs[1::2], strict=True))
        code = self._shards[shard].get(token)
        return [] if code is None else decode_postings(code)

    def row(self, number: int) -> list:
        starts = self.meta["chunks"]
        chunk = max(i for i, first in enumerate(starts) if first <= number)
        if chunk not in self._chunks:
            self._chunks[chunk] = read_data(self.data, f"x/{chunk}")  # type: ignore[assignment]
        return self._chunks[chunk][number - starts[chunk]]

    def folded(self, number: int) -> str:
        """search.js's ``foldMapped``: each code point folded alone, then the row's overrides."""
        row = self.row(number)
        chars = [
            self._labels.get(c, self._t2s.get(c, c))
            for char in str(row[1])
            for c in unicodedata.normalize("NFKC", char).lower()
        ]
        for at, label in (row[2] if len(row) > 2 else {}).items():
            chars[int(at)] = label
        return "".join(chars)

    def search(self, query: str) -> list[int]:
        """search.js's ``run``: per pair position the union of the postings of its spellings,
        intersected, then verified against the folded text."""
        candidates: set[int] | None = None
        to_verify = []
        for unit in parse_query(query).units:
            options = unit_choices(unit)

            def pairs_at(i: int, options: list[str] = options) -> list[str]:
                return [a + b for a in options[i] for b in options[i + 1]]

            if len(options) == 1:
                tokens, exact = [list(options[0])], True
            elif len(options) == 2 and not any(o.isspace() for o in options):
                tokens, exact = [pairs_at(0)], True
            else:
                tokens = [
                    pairs_at(i)
                    for i in range(len(options) - 1)
                    if not options[i].isspace() and not options[i + 1].isspace()
                ]
                tokens = tokens or [[o] for o in options if not o.isspace()]
                exact = False
            for alternatives in tokens:
                found = set().union(*(self.postings(token) for token in alternatives))
                candidates = found if candidates is None else candidates & found
            if not exact:
                to_verify.append(unit_pattern(unit))
        return sorted(
            n
            for n in candidates or ()
            if all(pattern.search(self.folded(n)) for pattern in to_verify)
        )


@pytest.fixture(scope="module")
def index(sample_site: BuiltSite) -> StaticIndex:
    return StaticIndex(sample_site.site / "search" / "data")


@pytest.fixture(scope="module")
def corpus(sample_site: BuiltSite) -> list[tuple[str, str]]:
    """``(source id, folded text)`` of every passage, numbered as the index numbers them."""
    catalog = sample_site.archive.catalog
    return [
        (source.id, fold(passage.text))
        for source in catalog.sources()
        for passage in catalog.passages(source.id)
    ]


def test_postings_round_trip() -> None:
    rng = random.Random(7)
    for size in (0, 1, 2, 50, 3000):
        numbers = sorted(rng.sample(range(2_000_000), size))
        assert decode_postings(encode_postings(numbers)) == numbers
    assert encode_postings([0, 1, 2]) == "000"
    assert encode_postings([40]) == "e1"
    with pytest.raises(ValueError):
        encode_postings([3, 3])


def test_tokens_are_characters_and_pairs_without_whitespace() -> None:
    assert passage_tokens("民族团结") == {"民", "族", "团", "结", "民族", "族团", "团结"}
    assert passage_tokens("ab c\u3000d") == {"a", "b", "c", "d", "ab"}


def test_shards_are_spread_and_stable() -> None:
    assert token_shard("干部") == token_shard("干部") < SHARDS
    counts = [0] * SHARDS
    for token in {
        a + b for a in "民族团结干部新疆亲戚精准扶贫两个维护" for b in "的一是在了有和人这中"
    }:
        counts[token_shard(token)] += 1
    assert max(counts) <= 6


@pytest.mark.parametrize("token", ["民族", "幹部", "團", "幹", "新疆", "，", "a", "19"])
def test_postings_are_exact(index: StaticIndex, corpus: list, token: str) -> None:
    key = fold(token)
    expected = [n for n, (_, text) in enumerate(corpus) if key in text]
    assert index.postings(key) == expected


def test_random_tokens_are_exact(index: StaticIndex, corpus: list) -> None:
    rng = random.Random(11)
    texts = [text for _, text in corpus]
    tokens = sorted({t for text in rng.sample(texts, 30) for t in passage_tokens(text)})
    for token in rng.sample(tokens, 150):
        assert index.postings(token) == [n for n, text in enumerate(texts) if token in text], token


@pytest.mark.parametrize(
    "query",
    [
        *WORDS,
        "團結",
        "幹部",
        "民族 团结",
        '"民族团结"',
        "2016",
        "Ｗ",
        "二〇",
        "发展",
        "头发",
        "以后",
    ],
)
def test_queries_find_exactly_the_matching_passages(
    index: StaticIndex, corpus: list, query: str
) -> None:
    parsed = parse_query(query)
    expected = [n for n, (_, text) in enumerate(corpus) if parsed.matches(text)]
    assert index.search(query) == expected


@pytest.mark.parametrize(("word", "documents"), [("民族团结", 35), ("干部", 60)])
def test_sources_found_match_the_sample(
    index: StaticIndex, corpus: list, word: str, documents: int
) -> None:
    expected = sum(1 for d in sample_documents() if word in d["simplified"])
    assert expected == documents
    assert len({corpus[n][0] for n in index.search(word)}) == documents


def test_t2s_table_is_the_pythons(sample_site: BuiltSite) -> None:
    assert read_data(sample_site.site / "search" / "data", "t2s") == t2s_table()


def test_fold_tables_are_the_pythons(sample_site: BuiltSite) -> None:
    assert read_data(sample_site.site / "search" / "data", "fold") == {
        "labels": fold_table(),
        "choices": query_choices(),
    }


def test_script_folds_every_passage_as_python_does(index: StaticIndex, corpus: list) -> None:
    folded = [index.folded(n) for n in range(len(corpus))]
    assert folded == [text for _, text in corpus]
    # The sample has phrases whose labels differ from the characters' defaults (头发 → 头髮).
    assert any(len(index.row(n)) == 3 for n in range(len(corpus)))


def test_index_is_compact(sample_site: BuiltSite) -> None:
    stats = sample_site.report.search_index
    assert stats is not None and stats.passages == sum(
        len(sample_site.archive.catalog.passages(s.id))
        for s in sample_site.archive.catalog.sources()
    )
    files = [p for p in (sample_site.site / "search" / "data").rglob("*") if p.is_file()]
    assert (len(files), sum(p.stat().st_size for p in files)) == (stats.files, stats.total_bytes)
    print(
        f"\nstatic index: text {stats.text_bytes:,} B; postings {stats.postings_bytes:,} B "
        f"({stats.postings_bytes / stats.text_bytes:.2f}x); passage store {stats.store_bytes:,} B "
        f"({stats.store_bytes / stats.text_bytes:.2f}x); meta+t2s {stats.other_bytes:,} B; "
        f"total {stats.ratio:.2f}x in {stats.files} files; {stats.tokens:,} tokens, "
        f"{stats.postings:,} postings"
    )
    assert stats.postings_bytes < 1.2 * stats.text_bytes
    assert stats.ratio < 2.0


def test_data_files_run_as_javascript_give_the_data(tmp_path: Path) -> None:
    """search.js gets the index by running its files: each must hand over exactly the data
    Python wrote, whatever the text holds (quotes, backslashes, U+2028, "</script>")."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is missing")
    hostile = 'a\u2028b\u2029c "引号" \\ </script><!-- ${x} `t` \');alert(1);//'
    passage = Passage(
        source_id="s",
        page=1,
        paragraph=1,
        char_start=0,
        char_end=len(hostile),
        text=hostile,
        method="text",
    )
    source = IndexedSource(
        id="s",
        title=hostile,
        title_lang="zh-Hans",
        language="zh-Hans",
        date=None,
        url="sources/s/index.html",
        passages=[passage],
    )
    write_search_index(tmp_path, [source], 10)
    files = sorted(tmp_path.rglob("*.js"))
    assert {f.name for f in files} >= {"meta.js", "t2s.js", "fold.js", "expand.js", "0.js"}
    # Every file, run alone, calls shiliaoSearchData once with its name and its data.
    runner = (
        "const fs = require('fs'); const out = {};"
        "globalThis.shiliaoSearchData = (name, value) => { out[name] = value; };"
        "for (const f of process.argv.slice(1)) eval(fs.readFileSync(f, 'utf8'));"
        "process.stdout.write(JSON.stringify(out));"
    )
    result = subprocess.run(
        [node, "-e", runner, *map(str, files)], capture_output=True, check=True, text=True
    )
    ran = json.loads(result.stdout)
    expected = dict(read_data_script(f) for f in files)
    assert ran == expected
    assert ran["meta"]["sources"][0][1] == hostile
    assert ran["x/0"][0][1] == hostile
