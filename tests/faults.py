"""What the crash, disk-full and concurrency tests share.

- Two scenarios on a small archive, each a folder ``WORK`` holding the collection ``c/``, the
  archive ``a/``, the site ``s/`` and files to add ``in/``: ``build`` (a second build of a
  collection that changed every way a collection can: a file changed, one gone, a duplicate, a
  glossary term and a privacy decision added) and ``add`` (a text file added).
- ``run_killed``: runs a scenario in a child process that SIGKILLs itself when the fault hook
  is called with a given label for the n-th time; ``Paused`` runs one that stops at given
  calls of the hook until the test lets it go on, holding the writer lock meanwhile. Children
  are forked from a server that has imported shiliao already (multiprocessing's
  ``forkserver``, warmed by ``tests.fault_server``), so each costs a fork, not a Python start
  (the kill tests run a hundred of them); the server itself never opens an archive or a
  tantivy index, so nothing it forks holds a lock or a thread.
- ``snapshot``: an archive's state as the tests compare it: every catalog row, every log entry
  and the checkpoints' sizes, the OCFL tree with its bytes, the site's files, the search index's
  answer and what ``.staging/`` holds; timestamps left out, the work folder's path replaced.
- ``scratch_folder``: where to run them: in memory (``/dev/shm``) where the machine has it.
  A killed process loses nothing the kernel holds, on any file system; the disk's journal and
  fsyncs only slow a hundred builds down (a power cut is another matter, not tested here).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import sqlite3
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from shiliao.archive import open_archive
from shiliao.config import load_settings
from shiliao.operations.add import add_targets
from shiliao.operations.build import build
from shiliao.operations.search import open_view, search

TODAY = datetime.date(2025, 6, 1)
SIDECAR = (
    "each_line:\n  title: '{title}'\n  date: '{date}'\n  text: body\ndefaults:\n  type: report\n"
)
GLOSSARY = "- term: 结亲\n  pinyin: jiéqīn\n  english: [Jieqin]\n"
ADDED = "走访.txt"
# Columns and state keys that differ between two runs that did the same thing.
VOLATILE_COLUMNS = {"first_seen", "time", "applied_at", "updated_at", "created"}
# The site warnings are what the last build said, repeated while the site is current: a report,
# not content (a build killed after its site was swapped in has not saved them yet).
VOLATILE_STATE = {"last_processing_build_seconds", "site_warnings:public", "site_warnings:team"}
# Labels of the fault hook's calls outside the OCFL commit: the archive's own write steps.
ARCHIVE_STEPS = (
    "commit:shiliao.db",
    "commit:index",
    "write:index/",
    "write:log/",
    "fsync:log/",
    "write:.staging/captures/",
    "remove:.staging/captures/",
    "write:public/",
    "rename:public",
    "remove:public",
    "write:site",
    "rename:site",
    "remove:site",
    "write:privacy.key",
)
# Created empty, then used by every run.
_STAGING_KEPT = {"writer.lock", "ocfl.lock", "ocfl", "captures"}


@contextmanager
def scratch_folder(fallback: Path) -> Iterator[Path]:
    """A new folder in ``/dev/shm`` (memory) when it is there and writable, else in
    ``fallback``; removed on leaving."""
    memory = Path("/dev/shm")
    parent = memory if memory.is_dir() and os.access(memory, os.W_OK) else fallback
    folder = Path(tempfile.mkdtemp(dir=parent, prefix="shiliao-faults-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_notices(path: Path, bodies: list[str]) -> None:
    """A JSON-lines file of notices (one per body) with its sidecar."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps({"title": f"通知{i}", "date": f"201{i}", "body": body}, ensure_ascii=False)
        for i, body in enumerate(bodies)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    Path(f"{path}.yaml").write_text(SIDECAR, encoding="utf-8")


