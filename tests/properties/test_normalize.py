"""Properties of the text normalization (``zh.normalize``) and search folding (``zh.fold``):
per-code-point round trips, and offset maps under which every normalized span comes from a
span of the original."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shiliao.zh.fold import fold, fold_query, fold_with_offsets, unit_pattern
from shiliao.zh.normalize import normalize, normalize_char, normalize_with_offsets, t2s_table
from tests.properties.strategies import chars, texts


@given(texts(), texts())
def test_normalize_is_per_code_point(a: str, b: str) -> None:
    assert normalize(a + b) == normalize(a) + normalize(b)
    assert normalize(a) == "".join(normalize_char(char) for char in a)


@given(texts())
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(chars())
def test_a_code_point_normalizes_to_at_least_one(char: str) -> None:
    folded = normalize_char(char)
    assert folded
    assert normalize(folded) == folded
    # White space is kept where it is: a space stays one space (NFKC may make it U+0020).
    if char.isspace():
        assert len(folded) == 1 and folded.isspace()


def _check_offsets(text: str, normalized: str, offsets: list[int]) -> None:
    assert len(offsets) == len(normalized) + 1
    assert offsets[-1] == len(text)
    assert offsets == sorted(offsets)
    assert all(0 <= at < len(text) for at in offsets[:-1])
    # Every code point of the original is the source of at least one normalized one.
    assert set(offsets[:-1]) == set(range(len(text)))


@given(texts(max_size=60))
def test_offsets_map_each_normalized_code_point_to_its_source(text: str) -> None:
    normalized, offsets = normalize_with_offsets(text)
    assert normalized == normalize(text)
    _check_offsets(text, normalized, offsets)
    position = 0
    for index, char in enumerate(text):
        piece = normalize_char(char)
        assert normalized[position : position + len(piece)] == piece
        assert offsets[position : position + len(piece)] == [index] * len(piece)
        position += len(piece)


@given(texts(max_size=40), st.data())
def test_every_normalized_span_comes_from_a_span_of_the_original(
    text: str, data: st.DataObject
) -> None:
    normalized, offsets = normalize_with_offsets(text)
    i = data.draw(st.integers(0, len(normalized)))
    j = data.draw(st.integers(i, len(normalized)))
    if i == j:
        return
    source = text[offsets[i] : offsets[j - 1] + 1]
    assert normalized[i:j] in normalize(source)
    # Ending at offsets[j] gives the same span unless j falls inside one code point's expansion.
    if j == len(normalized) or offsets[j] != offsets[j - 1]:
        assert text[offsets[i] : offsets[j]] == source


@given(st.sampled_from(sorted(t2s_table().items())))
def test_the_t2s_table_maps_one_code_point_to_a_fixed_one(pair: tuple[str, str]) -> None:
    traditional, simplified = pair
    assert len(traditional) == len(simplified) == 1
    assert traditional != simplified
    assert t2s_table().get(simplified, simplified) == simplified
    assert normalize(traditional) == normalize(simplified)


@given(texts(max_size=40, surrogates=False))
def test_fold_keeps_the_normalized_length_and_its_offsets(text: str) -> None:
    folded, offsets = fold_with_offsets(text)
    normalized = normalize(text)
    assert folded == fold(text)
    assert len(folded) == len(normalized) == len(fold_query(text))
    _check_offsets(text, folded, offsets)
    # Where fold differs from normalize it keeps a Traditional character of the same fold.
    for kept, plain in zip(folded, normalized, strict=True):
        assert kept == plain or normalize(kept) == plain


@given(texts(max_size=40, surrogates=False))
def test_fold_is_stable_on_its_own_output(text: str) -> None:
    folded = fold(text)
    assert normalize(folded) == normalize(text)


@given(texts(max_size=40, surrogates=False), st.data())
def test_a_literal_substring_always_matches_its_text(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    unit = fold_query(text[start:end])
    assert unit_pattern(unit).search(fold(text)) is not None, (text[start:end], text)
