"""The app's one writer: a thread that applies the collection folder to the archive and
publishes the site, one job at a time, while requests go on reading.

The archive has one writer at a time (its writer lock); requests only write the collection
folder (a file rewritten atomically under the folder's edit lock) and then ask this thread to
apply it (``operations.apply.apply_collection``). Requests to apply that arrive while one is
waiting are the same job: ten saves in a second make one ingest, which reads every change.

The work itself runs in a child process (one, kept between jobs): an ingest is Python from end
to end, and in the server's own process it held the interpreter lock from every request while
editors saved (page p95 600 ms under 20 editors, where reading alone gave 80 ms). Its progress
comes back through a queue.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty
from typing import Any

from shiliao.errors import FileChanged, ShiliaoError
from shiliao.operations.accounts import Accounts
from shiliao.operations.apply import apply_collection

__all__ = ["Job", "Worker", "run_job", "site_manifest"]

# How often an application is begun again when a file changed under it.
_RETRIES = 5


@dataclass
class Job:
    """One piece of work for the archive.

    Attributes:
        id: its number, from 1.
        kind: ``"apply"`` (ingest the folder) or ``"publish"`` (ingest, then build the site).
        by: the account that asked for it.
        state: ``"queued"``, ``"running"``, ``"done"`` or ``"failed"``.
        stage, done, total: progress while running (``operations.processing.Progress``).
        result: what it did (JSON values), when done.
        error: why it failed, when failed.
        queued, started, finished: Unix times.
    """

    id: int
    kind: str
    by: str
    state: str = "queued"
    stage: str = ""
    done: int = 0
    total: int = 0
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    queued: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The job as the API and the progress page give it."""
        return {
            "id": self.id,
            "kind": self.kind,
            "by": self.by,
            "state": self.state,
            "progress": {"stage": self.stage, "done": self.done, "total": self.total},
            "result": self.result,
            "error": self.error,
        }


def _child_progress(queue: Any) -> Callable[[str, int, int], None]:
    def progress(stage: str, done: int, total: int) -> None:
        queue.put((stage, done, total))

    return progress


def run_job(
    kind: str, collection: Path, archive: Path, site: Path, workers: int, queue: Any
) -> dict[str, Any]:
    """One job, in the child process: apply the folder (logging the app's audit rows) and,
    for a ``publish``, build the site; a file saved again while it was being stored is read
    again (up to ``_RETRIES`` times: editors saving while the worker reads is the app's
    ordinary state, not a failure).

    Returns:
        ``{"processed", "removed", "failed", "warnings"}`` and, for a publish, ``"site"``:
        ``{"written", "pages", "added", "removed", "changed", "warnings", "privacy"}``.

    Raises:
        ShiliaoError: as ``apply_collection`` and ``operations.build.build``.
    """
    progress = _child_progress(queue)
    attempt = 0
    with Accounts(archive) as accounts:
        while True:
            try:
                applied = apply_collection(
                    collection, archive, accounts=accounts, workers=workers, progress=progress
                )
                break
            except FileChanged:
                attempt += 1
                if attempt > _RETRIES:
                    raise
                time.sleep(0.2 * attempt)
    result: dict[str, Any] = {
        "processed": applied.processed,
        "removed": applied.removed,
        "failed": applied.failed,
        "warnings": applied.warnings,
    }
    if kind == "publish":
        from shiliao.operations.build import build

        before = site_manifest(site)
        report = build(collection, archive, site, progress=progress)
        after = site_manifest(site)
        result["site"] = {
            "written": report.site.get("written"),
            "pages": report.site.get("pages"),
            "added": sorted(set(after) - set(before)),
            "removed": sorted(set(before) - set(after)),
            "changed": sorted(p for p in set(before) & set(after) if before[p] != after[p]),
            "warnings": report.warnings,
            "privacy": report.privacy,
        }
    return result


