"""Hostile collection files found by the property tests (tests/properties): each is refused with
an error naming the file, quickly, never a crash or a hang of the reader."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from shiliao.collection import read_collection
from shiliao.errors import CollectionError, SidecarError


def _collection(root: Path) -> Path:
    (root / "sources").mkdir(parents=True)
    (root / "sources" / "note.txt").write_text("通知\n", encoding="utf-8")
    return root


# Ten anchors, each naming the one before ten times: 10^10 strings once expanded.
BILLION_LAUGHS = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]\n" for n in range(1, 10)
)


@pytest.mark.parametrize(
    ("sidecar", "message"),
    [
        (BILLION_LAUGHS, r"line 2: an alias \(\*l0\) is not read"),
        ("extra: &a [*a]\n", r"an alias \(\*a\)"),
        ("extra: " + "[" * 20_000 + "\n", "nested too deeply"),
    ],
)
def test_a_sidecar_bomb_is_refused(tmp_path: Path, sidecar: str, message: str) -> None:
    root = _collection(tmp_path / "c")
    (root / "sources" / "note.txt.yaml").write_text(sidecar, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(SidecarError, match=message) as raised:
        read_collection(root)
    assert "sources/note.txt.yaml" in str(raised.value)
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("date: 2019-02-30", "cannot be read"),
        ("a: &a [*a]", "alias"),
        ("title: a\ntitle: b", "given twice"),
    ],
)
def test_essay_front_matter_is_read_strictly(tmp_path: Path, front: str, message: str) -> None:
    root = _collection(tmp_path / "c")
    (root / "essays").mkdir()
    (root / "essays" / "one.md").write_text(f"---\n{front}\n---\n正文\n", encoding="utf-8")
    with pytest.raises(CollectionError, match=message) as raised:
        read_collection(root)
    assert "essays/one.md: front matter" in str(raised.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[{"id": "a", "type": "book", "title": "\\ud800"}]', r"lone surrogate \(\\ud800\)"),
        ("[" * 100_000, "cannot be read"),
        ("[" + "7" * 5000 + "]", "cannot be read"),
    ],
)
def test_a_bibliography_that_cannot_be_kept_is_refused(
    tmp_path: Path, content: str, message: str
) -> None:
    root = _collection(tmp_path / "c")
    (root / "bibliography.json").write_text(content, encoding="utf-8")
    with pytest.raises(CollectionError, match=message) as raised:
        read_collection(root)
    assert "bibliography.json" in str(raised.value)
