"""Annotations added and removed from the app (``operations.annotate``): the entry written as a
curator writes one, every other byte of ``annotations.yaml`` kept, the result read back by the
collection's reader, and nothing written when anything is wrong."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from shiliao.collection import read_collection
from shiliao.collection.annotations import read_annotations
from shiliao.errors import EditConflict, EditError
from shiliao.model import Annotation
from shiliao.operations.annotate import add_annotation, read_annotation_file, remove_annotation
from tests.annotated_collection import write_collection

HAND_WRITTEN = """\
# Notes of the Jieqin team. Keep one entry per passage.

- source: notice          # the campaign notice
  paragraph: 2
  quote: 结对认亲
  note: "First mention of the pairing campaign"
  tags: [pairing, mobilization]

# Visits
- source: visit
  paragraph: 2
  note: >-
    The relative the cadre
    was paired with
  access: team
- {source: visit, paragraph: 3, note: 'The road'}
"""


def _folder(tmp_path: Path, text: str | None = HAND_WRITTEN) -> Path:
    collection = tmp_path / "c"
    (collection / "sources").mkdir(parents=True)
    if text is not None:
        (collection / "annotations.yaml").write_text(text, encoding="utf-8")
    return collection


def _annotations(collection: Path) -> list[Annotation]:
    path = collection / "annotations.yaml"
    return read_annotations(path.read_text(encoding="utf-8-sig"), "annotations.yaml")


def test_a_new_note_is_appended_and_every_other_byte_kept(tmp_path: Path) -> None:
    collection = _folder(tmp_path)
    added = add_annotation(
        collection,
        source="notice",
        paragraph=3,
        note="  干部每两个月走访一次  ",
        quote="每两个月",
        tags=["visits", " ", "frequency"],
        terms=["结亲"],
        sources=["visit"],
        access="team",
    )
    data = (collection / "annotations.yaml").read_bytes()
    assert data.startswith(HAND_WRITTEN.encode("utf-8"))
    assert data[len(HAND_WRITTEN.encode()) :].decode("utf-8") == (
        "- source: notice\n"
        "  paragraph: 3\n"
        "  quote: 每两个月\n"
        "  note: 干部每两个月走访一次\n"
        "  tags: [visits, frequency]\n"
        "  terms: [结亲]\n"
        "  sources: [visit]\n"
        "  access: team\n"
    )
    assert added == Annotation(
        source="notice",
        paragraph=3,
        note="干部每两个月走访一次",
        quote="每两个月",
        tags=("visits", "frequency"),
        terms=("结亲",),
        sources=("visit",),
        access="team",
        line=added.line,
    )
    assert _annotations(collection)[-1] == added and added.line == HAND_WRITTEN.count("\n") + 1
    assert not [p for p in collection.iterdir() if p.name.endswith(".tmp")]


def test_the_first_note_creates_the_file(tmp_path: Path) -> None:
    collection = _folder(tmp_path, None)
    added = add_annotation(collection, source="notice", paragraph=1, note="Title line")
    assert (collection / "annotations.yaml").read_text(encoding="utf-8") == (
        "- source: notice\n  paragraph: 1\n  note: Title line\n"
    )
    assert added.line == 1 and read_collection(collection).annotations == [added]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # An indented list, and no newline at the end of the file.
        (
            "# notes\n  - source: a\n    paragraph: 1\n    note: x  # why",
            "# notes\n  - source: a\n    paragraph: 1\n    note: x  # why\n"
            "  - source: b\n    paragraph: 2\n    note: 新\n",
        ),
        # Comments only: the list starts.
        ("# nothing yet\n", "# nothing yet\n- source: b\n  paragraph: 2\n  note: 新\n"),
        # An empty flow list gives way to the entry, its comment kept.
        ("[]  # none yet\n", "- source: b\n  paragraph: 2\n  note: 新  # none yet\n"),
        # A byte-order mark stays.
        (
            "\ufeff- source: a\n  paragraph: 1\n  note: x\n",
            "\ufeff- source: a\n  paragraph: 1\n  note: x\n- source: b\n  paragraph: 2\n  note: 新\n",
        ),
    ],
)
def test_a_note_is_appended_in_the_file_s_own_layout(
    tmp_path: Path, before: str, after: str
) -> None:
    collection = _folder(tmp_path, before)
    add_annotation(collection, source="b", paragraph=2, note="新")
    assert (collection / "annotations.yaml").read_text(encoding="utf-8") == after


@pytest.mark.parametrize(
    "note",
    [
        "yes",
        "2017-01-05",
        "3",
        "a: b",
        "# not a comment",
        "- not a list",
        "{not: a mapping}",
        "line one\nline two",
        "para\u2028graph",
        "'quoted' and \"double\"",
        "@at *star &amp !bang %pct `tick`",
        "维吾尔族 ئۇيغۇر",
    ],
)
def test_any_note_reads_back_as_written(tmp_path: Path, note: str) -> None:
    collection = _folder(tmp_path)
    added = add_annotation(collection, source="notice", paragraph=4, note=note, tags=["yes", "1"])
    assert added.note == note and added.tags == ("yes", "1")
    # Chinese and Uyghur are written as themselves, not as escapes.
    assert "\\u" not in (collection / "annotations.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"note": " "}, "needs a note"),
        ({"paragraph": 0}, "passage number"),
        ({"paragraph": True}, "passage number"),
        ({"source": "Gov Report"}, "not a source id"),
        ({"source": ""}, "needs a source"),
        ({"access": "secret"}, "team or public"),
        ({"tags": "one tag"}, "list of texts"),
        (
            {"quote": "结亲周", "passage_text": "各级干部深入基层开展结对认亲活动。"},
            "not in paragraph",
        ),
        ({"note": "half a pair \ud800"}, "surrogate"),
    ],
)
def test_a_bad_value_writes_nothing(tmp_path: Path, fields: dict, message: str) -> None:
    collection = _folder(tmp_path)
    values = {"source": "notice", "paragraph": 2, "note": "A note", **fields}
    with pytest.raises(EditError, match=message):
        add_annotation(collection, **values)
    assert (collection / "annotations.yaml").read_text(encoding="utf-8") == HAND_WRITTEN


def test_a_quote_in_the_passage_is_taken(tmp_path: Path) -> None:
    collection = _folder(tmp_path)
    added = add_annotation(
        collection,
        source="notice",
        paragraph=2,
        note="The campaign's name",
        quote="结对认亲",
        passage_text="各级干部深入基层开展结对认亲活动。",
    )
    assert added.quote == "结对认亲"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- source: a\n  paragraph: 1\n  note: x\n  colour: red\n", "unknown key 'colour'"),
        ("- source: a\n  paragraph: [1\n", "not valid YAML"),
        ("[{source: a, paragraph: 1, note: x}]\n", "flow list"),
        ("- source: a\n  paragraph: 1\n  note: x\n...\n", "would not read with the new note"),
    ],
)
def test_a_file_that_cannot_take_a_note_is_left_alone(
    tmp_path: Path, text: str, message: str
) -> None:
    collection = _folder(tmp_path, text)
    with pytest.raises(EditError, match=message):
        add_annotation(collection, source="b", paragraph=2, note="new")
    assert (collection / "annotations.yaml").read_text(encoding="utf-8") == text


def test_notes_added_at_once_are_all_kept(tmp_path: Path) -> None:
    collection = _folder(tmp_path)

    def add(number: int) -> None:
        for paragraph in range(1, 6):
            add_annotation(collection, source=f"s{number}", paragraph=paragraph, note="n")

    threads = [threading.Thread(target=add, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    added = _annotations(collection)[3:]
    assert sorted((a.source, a.paragraph) for a in added) == [
        (f"s{n}", p) for n in range(4) for p in range(1, 6)
    ]


def test_a_note_is_removed_with_its_lines_alone(tmp_path: Path) -> None:
    collection = _folder(tmp_path)
    read = read_annotation_file(collection)
    assert [a.source for a in read.annotations] == ["notice", "visit", "visit"]
    removed = remove_annotation(collection, 1, read.version)
    assert removed == read.annotations[0]
    assert (collection / "annotations.yaml").read_text(encoding="utf-8") == (
        "# Notes of the Jieqin team. Keep one entry per passage.\n"
        "\n"
        "\n"
        "# Visits\n"
        "- source: visit\n"
        "  paragraph: 2\n"
        "  note: >-\n"
        "    The relative the cadre\n"
        "    was paired with\n"
        "  access: team\n"
        "- {source: visit, paragraph: 3, note: 'The road'}\n"
    )
    now = read_annotation_file(collection)
    remove_annotation(collection, 2, now.version)
    # The flow-style entry goes with its line; the block entry before it stays whole.
    assert [a.paragraph for a in _annotations(collection)] == [2]
    assert (
        (collection / "annotations.yaml").read_text(encoding="utf-8").endswith("  access: team\n")
    )
    last = read_annotation_file(collection)
    remove_annotation(collection, 1, last.version)
    assert _annotations(collection) == []
    assert (collection / "annotations.yaml").read_text(encoding="utf-8") == (
        "# Notes of the Jieqin team. Keep one entry per passage.\n\n\n# Visits\n"
    )


def test_a_removal_against_an_old_version_is_a_conflict(tmp_path: Path) -> None:
    collection = _folder(tmp_path)
    old = read_annotation_file(collection)
    add_annotation(collection, source="notice", paragraph=9, note="Meanwhile")
    with pytest.raises(EditConflict) as caught:
        remove_annotation(collection, 1, old.version)
    assert caught.value.current == read_annotation_file(collection)
    assert caught.value.version == read_annotation_file(collection).version
    assert len(_annotations(collection)) == 4
    with pytest.raises(EditError, match="no entry 9"):
        remove_annotation(collection, 9, caught.value.version)


def test_the_sample_s_annotations_take_new_notes(tmp_path: Path) -> None:
    collection = tmp_path / "c"
    write_collection(collection)
    before = read_collection(collection).annotations
    add_annotation(collection, source="visit", paragraph=3, note="路修好了", terms=["结亲"])
    after = read_collection(collection).annotations
    assert after[: len(before)] == before and after[-1].note == "路修好了"
