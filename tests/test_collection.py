"""The collection folder reader, on the real sample and on small collections made here."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from shiliao.collection import read_collection
from shiliao.errors import CollectionError, SidecarError


def test_sample_collection_counts(sample_dir: Path) -> None:
    collection = read_collection(sample_dir)
    assert len(collection.sources) == 88
    assert len(collection.terms) == 56
    assert [s.id for s in collection.sections] == ["jieqin"]
    assert len(collection.bibliography) == 14
    assert len({s.id for s in collection.sources}) == 88
    assert collection.problems == []


def test_line_sources_know_their_bytes(sample_dir: Path) -> None:
    collection = read_collection(sample_dir)
    lines = {}
    for path in (sample_dir / "sources").glob("*.jsonl"):
        for number, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
            lines[(f"sources/{path.name}", number)] = raw
    for source in collection.sources:
        raw = lines[(source.path, source.line)]
        assert source.record_sha256 == hashlib.sha256(raw).hexdigest()
        assert source.text == json.loads(raw)["content"]
    files = {f.path: f for f in collection.files}
    jsonl = files["sources/government-work-reports.jsonl"]
    assert jsonl.sha256 == hashlib.sha256(jsonl.abspath.read_bytes()).hexdigest()


def test_sidecar_mapping(sample_dir: Path) -> None:
    collection = read_collection(sample_dir)
    by_title = {s.metadata["title"]: s for s in collection.sources}
    canton = by_title["廣州共產黨報告 (一大)"]
    assert canton.metadata["date"] == "1921-07"  # congress 1 through the sidecar's map
    assert canton.metadata["type"] == "speech"
    assert canton.metadata["collection"] == ["cpc-congress-reports"]
    report = by_title["2025年中华人民共和国国务院政府工作报告"]
    assert report.metadata["date"] == "2025"
    assert report.metadata["url"].startswith("https://zh.wikisource.org/")
    undated = [s for s in collection.sources if "date" not in s.metadata]
    # The NPC resolutions carry "year": null, which must not become the string "None".
    assert len(undated) == 20
    assert all("决议" in s.metadata["title"] for s in undated)


def _tiny(tmp_path: Path, lines: list[dict], sidecar: str) -> Path:
    root = tmp_path / "c"
    (root / "sources").mkdir(parents=True)
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n"
    (root / "sources" / "docs.jsonl").write_text(text, encoding="utf-8")
    (root / "sources" / "docs.jsonl.yaml").write_text(sidecar, encoding="utf-8")
    return root


SIDECAR = "each_line:\n  title: '{t}'\n  url: '{u}'\n  text: body\ndefaults:\n  type: report\n"


def test_ids_survive_reordering(tmp_path: Path) -> None:
    lines = [
        {"t": f"标题{i}", "u": f"https://example.org/{i}", "body": f"正文{i}"} for i in range(3)
    ]
    first = {
        s.metadata["title"]: s.id
        for s in read_collection(_tiny(tmp_path / "a", lines, SIDECAR)).sources
    }
    again = {
        s.metadata["title"]: s.id
        for s in read_collection(_tiny(tmp_path / "b", lines[::-1], SIDECAR)).sources
    }
    assert first == again


def test_single_file_sidecar_and_id(tmp_path: Path) -> None:
    root = tmp_path / "c"
    (root / "sources" / "notices").mkdir(parents=True)
    (root / "sources" / "notices" / "通知.txt").write_text(
        "关于开展结亲周活动的通知\n", encoding="utf-8"
    )
    (root / "sources" / "notices" / "通知.txt.yaml").write_text(
        "title: 通知\ndate: 2017-01-05\n", encoding="utf-8"
    )
    (source,) = read_collection(root).sources
    # YAML reads 2017-01-05 as a date; the source keeps the EDTF string.
    assert source.metadata == {"title": "通知", "date": "2017-01-05"}
    assert source.text is None
    assert source.id.startswith("notices-") and all(c.isascii() for c in source.id)
    assert len(read_collection(root).files) == 2


def test_malformed_inputs_are_typed_errors(tmp_path: Path) -> None:
    root = _tiny(tmp_path, [{"t": "a", "u": "", "body": "x"}], "each_line: [1, 2]\n")
    with pytest.raises(SidecarError, match="each_line"):
        read_collection(root)
    # A bad line fails alone (tests/test_jsonl_lines.py); the read goes on.
    root = _tiny(tmp_path / "2", [{"t": "a", "u": "", "nobody": "x"}], SIDECAR)
    assert [f["line"] for f in read_collection(root).failed] == [1]
    (root / "sources" / "docs.jsonl").write_text("{not json\n", encoding="utf-8")
    assert [f["line"] for f in read_collection(root).failed] == [1]
    with pytest.raises(CollectionError, match="sources/"):
        read_collection(tmp_path)


def test_glossary_errors(tmp_path: Path, sample_dir: Path) -> None:
    root = tmp_path / "c"
    shutil.copytree(sample_dir, root)
    (root / "glossary.yaml").chmod(0o644)
    (root / "glossary.yaml").write_text("- term: 结亲\n  pinyin: jiéqīn\n", encoding="utf-8")
    with pytest.raises(CollectionError, match="'english' is required"):
        read_collection(root)
    (root / "glossary.yaml").write_text(
        "- term: 结亲\n  pinyin: jiéqīn\n  english: [x]\n  engish: y\n", encoding="utf-8"
    )
    with pytest.raises(CollectionError, match="unknown field"):
        read_collection(root)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("sources/a.txt.yaml", "title: 关于通知\n".encode("gbk")),
        ("sources/a.txt.yaml", "title: 关于通知\n".encode("utf-16")),
        ("glossary.yaml", "- term: 结亲\n".encode("gbk")),
    ],
)
def test_a_yaml_file_in_another_encoding_is_one_clear_error(
    tmp_path: Path, name: str, data: bytes
) -> None:
    # Chinese Windows editors save GBK, Notepad's "Unicode" is UTF-16.
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "a.txt").write_text("正文", encoding="utf-8")
    (tmp_path / name).write_bytes(data)
    with pytest.raises(CollectionError) as error:
        read_collection(tmp_path)
    message = str(error.value)
    assert message.startswith(f"{name}: not UTF-8 text (byte ") and "\n" not in message
    assert message.endswith("save it as UTF-8")


def test_a_sidecar_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "a.txt").write_text("正文", encoding="utf-8")
    (tmp_path / "sources" / "a.txt.yaml").write_text("title: 关于通知\n", encoding="utf-8-sig")
    (source,) = read_collection(tmp_path).sources
    assert source.metadata["title"] == "关于通知"


def test_a_bibliography_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "a.txt").write_text("正文", encoding="utf-8")
    items = '[{"id": "b1", "type": "book", "title": "通知"}]'
    (tmp_path / "bibliography.json").write_text(items, encoding="utf-8-sig")
    assert read_collection(tmp_path).bibliography == [{"id": "b1", "type": "book", "title": "通知"}]


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ('"2016-13-45"', "date '2016-13-45' is not EDTF; write YYYY, YYYY-MM or YYYY-MM-DD"),
        ('"2016年3月"', "date '2016年3月' is not EDTF; write 2016-03"),
        ("2019-04-10 08:00:00", "date '2019-04-10T08:00:00' is not EDTF; write 2019-04-10"),
        ('"<script>x</script>"', "date '<script>x</script>' is not EDTF; write YYYY,"),
    ],
)
def test_a_sidecar_date_that_is_not_edtf_is_an_error(
    tmp_path: Path, written: str, message: str
) -> None:
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "a.txt").write_text("正文。", encoding="utf-8")
    (tmp_path / "sources" / "a.txt.yaml").write_text(f"date: {written}\n", encoding="utf-8")
    with pytest.raises(SidecarError, match=r"^sources/a\.txt\.yaml: ") as error:
        read_collection(tmp_path)
    assert message in str(error.value)


def test_edtf_sidecar_dates_are_kept_as_written(tmp_path: Path) -> None:
    (tmp_path / "sources").mkdir()
    for number, date in enumerate(["2016", "2016-04/2017", "201X", "2016-03~", "/2017"]):
        (tmp_path / "sources" / f"{number}.txt").write_text("正文。", encoding="utf-8")
        (tmp_path / "sources" / f"{number}.txt.yaml").write_text(
            f'date: "{date}"\n', encoding="utf-8"
        )
    dates = [source.metadata["date"] for source in read_collection(tmp_path).sources]
    assert dates == ["2016", "2016-04/2017", "201X", "2016-03~", "/2017"]


def test_a_lines_date_that_is_not_edtf_is_a_warning_and_no_date(tmp_path: Path) -> None:
    (tmp_path / "sources").mkdir()
    lines = [{"d": "2019/4/10", "c": "一"}, {"d": None, "c": "二"}, {"d": "2016", "c": "三"}]
    (tmp_path / "sources" / "r.jsonl").write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8"
    )
    (tmp_path / "sources" / "r.jsonl.yaml").write_text(
        'each_line:\n  date: "{d}"\n  text: c\n', encoding="utf-8"
    )
    collection = read_collection(tmp_path)
    assert [source.metadata.get("date") for source in collection.sources] == [None, None, "2016"]
    assert collection.problems == [
        "sources/r.jsonl: line 1: date '2019/4/10' is not EDTF; write 2019-04-10; left undated"
    ]
