"""Figures of essays: web images derived from archived sources.

An essay's figure names an archived source and, optionally, what of it to show
(``docs/essays.md``)::

    source:ID                          the source's own picture
    source:ID#page=3                   page 3 of its PDF, rendered
    source:ID#page=3&region=x,y,w,h    a region of it: left, top, width and height as
                                       fractions (0 to 1) of the page or picture
    source:ID#image=https://…/a.jpg    a picture captured in its web archive (the WARC
                                       record whose target URI is that address)

The picture is read only from the files the site is built from (the public projection's: an
original that may be offered, or the public copy derived from it), decoded to pixels, cropped,
scaled down so that its longer side is at most ``MAX_SIDE`` pixels and encoded again (JPEG,
or PNG for a picture with transparency), so that no EXIF, XMP, ICC profile,
comment or thumbnail of the file reaches the site. The result is named by the SHA-256 of the
input's digest and the request (``figures/<digest>.<ext>``): an unchanged figure is the same
file in every build.

Decoding a file from the archive parses untrusted bytes, so it runs in a worker process
(``python -P .../publish/figures.py``) under an address-space limit and a timeout, as
``privacy.derive`` does; Pillow's decompression-bomb limit refuses pictures of more than
``MAX_PIXELS`` pixels. A failure is a reason, never an exception: the essay shows the caption
and the build warns.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

from shiliao.errors import BlobNotFound
from shiliao.model import Publication
from shiliao.store import BlobStore, Catalog
from shiliao.workers import limit_memory, run_worker

__all__ = [
    "MAX_PIXELS",
    "MAX_SIDE",
    "FigureImage",
    "FigureMaker",
    "FigureRequest",
    "derive_figure",
    "parse_figure_target",
]

MAX_SIDE = 1600
"""The longest side of a figure's web image, in pixels."""
MAX_PIXELS = 100_000_000
"""Pillow's decompression-bomb limit for the pictures figures are made from."""
# Part of every figure's name: raise it when the same request starts to give other bytes.
_RECIPE = 1
_MAX_PDF_SCALE = 6.0
_TIMEOUT_S = 120
_MAX_MEMORY_BYTES = 2 * 1024**3
_WARC_TYPES = frozenset({"application/warc", "application/warc+gzip"})
_COPY_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class FigureRequest:
    """What of a source a figure shows.

    Attributes:
        source_id: the archived source.
        page: the PDF page (1-based), or None (a PDF's first page; a picture itself).
        region: ``(left, top, width, height)`` in fractions of the page or picture, or None.
        image_url: for a web archive, the captured address of the picture, or None.
    """

    source_id: str
    page: int | None = None
    region: tuple[float, float, float, float] | None = None
    image_url: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The request as the worker and the file name's digest take it."""
        return {
            "page": self.page,
            "region": list(self.region) if self.region else None,
            "image_url": self.image_url,
        }


@dataclass(frozen=True)
class FigureImage:
    """A figure's web image, written in the site.

    Attributes:
        path: root-relative path (``figures/<sha256>.jpg``).
        width: in pixels.
        height: in pixels.
    """

    path: str
    width: int
    height: int


def parse_figure_target(target: str) -> FigureRequest | str:
    """Read the ``source:ID#...`` address of a figure.

    Args:
        target: the image's URL as the essay writes it (percent-escapes allowed).

    Returns:
        A ``FigureRequest``, or the reason the address is not one (a sentence for a warning).
    """
    if not target.startswith("source:"):
        return "a figure's address must be source:ID"
    source_id, _, fragment = unquote(target[len("source:") :]).partition("#")
    if not source_id:
        return "a figure's address names no source"
    page: int | None = None
    region: tuple[float, float, float, float] | None = None
    image_url: str | None = None
    if fragment.startswith("image="):
        # The address may hold "&" and "=" of its own: everything after image= is the address.
        image_url = fragment[len("image=") :]
        if not image_url:
            return "image= gives no address"
        return FigureRequest(source_id, image_url=image_url)
    for key, value in parse_qsl(fragment, keep_blank_values=True):
        if key == "page":
            if not value.isdigit() or int(value) < 1:
                return f"page={value} is not a page number"
            page = int(value)
        elif key == "region":
            parts = value.split(",")
            try:
                numbers = tuple(float(part) for part in parts)
            except ValueError:
                numbers = ()
            if len(numbers) != 4:
                return f"region={value} must be four numbers: left,top,width,height"
            left, top, width, height = numbers
            if not (
                0 <= left < 1
                and 0 <= top < 1
                and 0 < width <= 1
                and 0 < height <= 1
                and left + width <= 1.000001
                and top + height <= 1.000001
            ):
                return f"region={value} is not inside the page (fractions from 0 to 1)"
            region = (left, top, width, height)
        else:
            return f"unknown figure option {key!r} (page, region or image)"
    return FigureRequest(source_id, page=page, region=region)


