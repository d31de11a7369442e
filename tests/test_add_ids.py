"""Files added one by one under the same stem are two sources, and stay two after a rebuild."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from shiliao.cli import main
from tests.conftest import build_json


def _run(*args: str) -> dict:
    result = CliRunner().invoke(main, [*args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_files_with_one_stem_are_two_sources_before_and_after_a_rebuild(tmp_path: Path) -> None:
    collection = tmp_path / "collection"
    (collection / "sources").mkdir(parents=True)
    (collection / "sources" / "notice.txt").write_text("一份通知。", encoding="utf-8")
    build_json(collection, tmp_path)
    archive = str(tmp_path / "a")
    first, second = tmp_path / "d1" / "通知.txt", tmp_path / "d2" / "通知.html"
    for path, text in (
        (first, "关于开展结亲周活动的通知。"),
        (second, "<html><body><p>关于召开民族团结大会的通知。</p></body></html>"),
    ):
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
    one = _run("add", archive, str(first), "--json")
    two = _run("add", archive, str(second), "--json")
    ids = one["added"] + two["added"]
    assert len(ids) == 2 and ids[0] != ids[1], (one, two)
    assert not two.get("removed")

    def sources() -> dict[str, str]:
        found = {}
        for source_id in ids:
            shown = _run("show", archive, source_id, "--json")
            found[source_id] = shown["files"][0]["path"]
        return found

    before = sources()
    assert sorted(before.values()) == ["added/通知.html", "added/通知.txt"]
    _run("rebuild", archive, "--json")
    assert sources() == before
    assert _run("search", archive, "结亲周", "--json")["hits"][0]["source_id"] == ids[0]
