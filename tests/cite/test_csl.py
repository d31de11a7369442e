"""CSL-JSON loading and field helpers, on the sample bibliography and on broken records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shiliao.cite.csl import anchor_id, creators, family_names, load_bibliography, year
from shiliao.errors import CitationError

SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "jieqin"


def sample_bibliography() -> list[dict]:
    path = SAMPLE / "bibliography.json"
    return load_bibliography(path.read_bytes(), str(path))


def test_sample_bibliography_loads_every_item() -> None:
    items = sample_bibliography()
    assert [item["id"] for item in items] == [
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
        "fig-1-fanghuiju-jieqin-week",
        "fig-2-jieqin-week-cooking",
        "fig-3-ethnic-unity-jieqin",
        "fig-4-jieqin-mandarin",
    ]


def test_sample_helpers() -> None:
    by_id = {item["id"]: item for item in sample_bibliography()}
    assert family_names(by_id["xinhuanet-2014"]) == ["Xinhua Net"]
    assert family_names(by_id["sheng-yanitakqiao-2017"]) == ["Sheng", "Yanitakqiao"]
    assert year(by_id["chang-2020"]) == "2020"
    assert year(by_id["fig-1-fanghuiju-jieqin-week"]) is None
    assert family_names(by_id["fig-1-fanghuiju-jieqin-week"]) == []
    assert anchor_id("chang-2020") == "ref-chang-2020"


def test_text_and_numeric_ids() -> None:
    data = json.dumps([{"id": 7, "type": "book"}, {"id": "b", "type": "report"}])
    items = load_bibliography(data, "refs.json")
    assert [item["id"] for item in items] == ["7", "b"]
    assert load_bibliography(b"\xef\xbb\xbf[]", "bom.json") == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[{", "refs.json: not valid JSON: Expecting property name"),
        (b"\xff[]", "refs.json: not UTF-8 text"),
        (b'{"id": "a"}', "refs.json: CSL-JSON must be an array of items"),
        (b"[1]", "refs.json: item 1: must be a JSON object"),
        (b'[{"type": "book"}]', 'refs.json: item 1: has no "id"'),
        (b'[{"id": true, "type": "book"}]', 'refs.json: item 1: has no "id"'),
        (b'[{"id": "a"}]', 'refs.json: item 1 (a): has no "type"'),
        (b'[{"id": "a", "type": "novel"}]', "refs.json: item 1 (a): unknown type 'novel'"),
        (
            b'[{"id": "a", "type": "book"}, {"id": "a", "type": "book"}]',
            "refs.json: item 2 (a): duplicate id, already used by item 1",
        ),
        (
            b'[{"id": "a", "type": "book", "author": {"family": "Chang"}}]',
            'refs.json: item 1 (a): "author" must be a list of names',
        ),
        (
            b'[{"id": "a", "type": "book", "author": [{"suffix": "Jr."}]}]',
            'refs.json: item 1 (a): each "author" name needs "family"',
        ),
        (
            b'[{"id": "a", "type": "book", "issued": "2020"}]',
            'refs.json: item 1 (a): "issued" must be a date object',
        ),
        (
            b'[{"id": "a", "type": "book", "issued": {"date-parts": [2020]}}]',
            'refs.json: item 1 (a): "issued"."date-parts" must look like [[2014, 4, 27]]',
        ),
        (
            b'[{"id": "a", "type": "book", "issued": {"season": 1}}]',
            'refs.json: item 1 (a): "issued" needs "date-parts", "literal" or "raw"',
        ),
        (
            b'[{"id": "a", "type": "book", "title": ["x"]}]',
            'refs.json: item 1 (a): "title" must be a string',
        ),
    ],
)
def test_invalid_bibliographies_name_file_and_item(data: bytes, message: str) -> None:
    with pytest.raises(CitationError) as caught:
        load_bibliography(data, "refs.json")
    assert str(caught.value).startswith(message)


def test_year_from_literal_and_raw_dates() -> None:
    assert year({"issued": {"date-parts": [["2019", 3]]}}) == "2019"
    assert year({"issued": {"literal": "Spring 2016"}}) == "2016"
    assert year({"issued": {"raw": "2014-04-27"}}) == "2014"
    assert year({"issued": {"literal": "undated"}}) is None
    assert year({}) is None


def test_names_fall_back_to_editors_and_drop_particles() -> None:
    edited = {"editor": [{"family": "Li", "given": "Wei"}]}
    assert creators(edited) == [{"family": "Li", "given": "Wei"}]
    assert family_names(edited) == ["Li"]
    particle = {"author": [{"family": "Gogh", "non-dropping-particle": "van"}, {"given": "Mo"}]}
    assert family_names(particle) == ["Gogh", "Mo"]


def test_anchor_ids_are_distinct_and_free_of_spaces() -> None:
    assert anchor_id("a b") == "ref-a%20b"
    assert anchor_id("a%20b") == "ref-a%2520b"
    assert anchor_id("http://zotero.org/x", prefix="cite-") == "cite-http:%2F%2Fzotero.org%2Fx"


def test_exported_members() -> None:
    import shiliao.cite

    assert shiliao.cite.__all__ == [
        "FORMATS",
        "STYLES",
        "Citation",
        "CitedWork",
        "FormattedEntry",
        "Resolution",
        "Run",
        "anchor_id",
        "citable_items",
        "creators",
        "family_names",
        "find_citations",
        "format_bibliography",
        "import_bibliography",
        "in_text",
        "load_bibliography",
        "merge_bibliography",
        "name_key",
        "pinyin_key",
        "plain_text",
        "read_bibliography",
        "reference_runs",
        "resolve",
        "sort_key",
        "source_item",
        "write_bibliography",
        "year",
        "year_suffixes",
    ]
