"""Benchmark: the website of the sample, built by this shiliao beside an earlier commit's.

Each side runs ``shiliao build COLLECTION --archive A --out SITE --json`` in its own processes:
once to ingest (not timed), then ``--repeats`` times with the site folder removed before each
run, so that only the site stage works (its ``seconds.site``). The earlier commit runs from a
``git worktree`` of ``--baseline`` with its ``src`` first on ``PYTHONPATH``, against its own
archive (it cannot read a newer archive). Then an unchanged rebuild of this shiliao's site:
every file of the site must keep its modification time and bytes (it writes nothing).

Prints the machine, the median and best site time of each side, their ratio (aim: at most 1.2),
the site's pages, files and bytes, and whether the unchanged rebuild wrote anything.

Run by hand (not in CI), from the repository, with ``../shared`` beside it:

    python bench/site.py
    python bench/site.py --baseline b24caba --repeats 7
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
SAMPLE = REPOSITORY.parent / "shared" / "samples" / "jieqin"
# The last commit before issue 12's site work.
DEFAULT_BASELINE = "b24caba"


def _machine() -> str:
    return (
        f"{platform.platform()}, nproc={os.cpu_count()}, Python {platform.python_version()}, "
        f"{platform.processor() or platform.machine()}"
    )


def _build(src: Path, archive: Path, site: Path) -> dict:
    """One ``shiliao build --json`` with ``src`` first on the import path; its summary."""
    environment = dict(os.environ, PYTHONPATH=str(src))
    command = [sys.executable, "-c", "from shiliao.cli import main; main()"]
    done = subprocess.run(
        [*command, "build", str(SAMPLE), "--archive", str(archive), "--out", str(site), "--json"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def _site_times(src: Path, work: Path, repeats: int) -> list[float]:
    """Seconds of the site stage, ``repeats`` times, after one untimed ingest."""
    archive, site = work / "archive", work / "site"
    _build(src, archive, site)
    times = []
    for _ in range(repeats):
        shutil.rmtree(site)
        times.append(float(_build(src, archive, site)["seconds"]["site"]))
    return times


def _snapshot(site: Path) -> dict[str, tuple[int, int]]:
    """Every file of the site: path -> (modification time in ns, size)."""
    return {
        str(path.relative_to(site)): (path.stat().st_mtime_ns, path.stat().st_size)
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


def main() -> None:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help="commit to compare with")
    parser.add_argument("--repeats", type=int, default=5, help="site builds on each side")
    args = parser.parse_args()
    if not SAMPLE.is_dir():
        sys.exit(f"the sample is missing: {SAMPLE}")
    print(_machine(), flush=True)
    with tempfile.TemporaryDirectory(prefix="shiliao-bench-site-") as folder:
        work = Path(folder)
        worktree = work / "baseline"
        subprocess.run(
            [
                "git",
                "-C",
                str(REPOSITORY),
                "worktree",
                "add",
                "--detach",
                str(worktree),
                args.baseline,
            ],
            check=True,
            capture_output=True,
        )
        try:
            (work / "now").mkdir()
            (work / "then").mkdir()
            now = _site_times(REPOSITORY / "src", work / "now", args.repeats)
            then = _site_times(worktree / "src", work / "then", args.repeats)
        finally:
            subprocess.run(
                ["git", "-C", str(REPOSITORY), "worktree", "remove", "--force", str(worktree)],
                check=False,
                capture_output=True,
            )
        site = work / "now" / "site"
        files = [p for p in site.rglob("*") if p.is_file()]
        pages = sum(1 for p in files if p.suffix == ".html")
        size = sum(p.stat().st_size for p in files)
        before = _snapshot(site)
        summary = _build(REPOSITORY / "src", work / "now" / "archive", site)
        after = _snapshot(site)
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    print("| side | median site s | best site s | runs |")
    print("|---|---|---|---|")
    print(f"| this commit | {statistics.median(now):.2f} | {min(now):.2f} | {len(now)} |")
    print(f"| {args.baseline} | {statistics.median(then):.2f} | {min(then):.2f} | {len(then)} |")
    print(
        f"ratio (median, this / {args.baseline}): {statistics.median(now) / statistics.median(then):.2f}"
    )
    print(f"site: {pages} pages, {len(files)} files, {size / 1e6:.1f} MB")
    written = summary["site"]["written"]
    print(f"unchanged rebuild: site written={written}, files changed={len(changed)}")


if __name__ == "__main__":
    main()
