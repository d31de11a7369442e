"""The glossary as a living record: records, promote, import and export, KWIC, on the sample."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from shiliao.archive import open_archive
from shiliao.cli import main
from shiliao.collection import read_collection
from shiliao.errors import CollectionError
from shiliao.terminology import export_glossary, import_glossary, promote
from shiliao.zh.entries import complete_terms
from shiliao.zh.normalize import normalize


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def collection(tmp_path: Path, sample_dir: Path) -> Path:
    """A writable copy of the sample collection."""
    root = tmp_path / "jieqin"
    shutil.copytree(sample_dir, root)
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return root


def test_records_give_use_dates_and_linked_parts(built_sample: dict) -> None:
    records = {
        r["term"]: r
        for r in json.loads(run("terms", "list", str(built_sample["archive"]), "--json"))
    }
    assert len(records) == 56
    unity = records["民族团结"]
    # SOURCES.md: 民族团结 is in 35 documents.
    assert unity["sources"] == 35
    with open_archive(built_sample["archive"]) as archive:
        dates = sorted(
            s.date
            for s in archive.catalog.sources()
            if s.date
            and any("民族团结" in normalize(p.text) for p in archive.catalog.passages(s.id))
        )
    assert (unity["first_date"], unity["last_date"]) == (dates[0], dates[-1])
    parts = {p["term"]: p["in_glossary"] for p in records["四同四送"]["parts"]}
    assert parts == {"四同": True, "四送": True}
    assert {p["term"]: p["in_glossary"] for p in records["四同"]["parts"]}["同吃"] is False
    # Traditional forms were filled in by OpenCC and marked; the glossary's pinyin is kept.
    assert records["结亲"]["traditional"] == "結親"
    assert records["结亲"]["auto_filled"] == ["traditional"]
    assert records["亲戚"]["pinyin"] == "qīnqi"


def test_kwic_width_and_sorting(built_sample: dict) -> None:
    archive = str(built_sample["archive"])
    payload = json.loads(run("terms", "kwic", archive, "两个维护", "--width", "8", "--json"))
    assert payload["total"] == 12
    assert all(line["match"] == "两个维护" and len(line["left"]) <= 8 for line in payload["lines"])
    # Oldest first; undated sources (the NPC resolutions) last.
    dates = [line["date"] for line in payload["lines"]]
    dated = [d for d in dates if d]
    assert dates == dated + [None] * (len(dates) - len(dated)) and dated == sorted(dated)
    right = json.loads(run("terms", "kwic", archive, "两个维护", "--sort", "right", "--json"))
    keys = [normalize(line["right"]) for line in right["lines"]]
    assert keys == sorted(keys)


def test_promote_appends_and_the_next_read_fills_pinyin(
    collection: Path, built_sample: dict
) -> None:
    glossary = collection / "glossary.yaml"
    before = glossary.read_text(encoding="utf-8")
    out = run(
        "terms",
        "promote",
        str(built_sample["archive"]),
        "两个维护",
        "--collection",
        str(collection),
        "--english",
        "Two Upholds",
        "--note",
        "Uphold Xi's core status; uphold the Party's central authority.",
    )
    assert "两个维护" in out
    after = glossary.read_text(encoding="utf-8")
    # Appended as text: every byte of the file before, comments included, is still there.
    assert after.startswith(before) and after.count("# ") > before.count("# ")
    assert "12 source(s)" in after
    terms = {t.term: t for t in complete_terms(read_collection(collection).terms)}
    promoted = terms["两个维护"]
    assert promoted.english == ("Two Upholds",) and promoted.category == "formula"
    assert promoted.pinyin and promoted.auto_filled == ("traditional", "pinyin")
    with pytest.raises(CollectionError, match="already in the glossary"):
        promote(collection, "两个维护", ["again"])


def test_export_and_import_round_trip(collection: Path, built_sample: dict, tmp_path: Path) -> None:
    with open_archive(built_sample["archive"]) as archive:
        terms = archive.catalog.terms()
    exported_yaml = export_glossary(terms, "yaml")
    entries = yaml.safe_load(exported_yaml)
    assert [e["term"] for e in entries] == [t.term for t in terms]
    # Automatic values are comments, not values: the file reads back as the glossary was written.
    assert "traditional" not in entries[0]
    assert "# traditional (automatic, unchecked): 結親" in exported_yaml
    exported_csv = export_glossary(terms, "csv")
    rows = list(csv.DictReader(io.StringIO(exported_csv)))
    assert rows[0]["term"] == "结亲" and rows[0]["auto_filled"] == "traditional"
    assert rows[0]["english"] == "Jieqin | Pair Up and Become Family"

    # Importing the export changes nothing: every term is already there.
    csv_file = tmp_path / "glossary.csv"
    csv_file.write_text(exported_csv, encoding="utf-8")
    report = import_glossary(collection, csv_file)
    assert report.added == [] and len(report.skipped) == 56

    # New entries are appended; CSV values marked automatic are left out.
    new = tmp_path / "new.csv"
    new.write_text(
        "term,traditional,pinyin,english,category,auto_filled\n"
        "四个意识,四個意識,sì gè yìshi,Four Consciousnesses,formula,traditional\n",
        encoding="utf-8",
    )
    assert run("terms", "import", str(collection), str(new)).startswith("added 1 term")
    yaml_file = tmp_path / "more.yaml"
    yaml_file.write_text("- term: 四个自信\n  english: [Four Confidences]\n", encoding="utf-8")
    assert import_glossary(collection, yaml_file).added == ["四个自信"]
    read = {t.term: t for t in read_collection(collection).terms}
    assert read["四个意识"].traditional is None and read["四个意识"].pinyin == "sì gè yìshi"
    assert read["四个自信"].english == ("Four Confidences",)
    assert len(read) == 58