def site_manifest(site: Path) -> dict[str, str]:
    """``relative path -> sha256`` of every file of a site folder (empty when missing), to
    say what a publication changed."""
    manifest: dict[str, str] = {}
    if not site.is_dir():
        return manifest
    for path in sorted(site.rglob("*")):
        if path.is_file():
            manifest[path.relative_to(site).as_posix()] = hashlib.sha256(
                path.read_bytes()
            ).hexdigest()
    return manifest


class Worker:
    """The writer thread (see the module's docstring).

    Args:
        collection: the collection folder.
        archive: the archive folder.
        site: the public site's folder.
        workers: files extracted at once.
    """

    def __init__(self, collection: Path, archive: Path, site: Path, workers: int = 1) -> None:
        self.collection = collection
        self.archive = archive
        self.site = site
        self.workers = workers
        self._jobs: dict[int, Job] = {}
        self._queue: deque[Job] = deque()
        self._lock = threading.Condition()
        self._stopping = False
        self._next = 1
        self._thread = threading.Thread(target=self._run, name="shiliao-writer", daemon=True)
        self._pool: ProcessPoolExecutor | None = None
        self._manager: Any = None

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the running job (queued ones are dropped: the folder still holds their
        changes, and the next start applies them), stop, and end the child process."""
        with self._lock:
            self._stopping = True
            self._queue.clear()
            self._lock.notify_all()
        self._thread.join(timeout)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self._manager is not None:
            self._manager.shutdown()

    def submit(self, kind: str, by: str) -> Job:
        """Ask for an ``apply`` or a ``publish``; an ``apply`` while one is queued is that
        one (it will read every change), and so is any job while a ``publish`` is queued."""
        with self._lock:
            for queued in self._queue:
                if queued.kind == kind or queued.kind == "publish":
                    return queued
            job = Job(self._next, kind, by)
            self._next += 1
            self._jobs[job.id] = job
            self._queue.append(job)
            self._lock.notify_all()
            return job

    def job(self, job_id: int) -> Job | None:
        """A job by its number (the last 200 are kept)."""
        with self._lock:
            return self._jobs.get(job_id)

    def jobs(self) -> list[Job]:
        """The jobs kept, newest first."""
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: -j.id)

    def busy(self) -> bool:
        """Whether a job is queued or running (the archive may lag the folder)."""
        with self._lock:
            return bool(self._queue) or any(j.state == "running" for j in self._jobs.values())

    def wait(self, job: Job, timeout: float) -> bool:
        """Wait until ``job`` is done or failed; returns whether it finished in time."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while job.state in ("queued", "running"):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(left)
        return True

    def _in_child(self, job: Job) -> dict[str, Any]:
        """Run ``run_job`` in the child process (started on first use, again after a crash),
        copying its progress into ``job`` as it comes."""
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._manager = context.Manager()
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
        queue = self._manager.Queue()
        future = self._pool.submit(
            run_job, job.kind, self.collection, self.archive, self.site, self.workers, queue
        )
        while True:
            try:
                job.stage, job.done, job.total = queue.get(timeout=0.2)
            except Empty:
                if future.done():
                    break
        try:
            return future.result()
        except BrokenProcessPool as exc:
            self._pool = None
            raise ShiliaoError(f"the worker process ended unexpectedly ({exc})") from exc

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._queue and not self._stopping:
                    self._lock.wait()
                if self._stopping:
                    return
                job = self._queue.popleft()
                job.state, job.started = "running", time.time()
            try:
                job.result = self._in_child(job)
                state, error = "done", None
            except ShiliaoError as exc:
                state, error = "failed", str(exc)
            except Exception as exc:  # kept for the job page; the thread must go on
                state, error = "failed", f"unexpected error: {type(exc).__name__}: {exc}"
            with self._lock:
                job.state, job.error, job.finished = state, error, time.time()
                for old in sorted(self._jobs)[:-200]:
                    del self._jobs[old]
                self._lock.notify_all()
