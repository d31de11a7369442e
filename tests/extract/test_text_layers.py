"""Text that is not text: glyph codes told from writing, PDF pages whose layer is codes read by
OCR with the layer kept, glyphs that do not draw flagged, vertical writing in reading order,
document titles in legacy encodings read again and placeholder titles refused."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from shiliao.extract import extract_bytes_inline, extract_file
from shiliao.extract.finish import is_placeholder_title
from shiliao.extract.pdf import extract_pdf
from shiliao.extract.plausibility import implausible_reasons

from .conftest import make_pdf, real_fixture
from .craft import (
    UYGHUR_CONLLU,
    hand_written_pdf,
    pdf_with_info_title,
    pdf_without_tounicode,
    uyghur_sentences,
    vertical_pdf,
)

OCR_TIMEOUT_S = 300
LINES = [
    "中华人民共和国宪法",
    "第一条中华人民共和国是工人阶级领导的、",
    "以工农联盟为基础的人民民主专政的社会主义国家。",
]


# Writing and glyph codes -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "关于开展民族团结一家亲活动的通知\n各县（市）人民政府，各有关部门：\n",
        "區域發展計畫與臺灣的經濟政策，由行政院公布施行。",
        "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。",
        "유구한 역사와 전통에 빛나는 우리 대한국민은 3·1운동으로 건립된 대한민국임시정부의 법통과",
        "The quick brown fox jumps over the lazy dog, and the dog does not mind at all. " * 2,
        "Le président a déclaré que la réforme était nécessaire, à côté de l'été. " * 2,
        "Государственная Дума приняла закон о федеральном бюджете на следующий год. " * 2,
        # Latin abbreviations in Chinese change script at every other letter, in two scripts.
        "2018年GDP增长6.6%，CPI上涨2.1%，PPI上涨3.5%，M2增长8.1%。" * 3,
    ],
)
def test_writing_is_not_taken_for_glyph_codes(text: str) -> None:
    assert implausible_reasons(text) == []


def test_every_page_of_the_constitution_and_uyghur_sentences_are_writing() -> None:
    document = pdfium.PdfDocument(real_fixture("pdf/prc-constitution-2018-text-layer.pdf"))
    texts = [document[index].get_textpage().get_text_range() for index in range(len(document))]
    assert [implausible_reasons(text) for text in texts] == [[]] * 31
    assert UYGHUR_CONLLU.is_file()
    assert implausible_reasons("\n".join(uyghur_sentences(40))) == []


COMMON = "的一是不了在人有我他"
EXTENSION_A = "".join(chr(0x3400 + 37 * n) for n in range(10))


@pytest.mark.parametrize(
    ("text", "reasons"),
    [
        (
            "(cid:12)(cid:345)(cid:67)",
            ["3 (cid:…) placeholder(s) for characters with no mapping"],
        ),
        (
            "\x01\x04\x05\x06\x07\x08" * 2 + "ÄÅ",
            ["12 of 14 characters are not letters of any text (12 control)"],
        ),
        (
            "".join(chr(0xE000 + n) for n in range(20)),
            ["20 of 20 characters are not letters of any text (20 private-use)"],
        ),
        (
            EXTENSION_A * 2,
            [
                "only 0% of its 20 Han characters are in common use (level 1 of GB 2312, Big5 "
                "or JIS X 0208)"
            ],
        ),
        (
            COMMON + EXTENSION_A,
            [
                "only 50% of its 20 Han characters are in common use (level 1 of GB 2312, Big5 "
                "or JIS X 0208)"
            ],
        ),
        (
            "aБγ" * 10,
            [
                "the script changes between 29 of 29 adjacent letters, among 3 scripts "
                "(CYRILLIC, GREEK, LATIN)"
            ],
        ),
        (
            "ÄÅÇÉÑÖÜ»ª¹",
            [
                "10 of 10 characters are Latin-1 letters and signs (Ä, Ö, »...): codes of a "
                "font or a legacy encoding read as Latin-1"
            ],
        ),
        ("abcdefghij" * 5, ["50 letters of an alphabet with 0 spaces between them"]),
    ],
)
def test_glyph_codes_are_told_with_their_figures(text: str, reasons: list[str]) -> None:
    assert implausible_reasons(text) == reasons


def test_hangul_outside_ks_x_1001_is_glyph_codes() -> None:
    rare = [chr(code) for code in range(0xAC00, 0xAD00) if not _in_euc_kr(chr(code))][:20]
    assert implausible_reasons("".join(rare)) == [
        "only 0% of its 20 Hangul syllables are among the 2,350 of KS X 1001"
    ]


def _in_euc_kr(char: str) -> bool:
    # Python's EUC-KR also spells the other syllables as eight-byte jamo sequences (KS X 1001
    # annex 3); the 2,350 of the table take two bytes.
    return len(char.encode("euc_kr")) == 2


def test_a_legacy_encoding_read_as_latin1_is_glyph_codes() -> None:
    soup = "中华人民共和国宪法第一章总纲".encode("gbk").decode("latin-1")
    assert implausible_reasons(soup) == [
        "28 of 28 characters are Latin-1 letters and signs (Ä, Ö, »...): codes of a font or a "
        "legacy encoding read as Latin-1"
    ]


# PDF text layers -------------------------------------------------------------------------


def test_a_text_layer_with_its_unicode_map_is_read_as_it_is() -> None:
    extraction = extract_pdf(make_pdf([LINES]), "mapped.pdf")
    assert extraction.pages[0].text == "\n".join(LINES)
    assert extraction.pages[0].method is None
    assert "text_layers" not in extraction.metadata
    assert "set_aside_layers" not in extraction.metadata


@pytest.mark.slow
def test_a_layer_of_glyph_codes_is_read_by_ocr_and_kept(tmp_path: Path) -> None:
    data = pdf_without_tounicode(LINES)
    page = pdfium.PdfDocument(data)[0]
    as_pdfium_gives_it = page.get_textpage().get_text_range()
    path = tmp_path / "no-tounicode.pdf"
    path.write_bytes(data)

    extraction = extract_file(path, timeout_s=OCR_TIMEOUT_S)

    assert [(p.number, p.method, p.text) for p in extraction.pages] == [
        (1, "ocr", "\n".join(LINES))
    ]
    assert extraction.method == "ocr"
    metadata = extraction.metadata
    reasons = implausible_reasons(as_pdfium_gives_it)
    assert reasons and reasons[0].endswith("characters are not letters of any text (31 control)")
    assert metadata["text_layers"] == [
        {
            "page": 1,
            "doubts": reasons,
            "ocr_agreement": 0.0,
            "shown": "ocr",
            "set_aside": "pdf-text-layer",
        }
    ]
    assert metadata["set_aside_layers"] == [
        {"page": 1, "method": "pdf-text-layer", "text": as_pdfium_gives_it, "reasons": reasons}
    ]
    assert metadata["ocr_pages"] == [1]
    assert metadata["warnings"] == [
        "page(s) 1: the text layer is glyph codes, not text; OCR's reading is shown, the layer "
        "kept",
        # reportlab titles its PDFs "untitled".
        "the title the file gives is an application's placeholder or a file name; not used as "
        "the title",
    ]
    assert "needs_review" not in metadata


@pytest.mark.slow
def test_a_doubted_layer_that_ocr_confirms_stays_shown(tmp_path: Path) -> None:
    # Letters without spaces look like a font's codes; OCR reads the same letters.
    lines = ["ABCDEFGHIJKLMNOPQRSTUVWXYZ", "ZYXWVUTSRQPONMLKJIHGFEDCBA"]
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R"
        b" >> >> /Contents 4 0 R >>",
    ]
    content = b"BT /F1 24 Tf 72 700 Td (%s) Tj 0 -40 Td (%s) Tj ET" % (
        lines[0].encode(),
        lines[1].encode(),
    )
    objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    path = tmp_path / "letters.pdf"
    path.write_bytes(hand_written_pdf(objects))

    extraction = extract_file(path, timeout_s=OCR_TIMEOUT_S)

    # The two lines reach the same edge without ending a sentence: one paragraph.
    assert [(p.method, p.text) for p in extraction.pages] == [(None, " ".join(lines))]
    [entry] = extraction.metadata["text_layers"]
    assert entry["doubts"] == ["52 letters of an alphabet with 0 spaces between them"]
    assert entry["shown"] == "pdf-text-layer"
    assert entry["ocr_agreement"] >= 0.8
    assert "set_aside_layers" not in extraction.metadata
    assert "needs_review" not in extraction.metadata
    assert "warnings" not in extraction.metadata


# A PDFium started with an empty font folder, as on a system without CJK fonts: the
# non-embedded STSong-Light then draws with PDFium's Latin fallback, and Chinese not at all.
_WITHOUT_SYSTEM_FONTS = textwrap.dedent(
    """
    import ctypes, json, sys
    import pypdfium2.raw as pdfium_c
    import pypdfium2
    pdfium_c.FPDF_DestroyLibrary()
    char_p = ctypes.POINTER(ctypes.c_char)
    folder = ctypes.cast(ctypes.c_char_p(sys.argv[1].encode()), char_p)
    paths = (char_p * 2)(folder, None)
    config = pdfium_c.FPDF_LIBRARY_CONFIG(
        version=2,
        m_pUserFontPaths=ctypes.cast(paths, ctypes.POINTER(char_p)),
        m_pIsolate=None,
        m_v8EmbedderSlot=0,
    )
    pdfium_c.FPDF_InitLibraryWithConfig(config)
    from shiliao.extract.pdf import extract_pdf
    found = extract_pdf(open(sys.argv[2], "rb").read(), "no-fonts.pdf")
    pages = [[page.number, page.method, page.text] for page in found.pages]
    print(json.dumps({"pages": pages, "metadata": found.metadata}, ensure_ascii=False))
    """
)


def _extract_without_system_fonts(tmp_path: Path, data: bytes) -> dict:
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_SYSTEM_FONTS, str(empty), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


def test_characters_that_draw_no_glyph_are_flagged_not_ocred(tmp_path: Path) -> None:
    found = _extract_without_system_fonts(tmp_path, make_pdf([LINES]))
    # The text layer is right; only the page's picture lacks the characters.
    assert found["pages"] == [[1, None, "\n".join(LINES)]]
    metadata = found["metadata"]
    assert metadata["pages_missing_glyphs"] == [1]
    assert metadata["warnings"] == [
        "page(s) 1: characters in font(s) STSong-Light draw no glyph (not embedded, and no "
        "installed font has them): the page's picture is blank there and OCR cannot read it; "
        "install a CJK font (fonts-noto-cjk) and extract again"
    ]
    assert "ocr_pages" not in metadata


def test_invisible_text_that_draws_no_glyph_is_not_flagged(tmp_path: Path) -> None:
    # An OCR program's text laid invisibly over a scan (render mode 3) is meant not to draw.
    from reportlab.pdfgen import canvas

    from .conftest import CJK_FONT

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    text = pdf.beginText(72, 750)
    text.setFont(CJK_FONT, 14)
    text.setTextRenderMode(3)
    text.textLine(LINES[0])
    pdf.drawText(text)
    pdf.showPage()
    pdf.save()
    found = _extract_without_system_fonts(tmp_path, buffer.getvalue())
    assert found["pages"] == [[1, None, LINES[0]]]
    assert "pages_missing_glyphs" not in found["metadata"]
    assert "warnings" not in found["metadata"]


def test_glyph_codes_that_draw_no_glyph_are_shown_doubted(tmp_path: Path) -> None:
    # A font that is not embedded, without a ToUnicode map, whose codes are glyph numbers:
    # PDFium takes them for code points.
    glyphs = [(7919 * n) % 30000 + 0x100 for n in range(1, 41)]
    content = b"BT /F1 14 Tf 72 700 Td <%s> Tj ET" % b"".join(b"%04X" % g for g in glyphs)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R"
        b" >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
        b"/DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry "
        b"(Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -200 1000 800] "
        b"/ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 800 /StemV 80 >>",
    ]
    found = _extract_without_system_fonts(tmp_path, hand_written_pdf(objects))
    metadata = found["metadata"]
    [entry] = metadata["text_layers"]
    assert entry["page"] == 1 and entry["doubts"]
    assert entry["shown"] == "pdf-text-layer"
    assert entry["note"] == "not read by OCR: characters draw no glyph"
    assert metadata["needs_review"] is True
    assert found["pages"][0][1] is None
    assert (
        "page(s) 1: the text layer looks like glyph codes and is shown unconfirmed"
        in (metadata["warnings"])
    )


# Vertical writing ------------------------------------------------------------------------

COLUMNS = [
    ("天地玄黄宇宙洪荒", 0),
    ("日月盈昃辰宿列张", 0),
    ("寒来暑往。", 0),
    ("闰余成岁律吕", 2),
    ("调阳。", 0),
]
READ = "千字文\n天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往。\n闰余成岁律吕调阳。\n一"


@pytest.mark.parametrize("writing_mode_font", [True, False])
@pytest.mark.parametrize("order", [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 0, 4, 1, 3]])
def test_vertical_writing_is_read_in_columns_right_to_left(
    writing_mode_font: bool, order: list[int]
) -> None:
    data = vertical_pdf(
        COLUMNS, order, writing_mode_font=writing_mode_font, head="千字文", folio="一"
    )
    extraction = extract_pdf(data, "vertical.pdf")
    assert extraction.pages[0].text == READ
    assert extraction.metadata["vertical_pages"] == [1]


def test_horizontal_pages_are_not_vertical() -> None:
    extraction = extract_pdf(make_pdf([LINES, ["第二页"]]), "horizontal.pdf")
    assert "vertical_pages" not in extraction.metadata


@pytest.mark.slow
def test_ocr_reads_vertical_writing_right_to_left() -> None:
    from shiliao.extract.ocr import ocr_image

    data = vertical_pdf(COLUMNS, [0, 1, 2, 3, 4], writing_mode_font=True, head="千字文")
    image = pdfium.PdfDocument(data)[0].render(scale=200 / 72, grayscale=True).to_pil()
    read = ocr_image(image, dpi=200)
    # RapidOCR leaves out the full stops of the columns.
    assert read.text == "千字文\n天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往\n闰余成岁律吕调阳"
    assert [line.text for line in read.lines][:3] == [
        "千字文",
        "天地玄黄宇宙洪荒",
        "日月盈昃辰宿列张",
    ]


def test_a_hyphen_pdfium_marks_at_a_line_end_is_a_hyphen() -> None:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R"
        b" >> >> /Contents 4 0 R >>",
    ]
    content = b"BT /F1 14 Tf 72 700 Td (inter-) Tj 0 -20 Td (national law) Tj ET"
    objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    extraction = extract_pdf(hand_written_pdf(objects), "hyphen.pdf")
    assert extraction.pages[0].text == "inter-national law"


# Document titles -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "codec", "encoding"),
    [
        ("中华人民共和国宪法", "gbk", "gb18030"),
        ("2019年 工作报告（草案）", "gbk", "gb18030"),
        ("COVID-19 Report 报告", "gbk", "gb18030"),
        ("關於臺灣地區的通知", "big5", "big5"),
        ("東京都の天気予報", "shift_jis", "cp932"),
        ("東京都の天気予報", "euc_jp", "euc_jp"),
        ("대한민국 헌법", "euc_kr", "cp949"),
        # UTF-8 without its mark: 中 is E4 B8 AD, and PDFDocEncoding leaves 0xAD undefined.
        ("中华人民共和国宪法", "utf-8", "utf-8"),
    ],
)
def test_a_title_in_a_legacy_encoding_is_read_again(title: str, codec: str, encoding: str) -> None:
    metadata = extract_pdf(pdf_with_info_title(title.encode(codec)), "t.pdf").metadata
    assert (metadata["title"], metadata["title_encoding"]) == (title, encoding)


@pytest.mark.parametrize("title", ["Président de la République", "Größe und Ästhetik", "Ærø"])
def test_a_western_title_stays_as_written(title: str) -> None:
    metadata = extract_pdf(pdf_with_info_title(title.encode("cp1252")), "t.pdf").metadata
    assert metadata["title"] == title
    assert "title_encoding" not in metadata


def test_a_title_of_bytes_nothing_reads_is_not_used() -> None:
    # Three GB 2312 characters and two bytes 0xFF, which no East Asian encoding (nor UTF-8)
    # has: Shift_JIS reads them all, but as half-width katakana, which no one writes.
    title = b"\xb0\xb1\xb2\xb3\xb4\xb5\xff\xff"
    metadata = extract_pdf(pdf_with_info_title(title), "t.pdf").metadata
    assert "title" not in metadata
    assert metadata["info_title"] == "°±²³´µÿÿ"
    assert metadata["warnings"] == [
        "the document information Title seems to be text in a legacy encoding that no known "
        "encoding reads; not used as the title"
    ]


@pytest.mark.parametrize(
    "title",
    [
        "untitled",
        "Untitled-1",
        "Document1",
        "Microsoft Word - 关于开展工作的通知.doc",
        "无标题文档",
        "PowerPoint 演示文稿",
        "scan0001.pdf",
        "C:\\Documents\\通知",
        "1",
    ],
)
def test_a_placeholder_title_is_not_used(title: str) -> None:
    assert is_placeholder_title(title)
    data = b"\xfe\xff" + title.encode("utf-16-be")
    extraction = extract_bytes_inline(pdf_with_info_title(data), "p.pdf")
    assert "title" not in extraction.metadata
    assert extraction.metadata["placeholder_title"] == title
    assert extraction.metadata["warnings"] == [
        "the title the file gives is an application's placeholder or a file name; not used as "
        "the title"
    ]


@pytest.mark.parametrize(
    "title", ["关于开展民族团结一家亲活动的通知", "Annual Report 2019", "Document Retention Policy"]
)
def test_a_real_title_is_used(title: str) -> None:
    assert not is_placeholder_title(title)
    data = b"\xfe\xff" + title.encode("utf-16-be")
    assert extract_bytes_inline(pdf_with_info_title(data), "p.pdf").metadata["title"] == title
