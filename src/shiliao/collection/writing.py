"""Writing a file of the collection folder the way every shiliao command does: atomically,
and one writer at a time (``editing``)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["EDIT_LOCK", "editing", "replace_text"]

EDIT_LOCK = ".shiliao-edit.lock"
"""The lock file ``editing`` holds, in the collection folder (a dot file: never a source)."""


@contextlib.contextmanager
def editing(collection_dir: Path) -> Iterator[None]:
    """Hold the collection folder's edit lock for the block: one read-check-write of its files
    at a time, across threads and processes (the editorial app's requests, a ``shiliao
    privacy decide`` beside it). A waiting writer blocks until the holder is done; a save is
    short (one file rewritten), so nothing waits long.

    The lock is ``flock(2)`` on ``collection_dir/.shiliao-edit.lock``, created when missing.
    ``flock`` locks belong to an open file description, so two threads of one process that
    each open the file exclude each other too.

    Raises:
        OSError: the lock file cannot be created (a read-only folder).
    """
    with open(collection_dir / EDIT_LOCK, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _umask() -> int:
    # The only way to read the umask is to set it; set it back at once.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def replace_text(path: Path, text: str) -> None:
    """Replace a collection file's text, atomically: a temporary file beside it, fsync'd,
    renamed over it; its permissions are kept, and a new file gets those any new file gets
    (0666 less the umask, not the 0600 of the temporary file). A crash leaves the old file or
    the new one.

    Raises:
        OSError: the file cannot be written (nothing is left behind).
    """
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
