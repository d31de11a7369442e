"""Annotations: curators' notes on passages (``annotations.yaml``), shown beside the passage,
found by search, published only through the public projection."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner

from shiliao.cli import main
from shiliao.collection.annotations import read_annotations
from shiliao.errors import CollectionError
from shiliao.publish.interface import Interface
from tests.annotated_collection import (
    CANARIES,
    PUBLIC_NOTE,
    RELATIVE,
    build,
    build_both,
    every_byte,
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return build_both(tmp_path_factory.mktemp("annotations"))


def _search(*args: str) -> dict:
    result = CliRunner().invoke(main, ["search", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_an_annotation_is_read_with_its_line() -> None:
    (note,) = read_annotations(
        "# notes\n- source: a\n  paragraph: 3\n  note: Why this matters\n  tags: one\n", "x.yaml"
    )
    assert (note.source, note.paragraph, note.note, note.tags, note.line) == (
        "a",
        3,
        "Why this matters",
        ("one",),
        2,
    )


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("- source: a\n  paragraph: 1\n", "entry 1 (line 1): 'note' is required"),
        ("- source: a\n  paragraph: 0\n  note: n\n", "'paragraph' must be a passage number"),
        (
            "- {source: a, paragraph: 1, note: n}\n- source: b\n  paragraph: 1\n  note: n\n"
            "  acess: team\n",
            "entry 2 (line 2): unknown key 'acess'",
        ),
        ("- source: a\n  paragraph: 1\n  note: n\n  access: private\n", "access 'private'"),
        ("source: a\n", "must be a list of annotations"),
        ("- just text\n", "entry 1 must be a mapping"),
    ],
)
def test_a_malformed_annotation_is_an_error_with_file_and_entry(text: str, said: str) -> None:
    with pytest.raises(CollectionError) as caught:
        read_annotations(text, "annotations.yaml")
    assert str(caught.value).startswith("annotations.yaml") and said in str(caught.value)


def test_a_note_is_beside_its_passage_with_its_quote_marked(built: dict) -> None:
    page = lxml.html.parse(str(built["site"] / "sources" / "notice" / "index.html")).getroot()
    (passage,) = page.xpath('//p[@id="p2"]')
    assert passage.xpath(".//mark/text()") == ["结对认亲"]
    aside = passage.getparent().getnext()
    assert aside.tag == "aside" and "annotation" in aside.get("class")
    assert PUBLIC_NOTE in aside.text_content()
    assert "pairing" in aside.text_content() and "mobilization" in aside.text_content()
    # What the team wrote is text, never markup.
    assert "<b>bold</b>" in aside.text_content() and not aside.xpath(".//b")
    # Links to the term's page and another published source; none to a team source.
    assert aside.xpath(".//a/@href") == ["../../terms/jieqin/index.html", "../visit/index.html"]
    assert len(page.xpath("//aside")) == 1


def test_team_notes_and_notes_on_team_sources_are_in_no_public_byte(built: dict) -> None:
    public = every_byte(built["site"])
    for label in ("team_note", "team_source_note"):
        assert not [p for p, data in public.items() if CANARIES[label].encode() in data], label
    team = (built["team"] / "sources" / "notice" / "index.html").read_text(encoding="utf-8")
    assert CANARIES["team_note"] in team and "team only" in team
    team_source = (built["team"] / "sources" / "team" / "index.html").read_text("utf-8")
    assert CANARIES["team_source_note"] in team_source


def test_a_quote_of_a_withheld_name_is_not_shown(built: dict) -> None:
    assert not [p for p, data in every_byte(built["site"]).items() if RELATIVE.encode() in data]
    page = lxml.html.parse(str(built["site"] / "sources" / "visit" / "index.html")).getroot()
    # A note in Latin letters on a source with a withheld name may spell the name out
    # (romanized): it is not published, as the source's English title is not.
    assert not page.xpath("//aside") and not page.xpath("//mark")
    team = (built["team"] / "sources" / "visit" / "index.html").read_text(encoding="utf-8")
    assert f"<mark>{RELATIVE}</mark>" in team and "The relative the cadre was paired with" in team


def test_a_note_on_nothing_is_a_warning(built: dict) -> None:
    warnings = built["summary"]["warnings"]
    assert "annotations.yaml:19: no source 'no-such-source' in the archive; not shown" in warnings
    assert any(
        w.startswith("annotations.yaml:22: source 'notice' has no paragraph 40") for w in warnings
    )


def test_search_finds_notes_with_their_passage(built: dict) -> None:
    found = _search(str(built["archive"]), "mobilization")
    (hit,) = found["hits"]
    assert (hit["kind"], hit["source_id"], hit["paragraph"]) == ("annotation", "notice", 2)
    assert hit["passage_text"] == "各级干部深入基层开展结对认亲活动，与各族群众交朋友。"
    assert hit["kwic"]["match"] == "mobilization"
    # The team's view finds its own notes; the public view does not.
    assert _search(str(built["archive"]), CANARIES["team_note"])["total"] == 1
    assert _search("--public", str(built["archive"]), CANARIES["team_note"])["total"] == 0
    text = CliRunner().invoke(main, ["search", str(built["archive"]), "mobilization"]).output
    assert "(annotation)" in text and "¶2: 各级干部深入基层" in text


def test_the_site_search_data_holds_the_note(built: dict) -> None:
    data = "".join(
        p.read_text(encoding="utf-8")
        for p in (built["site"] / "search" / "data").rglob("*")
        if p.is_file()
    )
    assert (
        f'[2,"{PUBLIC_NOTE} pairing mobilization <b>bold</b>",{{}},'
        '{"kind":"annotation","lang":""}]'
    ) in data


def test_an_edited_file_is_stored_again(built: dict, tmp_path: Path) -> None:
    collection = built["base"] / "c"
    notes = collection / "annotations.yaml"
    original = notes.read_text(encoding="utf-8")
    try:
        notes.write_text(original.replace("official notice", "official circular"), "utf-8")
        build(collection, built["base"])
        page = (built["site"] / "sources" / "notice" / "index.html").read_text(encoding="utf-8")
        assert "in an official circular" in page
    finally:
        notes.write_text(original, encoding="utf-8")
        build(collection, built["base"])


def test_every_interface_text_of_a_source_page_is_translated(built: dict) -> None:
    used: dict[str, int] = {}
    for site in (built["site"], built["team"]):
        for page in (site / "sources").glob("*/index.html"):
            root = lxml.html.parse(str(page)).getroot()
            for english in root.xpath("//@data-ui | //@data-ui-aria-label"):
                used[english] = used.get(english, 0) + 1
    assert "Curator's note" in used and "Reliability (Admiralty code)" in used
    assert Interface(["en", "zh-Hans"]).missing(used) == {"zh-Hans": []}
