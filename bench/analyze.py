"""Benchmark: glossary matching, segmentation, and search with expansion, snippets and facets.

Run by hand, not in CI, from the repository root::

    PYTHONPATH=src python bench/analyze.py --passages 20000          # a couple of minutes
    PYTHONPATH=src python bench/analyze.py                          # 100,000 and 1,000,000

Corpus: the sample collection's paragraphs (``../shared/samples/jieqin/sources/*.jsonl``,
``content`` split on newlines, stripped, 4 characters or more: 9,883 paragraphs, 4.3 MB), as in
research/performance.md.

1. **Glossary matching.** ``zh.glossary.GlossaryMatcher.find`` (folding of what can match,
   Aho-Corasick, offsets mapped back to the original) on every paragraph, beside raw pyahocorasick ``iter``
   over the same paragraphs with the same (normalized) patterns: the sample glossary's terms
   and Traditional forms, then 10,000 words drawn from the corpus. MB/s of UTF-8 text, median
   of 5 interleaved runs.
2. **Segmentation.** ``zh.segment.Segmenter.segment`` beside raw ``rjieba.cut`` and, when it is
   installed, Python ``jieba.cut`` (both HMM on, as the Segmenter), per paragraph.
3. **Search** at each ``--passages`` size: the sample's sources, each with its paragraphs, are
   repeated (each copy a new source with the original's date, type, language and collection)
   up to the size; a real archive database (``store.Catalog``) and a ``search.PassageIndex``
   with facets are built, and ``operations.search.search`` (glossary expansion, the index, passages and
   snippets from the database) answers ``--queries`` queries: strings of 2 to 6 Han characters
   cut from random paragraphs (``random.Random(--seed)``), and pinyin and English names of
   glossary terms that occur in the corpus. Latency is the median of 5 runs per query (after
   one warm-up), then p50/p95 over the queries: the first 20 hits with snippets, the same with
   facet counts, and the exact count alone, with the index held open (as a server holds it;
   the time to open it, paid once per CLI run, is printed apart). Recall and precision compare every passage the
   index returns (``limit=None``, after expansion) with a substring scan of the normalized
   paragraphs by the expanded query (``Query.matches``).

Replication caveat (research/performance.md): the vocabulary is that of 1.4 M characters, hit
counts grow with N, and identical passages tie in score.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import ahocorasick
import rjieba

from shiliao.archive import Archive, open_archive
from shiliao.collection import read_collection
from shiliao.model import Passage, Source, Term
from shiliao.operations.search import search
from shiliao.search.expand import ExpansionTable, expand_query
from shiliao.search.facets import facets_of
from shiliao.search.index import PassageIndex
from shiliao.search.query import parse_query
from shiliao.zh.entries import complete_terms
from shiliao.zh.glossary import GlossaryMatcher
from shiliao.zh.normalize import normalize
from shiliao.zh.pinyin import pinyin_key
from shiliao.zh.segment import Segmenter

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "jieqin"
RUNS = 5


def machine_line() -> str:
    """CPU, cores, memory, Python and the versions of the libraries measured."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        memory_kb = 0
    versions = []
    for package in ("tantivy", "rjieba", "jieba", "pyahocorasick", "opencc", "pypinyin"):
        try:
            versions.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package}=absent")
    return (
        f"machine: {cpu}, nproc={len(os.sched_getaffinity(0))}, "
        f"RAM={memory_kb / 1024**2:.0f} GiB, {platform.platform()}, "
        f"python={platform.python_version()}, " + " ".join(versions)
    )


def load_sources() -> list[tuple[dict, list[str]]]:
    """The sample's records with their paragraphs (length >= 4), in file order, with the
    metadata the sidecars give (read through ``collection.read_collection``)."""
    collection = read_collection(SAMPLE)
    sources = []
    for item in collection.sources:
        paragraphs = [p.strip() for p in (item.text or "").split("\n")]
        sources.append((item.metadata, [p for p in paragraphs if len(p) >= 4]))
    return sources


