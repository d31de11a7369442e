"""Benchmark: how long the command line takes to start, beside a bare Python and bare click.

Times, in fresh processes, ``shiliao --help`` (the command listing, which must import no
command's module), ``shiliao search --help`` (one command's module and what it imports), a bare
``python -c pass`` and ``python -c "import click"``. Prints the median and best of ``--repeats``
runs each and the ratio of ``shiliao --help`` to bare click. Aim: ``shiliao --help`` under 0.3 s.

Run by hand (not in CI):

    python bench/startup.py
    python bench/startup.py --repeats 21
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time


def _machine() -> str:
    return (
        f"{platform.platform()}, nproc={os.cpu_count()}, Python {platform.python_version()}, "
        f"{platform.processor() or platform.machine()}"
    )


def _time(command: list[str], repeats: int) -> tuple[float, float]:
    """Median and best wall-clock seconds of ``repeats`` runs of ``command``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def main() -> None:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=11, help="runs of each command")
    args = parser.parse_args()
    python = sys.executable
    # The console script pip installs, which is what a user runs.
    shiliao = shutil.which("shiliao") or sys.exit("install shiliao first: pip install -e .")
    cases = {
        "python -c pass": [python, "-c", "pass"],
        'python -c "import click"': [python, "-c", "import click"],
        "shiliao --help": [shiliao, "--help"],
        "shiliao search --help": [shiliao, "search", "--help"],
    }
    print(_machine(), flush=True)
    results = {name: _time(command, args.repeats) for name, command in cases.items()}
    print("| command | median s | best s |")
    print("|---|---|---|")
    for name, (median, best) in results.items():
        print(f"| `{name}` | {median:.3f} | {best:.3f} |")
    ratio = results["shiliao --help"][0] / results['python -c "import click"'][0]
    print(f"shiliao --help / bare click: {ratio:.2f}")


if __name__ == "__main__":
    main()
