"""`shiliao build`: every source's date claims no more than its evidence, and says where it was
read (issue 11, item 1)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from shiliao.cli import main
from tests.conftest import build_json

BODY = "<p>自2016年底以来，示例县共组织干部职工开展结对认亲活动，走访群众一千余户，收集意见三十余条。</p>"
BODY += (
    "<p>截至2019年3月，全县结对认亲活动已覆盖所有行政村，各级各部门压实工作责任，确保落到实处。</p>"
)


def _page(title: str, info: str = "") -> str:
    return (
        f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f"<h1>{title}</h1><div>{info}</div>{BODY}</body></html>"
    )


def _collection(root: Path) -> Path:
    sources = root / "sources"
    sources.mkdir(parents=True)
    (sources / "notice.txt").write_text(
        "关于开展结对认亲活动的通知\n各单位：\n现将有关事项通知如下，请遵照执行。\n县人民政府\n二〇一七年三月二十四日\n",
        encoding="gb18030",
    )
    (sources / "summary.txt").write_text(
        "结对认亲活动综述\n自2016年底以来，截至2019年3月，全县完成结对。\n", encoding="utf-8"
    )
    (sources / "page.html").write_text(_page("结对认亲活动综述"), encoding="utf-8")
    (sources / "page.html.yaml").write_text(
        "url: http://www.example.gov.cn/xxgk/201803/t20180305_1234.html\n", encoding="utf-8"
    )
    (sources / "report.html").write_text(
        _page("结对认亲工作报告", "发布日期：2016-11-22"), encoding="utf-8"
    )
    (sources / "report.html.yaml").write_text("date: 2016\n", encoding="utf-8")
    records = [
        {
            "title": "决议一",
            "year": None,
            "content": "决议一\n（2023年3月13日第十四届全国人民代表大会第一次会议通过）\n会议批准这个报告。",
        },
        {
            "title": "报告二",
            "year": 2019,
            "content": "报告二\n（2019年3月5日）\n同志们：现在我代表国务院作报告。",
        },
        {"title": "决议三", "year": None, "content": "决议三\n会议同意报告提出的2018年工作部署。"},
    ]
    (sources / "reports.jsonl").write_text(
        "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records),
        encoding="utf-8",
    )
    (sources / "reports.jsonl.yaml").write_text(
        'each_line:\n  title: "{title}"\n  date: "{year}"\n  text: content\n', encoding="utf-8"
    )
    return root


def _show(archive: Path, source_id: str, *json_flag: str) -> str:
    result = CliRunner().invoke(main, ["show", str(archive), source_id, *json_flag])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_each_date_at_its_precision_with_where_it_was_read(tmp_path: Path) -> None:
    summary = build_json(_collection(tmp_path / "c"), tmp_path)
    assert summary["failed"] == []
    archive = tmp_path / "a"
    with sqlite3.connect(archive / "shiliao.db") as db:
        rows = db.execute("SELECT id, title, date, date_source, metadata FROM sources").fetchall()
    assert {title: (date, source) for _, title, date, source, _ in rows} == {
        "notice.txt": ("2017-03-24", "signature line"),
        "summary.txt": (None, None),
        # htmldate dated this page 2016-01-01 from 自2016年底; its address says 2018-03-05.
        "结对认亲活动综述": ("2018-03-05", "url path"),
        "结对认亲工作报告": ("2016", "sidecar"),
        "决议一": ("2023-03-13", "dateline"),
        "报告二": ("2019", "sidecar"),
        "决议三": (None, None),
    }
    ids = {title: source_id for source_id, title, *_ in rows}
    metadata = {title: json.loads(text) for _, title, _, _, text in rows}
    # What the file says beside the sidecar's year, for an editor to weigh.
    assert {k: v for k, v in metadata["结对认亲工作报告"].items() if "date" in k} == {
        "extracted_date": "2016-11-22",
        "extracted_date_source": "label:发布日期",
    }
    assert {k: v for k, v in metadata["报告二"].items() if "date" in k} == {
        "extracted_date": "2019-03-05",
        "extracted_date_source": "dateline",
    }

    shown = json.loads(_show(archive, ids["结对认亲工作报告"], "--json"))
    assert (shown["date"], shown["date_source"]) == ("2016", "sidecar")
    lines = _show(archive, ids["结对认亲活动综述"]).splitlines()
    assert "date           2018-03-05 (url path)" in lines
    assert "date           undated" in _show(archive, ids["summary.txt"]).splitlines()

    page = (tmp_path / "s" / "sources" / ids["决议一"] / "index.html").read_text(encoding="utf-8")
    # Where a date was read is for curators (`show`, the team site), not a reader's page.
    assert '<dt><span data-ui="Date">Date</span></dt><dd>2023-03-13</dd>' in page
    assert "dateline" not in page
    shown = json.loads(_show(archive, ids["决议一"], "--json"))
    assert (shown["date"], shown["date_source"]) == ("2023-03-13", "dateline")
    cited = CliRunner().invoke(
        main, ["cite", str(archive), ids["结对认亲工作报告"], "--format", "csl-json"]
    )
    assert cited.exit_code == 0, cited.output
    assert json.loads(cited.stdout)[0]["issued"] == {"date-parts": [[2016]]}


def test_an_address_dates_a_month_and_day_only_when_they_agree(tmp_path: Path) -> None:
    sources = tmp_path / "c" / "sources"
    sources.mkdir(parents=True)
    for name, url in [
        ("disagree.html", "http://www.example.gov.cn/201905/t20190501_123.html"),
        ("agree.html", "http://www.example.gov.cn/201904/a.html"),
    ]:
        (sources / name).write_text(_page(name, "发布时间：4月10日 18:10"), encoding="utf-8")
        (sources / f"{name}.yaml").write_text(f"title: {name}\nurl: {url}\n", encoding="utf-8")
    records = [
        {
            "title": "五",
            "content": "发布时间：4月10日 18:10\n正文五。",
            "u": "/201905/t20190501_1.html",
        },
        {"title": "六", "content": "发布时间：4月10日 18:10\n正文六。", "u": "/201904/a.html"},
    ]
    (sources / "r.jsonl").write_text(
        "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records),
        encoding="utf-8",
    )
    (sources / "r.jsonl.yaml").write_text(
        'each_line:\n  title: "{title}"\n  url: "http://x.gov.cn{u}"\n  text: content\n',
        encoding="utf-8",
    )
    build_json(tmp_path / "c", tmp_path)
    with sqlite3.connect(tmp_path / "a" / "shiliao.db") as db:
        rows = db.execute("SELECT title, date, date_source FROM sources").fetchall()
    year_from_url = "label:发布时间, year from context: url path 2019-04"
    assert {title: (date, source) for title, date, source in rows} == {
        "disagree.html": (None, None),
        "agree.html": ("2019-04-10", year_from_url),
        "五": (None, None),
        "六": ("2019-04-10", year_from_url),
    }
