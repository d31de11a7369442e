"""Running extractors: in worker processes with limits for untrusted files, or in process.

Parsers of collected files (lxml, PDFium, Pillow, ONNX models) are C code fed by whoever made
the file; a crafted or broken file can hang them, exhaust memory or crash them. Files are
therefore parsed in ``python -P -m shiliao.extract.worker`` processes with an address-space
limit (``RLIMIT_AS``), no core dumps, and a wall-clock timeout per file after which the worker
and everything it started are killed; each reply comes back as one line of JSON through a pipe
whose size is capped. A failure is an ``ExtractError`` for that file alone; the caller records
it and goes on. POSIX only (``resource``, ``selectors`` on pipes, process groups).

``extract_file`` starts a fresh worker for one file. ``ExtractionWorker`` keeps one worker for
many files, which saves its start-up (Python, the parser libraries, OCR models: from a quarter
of a second to two seconds a file); the worker is replaced after a failure of any kind (a
timeout, a crash, an error reply), after ``max_files`` files, and when its peak memory passes
half its limit, so that no file starts in a process another file has damaged or filled.
"""

from __future__ import annotations

import contextlib
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
from shiliao.extract.finish import finish_extraction
from shiliao.extract.media import SNIFF_BYTES, sniff_media_type
from shiliao.extract.registry import extractor_for, load_extractor
from shiliao.extract.wire import extraction_from_data
from shiliao.model import Extraction

__all__ = ["ERROR_TYPES", "ExtractionWorker", "extract_bytes_inline", "extract_file"]

ERROR_TYPES: dict[str, type[ExtractError]] = {
    cls.__name__: cls
    for cls in (ExtractError, UnsupportedFormat, EncryptedDocument, ExtractionLimit)
}
"""The errors a worker may reply with, by class name: the reply names its error's type."""
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
    """Extract a file in a fresh worker process, under time, memory and output limits.

    Args:
        path: the file to read; only the worker opens it whole.
        media_type: its IANA media type; None to sniff it from the first bytes and the name
            (see ``sniff_media_type``).
        timeout_s: wall-clock seconds the worker may take, its start-up (about half a second)
            included; then it is killed.
        max_memory_bytes: the worker's address-space limit in bytes (``RLIMIT_AS``).
        max_output_bytes: the most bytes of reply (the extraction as JSON) accepted.

    Returns:
        The extraction, as the registered extractor returned it and ``finish_extraction``
        finished it (derived text cleaned, languages set), through JSON: tuples in metadata
        come back as lists.

    Raises:
        UnsupportedFormat: no extractor is registered for the media type.
        EncryptedDocument: the document needs a password.
        ExtractionLimit: the worker ran out of time or memory, or replied with more than
            ``max_output_bytes``, or the extractor refused the file as too large.
        ExtractError: the file cannot be read, cannot be parsed, or the worker crashed (the
            message names the signal, e.g. SIGSEGV).
    """
    with ExtractionWorker(
        timeout_s=timeout_s,
        max_memory_bytes=max_memory_bytes,
        max_output_bytes=max_output_bytes,
        max_files=1,
    ) as worker:
        return worker.extract(path, media_type)