def median_of(call: Callable[[], object], runs: int = RUNS) -> float:
    """Median wall-clock seconds of ``runs`` calls."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def p95(values: list[float]) -> float:
    """The 95th percentile (inclusive method)."""
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


# 1 and 2: throughput ----------------------------------------------------------------------


def bench_glossary(paragraphs: list[str], terms: list[Term], words: list[str]) -> None:
    """Print GlossaryMatcher MB/s beside raw pyahocorasick MB/s, for two pattern sets."""
    megabytes = sum(len(p.encode()) for p in paragraphs) / 1e6
    pattern_sets = {
        f"glossary ({len(terms)} terms)": terms,
        f"{len(words):,} corpus words": [Term(term=w, pinyin="", english=()) for w in words],
    }
    print("\n1. glossary matching, MB/s (median of 5)")
    print(
        f"{'patterns':<24}{'GlossaryMatcher':>16}{'raw pyahocorasick':>19}{'ratio':>7}{'matches':>9}"
    )
    for name, pattern_terms in pattern_sets.items():
        matcher = GlossaryMatcher(pattern_terms)
        automaton = ahocorasick.Automaton()
        for term in pattern_terms:
            for form in (term.term, term.traditional):
                if form:
                    key = normalize(form)
                    automaton.add_word(key, (len(key), term.term))
        automaton.make_automaton()
        matcher.find(paragraphs[0])  # builds the normalization tables once

        def ours(matcher: GlossaryMatcher = matcher) -> int:
            return sum(len(matcher.find(p)) for p in paragraphs)

        def raw(automaton: ahocorasick.Automaton = automaton) -> int:
            return sum(1 for p in paragraphs for _ in automaton.iter(p))

        ours_s, raw_s = [], []
        for _ in range(RUNS):  # interleaved, so that machine noise hits both alike
            ours_s.append(median_of(ours, 1))
            raw_s.append(median_of(raw, 1))
        a, b = megabytes / statistics.median(ours_s), megabytes / statistics.median(raw_s)
        print(f"{name:<24}{a:>16.1f}{b:>19.1f}{a / b:>7.2f}{ours():>9,}")
    print(
        "   (GlossaryMatcher folds what can match (Traditional, full-width, case) and maps "
        "offsets back; raw matches the original text only, missing those forms)"
    )


def bench_segmentation(paragraphs: list[str]) -> None:
    """Print Segmenter MB/s beside raw rjieba and Python jieba."""
    megabytes = sum(len(p.encode()) for p in paragraphs) / 1e6
    segmenter = Segmenter()
    raw = rjieba.Jieba()
    runs: dict[str, Callable[[], object]] = {
        "shiliao Segmenter": lambda: [segmenter.segment(p) for p in paragraphs],
        "raw rjieba.cut": lambda: [raw.cut(p, hmm=True) for p in paragraphs],
    }
    try:
        import jieba

        jieba.setLogLevel(60)
        jieba.initialize()
        runs["Python jieba.cut"] = lambda: [list(jieba.cut(p)) for p in paragraphs]
    except ImportError:
        pass
    print("\n2. segmentation, MB/s (median of 5 interleaved runs; Python jieba: of 2)")
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for round_number in range(RUNS):
        for name, run in runs.items():
            if "Python" not in name or round_number < 2:
                seconds[name].append(median_of(run, 1))
    base = megabytes / statistics.median(seconds["shiliao Segmenter"])
    for name, times in seconds.items():
        rate = megabytes / statistics.median(times)
        print(f"{name:<20}{rate:>8.1f}   {rate / base:.2f}x of Segmenter")


# 3: search -------------------------------------------------------------------------------------


def build_archive(
    root: Path, sources: list[tuple[dict, list[str]]], size: int
) -> tuple[Archive, list[int], float, float, int]:
    """An archive of ``size`` passages: the sample's sources repeated until the size.

    Returns:
        The open archive; for each passage id (index), the unique paragraph it repeats; the
        seconds to fill the database and to build the index; the text's UTF-8 bytes.
    """
    # A real archive folder; its sources go straight into the database (no originals, no log
    # entries: search reads only the database and the index).
    archive = open_archive(root, create=True)
    catalog = archive.catalog
    sha = "0" * 64
    catalog.record_file(sha, 0, "application/jsonl", "bench.jsonl")
    paragraph_of = [0]  # passage ids start at 1
    plan = []
    offsets, first = [], 0
    for _, paragraphs in sources:
        offsets.append(first)
        first += len(paragraphs)
    copy, done = 0, 0
    started = time.perf_counter()
    while done < size:
        with catalog.transaction():
            for number, (metadata, paragraphs) in enumerate(sources):
                if done >= size or not paragraphs:
                    continue
                take = paragraphs[: size - done]
                source = Source(
                    id=f"s{number}-copy{copy}",
                    title=str(metadata.get("title", "")),
                    date=str(metadata["date"]) if metadata.get("date") else None,
                    type=str(metadata.get("type") or "document"),
                    language=str(metadata.get("language") or "zh-Hans"),
                    metadata={"collection": metadata.get("collection") or []},
                    file_sha256=sha,
                    line=number + 1,
                    record_sha256=sha,
                    path="bench.jsonl",
                    status="extracted",
                )
                passages = [
                    Passage(source.id, 1, i + 1, 0, len(text), text, "record")
                    for i, text in enumerate(take)
                ]
                ids = catalog.save_source(source, "bench", len(plan), passages)
                plan.append((source, ids, take))
                for i, passage_id in enumerate(ids):
                    while len(paragraph_of) <= passage_id:
                        paragraph_of.append(-1)
                    paragraph_of[passage_id] = offsets[number] + i
                done += len(take)
        copy += 1
    catalog_s = time.perf_counter() - started
    started = time.perf_counter()
    text_bytes = 0
    with PassageIndex.open(
        archive.index_path, writer_heap_bytes=512_000_000, writer_threads=2
    ) as index:
        for source, ids, texts in plan:
            facets = facets_of(source)
            for passage_id, text in zip(ids, texts, strict=True):
                index.add(passage_id, source.id, text, facets)
                text_bytes += len(text.encode())
        index.commit()
    index_s = time.perf_counter() - started
    return archive, paragraph_of, catalog_s, index_s, text_bytes


def draw_queries(paragraphs: list[str], terms: list[Term], count: int, seed: int) -> list[str]:
    """Han strings of 2-6 characters from random paragraphs, plus pinyin and English names
    of glossary terms found in the corpus (about a seventh of the queries each)."""
    rng = random.Random(seed)
    corpus = "\n".join(normalize(p) for p in paragraphs)
    present = [t for t in terms if normalize(t.term) in corpus]
    named = max(1, count // 7)
    pinyin = [t.pinyin for t in present if pinyin_key(t.pinyin)][:named]
    english = [t.english[0] for t in present if t.english][-named:]
    queries: list[str] = []
    while len(queries) < count - len(pinyin) - len(english):
        length = 2 + len(queries) % 5
        text = rng.choice(paragraphs)
        if len(text) < length:
            continue
        start = rng.randrange(len(text) - length + 1)
        piece = text[start : start + length]
        if all("\u4e00" <= char <= "\u9fff" for char in piece):
            queries.append(piece)
    return queries + pinyin + english


def bench_search(
    size: int,
    sources: list[tuple[dict, list[str]]],
    terms: list[Term],
    queries: list[str],
    work: Path,
) -> None:
    """Build an archive of ``size`` passages and print its search figures."""
    unique = [p for _, paragraphs in sources for p in paragraphs]
    with tempfile.TemporaryDirectory(dir=work) as temp:
        root = Path(temp)
        archive, paragraph_of, catalog_s, index_s, text_bytes = build_archive(root, sources, size)
        with archive.catalog.transaction():
            archive.catalog.replace_terms(terms)
        index_bytes = sum(f.stat().st_size for f in archive.index_path.rglob("*") if f.is_file())
        print(
            f"\n3. search at {size:,} passages ({text_bytes / 1e6:.0f} MB of text): database "
            f"filled in {catalog_s:.0f} s, index built in {index_s:.0f} s (2 threads), index "
            f"{index_bytes / 1e6:.0f} MB = {index_bytes / text_bytes:.2f}x the text"
        )
        table = ExpansionTable(terms)
        normalized = [normalize(p) for p in unique]
        passages_of: list[list[int]] = [[] for _ in unique]
        for passage_id, paragraph in enumerate(paragraph_of):
            if paragraph >= 0:
                passages_of[paragraph].append(passage_id)
        index = archive.open_index()
        top, faceted, count = [], [], []
        hits_found = hits_true = hits_both = 0
        expanded_queries = 0
        opened = [median_of(archive.open_index) * 1000 for _ in range(3)]
        for query in queries:
            # The index is held open, as a server holds it; a CLI run opens it once (below).
            search(archive, query, limit=20, index=index)  # warm-up
            top.append(median_of(lambda q=query: search(archive, q, limit=20, index=index)) * 1000)
            faceted.append(
                median_of(lambda q=query: search(archive, q, limit=20, facets=True, index=index))
                * 1000
            )
            expanded, expansions = expand_query(parse_query(query), table)
            expanded_queries += bool(expansions)
            count.append(median_of(lambda q=expanded: index.search(q, limit=0)) * 1000)
            found = set(index.search(expanded, limit=None).passage_ids)
            truth = {
                pid
                for i, text in enumerate(normalized)
                if expanded.matches(text)
                for pid in passages_of[i]
            }
            hits_found += len(found)
            hits_true += len(truth)
            hits_both += len(found & truth)
        recall = hits_both / hits_true if hits_true else 1.0
        precision = hits_both / hits_found if hits_found else 1.0
        print(f"{'':<36}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
        for name, values in (
            ("first 20 hits with snippets", top),
            ("same, with facet counts", faceted),
            ("exact count only (index)", count),
        ):
            print(
                f"{name:<36}{statistics.median(values):>9.2f}{p95(values):>9.2f}{max(values):>9.2f}"
            )
        print(f"{'opening the index (once per CLI run)':<36}{statistics.median(opened):>9.2f}")
        print(
            f"recall {recall:.3f}, precision {precision:.3f} over {hits_true:,} true hits of "
            f"{len(queries)} queries ({expanded_queries} expanded through the glossary)"
        )
        archive.close()


def main(argv: list[str] | None = None) -> None:
    """Parse the flags and print every section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--passages",
        type=int,
        nargs="*",
        default=[100_000, 1_000_000],
        help="archive sizes (none: throughput only)",
    )
    parser.add_argument("--queries", type=int, default=50, help="queries to run")
    parser.add_argument("--seed", type=int, default=42, help="seed for drawing the queries")
    parser.add_argument("--work", type=Path, help="folder for the archives (default: temp)")
    args = parser.parse_args(argv)

    print(machine_line())
    print(f"command: PYTHONPATH=src python bench/analyze.py {' '.join(sys.argv[1:])}".rstrip())
    sources = load_sources()
    paragraphs = [p for _, ps in sources for p in ps]
    terms = complete_terms(read_collection(SAMPLE).terms)
    print(
        f"corpus: {len(paragraphs):,} paragraphs, "
        f"{sum(len(p.encode()) for p in paragraphs) / 1e6:.2f} MB; glossary {len(terms)} terms"
    )
    rng = random.Random(args.seed)
    vocabulary = sorted(
        {
            word
            for p in paragraphs
            for word in rjieba.cut(p)
            if len(word) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in word)
        }
    )
    words = rng.sample(vocabulary, min(10_000, len(vocabulary)))
    bench_glossary(paragraphs, terms, words)
    bench_segmentation(paragraphs)
    queries = draw_queries(paragraphs, terms, args.queries, args.seed)
    print(f"\nqueries ({len(queries)}): " + json.dumps(queries, ensure_ascii=False))
    for size in args.passages:
        bench_search(size, sources, terms, queries, args.work or Path(tempfile.gettempdir()))


if __name__ == "__main__":
    sys.exit(main())
