"""Public copies of originals: derived, never the original with a box on top.

The original stays in OCFL, untouched and verified; what the public gets is made anew from
what may be shown (research/privacy-and-editorial.md §2):

- **text** (HTML, plain text, Markdown, Word, a JSON-lines record, a web archive's page): the
  published text itself, with its placeholders, as UTF-8 (``text_copy``);
- **images**: decoded to pixels and encoded again (``image`` jobs), so that no EXIF, XMP, IPTC,
  GPS, ICC profile, comment or embedded thumbnail (which can hold the uncropped picture)
  survives; regions an editor marked are painted black first;
- **PDFs** with redactions: every page rendered to an image, each withheld string painted over
  where the page's text layer has it, and the images bound into a new PDF with no text layer,
  no metadata and no earlier revision (``pdf`` jobs). A withheld string that a page's text
  layer does not give (a scanned page, a name broken across lines) cannot be painted: the
  copy is then not made at all, and the page says so.

Image and PDF jobs parse untrusted files, so they run in a worker process
(``python -P -m shiliao.privacy.derive``) under an address-space limit and a timeout, as
extraction does; a file that crashes or hangs its worker gets no copy.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shiliao.workers import limit_memory, run_worker

__all__ = [
    "IMAGE_TYPES",
    "PublicCopy",
    "derive_in_worker",
    "store_copy",
    "text_copy",
]

IMAGE_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/tiff", "image/webp", "image/gif", "image/bmp"}
)
"""Media types whose public copy is the picture encoded again."""

_MAX_IMAGE_PIXELS = 100_000_000
_MAX_PDF_PAGES = 2000
_PDF_DPI = 150


@dataclass(frozen=True)
class PublicCopy:
    """A public copy, or why none could be made.

    Attributes:
        sha256: the copy's digest, or None when no copy was made.
        media_type: its media type, or None.
        size: its length in bytes, or None.
        note: how it was made ("text with 2 names withheld"), or why none was made.
    """

    sha256: str | None
    media_type: str | None
    size: int | None
    note: str


def store_copy(folder: Path, data: bytes) -> str:
    """Keep a copy's bytes in ``folder`` under their SHA-256 (``ab/abcdef...``), atomically.

    Returns:
        The digest, lowercase hex.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    target = folder / sha256[:2] / sha256
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp.name, target)
    return sha256


def text_copy(folder: Path, paragraphs: list[str], note: str) -> PublicCopy:
    """The public copy of a text: its published paragraphs, one per line, UTF-8.

    Args:
        folder: where copies are kept (``store_copy``).
        paragraphs: the text as published (placeholders in place).
        note: how it was made, for the source's page.

    Returns:
        The ``PublicCopy`` (``text/plain; charset=utf-8``).
    """
    data = ("\n\n".join(paragraphs) + "\n").encode("utf-8")
    sha256 = store_copy(folder, data)
    return PublicCopy(sha256, "text/plain; charset=utf-8", len(data), note)


def derive_in_worker(
    original: Path,
    job: dict[str, Any],
    folder: Path,
    *,
    timeout_s: float = 600,
    max_memory_bytes: int = 2 * 1024**3,
) -> PublicCopy:
    """Make the public copy of an image or a PDF in a worker process with limits.

    Args:
        original: the original's bytes, in a file.
        job: ``{"kind": "image", "regions": [[page, left, top, right, bottom], ...]}`` (a
            region in fractions of the picture's width and height, 0.0 to 1.0) or
            ``{"kind": "pdf", "strings": {"PAGE": [text, ...]}, "regions": [...]}`` (the
            withheld strings of each page, as the page's text gives them).
        folder: where copies are kept (``store_copy``).
        timeout_s: wall-clock seconds the worker may take; then it is killed.
        max_memory_bytes: the worker's address-space limit in bytes (``RLIMIT_AS``).

    Returns:
        The ``PublicCopy``: made, or, with ``sha256`` None, why not (the file could not be
        read, a string could not be located, the worker ran out of time or memory).
    """
    with tempfile.TemporaryDirectory(prefix="shiliao-derive-") as scratch:
        output = Path(scratch) / "copy"
        job_text = json.dumps(job, ensure_ascii=True)
        arguments = ["-m", "shiliao.privacy.derive", str(original), str(output), job_text]
        run = run_worker([*arguments, str(max_memory_bytes)], timeout_s)
        if run.timed_out:
            return PublicCopy(None, None, None, f"no copy: making it took over {timeout_s:g} s")
        try:
            reply = json.loads(run.stdout)
        except ValueError:
            return PublicCopy(
                None,
                None,
                None,
                f"no copy: the file could not be read (worker status {run.returncode})",
            )
        if "withheld" in reply:
            return PublicCopy(None, None, None, f"no copy: {reply['withheld']}")
        data = output.read_bytes()
        sha256 = store_copy(folder, data)
        return PublicCopy(sha256, reply["media_type"], len(data), reply["note"])


def _paint(image: Any, boxes: list[tuple[float, float, float, float]]) -> None:
    from PIL import ImageDraw

    draw = ImageDraw.Draw(image)
    for left, top, right, bottom in boxes:
        draw.rectangle([left, top, right, bottom], fill="black")