def derive_figure(
    data_path: Path,
    media_type: str,
    request: FigureRequest,
    input_sha256: str,
    site_root: Path,
    *,
    timeout_s: float = _TIMEOUT_S,
    max_memory_bytes: int = _MAX_MEMORY_BYTES,
) -> FigureImage | str:
    """Make a figure's web image in a worker process and write it under ``figures/``.

    Args:
        data_path: the source's public file, in a file.
        media_type: its media type (``image/...``, ``application/pdf`` or a WARC).
        request: what of it to show.
        input_sha256: the file's SHA-256, which with the request names the result.
        site_root: the site's folder; the image goes to ``figures/<digest>.<ext>`` in it.
        timeout_s: wall-clock seconds the worker may take.
        max_memory_bytes: the worker's address-space limit (``RLIMIT_AS``).

    Returns:
        The ``FigureImage``, or why none could be made (a sentence for a warning).
    """
    kind = _kind(media_type)
    if kind is None:
        return f"its file ({media_type or 'unknown type'}) is not a picture, a PDF or a web archive"
    if kind != "warc" and request.image_url:
        return "image= is for a captured web page; this source's file is not a web archive"
    if kind == "warc" and not request.image_url:
        return "a web archive needs image=ADDRESS: the captured picture to show"
    if kind == "image" and request.page not in (None, 1):
        return "page= is for a PDF; this source is a picture"
    job = {"kind": kind, **request.to_json()}
    name = hashlib.sha256(
        json.dumps([_RECIPE, input_sha256, job], sort_keys=True).encode("utf-8")
    ).hexdigest()
    with tempfile.TemporaryDirectory(prefix="shiliao-figure-") as scratch:
        output = Path(scratch) / "figure"
        # This file by its path, not -m: importing shiliao.publish would load the whole site
        # builder into every worker.
        arguments = [__file__, str(data_path), str(output), json.dumps(job, ensure_ascii=True)]
        run = run_worker([*arguments, str(max_memory_bytes)], timeout_s)
        if run.timed_out:
            return f"making its image took over {timeout_s:g} s"
        try:
            reply = json.loads(run.stdout)
        except ValueError:
            return f"its file could not be read (worker status {run.returncode})"
        if "error" in reply:
            return str(reply["error"])
        path = f"figures/{name}.{reply['extension']}"
        target = site_root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(output.read_bytes())
        return FigureImage(path=path, width=int(reply["width"]), height=int(reply["height"]))


class FigureMaker:
    """The figures of one site build, each made once, from the files the site may offer.

    Args:
        catalog: the site's catalogue (the public projection's for a public site).
        blobs: the files it offers (the projection's ``PublicFiles``: anything not offered
            publicly is ``BlobNotFound``, so no figure is made from it).
        site_root: the folder the site is written in.
        publications: source id -> how it is published (None for a site of the whole
            archive, every file offered).
    """

    def __init__(
        self,
        catalog: Catalog,
        blobs: BlobStore,
        site_root: Path,
        publications: Mapping[str, Publication] | None,
    ) -> None:
        self._catalog = catalog
        self._blobs = blobs
        self._root = site_root
        self._publications = publications
        self._made: dict[tuple[str, str], FigureImage | str] = {}

    def __call__(self, request: FigureRequest) -> FigureImage | str:
        """The figure's web image, written in the site, or why there is none."""
        source = self._catalog.source(request.source_id)
        if source is None:
            return f"no published source has the id {request.source_id!r}"
        if self._publications is not None:
            publication = self._publications.get(source.id)
            if publication is None or publication.file is None:
                why = publication.copy_note if publication and publication.copy_note else ""
                return "its file is not offered on the public site" + (f" ({why})" if why else "")
        sha256 = source.file_sha256
        key = (sha256, json.dumps(request.to_json(), sort_keys=True))
        if key not in self._made:
            self._made[key] = self._make(sha256, request)
        return self._made[key]

    def _make(self, sha256: str, request: FigureRequest) -> FigureImage | str:
        record = self._catalog.file(sha256) or {}
        media_type = str(record.get("media_type") or "")
        with tempfile.TemporaryDirectory(prefix="shiliao-figure-input-") as scratch:
            data_path = Path(scratch) / "input"
            try:
                with self._blobs.open(sha256) as original, data_path.open("wb") as copy:
                    while chunk := original.read(_COPY_CHUNK_BYTES):
                        copy.write(chunk)
            except BlobNotFound:
                return "its file is not offered on the public site"
            return derive_figure(data_path, media_type, request, sha256, self._root)


