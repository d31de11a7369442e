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
from shiliao.model import Section, Term
from shiliao.publish.section import RenderedSection, render_section

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


def test_sample_title_and_no_warnings(sample: RenderedSection) -> None:
    assert sample.title == "The “Jieqin” Campaign"
    assert sample.subtitle == "Ethnic Integration, Surveillance, and Grassroots Governance"
    assert sample.warnings == []
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
    assert rendered.warnings == [
        "essays/test.md:6: figure 2 source (未知) matches no bibliography entry",
        "essays/test.md:8: figure 3 names no source; end its caption with the source's title "
        "in parentheses",
        "essays/test.md:10: figure 4 source (双) matches 2 entries: twin-a, twin-b",
    ]
    tree = parse(rendered.html)
    assert tree.xpath("//figure/@id") == ["figure-1", "figure-2", "figure-3", "figure-4"]
    assert tree.xpath("//figure//a/@href") == ["#ref-fig"]
