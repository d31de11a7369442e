"""Benchmark: personal-data detection, against glossary matching on the same text, and the
cost of detection in a whole ingest.

Run by hand, not in CI, from the repository root::

    PYTHONPATH=src python bench/privacy.py --passages 100000     # about a minute
    PYTHONPATH=src python bench/privacy.py                       # 1,000,000 passages

Three measurements, in one run:

1. **The sample's text**: every paragraph of ``../shared/samples/jieqin/sources/*.jsonl``
   (the 88 reports), through ``privacy.detect.detect`` and through the glossary matcher
   (``zh.glossary.GlossaryMatcher`` with the sample's 56 terms) that every ingest already runs;
   characters per second of each and their ratio.
2. **The large corpus**: the same paragraphs repeated cyclically to ``--passages`` (as
   ``bench/search.py`` builds its corpus), shuffled; the same two timings.
3. **Ingest with and without detection**: ``shiliao build`` of the sample into a new archive,
   ``--repeats`` times each way, the ingest time taken from the build's own report; "without"
   replaces the detector by one that finds nothing (the rest of the build is unchanged). Aim:
   with detection at most 1.2 times the ingest without it.
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
from pathlib import Path

from shiliao.collection.glossary import read_glossary
from shiliao.privacy.detect import detect
from shiliao.zh.entries import complete_terms
from shiliao.zh.glossary import GlossaryMatcher

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "jieqin"


def load_paragraphs() -> list[str]:
    """The sample's paragraphs: ``content`` split on newlines, stripped, non-empty."""
    paragraphs = []
    for path in sorted((SAMPLE / "sources").glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    paragraphs += [
                        p.strip() for p in json.loads(line)["content"].split("\n") if p.strip()
                    ]
    return paragraphs


def time_both(paragraphs: list[str], matcher: GlossaryMatcher) -> dict[str, float]:
    """Seconds to run detection and glossary matching over ``paragraphs``, and counts."""
    started = time.perf_counter()
    found = sum(len(detect(text)) for text in paragraphs)
    detection = time.perf_counter() - started
    started = time.perf_counter()
    mentions = sum(len(matcher.find(text)) for text in paragraphs)
    matching = time.perf_counter() - started
    characters = sum(len(text) for text in paragraphs)
    return {
        "passages": len(paragraphs),
        "characters": characters,
        "detection_s": detection,
        "matching_s": matching,
        "findings": found,
        "mentions": mentions,
    }


def ingest_seconds(detection: bool) -> float:
    """The ingest time of one build of the sample into a new archive, from its report."""
    from shiliao.operations import processing, review
    from shiliao.operations.build import build

    saved = (processing.detect_source, review.detect_source)
    if not detection:
        processing.detect_source = lambda source, passages, today=None: []
        review.detect_source = processing.detect_source
    try:
        with tempfile.TemporaryDirectory() as folder:
            report = build(SAMPLE, Path(folder) / "a", Path(folder) / "s")
    finally:
        processing.detect_source, review.detect_source = saved
    return report.seconds["ingest"]


def main(argv: list[str] | None = None) -> int:
    """Run the three measurements and print them as a table and as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    terms = complete_terms(read_glossary((SAMPLE / "glossary.yaml").read_text("utf-8"), "g"))
    matcher = GlossaryMatcher(terms)
    paragraphs = load_paragraphs()
    print(
        f"machine: {platform.platform()}, nproc={os.cpu_count()}, Python {sys.version.split()[0]}"
    )
    results = {"sample": time_both(paragraphs, matcher)}
    corpus = [paragraphs[i % len(paragraphs)] for i in range(args.passages)]
    random.Random(args.passages).shuffle(corpus)
    results["corpus"] = time_both(corpus, matcher)
    print("| text | passages | M chars | detection s | M chars/s | glossary s | ratio | findings |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        print(
            f"| {name} | {r['passages']:,} | {r['characters'] / 1e6:.1f} | {r['detection_s']:.1f} "
            f"| {r['characters'] / r['detection_s'] / 1e6:.2f} | {r['matching_s']:.1f} "
            f"| {r['detection_s'] / r['matching_s']:.1f} | {r['findings']:,} |"
        )
    with_detection, without = [], []
    for _ in range(args.repeats):
        without.append(ingest_seconds(False))
        with_detection.append(ingest_seconds(True))
    ratio = statistics.median(with_detection) / statistics.median(without)
    results["ingest"] = {"with_s": with_detection, "without_s": without, "ratio": ratio}
    print(
        f"ingest of the sample: with detection {statistics.median(with_detection):.2f} s, "
        f"without {statistics.median(without):.2f} s (medians of {args.repeats}); "
        f"ratio {ratio:.2f} (aim <= 1.2)"
    )
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
