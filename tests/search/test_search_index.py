"""The index finds exactly the passages a brute-force substring scan finds, on the real sample."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from shiliao.errors import QueryError, SearchError
from shiliao.search import PassageIndex, parse_query
from shiliao.zh.fold import fold_query, unit_pattern

WORDS = ["民族团结", "干部", "新疆", "亲戚", "结对", "精准扶贫", "两个维护", "中华民族共同体意识"]


def scan(normalized: dict[int, str], *words: str) -> set[int]:
    """Passages whose folded text has every folded word (no index involved)."""
    keys = [unit_pattern(fold_query(word)) for word in words]
    return {pid for pid, text in normalized.items() if all(key.search(text) for key in keys)}


def found(index: PassageIndex, query: str) -> set[int]:
    result = index.search(query, limit=None)
    assert result.total == len(result.passage_ids)
    ids = set(result.passage_ids)
    assert len(ids) == len(result.passage_ids)
    return ids


def random_queries(passages: list[tuple[int, str, str]], count: int) -> list[str]:
    """Strings of 1 to 6 characters without whitespace, half cut from the corpus (present),
    half glued from two pieces of different paragraphs (mostly absent: false matches show)."""
    rng = random.Random(20240607)
    texts = [text for _, _, text in passages if len(text) >= 8]
    queries: list[str] = []
    while len(queries) < count:
        length = rng.randint(1, 6)
        if len(queries) % 2 == 0:
            text = rng.choice(texts)
            start = rng.randrange(len(text) - length + 1)
            candidate = text[start : start + length]
        else:
            cut = rng.randint(1, max(1, length - 1))
            first, second = rng.choice(texts), rng.choice(texts)
            a = rng.randrange(len(first) - cut + 1)
            b = rng.randrange(len(second) - (length - cut) + 1)
            candidate = first[a : a + cut] + second[b : b + length - cut]
        if candidate and not any(char.isspace() or char in '"＂' for char in candidate):
            queries.append(candidate)
    return queries


@pytest.mark.parametrize("word", WORDS)
def test_campaign_words_match_brute_force(sample_index, normalized, word):
    expected = scan(normalized, word)
    assert found(sample_index, word) == expected


def test_random_strings_match_brute_force(sample_index, normalized, passages):
    queries = random_queries(passages, 64)
    present = 0
    for query in queries:
        expected = scan(normalized, query)
        present += bool(expected)
        assert found(sample_index, query) == expected, query
    # Both kinds were exercised: strings that occur and strings that do not.
    assert 0 < present < len(queries)


def test_every_word_occurs_in_the_sample(normalized):
    # Guards the exactness tests above: each word has passages to find (亲戚 has one).
    assert all(scan(normalized, word) for word in WORDS)


def test_traditional_query_finds_simplified_text(sample_index, passages):
    simplified = {pid for pid, _, text in passages if "团结" in text}
    assert simplified
    assert simplified <= found(sample_index, "團結")
    assert found(sample_index, "團結") == found(sample_index, "团结")


def test_simplified_query_finds_traditional_text(sample_index, passages):
    # cpc-congress-reports line 2 (廣州共產黨報告, 1921) has 美國 in Traditional characters;
    # line 3 (1923) is written in Traditional throughout.
    traditional = {pid for pid, source, text in passages if "美國" in text}
    assert any(
        source == "cpc-congress-reports-2" for pid, source, text in passages if pid in traditional
    )
    assert traditional <= found(sample_index, "美国")
    committee = {
        pid
        for pid, source, text in passages
        if source == "cpc-congress-reports-3" and "中央委員會" in text
    }
    assert len(committee) > 3
    assert committee <= found(sample_index, "中央委员会")


def test_full_width_digits_match_half_width(sample_index, passages):
    raw = {pid for pid, _, text in passages if "2019" in text or "２０１９" in text}
    assert raw
    assert found(sample_index, "２０１９") == found(sample_index, "2019") == raw


def test_and_of_words(sample_index, normalized):
    expected = scan(normalized, "民族", "新疆")
    assert expected
    assert len(expected) < len(scan(normalized, "新疆"))
    # Full-width (ideographic) space separates words too.
    assert found(sample_index, "民族　新疆") == expected
    assert found(sample_index, "改革 开放 干部") == scan(normalized, "改革", "开放", "干部")


def test_quoted_phrase_without_spaces_is_a_substring(sample_index, normalized):
    assert found(sample_index, '"民族团结"') == scan(normalized, "民族团结")


def test_limit_gives_the_top_of_the_full_ranking(sample_index):
    everything = sample_index.search("发展", limit=None)
    top = sample_index.search("发展", limit=20)
    assert everything.total > 20
    assert top.total == everything.total
    assert top.passage_ids == everything.passage_ids[:20]
    assert sample_index.search("发展", limit=0).passage_ids == []
    assert sample_index.search("发展", limit=0).total == everything.total


def test_ties_are_ordered_by_passage_id(tmp_path):
    with PassageIndex.open(tmp_path / "index") as index:
        for passage_id in (9, 3, 7, 1, 5):
            index.add(passage_id, "same", "干部下基层")
        index.commit()
        assert index.search("干部", limit=3).passage_ids == [1, 3, 5]
        assert index.search("干部", limit=None).passage_ids == [1, 3, 5, 7, 9]


def test_unclosed_quote_raises(sample_index):
    with pytest.raises(QueryError):
        sample_index.search('"民族团结', limit=10)


@pytest.fixture
def small_index(tmp_path: Path):
    texts = {
        1: "ＡＢＣ公司",
        2: "abc",
        3: "Abc Def",
        4: "xab bcy",
        5: "民族 团结",
        6: "民族团结",
        7: "Four  Togethers",
        8: "four togethers",
        9: "哈哈哈",
    }
    with PassageIndex.open(tmp_path / "index") as index:
        for passage_id, text in texts.items():
            index.add(passage_id, f"source-{passage_id % 2}", text)
        index.commit()
        yield index


def test_full_width_letters_match_half_width(small_index):
    assert found(small_index, "ＡＢＣ") == found(small_index, "abc") == {1, 2, 3}
    assert found(small_index, "ABC") == {1, 2, 3}


def test_no_match_across_whitespace(small_index):
    assert found(small_index, "abc") == {1, 2, 3}  # not 4: "xab bcy" has no "abc"
    assert found(small_index, "ab") == {1, 2, 3, 4}
    assert found(small_index, "bc") == {1, 2, 3, 4}
    assert found(small_index, "民族团结") == {6}


def test_quoted_phrase_with_spaces_is_exact(small_index):
    assert found(small_index, '"民族 团结"') == {5}
    assert found(small_index, '"four togethers"') == {8}
    assert found(small_index, '"four  togethers"') == {7}
    assert found(small_index, '"b b"') == {4}
    assert found(small_index, "four togethers") == {7, 8}


def test_repeated_characters(small_index):
    assert found(small_index, "哈哈") == {9}
    assert found(small_index, "哈哈哈") == {9}
    assert found(small_index, "哈哈哈哈") == set()


def test_delete_source(small_index):
    small_index.delete_source("source-1")
    small_index.commit()
    assert small_index.passage_count == 4
    assert found(small_index, "abc") == {2}
    assert found(small_index, "哈") == set()


def test_delete_source_on_the_sample(tmp_path, passages, normalized):
    with PassageIndex.open(tmp_path / "index") as index:
        for passage_id, source_id, text in passages:
            if source_id.startswith("cpc-"):
                index.add(passage_id, source_id, text)
        index.commit()
        index.delete_source("cpc-congress-reports-3")
        index.commit()
        remaining = {
            pid
            for pid, source, _ in passages
            if source.startswith("cpc-") and source != "cpc-congress-reports-3"
        }
        assert index.passage_count == len(remaining)
        expected = {pid for pid in scan(normalized, "中央委员会") if pid in remaining}
        assert expected
        assert found(index, "中央委员会") == expected


def test_reopen_sees_committed_passages_only(tmp_path):
    path = tmp_path / "index"
    with PassageIndex.open(path) as index:
        index.add(1, "a", "精准扶贫")
        index.commit()
        index.add(2, "a", "精准扶贫")
    reopened = PassageIndex.open(path, create=False)
    assert reopened.search("扶贫", limit=None).passage_ids == [1]


def test_missing_index_without_create(tmp_path):
    with pytest.raises(SearchError):
        PassageIndex.open(tmp_path / "absent", create=False)


def test_one_writer_at_a_time(tmp_path):
    path = tmp_path / "index"
    with PassageIndex.open(path) as first, PassageIndex.open(path) as second:
        first.add(1, "a", "干部")
        with pytest.raises(SearchError):
            second.add(2, "a", "干部")


def test_parsed_query_is_accepted(small_index):
    assert set(small_index.search(parse_query("團結"), limit=None).passage_ids) == {5, 6}
