"""Pinyin and English queries find their glossary term, and the expansion is reported."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from shiliao.cli import main
from shiliao.model import Term
from shiliao.search.expand import ExpansionTable, expand_query
from shiliao.search.query import parse_query

CASES = [
    ("jieqin", "结亲"),
    ("jié qīn", "结亲"),
    ("jie2 qin1", "结亲"),
    ("Four Togethers", "四同"),
    ("si tong", "四同"),
    ("si tong si song", "四同四送"),
    ("focus persons", "重点人员"),
    ("ethnic unity", "民族团结"),
    ("Kashgar", "喀什"),
]


def _search(archive, *args: str) -> dict:
    result = CliRunner().invoke(main, ["search", str(archive), *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize(("query", "term"), CASES)
def test_query_finds_its_glossary_term(built_sample: dict, query: str, term: str) -> None:
    payload = _search(built_sample["archive"], query)
    assert payload["expanded_to"] == [term]
    [expansion] = payload["expansions"]
    assert expansion["terms"] == [term]
    # The result is what searching the Chinese term finds.
    direct = _search(built_sample["archive"], term, "--limit", "0")
    assert payload["total"] == direct["total"]


def test_expansion_finds_passages(built_sample: dict) -> None:
    payload = _search(built_sample["archive"], "minzu tuanjie", "--limit", "0")
    assert payload["expanded_to"] == ["民族团结"]
    assert payload["total"] > 0
    assert all("民族团结" in hit["text"] or "民族團結" in hit["text"] for hit in payload["hits"])


def test_no_expand_turns_it_off(built_sample: dict) -> None:
    payload = _search(built_sample["archive"], "ethnic unity", "--no-expand")
    assert payload["expanded_to"] == [] and payload["expansions"] == []
    assert payload["total"] == 0


def test_chinese_and_pinyin_words_combine(built_sample: dict) -> None:
    both = _search(built_sample["archive"], "minzu tuanjie 新疆", "--limit", "0")
    assert both["expanded_to"] == ["民族团结"]
    chinese = _search(built_sample["archive"], "民族团结 新疆", "--limit", "0")
    assert both["total"] == chinese["total"] > 0


def test_the_glossary_pinyin_is_the_key_not_the_automatic_one() -> None:
    table = ExpansionTable([Term(term="亲戚", pinyin="qīnqi", english=("relatives",))])
    assert table.lookup("qinqi") == (("亲戚",), "pinyin")
    expanded, expansions = expand_query(parse_query("qin qi"), table)
    assert expansions[0].terms == ("亲戚",)
    assert expanded.groups == (("亲戚", "qin qi"),)
    assert expand_query(parse_query("亲戚"), table)[1] == []


def test_longest_run_wins_and_other_words_stay_required() -> None:
    table = ExpansionTable(
        [
            Term(term="四同", pinyin="sì tóng", english=("Four Togethers",)),
            Term(
                term="四同四送", pinyin="sì tóng sì sòng", english=("Four Togethers, Four Gifts",)
            ),
        ]
    )
    expanded, expansions = expand_query(parse_query("si tong si song cadres"), table)
    assert [e.terms for e in expansions] == [("四同四送",)]
    assert expanded.groups == (("四同四送", "si tong si song"), ("cadres",))
    assert expanded.matches("四同四送 cadres") and not expanded.matches("四同四送")
