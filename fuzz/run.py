"""Fuzz shiliao's extractors: ``python fuzz/run.py --target html --seconds 600``.

Each target (``targets.py``: one per extractor) runs in a child process under the worker's
limits: its address space capped (``--max-memory-bytes``, 2 GiB as ``extract.max_memory_bytes``
by default) and each input stopped after ``--timeout-s`` seconds. Two engines:

- ``atheris`` (coverage-guided, libFuzzer; ``pip install atheris``): Python code imported by
  the target is instrumented, and inputs that reach new code are kept in the work folder's
  corpus, so a later run goes on from there;
- ``mutate`` (no dependency, used when atheris is not installed): seeded random mutations of
  the seeds and of earlier inputs (bit flips, interesting bytes, repeated, cut and spliced
  chunks, numbers made large). It finds shallow bugs only, but the same ones on every run.

A crash (any exception but the extractor's typed errors, see ``targets.py``) is kept under
``fuzz/regressions/<target>/`` as ``exception-<id>`` (one file per distinct signature, with a
``.txt`` beside it holding the traceback) and the fuzzing goes on; a hang, a fatal signal or
memory past libFuzzer's limit ends the child, is kept as ``timeout-``, ``signal-`` or ``oom-``
followed by the input's digest, and the child is started again. ``--replay`` runs the kept
files instead (``tests/fuzz`` does so in CI). The exit status is 1 when a crash not kept
before was found, or when a replayed file still crashes.

Other options: ``--runs N`` stops after N inputs; ``--seed`` fixes the engines' randomness;
``--work DIR`` keeps the corpus (default: a folder in the system's temporary directory);
``--target all`` runs every target in turn, each for ``--seconds``.
"""

from __future__ import annotations

import argparse
import faulthandler
import hashlib
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fuzz.targets import REGRESSIONS, TARGETS, Target, crash_signature, signature_id

_STATS_EVERY_S = 1.0
# A child that dies this soon after starting, this many times in a row, is not started again
# (a seed that crashes every time would otherwise loop until the time is up).
_QUICK_DEATH_S = 5.0
_QUICK_DEATHS = 3
_INTERESTING = [0, 1, 0x7F, 0x80, 0xFF, 0x00, ord("<"), ord(">"), ord('"'), ord("{"), ord("\n")]
_BIG_NUMBERS = [b"0", b"-1", b"4294967296", b"99999999999999999999", b"2147483647", b"1e308"]


@dataclass
class Stats:
    """What a child did, written to its stats file as JSON.

    Attributes:
        executions: inputs run.
        crashes: inputs that crashed (all of them, known signatures included).
        done: whether the child finished on its own (time or runs used up).
    """

    executions: int = 0
    crashes: int = 0
    done: bool = False


class Recorder:
    """Runs inputs, keeps each new crash signature as a regression file, writes stats."""

    def __init__(self, folder: Path, stats_path: Path) -> None:
        self.folder = folder
        self.stats_path = stats_path
        self.stats = Stats()
        self.known = {
            path.read_text(encoding="utf-8").splitlines()[0].removeprefix("signature: ")
            for path in self.folder.glob("*.txt")
        }
        self.written = 0.0

    def execute(self, run: Callable[[bytes], None], data: bytes) -> None:
        """Run one input; a crash is recorded, not raised."""
        self.stats.executions += 1
        try:
            run(data)
        except Exception as exc:
            self.stats.crashes += 1
            signature = crash_signature(exc)
            if signature not in self.known:
                self.known.add(signature)
                _keep(self.folder, f"exception-{signature_id(signature)}", data, signature, exc)
                print(f"new crash: {signature}", file=sys.stderr, flush=True)
        now = time.monotonic()
        if now - self.written > _STATS_EVERY_S:
            self.save()
            self.written = now

    def save(self) -> None:
        """Write the stats file."""
        self.stats_path.write_text(json.dumps(self.stats.__dict__), encoding="utf-8")


