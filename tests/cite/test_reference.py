"""Reference-list entries (Chicago author-date form), labels and order."""

from __future__ import annotations

from pathlib import Path

from shiliao.cite.csl import load_bibliography
from shiliao.cite.reference import Run, in_text_label, reference_runs, sort_key

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
    assert reference_runs(items["yao-zhang-2016"]) == [Run(f"Yao, and Zhang. 2016. {INCOMPLETE}")]
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


def test_in_text_labels() -> None:
    def item(*families: str) -> dict:
        return {"id": "x", "type": "book", "author": [{"family": f} for f in families],
                "issued": {"date-parts": [[2019]]}}  # fmt: skip

    assert in_text_label(item("Chang")) == "Chang, 2019"
    assert in_text_label(item("Yao", "Zhang")) == "Yao and Zhang, 2019"
    assert in_text_label(item("Cao", "Zhu", "Li")) == "Cao, Zhu, and Li, 2019"
    assert in_text_label(item("Wang", "Li", "Zhou", "Ma")) == "Wang et al., 2019"
    assert in_text_label({"id": "t", "type": "webpage", "title": "结亲周"}) == "结亲周, n.d."
    assert in_text_label({"id": "u", "type": "webpage"}) == "n.d."


def test_reference_list_order() -> None:
    items = sample_bibliography()
    extra = [
        {"id": "chang-2018", "type": "book", "author": [{"family": "chang"}],
         "issued": {"date-parts": [[2018]]}},
        {"id": "chang-nd", "type": "book", "author": [{"family": "Chang"}]},
    ]  # fmt: skip
    ordered = sorted([*items.values(), *extra], key=sort_key)
    assert [item["id"] for item in ordered] == [
        "cao-zhu-2020",
        "cha-2017",
        "chang-2018",
        "chang-2020",
        "chang-nd",
        "jiang-2020",
        "sheng-yanitakqiao-2017",
        "wang-2019",
        "xinhuanet-2014",
        "xu-2018",
        "yang-fu-2019",
        "yao-zhang-2016",
        "fig-3-ethnic-unity-jieqin",
        "fig-1-fanghuiju-jieqin-week",
        "fig-4-jieqin-mandarin",
        "fig-2-jieqin-week-cooking",
    ]
