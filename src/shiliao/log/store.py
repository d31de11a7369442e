"""The append-only log on disk: ``ARCHIVE/log/entries.jsonl``, one writer at a time.

Files under ``ARCHIVE/log/``:

- ``entries.jsonl``: the entries, one canonical JSON line each (``shiliao.log.entries``),
  every line ending in ``\\n``; line ``i + 1`` holds index ``i``.
- ``lock``: an empty file; ``fcntl.flock`` on it orders writers (exclusive) and lets readers
  (shared) see only whole lines.
- ``torn/<byte offset>.bin``: bytes moved aside by ``repair_torn_tail``; kept, never deleted.

**Appending.** Under the exclusive lock the writer first reads any lines other processes added,
so the new index is the next one, then writes the line and its newline with one ``O_APPEND``
write and fsyncs the file before ``append`` returns. Only then is the entry *acknowledged*.
Indices are strictly sequential across processes. If the write or the fsync fails, the file is
cut back to its previous length (we still hold the lock) and ``LogError`` is raised (``DiskFull``
when the disk is full); the entry was not logged and the caller may retry. A ``fault`` hook, for
crash tests, is called with ``"write:log/entries.jsonl"`` before the write and
``"fsync:log/entries.jsonl"`` before the fsync (as ``store.ocfl``'s is): a process killed at the
first leaves nothing, at the second a whole line that was never acknowledged (the archive
adopts it when the change is made again: ``archive.Archive.record``).

**A torn last line.** An append cut short by a crash or power loss leaves a last line without
its newline. That is never an acknowledged entry, but it cannot be told apart from a file cut
by someone (which removes acknowledged ones), so shiliao does not guess: ``Log.open`` raises
``LogCorrupt`` naming the line and byte offset, nothing more is appended, and
``shiliao repair-log ARCHIVE`` (``repair_torn_tail``) moves the bytes to ``log/torn/`` and cuts
the file at the last newline. The bytes are kept, and a cut that removed acknowledged entries
still fails ``verify_log`` against the checkpoints. Readers never change the file.

A ``Log`` object holds the leaf hashes (about 64 bytes per entry with the tree's upper levels)
and each line's byte offset, not the entries; ``entry`` and ``entries`` read them from disk and
check each against the hash read at open. Use one ``Log`` per thread.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shiliao.errors import DiskFull, LogCorrupt, LogError
from shiliao.log._fs import fsync_dir, write_new
from shiliao.log.entries import Entry, decode_entry, encode_entry, format_time
from shiliao.log.merkle import MerkleTree
from shiliao.log.note import load_or_create_key

__all__ = ["ENTRIES_FILE", "Log", "open_archive_log", "read_log_bytes", "repair_torn_tail"]

ENTRIES_FILE = "entries.jsonl"
_LOCK_FILE = "lock"


@contextmanager
def _flock(log_dir: Path, exclusive: bool) -> Iterator[None]:
    """Hold ``log/lock``: exclusive for a writer, shared for a reader.

    A reader of a log whose lock file is absent (a read-only copy) reads without it.
    """
    lock_path = log_dir / _LOCK_FILE
    flags = os.O_RDWR | os.O_CREAT if exclusive else os.O_RDONLY
    try:
        fd = os.open(lock_path, flags, 0o644)
    except FileNotFoundError:
        if exclusive:
            raise LogError(f"no log folder {log_dir}") from None
        fd = None
    except OSError as exc:
        raise LogError(f"cannot open the log's lock file {lock_path}: {exc}") from exc
    if fd is None:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def read_log_bytes(log_dir: Path) -> bytes:
    """The bytes of ``log_dir/entries.jsonl``, read under the shared lock (whole lines only,
    unless the file is torn); for checkers that must see the file as it is.

    Raises:
        OSError: the file cannot be read.
        LogError: the lock file exists but cannot be opened.
    """
    with _flock(Path(log_dir), exclusive=False):
        return (Path(log_dir) / ENTRIES_FILE).read_bytes()


def _torn_message(tail_bytes: int, offset: int) -> str:
    return (
        f"the last line is incomplete: {tail_bytes} bytes at byte offset {offset} with no final "
        "newline (an append was interrupted, or the file was cut). Nothing more is appended "
        "until it is dealt with: `shiliao repair-log ARCHIVE` moves these bytes to log/torn/ "
        "and cuts the file at the last newline; then verify the log against its checkpoints"
    )


class Log:
    """An append-only log of JSON entries with an RFC 9162 Merkle tree over them.

    Open with ``Log.open`` (or ``open_archive_log``); no file stays open between calls.

    Attributes:
        path: the log folder, ``ARCHIVE/log``.
        clock: returns the current time, timezone-aware; stamps entries and checkpoints.
        fault: called with a label before the write and the fsync of an append (module
            docstring); for crash tests.
    """

    def __init__(
        self,
        path: Path,
        clock: Callable[[], datetime],
        fault: Callable[[str], None] | None = None,
    ) -> None:
        self.path = path
        self.clock = clock
        self.fault = fault or (lambda label: None)
        self._tree = MerkleTree()
        self._offsets = array("Q")  # byte offset of each line, by index
        self._end = 0  # byte offset just past the last whole line read
        self._writing = False

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        create: bool = False,
        clock: Callable[[], datetime] | None = None,
        fault: Callable[[str], None] | None = None,
    ) -> Log:
        """Open the log in folder ``path`` and read every entry.

        Args:
            path: the log folder (``ARCHIVE/log``).
            create: make the folder, an empty ``entries.jsonl`` and the lock file if missing.
            clock: returns the current time (timezone-aware) for new entries; default
                ``datetime.now(UTC)``.
            fault: the crash-test hook (``Log.fault``).

        Raises:
            LogError: the log does not exist (and ``create`` is false) or cannot be read.
            LogCorrupt: a line is malformed or out of sequence, or the last line is torn (the
                message names the line and offset and how to repair).
        """
        path = Path(path)
        entries_path = path / ENTRIES_FILE
        if create:
            path.mkdir(parents=True, exist_ok=True)
            with _flock(path, exclusive=True):
                if not entries_path.exists():
                    fd = os.open(entries_path, os.O_WRONLY | os.O_CREAT, 0o644)
                    os.fsync(fd)
                    os.close(fd)
                    fsync_dir(path)
        elif not entries_path.is_file():
            raise LogError(f"no log at {path} (missing {ENTRIES_FILE})")
        log = cls(path, clock or (lambda: datetime.now(UTC)), fault)
        log.refresh()
        return log

    @property
    def size(self) -> int:
        """Number of entries read (call ``refresh`` to see other processes' appends)."""
        return self._tree.size

    @property
    def _entries_path(self) -> Path:
        return self.path / ENTRIES_FILE

    @contextmanager
    def _locked(self, exclusive: bool) -> Iterator[None]:
        if self._writing:  # this object already holds the exclusive lock
            yield
            return
        with _flock(self.path, exclusive):
            self._writing = exclusive
            try:
                yield
            finally:
                self._writing = False

    @contextmanager
    def writing(self) -> Iterator[Log]:
        """Hold the exclusive lock, with every appended entry read, until the block ends.

        For work that must see the log stand still (``write_checkpoint``); ``append`` may be
        called inside. Other writers wait.
        """
        with self._locked(exclusive=True):
            self._read_new()
            yield self

    def refresh(self) -> int:
        """Read entries appended since the last read (by any process); return the new size.

        Raises:
            LogCorrupt: a new line is malformed, out of sequence or torn, or the file got
                shorter than what was read.
        """
        with self._locked(exclusive=False):
            self._read_new()
        return self.size

    def _read_new(self) -> None:
        # Caller holds a lock, so no append is half-written while we read.
        try:
            with open(self._entries_path, "rb") as handle:
                length = os.fstat(handle.fileno()).st_size
                if length < self._end:
                    raise LogCorrupt(
                        f"the file shrank from {self._end} to {length} bytes while open: "
                        "entries were removed",
                        path=str(self._entries_path),
                    )
                handle.seek(self._end)
                data = handle.read()
        except OSError as exc:
            raise LogError(f"cannot read {self._entries_path}: {exc}") from exc
        start = 0
        while (newline := data.find(b"\n", start)) >= 0:
            self._add_line(data[start:newline], self._end)
            self._end += newline + 1 - start
            start = newline + 1
        if start < len(data):
            raise LogCorrupt(
                _torn_message(len(data) - start, self._end),
                path=str(self._entries_path),
                line=self.size + 1,
            )

    def _add_line(self, line: bytes, offset: int) -> None:
        where = {"path": str(self._entries_path), "line": self.size + 1}
        try:
            entry = decode_entry(line)
        except LogCorrupt as exc:
            raise LogCorrupt(str(exc), **where) from exc
        if entry.index != self.size:
            raise LogCorrupt(
                f"holds index {entry.index} where index {self.size} belongs: an entry was "
                "deleted, inserted or moved",
                **where,
            )
        self._offsets.append(offset)
        self._tree.append(entry.leaf_hash)

    def append(self, kind: str, data: dict[str, Any]) -> Entry:
        """Append one entry and return it once it is on disk (written and fsynced).

        Args:
            kind: what happened, ``[a-z][a-z0-9_]*`` (``"file_captured"``...).
            data: the kind's fields, a JSON object without floats.

        Returns:
            The entry, with its ``index`` and ``leaf_hash``.

        Raises:
            LogError: ``kind`` or ``data`` is not allowed, or the write or fsync failed (then
                nothing was appended).
            DiskFull: the log's disk is full (nothing was appended).
            LogCorrupt: the log on disk is damaged (see ``refresh``); nothing was appended.
        """
        with self._locked(exclusive=True):
            self._read_new()
            entry = encode_entry(self.size, format_time(self.clock()), kind, data)
            fd = os.open(self._entries_path, os.O_WRONLY | os.O_APPEND)
            try:
                view = memoryview(entry.line + b"\n")
                self.fault(f"write:log/{ENTRIES_FILE}")
                while view:
                    view = view[os.write(fd, view) :]
                self.fault(f"fsync:log/{ENTRIES_FILE}")
                os.fsync(fd)
            except OSError as exc:
                # Not acknowledged: cut back so no torn line is left for the next writer. If
                # even that fails, the next open reports the torn line.
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, self._end)
                    os.fsync(fd)
                if DiskFull.cause_of(exc):
                    raise DiskFull(
                        str(self.path), f"log entry {entry.index} ({kind})", len(entry.line) + 1
                    ) from exc
                raise LogError(f"cannot append to {self._entries_path}: {exc}") from exc
            finally:
                os.close(fd)
            self._offsets.append(self._end)
            self._tree.append(entry.leaf_hash)
            self._end += len(entry.line) + 1
        return entry

    def leaf_hash(self, index: int) -> bytes:
        """The leaf hash of entry ``index`` (32 bytes); ``LogError`` if there is none."""
        return self._tree.leaf(index)

    def root_hash(self, size: int | None = None) -> bytes:
        """RFC 9162 §2.1.1 MTH of the first ``size`` entries (default all), 32 bytes.

        Raises:
            LogError: ``size`` exceeds the entries read.
        """
        return self._tree.root(size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """RFC 9162 §2.1.3.1 inclusion path of entry ``index`` in the tree of ``size`` entries
        (default all): 32-byte hashes, the leaf's sibling first.

        Raises:
            LogError: ``size`` exceeds the entries read, or ``index`` is not below it.
        """
        return self._tree.inclusion_proof(index, size)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """RFC 9162 §2.1.4.1 proof that the tree of ``new_size`` entries (default all) extends
        the tree of ``old_size``: 32-byte hashes; empty when the sizes are equal or 0.

        Raises:
            LogError: ``new_size`` exceeds the entries read, or ``old_size`` exceeds it.
        """
        return self._tree.consistency_proof(old_size, new_size)

    def entry(self, index: int) -> Entry:
        """Entry ``index``, read from disk.

        Raises:
            LogError: there is no entry ``index``.
            LogCorrupt: its line changed on disk since it was read.
        """
        self._tree.leaf(index)  # range check
        return next(self.entries(index, index + 1))

    def entries(self, start: int = 0, stop: int | None = None) -> Iterator[Entry]:
        """Entries ``start`` to ``stop - 1`` (default: to the end of what was read), in order.

        Each line is read from disk and checked against the leaf hash read at open.

        Raises:
            LogCorrupt: a line changed on disk since it was read.
        """
        stop = self.size if stop is None else min(stop, self.size)
        if start >= stop:
            return
        with open(self._entries_path, "rb") as handle:
            handle.seek(self._offsets[start])
            for index in range(start, stop):
                end = self._offsets[index + 1] if index + 1 < self.size else self._end
                line = handle.read(end - self._offsets[index])[:-1]
                try:
                    entry = decode_entry(line)
                except LogCorrupt as exc:
                    raise LogCorrupt(
                        f"changed since it was read: {exc}",
                        path=str(self._entries_path),
                        line=index + 1,
                    ) from exc
                if entry.leaf_hash != self._tree.leaf(index):
                    raise LogCorrupt(
                        f"entry {index} changed on disk since it was read",
                        path=str(self._entries_path),
                        line=index + 1,
                    )
                yield entry


def repair_torn_tail(log_dir: Path) -> Path | None:
    """Move an incomplete last line out of ``entries.jsonl`` so appends can resume.

    The bytes after the last newline are written to ``log_dir/torn/<byte offset>.bin``
    (fsynced), then the file is cut at that newline (fsynced). Complete lines are not touched
    or checked; run ``verify_log`` afterwards.

    Args:
        log_dir: the log folder (``ARCHIVE/log``).

    Returns:
        The file now holding the moved bytes, or None when the last line was complete.

    Raises:
        LogError: the log cannot be read or written.
    """
    entries_path = Path(log_dir) / ENTRIES_FILE
    with _flock(Path(log_dir), exclusive=True):
        try:
            data = entries_path.read_bytes()
        except OSError as exc:
            raise LogError(f"cannot read {entries_path}: {exc}") from exc
        cut = data.rfind(b"\n") + 1
        if cut == len(data):
            return None
        torn_dir = Path(log_dir) / "torn"
        torn_dir.mkdir(exist_ok=True)
        kept = torn_dir / f"{cut}.bin"
        if not write_new(kept, data[cut:], 0o444) and kept.read_bytes() != data[cut:]:
            raise LogError(f"{kept} exists with other bytes; move it away and repair again")
        fd = os.open(entries_path, os.O_WRONLY)
        try:
            os.ftruncate(fd, cut)
            os.fsync(fd)
        finally:
            os.close(fd)
        return kept


def open_archive_log(
    archive_root: Path,
    *,
    origin: str | None = None,
    fault: Callable[[str], None] | None = None,
) -> Log:
    """Open ``archive_root/log``, creating the folder, the log and the signing key on first use.

    Args:
        archive_root: the archive folder.
        origin: the key name and checkpoint origin for a new key (a schema-less URL such as
            ``"example.org/xj-archive"``, no spaces or ``+``); default
            ``shiliao/<16 random hex>``. Ignored once the key exists.
        fault: the crash-test hook (``Log.fault``).

    Returns:
        The log; ``load_or_create_key(log.path)`` returns its key for ``write_checkpoint``.

    Raises:
        LogError, LogCorrupt: as ``Log.open`` and ``load_or_create_key``.
    """
    log_dir = Path(archive_root) / "log"
    log = Log.open(log_dir, create=True, fault=fault)
    load_or_create_key(log_dir, origin)
    return log
