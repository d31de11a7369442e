"""Swapping a folder built aside into place: readers find the old one or the new one."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from shiliao.store import folders
from shiliao.store.folders import replace_folder


def _folder(path: Path, text: str) -> Path:
    path.mkdir()
    (path / "index.html").write_text(text, encoding="utf-8")
    return path


def test_the_new_folder_replaces_the_old_and_a_reader_never_finds_none(tmp_path: Path) -> None:
    target = _folder(tmp_path / "site", "old")
    missing = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            if not (target / "index.html").exists():
                missing.append(True)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for number in range(200):
            new = _folder(tmp_path / f"new-{number}", str(number))
            replace_folder(new, target, lambda: tmp_path / "aside")
            assert not new.exists()
    finally:
        done.set()
        reader.join()
    assert (target / "index.html").read_text(encoding="utf-8") == "199"
    if folders.exchange_folders(_folder(tmp_path / "a", "a"), _folder(tmp_path / "b", "b")):
        # The names can be exchanged here: the swap is one step.
        assert not missing


def test_without_the_exchange_two_renames_and_a_kill_leaves_the_old_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(folders, "exchange_folders", lambda first, second: False)
    target = _folder(tmp_path / "site", "old")
    labels = []
    replace_folder(
        _folder(tmp_path / "new", "new"), target, lambda: tmp_path / "aside", labels.append, "site"
    )
    assert labels == ["rename:site", "remove:site (old)"]
    assert (target / "index.html").read_text(encoding="utf-8") == "new"
    assert not (tmp_path / "aside").exists()

    def killed(label: str) -> None:
        if label == "remove:site (old)":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        replace_folder(
            _folder(tmp_path / "newer", "newer"), target, lambda: tmp_path / "aside", killed, "site"
        )
    assert (target / "index.html").read_text(encoding="utf-8") == "newer"
    assert (tmp_path / "aside" / "index.html").read_text(encoding="utf-8") == "new"


def test_a_missing_target_is_made(tmp_path: Path) -> None:
    replace_folder(_folder(tmp_path / "new", "new"), tmp_path / "site", lambda: tmp_path / "aside")
    assert (tmp_path / "site" / "index.html").read_text(encoding="utf-8") == "new"
