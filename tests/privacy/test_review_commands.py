"""`shiliao privacy scan` and `decide`: a review from the command line, through the
collection's privacy.yaml and the next build."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from shiliao.cli import main
from tests.conftest import build_json


def _run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_scan_decide_build(tmp_path: Path) -> None:
    collection = tmp_path / "c"
    (collection / "sources").mkdir(parents=True)
    (collection / "sources" / "visit.txt").write_text(
        "我的结对亲戚阿依古丽·买买提今年56岁，电话13812345678。县委书记王明陪同。\n",
        encoding="utf-8",
    )
    archive = str(tmp_path / "a")
    summary = build_json(collection, tmp_path)
    assert summary["privacy"]["withheld_unreviewed"] == 1
    scanned = json.loads(_run("privacy", "scan", archive, "--json"))
    assert [(f["kind"], f["text"]) for f in scanned["unreviewed"]] == [
        ("name", "阿依古丽·买买提"),
        ("phone", "13812345678"),
    ]
    assert "王明" not in {f["text"] for f in scanned["unreviewed"]}
    everything = json.loads(_run("privacy", "scan", archive, "--json", "--all"))
    assert ("name", "王明", "public") in {
        (f["kind"], f["text"], f["role"]) for f in everything["decided"]
    }

    phone = scanned["unreviewed"][1]["key"]
    out = _run(
        "privacy", "decide", str(collection), "redact", "--finding", phone, "--archive", archive
    )
    assert "13812345678" not in out
    _run(
        "privacy",
        "decide",
        str(collection),
        "redact",
        "--text",
        "阿依古丽·买买提",
        "--kind",
        "name",
    )
    _run(
        "privacy",
        "decide",
        str(collection),
        "redact",
        "--finding",
        "f-000000000000",
        "--archive",
        archive,
        code=1,
    )
    decisions = (collection / "privacy.yaml").read_text(encoding="utf-8")
    assert phone in decisions and "阿依古丽·买买提" in decisions

    summary = build_json(collection, tmp_path)
    assert summary["privacy"]["unreviewed_findings"] == 0
    assert summary["privacy"]["levels"] == {"redacted": 1}
    assert json.loads(_run("privacy", "scan", archive, "--json"))["unreviewed"] == []
    page = (tmp_path / "s" / "sources" / "visit" / "index.html").read_text(encoding="utf-8")
    assert "我的结对亲戚［姓名］今年56岁，电话［电话］。" in page and "王明" in page
    shown = json.loads(_run("show", archive, "visit", "--json"))
    assert shown["findings"] == 3 and shown["published"]["level"] == "redacted"
    assert shown["published"]["withheld"] == {"name": 1, "phone": 1}
    log = (tmp_path / "a" / "log" / "entries.jsonl").read_text(encoding="utf-8")
    assert log.count('"privacy_decided"') == 2 and "阿依古丽" not in log
