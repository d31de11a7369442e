"""Running extractors: in a worker process with limits for untrusted files, or in process.

Parsers of collected files (lxml, PDFium) are C code fed by whoever made the file; a crafted or
broken file can hang them, exhaust memory or crash them. Each file is therefore parsed in a
fresh ``python -m shiliao.extract.worker`` process with an address-space limit
(``RLIMIT_AS``), no core dumps, and a wall-clock timeout after which it is killed; its reply
comes back as JSON through a pipe whose size is capped. A failure is an ``ExtractError`` for
that file alone; the caller records it and goes on. POSIX only (``resource``, ``selectors``
on pipes).
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from shiliao.errors import EncryptedDocument, ExtractError, ExtractionLimit, UnsupportedFormat
from shiliao.extract.media import SNIFF_BYTES, sniff_media_type
from shiliao.extract.registry import extractor_for, load_extractor
from shiliao.model import Extraction, Page

__all__ = ["extract_bytes_inline", "extract_file"]

_ERRORS: dict[str, type[ExtractError]] = {
    cls.__name__: cls
    for cls in (ExtractError, UnsupportedFormat, EncryptedDocument, ExtractionLimit)
}
_READ_CHUNK_BYTES = 1024 * 1024
_STDERR_TAIL_BYTES = 8192


def extract_file(
    path: Path,
    media_type: str | None = None,
    *,
    timeout_s: float = 60,
    max_memory_bytes: int = 2 * 1024**3,
    max_output_bytes: int = 256 * 1024**2,
) -> Extraction:
    """Extract a file in a worker process, under time, memory and output limits.

    Args:
        path: the file to read; only the worker opens it whole.
        media_type: its IANA media type; None to sniff it from the first bytes and the name
            (see ``sniff_media_type``).
        timeout_s: wall-clock seconds the worker may take, its start-up (about half a second)
            included; then it is killed.
        max_memory_bytes: the worker's address-space limit in bytes (``RLIMIT_AS``).
        max_output_bytes: the most bytes of reply (the extraction as JSON) accepted.

    Returns:
        The extraction, as the registered extractor returned it (metadata through JSON: tuples
        come back as lists).

    Raises:
        UnsupportedFormat: no extractor is registered for the media type.
        EncryptedDocument: the document needs a password.
        ExtractionLimit: the worker ran out of time or memory, or replied with more than
            ``max_output_bytes``, or the extractor refused the file as too large.
        ExtractError: the file cannot be read, cannot be parsed, or the worker crashed (the
            message names the signal, e.g. SIGSEGV).
    """
    path = Path(path)
    if media_type is None:
        media_type = sniff_media_type(_read_head(path), path.name)
    request = {
        "path": str(path),
        "extractor": extractor_for(media_type),
        "max_memory_bytes": max_memory_bytes,
    }
    # The worker imports what this process can import (a registered extractor's module too).
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(entry for entry in sys.path if entry))
    # -P: the current directory may be a collection of untrusted files; never import from it.
    command = [sys.executable, "-P", "-m", "shiliao.extract.worker"]
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    ) as process:
        try:
            reply, stderr_tail = _exchange(
                process, json.dumps(request).encode("ascii"), path.name, timeout_s, max_output_bytes
            )
        finally:
            if process.poll() is None:
                process.kill()
    return _extraction_from_reply(
        reply, process.returncode, stderr_tail, path.name, max_memory_bytes
    )


def extract_bytes_inline(data: bytes, name: str, media_type: str | None = None) -> Extraction:
    """Extract bytes in this process, without limits: for trusted input only.

    Args:
        data: the file's bytes.
        name: the file's name (for sniffing and messages).
        media_type: its IANA media type; None to sniff it from ``data`` and ``name``.

    Returns:
        The extraction.

    Raises:
        UnsupportedFormat: no extractor is registered for the media type.
        ExtractError: the extractor's own errors (``EncryptedDocument``, ``ExtractionLimit``).
    """
    if media_type is None:
        media_type = sniff_media_type(data[:SNIFF_BYTES], name)
    return load_extractor(extractor_for(media_type))(data, name)


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            return file.read(SNIFF_BYTES)
    except OSError as exc:
        raise ExtractError(f"{path}: cannot be read ({exc.strerror or exc})") from exc


def _exchange(
    process: subprocess.Popen[bytes],
    request: bytes,
    name: str,
    timeout_s: float,
    max_output_bytes: int,
) -> tuple[bytes, bytes]:
    """Send the request, collect stdout and the tail of stderr until the worker exits."""
    deadline = time.monotonic() + timeout_s
    assert process.stdin is not None and process.stdout is not None
    assert process.stderr is not None
    try:
        process.stdin.write(request)
        process.stdin.close()
    except BrokenPipeError:
        pass  # the worker died at start-up; its exit status says why
    reply = bytearray()
    stderr_tail = bytearray()
    with selectors.DefaultSelector() as selector:
        for stream in (process.stdout, process.stderr):
            selector.register(stream, selectors.EVENT_READ)
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ExtractionLimit(f"{name}: extraction timed out after {timeout_s:g} s")
            for key, _ in selector.select(remaining):
                chunk = os.read(key.fd, _READ_CHUNK_BYTES)
                if not chunk:
                    selector.unregister(key.fileobj)
                elif key.fileobj is process.stdout:
                    reply += chunk
                    if len(reply) > max_output_bytes:
                        raise ExtractionLimit(
                            f"{name}: extraction output exceeds {max_output_bytes} bytes"
                        )
                else:
                    stderr_tail = (stderr_tail + chunk)[-_STDERR_TAIL_BYTES:]
    try:
        process.wait(timeout=max(deadline - time.monotonic(), 0))
    except subprocess.TimeoutExpired as exc:
        raise ExtractionLimit(f"{name}: extraction timed out after {timeout_s:g} s") from exc
    return bytes(reply), bytes(stderr_tail)


def _extraction_from_reply(
    reply: bytes, returncode: int, stderr_tail: bytes, name: str, max_memory_bytes: int
) -> Extraction:
    if returncode < 0:
        raise ExtractError(
            f"{name}: the extractor process died of {_signal_name(-returncode)} (a parser "
            f"crash, or memory exhausted under the {max_memory_bytes}-byte limit)"
        )
    last_line = stderr_tail.decode("utf-8", errors="replace").strip().rpartition("\n")[2]
    if returncode != 0 or not reply:
        raise ExtractError(
            f"{name}: the extractor process exited with status {returncode}: {last_line}"
        )
    try:
        message: dict[str, Any] = json.loads(reply)
        if "error" in message:
            error = message["error"]
            raise _ERRORS.get(error["type"], ExtractError)(error["message"])
        found = message["extraction"]
        return Extraction(
            pages=[Page(int(page["number"]), str(page["text"])) for page in found["pages"]],
            method=str(found["method"]),
            metadata=dict(found["metadata"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise ExtractError(f"{name}: the extractor process replied with garbage") from exc


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
