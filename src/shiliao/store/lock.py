"""The archive's writer lock: one shiliao writes to an archive at a time.

Every command that changes an archive (``build``, ``add``, ``rebuild``, ``checkpoint``,
``repair-log``, ``privacy decide --archive``, ``backup``) holds an exclusive ``fcntl.flock`` on
``ARCHIVE/.staging/writer.lock`` from start to end, and writes into the file who holds it::

    {"pid": 4711, "command": "add", "since": "2025-06-01T10:42:05Z", "host": "lab-3"}

**A second writer is refused at once**, with an ``ArchiveBusy`` that names the holder ("another
shiliao (add, pid 4711 on lab-3) has been writing to this archive since 2025-06-01 10:42 UTC;
wait for it to finish, then run this again"), rather than left waiting behind a build that may
take hours with nothing on the screen. ``backup`` is the one caller that waits
(``wait_s=None``): it is meant to run unattended, and it must see the archive standing still.

**Readers do not take the lock.** ``search``, ``show``, ``verify`` and the site read what the
writers commit atomically (SQLite transactions in WAL mode, OCFL versions committed by their
sidecar, whole log lines, tantivy commits, folders swapped in whole). A reader that has to write
something derived (a missing search index, an out-of-date public projection) takes the lock for
that, and is refused like a writer while another shiliao writes.

**A stale lock cannot block anyone.** The kernel drops an flock when its process ends, however
it ends (a crash, SIGKILL, a power cut), so no pid check decides whether the lock is free. The
file's contents are cleared when the lock is released; a record found there by the next
writer is that of a writer that ended without releasing it, i.e. one that was killed. The next
writer keeps it in ``WriterLock.interrupted`` (what it was doing and since when) and finishes or
rolls back what it left (``archive.open_archive``).

Within one thread the lock is re-entrant (``rebuild`` opens the archive twice); another thread
of the same process is another writer. POSIX only (``fcntl.flock``), like ``store.ocfl``; on a
network file system flock may be local to each machine.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from shiliao.errors import ArchiveBusy, StoreError

__all__ = ["LOCK_FILE", "Holder", "WriterLock", "writer_lock"]

LOCK_FILE = ".staging/writer.lock"
"""The lock file, relative to the archive folder."""

# How often a waiting writer tries again, in seconds.
_POLL_S = 0.1
# How long a refused writer waits for the holder's record to be readable (it is written just
# after the lock is taken).
_RECORD_WAIT_S = 0.5
# Locks held by this process: (lock file, thread id) -> [open descriptor, depth].
_held: dict[tuple[str, int], list[int]] = {}
_held_guard = threading.Lock()


@dataclass(frozen=True)
class Holder:
    """Who holds (or held) the writer lock, as it wrote into the lock file.

    Attributes:
        pid: its process id.
        command: what it is doing: ``"build"``, ``"add"``...
        since: when it took the lock, UTC RFC 3339 (``2025-06-01T10:42:05Z``).
        host: the machine it runs on.
    """

    pid: int
    command: str
    since: str
    host: str

    def describe(self) -> str:
        """``"add, pid 4711 on lab-3"``, for messages."""
        return f"{self.command or 'a command'}, pid {self.pid} on {self.host or 'this machine'}"

    def since_text(self) -> str:
        """``"2025-06-01 10:42 UTC"``, or the raw value when it is no RFC 3339 time."""
        try:
            moment = datetime.strptime(self.since, "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            return self.since or "an unknown time"
        return moment.strftime("%Y-%m-%d %H:%M UTC")


def _holder_record(fd: int) -> Holder | None:
    """The holder a locked file names. A writer writes its record just after it takes the
    lock, so a record not readable yet is read again for up to ``_RECORD_WAIT_S``."""
    deadline = time.monotonic() + _RECORD_WAIT_S
    while (holder := _parse(os.pread(fd, 4096, 0))) is None and time.monotonic() < deadline:
        time.sleep(_POLL_S / 10)
    return holder


def _parse(data: bytes) -> Holder | None:
    try:
        value = json.loads(data)
        return Holder(
            int(value["pid"]), str(value["command"]), str(value["since"]), str(value["host"])
        )
    except (ValueError, KeyError, TypeError):
        return None


class WriterLock:
    """The writer lock of one archive folder, for one command (see the module docstring).

    Use it as a context manager (``acquire`` on entry, ``release`` on exit), or through
    ``writer_lock``.

    Args:
        root: the archive folder.
        command: what the holder is doing, shown to whoever is refused (``"add"``).
        wait_s: how long ``acquire`` waits for another writer to finish, in seconds: 0 (the
            default) refuses at once, None waits as long as it takes.

    Attributes:
        interrupted: after ``acquire``, the holder recorded by a writer that ended without
            releasing the lock (killed), or None.
    """

    def __init__(self, root: Path, command: str, *, wait_s: float | None = 0.0) -> None:
        self.path = Path(root) / LOCK_FILE
        self.command = command
        self.wait_s = wait_s
        self.interrupted: Holder | None = None
        self._key = (str(self.path.absolute()), threading.get_ident())

    @staticmethod
    def holder(root: Path) -> Holder | None:
        """Who holds the writer lock of ``root`` now, or None when nobody does (never waits;
        changes nothing)."""
        path = Path(root) / LOCK_FILE
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            return None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return _parse(os.pread(fd, 4096, 0))
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)

    @property
    def held(self) -> bool:
        """Whether this thread holds the lock now."""
        with _held_guard:
            return self._key in _held

    def acquire(self) -> WriterLock:
        """Take the lock (again, when this thread already holds it).

        Returns:
            This lock.

        Raises:
            ArchiveBusy: another process (or thread) holds it, and ``wait_s`` ran out (at once
                by default); the message names the holder and says what to do.
            StoreError: the lock file cannot be made or opened (``ARCHIVE/.staging/``).
        """
        with _held_guard:
            if self._key in _held:
                _held[self._key][1] += 1
                return self
        fd = self._lock_fd()
        try:
            stale = os.pread(fd, 4096, 0)
            self.interrupted = _parse(stale) if stale.strip() else None
            record = {
                "pid": os.getpid(),
                "command": self.command,
                "since": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "host": socket.gethostname(),
            }
            # Written over the old record, then cut to length: the file is never empty while
            # it is held (an empty one names no holder to whoever is refused).
            data = json.dumps(record).encode() + b"\n"
            os.pwrite(fd, data, 0)
            os.ftruncate(fd, len(data))
        except OSError as exc:
            os.close(fd)
            raise StoreError(f"cannot write the writer lock {self.path}: {exc}") from exc
        with _held_guard:
            _held[self._key] = [fd, 1]
        return self

    def _lock_fd(self) -> int:
        """An open descriptor of the lock file with the flock taken, or ``ArchiveBusy``."""
        deadline = None if self.wait_s is None else time.monotonic() + self.wait_s
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot make {self.path.parent}: {exc}") from exc
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise StoreError(f"cannot open the writer lock {self.path}: {exc}") from exc
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if deadline is None else fcntl.LOCK_NB))
            except BlockingIOError:
                holder = _holder_record(fd)
                os.close(fd)
                if time.monotonic() >= deadline:
                    raise self._busy(holder) from None
                time.sleep(_POLL_S)
                continue
            except BaseException:
                os.close(fd)
                raise
            # Someone may have removed the file while we waited: a lock on a name that no
            # longer exists excludes nobody, so take the file that is there now.
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                return fd
            os.close(fd)

    def _busy(self, holder: Holder | None) -> ArchiveBusy:
        if holder is None:
            # Taken a moment ago and not yet written into, or written by something else.
            return ArchiveBusy(
                f"another shiliao is writing to this archive ({self.path} is locked); wait "
                "for it to finish, then run this again"
            )
        return ArchiveBusy(
            f"another shiliao ({holder.describe()}) has been writing to this archive since "
            f"{holder.since_text()}; wait for it to finish, then run this again",
            pid=holder.pid,
            command=holder.command,
            since=holder.since,
        )

    def release(self) -> None:
        """Give the lock back (the outermost release of this thread clears the file and
        unlocks it); nothing happens when this thread does not hold it."""
        with _held_guard:
            held = _held.get(self._key)
            if held is None:
                return
            held[1] -= 1
            if held[1] > 0:
                return
            del _held[self._key]
        fd = held[0]
        try:
            # Cleared while still locked: a record left in the file means a killed writer.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
        finally:
            os.close(fd)  # closing the descriptor releases the flock

    def __enter__(self) -> WriterLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


@contextlib.contextmanager
def writer_lock(root: Path, command: str, *, wait_s: float | None = 0.0) -> Iterator[WriterLock]:
    """Hold the archive's writer lock for the block (``WriterLock``).

    Args:
        root: the archive folder.
        command: what the holder does, named to anyone refused meanwhile.
        wait_s: seconds to wait for another writer: 0 refuses at once, None waits for it.

    Yields:
        The held ``WriterLock`` (``interrupted`` says whether a killed writer held it last).

    Raises:
        ArchiveBusy: another shiliao writes to the archive (the message names it).
        StoreError: the lock file cannot be made.
    """
    with WriterLock(root, command, wait_s=wait_s) as lock:
        yield lock
