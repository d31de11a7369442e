"""Writing a file of the collection folder the way every shiliao command does: atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["replace_text"]


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
