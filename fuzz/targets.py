"""The fuzz targets: one per extractor of ``extract.registry`` and one for the unpacking of ZIP
and TAR files (``extract.unpack``), each with small seed files.

A target runs what the worker process runs on a file (``extract.worker``): sniffing its media
type, the extractor, ``finish.finish_extraction`` and the JSON reply (``wire``). The extractor's
typed errors (``ExtractError`` and its subclasses) are answers, and so is ``MemoryError``,
which the worker turns into ``ExtractionLimit`` by design: the fuzzer runs under the same
address-space cap as the worker (``run.py``). Any other exception is a crash, and so is a hang.
The unpacking target also fails (``EscapedStaging``) when anything is written outside the new
folder ``unpack_archive`` returns, when a link or a special file is made, or when a refused
archive leaves files behind.

OCR is replaced by a stand-in that decodes the whole image and reads nothing: the engines
(RapidOCR, Tesseract) read pixels, not the file, and take seconds a page, which would leave the
fuzzer a few inputs a minute for the image and PDF parsers it is meant to reach.
"""

from __future__ import annotations

import hashlib
import io
import json
import traceback
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["TARGETS", "Target", "crash_signature", "stub_ocr"]

REGRESSIONS = Path(__file__).resolve().parent / "regressions"


@dataclass(frozen=True)
class Target:
    """One entry point to fuzz.

    Attributes:
        name: the target's name (``run.py --target NAME``), also its regression folder.
        entry: an extractor's ``"module:function"`` (``extract.registry``), or ``"unpack"``
            for ``extract.unpack.unpack_archive`` (ZIP, TAR and gzip files of a collection).
        file_name: the name the entry point is given (some read the extension).
        seeds: makes the seed inputs (small valid files of the format).
        max_len: the longest input the fuzzer makes, in bytes.
    """

    name: str
    entry: str
    file_name: str
    seeds: Callable[[], list[bytes]]
    max_len: int = 64 * 1024

    def runner(self) -> Callable[[bytes], None]:
        """The function that runs one input; it raises only on a crash (see the docstring)."""
        if self.entry == "unpack":
            return _unpack_runner(self.file_name)
        from shiliao.errors import ExtractError
        from shiliao.extract.finish import finish_extraction
        from shiliao.extract.media import SNIFF_BYTES, sniff_media_type
        from shiliao.extract.registry import load_extractor
        from shiliao.extract.wire import extraction_to_data

        stub_ocr()
        extractor = load_extractor(self.entry)
        name = self.file_name

        def run(data: bytes) -> None:
            sniff_media_type(data[:SNIFF_BYTES], name)
            try:
                extraction = extractor(data, name)
                reply = extraction_to_data(finish_extraction(extraction))
                json.dumps(reply, ensure_ascii=True)
            except (ExtractError, MemoryError):
                return

        return run


class EscapedStaging(Exception):
    """``unpack_archive`` wrote outside its new folder, or left a link: always a crash."""


def _unpack_runner(file_name: str) -> Callable[[bytes], None]:
    """Unpack each input into a fresh staging folder, with small limits, and check that
    everything written is a plain file inside the folder it returned."""
    import shutil
    import tempfile

    from shiliao.errors import ExtractError
    from shiliao.extract.unpack import unpack_archive

    def run(data: bytes) -> None:
        with tempfile.TemporaryDirectory(prefix="fuzz-unpack-") as folder:
            root = Path(folder)
            archive, staging = root / file_name, root / "staging"
            archive.write_bytes(data)
            staging.mkdir()
            try:
                unpacked = unpack_archive(
                    archive, staging, max_members=200, max_total_bytes=64 * 1024**2
                )
            except (ExtractError, MemoryError):
                if any(staging.iterdir()):
                    raise EscapedStaging("a refused archive left files in staging") from None
                return
            written = sorted(path for path in staging.rglob("*"))
            for path in written:
                if path.is_symlink() or not (path.is_file() or path.is_dir()):
                    raise EscapedStaging(f"{path.name}: not a plain file")
                if path != unpacked.folder and unpacked.folder not in path.parents:
                    raise EscapedStaging(f"{path}: outside {unpacked.folder}")
            for member in unpacked.members:
                if member.path.parent != unpacked.folder or not member.path.is_file():
                    raise EscapedStaging(f"{member.name}: written to {member.path}")
            shutil.rmtree(unpacked.folder)

    return run


