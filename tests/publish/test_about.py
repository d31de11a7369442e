"""The site's title, description and About page, and counts of what a reader can get."""

from __future__ import annotations

from pathlib import Path

import lxml.html

from shiliao.config import load_settings
from shiliao.publish.about import site_title
from tests.conftest import build_json


def test_title_comes_from_the_settings_else_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "xinjiang_notices-2019"
    folder.mkdir()
    assert site_title(load_settings(folder)) == "Xinjiang notices 2019"
    (folder / "shiliao.toml").write_text('[archive]\ntitle = "结亲 notices"\n', encoding="utf-8")
    assert site_title(load_settings(folder)) == "结亲 notices"
    (folder / "shiliao.toml").write_text(
        '[archive]\ntitle = "结亲 notices"\n[site]\ntitle = "Pairing notices"\n', encoding="utf-8"
    )
    assert site_title(load_settings(folder)) == "Pairing notices"
    assert site_title(load_settings()) == "shiliao archive"


def _collection(folder: Path, settings: str) -> Path:
    sources = folder / "sources"
    sources.mkdir(parents=True)
    (sources / "notice.txt").write_text("关于开展结亲周活动的通知。\n\n各单位要认真落实。\n")
    (sources / "report.txt").write_text("民族团结一家亲活动总结。\n")
    (sources / "thesis.txt").write_text("论文正文。\n")
    (sources / "thesis.txt.yaml").write_text("access: metadata\ntitle: 一篇学位论文\ndate: 2019\n")
    (folder / "shiliao.toml").write_text(settings, encoding="utf-8")
    return folder


def _page(site: Path, path: str) -> lxml.html.HtmlElement:
    return lxml.html.parse(str(site / path)).getroot()


def test_home_and_about_count_what_a_reader_gets(tmp_path: Path) -> None:
    collection = _collection(
        tmp_path / "pairing",
        '[site]\ndescription = "Notices of the 结亲 campaign, kept as published."\n',
    )
    build_json(collection, tmp_path)
    site = tmp_path / "s"
    home = _page(site, "index.html")
    assert home.findtext(".//h1") == "Pairing"
    description = home.xpath('//meta[@name="description"]/@content')
    assert description == ["Notices of the 结亲 campaign, kept as published."]
    lead = home.xpath('//p[@class="lead"]')[0]
    # Chinese inside the description keeps its lang.
    assert lead.xpath('.//*[@lang="zh-Hans"]/text()') == ["结亲"]
    counts = [" ".join(li.text_content().split()) for li in home.xpath('//ul[@class="counts"]/li')]
    # The thesis is a catalogue record: not counted as a text, nor as a file.
    assert "2 sources with their text" in counts
    assert "1 catalogue record only" in counts
    assert "2 files to download" in counts
    about = _page(site, "about/index.html")
    rows = {
        " ".join(row.xpath("th")[0].text_content().split()): row.xpath("td")[0].text_content()
        for row in about.xpath('//table[@class="about-counts"]//tr')
    }
    assert rows["Sources with their text"] == "2"
    assert rows["Catalogue records only (no text published)"] == "1"
    assert rows["Files to download (originals or public copies)"] == "2"
    assert rows["Passages of text"] == "3"
    text = " ".join(about.text_content().split())
    assert "shiliao verify-file FILE --proof proof.json --key key.vkey" in text
    assert about.xpath('//a[@href="../evidence/checkpoint.txt"]')
    # Every page links to it.
    assert home.xpath('//footer//a[@href="about/index.html"]')


def test_description_defaults_to_what_the_site_holds(tmp_path: Path) -> None:
    collection = _collection(tmp_path / "pairing", "")
    build_json(collection, tmp_path)
    home = _page(tmp_path / "s", "index.html")
    assert home.xpath('//meta[@name="description"]/@content') == [
        "3 primary sources from 2019 (2 with their text), kept as captured, with exact search."
    ]
