"""Properties of the collection reader's JSON-lines files and sidecars (``collection``): any
sidecar text is a mapping or a ``SidecarError``; any JSON-lines file gives one source per good
line and one failure per bad line, each with its line number, never an exception."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from shiliao.collection import read_collection
from shiliao.collection.sidecar import (
    apply_line_mapping,
    check_metadata,
    load_sidecar,
    parse_line_mapping,
)
from shiliao.collection.yamlfile import YamlProblem, load_yaml
from shiliao.errors import SidecarError
from tests.properties.strategies import chars, scaled

_YAML_PIECES = st.sampled_from(
    [
        "each_line:\n",
        "defaults:\n",
        "  text: body\n",
        "  title: '{t}'\n",
        "  date: {from: y, map: {1: 1921-07}}\n",
        "  access: '{a}'\n",
        "access: team\n",
        "access: {embargo: 2030-01-01, then: public}\n",
        "title: 通知\n",
        "date: 2019-02-30\n",
        "date: 2019-02-03\n",
        "extra: {a: 1}\n",
        "private: true\n",
        "id: a-b\n",
        "- ",
        "[",
        "]",
        "{",
        "}",
        ": ",
        "&a ",
        "*a",
        "!!python/object:os.system ",
        "!!binary ",
        "? ",
        "---\n",
        "...\n",
        "%YAML 1.1\n",
        "  ",
        "\n",
        "\t",
        "'",
        '"',
        "\x00",
        "\ufeff",
    ]
)
_YAML = st.lists(st.one_of(_YAML_PIECES, chars(surrogates=False)), max_size=25).map("".join)
# JSON values as a line's fields may hold them.
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=8,
)
_RECORDS = st.dictionaries(
    st.sampled_from(["t", "u", "body", "text", "content", "y", "a", "id", "url"]), _JSON
)


@given(_YAML)
@example("[" * 10_000)
@example("a: &a [*a]\n")
@example("date: 2019-02-30\n")
def test_any_text_is_yaml_or_a_yaml_problem(text: str) -> None:
    try:
        load_yaml(text)
        load_yaml(text, lines=True)
    except YamlProblem as exc:
        assert str(exc)


@given(_YAML)
@example("a: &a [*a]\n")
@example("l0: &l0 [x, x, x]\nl1: &l1 [*l0, *l0, *l0]\nl2: [*l1, *l1, *l1]\n")
@example("extra: " + "[" * 10_000)
def test_any_sidecar_is_a_mapping_or_a_sidecar_error(text: str) -> None:
    try:
        data = load_sidecar(text, "sources/x.jsonl.yaml")
    except SidecarError as exc:
        assert "sources/x.jsonl.yaml" in str(exc)
        return
    assert isinstance(data, dict)
    for check in (
        lambda: check_metadata(data, "sources/x.jsonl.yaml"),
        lambda: parse_line_mapping(data, "sources/x.jsonl.yaml"),
    ):
        try:
            check()
        except SidecarError as exc:
            assert "sources/x.jsonl.yaml" in str(exc)


@given(_YAML, _RECORDS)
def test_a_mapping_applies_to_any_record_or_names_the_line(text: str, record: dict) -> None:
    try:
        mapping = parse_line_mapping(load_sidecar(text, "x.yaml"), "x.yaml")
    except SidecarError:
        return
    try:
        metadata, line_text = apply_line_mapping(mapping, record, "x.jsonl", 7)
    except SidecarError as exc:
        assert "line 7" in str(exc)
        return
    assert all(value is not None for value in metadata.values())
    assert line_text is None or isinstance(line_text, str)


_SIDECAR = "each_line:\n  title: '{t}'\n  url: '{u}'\n  text: body\n"
_GOOD = st.fixed_dictionaries(
    {"t": st.text(chars(surrogates=False), max_size=10), "body": st.text(max_size=20)},
    optional={"u": st.text(max_size=10)},
).map(lambda record: json.dumps(record, ensure_ascii=False).encode("utf-8"))
# Lines as they come: good records, JSON that is no source, bytes that are no JSON.
_LINE = st.one_of(
    _GOOD,
    _GOOD,
    st.binary(max_size=40).map(lambda line: line.replace(b"\n", b"")),
    _JSON.map(lambda value: json.dumps(value).encode()),
    _RECORDS.map(lambda record: json.dumps(record).encode()),
    st.sampled_from([b"", b"  ", b"\r", b"\x00", b"\xef\xbb\xbf{}", b'{"body": "\\ud800"}']),
)


@settings(max_examples=scaled(0.5))
@given(st.lists(_LINE, max_size=12), st.booleans(), st.integers(8, 400))
def test_every_line_is_a_source_or_a_failure_with_its_number(
    lines: list[bytes], last_newline: bool, limit: int
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "sources").mkdir()
        content = b"\n".join(lines) + (b"\n" if last_newline and lines else b"")
        (root / "sources" / "docs.jsonl").write_bytes(content)
        (root / "sources" / "docs.jsonl.yaml").write_text(_SIDECAR, encoding="utf-8")
        (root / "shiliao.toml").write_text(f"[extract]\nmax_line_bytes = {limit}\n")
        collection = read_collection(root)
    numbered = dict(enumerate((line.rstrip(b"\r") for line in lines), start=1))
    sources = {source.line: source for source in collection.sources}
    failed = {row["line"]: row for row in collection.failed}
    assert not set(sources) & set(failed)
    for number, line in numbered.items():
        if not line.strip() and len(line) <= limit:
            assert number not in sources and number not in failed
        elif len(line) > limit:
            assert "longer than" in failed[number]["reason"]
        else:
            assert number in sources or number in failed
    for number, source in sources.items():
        assert source.record_sha256 == hashlib.sha256(numbered[number]).hexdigest()
        assert source.text == json.loads(numbered[number].decode("utf-8-sig"))["body"]
        source.text.encode("utf-8")
    for number, row in failed.items():
        assert row["path"] == "sources/docs.jsonl"
        assert row["reason"].startswith(f"line {number}: ")
    assert len({source.id for source in collection.sources}) == len(collection.sources)
