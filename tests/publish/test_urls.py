"""Paths of the site: slugs, relative links, and ids that cannot be paths."""

from __future__ import annotations

import pytest

from shiliao.errors import PublishError
from shiliao.model import Term
from shiliao.publish.urls import SiteUrls, relative, root_prefix, term_slugs


def _term(term: str, pinyin: str) -> Term:
    return Term(term=term, pinyin=pinyin, english=("x",))


def test_slugs_are_toneless_ascii_pinyin_and_unique() -> None:
    slugs = term_slugs(
        [
            _term("结亲", "jiéqīn"),
            _term("民族团结", "mínzú tuánjié"),
            _term("民族团结一家亲", "Mínzú Tuánjié Yījiāqīn"),
            _term("绿", "lǜ"),
            _term("律", "lǜ"),
            _term("率", "lǜ"),
            _term("？", "???"),
        ]
    )
    assert slugs == {
        "结亲": "jieqin",
        "民族团结": "minzu-tuanjie",
        "民族团结一家亲": "minzu-tuanjie-yijiaqin",
        "绿": "lu",
        "律": "lu-2",
        "率": "lu-3",
        "？": "term-7",
    }


def test_relative_links_between_pages() -> None:
    assert relative("index.html", "sources/abc/index.html") == "sources/abc/index.html"
    assert relative("sources/abc/index.html", "terms/jieqin/index.html") == (
        "../../terms/jieqin/index.html"
    )
    assert relative("sources/abc/index.html", "sources/abc/index.html#p3") == "#p3"
    assert relative("sources/abc/index.html", "sources/xyz/index.html#p3") == (
        "../xyz/index.html#p3"
    )
    assert relative("search/index.html", "index.html") == "../index.html"
    assert root_prefix("index.html") == "./"
    assert root_prefix("search/index.html") == "../"
    assert root_prefix("sources/abc/index.html") == "../../"


def test_every_path_names_a_file() -> None:
    urls = SiteUrls({"结亲": "jieqin"})
    assert urls.source("abc-1") == "sources/abc-1/index.html"
    assert urls.passage("abc-1", 12) == "sources/abc-1/index.html#p12"
    assert urls.section("jieqin") == "sections/jieqin/index.html"
    assert urls.term("结亲") == "terms/jieqin/index.html"
    assert urls.term("不是词条") is None
    assert urls.original("ab" * 32, "x.pdf") == f"files/{'ab' * 32}/x.pdf"
    assert urls.search_data("t/0a.js") == "search/data/t/0a.js"


@pytest.mark.parametrize("bad", ["../etc", "a/b", "", ".hidden", "a b", "报告", "a\\b"])
def test_ids_that_are_not_plain_names_are_refused(bad: str) -> None:
    urls = SiteUrls({})
    with pytest.raises(PublishError):
        urls.source(bad)
    with pytest.raises(PublishError):
        urls.original("0" * 64, bad)


def test_search_links_carry_the_query() -> None:
    urls = SiteUrls({})
    assert urls.search_for("民族团结 a/b") == (
        "search/index.html?q=%E6%B0%91%E6%97%8F%E5%9B%A2%E7%BB%93%20a%2Fb"
    )
    assert relative("terms/x/index.html", urls.search_for("干部")).startswith(
        "../../search/index.html?q=%E5%B9%B2"
    )