def _bare(image: Any) -> Any:
    """The same pixels in a new image: no info dictionary, EXIF, ICC profile or comment."""
    from PIL import Image

    mode = (
        image.mode if image.mode in ("RGB", "RGBA", "L") else "RGBA" if "A" in image.mode else "RGB"
    )
    pixels = image.convert(mode)
    return Image.frombytes(mode, pixels.size, pixels.tobytes())


def _image_copy(data: bytes, job: dict[str, Any]) -> tuple[bytes, str, str]:
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = _MAX_IMAGE_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        source = Image.open(io.BytesIO(data))
        frames = getattr(source, "n_frames", 1)
        picture = _bare(ImageOps.exif_transpose(source))
    width, height = picture.size
    regions = [r for r in job.get("regions", []) if int(r[0]) == 1]
    _paint(picture, [(r[1] * width, r[2] * height, r[3] * width, r[4] * height) for r in regions])
    out = io.BytesIO()
    if source.format == "JPEG" and picture.mode in ("RGB", "L"):
        picture.save(out, "JPEG", quality=92)
        media_type = "image/jpeg"
    else:
        picture.save(out, "PNG", optimize=True)
        media_type = "image/png"
    note = "the picture encoded again, with none of the original's metadata"
    if regions:
        note += f"; {len(regions)} region(s) painted over"
    if frames > 1:
        note += f"; the first of its {frames} frames"
    return out.getvalue(), media_type, note


class _NotLocated(Exception):
    """A withheld string was not found where it must be painted."""


def _pdf_copy(data: bytes, job: dict[str, Any]) -> tuple[bytes, str, str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    strings = {int(page): texts for page, texts in job.get("strings", {}).items()}
    regions = job.get("regions", [])
    scale = _PDF_DPI / 72
    pages = []
    painted = 0
    try:
        if len(document) > _MAX_PDF_PAGES:
            raise _NotLocated(f"it has more than {_MAX_PDF_PAGES} pages")
        for number in range(1, len(document) + 1):
            page = document[number - 1]
            try:
                image = _bare(page.render(scale=scale).to_pil())
                height = page.get_height()
                boxes = []
                if strings.get(number):
                    textpage = page.get_textpage()
                    try:
                        for text in strings[number]:
                            found = _locate(textpage, text)
                            if not found:
                                raise _NotLocated(
                                    f"a withheld text on page {number} is not in its text layer"
                                )
                            boxes += [
                                (
                                    x0 * scale,
                                    (height - y1) * scale,
                                    x1 * scale,
                                    (height - y0) * scale,
                                )
                                for x0, y0, x1, y1 in found
                            ]
                    finally:
                        textpage.close()
                for region in regions:
                    if int(region[0]) == number:
                        w, h = image.size
                        boxes.append((region[1] * w, region[2] * h, region[3] * w, region[4] * h))
                _paint(image, boxes)
                painted += len(boxes)
                pages.append(image.convert("RGB"))
            finally:
                page.close()
    finally:
        document.close()
    out = io.BytesIO()
    # No title, dates or producer: the same withheld places give the same bytes.
    pages[0].save(
        out,
        "PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=_PDF_DPI,
        title=None,
        creationDate=None,
        modDate=None,
    )
    note = (
        f"every page rendered as a picture at {_PDF_DPI} dpi, {painted} withheld place(s) "
        "painted over; no text layer and no metadata of the original"
    )
    return out.getvalue(), "application/pdf", note


def _locate(textpage: Any, text: str) -> list[tuple[float, float, float, float]]:
    """Boxes ``(left, bottom, right, top)`` in PDF points of every character of every
    occurrence of ``text`` on a page (PDFium's text search, case-insensitive)."""
    boxes = []
    searcher = textpage.search(text, match_case=False, match_whole_word=False)
    try:
        while (found := searcher.get_next()) is not None:
            index, count = found
            boxes += [textpage.get_charbox(i, loose=True) for i in range(index, index + count)]
    finally:
        searcher.close()
    return boxes


def _main(argv: list[str]) -> int:
    """The worker: ``ORIGINAL OUTPUT JOB_JSON MAX_MEMORY_BYTES``; one JSON object on stdout:
    ``{"media_type", "note"}`` (the copy is in OUTPUT) or ``{"withheld": reason}``."""
    original, output, job_text, max_memory = argv
    limit_memory(int(max_memory))
    job = json.loads(job_text)
    try:
        data = Path(original).read_bytes()
        made = _image_copy(data, job) if job["kind"] == "image" else _pdf_copy(data, job)
    except _NotLocated as exc:
        reply: dict[str, str] = {"withheld": str(exc)}
    except MemoryError:
        reply = {"withheld": "the file needs more memory than the limit to read"}
    except Exception as exc:  # a parser's own error, of any type: no copy, and why
        reply = {"withheld": f"the file could not be read ({type(exc).__name__})"}
    else:
        Path(output).write_bytes(made[0])
        reply = {"media_type": made[1], "note": made[2]}
    sys.stdout.write(json.dumps(reply, ensure_ascii=True))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
