"""The app's one writer: a thread that applies the collection folder to the archive and
publishes the site, one job at a time, while requests go on reading.

The archive has one writer at a time (its writer lock); requests only write the collection
folder (a file rewritten atomically under the folder's edit lock) and then ask this thread to
apply it (``operations.apply.apply_collection``). Requests to apply that arrive while one is
waiting are the same job: ten saves in a second make one ingest, which reads every change.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shiliao.errors import FileChanged, ShiliaoError
from shiliao.operations.accounts import Accounts
from shiliao.operations.apply import ApplyReport, apply_collection

__all__ = ["Job", "Worker", "site_manifest"]

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
        accounts: the app's accounts (its audit rows are logged by each job).
        publish: builds the site, called as ``publish(progress) -> dict`` (the app passes
            ``operations.build.build`` bound to its folders); returns what to show.
        workers: files extracted at once.
    """

    def __init__(
        self,
        collection: Path,
        archive: Path,
        site: Path,
        accounts: Accounts,
        publish: Callable[[Callable[[str, int, int], None]], dict[str, Any]],
        workers: int = 1,
    ) -> None:
        self.collection = collection
        self.archive = archive
        self.site = site
        self.accounts = accounts
        self._publish = publish
        self.workers = workers
        self._jobs: dict[int, Job] = {}
        self._queue: deque[Job] = deque()
        self._lock = threading.Condition()
        self._stopping = False
        self._next = 1
        self._thread = threading.Thread(target=self._run, name="shiliao-writer", daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the running job (queued ones are dropped: the folder still holds their
        changes, and the next start applies them) and stop."""
        with self._lock:
            self._stopping = True
            self._queue.clear()
            self._lock.notify_all()
        self._thread.join(timeout)

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

    def _progress(self, job: Job) -> Callable[[str, int, int], None]:
        def progress(stage: str, done: int, total: int) -> None:
            job.stage, job.done, job.total = stage, done, total

        return progress

    def _apply(self, job: Job) -> ApplyReport:
        """Apply the folder; a file saved again while it was being stored is read again
        (up to ``_RETRIES`` times): editors saving while the worker reads is the app's
        ordinary state, not a failure."""
        attempt = 0
        while True:
            try:
                return apply_collection(
                    self.collection,
                    self.archive,
                    accounts=self.accounts,
                    workers=self.workers,
                    progress=self._progress(job),
                )
            except FileChanged:
                attempt += 1
                if attempt > _RETRIES:
                    raise
                time.sleep(0.2 * attempt)

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
                applied = self._apply(job)
                job.result = {
                    "processed": applied.processed,
                    "removed": applied.removed,
                    "failed": applied.failed,
                    "warnings": applied.warnings,
                }
                if job.kind == "publish":
                    job.result["site"] = self._publish(self._progress(job))
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
