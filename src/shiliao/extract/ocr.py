"""OCR of page images: RapidOCR for Chinese and English, Tesseract for Uyghur in Arabic script.

Engines, both offline:

- RapidOCR 3.x (Apache-2.0) with onnxruntime (MIT): PaddleOCR's PP-OCR detection and
  recognition models, shipped inside the ``rapidocr`` wheel; reads Simplified and Traditional
  Chinese, English and digits; one confidence per line. Measured on 200-dpi renders of the
  PRC Constitution: character accuracy 1.0 at 5-7 s per page on two cores
  (``research/performance.md`` §5 has 0.99 at 4.4 s on other pages).
- Tesseract 5 (Apache-2.0) with Debian's ``tesseract-ocr-uig`` model, run as
  ``/usr/bin/tesseract`` with ``OMP_THREAD_LIMIT=1`` (its OpenMP threads oversubscribe small
  machines and make it 6x slower, §5); per-word confidences, averaged per line.

How the script is chosen: RapidOCR always reads the page first. Its detector barely finds
Arabic-script lines and its recognizer cannot read them (it makes a few Latin letters of one,
at confidence 0.5-0.65), so Arabic-script text shows up as ink outside every line read with
confidence 0.8 or more. When more than a tenth of the page's dark pixels lie outside those
lines, Tesseract reads the page with the Uyghur model as well; each line it reads that is
mostly Arabic script, with a mean confidence of at least 0.6, joins the page in reading order,
in place of any RapidOCR line it overlaps that was read with less confidence. A page of
Chinese print costs one engine; a bilingual notice, a Uyghur page or a busy photo costs both.
Without Tesseract installed, Arabic-script text is left unread and the page says so (see
``OcrPage.warnings``).

Vertical writing. RapidOCR reads a column of Chinese as one tall line, and gives the lines of
a page top to bottom. When most of the lines read (of two characters or more) are columns, at
least half again as tall as wide, the page is vertical: its lines are put in the order of
``columns.read_vertical`` (bands top first, columns right to left) and joined as columns.

Every line keeps its engine and confidence: OCR text is machine-read and is shown as such.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from shiliao.errors import ExtractError
from shiliao.extract.columns import Piece, read_vertical
from shiliao.extract.language import detect_language
from shiliao.extract.paragraphs import Line, join_lines

__all__ = ["OCR_DPI", "OcrLine", "OcrPage", "ocr_image"]

OCR_DPI = 200
"""Resolution at which PDF pages without text are rendered for OCR, in dots per inch: enough
for 0.98+ character accuracy on print (``research/performance.md`` §5), 2.2 Mpixel for A4."""

# The longest side an image is read at, in pixels. RapidOCR's detector scales to 2000 pixels
# anyway; its recognizer works on crops of the image as given, so a 48-Mpixel phone photo
# would cost memory (the worker runs under an address-space limit) and no accuracy.
_MAX_SIDE = 4000
# Gray levels below this are ink.
_INK_LEVEL = 128
# RapidOCR lines read with less confidence may be Arabic script it misread.
_TRUSTED_CONFIDENCE = 0.8
# Tesseract reads the page too when this share of the ink lies outside trusted lines.
_UNREAD_INK_SHARE = 0.1
# Pixels added around each RapidOCR line box before counting the ink outside the boxes.
_BOX_MARGIN = 4
_MIN_TESSERACT_CONFIDENCE = 0.6
_TESSERACT_TIMEOUT_S = 300
_ARABIC_SCRIPT = frozenset({"ug-Arab", "und-Arab"})
# A line this many times as tall as wide is a column of vertical writing.
_COLUMN_ASPECT = 1.5


@dataclass(frozen=True)
class OcrLine:
    """One line of text read from an image.

    Attributes:
        text: the line as the engine read it.
        confidence: the engine's confidence, 0.0 to 1.0 (Tesseract's word confidences, 0 to
            100, are averaged and divided by 100).
        box: ``(left, top, right, bottom)`` in pixels of the image as read (after EXIF
            rotation and any downscaling to 4000 pixels on the long side).
        engine: ``"rapidocr"`` or ``"tesseract-uig"``.
    """

    text: str
    confidence: float
    box: tuple[int, int, int, int]
    engine: str

    def as_metadata(self, page: int) -> dict[str, Any]:
        """The line as an ``ocr_lines`` entry: ``{page, text, confidence, box, engine}``."""
        return {
            "page": page,
            "text": self.text,
            "confidence": round(self.confidence, 4),
            "box": list(self.box),
            "engine": self.engine,
        }


@dataclass(frozen=True)
class OcrPage:
    """What OCR read on one page image.

    Attributes:
        lines: the lines in reading order (top to bottom, RapidOCR's order within a row; for
            vertical writing, columns right to left).
        text: the lines joined into paragraphs (see ``paragraphs.join_lines``), separated by
            ``"\\n"``; empty when nothing was read.
        warnings: what could not be done, e.g. that Tesseract is missing and Arabic-script
            text may be unread.
    """

    lines: list[OcrLine]
    text: str
    warnings: list[str] = field(default_factory=list)


def ocr_image(image: Image.Image, *, dpi: int | None = None) -> OcrPage:
    """Read the text of one page image.

    Args:
        image: any Pillow image (mode converted as needed); EXIF rotation must already be
            applied.
        dpi: its resolution when known (a rendered PDF page), which Tesseract uses to judge
            text size; None to let it estimate.

    Returns:
        The lines read and the page text (see the module docstring for how engines are
        chosen).

    Raises:
        ExtractError: Tesseract failed on the image (it exits non-zero, or exceeds 300 s).
    """
    image = _bounded(image.convert("RGB"))
    lines = _rapidocr_lines(image)
    warnings: list[str] = []
    gray = np.asarray(image.convert("L"))
    trusted = [line for line in lines if line.confidence >= _TRUSTED_CONFIDENCE]
    if _unread_ink_share(gray, trusted) > _UNREAD_INK_SHARE:
        if _tesseract() is None:
            warnings.append(
                "text outside the lines read may be Uyghur; Tesseract (tesseract-ocr-uig) "
                "is not installed to read it"
            )
        else:
            lines = _merged(lines, _tesseract_lines(image, dpi))
    if _is_vertical(lines):
        pieces = [Piece(line.text, *line.box, vertical=_is_column(line)) for line in lines]
        order, paragraphs = read_vertical(pieces)
        lines = [lines[index] for index in order]
    else:
        paragraphs = join_lines(
            [Line(line.text, line.box[0], line.box[2], line.box[3] - line.box[1]) for line in lines]
        )
    return OcrPage(lines=lines, text="\n".join(paragraphs), warnings=warnings)


def _is_column(line: OcrLine) -> bool:
    left, top, right, bottom = line.box
    return len(line.text) >= 2 and bottom - top >= _COLUMN_ASPECT * (right - left)


def _is_vertical(lines: list[OcrLine]) -> bool:
    """Whether most lines of two characters or more are columns."""
    long_lines = [line for line in lines if len(line.text) >= 2]
    return sum(map(_is_column, long_lines)) * 2 > len(long_lines)


def _bounded(image: Image.Image) -> Image.Image:
    longest = max(image.size)
    if longest <= _MAX_SIDE:
        return image
    scale = _MAX_SIDE / longest
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


@functools.cache
def _rapidocr_engine() -> Any:
    # Imported here: onnxruntime and the models take a second to load, which text-only
    # extraction in the same worker should not pay.
    from rapidocr import RapidOCR

    return RapidOCR(params={"Global.log_level": "error"})


def _rapidocr_lines(image: Image.Image) -> list[OcrLine]:
    # RapidOCR takes arrays in OpenCV's BGR channel order.
    result = _rapidocr_engine()(np.asarray(image)[:, :, ::-1])
    if result.boxes is None or result.txts is None:
        return []
    lines = []
    for box, text, score in zip(result.boxes, result.txts, result.scores, strict=True):
        xs, ys = box[:, 0], box[:, 1]
        bounds = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
        if text.strip():
            lines.append(OcrLine(text.strip(), float(score), bounds, "rapidocr"))
    return lines


def _unread_ink_share(gray: np.ndarray, lines: list[OcrLine]) -> float:
    ink = gray < _INK_LEVEL
    total = int(ink.sum())
    if total == 0:
        return 0.0
    read = np.zeros_like(ink)
    for left, top, right, bottom in (line.box for line in lines):
        read[
            max(top - _BOX_MARGIN, 0) : bottom + _BOX_MARGIN,
            max(left - _BOX_MARGIN, 0) : right + _BOX_MARGIN,
        ] = True
    return int((ink & ~read).sum()) / total


@functools.cache
def _tesseract() -> str | None:
    path = shutil.which("tesseract")
    if path is None:
        return None
    listed = subprocess.run(
        [path, "--list-langs"], capture_output=True, text=True, timeout=60, check=False
    )
    return path if "uig" in listed.stdout.split() else None


def _tesseract_lines(image: Image.Image, dpi: int | None) -> list[OcrLine]:
    """Arabic-script lines Tesseract's Uyghur model reads with confidence, in page order."""
    executable = _tesseract()
    assert executable is not None
    png = io.BytesIO()
    image.convert("L").save(png, format="PNG")
    command = [executable, "stdin", "stdout", "-l", "uig", "--psm", "3"]
    if dpi is not None:
        command += ["--dpi", str(dpi)]
    try:
        done = subprocess.run(
            [*command, "tsv"],
            input=png.getvalue(),
            capture_output=True,
            timeout=_TESSERACT_TIMEOUT_S,
            env=dict(os.environ, OMP_THREAD_LIMIT="1"),
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ExtractError(f"tesseract ran past {_TESSERACT_TIMEOUT_S} s") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().rpartition("\n")[2]
        raise ExtractError(f"tesseract failed (status {done.returncode}): {message}")
    return _lines_from_tsv(done.stdout.decode("utf-8", "replace"))


def _lines_from_tsv(tsv: str) -> list[OcrLine]:
    """Group Tesseract's TSV words (level 5) into lines and keep the good Arabic-script ones."""
    words: dict[tuple[str, str, str, str], list[dict[str, str]]] = defaultdict(list)
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") == "5" and (row.get("text") or "").strip():
            key = (row["page_num"], row["block_num"], row["par_num"], row["line_num"])
            words[key].append(row)
    lines = []
    for group in words.values():
        text = " ".join(word["text"].strip() for word in group)
        confidence = sum(float(word["conf"]) for word in group) / len(group) / 100
        if confidence < _MIN_TESSERACT_CONFIDENCE or detect_language(text) not in _ARABIC_SCRIPT:
            continue
        left = min(int(word["left"]) for word in group)
        top = min(int(word["top"]) for word in group)
        right = max(int(word["left"]) + int(word["width"]) for word in group)
        bottom = max(int(word["top"]) + int(word["height"]) for word in group)
        lines.append(OcrLine(text, confidence, (left, top, right, bottom), "tesseract-uig"))
    return lines


def _merged(first: list[OcrLine], second: list[OcrLine]) -> list[OcrLine]:
    """RapidOCR's lines in their order, with Tesseract's inserted by their top edge.

    Where lines of the two overlap, the more confident wins: RapidOCR reads an Arabic-script
    line as a few Latin letters or digits at 0.5-0.65, where Tesseract's Uyghur model reads it
    at 0.8-0.95; on Chinese print RapidOCR's 0.95-1.0 wins over whatever Tesseract makes of it.
    """
    extra = []
    for line in second:
        rivals = [other for other in first if _overlap(line, other)]
        if all(other.confidence < line.confidence for other in rivals):
            first = [other for other in first if other not in rivals]
            extra.append(line)
    extra.sort(key=lambda line: line.box[1])
    merged: list[OcrLine] = []
    for line in first:
        while extra and extra[0].box[1] < line.box[1]:
            merged.append(extra.pop(0))
        merged.append(line)
    return merged + extra


def _overlap(one: OcrLine, other: OcrLine) -> bool:
    """Whether two boxes share at least half the height of the lower one and any width."""
    left = max(one.box[0], other.box[0])
    right = min(one.box[2], other.box[2])
    top = max(one.box[1], other.box[1])
    bottom = min(one.box[3], other.box[3])
    lower = min(one.box[3] - one.box[1], other.box[3] - other.box[1])
    return right > left and bottom - top >= lower / 2
