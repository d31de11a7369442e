"""Reference lists: entries in Chicago author-date, citations, order, year letters."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiliao.cite.csl import load_bibliography
from shiliao.cite.reference import (
    Run,
    format_bibliography,
    in_text,
    plain_text,
    reference_runs,
    sort_key,
    year_suffixes,
)
from shiliao.errors import CitationError

SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "jieqin"
INCOMPLETE = (
    "Record incomplete: only the author and year given in the section are known; "
    "title and venue not yet recovered."
)


def sample_bibliography() -> dict[str, dict]:
    path = SAMPLE / "bibliography.json"
    return {item["id"]: item for item in load_bibliography(path.read_bytes(), str(path))}


def test_sample_entries() -> None:
    items = sample_bibliography()
    assert reference_runs(items["yao-zhang-2016"]) == [Run(f"Yao and Zhang. 2016. {INCOMPLETE}")]
    assert reference_runs(items["chang-2020"]) == [Run(f"Chang. 2020. {INCOMPLETE}")]
    assert reference_runs(items["xinhuanet-2014"]) == [
        Run(f"Xinhua Net. 2014. 新华网. {INCOMPLETE}")
    ]
    assert reference_runs(items["fig-4-jieqin-mandarin"]) == [
        Run(
            "“结亲,我只服你:和亲戚把日子过成一首诗.” n.d. Source of a figure in the section; "
            "publisher, date and address not yet recovered."
        )
    ]


def test_book_with_given_names_publisher_and_url() -> None:
    entry = {
        "id": "b",
        "type": "book",
        "author": [
            {"family": "Chang", "given": "Wei"},
            {"family": "Gogh", "given": "Vincent", "non-dropping-particle": "van"},
            {"family": "张", "given": "三"},
        ],
        "issued": {"date-parts": [[2020, 5]]},
        "title": "Pairing Up",
        "publisher-place": "Urumqi",
        "publisher": "Xinjiang People's Press",
        "URL": "https://example.org/book",
        "note": "Not shown: the record is complete.",
    }
    assert reference_runs(entry) == [
        Run("Chang, Wei, Vincent van Gogh, and 张三. 2020. "),
        Run("Pairing Up", "italic"),
        Run(". Urumqi: Xinjiang People's Press. "),
        Run("https://example.org/book", "link"),
        Run("."),
    ]


def test_journal_article_with_doi() -> None:
    entry = {
        "id": "a",
        "type": "article-journal",
        "author": [{"family": "Xu", "given": "Li"}],
        "issued": {"date-parts": [[2018]]},
        "title": "Who Are the Relatives?",
        "container-title": "Journal of Frontier Studies",
        "volume": 12,
        "issue": "3",
        "page": "45–67",
        "DOI": "https://doi.org/10.1000/xyz",
    }
    assert reference_runs(entry) == [
        Run("Xu, Li. 2018. “Who Are the Relatives?” "),
        Run("Journal of Frontier Studies", "italic"),
        Run(" 12 (3): 45–67. "),
        Run("https://doi.org/10.1000/xyz", "link"),
        Run("."),
    ]


def test_chapter_webpage_and_unsafe_url() -> None:
    chapter = {
        "id": "c",
        "type": "chapter",
        "editor": [{"family": "Ma"}],
        "issued": {"literal": "2019"},
        "title": "Visits",
        "container-title": "Handbook",
        "page": "3–9",
    }
    assert reference_runs(chapter) == [
        Run("Ma, ed. 2019. “Visits.” In "),
        Run("Handbook", "italic"),
        Run(", 3–9."),
    ]
    assert reference_runs(chapter, "gb7714") == [Run("MA, ed, 2019. Visits[M]//Handbook.")]
    webpage = {
        "id": "w",
        "type": "webpage",
        "author": [{"literal": "Xinhua Net"}],
        "title": "结亲周",
        "container-title": "新华网",
        "URL": "javascript:alert(1)",
        "note": "No date.",
    }
    assert reference_runs(webpage) == [Run("Xinhua Net. n.d. “结亲周.” 新华网. No date.")]


def test_more_than_ten_authors_give_seven_and_et_al() -> None:
    entry = {
        "id": "m",
        "type": "report",
        "author": [{"family": f"A{n}"} for n in range(11)],
        "issued": {"date-parts": [[2021]]},
        "title": "Report",
    }
    assert reference_runs(entry)[0] == Run("A0, A1, A2, A3, A4, A5, A6, et al. 2021. ")


def test_in_text_citations_by_number_of_names() -> None:
    def item(*families: str) -> dict:
        return {"id": "x", "type": "book", "author": [{"family": f} for f in families],
                "issued": {"date-parts": [[2019]]}}  # fmt: skip

    # CMOS 15.29; APA 8.17; GB/T 7714-2015 §10.2.3 (several authors: the first and et al.).
    assert [in_text(item("Chang"), style) for style in ("chicago", "apa", "gb7714")] == [
        "(Chang 2019)",
        "(Chang, 2019)",
        "(Chang, 2019)",
    ]
    assert in_text(item("Yao", "Zhang")) == "(Yao and Zhang 2019)"
    assert in_text(item("Yao", "Zhang"), "gb7714") == "(Yao et al., 2019)"
    assert in_text(item("Cao", "Zhu", "Li")) == "(Cao, Zhu, and Li 2019)"
    assert in_text(item("Cao", "Zhu", "Li"), "apa") == "(Cao et al., 2019)"
    assert in_text(item("Wang", "Li", "Zhou", "Ma")) == "(Wang et al. 2019)"
    assert in_text({"id": "t", "type": "webpage", "title": "结亲周"}) == "(“结亲周” n.d.)"
    assert in_text({"id": "t", "type": "webpage", "title": "结亲周"}, "gb7714") == "(佚名)"
    with pytest.raises(CitationError, match="unknown citation style 'mla'"):
        in_text(item("Chang"), "mla")


def test_reference_list_order() -> None:
    items = sample_bibliography()
    extra = [
        {"id": "chang-2018", "type": "book", "author": [{"family": "chang"}],
         "issued": {"date-parts": [[2018]]}},
        {"id": "chang-nd", "type": "book", "author": [{"family": "Chang"}]},
        {"id": "zhang-2019", "type": "book", "author": [{"family": "张", "given": "三"}],
         "issued": {"date-parts": [[2019]]}},
        {"id": "smith-2019", "type": "book", "author": [{"family": "Smith"}],
         "issued": {"date-parts": [[2019]]}, "language": "en"},
    ]  # fmt: skip
    ordered = sorted([*items.values(), *extra], key=sort_key)
    # CMOS 15.16-15.17: by name, then year, undated last; a work without a name by its title,
    # titles and names in characters by pinyin (张 zhang after yao).
    assert [item["id"] for item in ordered] == [
        "cao-zhu-2020",
        "cha-2017",
        "chang-2018",
        "chang-2020",
        "chang-nd",
        "fig-1-fanghuiju-jieqin-week",
        "jiang-2020",
        "fig-4-jieqin-mandarin",
        "fig-2-jieqin-week-cooking",
        "fig-3-ethnic-unity-jieqin",
        "sheng-yanitakqiao-2017",
        "smith-2019",
        "wang-2019",
        "xinhuanet-2014",
        "xu-2018",
        "yang-fu-2019",
        "yao-zhang-2016",
        "zhang-2019",
    ]
    # GB/T 7714-2015 §9.2: Chinese works first (by pinyin), then Western ones.
    gb = sorted([items["xu-2018"], *extra], key=lambda item: sort_key(item, "gb7714"))
    assert [item["id"] for item in gb][:2] == ["zhang-2019", "chang-2018"]


def test_year_letters_follow_citation_resolution() -> None:
    works = [
        {"id": "xu-b", "type": "book", "author": [{"family": "Xu"}],
         "issued": {"date-parts": [[2018]]}, "title": "Policy"},
        {"id": "xu-a", "type": "book", "author": [{"family": "Xu"}],
         "issued": {"date-parts": [[2018]]}, "title": "Cadres"},
        {"id": "xu-c", "type": "book", "author": [{"family": "Xu"}],
         "issued": {"date-parts": [[2019]]}, "title": "Later"},
    ]  # fmt: skip
    assert year_suffixes(works) == {"xu-a": "a", "xu-b": "b"}
    entries = format_bibliography(works, "apa")
    assert [(entry.id, entry.citation) for entry in entries] == [
        ("xu-a", "(Xu, 2018a)"),
        ("xu-b", "(Xu, 2018b)"),
        ("xu-c", "(Xu, 2019)"),
    ]
    assert plain_text(entries[1].runs) == "Xu. (2018b). Policy."
