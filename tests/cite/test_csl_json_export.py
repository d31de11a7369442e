"""`shiliao export --format csl-json`, public and `--full`, checked against the CSL-JSON input
data schema 1.0 (``csl_data_schema``, restated from the specification: no package ships it) by
jsonschema's draft-07 validator; an export changed to break one of the schema's rules must
fail it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from shiliao.archive import open_archive
from shiliao.cli import main
from shiliao.collection import read_collection
from shiliao.config import load_settings
from shiliao.operations.ingest import ingest
from tests.cite.csl_data_schema import CSL_DATA_SCHEMA

VALIDATOR = jsonschema.Draft7Validator(CSL_DATA_SCHEMA)

BIBLIOGRAPHY = [
    {
        "id": "ma-2019",
        "type": "book",
        "title": "民族团结一家亲",
        "author": [{"family": "马", "given": "大正"}],
        "publisher": "民族出版社",
        "publisher-place": "北京",
        "issued": {"date-parts": [[2019, 6]]},
        "ISBN": "978-7-105-00000-0",
        "language": "zh-Hans",
        "custom": {
            "author-romanized": [{"family": "Ma", "given": "Dazheng"}],
            "title-romanized": "Minzu tuanjie yi jia qin",
        },
    },
    {
        "id": "smith-2020",
        "type": "article-journal",
        "title": "Visiting relatives",
        "author": [{"family": "Smith", "given": "Jane"}, {"literal": "新疆大学课题组"}],
        "container-title": "Journal of Asian Studies",
        "volume": 79,
        "issue": "3",
        "page": "601-625",
        "DOI": "10.1017/S0021911820000000",
        "issued": {"date-parts": [[2020, 8, 1]]},
    },
    {
        "id": "work-report-1954",
        "type": "report",
        "title": "政府工作报告",
        "author": [{"literal": "中华人民共和国国务院"}],
        "issued": {"raw": "1954年9月23日"},
        "note": "第一届全国人民代表大会第一次会议",
    },
    {
        "id": "chen-2017-chapter",
        "type": "chapter",
        "title": "结亲周",
        "author": [{"family": "Chen", "given": "Li"}],
        "editor": [{"family": "Wang", "given": "Fang"}],
        "container-title": "边疆治理",
        "issued": {"date-parts": [[2017]]},
    },
]
SIDECAR = (
    "each_line:\n  title: '{title}'\n  date: '{date}'\n  text: body\ndefaults:\n  type: report\n"
)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive with a bibliography, notices of a JSON-lines file and a plain-text notice."""
    base = tmp_path_factory.mktemp("csl")
    collection = base / "c"
    (collection / "sources").mkdir(parents=True)
    (collection / "bibliography.json").write_text(
        json.dumps(BIBLIOGRAPHY, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    records = [
        {"title": "关于开展结亲活动的通知", "date": "2017-03-05", "body": "干部开展结亲活动。"},
        {"title": "结亲周工作总结", "date": "2018", "body": "民族团结一家亲。"},
    ]
    (collection / "sources" / "notices.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    (collection / "sources" / "notices.jsonl.yaml").write_text(SIDECAR, encoding="utf-8")
    (collection / "sources" / "notice.txt").write_text("访惠聚工作队入户走访。\n", encoding="utf-8")
    with open_archive(base / "a", create=True) as opened:
        ingest(opened, read_collection(collection), load_settings(collection))
    return base / "a"


def _export(archive: Path, out: Path, *extra: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(
        main, ["export", str(archive), str(out), "--format", "csl-json", *extra]
    )
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))


def test_the_schema_fixture_is_a_draft_7_schema() -> None:
    jsonschema.Draft7Validator.check_schema(CSL_DATA_SCHEMA)


@pytest.mark.parametrize("extra", [(), ("--full",)], ids=["public", "full"])
def test_the_export_is_valid_csl_json(archive: Path, tmp_path: Path, extra: tuple[str]) -> None:
    items = _export(archive, tmp_path / "records.json", *extra)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(items)]
    assert errors == []
    ids = {item["id"] for item in items}
    # The bibliography and the sources are both there.
    assert {entry["id"] for entry in BIBLIOGRAPHY} <= ids
    assert {"report", "book", "article-journal", "chapter"} <= {item["type"] for item in items}
    assert len(ids) > len(BIBLIOGRAPHY)


_DROP = object()
# Each change breaks one rule of the schema in one item the export wrote: (the item's id, the
# path to the value in it, the new value or _DROP to remove it).
BREAKS: dict[str, tuple[str, list[Any], Any]] = {
    "type not a CSL type": ("work-report-1954", ["type"], "Report"),
    "title not a string": ("work-report-1954", ["title"], ["政府工作报告"]),
    "id missing": ("work-report-1954", ["id"], _DROP),
    "key the schema does not name": ("work-report-1954", ["citation_key"], "x"),
    "names not an array": ("ma-2019", ["author"], "马大正"),
    "name with an unknown key": ("ma-2019", ["author", 0, "surname"], "马"),
    "date a bare number": ("smith-2020", ["issued"], 2020),
    "date-parts not nested": ("smith-2020", ["issued", "date-parts"], [2020, 8, 1]),
    "date of three ranges": ("smith-2020", ["issued", "date-parts"], [[2020], [2021], [2022]]),
    "volume an array": ("smith-2020", ["volume"], [79]),
}


@pytest.mark.parametrize("name", list(BREAKS))
def test_an_export_changed_against_the_schema_fails_it(
    archive: Path, tmp_path: Path, name: str
) -> None:
    items = _export(archive, tmp_path / "records.json", "--full")
    assert VALIDATOR.is_valid(items)
    changed = copy.deepcopy(items)
    item_id, path, value = BREAKS[name]
    target: Any = next(item for item in changed if item["id"] == item_id)
    for key in path[:-1]:
        target = target[key]
    if value is _DROP:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    assert changed != items
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(changed)
