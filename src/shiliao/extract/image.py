"""Images (JPEG, PNG, TIFF, WebP, GIF): text by OCR, capture date and place from EXIF.

Pillow (MIT-CMU) decodes the image. Its guards against crafted files stay on and are enforced
here, never switched off as many projects do (reliability.md §2):

- ``Image.MAX_IMAGE_PIXELS`` is set to ``MAX_IMAGE_PIXELS``; an image over it is refused
  (Pillow itself only warns up to twice its limit, and raises ``DecompressionBombError`` above);
- PNG text chunks are capped by Pillow's ``PngImagePlugin.MAX_TEXT_CHUNK`` (1 MiB decompressed
  per chunk) and ``MAX_TEXT_MEMORY`` (64 MiB in all), so a zTXt/iTXt bomb raises.

EXIF (CIPA DC-008, Exif 2.32): ``DateTimeOriginal`` (tag 0x9003 in the Exif IFD) gives
``date``; the GPS IFD (0x8825) gives ``gps_private``, which is evidence kept with the original
and must never be published (a photo's position can expose who took it).
"""

from __future__ import annotations

import io
import struct
import warnings
from typing import Any

from PIL import Image, ImageOps, ImageSequence, PngImagePlugin, UnidentifiedImageError

from shiliao.errors import ExtractError, ExtractionLimit
from shiliao.extract.dates import edtf_date
from shiliao.model import Extraction, Page

__all__ = ["MAX_FRAMES", "MAX_IMAGE_PIXELS", "extract_image"]

MAX_IMAGE_PIXELS = 100_000_000
"""The most pixels an image may have: a 600-dpi scan of an A3 sheet has 70 million; a crafted
PNG can claim 2.5 billion (50,000 x 50,000) in a few kilobytes."""

MAX_FRAMES = 1000
"""The most frames (pages of a multi-page TIFF) read from one image file."""

Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS

# What Pillow's plugins raise on a damaged file, besides its own UnidentifiedImageError: a
# TIFF frame without its dimensions (TypeError) or with an unknown compression (KeyError), a
# GIF frame cut short (struct.error, IndexError).
_DAMAGED = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    EOFError,
    TypeError,
    KeyError,
    IndexError,
    struct.error,
)

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_DATE_TIME_ORIGINAL = 0x9003
_DATE_TIME_DIGITIZED = 0x9004


def extract_image(data: bytes, name: str) -> Extraction:
    """Read the text of an image by OCR, and its EXIF capture date and position.

    Args:
        data: the file's bytes.
        name: the file's name, used in error messages.

    Returns:
        One ``Page`` per frame (a multi-page TIFF has several), each the OCR text joined into
        paragraphs, method ``"ocr"``. Metadata: ``image_size`` ``[width, height]`` of the first
        frame in pixels; ``ocr_lines`` ``[{page, text, confidence, box, engine}]``; when found,
        ``date`` (EDTF, the day of EXIF DateTimeOriginal, else DateTimeDigitized) with
        ``date_source`` (``"exif:DateTimeOriginal"`` or ``"exif:DateTimeDigitized"``) and
        ``exif_datetime`` (as written, ``"2019:03:05 09:30:00"``); ``gps_private``
        ``{"latitude", "longitude"[, "altitude"]}`` in decimal degrees (south and west
        negative) and metres: never to be published; ``warnings`` when Arabic-script text
        could not be read.

    Raises:
        ExtractionLimit: the image has more than ``MAX_IMAGE_PIXELS`` pixels, a PNG text chunk
            decompresses past Pillow's limits, or the file has more than ``MAX_FRAMES`` frames.
        ExtractError: Pillow cannot read the image.
    """
    # Imported here: the OCR engines load slowly and an unreadable image needs none.
    from shiliao.extract.ocr import ocr_image

    with warnings.catch_warnings():
        # Between MAX_IMAGE_PIXELS and twice that, Pillow only warns; refuse those too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            image.load()
            metadata = _exif_metadata(image)
            metadata["image_size"] = list(image.size)
            pages: list[Page] = []
            lines: list[dict[str, Any]] = []
            notes: list[str] = []
            for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
                if number > MAX_FRAMES:
                    raise ExtractionLimit(f"{name}: more than {MAX_FRAMES} frames")
                read = ocr_image(ImageOps.exif_transpose(frame))
                pages.append(Page(number, read.text))
                lines += [line.as_metadata(number) for line in read.lines]
                notes += [note for note in read.warnings if note not in notes]
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ExtractionLimit(f"{name}: {exc}") from exc
        except ValueError as exc:
            if "decompressed data too large" in str(exc).lower():
                raise ExtractionLimit(
                    f"{name}: a PNG text chunk decompresses past "
                    f"{PngImagePlugin.MAX_TEXT_CHUNK} bytes"
                ) from exc
            raise ExtractError(f"{name}: not a readable image ({exc})") from exc
        except _DAMAGED as exc:
            raise ExtractError(f"{name}: not a readable image ({exc})") from exc
    metadata["ocr_lines"] = lines
    if notes:
        metadata["warnings"] = notes
    return Extraction(pages=pages, method="ocr", metadata=metadata)


