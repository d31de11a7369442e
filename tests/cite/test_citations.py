"""Finding and resolving author-date citations, on the sample essay and on written examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiliao.cite.citations import find_citations, resolve
from shiliao.cite.csl import load_bibliography
from shiliao.cite.reference import STYLES, in_text, year_suffixes

SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "jieqin"
ESSAY = SAMPLE / "essays" / "jieqin.md"

# Every citation of the sample essay, by file line, counted by reading it.
SAMPLE_CITATIONS = [
    (16, "(Xinhua Net, 2014)"),
    (16, "(Yao and Zhang, 2016)"),
    (20, "(Wang, 2019)"),
    (20, "(Chang, 2020)"),
    (20, "(Sheng & Yanitakqiao, 2017)"),
    (20, "(Chang, 2020)"),
    (26, "(Yao and Zhang, 2016)"),
    (26, "(Chang, 2020; Sheng & Yanitakqiao, 2017)"),
    (26, "(Xu, 2018)"),
    (26, "(Chang, 2020)"),
    (26, "(Xu, 2018)"),
    (32, "(Chang, 2020)"),
    (32, "(Wang, 2019)"),
    (32, "(Chang, 2020)"),
    (43, "(Wang, 2019)"),
    (43, "(Xu, 2018)"),
    (49, "(Cha, 2017; Chang, 2020)"),
    (49, "(Chang, 2020; Wang, 2019)"),
    (49, "(Chang, 2020)"),
    (49, "(Xu, 2018)"),
    (57, "(Yao and Zhang, 2016)"),
    (57, "(Cao & Zhu, 2020)"),
    (61, "(Xu, 2018)"),
    (65, "(Jiang, 2020)"),
    (65, "(Yang & Fu, 2019)"),
    (65, "(Jiang, 2020)"),
    (65, "(Jiang, 2020)"),
    (69, "(Xu, 2018)"),
    (69, "(Chang, 2020)"),
]


def sample_bibliography() -> list[dict]:
    path = SAMPLE / "bibliography.json"
    return load_bibliography(path.read_bytes(), str(path))


def book(entry_id: str, families: list[str], issued: int, title: str) -> dict:
    return {
        "id": entry_id,
        "type": "book",
        "author": [{"family": family} for family in families],
        "issued": {"date-parts": [[issued]]},
        "title": title,
    }


BIBLIOGRAPHY = [
    book("chang-2020", ["Chang"], 2020, "Pairing"),
    book("xu-2018-policy", ["Xu"], 2018, "Policy"),
    book("xu-2018-cadres", ["Xu"], 2018, "cadres"),
    book("wang-li-zhou-2019", ["Wang", "Li", "Zhou"], 2019, "Visits"),
    book("yao-zhang-2016", ["Yao", "Zhang"], 2016, "Campaign"),
    {"id": "xinhuanet-2014", "type": "webpage", "author": [{"literal": "Xinhua Net"}],
     "issued": {"date-parts": [[2014]]}},
    {"id": "undated", "type": "document", "author": [{"family": "Ma"}]},
]  # fmt: skip


def test_every_citation_of_the_sample_essay_is_found_and_resolves() -> None:
    text = ESSAY.read_text(encoding="utf-8")
    citations = find_citations(text)
    assert [(citation.line, citation.text) for citation in citations] == SAMPLE_CITATIONS
    for citation in citations:
        assert text[citation.start : citation.end] == citation.text
    resolutions = resolve(citations, sample_bibliography())
    assert len(resolutions) == len(SAMPLE_CITATIONS) + 3  # three citations name two works
    assert [r.warning("essays/jieqin.md") for r in resolutions if r.entry_id is None] == []
    chang = [r for r in resolutions if r.entry_id == "chang-2020"]
    assert len(chang) == 10
    assert {r.entry_id for r in resolutions} == {
        "xinhuanet-2014",
        "yao-zhang-2016",
        "wang-2019",
        "chang-2020",
        "sheng-yanitakqiao-2017",
        "xu-2018",
        "cha-2017",
        "cao-zhu-2020",
        "jiang-2020",
        "yang-fu-2019",
    }


def test_missing_ambiguous_and_suffixed_citations_warn_exactly() -> None:
    essay = (
        "Intro (Chang, 2020).\n"
        "\n"
        "Missing (Wang, 2019) here.\n"
        "Ambiguous (Xu, 2018) and a pair\n"
        "(Xu, 2018a; Xu, 2018b), then (Xu, 2018c).\n"
    )
    resolutions = resolve(find_citations(essay, first_line=7), BIBLIOGRAPHY)
    assert [(r.text, r.line, r.entry_id) for r in resolutions] == [
        ("(Chang, 2020)", 7, "chang-2020"),
        ("(Wang, 2019)", 9, None),
        ("(Xu, 2018)", 10, None),
        ("(Xu, 2018a)", 11, "xu-2018-cadres"),
        ("(Xu, 2018b)", 11, "xu-2018-policy"),
        ("(Xu, 2018c)", 11, None),
    ]
    assert resolutions[2].candidates == ("xu-2018-cadres", "xu-2018-policy")
    warnings = [w for r in resolutions if (w := r.warning("essays/test.md"))]
    assert warnings == [
        "essays/test.md:9: citation (Wang, 2019) matches no bibliography entry",
        "essays/test.md:10: citation (Xu, 2018) matches 2 entries: xu-2018-cadres, xu-2018-policy",
        "essays/test.md:11: citation (Xu, 2018c) matches no bibliography entry",
    ]


@pytest.mark.parametrize(
    ("text", "kind", "prefix", "locator", "entry_id"),
    [
        ("As Chang (2020) shows", "narrative", "", "", "chang-2020"),
        ("Chang (2020, 14)", "narrative", "", "14", "chang-2020"),
        ("Yao and Zhang (2016)", "narrative", "", "", "yao-zhang-2016"),
        ("Wang et al. (2019)", "narrative", "", "", "wang-li-zhou-2019"),
        ("(see Chang, 2020)", "parenthetical", "see", "", "chang-2020"),
        ("(See also Chang, 2020)", "parenthetical", "See also", "", "chang-2020"),
        ("(e.g., Chang, 2020)", "parenthetical", "e.g.,", "", "chang-2020"),
        ("(Chang, 2020, p. 14)", "parenthetical", "", "p. 14", "chang-2020"),
        ("(Chang 2020, 14)", "parenthetical", "", "14", "chang-2020"),
        ("(CHANG, 2020)", "parenthetical", "", "", "chang-2020"),
        ("(Wang et al., 2019)", "parenthetical", "", "", "wang-li-zhou-2019"),
        ("(Wang, Li, and Zhou, 2019)", "parenthetical", "", "", "wang-li-zhou-2019"),
        ("(Wang, Li & Zhou, 2019)", "parenthetical", "", "", "wang-li-zhou-2019"),
        ("(Yao & Zhang, 2016)", "parenthetical", "", "", "yao-zhang-2016"),
        ("(Zhang and Yao, 2016)", "parenthetical", "", "", None),
        # GB/T 7714-2015 §10.2 writes "et al." after the first of two Western names.
        ("(Yao et al., 2016)", "parenthetical", "", "", "yao-zhang-2016"),
        ("(Chang et al., 2020)", "parenthetical", "", "", None),
        ("(Wang, Li et al., 2019)", "parenthetical", "", "", "wang-li-zhou-2019"),
        ("(Wang, Li, Zhou et al., 2019)", "parenthetical", "", "", None),
        ("(Xinhua Net, 2014)", "parenthetical", "", "", "xinhuanet-2014"),
        ("(XINHUA NET, 2014)", "parenthetical", "", "", "xinhuanet-2014"),
        ("(Ma, n.d.)", "parenthetical", "", "", "undated"),
        ("(Chang, 2021)", "parenthetical", "", "", None),
        ("[@chang-2020]", "pandoc", "", "", "chang-2020"),
        ("[@chang-2020, p. 14]", "pandoc", "", "p. 14", "chang-2020"),
        ("[see @chang-2020 chap. 2]", "pandoc", "see", "chap. 2", "chang-2020"),
        ("[@nobody]", "pandoc", "", "", None),
    ],
)
def test_citation_forms(
    text: str, kind: str, prefix: str, locator: str, entry_id: str | None
) -> None:
    citations = find_citations(text)
    [citation] = citations
    assert citation.kind == kind
    [work] = citation.works
    assert (work.prefix, work.locator) == (prefix, locator)
    [resolution] = resolve(citations, BIBLIOGRAPHY)
    assert resolution.entry_id == entry_id


def test_several_works_in_one_citation() -> None:
    text = "(Chang, 2020; see Xu, 2018a, p. 3) and [@chang-2020; @yao-zhang-2016, 5]"
    parenthetical, pandoc = find_citations(text)
    assert [work.text for work in parenthetical.works] == ["Chang, 2020", "see Xu, 2018a, p. 3"]
    assert [text[w.label_start : w.label_end] for w in parenthetical.works] == [
        "Chang, 2020",
        "Xu, 2018a",
    ]
    assert [text[w.label_start : w.label_end] for w in pandoc.works] == [
        "@chang-2020",
        "@yao-zhang-2016",
    ]
    resolutions = resolve([parenthetical, pandoc], BIBLIOGRAPHY)
    assert [r.entry_id for r in resolutions] == [
        "chang-2020",
        "xu-2018-cadres",
        "chang-2020",
        "yao-zhang-2016",
    ]
    assert resolutions[1].text == "(see Xu, 2018a, p. 3)"
    assert resolutions[3].text == "[@yao-zhang-2016, 5]"


@pytest.mark.parametrize(
    "text",
    [
        "(四同)",
        "(e.g., Shihezi University)",
        "four prefectures (Kashgar, Khotan, Kizilsu, and Aksu) in southern XUAR",
        "(see the Cadre Blogs for more information)",
        "(from 2015 to 2020)",
        "(Xi Jinping's speech in 2014)",
        "(2014)",
        "(chang, 2020)",  # a name starts with a capital letter or a Han character
        "(xinhua net, 2014)",
        "(Chang, 2020; the campaign)",
        "write to [me@example.org]",
        "[@chang-2020](https://example.org)",
        "a paragraph (Chang,\n\n2020) split by a blank line",
    ],
)
def test_ordinary_parentheses_and_brackets_are_not_citations(text: str) -> None:
    assert find_citations(text) == []


def test_a_citation_wrapped_over_a_line_break() -> None:
    [citation] = find_citations("first line\nsee (Yao and\nZhang, 2016).", first_line=3)
    assert citation.line == 4
    assert citation.works[0].authors == ("Yao", "Zhang")
    assert citation.works[0].line == 4


def test_names_in_han_characters() -> None:
    bibliography = [
        {"id": "xinhua", "type": "webpage", "author": [{"literal": "新华网"}],
         "issued": {"date-parts": [[2014]]}},
    ]  # fmt: skip
    [resolution] = resolve(find_citations("(新华网, 2014)"), bibliography)
    assert resolution.entry_id == "xinhua"


@pytest.mark.timeout(10)
def test_a_long_list_of_names_without_a_year_is_searched_in_linear_time() -> None:
    # Unbounded name lists made this take minutes (the search backtracked at every name).
    assert find_citations("Abc, " * 30_000 + "Def") == []
    [citation] = find_citations("Abc, " * 30_000 + "Cao, Zhu, and Li (2020)")
    # A narrative citation names at most ten authors; the last ten are taken.
    assert citation.works[0].authors == ("Abc",) * 7 + ("Cao", "Zhu", "Li")


def government_report() -> dict:
    from shiliao.cite.sources import source_item
    from shiliao.model import Source

    source = Source(
        id="gwr-2019",
        title="2019年国务院政府工作报告",
        date="2019-03-05",
        type="report",
        language="zh-Hans",
        metadata={
            "publisher": "中华人民共和国国务院",
            "publisher_en": "State Council of the People's Republic of China",
            "url": "https://zh.wikisource.org/wiki/2019",
            "collection": ["government-work-reports"],
        },
        file_sha256="0" * 64,
        line=66,
        record_sha256="1" * 64,
        path="sources/government-work-reports.jsonl",
        status="extracted",
    )
    return source_item(
        source, archived_url="https://example.org/jieqin/sources/gwr-2019/", captured="2024-05-02"
    )


def test_an_archived_source_as_a_csl_item() -> None:
    assert government_report() == {
        "id": "gwr-2019",
        "type": "report",
        "title": "2019年国务院政府工作报告",
        "language": "zh-Hans",
        "issued": {"date-parts": [[2019, 3, 5]]},
        "author": [{"literal": "中华人民共和国国务院"}],
        "publisher": "中华人民共和国国务院",
        "URL": "https://zh.wikisource.org/wiki/2019",
        "custom": {
            "publisher-romanized": "State Council of the People's Republic of China",
            "author-romanized": [{"literal": "State Council of the People's Republic of China"}],
            "archived-url": "https://example.org/jieqin/sources/gwr-2019/",
            "archived-date": "2024-05-02",
        },
    }


def test_citations_resolve_to_archived_sources_and_romanized_names() -> None:
    from shiliao.cite.sources import citable_items
    from tests.cite.records import THESIS

    items, warnings = citable_items([*sample_bibliography(), THESIS], [government_report()])
    assert warnings == []
    text = (
        "The report [@gwr-2019, p. 3] and (State Council of the People's Republic of China, "
        "2019); Wang (2019) is ambiguous, (Wang, 2019b) is the thesis, [@nowhere] is not."
    )
    resolutions = resolve(find_citations(text), items)
    assert [(r.text, r.entry_id, r.candidates) for r in resolutions] == [
        ("[@gwr-2019, p. 3]", "gwr-2019", ()),
        ("(State Council of the People's Republic of China, 2019)", "gwr-2019", ()),
        ("Wang (2019)", None, ("wang-2019", "wang-juan-2019")),
        ("(Wang, 2019b)", "wang-juan-2019", ()),
        ("[@nowhere]", None, ()),
    ]
    taken, clash = citable_items(sample_bibliography(), [{**government_report(), "id": "xu-2018"}])
    assert len(taken) == len(sample_bibliography())
    assert clash == [
        "bibliography.json: entry 'xu-2018' has the id of an archived source; "
        "[@xu-2018] cites the entry, not the source"
    ]


CHINESE = [
    {"id": "zhang-2020", "type": "book", "title": "结亲研究",
     "author": [{"family": "张", "given": "三"}], "issued": {"date-parts": [[2020]]}},
    {"id": "li-qin-2019", "type": "book", "title": "贞观",
     "author": [{"family": "李", "given": "世民"}, {"family": "秦", "given": "叔宝"}],
     "issued": {"date-parts": [[2019]]}},
    {"id": "zhang-heping-2018", "type": "book", "title": "和平",
     "author": [{"family": "张", "given": "和平"}], "issued": {"date-parts": [[2018]]}},
    {"id": "sima-2017", "type": "book", "title": "资治通鉴",
     "author": [{"family": "司马", "given": "光", "literal": "司马光"}],
     "issued": {"date-parts": [[2017]]},
     "custom": {"author-romanized": [{"family": "Sima", "given": "Guang"}]}},
    {"id": "smith-2020", "type": "book", "title": "Kinship",
     "author": [{"family": "Smith", "given": "John"}], "issued": {"date-parts": [[2020]]}},
    {"id": "smith-jones-2019", "type": "book", "title": "Homestays",
     "author": [{"family": "Smith", "given": "John"}, {"family": "Jones", "given": "Ann"}],
     "issued": {"date-parts": [[2019]]}},
    {"id": "jieqin-week-2019", "type": "webpage", "title": "结亲周 亲人更亲",
     "issued": {"date-parts": [[2019]]}},
    {"id": "decree-2022", "type": "article-journal", "title": "Kinship by decree",
     "issued": {"date-parts": [[2022]]}},
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "entry_id", "locator"),
    [
        ("(张三, 2020)", "zhang-2020", ""),
        ("(张三 2020)", "zhang-2020", ""),
        ("（张三，2020）", "zhang-2020", ""),
        ("(张三，2020)", "zhang-2020", ""),
        ("（张三，2020，第5页）", "zhang-2020", "第5页"),
        ("（张三，2020：5）", "zhang-2020", "5"),
        ("(张三, 2020)¹⁴", "zhang-2020", ""),
        ("（张三，２０２０）", "zhang-2020", ""),
        ("(参见张三, 2020)", "zhang-2020", ""),
        ("(张, 2020)", "zhang-2020", ""),
        ("(李世民 等, 2019)", "li-qin-2019", ""),
        ("(李世民等, 2019)", "li-qin-2019", ""),
        ("(李世民等人, 2019)", "li-qin-2019", ""),
        ("(李世民和秦叔宝, 2019)", "li-qin-2019", ""),
        ("(李世民与秦叔宝, 2019)", "li-qin-2019", ""),
        ("(李世民、秦叔宝, 2019)", "li-qin-2019", ""),
        ("(李世民, 秦叔宝, 2019)", "li-qin-2019", ""),
        ("(李世民 and 秦叔宝 2019)", "li-qin-2019", ""),
        ("(李世民 & 秦叔宝, 2019)", "li-qin-2019", ""),
        ("(秦叔宝和李世民, 2019)", None, ""),
        ("(李世民, 2019)", None, ""),
        ("(张三 等, 2020)", None, ""),
        ("(张和平, 2018)", "zhang-heping-2018", ""),
        ("(司马光, 2017)", "sima-2017", ""),
        ("(Sima, 2017)", "sima-2017", ""),
        ("(Sima Guang, 2017)", "sima-2017", ""),
        ("(Smith 2020)", "smith-2020", ""),
        ("(Smith, 2020, p. 4)", "smith-2020", "p. 4"),
        ("（Ｓｍｉｔｈ，2020）", "smith-2020", ""),
        ("(Smith and Jones 2019)", "smith-jones-2019", ""),
        ("(Smith & Jones, 2019)", "smith-jones-2019", ""),
        ("(Smith et al. 2019)", "smith-jones-2019", ""),
        ("(Smith 等, 2019)", "smith-jones-2019", ""),
        ("(Jones and Smith 2019)", None, ""),
        ("(“结亲周 亲人更亲” 2019)", "jieqin-week-2019", ""),
        ("(“结亲周,” 2019)", "jieqin-week-2019", ""),
        ("(结亲周, 2019)", "jieqin-week-2019", ""),
        ("(佚名, 2019)", "jieqin-week-2019", ""),
        ("(“Kinship by decree” 2022)", "decree-2022", ""),
        ("(“Kinship,” 2022)", "decree-2022", ""),
        ("(“Kin,” 2022)", None, ""),
        ("(Anon, 2022)", "decree-2022", ""),
        ("(“Kinship,” 2020)", None, ""),
    ],
)
def test_chinese_full_width_and_title_forms(text: str, entry_id: str | None, locator: str) -> None:
    [citation] = find_citations(text)
    [resolution] = resolve([citation], CHINESE)
    assert (resolution.entry_id, resolution.work.locator) == (entry_id, locator)


def every_record() -> list[dict]:
    from tests.cite.records import RECORDS

    return [*RECORDS, *CHINESE, *sample_bibliography()]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("locator", ["", "14", "p. 14"])
def test_every_in_text_form_a_style_prints_resolves_to_its_work(style: str, locator: str) -> None:
    items = every_record()
    letters = year_suffixes(items)
    # 王娟 (romanized Wang) and the sample's Wang, and 姚伟 and 张丽 (Yao, Zhang) and the
    # sample's Yao and Zhang, can be cited alike: the reference list tells them apart.
    assert letters == {
        "wang-2019": "a",
        "wang-juan-2019": "b",
        "yao-zhang-2016": "a",
        "yao-zhang-2016-practice": "b",
    }
    # GB/T 7714 writes an undated work's citation without a year, "(佚名)", which cannot be
    # told from an ordinary parenthesis.
    cited = [item for item in items if style != "gb7714" or "issued" in item]
    assert len(cited) == len(items) - (4 if style == "gb7714" else 0)
    for item in cited:
        citation = in_text(item, style, letters.get(item["id"], ""), locator)
        resolved = [r.entry_id for r in resolve(find_citations(citation), items)]
        assert resolved == [item["id"]], citation
