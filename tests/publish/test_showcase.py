"""Every claim one click from its evidence, on the showcase collection (``showcase.py``) built
whole: the section's figures, its citation of an archived source and its quoted phrase, the
collection page, the source page's reliability, annotation and translation, and nothing of the
team's in any public byte."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from PIL import Image

from tests.conftest import build_json
from tests.publish.showcase import NOTICE_EN, TEAM_CANARY, TEAM_NOTE_CANARY, write_showcase

_HREF = re.compile(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', re.S)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("showcase-built")
    summary = build_json(write_showcase(base / "collection"), base)
    return {"summary": summary, "site": base / "s"}


def _links(page: Path) -> list[tuple[str, str]]:
    return [
        (html.unescape(href), html.unescape(re.sub(r"<[^>]+>", "", text)))
        for href, text in _HREF.findall(page.read_text())
    ]


def _target(site: Path, page: Path, href: str) -> tuple[Path, str]:
    """The file and fragment a relative link of ``page`` opens."""
    base = "file://" + str(page)
    address = urlparse(urljoin(base, href))
    return Path(address.path), address.fragment


def test_the_build_warns_only_of_the_broken_link(built: dict) -> None:
    essay = [w for w in built["summary"]["warnings"] if w.startswith("essays/")]
    assert essay == [
        "essays/cadre-blogs.md:15: link to source:no-such-source: no published source has this id"
    ]


def test_the_citation_and_the_quote_open_the_evidence(built: dict) -> None:
    site = built["site"]
    page = site / "sections" / "cadre-blogs" / "index.html"
    links = dict((text, href) for href, text in _links(page))
    cited, fragment = _target(site, page, links["自治区党委办公厅, 2017"])
    assert cited == site / "sources" / "notice" / "index.html" and fragment == ""
    quoted, fragment = _target(site, page, links["结对认亲"])
    assert quoted == cited and fragment == "p1"
    # The passage it opens says it.
    notice = quoted.read_text()
    passage = re.search(r'<p class="passage[^"]*" id="p1".*?</p>', notice, re.S)
    assert passage and "结对认亲" in re.sub(r"<[^>]+>", "", passage.group())


def test_figures_are_web_images_without_metadata(built: dict) -> None:
    site = built["site"]
    page = (site / "sections" / "cadre-blogs" / "index.html").read_text()
    images = re.findall(r'<img [^>]*src="([^"]+)"[^>]*alt="([^"]*)"', page)
    assert {html.unescape(alt) for _, alt in images} == {
        "A flag-raising ceremony in a village",
        "The handbook's first page",
    }
    for src, _ in images:
        data = (site / "sections" / "cadre-blogs" / src).resolve().read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            assert not image.getexif() and "exif" not in image.info
            assert max(image.size) <= 1600
        assert b"Exif" not in data[:4096]


def test_the_source_page_shows_reliability_note_and_translation(built: dict) -> None:
    page = (built["site"] / "sources" / "notice" / "index.html").read_text()
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "B2" in text and "usually reliable" in text and "probably true" in text
    assert "The notice's own word for the pairing." in text
    assert "<mark" in page and "结对认亲" in page
    for paragraph in NOTICE_EN:
        assert paragraph in text
    # A reader's page, not a build log.
    assert "read from" not in text and "extractor" not in text


def test_the_collection_page_lists_its_sources_and_introduction(built: dict) -> None:
    site = built["site"]
    page = site / "collections" / "cadre-blogs" / "index.html"
    text = re.sub(r"<[^>]+>", "", page.read_text())
    assert "Cadre blogs" in text
    titles = {href.rsplit("/", 2)[-2] for href, _ in _links(page) if "/sources/" in href}
    assert {"notice", "blog", "photo"} <= titles and "internal" not in titles


def test_nothing_of_the_team_is_public(built: dict) -> None:
    for path in built["site"].rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for canary in (TEAM_CANARY, TEAM_NOTE_CANARY, "内部材料"):
                assert canary.encode() not in data, path
