"""Fixtures for the website tests: the sample built into a real archive and site, once.

The archive is made by the real pipeline (``open_archive`` + ``ingest``) from the read-only
sample in ../shared, in a temporary folder; nothing is copied into the repository. Helpers to
crawl a built site with ``html.parser`` live here too, so every test reads pages the same way.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from shiliao.archive import Archive, open_archive
from shiliao.collection import read_collection
from shiliao.config import load_settings
from shiliao.operations.ingest import ingest
from shiliao.publish import SiteReport, build_site

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "samples" / "jieqin"

# Elements that never have an end tag, so they are not pushed on the parser's stack.
VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)


@dataclass
class BuiltSite:
    """A built archive and its site, open for the session.

    Attributes:
        archive: the open archive (its catalog is read by tests).
        site: the site's folder.
        report: what ``build_site`` returned.
    """

    archive: Archive
    site: Path
    report: SiteReport


def build_collection(collection: Path, base: Path) -> BuiltSite:
    """Ingest a collection folder into ``base/archive`` and publish it to ``base/site``."""
    settings = load_settings(collection)
    archive = open_archive(base / "archive", create=True)
    ingest(archive, read_collection(collection), settings)
    report = build_site(
        archive.catalog,
        archive.blobs,
        base / "site",
        settings,
        content_version=archive.catalog.content_version(),
    )
    return BuiltSite(archive=archive, site=base / "site", report=report)


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltSite]:
    """The sample collection, ingested and published once for the session."""
    if not SAMPLE.is_dir():
        pytest.fail(f"the sample collection is missing: {SAMPLE}")
    built = build_collection(SAMPLE, tmp_path_factory.mktemp("sample-site"))
    yield built
    built.archive.close()


@dataclass
class Page:
    """What a test needs to know of one HTML page.

    Attributes:
        path: root-relative path of the page.
        links: ``(tag, attribute, value)`` of every ``href`` and ``src``.
        ids: every ``id`` on the page.
        unmarked_han: text or attribute values with Han characters that are not inside an
            element whose ``lang`` is ``zh-Hans`` or ``zh-Hant``.
        scripts: the ``src`` of each ``<script>`` (None for an inline script).
        inline_styles: ``<style>`` elements and ``style`` attributes found.
        meta_csp: the content of the Content-Security-Policy ``<meta>``, or None.
        html_lang: the ``lang`` of ``<html>``.
        text: the text nodes of the page, joined by line breaks.
        elements: every start tag as ``(tag, attrs)``.
    """

    path: str
    links: list[tuple[str, str, str]] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    unmarked_han: list[str] = field(default_factory=list)
    scripts: list[str | None] = field(default_factory=list)
    inline_styles: int = 0
    meta_csp: str | None = None
    html_lang: str | None = None
    text: str = ""
    elements: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)


def has_han(text: str) -> bool:
    """Whether a string has a CJK ideograph (the ranges of ``zh.script.is_han``)."""
    return any(
        0x3400 <= ord(c) <= 0x4DBF
        or 0x4E00 <= ord(c) <= 0x9FFF
        or 0xF900 <= ord(c) <= 0xFAFF
        or 0x20000 <= ord(c) <= 0x3134F
        for c in text
    )


class _PageParser(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack: list[tuple[str, str | None]] = []
        self.texts: list[str] = []

    def _lang(self) -> str | None:
        for _, lang in reversed(self.stack):
            if lang is not None:
                return lang
        return None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.page.elements.append((tag, values))
        lang = values.get("lang")
        if tag == "html":
            self.page.html_lang = lang
        if "id" in values and values["id"] is not None:
            self.page.ids.add(values["id"])
        for name in ("href", "src"):
            if values.get(name) is not None:
                self.page.links.append((tag, name, values[name] or ""))
        if tag == "script":
            self.page.scripts.append(values.get("src"))
        if tag == "style" or "style" in values:
            self.page.inline_styles += 1
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "content-security-policy":
            self.page.meta_csp = values.get("content")
        effective = lang if lang is not None else self._lang()
        for name, value in attrs:
            if value and has_han(value) and not (effective or "").startswith("zh-Han"):
                self.page.unmarked_han.append(f"<{tag} {name}={value!r}>")
        if tag not in VOID:
            self.stack.append((tag, lang))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        if has_han(data) and not (self._lang() or "").startswith("zh-Han"):
            tags = "/".join(t for t, _ in self.stack[-3:])
            self.page.unmarked_han.append(f"{tags}: {data.strip()[:40]!r}")


def parse_page(site: Path, path: str) -> Page:
    """Parse one page of a site."""
    page = Page(path=path)
    parser = _PageParser(page)
    parser.feed((site / path).read_text(encoding="utf-8"))
    parser.close()
    page.text = "\n".join(parser.texts)
    return page


def all_pages(site: Path) -> dict[str, Page]:
    """Every HTML page of a site, parsed, by root-relative path."""
    return {
        path.relative_to(site).as_posix(): parse_page(site, path.relative_to(site).as_posix())
        for path in sorted(site.rglob("*.html"))
    }


def resolve_link(page_path: str, value: str) -> tuple[str, str] | None:
    """The root-relative target ``(path, fragment)`` of a relative link; None for an external
    one (any scheme, or ``//host``)."""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    if not parts.path:
        return page_path, unquote(parts.fragment)
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page_path), unquote(parts.path)))
    return target, unquote(parts.fragment)


def read_json(path: Path) -> object:
    """Parse a JSON file."""
    return json.loads(path.read_text(encoding="utf-8"))
