"""Writing a file of the collection folder the way every shiliao command does: atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["replace_text"]


def replace_text(path: Path, text: str) -> None:
    """Replace a collection file's text, atomically: a temporary file beside it, fsync'd,
    renamed over it; its permissions are kept. A crash leaves the old file or the new one.

    Raises:
        OSError: the file cannot be written (nothing is left behind).
    """
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
