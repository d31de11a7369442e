"""Extracting many files at once: serially, on a pool of local workers, or on a Dask cluster.

Every file is parsed in a worker process (``runner.ExtractionWorker``) under its limits, a
worker serving up to ``Limits.files_per_worker`` files before it is replaced (at once after any
failure); this module only decides how many run at once and where. Results come back in the
order of the jobs, whatever order they finish in, so the single writer that stores them (the
pipeline) does the same work in the same order however extraction ran: serial,
``workers=N`` and a Dask cluster give equal results.

- ``workers=N``: N threads, each driving its own worker process (the process is the unit of
  parallelism; threads only wait).
- ``dask="local"``: a ``distributed.LocalCluster`` of ``workers`` single-threaded worker
  processes on this machine; ``dask="tcp://host:8786"``: an existing cluster. The file's bytes
  travel to the Dask worker (no shared file system is assumed), which writes them to a
  temporary file and extracts it with a worker process kept by that Dask worker's thread; the
  reply travels back as plain data (``wire.extraction_to_data``). The Dask workers need shiliao installed, with Tesseract for
  Uyghur OCR.

At most twice as many jobs as there are workers are in flight, so memory does not grow with the
batch: a batch of a million files holds a handful in memory at a time.
"""

from __future__ import annotations

import importlib.util
import logging
import tempfile
import threading
from collections import deque
from collections.abc import Hashable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path, PurePath
from typing import Any, TypeVar

from shiliao.errors import ConfigError, ExtractError
from shiliao.extract.runner import ERROR_TYPES, ExtractionWorker
from shiliao.extract.wire import extraction_from_data, extraction_to_data
from shiliao.model import Extraction

__all__ = ["Limits", "extract_many", "require_dask"]

K = TypeVar("K", bound=Hashable)

_IN_FLIGHT_PER_WORKER = 2
# On a Dask worker: each of its threads' ExtractionWorker, kept between tasks. Its process
# ends when the Dask worker's does (its standard input closes).
_DASK_THREAD = threading.local()
_DASK_WORKER_MEMORY = "2GiB"


@dataclass(frozen=True)
class Limits:
    """The limits each file is extracted under (see ``runner.extract_file``).

    Attributes:
        timeout_s: wall-clock seconds per file, worker start-up included. OCR takes about
            5-10 s per page on two cores, so scanned documents need more than the default.
        max_memory_bytes: the worker's address-space limit (``RLIMIT_AS``), in bytes.
        max_output_bytes: the most bytes of reply accepted, in bytes.
        files_per_worker: files a worker process extracts before a fresh one replaces it
            (it is replaced at once after a failure, or when its memory passes half the
            limit); 1 for a fresh process per file.
    """

    timeout_s: float = 60
    max_memory_bytes: int = 2 * 1024**3
    max_output_bytes: int = 256 * 1024**2
    files_per_worker: int = 100

    def worker(self) -> ExtractionWorker:
        """A new ``ExtractionWorker`` under these limits."""
        return ExtractionWorker(
            timeout_s=self.timeout_s,
            max_memory_bytes=self.max_memory_bytes,
            max_output_bytes=self.max_output_bytes,
            max_files=self.files_per_worker,
        )


