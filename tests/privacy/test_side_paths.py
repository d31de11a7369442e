"""The side paths an adversarial review found private data leaking through, each closed:
catalogue records, originals holding what was never read, duplicates, ids made from file
names, JSON-lines levels, duplicate YAML keys, the bibliography, rules that match nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from shiliao.cite.sources import source_item
from shiliao.cli import main
from shiliao.model import Source
from shiliao.privacy.detect import detect
from tests.conftest import build_json


def _collection(root: Path, files: dict[str, str | bytes], **extra: str) -> Path:
    for name, content in {**files, **extra}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def _public_bytes(base: Path) -> bytes:
    """Every byte of the site and of the default exports."""
    archive = str(base / "a")
    (base / "x").mkdir()
    runner = CliRunner()
    for fmt, name in (("csl-json", "r.json"), ("ris", "r.ris"), ("bagit", "bag")):
        result = runner.invoke(main, ["export", archive, str(base / "x" / name), "--format", fmt])
        assert result.exit_code == 0, result.output
    return b"".join(
        p.read_bytes()
        for folder in (base / "s", base / "x")
        for p in folder.rglob("*")
        if p.is_file()
    )


def test_a_catalogue_record_shows_nothing_that_kept_it_one(tmp_path: Path) -> None:
    collection = _collection(
        tmp_path / "c",
        {
            "sources/a.txt": "结对亲戚热依拉·艾买提，电话13900000002。\n",
            "sources/a.txt.yaml": (
                "title: 结对亲戚热依拉·艾买提家访记 电话13900000002\n"
                "description: 看望户主热依拉·艾买提 13900000002 rl02@example.com\n"
                "url: http://example.com/%E6%88%B7%E4%B8%BB%E8%B5%B5%E7%BE%8E%E5%85%B0\n"
                "extra: {informant: 户主马秀珍}\n"
            ),
            "sources/户主何秀珍.txt": "一份记录。\n",
        },
    )
    summary = build_json(collection, tmp_path)
    assert summary["privacy"]["levels"]["metadata"] >= 1
    public = _public_bytes(tmp_path)
    for secret in ("热依拉", "13900000002", "rl02@example.com", "赵美兰", "马秀珍", "何秀珍"):
        assert secret.encode() not in public, secret
    assert "［姓名］".encode() in public


def test_originals_holding_what_was_not_read_are_not_offered(tmp_path: Path) -> None:
    collection = _collection(
        tmp_path / "c",
        {
            "sources/s01.md": "---\ntitle: 工作简报一\nauthor: 户主张秀兰\nphone: 13900000001\n---\n\n民族团结。\n",
            "sources/s04.jsonl": '{"title":"简报四","content":"民族团结。","informant":"户主刘桂兰 13900000004"}\n',
            "sources/s04.jsonl.yaml": "each_line: {title: '{title}', text: content}\n",
            "sources/s05.txt": "结对亲戚王桂珍，电话13900000201".encode("utf-16-le"),
            "sources/plain.txt": "民族团结是生命线。\n",
        },
    )
    build_json(collection, tmp_path)
    public = _public_bytes(tmp_path)
    for secret in ("13900000001", "13900000004", "刘桂兰", "张秀兰"):
        assert secret.encode() not in public, secret
    assert "13900000201".encode("utf-16-le") not in public
    downloads = {p.name for p in (tmp_path / "s" / "files").rglob("*") if p.is_file()}
    assert "plain.txt" in downloads
    assert not downloads & {"s01.md", "s04.jsonl", "s05.txt"}


def test_a_team_duplicates_name_and_a_line_under_team_defaults_stay_out(tmp_path: Path) -> None:
    collection = _collection(
        tmp_path / "c",
        {
            "sources/s08a-public.txt": "民族团结一家亲。\n",
            "sources/s08z-户主马秀珍.txt": "民族团结一家亲。\n",
            "sources/s08z-户主马秀珍.txt.yaml": "access: team\n",
            "sources/lines.jsonl": '{"title":"甲","content":"ZZLINECANARY","access":"public"}\n',
            "sources/lines.jsonl.yaml": (
                "each_line: {title: '{title}', text: content, access: '{access}'}\n"
                "defaults: {access: team}\n"
            ),
        },
    )
    summary = build_json(collection, tmp_path)
    assert summary["privacy"]["levels"]["team"] == 1
    public = _public_bytes(tmp_path)
    assert "马秀珍".encode() not in public and b"ZZLINECANARY" not in public


def test_an_id_made_from_a_withheld_number_is_replaced(tmp_path: Path) -> None:
    collection = _collection(
        tmp_path / "c",
        {"sources/visit-13900001001.txt": "村里的新路修好了。\n"},
        **{"privacy.yaml": "- text: '13900001001'\n  decision: redact\n"},
    )
    build_json(collection, tmp_path)
    public = _public_bytes(tmp_path)
    assert b"13900001001" not in public
    assert list((tmp_path / "s" / "sources").glob("withheld-*"))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("sources/a.txt.yaml", "access: team\naccess: public\n", "given twice"),
        ("privacy.yaml", "- text: 王芳\n  decision: redact\n  decision: public\n", "given twice"),
        ("sources/a.txt.yaml", "access: '{team}'\n", "unknown access level"),
        ("sources/a.txt.yaml", "date: 2019-02-30\n", "cannot be read"),
        ("privacy.yaml", "- text: 王芳\n  decision: redact\n  date: 2026-13-45\n", "privacy.yaml"),
    ],
)
def test_ambiguous_or_impossible_yaml_is_an_error(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    collection = _collection(tmp_path / "c", {"sources/a.txt": "户主王芳说。\n", name: content})
    result = CliRunner().invoke(
        main,
        ["build", str(collection), "--archive", str(tmp_path / "a"), "--out", str(tmp_path / "s")],
    )
    assert result.exit_code == 1 and message in result.output
    assert "Traceback" not in result.output


def test_the_bibliography_and_essays_follow_the_decisions(tmp_path: Path) -> None:
    bibliography = [
        {
            "id": "interview",
            "type": "interview",
            "title": "访谈",
            "note": "interview with 户主张秀兰 13900000701",
            "issued": {"date-parts": [[2019]]},
        }
    ]
    collection = _collection(
        tmp_path / "c",
        {
            "sources/a.txt": "民族团结。\n",
            "bibliography.json": json.dumps(bibliography, ensure_ascii=False),
            "essays/e.md": "---\ntitle: 一篇\n---\n\n结对亲戚冯玉兰说话 (interview)。\n",
        },
        **{
            "privacy.yaml": "- text: 张秀兰\n  decision: redact\n- text: '13900000701'\n  decision: redact\n"
        },
    )
    summary = build_json(collection, tmp_path)
    public = _public_bytes(tmp_path)
    assert b"13900000701" not in public and "张秀兰".encode() not in public
    assert b"139-0000-0701" not in public and "秀兰".encode() not in public
    assert any(
        w.startswith("essays/e.md: personal data no editor has decided (name)")
        for w in summary["warnings"]
    )
    assert not any("matches nothing" in w for w in summary["warnings"])


def test_rules_that_match_nothing_are_reported(tmp_path: Path) -> None:
    collection = _collection(
        tmp_path / "c",
        {
            "sources/team/a.txt": "民族团结。\n",
            "sources/b.txt.yaml": "title: 孤儿\n",
            "shiliao.toml": '[privacy.folders]\n"sources/Team" = "team"\n[privacy.collections]\n"secret" = "team"\n',
        },
    )
    warnings = build_json(collection, tmp_path)["warnings"]
    assert any("[privacy.folders] 'sources/Team': no source" in w for w in warnings)
    assert any("[privacy.collections] 'secret': no source" in w for w in warnings)
    assert any("sources/b.txt.yaml: a sidecar without its file" in w for w in warnings)
    assert not (tmp_path / "s" / "sources" / "b").exists()


def test_writings_that_hid_data_from_the_detectors() -> None:
    def found(text: str) -> list[str]:
        return [d.text for d in detect(text) if d.role == "private"]

    assert found("户主：吴秀云说") == ["吴秀云"]
    assert found("户主 张秀兰说") == ["张秀兰"]
    assert found("结对亲戚（郑桂香）") == ["郑桂香"]
    assert found("户主周\u200b淑英说") == ["周\u200b淑英"]
    assert found("电话139\u200b1234\u200b5678") == ["139\u200b1234\u200b5678"]
    assert found("结对亲戚阿迪力·吾守尔家") == ["阿迪力·吾守尔"]
    assert found("亲戚帕提古丽·阿不都拉来了") == ["帕提古丽·阿不都拉"]
    assert found("车牌新 A 12345") == ["新 A 12345"]
    # A long run of digits is read in one pass (a quadratic pattern took minutes on 100,000).
    assert found("1" * 1_000_000) == []


def test_a_creator_given_as_a_name_is_an_author_only() -> None:
    source = Source(
        "a", "t", None, "report", "zh", {"creators": ["李华"]}, "x", None, "x", "p", "extracted"
    )
    item = source_item(source)
    assert item["author"] == [{"literal": "李华"}]
    assert "editor" not in item and "translator" not in item


def test_a_second_review_of_the_side_paths(tmp_path: Path) -> None:
    """Bare numbers and keys in sidecars, a line changing its collection, English fields, a
    sidecar suffix in capitals, UTF-16 text without a mark, a JSON-lines id made from a
    withheld url."""
    collection = _collection(
        tmp_path / "c",
        {
            "sources/s1.txt": "村里的新路修好了。\n",
            "sources/s1.txt.yaml": "extra: {tel: 13991024476, 户主吐尔洪·艾买提江: 走访对象}\ntags: [650102198503172417]\n",
            "sources/s2.txt": "结对亲戚陈丽华今年56岁。\n",
            "sources/s2.txt.yaml": "title_en: Chen Lihua household\n",
            "sources/upper.txt": "ZZUPPERCANARY\n",
            "sources/upper.txt.YAML": "access: team\n",
            "sources/t4.txt": "2019年会议纪要。亲戚吐尔洪·艾买提江的电话13991024476。".encode(
                "utf-16-le"
            ),
            "sources/lines.jsonl": (
                '{"t": "甲", "c": "ZZLINECANARY", "coll": "open-notices"}\n'
                '{"t": "乙", "c": "民族团结。", "u": "https://example.cn/hh?tel=13991024477"}\n'
            ),
            "sources/lines.jsonl.yaml": (
                "each_line: {title: '{t}', text: c, collection: '{coll}', url: '{u}'}\n"
                "defaults: {collection: pairing-visits}\n"
            ),
            "shiliao.toml": '[privacy.collections]\n"pairing-visits" = "team"\n',
        },
        **{"privacy.yaml": "- text: '13991024477'\n  decision: redact\n"},
    )
    build_json(collection, tmp_path)
    public = _public_bytes(tmp_path)
    for secret in (
        "13991024476",
        "650102198503172417",
        "吐尔洪",
        "Chen Lihua",
        "ZZUPPERCANARY",
        "ZZLINECANARY",
        "13991024477",
    ):
        assert secret.encode() not in public, secret
    for name in ("t4.txt", "upper.txt"):
        assert not list((tmp_path / "s" / "files").rglob(name))


def test_spaced_out_text_is_read_in_one_pass(tmp_path: Path) -> None:
    """Text whose characters a PDF spaced out, and a decision applied to it: linear in the
    text (a pattern per decision over such text took minutes on a megabyte)."""
    from shiliao.privacy.redact import Withholding, redact_text

    text = " ".join("民族团结户主王芳电话13912345678") * 20_000
    withholding = Withholding([("王芳", "name"), ("13912345678", "phone"), ("民族团结", "other")])
    redacted, counts = redact_text(text, withholding.spans(text))
    assert counts["name"] == 20_000 and "王 芳" not in redacted
    assert [d.text for d in detect(text[:200]) if d.kind == "name"][:1] == ["王 芳"]
