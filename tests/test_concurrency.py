"""One writer at a time, readers never blocked and never shown a half-made change (issue 15).

Every writer (``build``, ``add``, ``rebuild``, ``checkpoint``, ``repair-log``, ``privacy decide
--archive``) takes the archive's writer lock (``store.lock``) and a second one is refused at
once, with who holds it and since when; a lock left by a killed writer is taken over and
reported. Readers (``verify``, ``search``, ``show``) run while a writer is half-way through, in
other processes, and see whole steps only. The catalog, under many readers and a writer
committing, never says "database is locked" and never shows a transaction in part.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from shiliao.archive import open_archive
from shiliao.cli import main
from shiliao.errors import ArchiveBusy, StoreError
from shiliao.store import Catalog
from shiliao.store.lock import WriterLock, writer_lock
from tests.faults import (
    ADDED,
    Paused,
    build_work,
    change_collection,
    labels_of,
    scratch_folder,
)

# Holds the writer lock of an archive for a command until its standard input closes.
HOLDER = """
import sys
from pathlib import Path
from shiliao.store.lock import WriterLock
with WriterLock(Path(sys.argv[1]), sys.argv[2]):
    print("held", flush=True)
    sys.stdin.read()
"""
CLI = "import sys; from shiliao.cli import main; sys.argv[0] = 'shiliao'; main()"
BUSY = re.compile(
    r"another shiliao \((?P<command>[\w ]+), pid (?P<pid>\d+) on [^)]+\) has been writing to "
    r"this archive since \d{4}-\d\d-\d\d \d\d:\d\d UTC; wait for it to finish, then run this "
    r"again"
)


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A built archive with its collection (``tests.faults.build_work``), not to be written."""
    with scratch_folder(tmp_path_factory.mktemp("concurrency")) as folder:
        build_work(folder / "first")
        yield folder / "first"


@pytest.fixture
def work(first: Path, tmp_path: Path) -> Path:
    """A copy of ``first`` to write to."""
    shutil.copytree(first, tmp_path / "work")
    return tmp_path / "work"


class _Holder:
    """A process that holds the writer lock until ``release`` (or SIGKILL)."""

    def __init__(self, root: Path, command: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(root), command],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout.readline() == "held\n"

    def release(self) -> None:
        self.process.stdin.close()
        assert self.process.wait(timeout=30) == 0


def test_every_writer_is_refused_while_another_writes(work: Path) -> None:
    holder = _Holder(work / "a", "build")
    try:
        archive, collection = str(work / "a"), str(work / "c")
        refused = [
            ("add", archive, str(work / "in" / ADDED)),
            ("build", collection, "--archive", archive, "--out", str(work / "s")),
            ("checkpoint", archive),
            ("repair-log", archive),
            ("rebuild", archive),
            ("privacy", "decide", collection, "redact", "--text", "王芳", "--archive", archive),
            # A reader that would make the public projection anew: it may be about to change.
            ("search", archive, "结亲", "--public"),
        ]
        for args in refused:
            code, output = _run(*args)
            assert code == 1, (args, output)
            found = BUSY.search(" ".join(output.split()))
            assert found, (args, output)
            assert found["command"] == "build" and int(found["pid"]) == holder.process.pid
        # Readers go on.
        code, output = _run("search", archive, "结亲", "--json")
        assert code == 0 and json.loads(output)["total"] == 1, output
        assert _run("verify", archive)[0] == 0
        assert _run("show", archive, json.loads(output)["hits"][0]["source_id"])[0] == 0
    finally:
        holder.release()
    code, output = _run("add", str(work / "a"), str(work / "in" / ADDED), "--json")
    assert code == 0 and json.loads(output)["added"], output


def test_a_lock_left_by_a_killed_writer_is_taken_over_and_named(work: Path) -> None:
    holder = _Holder(work / "a", "add")
    holder.process.send_signal(signal.SIGKILL)
    holder.process.wait(timeout=30)
    assert WriterLock.holder(work / "a") is None
    with open_archive(work / "a", writer="build") as archive:
        assert archive.interrupted is not None
        assert (archive.interrupted.pid, archive.interrupted.command) == (holder.process.pid, "add")
    # Released cleanly: nothing to report next time.
    with open_archive(work / "a", writer="build") as archive:
        assert archive.interrupted is None


