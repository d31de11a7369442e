"""The one normalization: NFKC, lower case, Traditional to Simplified, code point by code point."""

from __future__ import annotations

import json
import random
import time
import unicodedata
from pathlib import Path

import pytest

from shiliao.zh.normalize import normalize, normalize_char, normalize_with_offsets, t2s_table

SOURCES = Path(__file__).resolve().parents[3] / "shared" / "samples" / "jieqin" / "sources"


@pytest.fixture(scope="module")
def sample_text() -> str:
    """The content of every record of the sample's two JSON-lines files, joined."""
    contents = []
    for path in sorted(SOURCES.glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            contents.extend(json.loads(line)["content"] for line in lines)
    return "\n".join(contents)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＡＢＣ", "abc"),
        ("２０１９年", "2019年"),
        ("民族團結", "民族团结"),
        ("中華人民共和國", "中华人民共和国"),
        ("Xinjiang", "xinjiang"),
        ("第㈠条", "第(一)条"),
        ("新疆\u3000干部", "新疆 干部"),
        ("，", ","),
        ("ΟΔΟΣ", "οδοσ"),  # per code point: no final-sigma rule, as in JavaScript per char
        ("\uf967", "不"),  # a CJK compatibility ideograph
        ("", ""),
    ],
)
def test_examples(text, expected):
    assert normalize(text) == expected


def test_t2s_table():
    table = t2s_table()
    assert len(table) > 5000
    assert table["團"] == "团" and table["國"] == "国" and table["幹"] == "干"
    assert all(len(key) == 1 and len(value) == 1 for key, value in table.items())
    # Chains are resolved (薴 -> 苧 -> 苎), so no value is itself a key.
    assert table["薴"] == "苎" and table["苧"] == "苎"
    assert not set(table.values()) & set(table)
    assert "团" not in table
    table["团"] = "x"
    assert "团" not in t2s_table()


def test_variants_that_opencc_leaves_alone_are_folded():
    # Unihan kSemanticVariant (鬭 ~ 鬥), STCharacters' second candidate (鎗), Taiwan 裡;
    # 著, whose Taiwan reading depends on the phrase, is left to zh.fold.
    assert normalize("鬭鎗裡著") == "斗枪里著"
    assert not set(t2s_table().values()) & set(t2s_table())


def test_normalize_char_steps_in_order():
    for code in [*range(0x20, 0x250), *range(0xFF00, 0xFFEF), 0x2160, 0x212A]:
        char = chr(code)
        nfkc_lower = unicodedata.normalize("NFKC", char).lower()
        assert normalize_char(char) == "".join(t2s_table().get(c, c) for c in nfkc_lower)
    with pytest.raises(ValueError):
        normalize_char("ab")
    with pytest.raises(ValueError):
        normalize_char("")


def test_idempotent_and_never_empty_on_the_bmp():
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        once = normalize_char(chr(code))
        assert once, hex(code)
        assert normalize(once) == once, hex(code)


def test_piecewise_equals_whole(sample_text):
    rng = random.Random(7)
    cuts = sorted(rng.sample(range(len(sample_text)), 200))
    pieces = [sample_text[a:b] for a, b in zip([0, *cuts], [*cuts, len(sample_text)], strict=True)]
    assert "".join(normalize(piece) for piece in pieces) == normalize(sample_text)


def test_offsets_map_every_normalized_char_to_its_source(sample_text):
    normalized, offsets = normalize_with_offsets(sample_text)
    assert normalized == normalize(sample_text)
    assert len(offsets) == len(normalized) + 1
    assert offsets[-1] == len(sample_text)
    # Some code points of the sample expand (…, ⑴), so this is not the identity.
    assert len(normalized) > len(sample_text)
    assert offsets == sorted(offsets)
    start = 0
    for index, char in enumerate(sample_text):
        end = start + len(normalize_char(char))
        assert offsets[start:end] == [index] * (end - start)
        start = end


def test_offsets_without_expansion_are_the_identity():
    assert normalize_with_offsets("團結ＡＢ") == ("团结ab", [0, 1, 2, 3, 4])
    assert normalize_with_offsets("a㈠…") == ("a(一)...", [0, 1, 1, 1, 2, 2, 2, 3])


def test_the_sample_normalizes_fast(sample_text):
    normalize("warm up the table")
    started = time.perf_counter()
    normalize(sample_text)
    assert time.perf_counter() - started < 3.0


def test_the_saved_tables_are_what_this_opencc_and_unicode_give() -> None:
    """normalization.json (read instead of computing the tables in every process) holds
    exactly what computing them gives, for the OpenCC and Unicode versions it names; with
    other versions it is not used (and this test says to write it again)."""
    import json
    from pathlib import Path

    import shiliao.zh.normalize as module

    saved = json.loads(
        (Path(module.__file__).with_name("normalization.json")).read_text(encoding="utf-8")
    )
    computed = module.compute_precomputed()
    if saved["inputs"] != computed["inputs"]:
        # Made from other versions: it must not be used (normalizing is then as slow as it
        # was, and as right); `write_precomputed()` makes it again.
        assert module._precomputed() is None
        return
    assert saved["t2s"] == computed["t2s"]
    assert saved["bmp"] == computed["bmp"]
