"""Rendering an essay: citations, terms, figures, references and escaping, checked on the parsed
HTML of the real sample essay and of essays written here."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import lxml.html
import pytest
import yaml

from shiliao.cite.csl import load_bibliography
from shiliao.model import Passage, Section, Source, Term
from shiliao.publish.figures import FigureImage, FigureRequest
from shiliao.publish.section import EssayLinks, RenderedSection, render_section
from shiliao.publish.urls import SiteUrls, relative, term_slugs

SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "jieqin"
HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")


def term_url(term: str) -> str:
    return f"/terms/{term}/"


def essay_section(path: Path) -> Section:
    """The essay as a Section: YAML front matter between ``---`` lines, then the body."""
    raw = path.read_bytes()
    _, front, body = raw.decode("utf-8").split("---\n", 2)
    return Section(
        id=path.stem,
        path=f"essays/{path.name}",
        front_matter=yaml.safe_load(front),
        body=body,
        body_line=front.count("\n") + 3,
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def sample_terms() -> list[Term]:
    entries = yaml.safe_load((SAMPLE / "glossary.yaml").read_text(encoding="utf-8"))
    return [
        Term(
            term=entry["term"],
            pinyin=entry["pinyin"],
            english=tuple(entry["english"]),
            traditional=entry.get("traditional"),
        )
        for entry in entries
    ]


def sample_bibliography() -> list[dict[str, Any]]:
    path = SAMPLE / "bibliography.json"
    return load_bibliography(path.read_bytes(), str(path))


def parse(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(html, create_parent="div")


def written(
    body: str, bibliography: list[dict[str, Any]], terms: list[Term] = ()
) -> RenderedSection:
    section = Section(
        id="test",
        path="essays/test.md",
        front_matter={"title": "Test"},
        body=body,
        body_line=4,
        sha256="0" * 64,
    )
    return render_section(section, bibliography, list(terms), term_url)


@pytest.fixture(scope="module")
def sample() -> RenderedSection:
    return render_section(
        essay_section(SAMPLE / "essays" / "jieqin.md"),
        sample_bibliography(),
        sample_terms(),
        term_url,
    )


def test_sample_title_and_warnings(sample: RenderedSection) -> None:
    assert sample.title == "The “Jieqin” Campaign"
    assert sample.subtitle == "Ethnic Integration, Surveillance, and Grassroots Governance"
    # Every placeholder record of the bibliography once, where it is first cited; every
    # figure (a caption without a picture); the front matter's collection, which no source is in.
    incomplete = [w for w in sample.warnings if "is an incomplete record" in w]
    assert [w.split(" reference ")[1].split()[0] for w in incomplete] == [
        "fig-1-fanghuiju-jieqin-week",
        "xinhuanet-2014",
        "yao-zhang-2016",
        "wang-2019",
        "chang-2020",
        "sheng-yanitakqiao-2017",
        "fig-2-jieqin-week-cooking",
        "xu-2018",
        "fig-3-ethnic-unity-jieqin",
        "fig-4-jieqin-mandarin",
        "cha-2017",
        "cao-zhu-2020",
        "jiang-2020",
        "yang-fu-2019",
    ]
    assert incomplete[1] == (
        "essays/jieqin.md:16: reference xinhuanet-2014 is an incomplete record (no title); "
        "complete its entry in the bibliography"
    )
    no_image = [w for w in sample.warnings if " has no image" in w]
    assert [w.split(": figure")[0] for w in no_image] == [
        f"essays/jieqin.md:{line}" for line in (12, 22, 28, 45)
    ]
    assert sample.warnings[-1] == (
        "essays/jieqin.md: front matter collection: jieqin-scholarship matches no collection "
        "of the archive's published sources"
    )
    assert len(sample.warnings) == 14 + 4 + 1
    assert len(sample.citations) == 32
    assert all(resolution.entry_id for resolution in sample.citations)


def test_sample_citations_link_to_reference_entries(sample: RenderedSection) -> None:
    tree = parse(sample.html)
    links = tree.xpath('//a[@class="cite"]')
    assert len(links) == 32
    assert tree.xpath('//span[contains(@class, "unresolved")]') == []
    chang = [link for link in links if link.text_content() == "Chang, 2020"]
    assert len(chang) == 10
    assert {link.get("href") for link in chang} == {"#ref-chang-2020"}
    anchors = {li.get("id") for li in tree.xpath('//section[@class="references"]/ol/li')}
    assert "ref-chang-2020" in anchors
    assert {link.get("href")[1:] for link in links} <= anchors
    # A multiple citation keeps its parentheses and separator as text around two links.
    paragraph = tree.xpath('//p[a[@class="cite"]="Sheng & Yanitakqiao, 2017"]')[1]
    assert "(Chang, 2020; Sheng & Yanitakqiao, 2017)" in paragraph.text_content()


def test_sample_figures_link_their_sources(sample: RenderedSection) -> None:
    tree = parse(sample.html)
    figures = tree.xpath("//figure")
    assert [figure.get("id") for figure in figures] == [f"figure-{n}" for n in range(1, 5)]
    sources = [figure.xpath("figcaption/a")[0] for figure in figures]
    assert [link.get("href") for link in sources] == [
        "#ref-fig-1-fanghuiju-jieqin-week",
        "#ref-fig-2-jieqin-week-cooking",
        "#ref-fig-3-ethnic-unity-jieqin",
        "#ref-fig-4-jieqin-mandarin",
    ]
    assert sources[1].text_content() == "结亲周|学起来 走起来 快乐的生活“靓”起来"
    assert figures[0].xpath("string(figcaption)").startswith("Figure 1: In Ürümqi")
    # No figure paragraph is left as a paragraph.
    assert not [p for p in tree.xpath("//p") if p.text_content().startswith("Figure ")]


def test_sample_reference_list(sample: RenderedSection) -> None:
    assert [reference.entry_id for reference in sample.references] == [
        # Chicago (CMOS 15.37): a work with no author is listed by its title, among the
        # names; titles in characters by their pinyin (访惠聚 fang, 结亲 jie, 民族 min).
        "cao-zhu-2020",
        "cha-2017",
        "chang-2020",
        "fig-1-fanghuiju-jieqin-week",
        "jiang-2020",
        "fig-4-jieqin-mandarin",
        "fig-2-jieqin-week-cooking",
        "fig-3-ethnic-unity-jieqin",
        "sheng-yanitakqiao-2017",
        "wang-2019",
        "xinhuanet-2014",
        "xu-2018",
        "yang-fu-2019",
        "yao-zhang-2016",
    ]
    tree = parse(sample.html)
    [section] = tree.xpath('//section[@class="references"]')
    assert section.xpath("string(h2)") == "References"
    items = section.xpath("ol/li")
    assert [li.get("id") for li in items] == [r.anchor for r in sample.references]
    assert items[-1] is tree.xpath("//li")[-1]  # the list ends the fragment
    assert items[13].text_content().startswith("Yao and Zhang. 2016. Record incomplete")
    [xinhua] = [r for r in sample.references if r.entry_id == "xinhuanet-2014"]
    assert parse(xinhua.html).xpath("string(span[@lang='zh-Hans'])") == "新华网"


def test_sample_glossary_terms_are_linked(sample: RenderedSection) -> None:
    tree = parse(sample.html)
    [link] = tree.xpath('//a[@class="term"][.="动员大会"]')
    assert link.get("href") == "/terms/动员大会/"
    assert link.get("lang") == "zh-Hans"
    # Longest term first inside a longer run: 送温暖 within 送法律、送政策、送文明、送温暖.
    [run] = tree.xpath('//span[@lang="zh-Hans"][.="送法律、送政策、送文明、送温暖"]')
    assert [a.text for a in run.xpath("a")] == ["送温暖"]
    # Terms inside a figure's source link are not linked again (links do not nest).
    assert tree.xpath("//a//a") == []


def test_sample_every_han_character_has_a_lang(sample: RenderedSection) -> None:
    tree = parse(sample.html)
    for text in tree.xpath("//text()"):
        if HAN.search(text):
            parent = text.getparent()
            assert parent.xpath("ancestor-or-self::*[@lang]"), text


def test_missing_ambiguous_and_suffixed_citations_warn_with_file_lines() -> None:
    bibliography = [
        {"id": "chang-2020", "type": "book", "author": [{"family": "Chang"}],
         "issued": {"date-parts": [[2020]]}, "title": "Pairing"},
        {"id": "xu-2018-policy", "type": "book", "author": [{"family": "Xu"}],
         "issued": {"date-parts": [[2018]]}, "title": "Policy"},
        {"id": "xu-2018-cadres", "type": "book", "author": [{"family": "Xu"}],
         "issued": {"date-parts": [[2018]]}, "title": "Cadres"},
    ]  # fmt: skip
    body = (
        "# Heading (Chang, 2020)\n"
        "\n"
        "A work that is missing (Wang, 2019), one that is\n"
        "ambiguous (Xu, 2018), and a pair (Xu, 2018a; Xu,\n"
        "2018b).\n"
    )
    rendered = written(body, bibliography)
    assert rendered.warnings == [
        "essays/test.md:6: citation (Wang, 2019) matches no bibliography entry",
        "essays/test.md:7: citation (Xu, 2018) matches 2 entries: xu-2018-cadres, xu-2018-policy",
    ]
    tree = parse(rendered.html)
    unresolved = tree.xpath('//span[@class="cite unresolved"]')
    assert [span.text_content() for span in unresolved] == ["Wang, 2019", "Xu, 2018"]
    links = tree.xpath('//a[@class="cite"]')
    assert [(a.text_content(), a.get("href")) for a in links] == [
        ("Chang, 2020", "#ref-chang-2020"),
        ("Xu, 2018a", "#ref-xu-2018-cadres"),
        ("Xu,\n2018b", "#ref-xu-2018-policy"),
    ]
    assert [r.entry_id for r in rendered.references] == [
        "chang-2020",
        "xu-2018-cadres",
        "xu-2018-policy",
    ]


def test_citation_forms_render_as_links() -> None:
    bibliography = [
        {"id": "chang-2020", "type": "book", "author": [{"family": "Chang"}],
         "issued": {"date-parts": [[2020]]}, "title": "Pairing"},
        {"id": "wang-2019", "type": "book",
         "author": [{"family": "Wang"}, {"family": "Li"}, {"family": "Zhou"}],
         "issued": {"date-parts": [[2019]]}, "title": "Visits"},
    ]  # fmt: skip
    body = (
        "Narrative Chang (2020) and (see Chang, 2020) and (Chang, 2020, p. 14) and\n"
        "(Wang et al., 2019) and [@chang-2020, p. 14] and [see @wang-2019; @nobody].\n"
    )
    rendered = written(body, bibliography)
    assert rendered.warnings == [
        "essays/test.md:5: citation [@nobody] matches no bibliography entry"
    ]
    [paragraph] = parse(rendered.html).xpath("//p")
    assert " ".join(paragraph.text_content().split()) == (
        "Narrative Chang (2020) and (see Chang, 2020) and (Chang, 2020, p. 14) and "
        "(Wang et al., 2019) and (Chang 2020, p. 14) and (see Wang, Li, and Zhou 2019; @nobody)."
    )
    assert [(a.text_content(), a.get("href")) for a in paragraph.xpath("a")] == [
        ("Chang (2020)", "#ref-chang-2020"),
        ("Chang, 2020", "#ref-chang-2020"),
        ("Chang, 2020", "#ref-chang-2020"),
        ("Wang et al., 2019", "#ref-wang-2019"),
        ("Chang 2020", "#ref-chang-2020"),
        ("Wang, Li, and Zhou 2019", "#ref-wang-2019"),
    ]
    assert paragraph.xpath('string(span[@class="cite unresolved"])') == "@nobody"


def test_anchor_prefix() -> None:
    bibliography = [{"id": "chang-2020", "type": "book", "author": [{"family": "Chang"}],
                     "issued": {"date-parts": [[2020]]}}]  # fmt: skip
    section = Section("t", "essays/t.md", {}, "(Chang, 2020)\n", 1, "0" * 64)
    rendered = render_section(section, bibliography, [], term_url, reference_anchor_prefix="cite-")
    tree = parse(rendered.html)
    assert tree.xpath('//a[@class="cite"]/@href') == ["#cite-chang-2020"]
    assert tree.xpath("//li/@id") == ["cite-chang-2020"]
    assert rendered.title == "t"
    assert rendered.subtitle is None


def test_source_text_is_escaped() -> None:
    bibliography = [
        {"id": "x", "type": "webpage", "title": "<b>结亲</b>", "URL": "javascript:alert(1)",
         "author": [{"literal": "<script>alert(2)</script>"}], "issued": {"date-parts": [[2020]]}},
    ]  # fmt: skip
    body = (
        "<script>alert(1)</script> and <img src=x onerror=alert(1)>\n"
        "\n"
        "[click](javascript:alert(1)) (<script>alert(2)</script>, 2020)\n"
        "\n"
        "Figure 1: A picture (<b>结亲</b>).\n"
    )
    rendered = written(body, bibliography)
    tree = parse(rendered.html)
    assert tree.xpath("//script | //img | //b") == []
    assert tree.xpath("//@onerror") == []
    assert not [href for href in tree.xpath("//a/@href") if "javascript" in href]
    assert "<script>alert(1)</script> and <img src=x onerror=alert(1)>" in tree.text_content()
    assert "<script>" not in rendered.html
    [reference] = rendered.references
    assert "<script>" not in reference.html
    assert parse(reference.html).xpath("//a") == []


def test_ordinary_parentheses_are_not_citations() -> None:
    body = "Four prefectures (Kashgar, Khotan, Kizilsu, and Aksu) and (四同) and (e.g., Shihezi).\n"
    rendered = written(body, [])
    assert rendered.citations == []
    assert rendered.warnings == []
    assert parse(rendered.html).xpath('//*[contains(@class, "cite")]') == []


def test_citations_in_code_and_links_are_left_alone() -> None:
    body = "`(Wang, 2019)` and [see (Wang, 2019)](https://example.org)\n\n    (Wang, 2019)\n"
    rendered = written(body, [])
    assert rendered.citations == []
    assert rendered.warnings == []


def test_traditional_runs_and_terms() -> None:
    terms = [
        Term(term="结亲周", pinyin="jiéqīn zhōu", english=("Jieqin week",), traditional="結親週"),
        Term(term="结亲", pinyin="jiéqīn", english=("Jieqin",)),
    ]
    body = "Week (結親週), week (结亲周), and 结亲活动 and 發展.\n"
    tree = parse(written(body, [], terms).html)
    terms_linked = tree.xpath('//a[@class="term"]')
    assert [(a.text, a.get("href"), a.get("lang")) for a in terms_linked] == [
        ("結親週", "/terms/结亲周/", "zh-Hant"),
        ("结亲周", "/terms/结亲周/", "zh-Hans"),
        ("结亲", "/terms/结亲/", "zh-Hans"),
    ]
    assert tree.xpath('//span[@lang="zh-Hans"]/text()') == ["活动"]
    assert tree.xpath('//span[@lang="zh-Hant"]/text()') == ["發展"]


def test_figure_problems_are_warnings() -> None:
    bibliography = [
        {"id": "fig", "type": "webpage", "title": "结亲周"},
        {"id": "twin-a", "type": "webpage", "title": "双"},
        {"id": "twin-b", "type": "webpage", "title": " 双 "},
    ]
    body = (
        "Figure 1: Known (结亲周).\n\nFigure 2: Unknown (未知).\n\nFigure 3: No title.\n\n"
        "Figure 4: Two sources (双).\n"
    )
    rendered = written(body, bibliography)
    no_image = [w for w in rendered.warnings if " has no image: " in w]
    assert [w.split(": figure ")[0] for w in no_image] == [
        f"essays/test.md:{line}" for line in (4, 6, 8, 10)
    ]
    assert [w for w in rendered.warnings if "incomplete" in w] == [
        "essays/test.md:4: reference fig is an incomplete record (no author or date); complete "
        "its entry in the bibliography"
    ]
    assert [w for w in rendered.warnings if "incomplete" not in w and w not in no_image] == [
        "essays/test.md:6: figure 2 source (未知) matches no bibliography entry",
        "essays/test.md:8: figure 3 names no source; end its caption with the source's title "
        "in parentheses",
        "essays/test.md:10: figure 4 source (双) matches 2 entries: twin-a, twin-b",
    ]
    tree = parse(rendered.html)
    assert tree.xpath("//figure/@id") == ["figure-1", "figure-2", "figure-3", "figure-4"]
    assert tree.xpath("//figure//a/@href") == ["#ref-fig"]


def _links(figures: dict[str, Any] | None = None) -> EssayLinks:
    """What an essay on ``sections/test/index.html`` can link to: two sources, one passage
    each, a collection and a section; figures as ``figures`` gives them by source id."""
    notice = Source(
        id="notice", title="关于开展结亲活动的通知", date="2016", type="report",
        language="zh-Hans", metadata={}, file_sha256="0" * 64, line=None,
        record_sha256="0" * 64, path="sources/notice.txt", status="extracted",
    )  # fmt: skip
    photo = Source(
        id="photo", title="升旗仪式", date="2018", type="graphic", language="zh-Hans",
        metadata={}, file_sha256="1" * 64, line=None, record_sha256="1" * 64,
        path="sources/photo.jpg", status="extracted",
    )  # fmt: skip
    text = "干部要与群众结对\n认亲。"
    passages = {
        "notice": [Passage("notice", 1, 3, 0, len(text), text, "text")],
        "photo": [],
    }
    found = figures or {}

    def figure(request: FigureRequest) -> FigureImage | str:
        return found.get(request.source_id, "no picture in this test")

    return EssayLinks(
        urls=SiteUrls(term_slugs(TERMS)),
        link=lambda target: relative("sections/test/index.html", target),
        sources={"notice": notice, "photo": photo},
        passages=lambda source_id: passages[source_id],
        collections=frozenset({"notices"}),
        sections=frozenset({"test", "other"}),
        figure=figure,
    )


TERMS = [
    Term(term="结亲", pinyin="jiéqīn", english=("pair up", "become family"), traditional="結親")
]


def linked(body: str, bibliography: list[dict[str, Any]] = (), **figures: Any) -> RenderedSection:
    section = Section("test", "essays/test.md", {"collection": ["notices", "nope"]}, body, 4, "0")
    return render_section(
        section, list(bibliography), TERMS, term_url, links=_links(figures or None)
    )


def test_links_by_id_become_page_links_or_warnings() -> None:
    body = (
        "[n](source:notice) [p](passage:notice#3) [t](term:結親) [c](collection:notices)\n"
        "[s](section:other) [gone](source:missing) [bad](passage:notice#9)\n"
        "[x](term:不是) [y](collection:nope) [z](section:nope) [w](https://example.org/)\n"
    )
    rendered = linked(body)
    tree = parse(rendered.html)
    assert [(a.text, a.get("href")) for a in tree.xpath("//a")] == [
        ("n", "../../sources/notice/index.html"),
        ("p", "../../sources/notice/index.html#p3"),
        ("t", "../../terms/jieqin/index.html"),
        ("c", "../../collections/notices/index.html"),
        ("s", "../other/index.html"),
        ("w", "https://example.org/"),
    ]
    assert tree.xpath('//a[.="t"]/@title') == ["jiéqīn · pair up; become family"]
    assert tree.xpath('//span[@class="missing-link"]/text()') == ["gone", "bad", "x", "y", "z"]
    assert rendered.warnings == [
        "essays/test.md:5: link to source:missing: no published source has this id",
        "essays/test.md:5: link to passage:notice#9: the source has no published passage 9",
        "essays/test.md:6: link to term:不是: no glossary term is written so",
        "essays/test.md:6: link to collection:nope: no collection of published sources has this id",
        "essays/test.md:6: link to section:nope: no section has this id (a section's id is its "
        "file name's stem)",
        "essays/test.md: front matter collection: nope matches no collection of the archive's "
        "published sources",
    ]
    assert rendered.collections == [("notices", "../../collections/notices/index.html")]


def test_links_by_id_without_a_site_are_warnings() -> None:
    rendered = written("[n](source:notice)\n", [])
    assert parse(rendered.html).xpath("//a") == []
    assert rendered.warnings == [
        "essays/test.md:4: link to source:notice: links by id need the archive's site"
    ]


def test_citation_of_archived_source_and_quoted_phrase() -> None:
    bibliography = [
        {"id": "xj-2016", "type": "report", "title": "通知", "author": [{"literal": "Party"}],
         "issued": {"date-parts": [[2016]]}, "custom": {"archived": "notice"}},
        {"id": "notice", "type": "report", "title": "关于开展结亲活动的通知",
         "issued": {"date-parts": [[2016]]}},
        {"id": "other-2016", "type": "report", "title": "Other", "author": [{"literal": "Other"}],
         "issued": {"date-parts": [[2016]]}},
    ]  # fmt: skip
    body = (
        "Cadres pair up, “结对认亲” and 「结对 认亲」, not “结亲周” (Party, 2016).\n"
        "\n"
        "Here “结对认亲” cites no archived source (Other, 2016), [@notice].\n"
    )
    rendered = linked(body, bibliography)
    tree = parse(rendered.html)
    first, second = tree.xpath("//p")
    assert [(a.text_content(), a.get("href"), a.get("class")) for a in first.xpath("a")] == [
        ("结对认亲", "../../sources/notice/index.html#p3", "quote"),
        ("结对 认亲", "../../sources/notice/index.html#p3", "quote"),
        ("Party, 2016", "../../sources/notice/index.html", "cite archived"),
    ]
    assert "“结对认亲” and 「结对 认亲」, not “结亲周”" in first.text_content()
    # A paragraph citing a source by its id links its quotes too; the other work does not.
    assert [a.get("class") for a in second.xpath("a")] == ["quote", "cite", "cite archived"]
    references = {r.entry_id: parse(r.html) for r in rendered.references}
    assert references["xj-2016"].xpath('//a[@class="archived-copy"]/@href') == [
        "../../sources/notice/index.html"
    ]
    assert references["other-2016"].xpath('//a[@class="archived-copy"]') == []
    assert rendered.warnings == [
        "essays/test.md: front matter collection: nope matches no collection of the archive's "
        "published sources"
    ]


def test_figure_from_an_archived_source() -> None:
    image = FigureImage("figures/abc.jpg", 1600, 900)
    body = (
        '![A flag <raised> "here"](source:photo)\n'
        "Figure 2: The ceremony (升旗仪式).\n"
        "\n"
        "![](source:notice#page=2)\n"
        "\n"
        "![Missing](source:gone)\n"
        "\n"
        "Inline ![a picture](source:photo) and ![web](https://example.org/a.png).\n"
    )
    rendered = linked(body, photo=image)
    tree = parse(rendered.html)
    # The third has no image and no caption: nothing is shown of it (the build warns).
    first, second = tree.xpath("//figure")
    [img] = first.xpath("img")
    assert (img.get("src"), img.get("alt"), img.get("width"), img.get("height")) == (
        "../../figures/abc.jpg",
        'A flag <raised> "here"',
        "1600",
        "900",
    )
    assert first.get("id") == "figure-2"
    [title] = first.xpath('figcaption/a[@class="figure-source"]')
    assert (title.text_content(), title.get("href")) == (
        "升旗仪式",
        "../../sources/photo/index.html",
    )
    assert first.xpath("string(figcaption)") == "Figure 2: The ceremony (升旗仪式)."
    # No image: the figure names its source under its (empty) caption.
    assert second.xpath("img") == [] and second.xpath("string(figcaption)") == (
        "Source: 关于开展结亲活动的通知"
    )
    [paragraph] = tree.xpath("//p")
    assert [(a.text, a.get("href")) for a in paragraph.xpath("a")] == [
        ("a picture", "../../sources/photo/index.html")
    ]
    assert "web" in paragraph.text_content() and tree.xpath("//p//img") == []
    assert [r.entry_id for r in rendered.references] == []
    assert rendered.warnings[:-1] == [
        "essays/test.md:7: a figure has no image: no picture in this test",
        "essays/test.md:7: a figure has no alt text: write what the picture shows in ![...]",
        "essays/test.md:9: a figure has no image: no published source has the id 'gone'",
        "essays/test.md:11: image source:photo is not alone in its paragraph; it is shown as a "
        "link, not a figure",
        "essays/test.md:11: image https://example.org/a.png: pictures are shown from archived "
        "sources only, as a figure alone in its paragraph: ![alt text](source:ID)",
    ]


def test_terms_carry_their_pinyin_and_english() -> None:
    tree = parse(written("结亲 and 結親活动.\n", [], TERMS).html)
    assert [(a.text, a.get("title")) for a in tree.xpath('//a[@class="term"]')] == [
        ("结亲", "jiéqīn · pair up; become family"),
        ("結親", "jiéqīn · pair up; become family"),
    ]