def _keep(folder: Path, name: str, data: bytes, signature: str, exc: BaseException | None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    detail = "".join(traceback.format_exception(exc)) if exc is not None else ""
    (folder / f"{name}.txt").write_text(f"signature: {signature}\n\n{detail}", encoding="utf-8")


def _limit(max_memory_bytes: int) -> None:
    """The worker's limits (``extract.worker``): address space capped, no core dumps."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        max_memory_bytes = min(max_memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (max_memory_bytes, hard))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


# Engines, in the child ---------------------------------------------------------------------


def _child_atheris(target: Target, args: argparse.Namespace, work: Path, stats: Path) -> None:
    import atheris

    include = ["shiliao"] if args.instrument == "shiliao" else None
    with atheris.instrument_imports(include=include):
        run = target.runner()
        # The extractors import their parsers when first called: call them here, under
        # instrumentation, so that the parsers' Python code is instrumented too.
        for seed in target.seeds():
            run(seed)
    recorder = Recorder(REGRESSIONS / target.name, stats)
    corpus, seeds = work / "corpus", work / "seeds"
    flags = [
        f"-max_total_time={max(1, int(args.seconds))}",
        f"-timeout={int(args.timeout_s)}",
        f"-rss_limit_mb={args.max_memory_bytes // 2**20}",
        f"-max_len={target.max_len}",
        f"-artifact_prefix={work / 'artifacts'}/",
        f"-seed={args.seed + 1}",
        "-print_final_stats=1",
    ]
    if args.runs:
        flags.append(f"-runs={args.runs}")
    atheris.Setup(
        [sys.argv[0], *flags, str(corpus), str(seeds)],
        lambda data: recorder.execute(run, data),
    )
    atheris.Fuzz()


def _mutate(data: bytes, rng: random.Random, pool: list[bytes], max_len: int) -> bytes:
    """One to four random changes to ``data``."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(8)
        at = rng.randrange(len(out) + 1)
        if kind == 0 and out:
            out[at % len(out)] ^= 1 << rng.randrange(8)
        elif kind == 1 and out:
            out[at % len(out)] = rng.choice(_INTERESTING)
        elif kind == 2:
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif kind == 3 and out:
            end = min(len(out), at + rng.randint(1, 64))
            del out[at:end]
        elif kind == 4 and out:
            start = rng.randrange(len(out))
            chunk = out[start : start + rng.randint(1, 32)]
            out[at:at] = chunk * rng.randint(2, 64)
        elif kind == 5:
            other = rng.choice(pool)
            start = rng.randrange(len(other) + 1)
            out[at:at] = other[start : start + rng.randint(1, 256)]
        elif kind == 6:
            digits = [i for i, byte in enumerate(out) if 0x30 <= byte <= 0x39]
            if digits:
                where = rng.choice(digits)
                out[where : where + 1] = rng.choice(_BIG_NUMBERS)
        else:
            del out[rng.randrange(len(out) + 1) :]
    return bytes(out[:max_len])


def _child_mutate(target: Target, args: argparse.Namespace, work: Path, stats: Path) -> None:
    run = target.runner()
    seeds = target.seeds()
    for seed in seeds:
        run(seed)
    recorder = Recorder(REGRESSIONS / target.name, stats)
    rng = random.Random(args.seed)
    pool = list(seeds)
    current = work / "current"
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline and (not args.runs or recorder.stats.executions < args.runs):
        data = _mutate(rng.choice(pool), rng, pool, target.max_len)
        # Kept on disk while it runs, so that a hang or a fatal signal can be kept too.
        current.write_bytes(data)
        faulthandler.dump_traceback_later(args.timeout_s, exit=True)
        recorder.execute(run, data)
        faulthandler.cancel_dump_traceback_later()
        if len(pool) < 500 and rng.random() < 0.05:
            pool.append(data)
    recorder.stats.done = True
    recorder.save()


def _child_replay(target: Target, args: argparse.Namespace) -> int:
    run = target.runner()
    failures = 0
    for path in _regression_files(target):
        print(json.dumps({"start": path.name}), flush=True)
        faulthandler.dump_traceback_later(args.timeout_s, exit=True)
        try:
            run(path.read_bytes())
            result = {"file": path.name, "crash": None}
        except Exception as exc:
            failures += 1
            result = {"file": path.name, "crash": crash_signature(exc)}
        faulthandler.cancel_dump_traceback_later()
        print(json.dumps(result), flush=True)
    return 1 if failures else 0


def _regression_files(target: Target) -> list[Path]:
    folder = REGRESSIONS / target.name
    return sorted(p for p in folder.glob("*") if p.is_file() and p.suffix != ".txt")


# The supervisor --------------------------------------------------------------------------------


def _engine(requested: str) -> str:
    if requested != "auto":
        return requested
    try:
        import atheris  # noqa: F401
    except ImportError:
        return "mutate"
    return "atheris"


def _child_command(
    args: argparse.Namespace, target: str, engine: str, seconds: float, runs: int
) -> list[str]:
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        engine,
        "--target",
        target,
        "--seconds",
        str(seconds),
        "--runs",
        str(runs),
        "--seed",
        str(args.seed),
        "--timeout-s",
        str(args.timeout_s),
        "--max-memory-bytes",
        str(args.max_memory_bytes),
        "--work",
        str(args.work),
        "--instrument",
        args.instrument,
    ]


