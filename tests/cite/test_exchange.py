"""BibTeX, RIS and CSL-JSON in and out: round trips, a Zotero export, merging an import."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from shiliao.cite.bibtex import from_bibtex, to_bibtex
from shiliao.cite.csl import load_bibliography, validate_items
from shiliao.cite.exchange import (
    import_bibliography,
    merge_bibliography,
    read_bibliography,
    write_bibliography,
)
from shiliao.cite.ris import from_ris, to_ris
from shiliao.errors import CitationError
from tests.cite.records import RECORDS

SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "jieqin"


def sample_bibliography() -> list[dict]:
    path = SAMPLE / "bibliography.json"
    return load_bibliography(path.read_bytes(), str(path))


def every_record() -> list[dict]:
    return copy.deepcopy(sample_bibliography() + RECORDS)


@pytest.mark.parametrize("fmt", ["bibtex", "ris", "csl-json"])
def test_round_trip_keeps_every_field(fmt: str) -> None:
    # The sample's records (literal and family-only names, notes, web pages without dates)
    # and the test records (romanized names, supervisor, translated titles, archived copies,
    # dates with month and day, access dates) come back equal.
    items = every_record()
    text = write_bibliography(items, fmt)
    assert read_bibliography(text.encode(), f"x.{fmt}", fmt) == items


def test_bibtex_as_written() -> None:
    [thesis] = [item for item in RECORDS if item["type"] == "thesis"]
    text = to_bibtex([thesis])
    assert text.startswith("@mastersthesis{wang-juan-2019,\n  author = {王, 娟},\n")
    for line in (
        "  supervisor = {李, 新},",
        "  author-romanized = {Wang, Juan},",
        "  school = {石河子大学},",
        "  address = {石河子},",
        "  type = {硕士学位论文},",
        "  langid = {chinese-simplified},",
        "  publisher-romanized = {Shihezi University}",
    ):
        assert line in text.splitlines()


def test_latex_specials_are_escaped_and_read_back() -> None:
    item = {
        "id": "odd key, with {braces}",
        "type": "report",
        "title": "100% of {cadres} & 50_000 #households ~ $1^2 \\ end",
        "URL": "https://example.org/a_b%20c?x=1&y=~z",
    }
    text = to_bibtex([item])
    assert "@techreport{odd-key--with--braces-," in text
    [back] = from_bibtex(text, "x.bib")
    assert back["title"] == item["title"]
    assert back["URL"] == item["URL"]


# A file as Zotero with Better BibTeX writes it: citation keys of its own, the Chinese name
# split at the comma, LaTeX escapes, protective braces, langid, urldate, a @string macro.
ZOTERO_BIB = r"""
@string{xjss = {新疆社会科学}}

@article{yaoXinjiangMinzuTuanjie2016,
  title = {新疆“{民族团结一家亲}”活动的实践与思考},
  author = {姚, 伟 and 张, 丽},
  date = {2016-11},
  journaltitle = xjss,
  number = {6},
  pages = {12--18},
  langid = {chinese},
  keywords = {访惠聚,结亲}
}

@mastersthesis{wangMinzuTuanjieYijiaqin2019,
  title = {民族团结一家亲活动中的干部与群众关系研究——以石河子市为例},
  author = {王, 娟},
  year = {2019},
  school = {石河子大学},
  address = {石河子},
  type = {硕士学位论文},
  langid = {chinese}
}

