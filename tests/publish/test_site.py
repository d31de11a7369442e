"""The website built from the real sample: pages, links, languages, security, manifest."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from shiliao.config import load_settings
from shiliao.edtf import date_sort_key
from shiliao.errors import PublishError
from shiliao.publish import build_site, site_is_current
from shiliao.publish.site import CONTENT_SECURITY_POLICY
from tests.publish.conftest import (
    SAMPLE,
    BuiltSite,
    Page,
    all_pages,
    build_collection,
    parse_page,
    read_json,
    resolve_link,
)

_SHA256 = re.compile(r"\b[0-9a-f]{64}\b")


@pytest.fixture(scope="module")
def pages(sample_site: BuiltSite) -> dict[str, Page]:
    return all_pages(sample_site.site)


def test_every_source_has_a_page_with_its_digests(sample_site: BuiltSite, pages: dict) -> None:
    sources = sample_site.archive.catalog.sources()
    assert len(sources) == 88
    for source in sources:
        page = pages[f"sources/{source.id}/index.html"]
        assert source.file_sha256 in _SHA256.findall(page.text), source.id
        # Every sample source is one line of a JSON-lines file: its line and its own digest.
        shown = " ".join(page.text.split())  # interface words and numbers are text nodes apart
        assert source.line is not None
        assert re.search(rf"line number in the file ?: {source.line}\b", shown), source.id
        assert source.record_sha256 in page.text
        passages = sample_site.archive.catalog.passages(source.id)
        assert {f"p{p.paragraph}" for p in passages} <= page.ids


def test_downloads_are_the_original_bytes(sample_site: BuiltSite, pages: dict) -> None:
    copies = sorted((sample_site.site / "files").glob("*/*"))
    # The two JSON-lines files, each copied once although 88 sources link to them.
    assert sorted(p.name for p in copies) == [
        "cpc-congress-reports.jsonl",
        "government-work-reports.jsonl",
    ]
    for copy in copies:
        assert copy.read_bytes() == (SAMPLE / "sources" / copy.name).read_bytes()
        assert copy.parent.name == hashlib.sha256(copy.read_bytes()).hexdigest()
    source = sample_site.archive.catalog.sources()[0]
    links = [v for tag, _, v in pages[f"sources/{source.id}/index.html"].links if tag == "a"]
    assert f"../../files/{source.file_sha256}/{Path(source.path).name}" in links


def test_every_internal_link_resolves(sample_site: BuiltSite, pages: dict) -> None:
    site = sample_site.site
    broken = []
    for page in pages.values():
        for tag, attribute, value in page.links:
            target = resolve_link(page.path, value)
            if target is None:
                continue
            path, fragment = target
            if not (site / path).is_file():
                broken.append(f"{page.path}: <{tag} {attribute}={value!r}>: no file {path}")
            elif fragment and path.endswith(".html") and fragment not in pages[path].ids:
                broken.append(f"{page.path}: {value!r}: no id {fragment!r} in {path}")
    assert not broken, "\n".join(broken[:20])
    # Links name files, never folders: a site opened from file:// has no directory index.
    assert all(
        not v.endswith("/")
        for p in pages.values()
        for _, _, v in p.links
        if resolve_link(p.path, v)
    )


def test_nothing_is_loaded_from_another_host(pages: dict) -> None:
    for page in pages.values():
        for tag, attribute, value in page.links:
            external = value.startswith(("http:", "https:", "//"))
            # Only an <a href> may point elsewhere (a source's original URL, a reference).
            if external:
                assert (tag, attribute) == ("a", "href"), (
                    f"{page.path}: <{tag} {attribute}={value}>"
                )


def test_pages_have_a_strict_policy_and_no_inline_code(pages: dict) -> None:
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    for page in pages.values():
        assert page.meta_csp == CONTENT_SECURITY_POLICY, page.path
        assert None not in page.scripts, f"{page.path}: inline script"
        assert page.inline_styles == 0, f"{page.path}: inline style"
        assert page.html_lang == "en"
        handlers = [
            (tag, name) for tag, attrs in page.elements for name in attrs if name.startswith("on")
        ]
        assert not handlers, f"{page.path}: {handlers}"


def test_every_han_run_is_marked_chinese(pages: dict) -> None:
    unmarked = [f"{p.path}: {u}" for p in pages.values() for u in p.unmarked_han]
    assert not unmarked, "\n".join(unmarked[:20])


def test_traditional_text_is_marked_traditional(sample_site: BuiltSite, pages: dict) -> None:
    # The reports of the 1st congress are in Traditional characters (see the sidecar).
    traditional = [s for s in sample_site.archive.catalog.sources() if s.language == "zh-Hant"]
    assert traditional
    page = pages[f"sources/{traditional[0].id}/index.html"]
    langs = [attrs.get("lang") for tag, attrs in page.elements if attrs.get("class") == "passage"]
    assert "zh-Hant" in langs


def test_pages_of_every_kind_exist(sample_site: BuiltSite, pages: dict) -> None:
    for path in (
        "index.html",
        "sources/index.html",
        "sections/index.html",
        "sections/jieqin/index.html",
        "terms/index.html",
        "terms/jieqin/index.html",
        "terms/minzu-tuanjie/index.html",
        "terms/minzu-tuanjie-yijiaqin/index.html",
        "search/index.html",
    ):
        assert path in pages, path
    counts = sample_site.archive.catalog.counts()
    assert (
        len([p for p in pages if p.startswith("terms/") and p != "terms/index.html"])
        == counts["terms"]
    )
    assert sample_site.report.pages == len(pages)
    home = pages["index.html"]
    assert f"{counts['sources']} sources" in " ".join(home.text.split())


def test_browse_lists_every_source_with_facets(sample_site: BuiltSite, pages: dict) -> None:
    page = pages["sources/index.html"]
    rows = [attrs for tag, attrs in page.elements if tag == "tr" and "data-i" in attrs]
    assert len(rows) == 88
    # Rows come sorted by date (undated last), so the list is useful without JavaScript.
    html = (sample_site.site / page.path).read_text(encoding="utf-8")
    dates = re.findall(r'<td class="date">(.*?)</td>', html)
    dated = [d for d in dates if not d.startswith("<span")]
    assert len(dates) == 88 and dates[: len(dated)] == dated
    assert dated == sorted(dated, key=date_sort_key)
    boxes = {
        attrs["name"]
        for tag, attrs in page.elements
        if tag == "input" and attrs.get("type") == "checkbox"
    }
    assert boxes == {"publisher", "type", "language", "collection", "reliability", "undated"}
    assert ("script", {"src": "browse-data.js", "defer": None}) in page.elements
    assert ("script", {"src": "../assets/browse.js", "defer": None}) in page.elements
    panel = next(
        attrs
        for tag, attrs in page.elements
        if tag == "details" and attrs.get("id") == "browse-filters"
    )
    assert "hidden" in panel
    # A page per collection of the sample, listed on the collections' index.
    for collection in ("cpc-congress-reports", "government-work-reports"):
        assert f"collections/{collection}/index.html" in pages
    assert "cpc-congress-reports" in pages["collections/index.html"].text


def test_term_page_lists_kwic_lines(sample_site: BuiltSite, pages: dict) -> None:
    page = pages["terms/minzu-tuanjie/index.html"]
    limit = load_settings(SAMPLE).table("site")["term_kwic_lines"]
    matches = [
        attrs for tag, attrs in page.elements if tag == "td" and attrs.get("class") == "kwic-match"
    ]
    assert len(matches) == limit
    html = (sample_site.site / page.path).read_text(encoding="utf-8")
    marked = re.findall(r"<mark>([^<]*)</mark>", html)
    assert len(marked) == limit and all(m in ("民族团结", "民族團結") for m in marked)
    sources, passages = sample_site.archive.catalog.term_usage()["民族团结"]
    # The page's words, without the elements that carry interface text for translation.
    words = " ".join(re.sub(r"<[^>]+>", "", html).split())
    assert f"{sources} sources, {passages} passages" in words
    assert "mínzú tuánjié" in page.text
    kwic_links = [v for tag, _, v in page.links if tag == "a" and "#p" in v]
    assert len(kwic_links) >= limit and all(v.startswith("../../sources/") for v in kwic_links)


def test_term_page_shows_uyghur_right_to_left(sample_site: BuiltSite, pages: dict) -> None:
    terms = [t for t in sample_site.archive.catalog.terms() if t.uyghur and t.uyghur.get("arabic")]
    assert terms, "the sample glossary gives Uyghur names for places"
    from shiliao.publish.urls import term_slugs

    slug = term_slugs(sample_site.archive.catalog.terms())[terms[0].term]
    page = pages[f"terms/{slug}/index.html"]
    assert ("span", {"lang": "ug-Arab", "dir": "rtl"}) in page.elements
    assert terms[0].uyghur["arabic"] in page.text


def test_source_page_links_glossary_terms(sample_site: BuiltSite, pages: dict) -> None:
    linked = 0
    for path, page in pages.items():
        if path.startswith("sources/") and path != "sources/index.html":
            linked += sum(
                1 for tag, attrs in page.elements if tag == "a" and attrs.get("class") == "term"
            )
    assert linked > 100
    mentions = sample_site.archive.catalog.term_usage()
    assert mentions["民族团结"][0] > 0


def test_section_citation_links_to_its_reference(pages: dict) -> None:
    page = pages["sections/jieqin/index.html"]
    assert "ref-chang-2020" in page.ids
    cites = [
        v
        for tag, attrs in page.elements
        for k, v in attrs.items()
        if tag == "a" and k == "href" and v == "#ref-chang-2020"
    ]
    assert len(cites) >= 5


def test_manifest_records_the_build(sample_site: BuiltSite) -> None:
    manifest = read_json(sample_site.site / ".shiliao-site.json")
    version = sample_site.archive.catalog.content_version()
    assert isinstance(manifest, dict) and manifest["content_version"] == version
    assert manifest["counts"]["sources"] == 88
    settings = load_settings(SAMPLE)
    assert site_is_current(sample_site.site, version)
    assert site_is_current(sample_site.site, version, settings)
    assert not site_is_current(sample_site.site, "other")
    assert not site_is_current(sample_site.site, "")
    assert not site_is_current(sample_site.site.parent / "nowhere", version)


def test_a_different_title_makes_the_site_stale(sample_site: BuiltSite, tmp_path: Path) -> None:
    (tmp_path / "shiliao.toml").write_text('[site]\ntitle = "Another title"\n', encoding="utf-8")
    version = sample_site.archive.catalog.content_version()
    assert not site_is_current(sample_site.site, version, load_settings(tmp_path))


def test_a_folder_that_is_not_a_site_is_refused(sample_site: BuiltSite, tmp_path: Path) -> None:
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.docx").write_bytes(b"not a website")
    with pytest.raises(PublishError, match="not a shiliao site"):
        build_site(
            sample_site.archive.catalog, sample_site.archive.blobs, precious, load_settings()
        )
    assert (precious / "chapter1.docx").read_bytes() == b"not a website"
    assert [p.name for p in tmp_path.iterdir()] == ["thesis"]


def _tiny_collection(root: Path) -> Path:
    (root / "sources").mkdir(parents=True)
    (root / "sources" / "note.txt").write_text("第一段：民族团结。\n\n第二段。\n", encoding="utf-8")
    (root / "sources" / "note.txt.yaml").write_text(
        "title: 一则笔记\ndate: 2016-10\ntype: document\n", encoding="utf-8"
    )
    return root


def test_a_failed_build_leaves_the_old_site(tmp_path: Path) -> None:
    built = build_collection(_tiny_collection(tmp_path / "collection"), tmp_path / "built")
    try:
        before = {
            p.relative_to(built.site): p.read_bytes() for p in built.site.rglob("*") if p.is_file()
        }
        # Damage the archive: the original's file becomes a folder, so copying it fails.
        (digest,) = {s.file_sha256 for s in built.archive.catalog.sources()}
        (where,) = built.archive.catalog.file_versions(digest)
        content = built.archive.ocfl.files(where["object_id"])[where["logical_path"]].content_path
        blob = built.archive.ocfl.object_path(where["object_id"]) / content
        blob.chmod(0o644)
        blob.unlink()
        blob.mkdir()
        with pytest.raises(PublishError, match="cannot write the site"):
            build_site(built.archive.catalog, built.archive.blobs, built.site, load_settings())
        after = {
            p.relative_to(built.site): p.read_bytes() for p in built.site.rglob("*") if p.is_file()
        }
        assert after == before
        assert sorted(p.name for p in built.site.parent.iterdir()) == ["archive", "site"]
    finally:
        built.archive.close()


def test_the_crawler_sees_unmarked_chinese(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(
        '<html lang="en"><p>中文<br><span lang="zh-Hans">中文<b>字</b></span></p>'
        '<img alt="图"><p lang="zh-Hant"><img alt="圖"></p></html>',
        encoding="utf-8",
    )
    assert len(parse_page(tmp_path, "page.html").unmarked_han) == 2


def test_progress_counts_every_page(tmp_path: Path) -> None:
    built = build_collection(_tiny_collection(tmp_path / "collection"), tmp_path / "built")
    calls: list[tuple[str, int, int]] = []
    try:
        report = build_site(
            built.archive.catalog,
            built.archive.blobs,
            built.site,
            load_settings(),
            lambda stage, done, total: calls.append((stage, done, total)),
        )
    finally:
        built.archive.close()
    assert calls[-1] == ("site", report.pages, report.pages)
    assert [done for _, done, _ in calls] == list(range(1, report.pages + 1))


def test_a_rebuild_replaces_the_site(tmp_path: Path) -> None:
    built = build_collection(_tiny_collection(tmp_path / "collection"), tmp_path / "built")
    try:
        (built.site / "stale.html").write_text("old", encoding="utf-8")
        report = build_site(
            built.archive.catalog,
            built.archive.blobs,
            built.site,
            load_settings(),
            content_version="v2",
        )
        assert report.path == built.site.absolute() and report.pages > 0
        assert not (built.site / "stale.html").exists()
        assert site_is_current(built.site, "v2")
        assert sorted(p.name for p in built.site.parent.iterdir()) == ["archive", "site"]
        (source,) = built.archive.catalog.sources()
        page = parse_page(built.site, f"sources/{source.id}/index.html")
        assert "p1" in page.ids and "p2" in page.ids
    finally:
        built.archive.close()


def test_leftovers_of_a_killed_build_are_cleared(tmp_path: Path) -> None:
    built = build_collection(_tiny_collection(tmp_path / "collection"), tmp_path / "built")
    try:
        (tmp_path / "built" / ".site.building-x1").mkdir()
        (tmp_path / "built" / ".site.old-x2").mkdir()
        build_site(built.archive.catalog, built.archive.blobs, built.site, load_settings())
    finally:
        built.archive.close()
    assert sorted(p.name for p in (tmp_path / "built").iterdir()) == ["archive", "site"]
