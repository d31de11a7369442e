"""Text from sources is data: a hostile record is shown, never run (reliability.md W-stored-xss)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from markupsafe import Markup

from shiliao.publish.lang import mark_chinese, passage_markup
from shiliao.publish.searchindex import read_data_script
from shiliao.zh.glossary import Mention
from tests.publish.conftest import BuiltSite, all_pages, build_collection

EVIL_TITLE = '<script>alert(1)</script> "引号" 标题 & <b onmouseover="x">'
EVIL_TEXT = (
    '第一段<script>alert(1)</script>民族团结 "引号" </p><img src=x onerror=alert(2)>\n'
    "\n"
    "第二段 ' \" <!-- --> ]]> {{ 7*7 }} {% raw %}"
)


@pytest.fixture(scope="module")
def evil_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    root = tmp_path_factory.mktemp("evil")
    sources = root / "collection" / "sources"
    sources.mkdir(parents=True)
    record = {
        "title": EVIL_TITLE,
        "content": EVIL_TEXT,
        "url": "javascript:alert(3)",
        "publisher": '<a href="https://evil.example/">出版</a>',
    }
    (sources / "evil.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", "utf-8")
    (sources / "evil.jsonl.yaml").write_text(
        'each_line:\n  title: "{title}"\n  url: "{url}"\n  publisher: "{publisher}"\n'
        "  text: content\n"
        "defaults:\n  type: webpage\n  language: zh-Hans\n  collection: ['<i>col</i> \"x\"']\n",
        encoding="utf-8",
    )
    (root / "collection" / "glossary.yaml").write_text(
        "- term: 民族团结\n  pinyin: mínzú tuánjié\n  english: ['<script>alert(4)</script>']\n"
        "  note: 'A \"note\" <script>alert(5)</script>'\n",
        encoding="utf-8",
    )
    built = build_collection(root / "collection", root / "built")
    yield built
    built.archive.close()


def test_hostile_record_creates_no_element(evil_site: BuiltSite) -> None:
    pages = all_pages(evil_site.site)
    for page in pages.values():
        tags = {tag for tag, _ in page.elements}
        assert "img" not in tags and "b" not in tags and "i" not in tags, page.path
        assert all(src is not None for src in page.scripts), f"{page.path}: inline script"
        assert not [
            (tag, name) for tag, attrs in page.elements for name in attrs if name.startswith("on")
        ], page.path
        for tag, attribute, value in page.links:
            assert not value.lower().startswith("javascript:"), f"{page.path}: {tag} {attribute}"
            # A record's text may travel only percent-encoded in the query of a link to the
            # site's own Browse or search page (a facet value); never as where a link leads.
            address, _, query = value.partition("?")
            assert "evil.example" not in address, page.path
            if "evil.example" in query:
                assert address.endswith("sources/index.html"), page.path
                assert not set(query) & set("<>\"' "), page.path


def test_hostile_record_is_shown_as_text(evil_site: BuiltSite) -> None:
    (source,) = evil_site.archive.catalog.sources()
    path = f"sources/{source.id}/index.html"
    page = all_pages(evil_site.site)[path]
    assert EVIL_TITLE in page.text.replace("\n", "")
    assert "<script>alert(1)</script>" in page.text
    assert "{{ 7*7 }}" in page.text and "49" not in page.text
    html = (evil_site.site / path).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;" in html and '"引号"' not in html
    assert "javascript:alert(3)" in page.text  # shown, not linked
    glossary = all_pages(evil_site.site)["terms/minzu-tuanjie/index.html"]
    assert "<script>alert(4)</script>" in glossary.text


def test_hostile_record_is_plain_data_in_the_search_index(evil_site: BuiltSite) -> None:
    # Each index file is one call with JSON data: the text cannot end the call early.
    data = evil_site.site / "search" / "data"
    assert read_data_script(data / "meta.js")[0] == "meta"
    meta = read_data_script(data / "meta.js")[1]
    assert isinstance(meta, dict) and meta["sources"][0][1] == EVIL_TITLE
    chunk = read_data_script(data / "x" / "0.js")[1]
    assert isinstance(chunk, list) and "<script>alert(1)</script>" in chunk[0][1]


def test_search_script_never_parses_text_as_html() -> None:
    script = (
        Path(__file__).resolve().parents[2] / "src" / "shiliao" / "publish" / "assets" / "search.js"
    ).read_text(encoding="utf-8")
    for sink in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "Function(",
    ):
        assert sink not in script, sink


def test_mark_chinese_escapes_before_wrapping() -> None:
    html = mark_chinese('民族<script>alert("x")</script>团结 & "quoted"')
    assert isinstance(html, Markup)
    assert html == (
        '<span lang="zh-Hans">民族</span>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;'
        '<span lang="zh-Hans">团结</span> &amp; &#34;quoted&#34;'
    )
    assert mark_chinese('"><img src=x>') == "&#34;&gt;&lt;img src=x&gt;"


def test_passage_markup_escapes_around_term_links() -> None:
    text = '<b>民族团结</b> "x"'
    html = passage_markup(
        text, [Mention(3, 7, "民族团结")], lambda term: '../"t"/index.html', "zh-Hans"
    )
    assert html == (
        '&lt;b&gt;<a class="term" href="../&#34;t&#34;/index.html">民族团结</a>'
        "&lt;/b&gt; &#34;x&#34;"
    )
