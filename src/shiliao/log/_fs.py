"""Crash-safe file writes for the log folder: temp file, fsync, rename (or link), fsync folder.

A reader sees the old file or the whole new one, never a part; after the call returns the new
file survives a power cut (the folder entry is fsynced too, or the rename could be lost).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["fsync_dir", "write_atomic", "write_new"]


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (new, renamed or removed names) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_temp(path: Path, data: bytes, mode: int) -> Path:
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(name)
        raise
    os.close(fd)
    return Path(name)


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` atomically (``OSError`` on failure, nothing half-written).

    Args:
        path: the file to write; its folder must exist.
        data: the whole new content.
        mode: permission bits of the new file.
    """
    temp = _write_temp(path, data, mode)
    try:
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def write_new(path: Path, data: bytes, mode: int) -> bool:
    """Create ``path`` with ``data`` atomically unless it exists; return whether it was created.

    Two processes racing to create the same file both succeed or see the other's file, never a
    mix: the complete temp file is hard-linked into place, which fails if the name exists.
    """
    temp = _write_temp(path, data, mode)
    try:
        os.link(temp, path)
    except FileExistsError:
        return False
    finally:
        temp.unlink(missing_ok=True)
    fsync_dir(path.parent)
    return True
