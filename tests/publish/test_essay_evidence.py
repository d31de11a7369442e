"""Essays that lead to their evidence: figures from archived sources, links by id, citations
that open the source, quoted phrases that open the passage, and the build's warnings.

A collection written here (a photograph with EXIF, a PDF, a Chinese notice, a team picture, a
bibliography entry ``archived`` to the notice, an essay using every link form) is built with
``shiliao.operations.build`` into a public site, and the pages and files are read back.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import lxml.html
import pytest
from PIL import Image

from shiliao.operations.build import BuildReport, build
from tests.publish.conftest import SAMPLE, resolve_link

ESSAY = "essays/evidence.md"
PHRASE = "结对认亲"
NOTICE = [
    "关于开展结亲活动的通知",
    f"各单位要开展民族团结一家亲活动，干部要与群众{PHRASE}，每两个月走访一次。",
    "各单位按季度报送活动开展情况。",
]
# Bytes of the team picture that must never reach the public site: its pixels are a pattern
# no other picture has, and its EXIF names a camera.
TEAM_MAKE = "TeamOnlyCamera-9f2e"


def _jpeg(size: tuple[int, int], colour: tuple[int, int, int], make: str) -> bytes:
    """A JPEG of one colour with EXIF naming a camera and a GPS position."""
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x010F] = make  # Make
    exif[0x0110] = "Model 7"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (39.0, 28.0, 12.5)
    gps[3], gps[4] = "E", (75.0, 59.0, 24.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def _pdf() -> bytes:
    """A two-page A4 PDF (reportlab), a box drawn on each page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for number in (1, 2):
        pdf.rect(72, 400, 300, 200, fill=1)
        pdf.drawString(72, 720, f"Work report, page {number}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def write_collection(root: Path) -> Path:
    """The fixture collection; returns its folder."""
    sources = root / "sources"
    sources.mkdir(parents=True)
    (sources / "photo.jpg").write_bytes(_jpeg((2400, 1200), (180, 40, 40), "PublicCamera"))
    (sources / "photo.jpg.yaml").write_text(
        "title: 结亲周 升旗仪式\ndate: '2017'\ntype: graphic\ncollection: notices\n",
        encoding="utf-8",
    )
    (sources / "secret.jpg").write_bytes(_jpeg((900, 700), (20, 200, 90), TEAM_MAKE))
    (sources / "secret.jpg.yaml").write_text(
        "title: 内部照片\ndate: '2018'\naccess: team\n", encoding="utf-8"
    )
    (sources / "record.jpg").write_bytes(_jpeg((800, 600), (90, 90, 20), "RecordCamera"))
    (sources / "record.jpg.yaml").write_text(
        "title: 只有目录的照片\ndate: '2018'\naccess: metadata\n", encoding="utf-8"
    )
    (sources / "report.pdf").write_bytes(_pdf())
    (sources / "report.pdf.yaml").write_text(
        "title: Work report\ndate: '2018'\ntype: report\n", encoding="utf-8"
    )
    (sources / "notice.txt").write_text("\n\n".join(NOTICE) + "\n", encoding="utf-8")
    (sources / "notice.txt.yaml").write_text(
        "title: 关于开展结亲活动的通知\ndate: '2016-10-17'\ncollection: notices\n",
        encoding="utf-8",
    )
    # An editor read the PDF, so its original may be offered (and a page of it shown).
    (root / "privacy.yaml").write_text("- source: report\n  decision: checked\n", encoding="utf-8")
    (root / "glossary.yaml").write_text(
        "- term: 结亲\n  pinyin: jiéqīn\n  english: [pair up and become family]\n",
        encoding="utf-8",
    )
    (root / "bibliography.json").write_text(
        json.dumps(
            [
                {
                    "id": "notice-2016",
                    "type": "report",
                    "title": "关于开展结亲活动的通知",
                    "author": [{"literal": "自治区党委"}],
                    "issued": {"date-parts": [[2016]]},
                    "archived": "notice",
                },
                {
                    "id": "wang-2019",
                    "type": "document",
                    "author": [{"family": "Wang"}],
                    "issued": {"date-parts": [[2019]]},
                    "note": "Record incomplete: title not yet recovered.",
                },
            ],
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    essays = root / "essays"
    essays.mkdir()
    (essays / "evidence.md").write_text(
        "---\ntitle: Evidence\ncollection: [notices, nowhere]\n---\n"
        "\n"
        f"The notice asks cadres to “{PHRASE}” with families (自治区党委, 2016), and\n"
        "Wang (2019) agrees; “不在通知里” is quoted from elsewhere.\n"
        "\n"
        "Read [the notice](source:notice), its [second paragraph](passage:notice#2), the term\n"
        "[结亲](term:结亲), the [notices](collection:notices), [this section](section:evidence)\n"
        "and [a missing source](source:no-such-source).\n"
        "\n"
        "![Cadres raise the flag in a village](source:photo)\n"
        "Figure 1: A flag-raising ceremony (结亲周 升旗仪式).\n"
        "\n"
        "![The upper half of the report's second page](source:report#page=2&region=0,0,1,0.5)\n"
        "\n"
        "![A team picture](source:secret)\n"
        "Figure 3: Not for the public.\n"
        "\n"
        "Figure 4: A caption without a picture (结亲周 升旗仪式).\n"
        "\n"
        "![A catalogue record's picture](source:record)\n",
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildReport, Path]:
    base = tmp_path_factory.mktemp("essay-evidence")
    collection = write_collection(base / "collection")
    report = build(collection, base / "archive", base / "site")
    return report, base / "site"


def _page(site: Path, path: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((site / path).read_bytes())


def _target(site: Path, page: str, href: str) -> tuple[str, str]:
    resolved = resolve_link(page, href)
    assert resolved is not None, href
    path, fragment = resolved
    assert (site / path).is_file(), f"{href} -> {path}"
    return path, fragment


PAGE = "sections/evidence/index.html"


def test_figure_is_a_resized_image_without_exif(built: tuple[BuildReport, Path]) -> None:
    _, site = built
    tree = _page(site, PAGE)
    [figure] = tree.xpath('//figure[@id="figure-1"]')
    [img] = figure.xpath("img")
    assert img.get("alt") == "Cadres raise the flag in a village"
    path, _ = _target(site, PAGE, img.get("src"))
    assert path.startswith("figures/") and path.endswith(".jpg")
    data = (site / path).read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert image.size == (1600, 800)  # 2400 x 1200, longest side to 1600
        assert (img.get("width"), img.get("height")) == ("1600", "800")
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info and "icc_profile" not in image.info
    # No APP1 segment (EXIF, XMP) at all: in a JPEG, 0xFF 0xE1 can only be that marker.
    assert b"\xff\xe1" not in data
    assert b"PublicCamera" not in data
    # The caption's title is the source's, linked to its page.
    [title] = figure.xpath('figcaption/a[@class="figure-source"]')
    assert title.text_content() == "结亲周 升旗仪式"
    source_page, _ = _target(site, PAGE, title.get("href"))
    assert source_page == "sources/photo/index.html"
    assert "结亲周 升旗仪式" in _page(site, source_page).xpath("string(//h1)")


def test_pdf_page_region_figure(built: tuple[BuildReport, Path]) -> None:
    _, site = built
    tree = _page(site, PAGE)
    [img] = tree.xpath('//img[@alt="The upper half of the report\'s second page"]')
    path, _ = _target(site, PAGE, img.get("src"))
    with Image.open(site / path) as image:
        # The upper half of an A4 page (595 x 842 pt): wider than high, longest side 1600.
        assert image.size[0] == 1600 and 1100 <= image.size[1] <= 1160
        assert dict(image.getexif()) == {}
    # Without a caption, the figure names its source, linked.
    [figure] = img.xpath("ancestor::figure")
    [link] = figure.xpath('.//a[@class="figure-source"]')
    assert _target(site, PAGE, link.get("href"))[0] == "sources/report/index.html"


def test_team_source_gives_no_figure_and_no_bytes(built: tuple[BuildReport, Path]) -> None:
    report, site = built
    tree = _page(site, PAGE)
    [figure] = tree.xpath('//figure[@id="figure-3"]')
    assert figure.xpath("img") == []
    assert f"{ESSAY}:18: figure 3 has no image: no published source has the id 'secret'" in (
        report.warnings
    )
    secret = (site.parent / "collection" / "sources" / "secret.jpg").read_bytes()
    # Only the two public figures were made; nothing of the team picture, nor of the picture
    # published as a catalogue record only, is anywhere.
    assert len(list((site / "figures").iterdir())) == 2
    record = (site.parent / "collection" / "sources" / "record.jpg").read_bytes()
    for path in site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert secret[-2000:] not in data and TEAM_MAKE.encode() not in data, path
            assert record[-2000:] not in data and b"RecordCamera" not in data, path
            assert "内部照片".encode() not in data, path


def test_citation_opens_the_archived_source(built: tuple[BuildReport, Path]) -> None:
    _, site = built
    tree = _page(site, PAGE)
    [cite] = tree.xpath('//a[contains(@class, "cite archived")]')
    assert cite.text_content() == "自治区党委, 2016"
    assert _target(site, PAGE, cite.get("href")) == ("sources/notice/index.html", "")
    # Its reference-list entry links there too; an entry that is not archived does not.
    [entry] = tree.xpath('//li[@id="ref-notice-2016"]')
    [copy] = entry.xpath('a[@class="archived-copy"]')
    assert _target(site, PAGE, copy.get("href")) == ("sources/notice/index.html", "")
    [wang] = tree.xpath('//a[@class="cite"]')
    assert wang.get("href") == "#ref-wang-2019"


def test_quoted_phrase_opens_its_passage(built: tuple[BuildReport, Path]) -> None:
    _, site = built
    tree = _page(site, PAGE)
    [quote] = tree.xpath('//a[@class="quote"]')
    assert quote.text_content() == PHRASE
    path, anchor = _target(site, PAGE, quote.get("href"))
    assert path == "sources/notice/index.html" and anchor
    [passage] = _page(site, path).xpath(f'//*[@id="{anchor}"]')
    assert PHRASE in passage.text_content()
    # A quotation the cited source does not have stays text.
    assert "不在通知里" in tree.xpath('string(//p[a[@class="quote"]])')
    assert len(tree.xpath('//a[@class="quote"]')) == 1


def test_every_link_form_resolves(built: tuple[BuildReport, Path]) -> None:
    _, site = built
    tree = _page(site, PAGE)
    links = {a.text_content(): a for a in tree.xpath("//article//a")}
    expected = {
        "the notice": ("sources/notice/index.html", ""),
        "second paragraph": ("sources/notice/index.html", "p2"),
        "结亲": ("terms/jieqin/index.html", ""),
        "notices": ("collections/notices/index.html", ""),
        "this section": (PAGE, ""),
    }
    for text, target in expected.items():
        assert _target(site, PAGE, links[text].get("href")) == target, text
    assert "2" in _page(site, "sources/notice/index.html").xpath('//*[@id="p2"]/@id')[0]
    # The term shows its pinyin and English on hover; terms.js shows them on a tap.
    assert links["结亲"].get("title") == "jiéqīn · pair up and become family"
    data = (site / "assets" / "terms-data.js").read_text(encoding="utf-8")
    assert '"terms/jieqin/index.html": ["jiéqīn", "pair up and become family"]' in data
    scripts = tree.xpath("//script/@src")
    assert "../../assets/terms.js" in scripts and "../../assets/terms-data.js" in scripts
    # The missing id keeps its text, unlinked.
    [missing] = tree.xpath('//span[@class="missing-link"]')
    assert missing.text_content() == "a missing source"
    # The section page links the collection it names that exists.
    [collections] = tree.xpath('//p[@class="section-collections"]')
    assert [a.get("href") for a in collections.xpath("a")] == [
        "../../collections/notices/index.html"
    ]


def test_build_warns_with_file_and_line(built: tuple[BuildReport, Path]) -> None:
    report, _ = built
    essay = [w for w in report.warnings if w.startswith(ESSAY)]
    assert essay == [
        f"{ESSAY}:7: reference wang-2019 is an incomplete record (no title); complete its entry "
        "in the bibliography",
        f"{ESSAY}:11: link to source:no-such-source: no published source has this id",
        f"{ESSAY}:18: figure 3 has no image: no published source has the id 'secret'",
        f"{ESSAY}:21: figure 4 has no image: write ![alt text](source:ID) on the line above its "
        "caption to show the archived picture",
        f"{ESSAY}:23: a figure has no image: its file is not offered on the public site (a "
        "catalogue record only)",
        f"{ESSAY}: front matter collection: nowhere matches no collection of the archive's "
        "published sources",
    ]


def test_essay_text_stays_escaped() -> None:
    from shiliao.model import Section
    from shiliao.publish.section import render_section

    body = (
        '[x](source:"><script>alert(1)</script>) ![<b>alt</b> "q"](source:nope)\n\n'
        "![<img src=x onerror=alert(1)>](source:nope#page=1)\n"
    )
    rendered = render_section(Section("t", "essays/t.md", {}, body, 1, "0" * 64), [], [], str)
    tree = lxml.html.fragment_fromstring(rendered.html, create_parent="div")
    assert tree.xpath("//script | //img | //b | //@onerror") == []
    assert "<script>" not in rendered.html
    assert all(w.startswith("essays/t.md:") for w in rendered.warnings)


@pytest.mark.slow
def test_sample_build_warns_of_placeholders_and_collections(built_sample: dict) -> None:
    warnings = built_sample["summary"]["warnings"]
    bibliography = json.loads((SAMPLE / "bibliography.json").read_text(encoding="utf-8"))
    placeholders = {entry["id"] for entry in bibliography if "incomplete" in entry["note"]
                    or "not yet recovered" in entry["note"]}  # fmt: skip
    assert len(placeholders) == 14
    named = {
        w.split(" reference ")[1].split()[0] for w in warnings if "is an incomplete record" in w
    }
    assert named == placeholders
    assert (
        "essays/jieqin.md: front matter collection: jieqin-scholarship matches no collection of "
        "the archive's published sources"
    ) in warnings
    assert len([w for w in warnings if w.startswith("essays/jieqin.md:") and "no image" in w]) == 4


def _warc(tmp_path: Path) -> Path:
    """A web archive holding a page and a 3000 x 2000 picture it shows (warcio)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "page.warc.gz"
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        records = [
            ("https://example.org/page.html", "text/html", b"<p>\xe7\xbb\x93\xe4\xba\xb2</p>"),
            ("https://example.org/a.jpg", "image/jpeg", _jpeg((3000, 2000), (0, 0, 250), "Web")),
        ]
        for url, media_type, payload in records:
            headers = StatusAndHeaders("200 OK", [("Content-Type", media_type)], "HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    url, "response", payload=io.BytesIO(payload), http_headers=headers
                )
            )
    return path


def test_picture_from_a_web_archive(tmp_path: Path) -> None:
    from shiliao.publish.figures import FigureImage, FigureRequest, derive_figure

    warc = _warc(tmp_path)
    site = tmp_path / "site"
    request = FigureRequest(
        "page", region=(0.5, 0.5, 0.5, 0.5), image_url="https://example.org/a.jpg"
    )
    made = derive_figure(warc, "application/warc", request, "0" * 64, site)
    assert isinstance(made, FigureImage)
    # The lower right quarter: 1500 x 1000, under the limit, so not scaled.
    assert (made.width, made.height) == (1500, 1000)
    with Image.open(site / made.path) as image:
        assert image.size == (1500, 1000) and dict(image.getexif()) == {}
        assert image.getpixel((10, 10))[2] > 200
    # The same request gives the same file; another address is not in the archive.
    assert derive_figure(warc, "application/warc", request, "0" * 64, site) == made
    missing = FigureRequest("page", image_url="https://example.org/b.jpg")
    assert derive_figure(warc, "application/warc", missing, "0" * 64, site) == (
        "the web archive holds no picture captured at https://example.org/b.jpg"
    )
    assert "image=ADDRESS" in derive_figure(
        warc, "application/warc", FigureRequest("page"), "0", site
    )


def test_figure_addresses_and_hostile_pictures(tmp_path: Path) -> None:
    from shiliao.publish.figures import FigureRequest, derive_figure, parse_figure_target

    assert parse_figure_target("source:r#page=3&region=0.1,0.2,0.5,0.5") == FigureRequest(
        "r", page=3, region=(0.1, 0.2, 0.5, 0.5)
    )
    assert parse_figure_target("source:w#image=https://x.org/a.jpg?s=1&t=2") == FigureRequest(
        "w", image_url="https://x.org/a.jpg?s=1&t=2"
    )
    assert "inside the page" in parse_figure_target("source:r#region=0.5,0,0.6,1")
    assert "four numbers" in parse_figure_target("source:r#region=1,2")
    assert "not a page number" in parse_figure_target("source:r#page=0")
    assert "unknown figure option" in parse_figure_target("source:r#size=3")
    # A picture that claims 225 million pixels is refused, not decoded; so is a broken file.
    bomb = tmp_path / "bomb.png"
    Image.new("1", (15000, 15000)).save(bomb)
    site = tmp_path / "site"
    assert "could not be read as a picture (DecompressionBombError)" in derive_figure(
        bomb, "image/png", FigureRequest("b"), "1" * 64, site
    )
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n garbage")
    assert "could not be read" in derive_figure(
        broken, "application/pdf", FigureRequest("p"), "2" * 64, site
    )
    assert not (site / "figures").exists()


@pytest.mark.browser
def test_term_meaning_on_hover_and_tap(built: tuple[BuildReport, Path]) -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser import launch_chromium, serve

    _, site = built
    problems: list[str] = []
    with serve(site) as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for touch in (False, True):
                context = browser.new_context(
                    viewport={"width": 390, "height": 800} if touch else None,
                    has_touch=touch,
                    is_mobile=touch,
                )
                page = context.new_page()
                page.on("pageerror", lambda error: problems.append(str(error)))
                page.goto(url + PAGE)
                term = page.locator("article a.term").first
                tip = page.locator("#term-tip")
                if touch:
                    # The first tap shows the meaning and stays; a second tap opens the page.
                    term.tap()
                    assert tip.is_visible() and page.url == url + PAGE
                    assert tip.text_content() == "jiéqīn · pair up and become family"
                    assert term.get_attribute("aria-describedby") == "term-tip"
                    assert page.evaluate(
                        "document.documentElement.scrollWidth <= "
                        "document.documentElement.clientWidth"
                    )
                    term.tap()
                    page.wait_for_url(url + "terms/jieqin/index.html")
                else:
                    term.hover()
                    assert tip.is_visible()
                    assert tip.text_content() == "jiéqīn · pair up and become family"
                    # The browser's own tooltip is not shown as well.
                    assert term.get_attribute("title") is None
                    page.keyboard.press("Escape")
                    assert not tip.is_visible()
                context.close()
        finally:
            browser.close()
    assert problems == []