def test_waiting_for_the_lock_and_reentry(work: Path) -> None:
    root = work / "a"
    holder = _Holder(root, "backup")
    started = time.monotonic()
    with pytest.raises(ArchiveBusy, match="backup"):
        WriterLock(root, "add", wait_s=0.3).acquire()
    assert time.monotonic() - started >= 0.3
    threading.Timer(0.3, holder.release).start()
    with WriterLock(root, "add", wait_s=30) as lock:
        assert WriterLock.holder(root) is None or WriterLock.holder(root).pid == os.getpid()
        # The same thread takes it again (rebuild opens the archive twice); another cannot.
        with writer_lock(root, "rebuild"):
            assert lock.held
        failed: list[BaseException] = []
        other = threading.Thread(target=lambda: _try(root, failed))
        other.start()
        other.join()
        assert failed and isinstance(failed[0], ArchiveBusy)
        assert lock.held
    assert not lock.held and WriterLock.holder(root) is None


def _try(root: Path, failed: list[BaseException]) -> None:
    try:
        WriterLock(root, "add").acquire()
    except ArchiveBusy as exc:
        failed.append(exc)


def _waits_for_a_lock(process: subprocess.Popen[str], timeout_s: float = 30) -> bool:
    """Whether ``process`` comes to wait for an flock (Linux's ``/proc/locks`` lists such a
    request as ``-> FLOCK ... <pid>``); elsewhere, whether it still runs after 5 s."""
    locks = Path("/proc/locks")
    if not locks.is_file():
        time.sleep(5)
        return process.poll() is None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        for line in locks.read_text().splitlines():
            fields = line.split()
            if fields[1:3] == ["->", "FLOCK"] and fields[5] == str(process.pid):
                return True
        time.sleep(0.05)
    return False


