"""Essays read, saved and previewed from the app (``operations.sections``): a save is checked
as the reader reads an essay, never overwrites a change it did not see, and the preview is the
site's own rendering of the body, source HTML shown as text."""

from __future__ import annotations

import hashlib
import shutil
import threading
from pathlib import Path

import pytest

from shiliao.collection import read_collection
from shiliao.errors import EditConflict, EditError
from shiliao.operations.build import build
from shiliao.operations.sections import (
    list_essays,
    preview_essay,
    read_essay,
    save_essay,
)

ESSAY = """\
---
title: 结亲 in the villages
subtitle: A first look
---

Cadres were paired with families: 结亲 and 民族团结 (Chang, 2020).

## Visits

Every two months.
"""
GLOSSARY = """\
- term: 结亲
  pinyin: jiéqīn
  english: [Jieqin, Pair Up and Become Family]
- term: 民族团结
  pinyin: mínzú tuánjié
  english: [ethnic unity]
"""
BIBLIOGRAPHY = """\
[{"id": "chang-2020", "type": "thesis", "title": "结亲活动研究",
  "author": [{"family": "Chang", "given": "Li"}], "issued": {"date-parts": [[2020]]}}]
"""


def _collection(root: Path) -> Path:
    (root / "sources").mkdir(parents=True)
    (root / "sources" / "notice.txt").write_text("各级干部深入基层开展结对认亲活动。\n", "utf-8")
    (root / "glossary.yaml").write_text(GLOSSARY, encoding="utf-8")
    (root / "bibliography.json").write_text(BIBLIOGRAPHY, encoding="utf-8")
    return root


