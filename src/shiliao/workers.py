"""Short-lived worker processes for parsers of untrusted files.

A public copy (``privacy.derive``) and a figure of an essay (``publish.figures``) decode a file
from the archive with Pillow or pypdfium2: bytes nobody vetted. Each runs in a worker process of
its own, started here in a new session (so a timeout kills it with everything it started),
under a wall-clock limit, and the worker limits itself with ``limit_memory`` (an address-space
limit, no core file). A crash, a hang or a bomb ends the worker, never the build. Extraction
has its own pool (``extract.pool``), which keeps its workers for many files.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys
from dataclasses import dataclass

__all__ = ["WorkerRun", "limit_memory", "run_worker"]


@dataclass(frozen=True)
class WorkerRun:
    """How a worker ended.

    Attributes:
        stdout: what it wrote on its standard output (empty when it timed out).
        returncode: its exit status (negative: the signal that ended it), None when it timed
            out.
        timed_out: it ran past its time limit and was killed.
    """

    stdout: bytes
    returncode: int | None
    timed_out: bool


def run_worker(arguments: list[str], timeout_s: float) -> WorkerRun:
    """Run ``python -P ARGUMENTS...`` with this process's import path, and wait for it.

    Args:
        arguments: what follows the interpreter: a script's path or ``-m MODULE``, then its
            arguments.
        timeout_s: wall-clock seconds it may take; then its whole session is killed.

    Returns:
        A ``WorkerRun``. Its standard error is read and dropped (a parser's warnings).

    Raises:
        OSError: the interpreter cannot be started.
    """
    command = [sys.executable, "-P", *arguments]
    # -P leaves the script's folder off the path; the worker imports what this process can.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(entry for entry in sys.path if entry))
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True
    ) as process:
        try:
            out, _ = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return WorkerRun(b"", None, True)
    return WorkerRun(out, process.returncode, False)


def limit_memory(max_memory_bytes: int) -> None:
    """In a worker: limit this process's address space (``RLIMIT_AS``) to ``max_memory_bytes``
    (or the hard limit already set, when lower) and write no core file.

    Raises:
        ValueError, OSError: the limit cannot be set (``resource.setrlimit``'s errors).
    """
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = max_memory_bytes if hard == resource.RLIM_INFINITY else min(max_memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
