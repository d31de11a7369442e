"""Nothing private goes public: canaries planted in team, embargoed, metadata-only, redacted
and unreviewed sources, then every byte of the public site and of every default export
scanned (HTML, JSON, JS, search shards, downloads, PDF text layers, image metadata)."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from PIL import Image

from shiliao.cli import main
from tests.conftest import build_json
from tests.privacy.collection import Canaries, write_collection


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("private")
    canaries = write_collection(base / "c")
    summary = build_json(base / "c", base)
    return {
        "base": base,
        "archive": base / "a",
        "site": base / "s",
        "canaries": canaries,
        "summary": summary,
    }


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _readable(path: Path) -> list[bytes]:
    """A file's bytes, and what a reader can take out of it: a PDF's text layer and
    metadata, an image's EXIF, XMP and comments, a ZIP's members."""
    data = path.read_bytes()
    found = [data]
    if data.startswith(b"%PDF"):
        document = pdfium.PdfDocument(data)
        for page in document:
            found.append(page.get_textpage().get_text_range().encode("utf-8"))
        found.append(json.dumps(document.get_metadata_dict(), ensure_ascii=False).encode())
    elif path.suffix.lower() in {".jpg", ".jpeg", ".png"}:
        image = Image.open(io.BytesIO(data))
        found.append(repr(dict(image.getexif())).encode("utf-8"))
        found.append(repr(image.info).encode("utf-8", "replace"))
    elif zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as bundle:
            found += [bundle.read(name) for name in bundle.namelist()]
    return found


def _leaks(folder: Path, canaries: Canaries) -> list[str]:
    leaks = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        names = str(path.relative_to(folder)).encode("utf-8")
        for data in [names, *_readable(path)]:
            for label, canary in canaries.restricted.items():
                if canary.encode("utf-8") in data:
                    leaks.append(f"{label} in {path.relative_to(folder)}")
    return sorted(set(leaks))


def test_the_canaries_are_in_the_archive(built: dict) -> None:
    """The test can fail: the team sees every canary (search and the full export)."""
    archive = str(built["archive"])
    canaries = built["canaries"].restricted
    for label in ("team", "thesis", "embargoed", "unreviewed", "line"):
        hits = json.loads(_run("search", archive, canaries[label], "--json"))
        assert hits["total"] == 1, label
    full = built["base"] / "full.json"
    _run("export", archive, str(full), "--format", "csl-json", "--full")
    assert canaries["relative"] in full.read_text(encoding="utf-8")


def test_no_public_byte_holds_a_canary(built: dict) -> None:
    site, canaries = built["site"], built["canaries"]
    assert _leaks(site, canaries) == []
    pages = "".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))
    for text in canaries.public:
        assert text in pages, text


def test_no_default_export_holds_a_canary(built: dict) -> None:
    archive, base, canaries = str(built["archive"]), built["base"], built["canaries"]
    exports = base / "exports"
    exports.mkdir()
    for fmt, name in (
        ("csl-json", "records.json"),
        ("bibtex", "records.bib"),
        ("ris", "records.ris"),
    ):
        _run("export", archive, str(exports / name), "--format", fmt)
    _run("export", archive, str(exports / "bag"), "--format", "bagit")
    assert _leaks(exports, canaries) == []
    info = (exports / "bag" / "bag-info.txt").read_text(encoding="utf-8")
    assert "Access: Public" in info
    records = json.loads((exports / "records.json").read_text(encoding="utf-8"))
    assert "team-note" not in {r["id"] for r in records}
    full = base / "full-bag"
    _run("export", archive, str(full), "--format", "bagit", "--full")
    assert "FULL EVIDENTIARY EXPORT" in (full / "bag-info.txt").read_text(encoding="utf-8")


def test_public_search_and_terms_find_no_canary(built: dict) -> None:
    archive, canaries = str(built["archive"]), built["canaries"].restricted
    for label, canary in canaries.items():
        hits = json.loads(_run("search", archive, canary, "--public", "--json", "--limit", "0"))
        assert hits["total"] == 0, label
    assert json.loads(_run("search", archive, "民族团结", "--public", "--json"))["total"] >= 1
    shown = _run("terms", "kwic", archive, "暗号", "--public")
    assert canaries["visit"] not in shown


def test_pages_say_what_was_withheld_and_why_never_which(built: dict) -> None:
    site = built["site"]
    visit = (site / "sources" / "visit" / "index.html").read_text(encoding="utf-8")
    assert "看望亲戚［姓名］" in visit  # the title too
    assert "withheld to protect private individuals" in visit
    assert "Public copy" in visit and "kept in the archive, unchanged; not published" in visit
    thesis = (site / "sources" / "thesis" / "index.html").read_text(encoding="utf-8")
    assert "Catalogue record only" in thesis and "access metadata, set by its sidecar" in thesis
    unreviewed = (site / "sources" / "unreviewed" / "index.html").read_text(encoding="utf-8")
    assert "until an editor has reviewed" in unreviewed
    assert not (site / "sources" / "team-note").exists()
    assert not (site / "sources" / "embargoed").exists()
    summary = built["summary"]["privacy"]
    assert summary["levels"] == {"metadata": 2, "public": 2, "redacted": 3, "team": 3}
    assert summary["withheld_unreviewed"] == 1


def test_only_offered_originals_have_proofs(built: dict) -> None:
    site = built["site"]
    proofs = sorted(p.parent.name for p in site.rglob("proof.json"))
    assert proofs == ["public"]
    downloads = {p.name for p in (site / "files").rglob("*") if p.is_file()}
    # The JSON-lines file holds a team line: its public line gets a text copy, not the file.
    assert "lines.jsonl" not in downloads and "public.txt" in downloads


def test_the_photo_is_offered_without_its_metadata(built: dict) -> None:
    site, canaries = built["site"], built["canaries"].restricted
    # A public copy is named by its digest (two sources may share one), not by its source.
    with sqlite3.connect(built["archive"] / "public" / "shiliao.db") as public:
        (digest,) = public.execute("SELECT file_sha256 FROM sources WHERE id = 'photo'").fetchone()
    (copy,) = [p for p in (site / "files").rglob(f"{digest}.*")]
    assert not list((site / "files").rglob("photo.*"))
    image = Image.open(copy)
    assert dict(image.getexif()) == {}
    assert not any(key in image.info for key in ("exif", "xmp", "icc_profile", "comment"))
    data = copy.read_bytes()
    for needle in (b"Exif", b"GPS", canaries["camera"].encode(), b"PhoneModelX9", b"43.8", b"87.6"):
        assert needle not in data
    # The region decided is painted over, the rest of the picture is left as it was.
    pixels = image.convert("RGB")
    assert max(pixels.getpixel((10, 10))) < 16 and max(pixels.getpixel((40, 25))) < 16
    assert all(
        abs(a - b) < 16 for a, b in zip(pixels.getpixel((80, 50)), (180, 200, 220), strict=True)
    )
    page = (site / "sources" / "photo" / "index.html").read_text(encoding="utf-8")
    assert "1 region of the picture withheld" in page


def _boxes(pdf: bytes, text: str) -> list[tuple[float, float, float, float]]:
    """Where ``text`` is on the first page: ``(left, top, right, bottom)`` in points from the
    top left, one box per character."""
    page = pdfium.PdfDocument(pdf)[0]
    textpage = page.get_textpage()
    searcher = textpage.search(text)
    index, count = searcher.get_next()
    height = page.get_height()
    boxes = []
    for i in range(index, index + count):
        left, bottom, right, top = textpage.get_charbox(i)
        boxes.append((left, height - top, right, height - bottom))
    return boxes


def _darkness(image: Image.Image, box: tuple[float, float, float, float], scale: float) -> float:
    left, top, right, bottom = (round(v * scale) for v in box)
    crop = image.crop((left, top, max(right, left + 1), max(bottom, top + 1)))
    values = list(crop.get_flattened_data())
    return sum(values) / len(values)


def test_the_redacted_pdf_is_pictures_with_the_places_painted(built: dict) -> None:
    site, canaries = built["site"], built["canaries"].restricted
    original = (built["base"] / "c" / "sources" / "report.pdf").read_bytes()
    with sqlite3.connect(built["archive"] / "public" / "shiliao.db") as public:
        (digest,) = public.execute("SELECT file_sha256 FROM sources WHERE id = 'report'").fetchone()
    (copy,) = [p for p in (site / "files").rglob(f"{digest}.pdf")]
    document = pdfium.PdfDocument(copy.read_bytes())
    assert len(document) == 1
    assert document[0].get_textpage().get_text_range().strip() == ""
    assert not any(document.get_metadata_dict().get(k) for k in ("Author", "Title", "Creator"))
    scale = 2
    page = document[0].render(scale=scale).to_pil().convert("L")
    for withheld in (canaries["pdf"], canaries["pdf_phone"]):
        for box in _boxes(original, withheld):
            assert _darkness(page, box, scale) < 10, withheld
    # What was not withheld is not painted over.
    assert all(_darkness(page, box, scale) > 120 for box in _boxes(original, "Contact"))


def test_the_log_holds_decisions_without_their_text(built: dict) -> None:
    log = (built["archive"] / "log" / "entries.jsonl").read_text(encoding="utf-8")
    decided = [json.loads(line) for line in log.splitlines() if '"privacy_decided"' in line]
    assert len(decided) == 8
    for label in ("relative", "phone", "visit", "pdf"):
        assert built["canaries"].restricted[label] not in log
    assert sum("text_hmac_sha256" in entry["data"] for entry in decided) == 6
    assert [entry["data"]["region"] for entry in decided if "region" in entry["data"]] == [
        ["0.0", "0.0", "0.5", "0.5"]
    ]


def test_the_team_site_is_marked_internal_and_kept_apart(built: dict) -> None:
    base = built["base"]
    result = CliRunner().invoke(
        main,
        [
            "build",
            str(base / "c"),
            "--archive",
            str(base / "a"),
            "--out",
            str(base / "s"),
            "--audience",
            "team",
        ],
    )
    assert result.exit_code == 1 and "holds the public site" in result.output
    team = build_json(base / "c", base, "--audience", "team", "--out", str(base / "team"))
    assert team["site"]["audience"] == "team" and team["privacy"] is None
    pages = list((base / "team").rglob("*.html"))
    assert pages and all(
        "Internal: for the team only" in p.read_text(encoding="utf-8") for p in pages
    )
    assert (base / "team" / "sources" / "team-note" / "index.html").is_file()


def test_a_decision_that_matches_nothing_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "c"
    (root / "sources").mkdir(parents=True)
    (root / "sources" / "a.txt").write_text(
        "户主王芳说，王芳的电话13912345678。\n", encoding="utf-8"
    )
    (root / "privacy.yaml").write_text(
        "- text: 王芳\n  decision: redact\n- text: 李四\n  decision: redact\n"
        "- text: '13912345678'\n  decision: redact\n- finding: f-000000000000\n  decision: public\n",
        encoding="utf-8",
    )
    summary = build_json(root, tmp_path)
    warnings = [w for w in summary["warnings"] if "privacy.yaml" in w]
    assert warnings == [
        "privacy.yaml:3: the redact decision matches nothing: the text may have changed; check "
        "it with `shiliao privacy scan`",
        "privacy.yaml:7: the public decision matches nothing: the text may have changed; check "
        "it with `shiliao privacy scan`",
    ]
    # The build's output never prints the withheld text itself.
    assert "李四" not in json.dumps(summary, ensure_ascii=False)
    page = (tmp_path / "s" / "sources" / "a" / "index.html").read_text(encoding="utf-8")
    assert "户主［姓名］说，［姓名］的电话［电话］" in page
