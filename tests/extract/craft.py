"""Builders of the files the extract tests feed in: hand-written hostile files and small
well-formed ones (web archives, Word documents, images with EXIF, scans rendered from a PDF).

Every builder returns bytes; nothing here reads the network or writes outside its arguments.
"""

from __future__ import annotations

import io
import re
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont

# The real fixtures, found as conftest finds them (read-only, never copied).
SHARED = Path(__file__).resolve().parents[2].parent / "shared"
UYGHUR_CONLLU = SHARED / "fixtures" / "real" / "uyghur" / "ug_udt-ud-test.conllu"

# Fonts from Debian's fonts-noto-core and fonts-dejavu-core; DejaVu Sans has Arabic-script
# glyphs (Uyghur included) and the Latin punctuation Uyghur text uses.
ARABIC_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def hand_written_pdf(objects: list[bytes], *, info_last: bool = False) -> bytes:
    """A PDF with these objects (numbered from 1; object 1 is the catalog) and a correct xref;
    with ``info_last``, the last object is the document information dictionary."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = b"/Size %d /Root 1 0 R" % (len(objects) + 1)
    if info_last:
        trailer += b" /Info %d 0 R" % len(objects)
    out += b"trailer\n<< %s >>\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref)
    return bytes(out)


def page_bomb_pdf(claimed_pages: int = 1_000_000) -> bytes:
    """A 400-byte PDF whose page tree says it has ``claimed_pages`` pages and holds one."""
    return hand_written_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % claimed_pages,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        ]
    )


def deep_page_tree_pdf(depth: int = 100_000) -> bytes:
    """A PDF whose page tree is a chain of ``depth`` nested /Pages nodes."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        objects.append(b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (level + 3))
    objects.append(b"<< /Type /Page /MediaBox [0 0 612 792] >>")
    return hand_written_pdf(objects)