def _kind(media_type: str) -> str | None:
    bare = media_type.split(";")[0].strip().lower()
    if bare.startswith("image/"):
        return "image"
    if bare == "application/pdf":
        return "pdf"
    if bare in _WARC_TYPES:
        return "warc"
    return None


# The worker ---------------------------------------------------------------------------------


class _NoImage(Exception):
    """The request cannot be met (a page the PDF lacks, an address the archive lacks)."""


def _open_picture(data: bytes) -> Any:
    """Decode a picture to bare pixels (no info, EXIF, ICC profile), upright."""
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with warnings.catch_warnings():
        # A picture over the limit is refused, not decoded with a warning.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        picture = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
        picture.load()
    mode = "RGBA" if "A" in picture.getbands() or "transparency" in picture.info else "RGB"
    if picture.mode == "L":
        mode = "L"
    pixels = picture.convert(mode)
    return Image.frombytes(mode, pixels.size, pixels.tobytes())


def _pdf_page(data: bytes, page_number: int, region: list[float] | None) -> Any:
    import pypdfium2 as pdfium
    from PIL import Image

    document = pdfium.PdfDocument(data)
    try:
        if not 1 <= page_number <= len(document):
            raise _NoImage(f"the PDF has no page {page_number} (it has {len(document)})")
        page = document[page_number - 1]
        try:
            width, height = page.get_size()
            share_w, share_h = (region[2], region[3]) if region else (1.0, 1.0)
            # Render just enough pixels for the shown part's longer side to reach MAX_SIDE.
            scale = min(MAX_SIDE / max(width * share_w, height * share_h, 1.0), _MAX_PDF_SCALE)
            if width * height * scale * scale > MAX_PIXELS:
                raise _NoImage("the page is too large to render")
            rendered = page.render(scale=scale).to_pil().convert("RGB")
            return Image.frombytes("RGB", rendered.size, rendered.tobytes())
        finally:
            page.close()
    finally:
        document.close()


def _warc_picture(path: Path, address: str) -> bytes:
    from warcio.archiveiterator import ArchiveIterator

    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type not in ("response", "resource"):
                continue
            if record.rec_headers.get_header("WARC-Target-URI") != address:
                continue
            if record.http_headers is not None and not str(
                record.http_headers.get_statuscode() or ""
            ).startswith("2"):
                continue
            # At most MAX_PIXELS bytes: a picture's file is smaller than its pixel count.
            return record.content_stream().read(MAX_PIXELS)
    raise _NoImage(f"the web archive holds no picture captured at {address}")


def _make(path: Path, job: dict[str, Any]) -> tuple[bytes, str, int, int]:
    from PIL import Image

    region = job.get("region")
    if job["kind"] == "pdf":
        picture = _pdf_page(path.read_bytes(), int(job.get("page") or 1), region)
    elif job["kind"] == "warc":
        picture = _open_picture(_warc_picture(path, str(job["image_url"])))
    else:
        picture = _open_picture(path.read_bytes())
    if region:
        width, height = picture.size
        left, top, share_w, share_h = region
        box = (
            round(left * width),
            round(top * height),
            max(round((left + share_w) * width), round(left * width) + 1),
            max(round((top + share_h) * height), round(top * height) + 1),
        )
        picture = picture.crop(box)
    if max(picture.size) > MAX_SIDE:
        picture.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # Photographs and rendered pages as JPEG; a picture with transparency as PNG.
    if picture.mode == "RGBA":
        picture.save(out, "PNG", optimize=True)
        extension = "png"
    else:
        picture.save(out, "JPEG", quality=85, optimize=True)
        extension = "jpg"
    return out.getvalue(), extension, picture.size[0], picture.size[1]


def _main(argv: list[str]) -> int:
    """The worker: ``INPUT OUTPUT JOB_JSON MAX_MEMORY_BYTES``; one JSON object on stdout:
    ``{"extension", "width", "height"}`` (the image is in OUTPUT) or ``{"error": reason}``."""
    source, output, job_text, max_memory = argv
    limit_memory(int(max_memory))
    job = json.loads(job_text)
    try:
        data, extension, width, height = _make(Path(source), job)
    except _NoImage as exc:
        reply: dict[str, Any] = {"error": str(exc)}
    except MemoryError:
        reply = {"error": "its file needs more memory than the limit to read"}
    except Exception as exc:  # a parser's own error, of any type: no image, and why
        reply = {"error": f"its file could not be read as a picture ({type(exc).__name__})"}
    else:
        Path(output).write_bytes(data)
        reply = {"extension": extension, "width": width, "height": height}
    sys.stdout.write(json.dumps(reply, ensure_ascii=True))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
