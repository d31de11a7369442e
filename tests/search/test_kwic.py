"""Match spans and snippets point into the original text, whatever form the query used."""

from __future__ import annotations

from shiliao.search import Kwic, find_spans, format_kwic_plain, parse_query, snippet
from shiliao.zh.normalize import normalize


def test_simplified_query_spans_traditional_original(passages):
    # cpc-congress-reports line 3 (1923) is written in Traditional characters.
    texts = [t for _, s, t in passages if s == "cpc-congress-reports-3" and "中央委員會" in t]
    assert texts
    query = parse_query("中央委员会")
    for text in texts:
        spans = find_spans(text, query)
        assert len(spans) == text.count("中央委員會")
        assert all(text[start:end] == "中央委員會" for start, end in spans)


def test_spans_of_several_units_are_sorted_and_merged():
    text = "民族團結，哈哈哈，ＡＢＣ"
    spans = find_spans(text, parse_query("团结 哈哈 abc 族团"))
    assert spans == [(1, 4), (5, 8), (9, 12)]
    assert [text[s:e] for s, e in spans] == ["族團結", "哈哈哈", "ＡＢＣ"]


def test_touching_spans_stay_apart():
    assert find_spans("干部干部", parse_query("干部")) == [(0, 2), (2, 4)]


def test_span_inside_an_expanded_character_covers_it():
    text = "第㈠条和…"
    assert find_spans(text, parse_query("一")) == [(1, 2)]
    assert find_spans(text, parse_query("(一)条")) == [(1, 3)]
    assert find_spans(text, parse_query("..")) == [(4, 5)]


def test_no_match_gives_no_spans_and_no_snippet():
    query = parse_query("新疆")
    assert find_spans("民族团结", query) == []
    assert snippet("民族团结", query) is None


def test_snippet_on_the_sample(passages):
    query = parse_query("中华民族共同体意识")
    shown = 0
    for _, _, text in passages:
        kwic = snippet(text, query, width=10)
        if kwic is None:
            assert query.units[0] not in normalize(text)
            continue
        shown += 1
        assert normalize(kwic.match) == "中华民族共同体意识"
        assert text[kwic.char_start - len(kwic.left) : kwic.char_end + len(kwic.right)] == (
            kwic.left + kwic.match + kwic.right
        )
        assert len(kwic.left) <= 10 and len(kwic.right) <= 10
        assert kwic.left_truncated == (kwic.char_start > 10)
        assert kwic.right_truncated == (kwic.char_end + 10 < len(text))
    assert shown > 0


def test_format_kwic_plain():
    text = "一二三四五团结六七八九十"
    kwic = snippet(text, parse_query("團結"), width=3)
    assert kwic == Kwic("三四五", "团结", "六七八", 5, 7, True, True)
    assert format_kwic_plain(kwic) == "…三四五[团结]六七八…"
    assert format_kwic_plain(kwic, mark_open="<<", mark_close=">>", ellipsis="...") == (
        "...三四五<<团结>>六七八..."
    )
    whole = snippet("团结\n一致", parse_query("团结"))
    assert format_kwic_plain(whole) == "[团结] 一致"