def build_work(work: Path) -> None:
    """The first build of ``work``'s collection (made here) and a file to add later."""
    collection = work / "c"
    write_notices(
        collection / "sources" / "notices.jsonl", ["干部开展结亲活动。", "民族团结一家亲。"]
    )
    write_notices(collection / "sources" / "old.jsonl", ["旧的通知。"])
    (collection / "glossary.yaml").write_text(GLOSSARY, encoding="utf-8")
    (work / "in").mkdir()
    (work / "in" / ADDED).write_text("第一次入户走访记录。结亲干部。\n", encoding="utf-8")
    build(collection, work / "a", work / "s", today=TODAY)


def change_collection(work: Path) -> None:
    """Change the collection every way the second build must follow."""
    sources = work / "c" / "sources"
    write_notices(
        sources / "notices.jsonl",
        ["干部开展结亲活动。王芳参加。", "民族团结一家亲。", "第三份通知。"],
    )
    shutil.copy(sources / "notices.jsonl.yaml", sources / "copy.jsonl.yaml")
    (sources / "old.jsonl").unlink()
    (sources / "old.jsonl.yaml").unlink()
    (work / "c" / "privacy.yaml").write_text("- text: 王芳\n  decision: redact\n", "utf-8")
    (work / "c" / "glossary.yaml").write_text(
        GLOSSARY + "- term: 团结\n  pinyin: tuánjié\n  english: [unity]\n", encoding="utf-8"
    )


def run_build(work: Path, fault: Callable[[str], None] | None = None) -> None:
    """The ``build`` scenario: ``shiliao build c --archive a --out s``."""
    build(work / "c", work / "a", work / "s", today=TODAY, fault=fault)


def run_add(work: Path, fault: Callable[[str], None] | None = None) -> None:
    """The ``add`` scenario: ``shiliao add a in/走访.txt``."""
    with open_archive(work / "a", writer="add", fault=fault) as archive:
        add_targets(archive, [str(work / "in" / ADDED)], load_settings())


SCENARIOS: dict[str, Callable[[Path, Callable[[str], None] | None], None]] = {
    "build": run_build,
    "add": run_add,
}


def labels_of(work: Path, scenario: str) -> list[tuple[str, int]]:
    """Run a scenario in ``work`` (in this process) and return every call of the fault hook
    as ``(label, n)``: the label and how many times it had been called with it then."""
    seen: Counter[str] = Counter()
    calls = []

    def record(label: str) -> None:
        seen[label] += 1
        calls.append((label, seen[label]))

    SCENARIOS[scenario](work, record)
    return calls


def _killed_child(scenario: str, work: str, label: str, occurrence: int) -> None:
    seen: Counter[str] = Counter()

    def fault(called: str) -> None:
        seen[called] += 1
        if called == label and seen[called] == occurrence:
            os.kill(os.getpid(), signal.SIGKILL)

    SCENARIOS[scenario](Path(work), fault)


def _paused_child(scenario: str, work: str, stops: list[tuple[str, int]]) -> None:
    pause = Path(work) / ".pause"
    seen: Counter[str] = Counter()

    def fault(called: str) -> None:
        seen[called] += 1
        if (called, seen[called]) in stops:
            pause.write_text(f"{called} #{seen[called]}", encoding="utf-8")
            while pause.exists():
                time.sleep(0.01)

    SCENARIOS[scenario](Path(work), fault)


_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload([__name__, "tests.fault_server"])


def run_killed(
    scenario: str, work: Path, label: str, occurrence: int, timeout_s: float = 60
) -> int:
    """Run a scenario in a child process that is SIGKILLed just before the ``occurrence``-th
    call of the fault hook with ``label``; return the child's exit code (``-SIGKILL`` when it
    got there)."""
    child = _CONTEXT.Process(target=_killed_child, args=(scenario, str(work), label, occurrence))
    child.start()
    child.join(timeout_s)
    if child.is_alive():
        child.kill()
        child.join()
        raise AssertionError(f"{scenario} did not end within {timeout_s} s ({label} #{occurrence})")
    return child.exitcode


