"""A small collection with a reliability code, annotations and translations, for the tests of
what a source page shows beside its text (tests/test_annotations.py, test_translations.py,
test_reliability.py).

Sources (``.txt``, Chinese paragraphs separated by blank lines):

- ``notice.txt``: public, ``reliability`` B2 with a note, an English translation beside it
  (``notice.txt.en.translation.md``, the second paragraph numbered ``[2]``);
- ``visit.txt``: public, checked by an editor; the relative's name in its second paragraph is
  decided ``redact``; an annotation quotes the name; its English translation names her too;
- ``team.txt`` (``access: team``): an annotation and a translation, both with canaries;
- ``lines.jsonl``: two lines, one translated in ``translations/<id>.en.md``, with
  ``reliability: C3`` for every line;
- ``gone.txt.en.translation.md``: a translation without its file.

``annotations.yaml`` also holds a ``team`` note on a public source (a canary), a note on a
source that does not exist and one on a paragraph beyond the text (build warnings).
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from shiliao.cli import main
from shiliao.collection.reader import source_id_for

RELATIVE = "阿依古丽·买买提"
CANARIES = {
    "team_note": "ZZCANARYTEAMNOTE7Q2",
    "team_source_note": "ZZCANARYTEAMSOURCENOTE4K8",
    "team_translation": "ZZCANARYTEAMTRANSLATION9X1",
    "team_text": "ZZCANARYTEAMTEXT3M5",
    "romanized": "Ayguli Mamat",
}
PUBLIC_NOTE = "First mention of the pairing campaign in an official notice"
TRANSLATED = "Cadres at every level went down to the villages to pair up with families"
SEARCHED = "zebrafinch"
LINE_A = source_id_for("lines.jsonl", "a")


def write_collection(root: Path) -> None:
    """Write the collection into ``root`` (created)."""
    sources = root / "sources"
    sources.mkdir(parents=True)
    (sources / "notice.txt").write_text(
        "关于开展结对认亲活动的通知\n\n"
        "各级干部深入基层开展结对认亲活动，与各族群众交朋友。\n\n"
        "活动期间，干部每两个月到结对亲戚家走访一次。\n\n"
        "各单位要高度重视，认真组织实施。\n",
        encoding="utf-8",
    )
    (sources / "notice.txt.yaml").write_text(
        "title: 关于开展结对认亲活动的通知\n"
        "date: 2017-01-05\n"
        "reliability: {source: B, information: 2, note: 'Official notice; figures unverified'}\n",
        encoding="utf-8",
    )
    (sources / "notice.txt.en.translation.md").write_text(
        "---\ntitle: Notice on the pairing campaign\ntranslator: A. Reader\n"
        'note: "<script>alert(1)</script> is text"\n---\n\n'
        "Notice on carrying out the campaign of pairing up as relatives\n\n"
        f"{TRANSLATED}, making friends with people of every ethnic group.\n\n"
        f"[3] During the campaign a cadre visits the paired family every two months "
        f"({SEARCHED}).\n",
        encoding="utf-8",
    )
    (sources / "visit.txt").write_text(
        f"走访记录\n\n今天我来到结对亲戚{RELATIVE}家中，一起包饺子。\n\n村里的新路已经修好了。\n",
        encoding="utf-8",
    )
    (sources / "visit.txt.yaml").write_text("title: 走访记录\ndate: 2018\n", encoding="utf-8")
    (sources / "visit.txt.en.translation.md").write_text(
        "Record of a visit\n\n"
        f"Today I came to the home of my paired relative {CANARIES['romanized']}.\n\n"
        "The new road of the village is finished.\n",
        encoding="utf-8",
    )
    (sources / "team.txt").write_text(
        f"内部材料\n\n内部讨论的记录{CANARIES['team_text']}。\n", encoding="utf-8"
    )
    (sources / "team.txt.yaml").write_text("access: team\ndate: 2019\n", encoding="utf-8")
    (sources / "team.txt.en.translation.md").write_text(
        f"Internal material\n\nRecord of an internal discussion {CANARIES['team_translation']}.\n",
        encoding="utf-8",
    )
    # A translation whose source file is gone: a warning, and never a source.
    (sources / "gone.txt.en.translation.md").write_text("Lost\n", encoding="utf-8")
    lines = [
        {"id": "a", "title": "第一条", "date": "2016", "content": "第一条消息的正文。"},
        {"id": "b", "title": "第二条", "date": "2016", "content": "第二条消息的正文。"},
    ]
    (sources / "lines.jsonl").write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8"
    )
    (sources / "lines.jsonl.yaml").write_text(
        "each_line:\n  id: '{id}'\n  title: '{title}'\n  date: '{date}'\n  text: content\n"
        "defaults:\n  reliability: C3\n",
        encoding="utf-8",
    )
    (root / "translations").mkdir()
    (root / "translations" / f"{LINE_A}.en.md").write_text(
        "The text of the first message (kingfisher).\n\n[5] Beyond the text.\n", encoding="utf-8"
    )
    (root / "glossary.yaml").write_text(
        "- term: 结亲\n  pinyin: jiéqīn\n  english: [Jieqin]\n", encoding="utf-8"
    )
    (root / "privacy.yaml").write_text(
        f"- text: {RELATIVE}\n  kind: name\n  decision: redact\n  source: visit\n"
        "- source: visit\n  decision: checked\n",
        encoding="utf-8",
    )
    (root / "annotations.yaml").write_text(
        f"""- source: notice
  paragraph: 2
  quote: 结对认亲
  note: "{PUBLIC_NOTE}"
  tags: [pairing, mobilization, '<b>bold</b>']
  terms: [结亲]
  sources: [visit, team]
- source: notice
  paragraph: 3
  note: "{CANARIES["team_note"]} for the team only"
  access: team
- source: team
  paragraph: 2
  note: "{CANARIES["team_source_note"]}"
- source: visit
  paragraph: 2
  quote: {RELATIVE}
  note: The relative the cadre was paired with
- source: no-such-source
  paragraph: 1
  note: A note on nothing
- source: notice
  paragraph: 40
  note: Beyond the text
""",
        encoding="utf-8",
    )


def build(collection: Path, base: Path, *extra: str) -> dict:
    """``shiliao build COLLECTION --archive BASE/a --out BASE/s --json`` (or the ``--out``
    given in ``extra``); the build must succeed. Returns its summary."""
    out = [] if "--out" in extra else ["--out", str(base / "s")]
    result = CliRunner().invoke(
        main,
        ["build", str(collection), "--archive", str(base / "a"), *out, "--json", *extra],
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def build_both(base: Path) -> dict:
    """Write the collection into ``base/c`` and build its public site (``base/s``, archive
    ``base/a``) and its team site (``base/team``); the paths and the public build's summary."""
    write_collection(base / "c")
    summary = build(base / "c", base)
    build(base / "c", base, "--audience", "team", "--out", str(base / "team"))
    return {
        "base": base,
        "archive": base / "a",
        "site": base / "s",
        "team": base / "team",
        "summary": summary,
    }


def every_byte(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (its path as text too), by relative path."""
    return {
        str(path.relative_to(folder)): str(path.relative_to(folder)).encode() + path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
