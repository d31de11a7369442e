"""A collection with restricted material, for the privacy tests: every restricted source holds
canaries (unique random strings, a checksum-valid ID number, a phone number, a name) that no
public byte may hold.

Sources (all under ``sources/``):

- ``visit.html``: a cadre's post about a pairing visit, public; the relative's name, her phone
  and her address are decided ``redact`` in ``privacy.yaml``; the relative's name is in the
  title too; a village secretary is named with his office (a public role);
- ``team-note.txt`` (``access: team``);
- ``thesis.txt`` (``access: metadata``): its title is public, nothing else;
- ``embargoed.txt`` (an embargo that ends in 2099);
- ``unreviewed.txt``: public, but a private name and a phone nobody decided;
- ``report.pdf`` (``access: redacted``, ``checked`` by an editor): a phone number and a canary
  in its text layer;
- ``photo.jpg``: public, with EXIF GPS and camera fields, and a region (its top left quarter)
  decided to be painted over;
- ``lines.jsonl``: one public line and one ``team`` line;
- ``public.txt``: plain public text, nothing personal.
"""

from __future__ import annotations

import io
import random
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image
from reportlab.pdfgen import canvas

from shiliao.privacy.numbers import id_check_character


def _id_number(area: str, born: str, sequence: str) -> str:
    first17 = f"{area}{born}{sequence}"
    return first17 + id_check_character(first17)


@dataclass
class Canaries:
    """The strings no public output may hold, and what the public outputs must still hold."""

    restricted: dict[str, str] = field(default_factory=dict)
    public: list[str] = field(default_factory=list)


def _canary(label: str, seed: int | None) -> str:
    bits = random.Random(f"{seed}:{label}").getrandbits(128) if seed is not None else None
    value = uuid.UUID(int=bits) if bits is not None else uuid.uuid4()
    return f"ZZCANARY{label.upper()}{value.hex[:12].upper()}"


def _photo(make: str, model: str) -> bytes:
    image = Image.new("RGB", (96, 64), (180, 200, 220))
    exif = Image.Exif()
    exif[0x010F] = make
    exif[0x0110] = model
    exif.get_ifd(0x8769)[0x9003] = "2018:03:05 10:20:30"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (43.0, 49.0, 30.5)
    gps[3], gps[4] = "E", (87.0, 36.0, 12.25)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=make.encode())
    return out.getvalue()


def _pdf(lines: list[str]) -> bytes:
    out = io.BytesIO()
    # invariant: no creation date or random document id, so that equal text gives equal bytes.
    pdf = canvas.Canvas(out, invariant=1)
    for number, line in enumerate(lines):
        pdf.drawString(72, 760 - 20 * number, line)
    pdf.save()
    return out.getvalue()