def test_a_new_essay_is_saved_as_the_reader_reads_it(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c")
    saved = save_essay(collection, "villages", ESSAY.replace("\n", "\r\n"), base_version=None)
    path = collection / "essays" / "villages.md"
    # Line ends as a hand-written file has them, whatever the browser sent.
    assert path.read_bytes() == ESSAY.encode("utf-8")
    assert saved.path == "essays/villages.md" and saved.text == ESSAY
    assert saved.version == hashlib.sha256(ESSAY.encode()).hexdigest()
    assert read_essay(collection, "villages") == saved
    (section,) = read_collection(collection).sections
    assert section.id == "villages" and section.front_matter["title"] == "结亲 in the villages"
    assert list_essays(collection)[0].title == "结亲 in the villages"


def test_an_edit_is_saved_against_the_version_it_started_from(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c")
    first = save_essay(collection, "villages", ESSAY, base_version=None)
    second = save_essay(collection, "villages", ESSAY + "\nMore.\n", base_version=first.version)
    assert read_essay(collection, "villages") == second
    # A save from the first version comes too late: the file as it is now is shown.
    with pytest.raises(EditConflict) as caught:
        save_essay(collection, "villages", ESSAY + "\nOther.\n", base_version=first.version)
    assert caught.value.current == second and caught.value.version == second.version
    assert read_essay(collection, "villages") == second
    # A "new" essay with a taken id is a conflict too, never an overwrite.
    with pytest.raises(EditConflict, match="exists"):
        save_essay(collection, "villages", "New.\n", base_version=None)
    assert read_essay(collection, "villages") == second


def test_an_essay_written_by_hand_is_found_by_its_id(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c")
    (collection / "essays").mkdir()
    hand = collection / "essays" / "Jieqin Essay.md"
    hand.write_bytes("\ufeff# By hand\r\n".encode())
    read = read_essay(collection, "jieqin-essay")
    assert read.path == "essays/Jieqin Essay.md" and read.text == "# By hand\r\n"
    assert read.version == hashlib.sha256(hand.read_bytes()).hexdigest()
    assert read_collection(collection).sections[0].id == read.section_id
    saved = save_essay(collection, "jieqin-essay", "# Edited\n", base_version=read.version)
    assert saved.path == "essays/Jieqin Essay.md" and hand.read_text("utf-8") == "# Edited\n"
    assert [p.name for p in (collection / "essays").iterdir()] == ["Jieqin Essay.md"]


@pytest.mark.parametrize(
    ("section_id", "text", "message"),
    [
        ("Villages", ESSAY, "section id"),
        ("-villages", ESSAY, "section id"),
        ("../villages", ESSAY, "section id"),
        ("villages.md", ESSAY, "section id"),
        ("v" * 101, ESSAY, "section id"),
        ("villages", "---\n- a list\n---\nBody\n", "front matter must be a mapping"),
        ("villages", "---\ntitle: [unclosed\n---\nBody\n", "front matter"),
        ("villages", "---\ntitle: a\ntitle: b\n---\nBody\n", "given twice"),
        ("villages", "Half a pair \ud800\n", "lone surrogate"),
    ],
)
def test_a_bad_id_or_text_writes_nothing(
    tmp_path: Path, section_id: str, text: str, message: str
) -> None:
    collection = _collection(tmp_path / "c")
    with pytest.raises(EditError, match=message):
        save_essay(collection, section_id, text, base_version=None)
    assert not (collection / "essays").exists()


def test_an_edit_of_an_essay_that_is_gone_is_refused(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c")
    saved = save_essay(collection, "villages", ESSAY, base_version=None)
    (collection / "essays" / "villages.md").unlink()
    with pytest.raises(EditError, match="removed"):
        save_essay(collection, "villages", ESSAY, base_version=saved.version)
    with pytest.raises(EditError, match="no essay"):
        read_essay(collection, "villages")


def test_saves_at_once_never_overwrite_each_other_unseen(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c")
    first = save_essay(collection, "villages", ESSAY, base_version=None)
    outcomes: list[str] = []

    def save(number: int) -> None:
        try:
            save_essay(collection, "villages", f"{ESSAY}\n{number}\n", base_version=first.version)
            outcomes.append("saved")
        except EditConflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=save, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * 5 + ["saved"]


def test_the_list_shows_each_essay_and_what_is_wrong_with_it(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c")
    save_essay(collection, "villages", ESSAY, base_version=None)
    (collection / "essays" / "broken.md").write_text("---\n- no\n---\nBody\n", "utf-8")
    (collection / "essays" / "gbk.md").write_bytes("结亲".encode("gbk"))
    entries = {entry.section_id: entry for entry in list_essays(collection)}
    assert list(entries) == ["broken", "gbk", "villages"]
    assert entries["villages"].problem is None and entries["villages"].title
    assert "mapping" in str(entries["broken"].problem) and entries["broken"].title is None
    assert "UTF-8" in str(entries["gbk"].problem)
    with pytest.raises(EditError, match="UTF-8"):
        read_essay(collection, "gbk")
    # A broken essay can still be opened and mended.
    broken = read_essay(collection, "broken")
    save_essay(collection, "broken", "---\ntitle: Mended\n---\nBody\n", base_version=broken.version)
    assert {e.section_id: e.title for e in list_essays(collection)}["broken"] == "Mended"


def test_the_preview_never_runs_html_of_the_essay() -> None:
    html = preview_essay(
        "---\ntitle: x\n---\n<script>alert(1)</script>\n\n"
        'Text <img src=x onerror="alert(2)"> and [a link](javascript:alert(3)).\n\n'
        "<div onclick=alert(4)>block</div>\n"
    )
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "<div" not in html and "&lt;div" in html
    assert 'href="javascript:' not in html


def test_the_preview_links_terms_and_citations_as_the_site_does(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c")
    html = preview_essay(ESSAY, collection, section_id="villages")
    assert 'href="../../terms/jieqin/index.html" class="term"' in html
    assert 'href="#ref-chang-2020"' in html and 'id="ref-chang-2020"' in html
    assert "<h2>Visits</h2>" in html
    # Without a collection there is nothing to link a citation to, and nothing fails.
    alone = preview_essay(ESSAY)
    assert "cite unresolved" in alone and 'class="term"' not in alone


def test_the_preview_is_the_body_the_built_site_shows(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "c")
    save_essay(collection, "villages", ESSAY, base_version=None)
    build(collection, tmp_path / "a", tmp_path / "s")
    page = (tmp_path / "s" / "sections" / "villages" / "index.html").read_text("utf-8")
    html = preview_essay(ESSAY, collection, section_id="villages")
    body, references = html.split('<section class="references">')
    assert body in page
    # The reference list's heading is the interface's text there; its entries are the same.
    assert references.split("<ol>")[1] in page


def test_the_sample_essay_previews(tmp_path: Path, sample_dir: Path) -> None:
    collection = tmp_path / "jieqin"
    shutil.copytree(sample_dir, collection)
    essay = read_essay(collection, "jieqin")
    html = preview_essay(essay.text, collection, section_id="jieqin")
    assert 'class="term"' in html and 'class="references"' in html
    again = save_essay(collection, "jieqin", essay.text, base_version=essay.version)
    assert again.version == essay.version
