"""Benchmark: shiliao's bigram index (tantivy) against SQLite FTS5 with its default tokenizer.

Run by hand, not in CI, from the repository root::

    PYTHONPATH=src python bench/search.py --passages 20000      # about a minute
    PYTHONPATH=src python bench/search.py                       # 1,000,000 passages

Passages are the sample collection's paragraphs (``../shared/samples/jieqin/sources/*.jsonl``:
``content`` split on newlines, stripped, 4 characters or more; 9,883 of them), repeated
cyclically up to ``--passages`` and shuffled with ``random.Random(passages)``, as in
research/performance.md §3. Queries are ``--queries`` strings of 2 to 6 Han characters cut
from random paragraphs (``random.Random(--seed)``), as many of each length.

For each engine it prints the build time, the size on disk, the latency of a top-20 search and
of a count (median of 5 runs per query; p50 and p95 over the queries), and recall and precision
of the full result sets against a brute-force substring scan of the normalized passages (what
a reader expects: 團結 and 团结 are the same word). FTS5 is what a generic tool does: the raw
text with ``tokenize='unicode61'`` (the default) and the query as a quoted ``MATCH`` phrase;
unicode61 keeps a run of Han characters between punctuation as one token, so it finds a word
only where the word is a whole run.

Replication caveat (research/performance.md): the vocabulary is that of 1.4 M characters and
every hit count grows with N; the many identical passages also make ties in score common,
which shiliao's index breaks by passage id (extra fetches for the top 20).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from shiliao.search import PassageIndex, parse_query
from shiliao.zh.normalize import normalize

SOURCES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "jieqin" / "sources"
RUNS_PER_QUERY = 5


def load_paragraphs() -> list[str]:
    """The sample's paragraphs: ``content`` split on newlines, stripped, length >= 4."""
    paragraphs = []
    for path in sorted(SOURCES.glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                for paragraph in json.loads(line)["content"].split("\n"):
                    text = paragraph.strip()
                    if len(text) >= 4:
                        paragraphs.append(text)
    return paragraphs


def draw_queries(paragraphs: list[str], count: int, seed: int) -> list[str]:
    """``count`` strings of 2 to 6 Han characters (U+4E00-U+9FFF) cut from random paragraphs."""
    rng = random.Random(seed)
    queries: list[str] = []
    while len(queries) < count:
        length = 2 + len(queries) % 5
        text = rng.choice(paragraphs)
        if len(text) < length:
            continue
        start = rng.randrange(len(text) - length + 1)
        candidate = text[start : start + length]
        if all("\u4e00" <= char <= "\u9fff" for char in candidate):
            queries.append(candidate)
    return queries


def folder_bytes(path: Path) -> int:
    """Total size of the files under a folder, in bytes."""
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())


def median_ms(call: Callable[[], object]) -> float:
    """Median wall-clock time of ``RUNS_PER_QUERY`` calls, in milliseconds."""
    times = []
    for _ in range(RUNS_PER_QUERY):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def p95(values: list[float]) -> float:
    """The 95th percentile (inclusive method)."""
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def recall_precision(found: list[set[int]], truth: list[set[int]]) -> tuple[float, float]:
    """Micro-averaged over the queries: matched pairs over all true, over all found."""
    hits = sum(len(f & t) for f, t in zip(found, truth, strict=True))
    true_total = sum(len(t) for t in truth)
    found_total = sum(len(f) for f in found)
    return (hits / true_total if true_total else 1.0, hits / found_total if found_total else 1.0)


def bench_tantivy(
    work: Path, passages: list[str], queries: list[str], heap_bytes: int
) -> tuple[dict[str, float], list[set[int]]]:
    """Build a ``PassageIndex`` in ``work`` and time its queries.

    Returns:
        The figures (build seconds until merges end, size in MB, latencies in ms) and, per
        query, the set of passage ids found.
    """
    path = work / "index"
    started = time.perf_counter()
    with PassageIndex.open(path, writer_heap_bytes=heap_bytes) as index:
        for passage_id, text in enumerate(passages, start=1):
            index.add(passage_id, "bench", text)
        index.commit()
    build_s = time.perf_counter() - started
    index = PassageIndex.open(path, create=False)
    parsed = [parse_query(query) for query in queries]
    top = [median_ms(lambda q=q: index.search(q, limit=20)) for q in parsed]
    count = [median_ms(lambda q=q: index.search(q, limit=0)) for q in parsed]
    found = [set(index.search(q, limit=None).passage_ids) for q in parsed]
    figures = {"build_s": build_s, "size_mb": folder_bytes(path) / 1e6}
    figures |= {"top_p50": statistics.median(top), "top_p95": p95(top)}
    figures |= {"count_p50": statistics.median(count), "count_p95": p95(count)}
    return figures, found