def extract_many(
    jobs: Iterable[tuple[K, Path, str | None]],
    *,
    workers: int = 1,
    dask: str | None = None,
    limits: Limits | None = None,
) -> Iterator[tuple[K, Extraction | ExtractError]]:
    """Extract many files, in parallel when asked, yielding results in the order of the jobs.

    Args:
        jobs: ``(key, path, media_type)`` for each file; ``key`` is the caller's (a source id,
            a digest) and comes back with the result; ``media_type`` None means sniff it.
        workers: how many files are extracted at once (threads locally, worker processes in
            a local Dask cluster); 1 extracts one file after the other in this thread.
        dask: None to run locally; ``"local"`` to start a ``LocalCluster`` of ``workers``
            processes for this call; otherwise the address of a Dask scheduler
            (``"tcp://10.0.0.5:8786"``), whose workers are all used.
        limits: the per-file limits; None for ``Limits()``.

    Yields:
        ``(key, result)`` per job in job order: the ``Extraction``, or the ``ExtractError``
        (``UnsupportedFormat``, ``EncryptedDocument``, ``ExtractionLimit`` or the base class)
        that says why the file gave none. One file's failure never stops the others.

    Raises:
        ValueError: ``workers`` is less than 1.
        ImportError: ``dask`` is given and ``distributed`` is not installed (the ``dask``
            extra).
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    limits = limits or Limits()
    if dask is not None:
        yield from _on_dask(jobs, dask, workers, limits)
        return
    local = threading.local()
    started: list[ExtractionWorker] = []

    def extract(path: Path, media_type: str | None) -> Extraction | ExtractError:
        if not hasattr(local, "worker"):
            local.worker = limits.worker()
            started.append(local.worker)
        return _extract_or_error(local.worker, path, media_type)

    try:
        if workers == 1:
            for key, path, media_type in jobs:
                yield key, extract(path, media_type)
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="extract") as pool:
                submitted = (
                    (key, pool.submit(extract, path, media_type)) for key, path, media_type in jobs
                )
                for key, future in _in_order(submitted, workers * _IN_FLIGHT_PER_WORKER):
                    yield key, future.result()
    finally:
        for worker in started:
            worker.close()


def _extract_or_error(
    worker: ExtractionWorker, path: Path, media_type: str | None
) -> Extraction | ExtractError:
    try:
        # Opened here first so that an unreadable file fails alike in every mode (Dask
        # reads the bytes in this process).
        Path(path).open("rb").close()
        return worker.extract(path, media_type)
    except OSError as exc:
        return _unreadable(Path(path), exc)
    except ExtractError as exc:
        return exc


def _unreadable(path: Path, exc: OSError) -> ExtractError:
    return ExtractError(f"{path.name}: cannot be read ({exc.strerror or exc})")


def _in_order(submitted: Iterator[tuple[K, Any]], window: int) -> Iterator[tuple[K, Any]]:
    """Keep ``window`` futures in flight; hand them back in submission order."""
    pending: deque[tuple[K, Any]] = deque()
    for item in submitted:
        pending.append(item)
        if len(pending) >= window:
            yield pending.popleft()
    yield from pending


def _on_dask(
    jobs: Iterable[tuple[K, Path, str | None]], address: str, workers: int, limits: Limits
) -> Iterator[tuple[K, Extraction | ExtractError]]:
    require_dask()
    from distributed import Client, LocalCluster

    if address == "local":
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            memory_limit=_DASK_WORKER_MEMORY,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
    else:
        cluster = None
        try:
            client = Client(address, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise ConfigError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    try:
        window = max(len(client.scheduler_info()["workers"]), 1) * _IN_FLIGHT_PER_WORKER
        submitted = (
            (key, _submit(client, path, media_type, limits)) for key, path, media_type in jobs
        )
        for key, future in _in_order(submitted, window):
            yield key, _from_dask(future)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def require_dask() -> None:
    """Check that Dask's ``distributed`` package, an optional dependency, is installed.

    Raises:
        ConfigError: it is not; the message says how to install it.
    """
    if importlib.util.find_spec("distributed") is None:
        raise ConfigError(
            "--dask needs Dask's distributed package: pip install 'shiliao[dask]' (on every "
            "Dask worker too)"
        )


def _submit(client: Any, path: Path, media_type: str | None, limits: Limits) -> Future[Any] | Any:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _unreadable(path, exc)
    # pure=False: two jobs with equal bytes are still two tasks, each with its own result.
    return client.submit(extract_remote, data, path.name, media_type, asdict(limits), pure=False)


def _from_dask(future: Any) -> Extraction | ExtractError:
    if isinstance(future, ExtractError):
        return future
    try:
        reply = future.result()
    except Exception as exc:  # a Dask worker lost or killed: the file's failure, not the batch's
        return ExtractError(f"the Dask task failed: {type(exc).__name__}: {exc}")
    if "error" in reply:
        return ERROR_TYPES.get(reply["error"]["type"], ExtractError)(reply["error"]["message"])
    return extraction_from_data(reply["extraction"])


def extract_remote(
    data: bytes, name: str, media_type: str | None, limits: dict[str, Any]
) -> dict[str, Any]:
    """Extract one file on a Dask worker: the task ``extract_many`` submits.

    Each thread of the Dask worker keeps its own ``ExtractionWorker`` between tasks (so OCR
    models stay loaded), made with the limits of the first task it runs.

    Args:
        data: the file's bytes.
        name: its name (its extension helps sniffing; only the last component is used).
        media_type: its media type, or None to sniff it.
        limits: ``Limits`` as a dict.

    Returns:
        ``{"extraction": <wire data>}`` or ``{"error": {"type": str, "message": str}}``.
    """
    if not hasattr(_DASK_THREAD, "worker"):
        _DASK_THREAD.worker = Limits(**limits).worker()
    with tempfile.TemporaryDirectory(prefix="shiliao-extract-") as folder:
        path = Path(folder) / (PurePath(name).name or "file")
        path.write_bytes(data)
        try:
            extraction = _DASK_THREAD.worker.extract(path, media_type)
        except ExtractError as exc:
            return {"error": {"type": type(exc).__name__, "message": str(exc)}}
    return {"extraction": extraction_to_data(extraction)}
