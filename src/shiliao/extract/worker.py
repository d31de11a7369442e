"""The worker process that runs extractors on files: ``python -m shiliao.extract.worker``.

Started by ``runner.ExtractionWorker`` as ``python -P -m shiliao.extract.worker
MAX_MEMORY_BYTES``; it caps its address space at that many bytes, then serves requests one
after another until its standard input closes. Protocol (between ``runner`` and this module
only), one JSON object per line each way (ASCII escapes keep every reply on one line):

- standard input: ``{"path": str, "extractor": "module:function"}`` per file;
- standard output: per request, ``{"extraction": <wire.extraction_to_data's shape>,
  "maxrss_bytes": int}`` (the extractor's result after ``finish.finish_extraction``, and the
  process's peak resident memory so far) or ``{"error": {"type": "EncryptedDocument" |
  "ExtractionLimit" | "UnsupportedFormat" | "ExtractError", "message": str}, "maxrss_bytes":
  int}``;
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
from shiliao.extract.finish import finish_extraction
from shiliao.extract.registry import load_extractor
from shiliao.extract.wire import extraction_to_data


def main() -> int:
    """Apply the limits, then answer each request line with a reply line until input ends.

    Returns:
        The exit status: 0 when the input ended, error replies included.
    """
    max_memory_bytes = int(sys.argv[1])
    _limit_memory(max_memory_bytes)
    faulthandler.enable()
    # Libraries that print to standard output would corrupt the replies; send them to stderr.
    reply_fd = os.dup(1)
    os.dup2(2, 1)
    with os.fdopen(reply_fd, "wb") as out:
        for line in sys.stdin.buffer:
            request = json.loads(line)
            path = Path(request["path"])
            reply = _reply(path, request["extractor"], max_memory_bytes)
            reply["maxrss_bytes"] = _peak_memory_bytes()
            out.write(_encode(reply, path.name, max_memory_bytes) + b"\n")
            out.flush()
    return 0


def _peak_memory_bytes() -> int:
    """This process's peak resident memory, in bytes.

    Linux's ``VmHWM`` (proc(5)) is this program's own: ``ru_maxrss`` keeps the high-water mark
    of the parent it was forked from across ``execve``, so a worker started by a build holding
    a gigabyte would report a gigabyte and be replaced after every file.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS; the worker runs on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


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
    return {"extraction": extraction_to_data(finish_extraction(extraction))}


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