def _exif_metadata(image: Image.Image) -> dict[str, Any]:
    exif = image.getexif()
    found: dict[str, Any] = {}
    details = exif.get_ifd(_EXIF_IFD)
    for tag, tag_name in (
        (_DATE_TIME_ORIGINAL, "DateTimeOriginal"),
        (_DATE_TIME_DIGITIZED, "DateTimeDigitized"),
    ):
        written = details.get(tag)
        date = _exif_date(written) if isinstance(written, str) else None
        if date is not None:
            source = f"exif:{tag_name}"
            found |= {"date": date, "date_source": source, "exif_datetime": written.strip("\x00 ")}
            break
    position = _gps(exif.get_ifd(_GPS_IFD))
    if position:
        found["gps_private"] = position
    return found


def _exif_date(written: str) -> str | None:
    """The day of an EXIF date-time, ``"YYYY:MM:DD HH:MM:SS"`` (unknown parts blank)."""
    day = written.strip("\x00 ").partition(" ")[0].split(":")
    if len(day) != 3 or not all(part.isdigit() for part in day):
        return None
    return edtf_date(int(day[0]), int(day[1]), int(day[2]))


def _gps(gps: dict[int, Any]) -> dict[str, float]:
    """Decimal degrees and metres from the GPS IFD (tags 1-6); empty without a position."""
    latitude = _degrees(gps.get(2), gps.get(1), "S")
    longitude = _degrees(gps.get(4), gps.get(3), "W")
    if latitude is None or longitude is None:
        return {}
    position = {"latitude": latitude, "longitude": longitude}
    altitude = _number(gps.get(6))
    if altitude is not None:
        # GPSAltitudeRef 1 means below sea level.
        position["altitude"] = -altitude if gps.get(5) in (1, b"\x01") else altitude
    return position


def _degrees(value: Any, reference: Any, negative: str) -> float | None:
    """Degrees, minutes and seconds (three rationals) as signed decimal degrees."""
    if not isinstance(value, tuple) or len(value) != 3:
        return None
    parts = [_number(part) for part in value]
    if any(part is None for part in parts):
        return None
    degrees, minutes, seconds = (float(part) for part in parts if part is not None)
    decimal = degrees + minutes / 60 + seconds / 3600
    if isinstance(reference, bytes):
        reference = reference.decode("ascii", "replace")
    return round(-decimal if str(reference).strip("\x00 ").upper() == negative else decimal, 7)


def _number(value: Any) -> float | None:
    """A float from an EXIF rational (Pillow's ``IFDRational``), None for 0/0 or non-numbers."""
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if number == number else None  # IFDRational(0, 0) is NaN