def _keep_artifacts(target: Target, work: Path, returncode: int, stderr_tail: str) -> list[str]:
    """Move what a child that ended abnormally left (libFuzzer's artifacts, or the input the
    mutate engine was running) into the regressions; return their names."""
    kept = []
    found: list[tuple[str, Path]] = []
    for artifact in sorted((work / "artifacts").glob("*")):
        kind = artifact.name.split("-", 1)[0]
        found.append(({"crash": "signal", "slow": "timeout"}.get(kind, kind), artifact))
    if not found and returncode != 0 and (work / "current").exists():
        kind = "timeout" if "Timeout (" in stderr_tail else "signal"
        found.append((kind, work / "current"))
    for kind, path in found:
        data = path.read_bytes()
        name = f"{kind}-{hashlib.sha256(data).hexdigest()[:10]}"
        signature = f"{kind} (exit status {returncode})"
        _keep(REGRESSIONS / target.name, name, data, signature, None)
        with (REGRESSIONS / target.name / f"{name}.txt").open("a", encoding="utf-8") as note:
            note.write(stderr_tail)
        path.unlink()
        kept.append(name)
    return kept


def _executions(stats: Stats, stderr_tail: str) -> int:
    """Inputs a child ran: libFuzzer's final count when it printed one (the stats file may be
    a second old), else the stats file's."""
    for line in stderr_tail.splitlines():
        if line.startswith("stat::number_of_executed_units:"):
            return int(line.split(":")[-1])
    return stats.executions