def stub_ocr() -> None:
    """Replace ``extract.ocr.ocr_image`` with a stand-in that decodes the image fully and
    reads no text (see the module docstring)."""
    from shiliao.extract import ocr

    def decode_only(image: object, *, dpi: int | None = None) -> ocr.OcrPage:
        image.convert("RGB").load()  # type: ignore[attr-defined]
        return ocr.OcrPage(lines=[], text="")

    ocr.ocr_image = decode_only  # type: ignore[assignment]


def crash_signature(exc: BaseException) -> str:
    """What tells one bug from another: the exception's type, the innermost frame, and the
    innermost frame of shiliao's own code that led there, each as file and function (not the
    line, which moves with every edit): ``"BadZipFile at zipfile.py:open via warc.py:extract_wacz"``."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return type(exc).__name__
    ours = [frame for frame in frames if "/shiliao/" in frame.filename.replace("\\", "/")]

    def where(frame: traceback.FrameSummary) -> str:
        return f"{Path(frame.filename).name}:{frame.name}"

    signature = f"{type(exc).__name__} at {where(frames[-1])}"
    if ours and ours[-1] is not frames[-1]:
        signature += f" via {where(ours[-1])}"
    return signature


def signature_id(signature: str) -> str:
    """A short, stable id for a crash signature, used in regression file names."""
    return hashlib.sha256(signature.encode("utf-8")).hexdigest()[:10]


# Seeds ---------------------------------------------------------------------------------------


def _text_seeds() -> list[bytes]:
    text = "关于开展结亲周活动的通知\n\n发布时间：2019-03-05 09:30\n各单位：\n\n    现将有关事项通知如下。\n\n2019年3月5日\n"
    return [
        text.encode("utf-8"),
        text.encode("gb18030"),
        "關於開展結親周活動的通知\n二零一七年三月二十四日\n".encode("big5"),
        b"\xef\xbb\xbf" + text.encode("utf-8"),
        "\ufeff".encode("utf-16-le") + text.encode("utf-16-le"),
        "ئۇيغۇر تىلى\nUyghur tili 2016-11-22\n".encode(),
        b"plain ascii, 2016\r\nwith CRLF\r\n\x00\x07",
    ]


def _markdown_seeds() -> list[bytes]:
    return [
        "---\ntitle: 结亲\ndate: 2016-11-22\ntags: [a, b]\n---\n# 标题\n\n正文，*强调*。\n".encode(),
        b"---\ntitle: x\ndate: 1921~\n...\ntext\n",
        b"---\n- a\n- b\n---\nparagraph\n\n---\n\nrule\n",
        "# 无前言\n\n（2017年10月18日）\n\n内容。\n".encode(),
    ]


def _html_seeds() -> list[bytes]:
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知 - 政府网</title>'
        '<meta name="PubDate" content="2019-03-05 09:30">'
        '<script type="application/ld+json">{"datePublished": "2019-03-05"}</script>'
        "</head><body><div class='nav'>首页 | 新闻</div><h1>关于开展结亲周活动的通知</h1>"
        "<p>发布时间：2019-03-05 来源：新华网</p><table><tr><td><p>正文第一段。</p></td></tr>"
        "</table><time datetime='2019-03-05'>3月5日</time><p>2019年3月5日</p></body></html>"
    )
    return [
        page.encode("utf-8"),
        page.replace("utf-8", "gb2312").encode("gb18030"),
        b"<html><head><meta http-equiv='Content-Type' content='text/html; charset=big5'>"
        + "<title>標題</title></head><body><p>內容</p></body></html>".encode("big5"),
        b"<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'><body><p>x</p></body></html>",
        b"<p>fragment<br>only",
    ]


def _pdf_seeds() -> list[bytes]:
    # The tests' PDF writer (imported here: it loads PDFium and Pillow, which only this
    # target's seeds need).
    from tests.extract.craft import hand_written_pdf

    content = b"BT /F1 12 Tf 72 712 Td (Notice 2019-03-05) Tj 0 -20 Td (Second line) Tj ET"
    stream = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 3 0 R >> >> >>"
    )
    text_pdf = hand_written_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
            font,
            stream,
            page,
            b"<< /Title (Notice) /CreationDate (D:20190305093000+08'00') >>",
        ],
        info_last=True,
    )
    # A scan: one page whose only content is a small grey image (read by OCR).
    pixels = bytes(range(64))
    image = b"<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray "
    image += b"/BitsPerComponent 8 /Length %d >>\nstream\n%s\nendstream" % (len(pixels), pixels)
    draw = b"q 200 0 0 200 100 400 cm /Im1 Do Q"
    scan_pdf = hand_written_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
            image,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R "
            b"/Resources << /XObject << /Im1 3 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(draw), draw),
        ]
    )
    return [text_pdf, scan_pdf]


def _image_seeds() -> list[bytes]:
    from PIL import Image

    picture = Image.new("RGB", (8, 8), (250, 250, 250))
    picture.putpixel((3, 3), (0, 0, 0))
    exif = Image.Exif()
    exif[0x0132] = "2019:03:05 09:30:00"  # DateTime
    seeds = []
    for fmt, options in (
        ("PNG", {}),
        ("JPEG", {"exif": exif.tobytes()}),
        ("GIF", {}),
        ("WEBP", {}),
        ("TIFF", {"save_all": True, "append_images": [picture.convert("L")]}),
    ):
        out = io.BytesIO()
        picture.save(out, fmt, **options)
        seeds.append(out.getvalue())
    return seeds


def _docx_seeds() -> list[bytes]:
    content_types = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.wordprocessingml.document.main+xml"/>'
        b'<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
        b'package.core-properties+xml"/></Types>'
    )
    rels = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/officeDocument" Target="word/document.xml"/>'
        b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
        b'relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>'
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>关于开展结亲周活动的通知</w:t></w:r></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>单元格</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>2019年3月5日</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
        "<w:p><w:r><w:t>2019年3月5日</w:t></w:r></w:p></w:body></w:document>"
    ).encode()
    core = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        b'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        b'xmlns:dcterms="http://purl.org/dc/terms/" '
        b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        b"<dc:title>Notice</dc:title>"
        b'<dcterms:created xsi:type="dcterms:W3CDTF">2019-03-05T09:30:00Z</dcterms:created>'
        b"</cp:coreProperties>"
    )
    seeds = []
    for compression in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression) as package:
            package.writestr("[Content_Types].xml", content_types)
            package.writestr("_rels/.rels", rels)
            package.writestr("word/document.xml", document)
            package.writestr("docProps/core.xml", core)
        seeds.append(out.getvalue())
    return seeds


def _warc(gzipped: bool) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzipped)
    body = "<html><head><title>通知</title></head><body><p>2019年3月5日</p></body></html>"
    headers = StatusAndHeaders(
        "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
    )
    writer.write_record(
        writer.create_warc_record(
            "http://www.example.cn/2019-03/05/c_1.htm",
            "response",
            payload=io.BytesIO(body.encode("utf-8")),
            http_headers=headers,
        )
    )
    writer.write_record(
        writer.create_warc_record(
            "http://www.example.cn/a.txt", "resource", payload=io.BytesIO(b"plain text")
        )
    )
    return out.getvalue()


def _warc_seeds() -> list[bytes]:
    return [_warc(gzipped=False), _warc(gzipped=True)]


def _wacz_seeds() -> list[bytes]:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as package:
        package.writestr("archive/data.warc.gz", _warc(gzipped=True))
        package.writestr("pages/pages.jsonl", b'{"format": "json-pages-1.0"}\n')
        package.writestr("datapackage.json", b'{"profile": "data-package"}')
    return [out.getvalue()]


def _unpack_seeds() -> list[bytes]:
    import gzip
    import tarfile

    files = [("通知/一.txt", "关于开展结亲周活动的通知".encode()), ("b.html", b"<p>x</p>")]
    seeds = []
    for compression in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression) as package:
            for name, data in files:
                package.writestr(name, data)
        seeds.append(out.getvalue())
    for mode in ("w", "w:gz"):
        out = io.BytesIO()
        with tarfile.open(fileobj=out, mode=mode) as package:
            for name, data in files:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                package.addfile(info, io.BytesIO(data))
        seeds.append(out.getvalue())
    seeds.append(gzip.compress(files[0][1], mtime=0))
    return seeds


TARGETS: dict[str, Target] = {
    target.name: target
    for target in (
        Target("text", "shiliao.extract.text:extract_text", "a.txt", _text_seeds),
        Target("markdown", "shiliao.extract.markdown:extract_markdown", "a.md", _markdown_seeds),
        Target("html", "shiliao.extract.html:extract_html", "a.html", _html_seeds),
        Target("pdf", "shiliao.extract.pdf:extract_pdf", "a.pdf", _pdf_seeds),
        Target("image", "shiliao.extract.image:extract_image", "a.png", _image_seeds),
        Target("docx", "shiliao.extract.docx:extract_docx", "a.docx", _docx_seeds),
        Target("warc", "shiliao.extract.warc:extract_warc", "a.warc.gz", _warc_seeds),
        Target("wacz", "shiliao.extract.warc:extract_wacz", "a.wacz", _wacz_seeds),
        Target("unpack", "unpack", "a.zip", _unpack_seeds),
    )
}
"""Every target, by name."""
