"""The worker process that runs one extractor on one file: ``python -m shiliao.extract.worker``.

Protocol (between ``runner`` and this module only):

- standard input: one JSON object, ``{"path": str, "extractor": "module:function",
  "max_memory_bytes": int}``;
- standard output: one JSON object, ``{"extraction": {"pages": [{"number", "text"}...],
  "method": str, "metadata": {...}}}`` or ``{"error": {"type": "EncryptedDocument" |
  "ExtractionLimit" | "UnsupportedFormat" | "ExtractError", "message": str}}``;
- standard error: anything the parser libraries print, and a traceback if it crashes.

The reply is JSON, not pickle: a parser exploited by a crafted file owns this process, and
unpickling its reply would hand it the parent too.
"""

from __future__ import annotations

import faulthandler
import json
import os
import resource
import sys
from pathlib import Path
from typing import Any

from shiliao.errors import ExtractError, ExtractionLimit, ShiliaoError
from shiliao.extract.registry import load_extractor


def main() -> int:
    """Read the request, apply the limits, extract, and write the reply.

    Returns:
        The exit status: 0 whenever a reply was written, error replies included.
    """
    request = json.loads(sys.stdin.buffer.read())
    _limit_memory(request["max_memory_bytes"])
    faulthandler.enable()
    # Libraries that print to standard output would corrupt the reply; send them to stderr.
    reply_fd = os.dup(1)
    os.dup2(2, 1)
    path = Path(request["path"])
    reply = _reply(path, request["extractor"], request["max_memory_bytes"])
    payload = _encode(reply, path.name, request["max_memory_bytes"])
    with os.fdopen(reply_fd, "wb") as out:
        out.write(payload)
    return 0


def _limit_memory(max_memory_bytes: int) -> None:
    """Cap the address space; forbid core dumps, which would copy the file's contents to disk."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        max_memory_bytes = min(max_memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (max_memory_bytes, hard))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _reply(path: Path, target: str, max_memory_bytes: int) -> dict[str, Any]:
    try:
        data = path.read_bytes()
        extractor = load_extractor(target)
    except (OSError, ImportError, AttributeError) as exc:
        return _error(ExtractError(f"{path.name}: cannot run {target}: {exc}"))
    try:
        extraction = extractor(data, path.name)
    except ShiliaoError as exc:
        return _error(exc)
    except MemoryError:
        return _error(_out_of_memory(path.name, max_memory_bytes))
    except RecursionError:
        return _error(ExtractError(f"{path.name}: the document is nested too deeply to parse"))
    except Exception as exc:  # a parser's own error: any type, all mean the same here
        return _error(ExtractError(f"{path.name}: {type(exc).__name__}: {exc}"))
    return {
        "extraction": {
            "pages": [{"number": page.number, "text": page.text} for page in extraction.pages],
            "method": extraction.method,
            "metadata": extraction.metadata,
        }
    }


def _encode(reply: dict[str, Any], name: str, max_memory_bytes: int) -> bytes:
    # ASCII escapes keep lone surrogates (possible in PDF text) intact through JSON.
    try:
        return json.dumps(reply, ensure_ascii=True).encode("ascii")
    except MemoryError:
        error = _out_of_memory(name, max_memory_bytes)
    except (TypeError, ValueError) as exc:
        error = ExtractError(f"{name}: the extractor returned more than plain data: {exc}")
    return json.dumps(_error(error)).encode("ascii")


def _out_of_memory(name: str, max_memory_bytes: int) -> ExtractionLimit:
    return ExtractionLimit(f"{name}: ran out of memory (limit {max_memory_bytes} bytes)")


def _error(exc: ShiliaoError) -> dict[str, Any]:
    return {"error": {"type": type(exc).__name__, "message": str(exc)}}


if __name__ == "__main__":
    sys.exit(main())