def _fuzz(target: Target, args: argparse.Namespace) -> dict[str, object]:
    engine = _engine(args.engine)
    work = args.work / target.name
    (work / "artifacts").mkdir(parents=True, exist_ok=True)
    (work / "corpus").mkdir(exist_ok=True)
    seeds = work / "seeds"
    shutil.rmtree(seeds, ignore_errors=True)
    seeds.mkdir()
    for number, seed in enumerate(target.seeds()):
        (seeds / f"seed-{number}").write_bytes(seed)
    before = set(_regression_files(target))
    started = time.monotonic()
    deadline = started + args.seconds
    executions = crashes = restarts = quick_deaths = 0
    while time.monotonic() < deadline and (not args.runs or executions < args.runs):
        stats_path = work / "stats.json"
        stats_path.unlink(missing_ok=True)
        child_started = time.monotonic()
        left = max(1.0, deadline - child_started)
        runs = args.runs - executions if args.runs else 0
        with tempfile.TemporaryFile() as stderr:
            process = subprocess.run(
                _child_command(args, target.name, engine, left, runs),
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                timeout=left + 10 * args.timeout_s + 60,
                check=False,
            )
            stderr.seek(0)
            tail = stderr.read().decode("utf-8", "replace")[-4000:]
        stats = Stats(**json.loads(stats_path.read_text())) if stats_path.exists() else Stats()
        executions += _executions(stats, tail)
        crashes += stats.crashes
        if stats.done or process.returncode == 0:
            break
        kept = _keep_artifacts(target, work, process.returncode, tail)
        if not kept:
            print(tail, file=sys.stderr)
        restarts += 1
        quick_deaths = quick_deaths + 1 if time.monotonic() - child_started < _QUICK_DEATH_S else 0
        if quick_deaths >= _QUICK_DEATHS:
            print(
                f"{target.name}: the child died {quick_deaths} times on starting", file=sys.stderr
            )
            break
    new = sorted(path.name for path in set(_regression_files(target)) - before)
    return {
        "target": target.name,
        "engine": engine,
        "seconds": round(time.monotonic() - started, 1),
        "executions": executions,
        "crashing_inputs": crashes,
        "new_crashes": new,
        "restarts": restarts,
    }


def _replay(target: Target, args: argparse.Namespace) -> dict[str, object]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "replay",
        "--target",
        target.name,
        "--timeout-s",
        str(args.timeout_s),
        "--max-memory-bytes",
        str(args.max_memory_bytes),
    ]
    process = subprocess.run(command, capture_output=True, text=True, check=False)
    results: dict[str, str | None] = {}
    running = None
    for line in process.stdout.splitlines():
        message = json.loads(line)
        if "start" in message:
            running = message["start"]
        else:
            results[message["file"]] = message["crash"]
            running = None
    if running is not None:
        # The child ended while running this file: a hang (faulthandler) or a fatal signal.
        results[running] = f"died (exit status {process.returncode})"
    elif process.returncode not in (0, 1):
        results["(replay)"] = f"died (exit status {process.returncode}): {process.stderr[-2000:]}"
    return {"target": target.name, "replayed": results}


def main(argv: list[str] | None = None) -> int:
    """Run the command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", default="all", help=f"all, or one of {', '.join(TARGETS)}")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--runs", type=int, default=0, help="stop after this many inputs")
    parser.add_argument("--engine", choices=["auto", "atheris", "mutate"], default="auto")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout-s", type=float, default=20.0)
    parser.add_argument("--max-memory-bytes", type=int, default=2 * 1024**3)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "shiliao-fuzz")
    parser.add_argument(
        "--instrument",
        choices=["all", "shiliao"],
        default="all",
        help="atheris: instrument every module the target imports, or shiliao's only (starts "
        "in seconds instead of tens of seconds; for brief runs)",
    )
    parser.add_argument("--replay", action="store_true", help="run the kept regressions only")
    parser.add_argument("--child", choices=["atheris", "mutate", "replay"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    names = list(TARGETS) if args.target == "all" else [args.target]
    if any(name not in TARGETS for name in names):
        parser.error(f"unknown target {args.target!r}; known: all, {', '.join(TARGETS)}")
    if args.child:
        target = TARGETS[names[0]]
        _limit(args.max_memory_bytes)
        faulthandler.enable()
        if args.child == "replay":
            return _child_replay(target, args)
        work = args.work / target.name
        child = _child_atheris if args.child == "atheris" else _child_mutate
        child(target, args, work, work / "stats.json")
        return 0
    failed = False
    for name in names:
        if args.replay:
            report = _replay(TARGETS[name], args)
            failed |= any(crash is not None for crash in report["replayed"].values())  # type: ignore[attr-defined]
        else:
            report = _fuzz(TARGETS[name], args)
            failed |= bool(report["new_crashes"])
        print(json.dumps(report, ensure_ascii=False), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
