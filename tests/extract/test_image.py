"""Images: EXIF capture date and private GPS, and Pillow's bomb guards kept on."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from shiliao.errors import ExtractError, ExtractionLimit
from shiliao.extract import extract_file
from shiliao.extract.image import MAX_IMAGE_PIXELS, extract_image

from .craft import jpeg_with_exif, png_claiming, ztxt_bomb_png


def test_pillow_bomb_limits_stay_finite() -> None:
    import shiliao.extract.image  # noqa: F401  (importing it sets the limit)

    assert Image.MAX_IMAGE_PIXELS is not None
    assert Image.MAX_IMAGE_PIXELS == MAX_IMAGE_PIXELS <= 200_000_000
    assert (
        PngImagePlugin.MAX_TEXT_CHUNK is not None and PngImagePlugin.MAX_TEXT_CHUNK <= 16 * 1024**2
    )
    assert PngImagePlugin.MAX_TEXT_MEMORY is not None


def test_exif_capture_date_and_private_gps(tmp_path: Path) -> None:
    path = tmp_path / "notice-board.jpg"
    # Kashgar's Id Kah square, as a phone would record it.
    path.write_bytes(jpeg_with_exif("2018:06:21 10:15:00", 39.4707, 75.9845))
    extraction = extract_file(path, timeout_s=120)
    metadata = extraction.metadata
    assert metadata["date"] == "2018-06-21"
    assert metadata["date_source"] == "exif:DateTimeOriginal"
    assert metadata["exif_datetime"] == "2018:06:21 10:15:00"
    assert metadata["gps_private"]["latitude"] == pytest.approx(39.4707, abs=1e-4)
    assert metadata["gps_private"]["longitude"] == pytest.approx(75.9845, abs=1e-4)
    assert metadata["image_size"] == [64, 48]
    # A blank picture: OCR reads nothing, and says nothing.
    assert extraction.pages[0].text == "" and metadata["ocr_lines"] == []
    assert extraction.method == "ocr"


@pytest.mark.parametrize(("width", "height"), [(50_000, 50_000), (12_000, 10_000)])
def test_pixel_bombs_are_refused_before_decoding(width: int, height: int) -> None:
    # 2.5 gigapixels (Pillow raises) and 120 megapixels (Pillow only warns; refused here too).
    data = png_claiming(width, height)
    assert len(data) < 200
    with pytest.raises(ExtractionLimit, match="pixels"):
        extract_image(data, "bomb.png")


def test_ztxt_bomb_is_refused() -> None:
    data = ztxt_bomb_png()
    assert len(data) < 1024**2
    with pytest.raises(ExtractionLimit, match="text chunk"):
        extract_image(data, "ztxt.png")


@pytest.mark.parametrize(
    "data", [b"\xff\xd8\xff\xe0 truncated", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x00\x00\x00WEBPVP8 "]
)
def test_damaged_images_are_extract_errors(data: bytes) -> None:
    with pytest.raises(ExtractError, match="not a readable image"):
        extract_image(data, "damaged")


def test_a_web_page_named_jpg_is_read_as_a_web_page(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes("<!DOCTYPE html><html><body><p>结对认亲工作方案</p></body></html>".encode())
    extraction = extract_file(path)
    assert extraction.method == "html"
    assert "结对认亲工作方案" in extraction.pages[0].text


def test_a_multi_page_tiff_gives_a_page_per_frame(tmp_path: Path) -> None:
    frames = [Image.new("L", (40, 30), 255), Image.new("L", (40, 30), 255)]
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:])
    extraction = extract_image(out.getvalue(), "two.tif")
    assert [page.number for page in extraction.pages] == [1, 2]