class ExtractionWorker:
    """A worker process that extracts one file after another, replaced when it must be.

    Not thread-safe: use one per thread. Use it as a context manager, or call ``close``.

    Args:
        timeout_s: wall-clock seconds each file may take, the worker's start-up included when
            the file is the first of a new worker.
        max_memory_bytes: the worker's address-space limit in bytes (``RLIMIT_AS``).
        max_output_bytes: the most bytes of reply accepted per file.
        max_files: files a worker extracts before it is replaced by a fresh one.
    """

    def __init__(
        self,
        *,
        timeout_s: float = 60,
        max_memory_bytes: int = 2 * 1024**3,
        max_output_bytes: int = 256 * 1024**2,
        max_files: int = 100,
    ) -> None:
        self.timeout_s = timeout_s
        self.max_memory_bytes = max_memory_bytes
        self.max_output_bytes = max_output_bytes
        self.max_files = max_files
        self._process: subprocess.Popen[bytes] | None = None
        self._files = 0

    def __enter__(self) -> ExtractionWorker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def extract(self, path: Path, media_type: str | None = None) -> Extraction:
        """Extract one file (see ``extract_file`` for the arguments, result and errors)."""
        path = Path(path)
        if media_type is None:
            media_type = sniff_media_type(_read_head(path), path.name)
        request = {"path": str(path), "extractor": extractor_for(media_type)}
        process = self._started()
        try:
            reply, stderr_tail = _exchange(
                process,
                json.dumps(request).encode("ascii") + b"\n",
                path.name,
                self.timeout_s,
                self.max_output_bytes,
            )
        except BaseException:
            self.close()
            raise
        if reply is None:  # the worker died before it replied
            self.close()
            raise _death(process.returncode, stderr_tail, path.name, self.max_memory_bytes)
        self._files += 1
        try:
            message: dict[str, Any] = json.loads(reply)
            peak = int(message.get("maxrss_bytes", 0))
            error = message.get("error")
            if error is not None:
                failure = ERROR_TYPES.get(error["type"], ExtractError)(str(error["message"]))
            else:
                extraction = extraction_from_data(message["extraction"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            self.close()
            raise ExtractError(f"{path.name}: the extractor process replied with garbage") from exc
        if error is not None or self._files >= self.max_files or peak * 2 > self.max_memory_bytes:
            self.close()
        if error is not None:
            raise failure
        return extraction

    def close(self) -> None:
        """End the worker process, if one is running; the next ``extract`` starts another."""
        process, self._process = self._process, None
        self._files = 0
        if process is None:
            return
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        _kill_group(process)
        process.wait()

    def _started(self) -> subprocess.Popen[bytes]:
        if self._process is not None:
            return self._process
        # The worker imports what this process can import (a registered extractor's module
        # too); -P: the current directory may be a collection of untrusted files, never import
        # from it; a session of its own, so that a timeout kills what the worker started too
        # (Tesseract).
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(entry for entry in sys.path if entry))
        command = [
            sys.executable,
            "-P",
            "-m",
            "shiliao.extract.worker",
            str(self.max_memory_bytes),
        ]
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        return self._process


def extract_bytes_inline(data: bytes, name: str, media_type: str | None = None) -> Extraction:
    """Extract bytes in this process, without limits: for trusted input only.

    Args:
        data: the file's bytes.
        name: the file's name (for sniffing and messages).
        media_type: its IANA media type; None to sniff it from ``data`` and ``name``.

    Returns:
        The extraction, finished as ``extract_file``'s is.

    Raises:
        UnsupportedFormat: no extractor is registered for the media type.
        ExtractError: the extractor's own errors (``EncryptedDocument``, ``ExtractionLimit``).
    """
    if media_type is None:
        media_type = sniff_media_type(data[:SNIFF_BYTES], name)
    return finish_extraction(load_extractor(extractor_for(media_type))(data, name))


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
) -> tuple[bytes | None, bytes]:
    """Send one request line; read the reply line and the tail of stderr meanwhile.

    Returns:
        The reply line (without its newline), or None when the worker closed its output first
        (it died; it has then been waited for), and the tail of what it wrote to stderr.
    """
    deadline = time.monotonic() + timeout_s
    assert process.stdin is not None and process.stdout is not None
    assert process.stderr is not None
    try:
        process.stdin.write(request)
        process.stdin.flush()
    except BrokenPipeError:
        pass  # the worker died; its exit status says why
    reply = bytearray()
    stderr_tail = bytearray()
    with selectors.DefaultSelector() as selector:
        for stream in (process.stdout, process.stderr):
            selector.register(stream, selectors.EVENT_READ)
        while process.stdout in [key.fileobj for key in selector.get_map().values()]:
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
                    if reply.endswith(b"\n"):
                        return bytes(reply[:-1]), bytes(stderr_tail)
                else:
                    stderr_tail = (stderr_tail + chunk)[-_STDERR_TAIL_BYTES:]
        # Standard output closed without a whole reply: collect the rest of stderr and the
        # exit status.
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ExtractionLimit(f"{name}: extraction timed out after {timeout_s:g} s")
            for key, _ in selector.select(remaining):
                chunk = os.read(key.fd, _READ_CHUNK_BYTES)
                if not chunk:
                    selector.unregister(key.fileobj)
                else:
                    stderr_tail = (stderr_tail + chunk)[-_STDERR_TAIL_BYTES:]
    try:
        process.wait(timeout=max(deadline - time.monotonic(), 0))
    except subprocess.TimeoutExpired as exc:
        raise ExtractionLimit(f"{name}: extraction timed out after {timeout_s:g} s") from exc
    return None, bytes(stderr_tail)


def _death(returncode: int, stderr_tail: bytes, name: str, max_memory_bytes: int) -> ExtractError:
    if returncode < 0:
        return ExtractError(
            f"{name}: the extractor process died of {_signal_name(-returncode)} (a parser "
            f"crash, or memory exhausted under the {max_memory_bytes}-byte limit)"
        )
    last_line = stderr_tail.decode("utf-8", errors="replace").strip().rpartition("\n")[2]
    return ExtractError(
        f"{name}: the extractor process exited with status {returncode}: {last_line}"
    )


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the worker's process group; the worker itself is left for ``Popen`` to reap."""
    # ProcessLookupError: the worker and everything it started have exited.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