def bench_fts5(
    work: Path, passages: list[str], queries: list[str]
) -> tuple[dict[str, float], list[set[int]]]:
    """Build an FTS5 table (default unicode61 tokenizer, raw text) and time its queries.

    Returns:
        The same figures as ``bench_tantivy`` and, per query, the rowids ``MATCH`` returns.
    """
    path = work / "fts5.db"
    started = time.perf_counter()
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body)")
    with db:
        db.executemany("INSERT INTO t(rowid, body) VALUES (?, ?)", enumerate(passages, start=1))
    with db:
        db.execute("INSERT INTO t(t) VALUES('optimize')")
    db.execute("VACUUM")
    build_s = time.perf_counter() - started
    phrases = ['"' + query.replace('"', '""') + '"' for query in queries]

    def top20(phrase: str) -> list[tuple[int]]:
        sql = "SELECT rowid FROM t WHERE t MATCH ? ORDER BY rank LIMIT 20"
        return db.execute(sql, (phrase,)).fetchall()

    def count(phrase: str) -> list[tuple[int]]:
        return db.execute("SELECT count(*) FROM t WHERE t MATCH ?", (phrase,)).fetchall()

    top = [median_ms(lambda p=p: top20(p)) for p in phrases]
    counts = [median_ms(lambda p=p: count(p)) for p in phrases]
    found = [
        {row[0] for row in db.execute("SELECT rowid FROM t WHERE t MATCH ?", (p,))} for p in phrases
    ]
    db.close()
    figures = {"build_s": build_s, "size_mb": path.stat().st_size / 1e6}
    figures |= {"top_p50": statistics.median(top), "top_p95": p95(top)}
    figures |= {"count_p50": statistics.median(counts), "count_p95": p95(counts)}
    return figures, found


def main(argv: list[str] | None = None) -> None:
    """Parse the flags, run both engines and print the machine line and the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=1_000_000, help="passages to index")
    parser.add_argument("--queries", type=int, default=50, help="queries to run")
    parser.add_argument("--seed", type=int, default=42, help="seed for drawing the queries")
    parser.add_argument("--heap-mb", type=int, default=256, help="tantivy writer heap, MB")
    parser.add_argument("--work", type=Path, help="folder for the indexes (default: a temp dir)")
    args = parser.parse_args(argv)

    print(
        f"machine: platform={platform.platform()} nproc={len(os.sched_getaffinity(0))} "
        f"python={platform.python_version()} tantivy={metadata.version('tantivy')} "
        f"sqlite={sqlite3.sqlite_version}"
    )
    paragraphs = load_paragraphs()
    order = [i % len(paragraphs) for i in range(args.passages)]
    random.Random(args.passages).shuffle(order)
    passages = [paragraphs[i] for i in order]
    queries = draw_queries(paragraphs, args.queries, args.seed)
    print(
        f"corpus: {len(paragraphs):,} unique paragraphs -> {len(passages):,} passages, "
        f"{sum(map(len, passages)) / 1e6:.1f} M chars; {len(queries)} queries, e.g. "
        + " ".join(queries[:5])
    )

    # The truth: scan the unique paragraphs once per query, then expand to passage ids.
    normalized = [normalize(text) for text in paragraphs]
    passages_of: list[list[int]] = [[] for _ in paragraphs]
    for passage_id, paragraph in enumerate(order, start=1):
        passages_of[paragraph].append(passage_id)
    truth = []
    for query in queries:
        key = normalize(query)
        truth.append(
            {pid for i, text in enumerate(normalized) if key in text for pid in passages_of[i]}
        )

    with tempfile.TemporaryDirectory(dir=args.work) as temp:
        work = Path(temp)
        results = {
            "shiliao (tantivy bigrams)": bench_tantivy(
                work, passages, queries, args.heap_mb * 1_000_000
            ),
            "FTS5 unicode61, raw text": bench_fts5(work, passages, queries),
        }

    header = (
        f"{'engine':<28}{'build s':>9}{'size MB':>9}{'top20 p50 ms':>14}{'p95 ms':>9}"
        f"{'count p50 ms':>14}{'p95 ms':>9}{'recall':>8}{'precision':>11}"
    )
    print(header)
    for name, (f, found) in results.items():
        recall, precision = recall_precision(found, truth)
        print(
            f"{name:<28}{f['build_s']:>9.1f}{f['size_mb']:>9.1f}{f['top_p50']:>14.3f}"
            f"{f['top_p95']:>9.3f}{f['count_p50']:>14.3f}{f['count_p95']:>9.3f}"
            f"{recall:>8.3f}{precision:>11.3f}"
        )
    (ours, _), (fts, _) = results.values()
    print(
        "ratios FTS5 / shiliao: "
        + ", ".join(
            f"{key} {fts[key] / ours[key]:.2f}x"
            for key in ("build_s", "size_mb", "top_p50", "top_p95", "count_p50", "count_p95")
        )
    )
    print(f"queries with no true match: {sum(1 for t in truth if not t)} of {len(truth)}")


if __name__ == "__main__":
    sys.exit(main())
