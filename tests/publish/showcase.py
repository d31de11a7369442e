"""A small collection that uses every reader-facing feature of the site at once.

Sources in two collections with creators, subjects, places, reliability codes, EDTF dates of
every precision (a day, a month, a decade, an uncertain year, none), a photograph carrying EXIF,
a PDF, a human English translation, annotations, and an essay that introduces a collection with
figures, id links, a citation of an archived source and a quoted phrase from it. A ``team``
source, a ``team`` annotation and a broken link carry canary strings or warnings that the tests
look for. Used by the browser tests of every page type (widths, accessibility) and by the
evidence tests of essays.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from tests.extract.craft import jpeg_with_exif

# Strings that must never reach a public output.
TEAM_CANARY = "内部通报甲乙丙丁CANARY"
TEAM_NOTE_CANARY = "team-only annotation CANARY-7f3a"

NOTICE = [
    "自治区党委部署开展民族团结一家亲活动，要求各级干部与各族群众结对认亲。",
    "活动期间，干部每两个月到结对户家中走访一次，开展同吃同住同学习同劳动。",
    "各单位要建立工作台账，记录走访情况，按季度报送活动开展情况。",
]
NOTICE_EN = [
    "The regional Party committee launched the 'Ethnic Unity, One Family' activity, requiring "
    "cadres at every level to pair up with families of every ethnic group as relatives.",
    "During the activity, cadres visit the paired household every two months, eating, living, "
    "studying and working together with them.",
    "Every unit keeps a work ledger recording the visits and reports each quarter.",
]
BLOG = [
    "今天是结亲周的第一天，我们工作队来到村里开展联谊活动。",
    "大家一起升国旗、学习国家通用语言，气氛热烈。",
]


def _pdf() -> bytes:
    """A one-page PDF with a drawn box and a line of text (reportlab)."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.rect(72, 500, 300, 200, fill=1)
    pdf.drawString(72, 720, "Four Togethers Three Gifts handbook, page 1")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def write_showcase(root: Path) -> Path:
    """Write the collection into ``root`` (created) and return it."""
    sources = root / "sources"
    sources.mkdir(parents=True)
    (sources / "notice.txt").write_text("\n\n".join(NOTICE) + "\n", encoding="utf-8")
    (sources / "notice.txt.yaml").write_text(
        "title: 关于深入开展民族团结一家亲活动的通知\n"
        "title_en: Notice on the 'Ethnic Unity, One Family' activity\n"
        "date: 2017-03\n"
        "type: report\n"
        "creators:\n  - name: 自治区党委办公厅\n    name_en: General Office of the Regional Party Committee\n"
        "publisher: 新疆日报\n"
        "subjects: [结亲, 民族团结]\n"
        "tags: [mobilization]\n"
        "place: 乌鲁木齐\n"
        "collections: [jieqin-documents, cadre-blogs]\n"
        "url: https://example.org/xinwen/2017/关于深入开展民族团结一家亲活动的通知_and_a_very_long_unbroken_address_tail_0123456789abcdef0123456789abcdef.html\n"
        "reliability: {source: B, information: 2, note: Official notice; figures not verified}\n",
        encoding="utf-8",
    )
    (sources / "notice.txt.en.translation.md").write_text(
        "---\ntitle: Notice on the 'Ethnic Unity, One Family' activity\ntranslator: Project team\n"
        "---\n\n" + "\n\n".join(NOTICE_EN) + "\n",
        encoding="utf-8",
    )
    (sources / "blog.txt").write_text("\n\n".join(BLOG) + "\n", encoding="utf-8")
    (sources / "blog.txt.yaml").write_text(
        "title: 结亲周 亲人更亲 感情更浓\ndate: 201X\ntype: post-weblog\n"
        "creators: [访惠聚工作队]\ncollection: cadre-blogs\nreliability: C3\n",
        encoding="utf-8",
    )
    (sources / "photo.jpg").write_bytes(jpeg_with_exif("2018:05:17 10:30:00", 39.47, 75.99))
    (sources / "photo.jpg.yaml").write_text(
        "title: 升旗仪式\ndate: 2018?\ntype: graphic\ncollection: cadre-blogs\n", encoding="utf-8"
    )
    (sources / "handbook.pdf").write_bytes(_pdf())
    (sources / "handbook.pdf.yaml").write_text(
        "title: 四同三送手册\ntype: book\ncollection: jieqin-documents\n", encoding="utf-8"
    )
    (sources / "internal.txt").write_text(TEAM_CANARY + "\n", encoding="utf-8")
    (sources / "internal.txt.yaml").write_text(
        "title: 内部材料\naccess: team\ncollection: cadre-blogs\n", encoding="utf-8"
    )
    # An editor read the handbook: its original may be offered, and a figure made from it.
    (root / "privacy.yaml").write_text(
        "- source: handbook\n  decision: checked\n  by: editor\n", encoding="utf-8"
    )
    (root / "annotations.yaml").write_text(
        "- source: notice\n  paragraph: 1\n  quote: 结对认亲\n"
        "  note: The notice's own word for the pairing.\n  tags: [pairing]\n  terms: [结亲]\n"
        "  sources: [blog]\n"
        f"- source: notice\n  paragraph: 2\n  note: {TEAM_NOTE_CANARY}\n  access: team\n",
        encoding="utf-8",
    )
    (root / "glossary.yaml").write_text(
        "- term: 结亲\n  pinyin: jiéqīn\n  english: [pair up and become family]\n"
        "- term: 民族团结一家亲\n  pinyin: mínzú tuánjié yījiāqīn\n"
        "  english: [ethnic unity, one family]\n",
        encoding="utf-8",
    )
    (root / "bibliography.json").write_text(
        json.dumps(
            [
                {
                    "id": "xjrb-2017",
                    "type": "report",
                    "title": "关于深入开展民族团结一家亲活动的通知",
                    "author": [{"literal": "自治区党委办公厅"}],
                    "issued": {"date-parts": [[2017, 3]]},
                    "archived": "notice",
                }
            ],
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    essays = root / "essays"
    essays.mkdir()
    (essays / "cadre-blogs.md").write_text(
        "---\ntitle: Cadre blogs\nintroduces: cadre-blogs\ncollection: cadre-blogs\n---\n\n"
        "The campaign asked cadres to pair up as “结对认亲” (自治区党委办公厅, 2017). "
        "Read [the notice](source:notice), its [second paragraph](passage:notice#2), the term "
        "[结亲](term:结亲), the [documents](collection:jieqin-documents) and "
        "[this section](section:cadre-blogs).\n\n"
        "![A flag-raising ceremony in a village](source:photo)\n"
        "Figure 1: A flag-raising ceremony (升旗仪式).\n\n"
        "![The handbook's first page](source:handbook#page=1&region=0,0,1,0.5)\n"
        "Figure 2: The handbook (四同三送手册).\n\n"
        "A [broken link](source:no-such-source).\n",
        encoding="utf-8",
    )
    return root
