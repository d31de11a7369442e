"""Benchmark: `shiliao verify` throughput over at least 1 GB of originals, beside coreutils.

Builds a scratch archive whose originals total ``--gigabytes`` (random files of ``--file-mb``
each, captured with ``shiliao add``: OCFL versions and log entries as for real captures), then
times, with a warm page cache, ``verify_archive`` (every content file re-read for its sha512 and
sha256, the log and its checkpoints checked) against ``sha256sum`` and ``sha512sum`` run on the
same content files. Prints MB/s for each and the ratio of verify to the slower of the two.
Aim: at least 0.8.

Run by hand (not in CI):

    python bench/verify.py                 # 1 GB in 16 files
    python bench/verify.py --gigabytes 0.2 # a quick look
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from shiliao.archive import open_archive
from shiliao.config import load_settings
from shiliao.operations.add import add_targets
from shiliao.verification import verify_archive


def _machine() -> str:
    return (
        f"{platform.platform()}, nproc={os.cpu_count()}, Python {platform.python_version()}, "
        f"{platform.processor() or platform.machine()}"
    )


def _median_seconds(run, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gigabytes", type=float, default=1.0)
    parser.add_argument("--file-mb", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="shiliao-bench-verify-"))
    try:
        inputs = scratch / "inputs"
        inputs.mkdir()
        count = max(1, round(args.gigabytes * 1024 / args.file_mb))
        block = os.urandom(args.file_mb * 1024 * 1024)
        for number in range(count):
            # Distinct files (so OCFL keeps each) without paying for urandom each time.
            (inputs / f"scan-{number:03d}.bin").write_bytes(number.to_bytes(8, "big") + block)
        archive_dir = scratch / "archive"
        started = time.perf_counter()
        with open_archive(archive_dir, create=True) as archive:
            report = add_targets(
                archive, [str(p) for p in sorted(inputs.iterdir())], load_settings()
            )
            archive.checkpoint()
        capture_s = time.perf_counter() - started
        shutil.rmtree(inputs)
        content = sorted(
            p for p in (archive_dir / "objects").rglob("*") if p.is_file() and "content" in p.parts
        )
        total = sum(p.stat().st_size for p in content)
        mb = total / 1e6

        verify_archive(archive_dir)  # warm the page cache
        check = verify_archive(archive_dir)
        assert check.ok, check.problems
        verify_s = _median_seconds(lambda: verify_archive(archive_dir), args.repeats)
        files = [str(p) for p in content]
        sha256_s = _median_seconds(
            lambda: subprocess.run(["sha256sum", *files], check=True, capture_output=True),
            args.repeats,
        )
        sha512_s = _median_seconds(
            lambda: subprocess.run(["sha512sum", *files], check=True, capture_output=True),
            args.repeats,
        )
        slower = max(sha256_s, sha512_s)
        print(f"machine: {_machine()}")
        print(f"command: python {' '.join(sys.argv)}")
        print(
            f"originals: {len(content)} files, {mb:,.0f} MB ({len(report.added)} added in {capture_s:.1f} s)"
        )
        print(
            f"shiliao verify : {verify_s:6.2f} s  {mb / verify_s:8.1f} MB/s  (sha512 + sha256 of every file, log, checkpoints)"
        )
        print(f"sha256sum      : {sha256_s:6.2f} s  {mb / sha256_s:8.1f} MB/s")
        print(f"sha512sum      : {sha512_s:6.2f} s  {mb / sha512_s:8.1f} MB/s")
        print(f"ratio verify / slower of the two: {slower / verify_s:.2f} (aim >= 0.8)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