class Paused:
    """A scenario running in a child process that stops just before each of ``stops``, calls
    of the fault hook as ``(label, n)`` (the n-th call with that label), until ``resume``; the
    test reads the archive meanwhile.

    Example::

        with Paused("build", work, [("commit:index", 1)]) as run:
            while run.wait() is not None:   # "commit:index #1"; None once it ended
                ...                         # read the archive half-way
                run.resume()
    """

    def __init__(self, scenario: str, work: Path, stops: list[tuple[str, int]]) -> None:
        self._pause = work / ".pause"
        self._child = _CONTEXT.Process(target=_paused_child, args=(scenario, str(work), stops))

    def __enter__(self) -> Paused:
        self._child.start()
        return self

    def wait(self, timeout_s: float = 60) -> str | None:
        """Where the child stopped (``"label #n"``), or None when it ended (exit code 0
        asserted)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._pause.exists():
                label = self._pause.read_text(encoding="utf-8")
                if label:
                    return label
            elif not self._child.is_alive():
                self._child.join()
                assert self._child.exitcode == 0, self._child.exitcode
                return None
            time.sleep(0.01)
        raise AssertionError(f"the child neither paused nor ended within {timeout_s} s")

    def resume(self) -> None:
        """Let the child go on from where it stopped."""
        self._pause.unlink()

    def __exit__(self, *exc: object) -> None:
        if self._child.is_alive():
            self._child.kill()
        self._child.join()


def _normalized(value: Any, work: str) -> Any:
    if isinstance(value, str):
        return value.replace(work, "<work>")
    if isinstance(value, dict):
        return {k: _normalized(v, work) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalized(v, work) for v in value]
    return value


def _catalog(path: Path, work: str) -> dict[str, list]:
    database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            name
            for (name,) in database.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
            if name != "schema_migrations"
        ]
        dump = {}
        for table in tables:
            columns = [row[1] for row in database.execute(f"PRAGMA table_info({table})")]
            kept = [c for c in columns if c not in VOLATILE_COLUMNS]
            rows = database.execute(f"SELECT {', '.join(kept)} FROM {table}").fetchall()
            if table == "state":
                rows = [row for row in rows if row[0] not in VOLATILE_STATE]
            if table == "events":
                rows = [(*row[:-1], json.loads(row[-1])) for row in rows]
            dump[table] = sorted(
                (_normalized(list(row), work) for row in rows), key=lambda r: json.dumps(r)
            )
        return dump
    finally:
        database.close()


def _objects(root: Path, work: str) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_dir():
            tree[relative] = "folder"
        elif path.name == "inventory.json":
            inventory = json.loads(path.read_bytes())
            for version in inventory["versions"].values():
                version.pop("created")
            tree[relative] = _normalized(inventory, work)
        elif path.name == "inventory.json.sha512":
            tree[relative] = "sidecar"  # its digest covers the times left out above
        else:
            tree[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return tree


def snapshot(work: Path) -> dict[str, Any]:
    """The state of ``work``'s archive and site, for comparing two runs (module docstring)."""
    root = work / "a"
    text = str(work)
    entries = [
        json.loads(line)
        for line in (root / "log" / "entries.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    site = work / "s"
    manifest = json.loads((site / ".shiliao-site.json").read_text(encoding="utf-8"))
    with open_view(root) as archive:
        found = search(archive, "结亲", limit=None)
    return {
        "catalog": _catalog(root / "shiliao.db", text),
        "log": [_normalized({k: v for k, v in e.items() if k != "time"}, text) for e in entries],
        "checkpoints": sorted(p.name for p in (root / "log" / "checkpoints").iterdir()),
        "objects": _objects(root / "objects", text),
        "site": {
            "content_version": manifest["content_version"],
            "files": sorted(p.relative_to(site).as_posix() for p in site.rglob("*")),
        },
        "search": (found.total, sorted(h.source.id for h in found.hits)),
        "staging": sorted(
            p.relative_to(root / ".staging").as_posix()
            for p in (root / ".staging").rglob("*")
            if p.name not in _STAGING_KEPT
        ),
        "leftovers": sorted(p.name for p in work.iterdir() if p.name.startswith(".")),
    }
