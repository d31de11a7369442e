"""Reliability assessments (the Admiralty code) from sidecars to the source page and its
citation, and a source page written for readers: no extraction diagnostics on the public site,
all of them on the team site."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner

from shiliao.cli import main
from shiliao.collection import read_collection
from shiliao.collection.reliability import parse_reliability, reliability_meaning
from tests.annotated_collection import LINE_A, build, write_collection


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("reliability")
    write_collection(base / "c")
    summary = build(base / "c", base)
    team = build(base / "c", base, "--audience", "team", "--out", str(base / "team"))
    return {"base": base, "site": base / "s", "team": base / "team", "summary": summary, "t": team}


def test_both_forms_normalise_to_one() -> None:
    assert parse_reliability("b 2") == {"source": "B", "information": 2}
    assert parse_reliability({"source": "a", "information": 1, "note": " Seen. "}) == {
        "source": "A",
        "information": 1,
        "note": "Seen.",
    }
    assert reliability_meaning(parse_reliability("F6")) == (
        "F6 — reliability cannot be judged; truth cannot be judged"
    )


def test_the_page_shows_the_code_both_meanings_and_the_note(built: dict) -> None:
    page = lxml.html.parse(str(built["site"] / "sources" / "notice" / "index.html")).getroot()
    rows = {
        " ".join(dt.text_content().split()): " ".join(dt.getnext().text_content().split())
        for dt in page.xpath('//dl[@class="metadata"]/dt')
    }
    assert rows["Reliability (Admiralty code)"] == (
        "B2 — usually reliable; probably true. Official notice; figures unverified"
    )


def test_the_citation_carries_it_in_its_note(built: dict) -> None:
    folder = built["site"] / "sources" / "notice"
    (item,) = json.loads((folder / "cite.json").read_text(encoding="utf-8"))
    assert item["note"] == (
        "Reliability (Admiralty code): B2 — usually reliable; probably true. "
        "Official notice; figures unverified"
    )
    assert "N1  - Reliability (Admiralty code): B2" in (folder / "cite.ris").read_text("utf-8")
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert 'class="cite-note"' in page and "Reliability (Admiralty code): B2" in page


def test_a_json_lines_default_applies_to_every_line(built: dict) -> None:
    with sqlite3.connect(built["base"] / "a" / "shiliao.db") as db:
        rows = dict(db.execute("SELECT id, json_extract(metadata, '$.reliability') FROM sources"))
    assert json.loads(rows[LINE_A]) == {"source": "C", "information": 3}
    assert rows["visit"] is None


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("B7", "information '7' is not 1-6"),
        ("G2", "source 'G' is not A-F"),
        ("reliable", "is not an Admiralty code"),
        ("{source: B}", "information 'missing' is not 1-6"),
        ("{source: B, information: 2, by: me}", "reliability has no key 'by'"),
    ],
)
def test_a_bad_code_is_an_error_naming_the_sidecar(tmp_path: Path, written: str, said: str) -> None:
    sources = tmp_path / "c" / "sources"
    sources.mkdir(parents=True)
    (sources / "a.txt").write_text("正文。\n", encoding="utf-8")
    (sources / "a.txt.yaml").write_text(f"reliability: {written}\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["build", str(tmp_path / "c"), "--archive", str(tmp_path / "a")]
    )
    assert result.exit_code != 0
    assert "sources/a.txt.yaml" in result.output and said in result.output
    assert "Traceback" not in result.output


def test_a_bad_code_of_one_line_leaves_that_line_unassessed(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    lines = [{"t": "甲", "text": "一。", "r": "A1"}, {"t": "乙", "text": "二。", "r": "Z9"}]
    (sources / "l.jsonl").write_text(
        "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8"
    )
    (sources / "l.jsonl.yaml").write_text(
        "each_line:\n  title: '{t}'\n  text: text\n  reliability: '{r}'\n", encoding="utf-8"
    )
    collection = read_collection(tmp_path)
    assert [s.metadata.get("reliability") for s in collection.sources] == [
        {"source": "A", "information": 1},
        None,
    ]
    assert any(p.startswith("sources/l.jsonl: line 2: reliability") for p in collection.problems)


def test_a_public_page_is_for_readers_and_the_team_page_for_curators(built: dict) -> None:
    public = (built["site"] / "sources" / "notice" / "index.html").read_text(encoding="utf-8")
    team = (built["team"] / "sources" / "notice" / "index.html").read_text(encoding="utf-8")
    for diagnostic in ("read from", "extracted encoding", "replacement ratio", "(extracted"):
        assert diagnostic not in public
    assert "read from" in team and "extracted encoding" in team
    assert '(<span data-ui="extracted">extracted</span>: text)' in team
    # A reader's command stays; no editor's command is on a public page.
    for page in built["site"].rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for command in ("shiliao build", "shiliao privacy", "shiliao add", "shiliao show"):
            assert command not in text, (page, command)
    # Long strings wrap rather than widen a phone's page.
    css = (built["site"] / "assets" / "site.css").read_text(encoding="utf-8")
    assert "overflow-wrap: anywhere" in css and ".passage-row" in css