def write_collection(
    root: Path, *, team: bool = True, visit_access: str | None = None, seed: int | None = None
) -> Canaries:
    """Write the collection into ``root`` (created).

    Args:
        root: the collection folder.
        team: include ``team-note.txt`` (the differential test builds without it).
        visit_access: an ``access`` for ``visit.html``'s sidecar, or None for none.
        seed: makes the canaries the same from one call to the next (random when None).

    Returns:
        The canaries.
    """
    canaries = Canaries()
    sources = root / "sources"
    sources.mkdir(parents=True)
    relative = "艾尼瓦尔·吐逊江"
    phone = "13912345678"
    canaries.restricted.update(
        relative=relative,
        relative_part="艾尼瓦尔",
        phone=phone,
        address="团结路27号",
        visit=_canary("visit", seed),
    )
    (sources / "visit.html").write_text(
        f"""<html><head><meta charset="utf-8"><title>看望亲戚{relative}</title></head>
<body><article><h1>看望亲戚{relative}</h1><p>发布时间：2018-03-05</p>
<p>今天我来到结对亲戚{relative}家中。她今年56岁，家住团结路27号，电话{phone}。</p>
<p>艾尼瓦尔说，日子越过越好。{canaries.restricted["visit"]}是她家的暗号。</p>
<p>村党支部书记王明陪同走访，介绍了民族团结的新变化，也讲到了结亲周的安排和村里的新路。</p>
</article></body></html>""",
        encoding="utf-8",
    )
    if visit_access:
        (sources / "visit.html.yaml").write_text(f"access: {visit_access}\n", encoding="utf-8")
    if team:
        team_id = _id_number("653101", "19880212", "004")
        canaries.restricted.update(
            team=_canary("team", seed), team_id=team_id, team_phone="15809912345"
        )
        (sources / "team-note.txt").write_text(
            f"内部笔记 {canaries.restricted['team']} 身份证{team_id} 电话15809912345\n",
            encoding="utf-8",
        )
        (sources / "team-note.txt.yaml").write_text("access: team\n", encoding="utf-8")
    canaries.restricted.update(
        thesis=_canary("thesis", seed), thesis_id=_id_number("650102", "19550312", "123")
    )
    (sources / "thesis.txt").write_text(
        f"论文正文 {canaries.restricted['thesis']} {canaries.restricted['thesis_id']}\n",
        encoding="utf-8",
    )
    (sources / "thesis.txt.yaml").write_text(
        "access: metadata\ntitle: 一篇关于结亲的学位论文\ndate: 2019\n", encoding="utf-8"
    )
    canaries.public.append("一篇关于结亲的学位论文")
    canaries.restricted["embargoed"] = _canary("embargo", seed)
    (sources / "embargoed.txt").write_text(
        f"尚在禁期 {canaries.restricted['embargoed']}\n", encoding="utf-8"
    )
    (sources / "embargoed.txt.yaml").write_text(
        "access: {embargo: 2099-01-01, then: public}\n", encoding="utf-8"
    )
    canaries.restricted.update(unreviewed=_canary("unrev", seed), unreviewed_phone="18690001234")
    (sources / "unreviewed.txt").write_text(
        f"户主吐逊江说话 {canaries.restricted['unreviewed']} 电话18690001234\n",
        encoding="utf-8",
    )
    (sources / "unreviewed.txt.yaml").write_text("title: 入户记录\n", encoding="utf-8")
    canaries.restricted.update(pdf=_canary("pdf", seed), pdf_phone="13698765432")
    (sources / "report.pdf").write_bytes(
        _pdf([f"Contact {canaries.restricted['pdf']} at 13698765432.", "Village notice."])
    )
    (sources / "report.pdf.yaml").write_text(
        "access: redacted\ntitle: 村委会通知\n", encoding="utf-8"
    )
    canaries.restricted.update(camera=_canary("cam", seed))
    (sources / "photo.jpg").write_bytes(_photo(canaries.restricted["camera"], "PhoneModelX9"))
    canaries.restricted["camera_model"] = "PhoneModelX9"
    canaries.restricted["line"] = _canary("line", seed)
    (sources / "lines.jsonl").write_text(
        '{"title": "公开的一行", "content": "公开内容：民族团结一家亲。", "access": "public"}\n'
        f'{{"title": "内部的一行", "content": "{canaries.restricted["line"]}", "access": "team"}}\n',
        encoding="utf-8",
    )
    (sources / "lines.jsonl.yaml").write_text(
        "each_line: {title: '{title}', text: content, access: '{access}'}\n", encoding="utf-8"
    )
    (sources / "public.txt").write_text("民族团结是各族人民的生命线。\n", encoding="utf-8")
    canaries.public += ["民族团结是各族人民的生命线", "村党支部书记王明", "公开内容"]
    (root / "privacy.yaml").write_text(
        f"- text: {relative}\n  kind: name\n  decision: redact\n"
        f"- text: '{phone}'\n  kind: phone\n  decision: redact\n"
        "- text: 团结路27号\n  kind: address\n  decision: redact\n"
        f"- text: {canaries.restricted['visit']}\n  decision: redact\n"
        f"- text: {canaries.restricted['pdf']}\n  decision: redact\n"
        "- text: '13698765432'\n  kind: phone\n  decision: redact\n"
        "- source: photo\n  region: [0.0, 0.0, 0.5, 0.5]\n  decision: redact\n"
        # An editor looked at the whole PDF (its pictures too): its pages may be offered.
        "- source: report\n  decision: checked\n",
        encoding="utf-8",
    )
    return canaries
