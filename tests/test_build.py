"""The main job on the real sample: `shiliao build`, then `shiliao search`, incremental rebuilds."""

from __future__ import annotations

import json
import shutil
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from shiliao.cli import main
from tests.conftest import sample_documents

WORDS = ["民族团结", "干部", "新疆", "亲戚", "结对", "精准扶贫", "两个维护", "中华民族共同体意识"]


def _run(*args: str) -> dict:
    result = CliRunner().invoke(main, [*args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_build_reports_the_sample(built_sample: dict) -> None:
    summary = built_sample["summary"]
    assert (summary["sources"], summary["sections"], summary["terms"]) == (88, 1, 56)
    assert summary["processed"] == 88 and summary["failed"] == []
    assert summary["passages"] > 8000
    assert not [w for w in summary["warnings"] if "citation" in w], summary["warnings"]
    # The 20 resolutions carry no year; four are dated by the line under their title,
    # （2023年3月13日第十四届全国人民代表大会第一次会议通过）.
    undated = [w for w in summary["warnings"] if ": no date found in it; if you know one" in w]
    assert len(undated) == 16 and all(
        w.startswith("sources/government-work-reports.jsonl:") for w in undated
    )
    assert summary["site"]["written"] and (built_sample["site"] / "index.html").is_file()
    assert (built_sample["archive"] / "shiliao.db").is_file()


@pytest.mark.parametrize("word", WORDS)
def test_search_finds_exactly_the_documents_with_the_word(built_sample: dict, word: str) -> None:
    expected = {(d["path"], d["line"]) for d in sample_documents() if word in d["simplified"]}
    found = _run("search", str(built_sample["archive"]), word, "--json", "--limit", "0")
    assert found["total"] == len(found["hits"])
    archive_sources = {
        s["source_id"]: s
        for s in (_show(built_sample["archive"], h["source_id"]) for h in found["hits"])
    }
    located = {
        (Path(s["files"][0]["path"]).name, s["files"][0]["line"]) for s in archive_sources.values()
    }
    assert located == expected
    for hit in found["hits"]:
        assert hit["kwic"]["match"] and hit["snippet"] and hit["page"] == 1
        start, end = hit["spans"][0]
        assert hit["text"][start:end] == hit["kwic"]["match"]


def test_a_phrase_broken_by_a_line_break_is_found(built_sample: dict) -> None:
    # The sample's Wikisource copies break lines at every link: 属于\n公有领域\n。
    phrase = "属于公有领域"
    documents = sample_documents()
    expected = {
        (d["path"], d["line"]) for d in documents if phrase in d["simplified"].replace("\n", "")
    }
    assert any(
        phrase not in d["simplified"] for d in documents if (d["path"], d["line"]) in expected
    )
    found = _run("search", str(built_sample["archive"]), phrase, "--json", "--limit", "0")
    located = set()
    for hit in found["hits"]:
        shown = _show(built_sample["archive"], hit["source_id"])
        located.add((Path(shown["files"][0]["path"]).name, shown["files"][0]["line"]))
    assert located == expected
    with sqlite3.connect(built_sample["archive"] / "shiliao.db") as db:
        texts = [row[0] for row in db.execute("SELECT text FROM passages")]
    assert texts and all(any(unicodedata.category(c)[0] in "LN" for c in text) for text in texts)


_SHOWN: dict[str, dict] = {}


def _show(archive: Path, source_id: str) -> dict:
    if source_id not in _SHOWN:
        _SHOWN[source_id] = {
            "source_id": source_id,
            **_run("show", str(archive), source_id, "--json"),
        }
    return _SHOWN[source_id]


def test_known_counts_from_the_sample_notes(built_sample: dict) -> None:
    # ../shared/samples/SOURCES.md records these counts from an independent substring scan.
    known = {
        "民族团结": 35,
        "干部": 60,
        "新疆": 17,
        "亲戚": 1,
        "结对": 2,
        "精准扶贫": 8,
        "两个维护": 12,
        "中华民族共同体意识": 8,
    }
    for word, count in known.items():
        found = _run("search", str(built_sample["archive"]), word, "--json", "--limit", "0")
        assert len({h["source_id"] for h in found["hits"]}) == count, word


def test_traditional_and_multiword_queries(built_sample: dict) -> None:
    archive = str(built_sample["archive"])
    simplified = _run("search", archive, "团结", "--json", "--limit", "0")
    traditional = _run("search", archive, "團結", "--json", "--limit", "0")
    assert simplified["total"] == traditional["total"] > 0
    both = _run("search", archive, "民族 团结", "--json", "--limit", "0")
    phrase = _run("search", archive, '"民族团结"', "--json", "--limit", "0")
    for hit in both["hits"]:
        assert "民族" in hit["text"] and "团结" in hit["text"]
    assert both["total"] >= phrase["total"] > 0
    limited = _run("search", archive, "干部", "--json")
    assert len(limited["hits"]) == 20 and limited["total"] > 20


def test_show_gives_fixity(built_sample: dict) -> None:
    found = _run("search", str(built_sample["archive"]), "亲戚", "--json")
    shown = _show(built_sample["archive"], found["hits"][0]["source_id"])
    (file,) = shown["files"]
    assert len(file["sha256"]) == 64 and file["line"] >= 1 and len(file["record_sha256"]) == 64
    assert shown["status"] == "extracted" and shown["language"].startswith("zh-")


def test_search_errors_are_one_line(built_sample: dict, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["search", str(built_sample["archive"]), '"unclosed'])
    assert result.exit_code == 1 and "Traceback" not in result.output
    result = CliRunner().invoke(main, ["search", str(tmp_path), "干部"])
    assert result.exit_code == 1 and "not a shiliao archive" in result.output


@pytest.mark.slow
def test_incremental_rebuild(tmp_path: Path, sample_dir: Path) -> None:
    collection = tmp_path / "jieqin"
    shutil.copytree(sample_dir, collection)
    for path in collection.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    args = ["--archive", str(tmp_path / "a"), "--out", str(tmp_path / "s"), "--json"]
    first = _run("build", str(collection), *args)
    site = tmp_path / "s"
    before = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in site.rglob("*")}
    again = _run("build", str(collection), *args)
    assert again["processed"] == 0 and again["unchanged"] == 88 and not again["site"]["written"]
    # What the essay lacks is said again, although its page was not written again.
    essay_warnings = [w for w in first["warnings"] if w.startswith("essays/")]
    assert essay_warnings and [w for w in again["warnings"] if w.startswith("essays/")] == (
        essay_warnings
    )
    # An unchanged rebuild writes nothing in the site: every file and folder as it was.
    assert {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in site.rglob("*")} == before
    assert again["seconds"]["total"] < first["seconds"]["total"] / 3
    assert again["last_processing_build_seconds"] == pytest.approx(first["seconds"]["total"])

    jsonl = collection / "sources" / "government-work-reports.jsonl"
    lines = jsonl.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[4])
    record["content"] += "\n我们要坚持结亲周测试语句。"
    lines[4] = json.dumps(record, ensure_ascii=False)
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    changed = _run("build", str(collection), *args)
    assert changed["processed"] == 1 and changed["unchanged"] == 87 and changed["site"]["written"]
    found = _run("search", str(tmp_path / "a"), "结亲周测试语句", "--json")
    assert found["total"] == 1 and found["hits"][0]["title"] == record["title"]


