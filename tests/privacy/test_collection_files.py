"""The collection's side: sidecar keys checked (never ignored), privacy.yaml and people.yaml
read strictly, decisions appended by `shiliao privacy decide`."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiliao.collection import read_collection
from shiliao.collection.privacy import append_decision, read_decisions, read_people
from shiliao.errors import CollectionError, SidecarError
from shiliao.model import Decision


def _collection(tmp_path: Path, sidecar: str, name: str = "note.txt") -> Path:
    root = tmp_path / "c"
    (root / "sources").mkdir(parents=True)
    (root / "sources" / name).write_text("户主王芳说。\n", encoding="utf-8")
    (root / "sources" / f"{name}.yaml").write_text(sidecar, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("sidecar", "message"),
    [
        ("private: true\n", "'private' is not a sidecar key; write access: team"),
        ("publish: false\n", "'publish' is not a sidecar key"),
        ("redact: [王芳]\n", "privacy.yaml"),
        ("acces: team\n", "unknown key 'acces'"),
        ("access: secret\n", "unknown access level 'secret'"),
        ("access: {embargo: 2030-01-01}\n", "names the level it ends in"),
        ("access: {embargo: soon, then: public}\n", "is not a date"),
    ],
)
def test_a_sidecar_key_or_level_that_is_not_known_is_an_error(
    tmp_path: Path, sidecar: str, message: str
) -> None:
    root = _collection(tmp_path, sidecar)
    with pytest.raises(SidecarError, match=message) as raised:
        read_collection(root)
    assert "sources/note.txt.yaml" in str(raised.value)


def test_json_lines_sidecars_are_checked_too(tmp_path: Path) -> None:
    root = _collection(tmp_path, "each_line: {text: content}\nredact: [x]\n", "lines.jsonl")
    (root / "sources" / "lines.jsonl").write_text(
        '{"content": "x", "a": "team"}\n', encoding="utf-8"
    )
    with pytest.raises(SidecarError, match="unknown key 'redact'"):
        read_collection(root)
    (root / "sources" / "lines.jsonl.yaml").write_text(
        "each_line: {text: content, access: '{a}'}\ndefaults: {access: public}\n", encoding="utf-8"
    )
    sources = read_collection(root).sources
    assert sources[0].metadata["access"] == "team"
    (root / "sources" / "lines.jsonl").write_text(
        '{"content": "x", "a": "hidden"}\n', encoding="utf-8"
    )
    # A line's own level that is no level fails that line: it is no source, so nothing of it
    # is published (tests/test_jsonl_lines.py).
    collection = read_collection(root)
    assert collection.sources == []
    (failure,) = collection.failed
    assert failure["reason"].startswith("line 1: access: unknown access level 'hidden'")


def test_decisions_are_read_strictly() -> None:
    good = read_decisions(
        "- text: 阿依古丽·买买提\n  kind: name\n  decision: redact\n  date: 2026-12-03\n"
        "- finding: f-0123456789ab\n  decision: public\n"
        "- source: visit\n  decision: checked\n"
        "- text: 13812345678\n  decision: redact\n",
        "privacy.yaml",
    )
    assert [(d.decision, d.line) for d in good] == [
        ("redact", 1),
        ("public", 5),
        ("checked", 7),
        ("redact", 9),
    ]
    assert good[0].date == "2026-12-03" and good[3].text == "13812345678"
    for text, message in (
        ("- text: x\n  decison: redact\n", "privacy.yaml:1: unknown key 'decison'"),
        ("- text: x\n  decision: hide\n", "decision 'hide' is not one of"),
        ("- decision: redact\n", "names a text or a finding"),
        ("- text: x\n  finding: f-1\n  decision: redact\n", "names a text or a finding"),
        ("- decision: checked\n", "'checked' takes a source"),
        ("- text: x\n  kind: face\n  decision: redact\n", "kind 'face' is not one of"),
        (
            "- text: 王芳\n  decision: redact\n- text: 王芳\n  decision: public\n",
            "privacy.yaml:3: contradicts line 1",
        ),
        ("text: x\n", "must be a list"),
    ):
        with pytest.raises(CollectionError, match=message):
            read_decisions(text, "privacy.yaml")


def test_people(tmp_path: Path) -> None:
    assert read_people("- 陈全国\n- {name: 王明, note: 县委书记}\n", "people.yaml") == [
        "陈全国",
        "王明",
    ]
    with pytest.raises(CollectionError, match=r"people\.yaml:1"):
        read_people("- {nom: 王明}\n", "people.yaml")


def test_append_keeps_the_file_and_refuses_a_contradiction(tmp_path: Path) -> None:
    root = _collection(tmp_path, "title: 笔记\n")
    path = append_decision(root, Decision("redact", text='王"芳\n', kind="name"))
    append_decision(root, Decision("public", text="陈全国"))
    decisions = read_collection(root).decisions
    assert [(d.text, d.decision) for d in decisions] == [('王"芳', "redact"), ("陈全国", "public")]
    before = path.read_text(encoding="utf-8")
    with pytest.raises(CollectionError, match="contradicts"):
        append_decision(root, Decision("redact", text="陈全国"))
    assert path.read_text(encoding="utf-8") == before
