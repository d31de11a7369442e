"""The fuzz targets in CI (fuzz/run.py): every crash kept under fuzz/regressions/ is replayed and
must be fixed, and every target runs briefly and must find no new crash.

Both run ``fuzz/run.py`` in a child process, under the worker's memory cap and a time limit per
input, as a by-hand run does; the brief run uses atheris where it is installed and the seeded
mutation engine elsewhere (the same inputs every time).
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest
from fuzz.targets import REGRESSIONS, TARGETS

RUN = Path(__file__).resolve().parents[2] / "fuzz" / "run.py"
# Inputs per target in CI: a few seconds each, parsers included.
CI_RUNS = 300

# Kept crashes not fixed yet, each with its reason; the replay of each must still crash
# (xfail strict), so that a fix is noticed and the file moved out of this list.
KNOWN: dict[str, str] = {}


def _regressions() -> list[object]:
    cases = []
    for target in TARGETS:
        for path in sorted((REGRESSIONS / target).glob("*")):
            if path.suffix == ".txt":
                continue
            key = f"{target}/{path.name}"
            marks = [pytest.mark.xfail(strict=True, reason=KNOWN[key])] if key in KNOWN else []
            cases.append(pytest.param(target, path.name, id=key, marks=marks))
    return cases


@functools.cache
def _replayed(target: str) -> dict[str, str | None]:
    process = subprocess.run(
        [sys.executable, str(RUN), "--target", target, "--replay"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert process.stdout, process.stderr
    return json.loads(process.stdout.splitlines()[-1])["replayed"]


@pytest.mark.slow
@pytest.mark.parametrize(("target", "name"), _regressions())
def test_a_kept_crash_is_fixed(target: str, name: str) -> None:
    assert _replayed(target)[name] is None


@pytest.mark.slow
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_a_brief_run_finds_no_new_crash(target: str, tmp_path: Path) -> None:
    process = subprocess.run(
        [
            sys.executable,
            str(RUN),
            "--target",
            target,
            "--runs",
            str(CI_RUNS),
            "--seconds",
            "60",
            "--timeout-s",
            "20",
            "--work",
            str(tmp_path),
            "--instrument",
            "shiliao",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert process.stdout, process.stderr
    report = json.loads(process.stdout.splitlines()[-1])
    assert report["new_crashes"] == [], (report, process.stderr[-3000:])
    assert report["executions"] >= CI_RUNS or report["seconds"] >= 60, report
    assert process.returncode == 0, process.stderr[-3000:]
