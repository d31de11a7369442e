"""A long-lived worker process: reused between files, replaced after any failure."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from shiliao.errors import ExtractError, ExtractionLimit
from shiliao.extract import Extractor
from shiliao.extract.runner import ExtractionWorker

from . import helper_extractors

Register = Callable[[str, Extractor], None]


@pytest.fixture
def pid_file(tmp_path: Path, registered: Register) -> Path:
    registered("application/x-pid", helper_extractors.extract_pid)
    registered("application/x-crash", helper_extractors.extract_by_crashing)
    registered("application/x-hang", helper_extractors.extract_slowly)
    path = tmp_path / "any.bin"
    path.write_bytes(b"x")
    return path


def pid(worker: ExtractionWorker, path: Path) -> str:
    return worker.extract(path, "application/x-pid").pages[0].text


def test_a_worker_serves_files_until_max_files(pid_file: Path) -> None:
    with ExtractionWorker(max_files=3) as worker:
        pids = [pid(worker, pid_file) for _ in range(5)]
    assert pids[0] == pids[1] == pids[2] != pids[3] == pids[4]


def test_a_large_parent_does_not_make_its_workers_look_large(pid_file: Path) -> None:
    # A build holding much memory starts the workers: the kernel's ru_maxrss of a child keeps
    # its parent's peak across exec, and a worker that took it for its own was replaced after
    # every file (seen in full test runs, where the test process had grown past 1 GiB).
    held = bytearray(512 * 1024**2)
    for page in range(0, len(held), 4096):
        held[page] = 1
    with ExtractionWorker(max_files=3, max_memory_bytes=900 * 1024**2) as worker:
        pids = [pid(worker, pid_file) for _ in range(3)]
    del held
    assert pids[0] == pids[1] == pids[2]


def test_a_crash_or_a_timeout_replaces_the_worker(pid_file: Path) -> None:
    with ExtractionWorker(timeout_s=3) as worker:
        first = pid(worker, pid_file)
        with pytest.raises(ExtractError, match="SIGSEGV"):
            worker.extract(pid_file, "application/x-crash")
        second = pid(worker, pid_file)
        with pytest.raises(ExtractionLimit, match="timed out"):
            worker.extract(pid_file, "application/x-hang")
        third = pid(worker, pid_file)
    assert len({first, second, third}) == 3


def test_an_error_reply_replaces_the_worker(pid_file: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 broken")
    with ExtractionWorker() as worker:
        first = pid(worker, pid_file)
        with pytest.raises(ExtractError, match="not a readable PDF"):
            worker.extract(broken)
        assert pid(worker, pid_file) != first


def test_close_ends_the_process(pid_file: Path) -> None:
    worker = ExtractionWorker()
    number = int(pid(worker, pid_file))
    worker.close()
    assert (
        not Path(f"/proc/{number}").exists()
        or "zombie" in Path(f"/proc/{number}/status").read_text().lower()
    )