def _cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CLI, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.slow
def test_two_adds_at_once_one_writes_the_other_is_refused_or_waits_its_turn(work: Path) -> None:
    archive = str(work / "a")
    second = work / "in" / "第二.txt"
    second.write_text("第二次入户走访。\n", encoding="utf-8")
    runs = [
        _cli("add", archive, str(work / "in" / ADDED), "--json"),
        _cli("add", archive, str(second), "--json"),
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    codes = [run.returncode for run in runs]
    # Both at once: whichever came second found the first at work (or it had finished).
    for code, output, target in zip(codes, outputs, (ADDED, second.name), strict=True):
        if code != 0:
            assert BUSY.search(" ".join(output.split())), output
            assert _run("add", archive, str(work / "in" / target))[0] == 0
    code, output = _run("search", archive, "入户走访", "--json")
    assert code == 0 and json.loads(output)["total"] == 2, output
    assert _run("verify", archive)[0] == 0
    indices = [
        json.loads(line)["index"]
        for line in (work / "a" / "log" / "entries.jsonl").read_text().splitlines()
    ]
    assert indices == list(range(len(indices)))


@pytest.mark.slow
def test_readers_during_a_build_see_whole_steps_and_a_second_writer_is_refused(
    work: Path, tmp_path: Path
) -> None:
    archive = str(work / "a")
    # A word the build brings: none of it before, one passage after.
    assert json.loads(_run("search", archive, "第三份", "--json")[1])["total"] == 0
    change_collection(work)
    rehearsal = tmp_path / "rehearsal"
    shutil.copytree(work, rehearsal)
    calls = labels_of(rehearsal, "build")
    # Write steps of each kind, taken while no file lock is held (within an append, or a
    # checkpoint's signing, readers wait the milliseconds it takes for whole lines): a
    # transaction, a version half-renamed into its object, a log entry not yet copied into
    # the database, the index's commit, the public projection's and the site's swaps.
    after_append = calls[calls.index(("fsync:log/entries.jsonl", 1)) + 1]
    assert after_append[0] == "commit:shiliao.db"
    stops = [
        ("commit:shiliao.db", 1),
        ("rename:v2", 1),
        ("rename:inventory.json", 1),
        after_append,
        ("commit:index", 1),
        ("rename:public", 1),
        ("write:site pages", 1),
        ("rename:site", 1),
        ("remove:site (old)", 1),
    ]
    assert all(stop in calls for stop in stops)
    seen = []
    with Paused("build", work, stops) as run:
        while (label := run.wait()) is not None:
            seen.append(label)
            if label == "rename:inventory.json #1":
                # v2 is in its object and its inventory not yet: to a reader, an uncommitted
                # version folder. Verify sees a writer at work, waits for it to finish, and
                # checks again.
                verify = _cli("verify", archive)
                assert _waits_for_a_lock(verify), verify.communicate()
                run.resume()
                continue
            code, output = _run("verify", archive, "--json")
            check = json.loads(output)
            assert code == 0 and check["ok"], (label, output)
            assert all("logged when next opened" in note for note in check["pending"]), label
            code, output = _run("search", archive, "第三份", "--json")
            assert code == 0, (label, output)
            found = json.loads(output)
            assert found["total"] in (0, 1) and len(found["hits"]) <= found["total"], label
            assert all("第三份" in hit["text"] for hit in found["hits"]), label
            # The site is the old one or the new one, whole: its manifest is always there.
            assert (work / "s" / ".shiliao-site.json").is_file(), label
            code, output = _run("add", archive, str(work / "in" / ADDED))
            assert code == 1 and BUSY.search(" ".join(output.split())), (label, output)
            run.resume()
    assert seen == [f"{label} #{n}" for label, n in calls if (label, n) in stops]
    output = verify.communicate(timeout=60)[0]
    assert verify.returncode == 0 and output.startswith("verified:"), output
    assert _run("verify", archive)[0] == 0
    assert json.loads(_run("search", archive, "第三份", "--json")[1])["total"] == 1


@pytest.mark.slow
def test_the_catalog_under_many_readers_and_a_committing_writer(tmp_path: Path) -> None:
    path = tmp_path / "shiliao.db"
    Catalog(path).close()
    commits, readers = 300, 8
    with sqlite3.connect(path) as probe:
        assert probe.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\nfrom shiliao.store import Catalog\n"
            "with Catalog(sys.argv[1]) as catalog:\n"
            f"    for i in range({commits}):\n"
            "        with catalog.transaction():\n"
            "            catalog.set_state(f'load-a:{i}', i)\n"
            "            catalog.set_state(f'load-b:{i}', i)\n",
            str(path),
        ]
    )
    errors: list[BaseException] = []
    reads = [0] * readers
    deadline = time.monotonic() + 60

    def read(slot: int) -> None:
        try:
            # The catalog as shiliao reads it, and a plain connection for a check in one
            # statement (one snapshot): both halves of a transaction, or neither.
            raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
            with Catalog(path) as catalog, contextlib.closing(raw):
                last = 0
                while time.monotonic() < deadline:
                    a, b = raw.execute(
                        "SELECT (SELECT count(*) FROM state WHERE key LIKE 'load-a:%'), "
                        "(SELECT count(*) FROM state WHERE key LIKE 'load-b:%')"
                    ).fetchone()
                    assert a == b and a >= last, (a, b, last)
                    last = a
                    assert catalog.get_state("load-a:0") in (None, 0)
                    catalog.sources()
                    reads[slot] += 1
                    if a == commits:
                        return
        except BaseException as exc:  # handed to the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=read, args=(n,)) for n in range(readers)]
    for thread in threads:
        thread.start()
    assert writer.wait(timeout=60) == 0
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors[:3]
    assert all(count > 0 for count in reads)
    # A second writer waits for the first (busy timeout) instead of failing at once.
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    threading.Timer(0.5, lambda: holder.execute("COMMIT")).start()
    started = time.monotonic()
    with Catalog(path) as catalog, catalog.transaction():
        catalog.set_state("after-wait", True)
    assert time.monotonic() - started >= 0.4
    holder.close()


def test_a_reader_of_a_missing_archive_makes_nothing(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="not a shiliao archive"):
        open_archive(tmp_path / "nothing", writer="add")
    assert not (tmp_path / "nothing").exists()