@online{harperKinshipDecree2022,
  title = {Kinship by Decree: Homestays in {{Xinjiang}}},
  author = {Harper, Ellen M. and Osman, Adil and M{\"u}ller, J{\"o}rg and {Xinhua News Agency}},
  year = {2022},
  urldate = {2024-05-02},
  url = {https://example.org/kinship_decree?id=1},
  note = {Cited 20\% of the time \& more}
}
"""


def test_zotero_bibtex_imports_names_and_titles_intact() -> None:
    journal, thesis, online = read_bibliography(ZOTERO_BIB.encode(), "Zotero.bib")
    assert journal == {
        "id": "yaoXinjiangMinzuTuanjie2016",
        "type": "article-journal",
        "author": [{"family": "姚", "given": "伟"}, {"family": "张", "given": "丽"}],
        "title": "新疆“民族团结一家亲”活动的实践与思考",
        "container-title": "新疆社会科学",
        "issue": "6",
        "page": "12-18",
        "issued": {"date-parts": [[2016, 11]]},
        "language": "zh",
        "keyword": "访惠聚,结亲",
    }
    assert thesis["type"] == "thesis"
    assert thesis["author"] == [{"family": "王", "given": "娟"}]
    assert thesis["title"] == "民族团结一家亲活动中的干部与群众关系研究——以石河子市为例"
    assert (thesis["publisher"], thesis["publisher-place"], thesis["genre"]) == (
        "石河子大学",
        "石河子",
        "硕士学位论文",
    )
    assert online["author"] == [
        {"family": "Harper", "given": "Ellen M."},
        {"family": "Osman", "given": "Adil"},
        {"family": "Müller", "given": "Jörg"},
        {"literal": "Xinhua News Agency"},
    ]
    assert online["title"] == "Kinship by Decree: Homestays in Xinjiang"
    assert online["type"] == "webpage"
    assert online["accessed"] == {"date-parts": [[2024, 5, 2]]}
    assert online["URL"] == "https://example.org/kinship_decree?id=1"
    assert online["note"] == "Cited 20% of the time & more"


ZOTERO_RIS = """TY  - JOUR
TI  - 南疆四地州“访惠聚”驻村工作成效评估
AU  - 曾, 明
AU  - 单, 丽
T2  - 民族研究
PY  - 2021
IS  - 3
SP  - 45
EP  - 58
LA  - zh-CN
ER  -

TY  - ELEC
TI  - 习近平在新疆考察时强调
AU  - 新华社
UR  - http://www.xinhuanet.com/politics/2014-04/30/c_1110490745.htm
Y2  - 2024-05-02 08:15:00
DA  - 2014/04/30/
ER  -
""".replace("ER  -\n", "ER  - \n")


def test_zotero_ris_imports() -> None:
    article, page = read_bibliography(ZOTERO_RIS.encode(), "export.ris")
    assert article == {
        "id": "ris-1",
        "type": "article-journal",
        "author": [{"family": "曾", "given": "明"}, {"family": "单", "given": "丽"}],
        "title": "南疆四地州“访惠聚”驻村工作成效评估",
        "container-title": "民族研究",
        "issue": "3",
        "language": "zh-CN",
        "issued": {"date-parts": [[2021]]},
        "page": "45-58",
    }
    assert page["type"] == "webpage"
    assert page["author"] == [{"literal": "新华社"}]
    assert page["issued"] == {"date-parts": [[2014, 4, 30]]}
    assert page["accessed"] == {"date-parts": [[2024, 5, 2]]}


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.bib", b"@article{a, title = {unclosed}\n", "x.bib:1: cannot parse"),
        ("x.ris", b"just text\n", 'x.ris: no RIS record found; a record starts with "TY  - "'),
        ("x.txt", b"hello", "x.txt: cannot tell the format"),
    ],
)
def test_bad_files_are_reported(name: str, data: bytes, message: str) -> None:
    with pytest.raises(CitationError) as caught:
        read_bibliography(data, name)
    assert message in str(caught.value)


def test_merge_matches_by_id_doi_and_title() -> None:
    existing = [
        {"id": "wang-juan-2019", "type": "thesis", "title": "民族团结一家亲活动研究",
         "issued": {"date-parts": [[2019]]},
         "custom": {"author-romanized": [{"family": "Wang", "given": "Juan"}]}},
        {"id": "harper-2022", "type": "article-journal", "title": "Kinship", "DOI": "10.5555/k"},
        {"id": "chang-2020", "type": "document", "author": [{"family": "Chang"}],
         "title": "Relatives"},
    ]  # fmt: skip
    incoming = [
        # Same title and year (another key from Zotero): fields updated, romanization kept.
        {"id": "wangMinzu2019", "type": "thesis", "title": "民族团结一家亲活动研究",
         "issued": {"date-parts": [[2019]]}, "publisher": "石河子大学"},
        # Same DOI, written as a URL.
        {"id": "harperKinship", "type": "article-journal", "title": "Kinship",
         "DOI": "https://doi.org/10.5555/K"},
        # Another work whose key is taken (a different title).
        {"id": "chang-2020", "type": "book", "title": "Pairing", "issued": {"date-parts": [[2021]]}},
    ]  # fmt: skip
    report = merge_bibliography(existing, incoming)
    assert report.updated == [("wang-juan-2019", "wangMinzu2019"), ("harper-2022", "harperKinship")]
    assert report.added == ["chang-2020-2"]
    assert report.renamed == [("chang-2020", "chang-2020-2")]
    assert report.items[0] == {
        "id": "wang-juan-2019",
        "type": "thesis",
        "title": "民族团结一家亲活动研究",
        "issued": {"date-parts": [[2019]]},
        "publisher": "石河子大学",
        "custom": {"author-romanized": [{"family": "Wang", "given": "Juan"}]},
    }
    assert [item["id"] for item in report.items] == [
        "wang-juan-2019",
        "harper-2022",
        "chang-2020",
        "chang-2020-2",
    ]
    again = merge_bibliography(report.items, incoming[:1])
    assert again.unchanged == ["wang-juan-2019"] and not again.updated


def test_import_into_a_collection_is_kept_by_the_next_build(tmp_path: Path) -> None:
    collection = tmp_path / "jieqin"
    collection.mkdir()
    (collection / "bibliography.json").write_text(
        json.dumps(sample_bibliography(), ensure_ascii=False), encoding="utf-8"
    )
    report = import_bibliography(collection, ZOTERO_BIB.encode(), "Zotero.bib")
    assert report.added == [
        "yaoXinjiangMinzuTuanjie2016",
        "wangMinzuTuanjieYijiaqin2019",
        "harperKinshipDecree2022",
    ]
    stored = load_bibliography((collection / "bibliography.json").read_bytes(), "b.json")
    assert [item["id"] for item in stored[: len(sample_bibliography())]] == [
        item["id"] for item in sample_bibliography()
    ]
    assert stored[-3]["title"] == "新疆“民族团结一家亲”活动的实践与思考"
    assert [path.name for path in collection.iterdir()] == ["bibliography.json"]


def test_csl_json_custom_fields_are_validated() -> None:
    bad = [{"id": "a", "type": "book", "custom": {"author-romanized": [{"family": ""}]}}]
    with pytest.raises(
        CitationError, match=re.escape('"custom"."author-romanized" must be a list')
    ):
        validate_items(bad, "b.json")
    with pytest.raises(
        CitationError, match=re.escape('"custom"."title-translated" must be a string')
    ):
        validate_items([{"id": "b", "type": "book", "custom": {"title-translated": 3}}], "b.json")


def test_ris_names_and_literals() -> None:
    items = [{"id": "x", "type": "book", "author": [{"family": "Yao"}, {"literal": "新华社"}]}]
    text = to_ris(items)
    assert "AU  - Yao,\nAU  - 新华社\n" in text
    assert validate_items(from_ris(text, "x.ris"), "x.ris") == items


@pytest.mark.parametrize("interval", ["2016-04/2017", "2016/2017"])
def test_an_interval_is_written_whole_never_as_invented_parts(interval: str) -> None:
    item = {"id": "a", "type": "document", "title": "T", "issued": {"literal": interval}}
    assert to_bibtex([item]) == f"@misc{{a,\n  title = {{T}},\n  date = {{{interval}}}\n}}\n"
    ris = to_ris([item])
    assert "\nPY  - " not in ris
    assert "\nDA  - " not in ris
    assert f'C8  - {{"issued": {{"literal": "{interval}"}}}}' in ris
