"""Extractors that misbehave, for the runner tests: each is registered by a test only.

They live in an importable module because the worker process imports an extractor by name.
"""

from __future__ import annotations

import os
import signal
import time

from shiliao.model import Extraction, Page


def extract_slowly(data: bytes, name: str) -> Extraction:
    """Hang as a parser caught in a loop would."""
    time.sleep(120)
    return Extraction(pages=[Page(1, "")], method="text")


def extract_by_crashing(data: bytes, name: str) -> Extraction:
    """Die of a segmentation fault, as a C parser fed a crafted file may."""
    os.kill(os.getpid(), signal.SIGSEGV)
    time.sleep(10)
    return Extraction(pages=[Page(1, "")], method="text")


def extract_greedily(data: bytes, name: str) -> Extraction:
    """Ask for 8 GiB at once, as a decompression bomb does."""
    hoard = bytearray(8 * 1024**3)
    return Extraction(pages=[Page(1, str(len(hoard)))], method="text")


def extract_loudly(data: bytes, name: str) -> Extraction:
    """Print to standard output, as some C libraries do, then succeed."""
    print("warning from a parser library", flush=True)
    os.write(1, b"raw bytes on fd 1\n")
    return Extraction(pages=[Page(1, data.decode("utf-8"))], method="text")


def extract_with_broken_text(data: bytes, name: str) -> Extraction:
    """Return text with a lone surrogate and NUL, as a PDF with a broken ToUnicode map may."""
    return Extraction(pages=[Page(1, "国务院\ud800通知\x00第一号")], method="text")


def extract_pid(data: bytes, name: str) -> Extraction:
    """Say which process extracted the file, so tests can tell when a worker is reused."""
    return Extraction(pages=[Page(1, str(os.getpid()))], method="text")
