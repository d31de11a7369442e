"""Translations: a file beside a source (or in ``translations/``), aligned paragraph by
paragraph, shown side by side with the original, found by an English search, published only
through the public projection."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner

from shiliao.cli import main
from shiliao.collection import read_collection
from shiliao.collection.translations import (
    read_translation,
    translation_beside,
    translation_of_id,
)
from shiliao.errors import CollectionError
from tests.annotated_collection import (
    CANARIES,
    LINE_A,
    SEARCHED,
    TRANSLATED,
    build_both,
    every_byte,
)
from tests.browser import launch_chromium, serve


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return build_both(tmp_path_factory.mktemp("translations"))


def test_names_say_what_a_translation_translates() -> None:
    assert translation_beside("notice.html.en.translation.md") == ("notice.html", "en")
    assert translation_beside("a.pdf.zh-Hant.translation.TXT") == ("a.pdf", "zh-Hant")
    assert translation_beside("notice.html.md") is None
    assert translation_of_id("gwr-2016.en.md") == ("gwr-2016", "en")
    assert translation_of_id("notes.md") is None


def test_paragraphs_align_by_order_and_by_number() -> None:
    text = "---\ntranslator: B\n---\nOne\nstill one\n\nTwo\n\n[5] Five\n\nSix\n"
    translation = read_translation(text, "t.md", "s", "en")
    assert translation.paragraphs == ((1, "One still one"), (2, "Two"), (5, "Five"), (6, "Six"))
    assert translation.translator == "B" and translation.title is None
    with pytest.raises(CollectionError, match=r"t\.md: paragraph \[2\] comes after paragraph 3"):
        read_translation("a\n\nb\n\nc\n\n[2] d\n", "t.md", "s", "en")
    with pytest.raises(CollectionError, match="unknown front matter key 'by'"):
        read_translation("---\nby: me\n---\ntext\n", "t.md", "s", "en")


def test_a_translation_is_no_source_and_one_without_its_file_is_a_warning(built: dict) -> None:
    collection = read_collection(built["base"] / "c")
    assert {s.id for s in collection.sources} == {"notice", "visit", "team", LINE_A} | {
        s.id for s in collection.sources if s.path == "sources/lines.jsonl"
    }
    assert not any("translation" in s.path for s in collection.sources)
    paths = {f.path for f in collection.files}
    assert {"sources/notice.txt.en.translation.md", f"translations/{LINE_A}.en.md"} <= paths
    warnings = built["summary"]["warnings"]
    assert (
        f"translations/{LINE_A}.en.md: paragraph 5 is beyond the 1 passages of {LINE_A!r}; "
        "not shown"
    ) in warnings
    assert any(
        w.startswith("sources/gone.txt.en.translation.md: a translation without") for w in warnings
    )


def test_the_translation_is_beside_the_original(built: dict) -> None:
    page = lxml.html.parse(str(built["site"] / "sources" / "notice" / "index.html")).getroot()
    rows = page.xpath('//div[@class="passage-row"]')
    assert len(rows) == 4
    second = rows[1]
    assert second.xpath("./p[1]/@id") == ["p2"] and second.xpath("./p[1]/@lang") == ["zh-Hans"]
    (translation,) = second.xpath('./p[@class="translation"]')
    assert translation.get("lang") == "en" and translation.text_content().startswith(TRANSLATED)
    # [3] in the file: the third passage's translation, not a fourth paragraph.
    assert SEARCHED in rows[2].xpath('./p[@class="translation"]')[0].text_content()
    assert rows[3].xpath('./p[contains(@class, "untranslated")]')
    about = " ".join(page.xpath('//div[@class="translation-about"]')[0].text_content().split())
    assert "Notice on the pairing campaign" in about and "Translated by A. Reader" in about
    assert "<script>alert(1)</script> is text" in about and not page.xpath("//main//script")


def test_a_line_is_translated_from_the_translations_folder(built: dict) -> None:
    page = (built["site"] / "sources" / LINE_A / "index.html").read_text(encoding="utf-8")
    assert (
        '<p class="translation" lang="en">The text of the first message (kingfisher).</p>' in page
    )


def test_an_english_search_finds_the_translated_passage(built: dict) -> None:
    result = CliRunner().invoke(main, ["search", str(built["archive"]), SEARCHED, "--json"])
    assert result.exit_code == 0, result.output
    (hit,) = json.loads(result.stdout)["hits"]
    assert (hit["kind"], hit["language"], hit["source_id"], hit["paragraph"]) == (
        "translation",
        "en",
        "notice",
        3,
    )
    assert hit["passage_text"] == "活动期间，干部每两个月到结对亲戚家走访一次。"
    text = CliRunner().invoke(main, ["search", str(built["archive"]), SEARCHED]).output
    assert "(translation, en)" in text and "¶3: 活动期间" in text


def test_the_site_search_data_holds_the_translation(built: dict) -> None:
    data = "".join(
        p.read_text(encoding="utf-8") for p in (built["site"] / "search" / "data" / "x").iterdir()
    )
    assert (
        f'[3,"During the campaign a cadre visits the paired family every two months ({SEARCHED}).",'
        '{},{"kind":"translation","lang":"en"}]'
    ) in data


def test_what_is_withheld_stays_withheld_in_a_translation(built: dict) -> None:
    public = every_byte(built["site"])
    for label in ("team_translation", "team_text", "romanized"):
        assert not [p for p, data in public.items() if CANARIES[label].encode() in data], label
    page = lxml.html.parse(str(built["site"] / "sources" / "visit" / "index.html")).getroot()
    # A name is withheld in the source: its translation, which may spell the name out in
    # another paragraph than the one withheld, is not shown at all (an editor's check covers
    # the source, not the translation).
    assert not page.xpath('//p[@class="translation"]')
    shown = [p.text_content() for p in page.xpath('//p[contains(@class, "translation")]')]
    assert shown == ["(translation withheld)"] * 3
    assert "3 translated paragraph(s) are not shown" in " ".join(page.text_content().split())
    notice = lxml.html.parse(str(built["site"] / "sources" / "notice" / "index.html")).getroot()
    assert {p.get("lang") for p in notice.xpath('//p[@class="translation"]')} == {"en"}
    team = (built["team"] / "sources" / "visit" / "index.html").read_text(encoding="utf-8")
    assert CANARIES["romanized"] in team
    result = CliRunner().invoke(
        main, ["search", "--public", str(built["archive"]), "Ayguli", "--json"]
    )
    assert json.loads(result.stdout)["total"] == 0


def test_show_lists_a_source_s_translations_and_notes(built: dict) -> None:
    result = CliRunner().invoke(main, ["show", str(built["archive"]), "notice", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["translations"] == [
        {"language": "en", "path": "sources/notice.txt.en.translation.md", "paragraphs": 3}
    ]
    assert shown["annotations"] == 3  # the team's note and one beyond the text included
    assert shown["metadata"]["extracted_encoding"] == "utf-8"


def test_the_site_search_opens_the_translated_passage_beside_the_chinese(built: dict) -> None:
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    problems: list[str] = []
    with serve(built["site"]) as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.goto(f"{url}search/index.html?q={SEARCHED}")
            page.wait_for_selector("#search[data-state=done], #search[data-state=error]")
            (hit,) = page.query_selector_all("li.hit")
            link = hit.query_selector("h3 a")
            assert link is not None and link.get_attribute("href").endswith("/notice/index.html#p3")
            assert "Translation" in hit.text_content()
            snippet = hit.query_selector("p.kwic")
            assert snippet is not None and snippet.get_attribute("lang") == "en"
            link.click()
            page.wait_for_selector("#p3")
            row = page.eval_on_selector(
                "#p3", "p => p.parentElement.querySelector('.translation').textContent"
            )
            assert SEARCHED in row
            # Side by side on a wide screen, one under the other on a phone: never sideways.
            for width in (390, 1280):
                page.set_viewport_size({"width": width, "height": 800})
                for name in ("notice", "visit", LINE_A):
                    page.goto(f"{url}sources/{name}/index.html")
                    scroll, client = page.evaluate(
                        "[document.documentElement.scrollWidth, "
                        "document.documentElement.clientWidth]"
                    )
                    assert scroll <= client, (name, width, scroll, client)
                    tops = page.evaluate(
                        "[...document.querySelector('#p1').parentElement.children]"
                        ".map(e => e.getBoundingClientRect().top)"
                    )
                    beside = tops[0] == tops[1]
                    assert beside == (width == 1280), (name, width, tops)
        finally:
            browser.close()
    assert not problems, problems


def test_a_translation_named_without_its_files_suffix_is_told_the_name(tmp_path: Path) -> None:
    sources = tmp_path / "c" / "sources"
    sources.mkdir(parents=True)
    (sources / "tongzhi.txt").write_text("结亲。\n", encoding="utf-8")
    (sources / "tongzhi.en.translation.md").write_text("Pairing.\n", encoding="utf-8")
    collection = read_collection(tmp_path / "c")
    assert collection.problems == [
        "sources/tongzhi.en.translation.md: a translation without its file (tongzhi); a "
        "translation is named after the whole name of its file: tongzhi.txt.en.translation.md"
    ]
    assert [source.id for source in collection.sources] == ["tongzhi"]
