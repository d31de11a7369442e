"""The log file: canonical lines, sequential indices across processes, torn last lines."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from datetime import UTC, datetime, timedelta, timezone
from multiprocessing.synchronize import Event
from pathlib import Path

import pytest

from shiliao.errors import LogCorrupt, LogError
from shiliao.log import (
    Log,
    load_or_create_key,
    open_archive_log,
    repair_torn_tail,
    verify_log,
    write_checkpoint,
)
from shiliao.log.merkle import root_hash


def fixed_clock() -> datetime:
    return datetime(2025, 6, 1, 8, 30, tzinfo=UTC)


def test_append_writes_canonical_lines_with_sequential_indices(tmp_path: Path) -> None:
    log = Log.open(tmp_path / "log", create=True, clock=fixed_clock)
    data = {"source_id": "2019-notice", "sha256": "ab" * 32, "path": "sources/通知.html"}
    first = log.append("file_captured", data)
    second = log.append("metadata_edited", {"source_id": "2019-notice", "fields": ["title"]})
    assert (first.index, second.index, log.size) == (0, 1, 2)
    lines = (tmp_path / "log" / "entries.jsonl").read_bytes().split(b"\n")
    assert lines[2] == b""
    assert (
        lines[0]
        == (
            '{"data":{"path":"sources/通知.html","sha256":"' + "ab" * 32 + '","source_id":'
            '"2019-notice"},"index":0,"kind":"file_captured","time":"2025-06-01T08:30:00.000000Z"}'
        ).encode()
    )
    assert lines[0] == json.dumps(
        json.loads(lines[0]), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
    assert first.line == lines[0]
    assert first.leaf_hash == hashlib.sha256(b"\x00" + lines[0]).digest()
    assert log.root_hash() == root_hash([first.leaf_hash, second.leaf_hash])
    assert [e.data for e in log.entries()] == [data, second.data]
    assert log.entry(1) == second

    reopened = Log.open(tmp_path / "log")
    assert reopened.size == 2 and reopened.root_hash() == log.root_hash()


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("file_captured", {"size": 1.5}),
        ("file_captured", {"ratio": float("nan")}),
        ("file_captured", {1: "non-string key"}),
        ("file_captured", {"text": "lone \ud800 surrogate"}),
        ("file_captured", ["not", "an", "object"]),
        ("File Captured", {}),
        ("", {}),
    ],
)
def test_bad_entries_are_refused_and_nothing_is_written(
    tmp_path: Path, kind: str, data: object
) -> None:
    log = Log.open(tmp_path / "log", create=True)
    with pytest.raises(LogError):
        log.append(kind, data)  # type: ignore[arg-type]
    assert log.size == 0 and (tmp_path / "log" / "entries.jsonl").read_bytes() == b""


def test_non_canonical_or_misplaced_lines_are_named_on_open(tmp_path: Path) -> None:
    log = Log.open(tmp_path / "log", create=True)
    for i in range(3):
        log.append("file_captured", {"n": i})
    path = tmp_path / "log" / "entries.jsonl"
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join([lines[0], lines[1].replace(b":", b": ", 1), lines[2], b""]))
    with pytest.raises(LogCorrupt, match=r"line 2: .*canonical") as raised:
        Log.open(tmp_path / "log")
    assert raised.value.line == 2
    path.write_bytes(b"\n".join([lines[0], lines[2], b""]))
    with pytest.raises(LogCorrupt, match="line 2: holds index 2 where index 1 belongs"):
        Log.open(tmp_path / "log")


def test_missing_log_is_an_error_not_created(tmp_path: Path) -> None:
    with pytest.raises(LogError, match="no log"):
        Log.open(tmp_path / "nowhere")
    assert not (tmp_path / "nowhere").exists()


def test_a_stale_log_object_appends_after_other_writers(tmp_path: Path) -> None:
    first = Log.open(tmp_path / "log", create=True)
    second = Log.open(tmp_path / "log")
    first.append("file_captured", {"n": 0})
    first.append("file_captured", {"n": 1})
    assert second.size == 0
    assert second.append("file_captured", {"n": 2}).index == 2
    assert first.refresh() == 3
    assert first.root_hash() == second.root_hash()


def test_entries_edited_on_disk_after_open_are_caught(tmp_path: Path) -> None:
    log = Log.open(tmp_path / "log", create=True)
    log.append("file_captured", {"sha256": "00" * 32})
    path = tmp_path / "log" / "entries.jsonl"
    path.write_bytes(path.read_bytes().replace(b"00" * 32, b"11" * 32))
    with pytest.raises(LogCorrupt, match="changed on disk"):
        log.entry(0)


def test_times_are_utc_and_need_a_timezone(tmp_path: Path) -> None:
    beijing = datetime(2025, 6, 2, 0, 30, tzinfo=timezone(timedelta(hours=8)))
    log = Log.open(tmp_path / "log", create=True, clock=lambda: beijing)
    assert log.append("file_captured", {}).time == "2025-06-01T16:30:00.000000Z"
    naive = Log.open(tmp_path / "log", clock=lambda: datetime(2025, 6, 1))
    with pytest.raises(LogError, match="timezone"):
        naive.append("file_captured", {})


def _append_many(log_dir: str, worker: int, count: int, start: Event) -> None:
    start.wait()  # all workers append at once
    log = Log.open(Path(log_dir))
    for n in range(count):
        log.append("file_captured", {"worker": worker, "n": n})


def test_concurrent_appends_from_processes_get_sequential_indices(tmp_path: Path) -> None:
    log = open_archive_log(tmp_path)
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [
        context.Process(target=_append_many, args=(str(log.path), w, 50, start)) for w in range(4)
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    log.refresh()
    entries = list(log.entries())
    assert [e.index for e in entries] == list(range(200))
    for w in range(4):
        assert [e.data["n"] for e in entries if e.data["worker"] == w] == list(range(50))
    key = load_or_create_key(log.path)
    write_checkpoint(log, key)
    assert verify_log(log.path, key.verifier()) == []


def test_a_torn_last_line_is_refused_kept_and_repaired(tmp_path: Path) -> None:
    log = open_archive_log(tmp_path)
    for i in range(5):
        log.append("file_captured", {"n": i})
    key = load_or_create_key(log.path)
    write_checkpoint(log, key)
    path = log.path / "entries.jsonl"
    whole = path.read_bytes()
    # A crash in the middle of the sixth append: half of its line, no newline.
    torn = log.entry(4).line.replace(b'"index":4', b'"index":5')[:40]
    path.write_bytes(whole + torn)

    with pytest.raises(LogCorrupt, match="line 6: the last line is incomplete") as raised:
        Log.open(log.path)
    assert f"byte offset {len(whole)}" in str(raised.value)
    assert "shiliao repair-log" in str(raised.value)
    with pytest.raises(LogCorrupt, match="incomplete"):
        log.append("file_captured", {"n": 5})
    problems = verify_log(log.path, key.verifier())
    assert [(p.path, p.index) for p in problems] == [("entries.jsonl", 5)]
    assert path.read_bytes() == whole + torn  # reading and checking changed nothing

    kept = repair_torn_tail(log.path)
    assert kept == log.path / "torn" / f"{len(whole)}.bin"
    assert kept.read_bytes() == torn
    assert path.read_bytes() == whole
    assert repair_torn_tail(log.path) is None
    reopened = Log.open(log.path)
    assert reopened.append("file_captured", {"n": 5}).index == 5
    write_checkpoint(reopened, key)
    assert verify_log(log.path, key.verifier()) == []


def test_a_cut_that_removed_whole_entries_is_still_caught_after_repair(tmp_path: Path) -> None:
    log = open_archive_log(tmp_path)
    for i in range(6):
        log.append("file_captured", {"n": i})
    key = load_or_create_key(log.path)
    write_checkpoint(log, key)
    path = log.path / "entries.jsonl"
    start_of_4 = sum(len(entry.line) + 1 for entry in log.entries(0, 4))
    path.write_bytes(path.read_bytes()[: start_of_4 + 10])  # entry 4 half gone, 5 gone
    repair_torn_tail(log.path)
    problems = verify_log(log.path, key.verifier())
    assert ("checkpoints/6.txt", 4) in [(p.path, p.index) for p in problems]
