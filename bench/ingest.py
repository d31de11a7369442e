"""Benchmark: shiliao's extraction (a limited worker process per file) against the bare libraries.

Run by hand, not in CI, from the repository root (needs the ``dask`` extra for psutil)::

    PYTHONPATH=src python bench/ingest.py --quick                 # about two minutes
    PYTHONPATH=src python bench/ingest.py --memory-mb 1024        # the 1 GB memory run

What it measures, each beside the same work done by the library alone in this process:

- text PDFs: pages per second of ``extract_many`` over copies of the PRC Constitution
  (``../shared/fixtures/real/pdf``, 31 pages) and over one 310-page PDF made of ten copies of
  it, against pypdfium2 opening each file and calling ``get_text_range`` on every page;
- OCR: seconds per page of ``extract_file`` on an image-only PDF of 200-dpi scans of the
  Constitution's pages, against RapidOCR alone on the same renders (engine built and warmed
  up first, as in research/performance.md §5);
- HTML: documents per second of ``extract_many`` over the three real web pages, against
  ``trafilatura.extract`` on the same bytes;
- peak memory (RSS of this process and every worker it starts, summed, sampled every 20 ms)
  while ``extract_many`` ingests ``--memory-mb`` megabytes of PDFs (hard links to the
  Constitution, so the disk holds one copy); measured first, before this process loads an
  OCR model or renders pages for the other measurements.

Each ratio is the library's rate divided by shiliao's: 1.0 means no overhead. shiliao's side
includes a fresh worker process per file (Python start-up, imports, JSON reply), cleaning the
text, joining lines into paragraphs and telling the language. The machine is shared: the load
average is printed with the machine line.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import numpy as np
import psutil
import pypdfium2 as pdfium

from shiliao.errors import ExtractError
from shiliao.extract import extract_file
from shiliao.extract.ocr import OCR_DPI
from shiliao.extract.pool import Limits, extract_many

REAL = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "real"
CONSTITUTION = REAL / "pdf" / "prc-constitution-2018-text-layer.pdf"
HTML_PAGES = sorted((REAL / "html").glob("*.html"))
SAMPLE_INTERVAL_S = 0.02


def machine_line() -> str:
    """Platform, cores, load and the versions that decide the figures."""
    versions = " ".join(
        f"{name}={metadata.version(name)}"
        for name in ("pypdfium2", "rapidocr", "onnxruntime", "trafilatura")
    )
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"machine: platform={platform.platform()} nproc={len(os.sched_getaffinity(0))} "
        f"python={platform.python_version()} {versions} loadavg={load}"
    )


def raw_pdf_pages(paths: list[Path]) -> int:
    """pypdfium2 alone: open each file, the text of every page; returns the pages read."""
    pages = 0
    for path in paths:
        document = pdfium.PdfDocument(path.read_bytes())
        for page in document:
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
            pages += 1
        document.close()
    return pages


def shiliao_pages(paths: list[Path], workers: int) -> int:
    """``extract_many`` over the files; returns the pages extracted (fails on any error)."""
    pages = 0
    jobs = [(path, path, None) for path in paths]
    for path, result in extract_many(jobs, workers=workers, limits=Limits(timeout_s=600)):
        if isinstance(result, ExtractError):
            raise SystemExit(f"{path}: {result}")
        pages += len(result.pages)
    return pages


def rate(work: Callable[[], int]) -> tuple[float, int]:
    """Units per second of ``work`` (which returns how many units it did), and the units."""
    started = time.perf_counter()
    units = work()
    return units / (time.perf_counter() - started), units


def ten_copies(folder: Path) -> Path:
    """One PDF made of ten copies of the Constitution (310 pages)."""
    source = pdfium.PdfDocument(CONSTITUTION)
    made = pdfium.PdfDocument.new()
    for _ in range(10):
        made.import_pages(source)
    path = folder / "constitution-x10.pdf"
    with path.open("wb") as out:
        made.save(out)
    return path


def bench_text_pdfs(folder: Path, copies: int, workers: int) -> None:
    paths = []
    for number in range(copies):
        path = folder / f"text-{number}.pdf"
        os.link(CONSTITUTION, path)
        paths.append(path)
    big = [ten_copies(folder)]
    for label, files in ((f"{copies} x 31-page PDFs", paths), ("1 x 310-page PDF", big)):
        raw, pages = rate(lambda files=files: raw_pdf_pages(files))
        for count in sorted({1, workers}):
            ours, _ = rate(lambda files=files, count=count: shiliao_pages(files, count))
            print(
                f"text PDF  {label:22} workers={count}: shiliao {ours:8.1f} pages/s  "
                f"pypdfium2 {raw:8.1f} pages/s  ratio {raw / ours:5.2f}  ({pages} pages)"
            )


def bench_ocr(folder: Path, pages: int) -> None:
    from rapidocr import RapidOCR

    source = pdfium.PdfDocument(CONSTITUTION)
    renders = []
    made = pdfium.PdfDocument.new()
    for index in range(1, pages + 1):
        page = source[index]
        width, height = page.get_size()
        bitmap = page.render(scale=OCR_DPI / 72, grayscale=True)
        renders.append(bitmap.to_pil().convert("RGB"))
        scan = made.new_page(width, height)
        image = pdfium.PdfImage.new(made)
        image.set_bitmap(bitmap)
        image.set_matrix(pdfium.PdfMatrix().scale(width, height))
        scan.insert_obj(image)
        scan.gen_content()
    path = folder / "scan.pdf"
    buffer = io.BytesIO()
    made.save(buffer)
    path.write_bytes(buffer.getvalue())

    engine = RapidOCR(params={"Global.log_level": "error"})
    engine(np.asarray(renders[0])[:, :, ::-1])  # warm-up
    raw_times = []
    for render in renders:
        started = time.perf_counter()
        engine(np.asarray(render)[:, :, ::-1])
        raw_times.append(time.perf_counter() - started)
    started = time.perf_counter()
    extraction = extract_file(path, timeout_s=600 + 60 * pages)
    ours = (time.perf_counter() - started) / len(extraction.pages)
    raw = statistics.mean(raw_times)
    print(
        f"OCR       {pages} scanned pages at {OCR_DPI} dpi: shiliao {ours:6.2f} s/page  "
        f"RapidOCR {raw:6.2f} s/page (median {statistics.median(raw_times):.2f})  "
        f"ratio {ours / raw:5.2f}"
    )


def bench_html(repeats: int, workers: int) -> None:
    import trafilatura

    files = HTML_PAGES * repeats
    data = [path.read_bytes() for path in files]

    def raw() -> int:
        for page in data:
            trafilatura.extract(page, favor_precision=True)
        return len(data)

    def ours(count: int) -> int:
        jobs = [(number, path, "text/html") for number, path in enumerate(files)]
        for number, result in extract_many(jobs, workers=count):
            if isinstance(result, ExtractError):
                raise SystemExit(f"{files[number]}: {result}")
        return len(files)

    raw_rate, documents = rate(raw)
    for count in sorted({1, workers}):
        our_rate, _ = rate(lambda count=count: ours(count))
        print(
            f"HTML      {documents} pages workers={count}: shiliao {our_rate:7.2f} docs/s  "
            f"trafilatura {raw_rate:7.2f} docs/s  ratio {raw_rate / our_rate:5.2f}"
        )


def bench_memory(folder: Path, megabytes: int, workers: int) -> None:
    size = CONSTITUTION.stat().st_size
    count = max(1, megabytes * 1024**2 // size)
    paths = []
    for number in range(count):
        path = folder / f"mem-{number}.pdf"
        os.link(CONSTITUTION, path)
        paths.append(path)
    peak = peak_workers = 0
    done = threading.Event()
    me = psutil.Process()

    def sample() -> None:
        nonlocal peak, peak_workers
        while not done.is_set():
            workers_rss = 0
            for process in me.children(recursive=True):
                # A worker may exit between the listing and the reading.
                with contextlib.suppress(psutil.Error):
                    workers_rss += process.memory_info().rss
            peak = max(peak, me.memory_info().rss + workers_rss)
            peak_workers = max(peak_workers, workers_rss)
            time.sleep(SAMPLE_INTERVAL_S)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    pages = shiliao_pages(paths, workers)
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    print(
        f"memory    {count * size / 1024**2:.0f} MB of PDFs ({count} files, {pages} pages) "
        f"workers={workers}: peak RSS {peak / 1024**2:.0f} MB (this process and its workers; "
        f"the workers {peak_workers / 1024**2:.0f} MB), {pages / elapsed:.1f} pages/s"
    )


def main(argv: list[str] | None = None) -> None:
    """Parse the flags, run the benchmarks and print the machine line and the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdf-copies", type=int, default=40, help="31-page PDFs to extract")
    parser.add_argument("--ocr-pages", type=int, default=5, help="scanned pages to OCR")
    parser.add_argument("--html-repeats", type=int, default=10, help="times each page is read")
    parser.add_argument("--memory-mb", type=int, default=1024, help="MB of PDFs to ingest")
    parser.add_argument("--workers", type=int, default=2, help="parallel extractions")
    parser.add_argument(
        "--quick", action="store_true", help="small sizes: 10 PDFs, 2 OCR pages, 3 repeats, 100 MB"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.pdf_copies, args.ocr_pages, args.html_repeats, args.memory_mb = 10, 2, 3, 100
    print(machine_line())
    folder = Path(tempfile.mkdtemp(prefix="shiliao-bench-"))
    try:
        # First, while this process holds no OCR model, renders or parsed pages of its own.
        bench_memory(folder, args.memory_mb, args.workers)
        bench_text_pdfs(folder, args.pdf_copies, args.workers)
        bench_ocr(folder, args.ocr_pages)
        bench_html(args.html_repeats, args.workers)
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
