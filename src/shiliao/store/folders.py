"""Putting a folder built aside in place of another, so that readers see one or the other.

A derived folder (the website, the public projection) is built whole in a temporary folder on
the same file system, then swapped in. On Linux (3.15 and later, glibc 2.28 and later) the swap
is one ``renameat2(..., RENAME_EXCHANGE)`` call, which exchanges the two names atomically: a
reader (a web server, a search) finds the old folder or the new one at the name, never nothing,
and a process killed at any point leaves one whole folder there. Elsewhere, or on a file system
that does not support the exchange, the old folder is renamed aside and the new one renamed in:
between the two renames the name is briefly missing, and a process killed there leaves the old
folder aside, under the name the caller chose, for the caller's next run to clean up.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path

__all__ = ["exchange_folders", "replace_folder"]

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
# The exchange is unavailable here, or unsupported by a file system: the errors that say so.
_UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP}


def _renameat2() -> Callable[..., int] | None:
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    function.restype = ctypes.c_int
    return function


_RENAMEAT2 = _renameat2()


def exchange_folders(first: Path, second: Path) -> bool:
    """Exchange the names of two existing folders atomically (``renameat2`` with
    ``RENAME_EXCHANGE``).

    Returns:
        True when exchanged; False when the system or the file system cannot (nothing changed).

    Raises:
        OSError: the exchange failed for another reason (a missing folder, permissions, no
            space for the folder entry).
    """
    if _RENAMEAT2 is None:
        return False
    done = _RENAMEAT2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


def replace_folder(
    new: Path,
    target: Path,
    aside: Callable[[], Path],
    fault: Callable[[str], None] | None = None,
    label: str = "folder",
) -> None:
    """Put the folder ``new`` in place of ``target`` (made when missing), then delete the old one.

    Args:
        new: the complete new folder, on ``target``'s file system.
        target: where it goes; may be missing.
        aside: returns a free name to move the old folder to when the names cannot be
            exchanged (the caller removes what a killed run left there on its next run).
        fault: called with ``"rename:<label>"`` before the swap and ``"remove:<label> (old)"``
            before the old folder is deleted; for crash tests.
        label: names the folder in those labels (``"site"``, ``"public"``).

    Raises:
        OSError: a rename failed; ``target`` is then the old folder (or missing when it was).
    """
    fault = fault or (lambda seen: None)
    fault(f"rename:{label}")
    if target.exists() and exchange_folders(new, target):
        # ``new`` now holds the old folder.
        fault(f"remove:{label} (old)")
        shutil.rmtree(new, ignore_errors=True)
        return
    old = None
    if target.exists():
        old = aside()
        os.rename(target, old)
    try:
        os.rename(new, target)
    except OSError:
        if old is not None:
            os.rename(old, target)
        raise
    if old is not None:
        fault(f"remove:{label} (old)")
        shutil.rmtree(old, ignore_errors=True)