KILL_CHILD = """
import os, sys
from pathlib import Path
from shiliao.archive import open_archive
from shiliao.collection import read_collection
from shiliao.config import load_settings
from shiliao.operations.ingest import ingest

collection = Path(sys.argv[2])
def progress(stage, done, total):
    if stage == "extract" and done == int(sys.argv[3]):
        os._exit(1)
with open_archive(Path(sys.argv[1]), create=True) as archive:
    ingest(archive, read_collection(collection), load_settings(collection), progress)
"""


@pytest.mark.slow
def test_a_build_killed_mid_batch_completes_on_rerun(tmp_path: Path, sample_dir: Path) -> None:
    import os
    import subprocess
    import sys

    archive = tmp_path / "a"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    killed = subprocess.run(
        [sys.executable, "-c", KILL_CHILD, str(archive), str(sample_dir), "40"],
        env=env,
        check=False,
    )
    assert killed.returncode == 1
    rerun = _run(
        "build", str(sample_dir), "--archive", str(archive), "--out", str(tmp_path / "s"), "--json"
    )
    assert rerun["sources"] == 88 and rerun["processed"] == 88 - 39
    for word in ("民族团结", "干部"):
        expected = {(d["path"], d["line"]) for d in sample_documents() if word in d["simplified"]}
        found = _run("search", str(archive), word, "--json", "--limit", "0")
        assert len({h["source_id"] for h in found["hits"]}) == len(expected)
        assert found["total"] == len({h["passage_id"] for h in found["hits"]})
    result = CliRunner().invoke(main, ["verify", str(archive)])
    assert result.exit_code == 0, result.output