def xref_loop_pdf() -> bytes:
    """A PDF whose cross-reference sections point at each other through /Prev, in a loop."""
    body = bytearray(b"%PDF-1.7\n")
    catalog = len(body)
    body += b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    pages = len(body)
    body += b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    first = len(body)
    section = b"xref\n0 3\n0000000000 65535 f \n%010d 00000 n \n%010d 00000 n \n" % (
        catalog,
        pages,
    )
    # Both sections are the same length, so the second's offset is known in advance.
    second = first + len(section) + len(b"trailer\n<< /Size 3 /Root 1 0 R /Prev 0000000000 >>\n")
    body += section + b"trailer\n<< /Size 3 /Root 1 0 R /Prev %010d >>\n" % second
    body += section + b"trailer\n<< /Size 3 /Root 1 0 R /Prev %010d >>\n" % first
    body += b"startxref\n%d\n%%%%EOF\n" % second
    return bytes(body)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_claiming(width: int, height: int) -> bytes:
    """A PNG header claiming ``width`` x ``height`` 8-bit gray pixels, with one tiny IDAT."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def ztxt_bomb_png(decompressed_bytes: int = 200 * 1024**2) -> bytes:
    """A 1x1 PNG with a zTXt chunk that inflates to ``decompressed_bytes`` (about 200 KB)."""
    image = io.BytesIO()
    Image.new("L", (1, 1), 255).save(image, format="PNG")
    data = image.getvalue()
    compressor = zlib.compressobj(9)
    chunk = b"".join(
        compressor.compress(bytes(1024**2)) for _ in range(decompressed_bytes // 1024**2)
    )
    chunk += compressor.flush()
    bomb = png_chunk(b"zTXt", b"Comment\x00\x00" + chunk)
    end = data.rindex(b"IEND") - 4
    return data[:end] + bomb + data[end:]


def jpeg_with_exif(date_time_original: str, latitude: float, longitude: float) -> bytes:
    """A small JPEG whose EXIF gives a capture time and a GPS position (north, east)."""
    image = Image.new("RGB", (64, 48), (200, 200, 200))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = date_time_original

    def dms(value: float) -> tuple[float, float, float]:
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
        return (float(degrees), float(minutes), seconds)

    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", dms(latitude)
    gps[3], gps[4] = "E", dms(longitude)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def scanned_pdf(source: bytes, pages: list[tuple[int, bool]], dpi: int = 200) -> bytes:
    """A PDF made of pages of ``source``: each ``(index, scanned)`` either copied as it is
    (text layer and all) or replaced by a lossless scan of it rendered at ``dpi`` with
    pypdfium2, an image and nothing else, as a scanner makes."""
    original = pdfium.PdfDocument(source)
    made = pdfium.PdfDocument.new()
    for index, scanned in pages:
        if not scanned:
            made.import_pages(original, [index])
            continue
        page = original[index]
        width, height = page.get_size()
        bitmap = page.render(scale=dpi / 72, grayscale=True)
        scan = made.new_page(width, height)
        image = pdfium.PdfImage.new(made)
        image.set_bitmap(bitmap)
        image.set_matrix(pdfium.PdfMatrix().scale(width, height))
        scan.insert_obj(image)
        scan.gen_content()
        page.close()
    out = io.BytesIO()
    made.save(out)
    return out.getvalue()


def page_text_layer(source: bytes, index: int) -> str:
    """The text layer of one page of a PDF, as PDFium gives it."""
    document = pdfium.PdfDocument(source)
    page = document[index]
    textpage = page.get_textpage()
    text = textpage.get_text_range()
    textpage.close()
    page.close()
    document.close()
    return text


def uyghur_sentences(count: int) -> list[str]:
    """The first ``count`` Uyghur sentences (``# text = ...``) of the UD Uyghur treebank."""
    sentences = []
    with UYGHUR_CONLLU.open(encoding="utf-8") as conllu:
        for line in conllu:
            if line.startswith("# text = "):
                sentences.append(line.removeprefix("# text = ").strip())
                if len(sentences) == count:
                    break
    return sentences


def render_rtl_page(sentences: list[str], width: int = 1654, size: int = 40) -> tuple[bytes, str]:
    """Sentences typeset right to left on a white page (PNG), wrapped at words.

    Returns:
        The PNG and the text as typeset, one printed line per line.
    """
    font = ImageFont.truetype(str(ARABIC_FONT), size)
    measure = ImageDraw.Draw(Image.new("L", (1, 1)))
    lines = []
    for sentence in sentences:
        line = ""
        for word in sentence.split():
            candidate = f"{line} {word}".strip()
            too_long = measure.textlength(candidate, font=font, direction="rtl") > width - 240
            if too_long and line:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    page = Image.new("L", (width, 160 + 70 * len(lines)), 255)
    draw = ImageDraw.Draw(page)
    for number, line in enumerate(lines):
        draw.text(
            (width - 120, 80 + 70 * number),
            line,
            font=font,
            fill=0,
            direction="rtl",
            language="ug",
            anchor="ra",
        )
    out = io.BytesIO()
    page.save(out, format="PNG")
    return out.getvalue(), "\n".join(lines)


def docx_with_document_xml(document_xml: bytes, base: bytes) -> bytes:
    """``base`` (a DOCX) with its ``word/document.xml`` replaced."""
    source = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = document_xml
            target.writestr(info.filename, data)
    return out.getvalue()


def zip_of(members: list[tuple[str, bytes]], *, symlinks: tuple[str, ...] = ()) -> bytes:
    """A ZIP with these members; names in ``symlinks`` are marked as symbolic links."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            mode = 0o120777 if name in symlinks else 0o100644
            info.external_attr = mode << 16
            archive.writestr(info, data)
    return out.getvalue()


def tar_of(members: list[tarfile.TarInfo | tuple[str, bytes]]) -> bytes:
    """A TAR with these members: ``(name, data)`` files, or prepared ``TarInfo`` (links)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                archive.addfile(member)
            else:
                name, data = member
                info = tarfile.TarInfo(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def character_accuracy(expected: str, found: str) -> float:
    """1 - normalized Levenshtein distance, all whitespace removed first (performance.md §5)."""
    expected, found = re.sub(r"\s+", "", expected), re.sub(r"\s+", "", found)
    previous = list(range(len(found) + 1))
    for row, wanted in enumerate(expected, start=1):
        current = [row]
        for column, got in enumerate(found, start=1):
            current.append(
                min(
                    previous[column] + 1,
                    current[column - 1] + 1,
                    previous[column - 1] + (wanted != got),
                )
            )
        previous = current
    return 1 - previous[-1] / max(len(expected), len(found), 1)


# Droid Sans Fallback (Debian's fonts-droid-fallback, Apache-2.0): a TrueType CJK font reportlab
# can embed (it cannot embed Noto CJK's CFF outlines).
CJK_TRUETYPE = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")


def pdf_without_tounicode(lines: list[str], size: int = 14) -> bytes:
    """A one-page PDF of ``lines`` in an embedded subset of Droid Sans Fallback whose ToUnicode
    map is blanked out (overwritten with spaces, so every offset stays right): its text layer
    is the subset's one-byte codes, as a PDF made without a ToUnicode map has."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "DroidSansFallback" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DroidSansFallback", str(CJK_TRUETYPE)))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pageCompression=0)
    pdf.setFont("DroidSansFallback", size)
    for number, line in enumerate(lines):
        pdf.drawString(72, 750 - 2 * size * number, line)
    pdf.showPage()
    pdf.save()
    data = buffer.getvalue()
    blanked = re.sub(rb"/ToUnicode \d+ 0 R", lambda found: b" " * len(found.group()), data)
    assert blanked != data
    return blanked


def pdf_with_info_title(title: bytes) -> bytes:
    """A one-page PDF whose document information Title is the string ``title`` (written as
    hexadecimal, so any bytes stand as they are)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        b"<< /Title <" + title.hex().encode() + b"> >>",
    ]
    data = hand_written_pdf(objects)
    return data.replace(b"/Root 1 0 R >>", b"/Root 1 0 R /Info 4 0 R >>")


def vertical_pdf(
    columns: list[tuple[str, int]],
    order: list[int],
    *,
    writing_mode_font: bool,
    head: str = "",
    folio: str = "",
    size: int = 20,
) -> bytes:
    """A page of Chinese set vertically: ``columns[0]`` rightmost, each ``(text, indent)``
    starting ``indent`` characters below the top line, drawn in the content stream in
    ``order`` (indexes into ``columns``). With ``writing_mode_font`` the columns are drawn in
    reportlab's vertical STSong-Light (``UniGB-UCS2-V``, WMode 1), else one character at a
    time in the horizontal one. ``head`` is a horizontal running head above the columns,
    ``folio`` a page number below them."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light-V" not in pdfmetrics.getRegisteredFontNames():
        font = UnicodeCIDFont("STSong-Light", isVertical=True)
        font.name = font.fontName = "STSong-Light-V"
        pdfmetrics.registerFont(font)
    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    top, right, pitch = 700, 500, size * 2
    for index in order:
        text, indent = columns[index]
        x = right - pitch * index
        y = top - size * indent
        if writing_mode_font:
            pdf.setFont("STSong-Light-V", size)
            pdf.drawString(x, y, text)
        else:
            pdf.setFont("STSong-Light", size)
            for offset, char in enumerate(text):
                pdf.drawString(x - size / 2, y - size * (offset + 1), char)
    pdf.setFont("STSong-Light", size)
    if head:
        pdf.drawString(right - pitch * 2, top + 2 * size, head)
    if folio:
        pdf.drawString(right - pitch * 2, top - 12 * size, folio)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
