"""Non-interference: the public site built with and without a team source is the same, byte
for byte, apart from build times and the log's evidence (no count, facet, shard or page leaks
it); a source made team and rebuilt incrementally leaves no trace."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import build_json
from tests.privacy.collection import write_collection

# Times a build writes (capture times on source pages); the log's evidence (its checkpoint,
# key and proof bundles) commits to every entry of the archive's own log and differs between
# archives by nature: it holds hashes, never the text of a team source (checked by the canary
# test).
_TIME = re.compile(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")
_EVIDENCE = ("evidence/", "proof.json")


def _site(folder: Path) -> dict[str, bytes]:
    files = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if not any(part in name for part in _EVIDENCE):
            files[name] = _TIME.sub(b"TIME", path.read_bytes())
    return files


def _differences(first: dict[str, bytes], second: dict[str, bytes]) -> list[str]:
    names = sorted(set(first) | set(second))
    return [name for name in names if first.get(name) != second.get(name)]


def test_a_team_source_changes_no_public_byte(tmp_path: Path) -> None:
    # Both folders have one name: without a title in shiliao.toml, the site is named after it.
    write_collection(tmp_path / "with" / "c", team=True, seed=1)
    write_collection(tmp_path / "without" / "c", team=False, seed=1)
    with_team = build_json(tmp_path / "with" / "c", tmp_path / "a")
    without = build_json(tmp_path / "without" / "c", tmp_path / "b")
    assert with_team["privacy"]["levels"]["team"] == without["privacy"]["levels"]["team"] + 1
    first, second = _site(tmp_path / "a" / "s"), _site(tmp_path / "b" / "s")
    assert len(first) > 40
    assert _differences(first, second) == []


def test_a_source_made_team_leaves_no_trace(tmp_path: Path) -> None:
    collection = tmp_path / "c"
    write_collection(collection, team=False, seed=2)
    build_json(collection, tmp_path / "one")
    before = _site(tmp_path / "one" / "s")
    assert "sources/visit/index.html" in before
    (collection / "sources" / "visit.html.yaml").write_text("access: team\n", encoding="utf-8")
    summary = build_json(collection, tmp_path / "one")
    assert summary["processed"] == 1 and summary["site"]["written"]
    after = _site(tmp_path / "one" / "s")
    # The same collection without the source at all, in an archive of its own.
    other = tmp_path / "other" / "c"
    write_collection(other, team=False, seed=2)
    (other / "sources" / "visit.html").unlink()
    build_json(other, tmp_path / "two")
    assert _differences(after, _site(tmp_path / "two" / "s")) == []
    assert not any(name.startswith("sources/visit/") for name in after)


def test_a_change_to_a_team_source_writes_nothing(tmp_path: Path) -> None:
    collection = tmp_path / "c"
    write_collection(collection, team=True)
    build_json(collection, tmp_path)
    (collection / "sources" / "team-note.txt").write_text("内部笔记，改过了。\n", encoding="utf-8")
    summary = build_json(collection, tmp_path)
    assert summary["processed"] == 1
    assert summary["site"]["written"] is False
