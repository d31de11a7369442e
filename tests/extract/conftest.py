"""Fixtures for the extract tests: the real files in ../shared, and PDFs made with reportlab."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from shiliao.extract import Extractor, register_extractor, unregister_extractor

# The real fixtures live beside the repository (read-only); nothing is copied from them.
REAL = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "real"

# From SOURCES.md beside the fixtures: a changed file would make the expectations wrong.
REAL_SHA256 = {
    "html/sxmu-jijian-supervision-law.html": (
        "42f17cb25460b652f793f76b1f6e2634a4d6d2a3b644dd54545867cb8cf95f98"
    ),
    "html/shanxi-gov-portal-news.html": (
        "c41850359f8a382697fe00f4432fd9dc576ed96d6a5415e01ea1a7326129a4bc"
    ),
    "html/zj-fzggw-info-release.html": (
        "32d036a9c753c23fe823cf34c11d2320ac0a018f3e9ce1f8a3988c706a05bda0"
    ),
    "pdf/prc-constitution-2018-text-layer.pdf": (
        "67fc8a07280fbbd1d65d9c8b5735c55e662e4bd50b16d09f609199b2adf99936"
    ),
    "image/easyocr-street-sign-yuyuan-rd.jpg": (
        "7d8f231016c6a35da879b7d79b39c45b694aef962ae30f64063d981e618fbf7f"
    ),
}

# reportlab's built-in Adobe CID font for Simplified Chinese: no font file needed, and its
# UniGB-UCS2-H encoding gives PDF readers a Unicode mapping for every character.
CJK_FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def real_fixture(relative: str) -> Path:
    """The path of a real fixture, after checking its SHA-256 against SOURCES.md."""
    path = REAL / relative
    if not path.is_file():
        pytest.fail(f"the real fixture is missing: {path}")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == REAL_SHA256[relative]
    return path


def make_pdf(pages: list[list[str]], *, encrypt: str | None = None, title: str = "") -> bytes:
    """A PDF with one page per item, each line of text drawn in the CJK font.

    A page with no lines gets a drawn rectangle and no text, as a scanned page has none.
    """
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, encrypt=encrypt)
    if title:
        pdf.setTitle(title)
    for lines in pages:
        if not lines:
            pdf.rect(72, 600, 200, 100, fill=1)
        pdf.setFont(CJK_FONT, 14)
        for number, line in enumerate(lines):
            pdf.drawString(72, 750 - 24 * number, line)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.fixture
def registered() -> Iterator[Callable[[str, Extractor], None]]:
    """Register extractors for one test; they are unregistered after it."""
    media_types: list[str] = []

    def register(media_type: str, extractor: Extractor) -> None:
        register_extractor(media_type, extractor)
        media_types.append(media_type)

    yield register
    for media_type in media_types:
        unregister_extractor(media_type)
