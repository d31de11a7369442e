"""The fuzzing harness itself (fuzz/run.py, fuzz/targets.py): a crash is kept once per
signature with its traceback, the extractor's typed errors are no crash, and the mutation
engine gives the same inputs for the same seed."""

from __future__ import annotations

import json
import random
from pathlib import Path

from fuzz.run import Recorder, _mutate
from fuzz.targets import TARGETS, crash_signature

from shiliao.errors import ExtractError


def _parse(data: bytes) -> None:
    if data.startswith(b"typed"):
        raise ExtractError("a.bin: refused")
    if data.startswith(b"key"):
        raise KeyError(data)
    if data.startswith(b"index"):
        [][0]


def test_a_crash_is_kept_once_per_signature(tmp_path: Path) -> None:
    folder, stats = tmp_path / "regressions", tmp_path / "stats.json"
    recorder = Recorder(folder, stats)

    def run(data: bytes) -> None:
        try:
            _parse(data)
        except ExtractError:
            return

    for data in (b"typed", b"key 1", b"key 2", b"index", b"fine"):
        recorder.execute(run, data)
    recorder.save()
    kept = sorted(path.name for path in folder.iterdir())
    assert len(kept) == 4  # two signatures, each an input and its .txt
    notes = [path.read_text() for path in folder.glob("*.txt")]
    assert {note.splitlines()[0] for note in notes} == {
        "signature: KeyError at test_fuzz_harness.py:_parse",
        "signature: IndexError at test_fuzz_harness.py:_parse",
    }
    assert all("Traceback" in note for note in notes)
    assert json.loads(stats.read_text()) == {"executions": 5, "crashes": 3, "done": False}
    # A later run knows what is kept and keeps nothing again.
    again = Recorder(folder, tmp_path / "stats2.json")
    again.execute(run, b"key 3")
    assert sorted(path.name for path in folder.iterdir()) == kept


def test_the_signature_names_the_parser_and_our_caller() -> None:
    try:
        json.loads("{")
    except ValueError as exc:
        assert crash_signature(exc).startswith("JSONDecodeError at decoder.py:")


def test_the_mutation_engine_is_the_same_for_a_seed() -> None:
    seeds = TARGETS["html"].seeds()

    def inputs(seed: int) -> list[bytes]:
        rng = random.Random(seed)
        return [_mutate(rng.choice(seeds), rng, seeds, 4096) for _ in range(50)]

    assert inputs(3) == inputs(3)
    assert inputs(3) != inputs(4)
    assert all(len(data) <= 4096 for data in inputs(5))


def test_every_target_reads_its_seeds() -> None:
    for target in TARGETS.values():
        seeds = target.seeds()
        assert seeds and all(len(seed) <= target.max_len for seed in seeds)
