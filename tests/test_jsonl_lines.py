"""A bad line of a JSON-lines file fails alone, with its line number, and long lines are read
under a limit (reliability.md I-nul-surrogate, I-long-line).

Every file here is written by the test; the build test runs the whole pipeline once on a
collection of one small JSON-lines file.
"""

from __future__ import annotations

import hashlib
import json
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from shiliao.cli import main
from shiliao.collection import read_collection
from shiliao.errors import ConfigError

SIDECAR = "each_line:\n  title: '{t}'\n  url: '{u}'\n  text: body\n"


def _good(n: int) -> bytes:
    record = {"t": f"通知{n}", "u": f"https://example.org/{n}", "body": f"关于第{n}次会议的通知。"}
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def _collection(root: Path, lines: list[bytes], *, settings: str = "") -> Path:
    (root / "sources").mkdir(parents=True)
    (root / "sources" / "docs.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    (root / "sources" / "docs.jsonl.yaml").write_text(SIDECAR, encoding="utf-8")
    if settings:
        (root / "shiliao.toml").write_text(settings, encoding="utf-8")
    return root


# Each bad line, and what its reason says.
BAD_LINES = {
    "raw NUL byte": (b'{"t": "a", "u": "", "body": "x\x00y"}', "not valid JSON"),
    "NUL bytes around an empty object (json.loads(bytes) guesses UTF-16)": (
        b"\x00{\x00}",
        "not valid JSON",
    ),
    "invalid UTF-8": (b'{"t": "\xff\xfe", "u": "", "body": "x"}', "not UTF-8"),
    "UTF-8-encoded surrogate": (b'{"t": "a", "u": "", "body": "\xed\xa0\x80"}', "not UTF-8"),
    "escaped lone surrogate": (rb'{"t": "a", "u": "", "body": "x\ud800"}', "lone surrogate"),
    "not JSON": (b"{not json", "not valid JSON"),
    "a list, not an object": (b"[1, 2]", "must be a JSON object"),
    "nested too deeply": (b'{"t": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested"),
    "a 5,000-digit number": (b'{"t": ' + b"7" * 5000 + b', "body": "x"}', "not readable"),
    "deep value through a template": (
        b'{"t": ' + b"[" * 900 + b"]" * 900 + b', "u": "", "body": "x"}',
        None,
    ),
    "no text field": (b'{"t": "a", "u": ""}', "(the text) is missing"),
}


@pytest.mark.parametrize("name", BAD_LINES)
def test_a_bad_line_fails_alone_with_its_number(tmp_path: Path, name: str) -> None:
    bad, reason = BAD_LINES[name]
    root = _collection(tmp_path / "c", [_good(1), bad, b"", _good(4)])
    collection = read_collection(root)
    if reason is None:
        # Read or refused, but never an exception out of the reader.
        assert {s.line for s in collection.sources} >= {1, 4}
        return
    assert [s.line for s in collection.sources] == [1, 4]
    assert [s.metadata["title"] for s in collection.sources] == ["通知1", "通知4"]
    (failure,) = collection.failed
    assert failure["path"] == "sources/docs.jsonl"
    assert failure["line"] == 2
    assert failure["reason"].startswith("line 2: ")
    assert reason in failure["reason"]
    assert collection.problems == [f"sources/docs.jsonl: {failure['reason']}"]


def test_good_lines_keep_their_ids_and_digests_beside_bad_ones(tmp_path: Path) -> None:
    clean = read_collection(_collection(tmp_path / "a", [_good(1), _good(2)]))
    mixed = read_collection(_collection(tmp_path / "b", [_good(1), b"\x00", _good(2)]))
    assert [(s.id, s.record_sha256, s.fingerprint) for s in clean.sources] == [
        (s.id, s.record_sha256, s.fingerprint) for s in mixed.sources
    ]


def test_a_byte_order_mark_opens_the_first_line_only(tmp_path: Path) -> None:
    root = _collection(tmp_path / "c", [b"\xef\xbb\xbf" + _good(1), b"\xef\xbb\xbf" + _good(2)])
    collection = read_collection(root)
    assert [s.line for s in collection.sources] == [1]
    assert [f["line"] for f in collection.failed] == [2]


def test_crlf_and_a_last_line_without_newline(tmp_path: Path) -> None:
    root = tmp_path / "c"
    _collection(root, [])
    (root / "sources" / "docs.jsonl").write_bytes(_good(1) + b"\r\n" + _good(2))
    collection = read_collection(root)
    assert [s.line for s in collection.sources] == [1, 2]
    assert collection.sources[0].record_sha256 == hashlib.sha256(_good(1)).hexdigest()


def test_a_line_over_the_limit_is_skipped_and_never_held_whole(tmp_path: Path) -> None:
    limit = 4096
    long_line = b'{"t": "a", "u": "", "body": "' + b"x" * 24_000_000 + b'"}'
    root = _collection(
        tmp_path / "c",
        [_good(1), long_line, _good(3)],
        settings=f"[extract]\nmax_line_bytes = {limit}\n",
    )
    tracemalloc.start()
    try:
        collection = read_collection(root)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [s.line for s in collection.sources] == [1, 3]
    (failure,) = collection.failed
    assert failure["line"] == 2
    assert f"longer than {limit} bytes" in failure["reason"]
    # The line is 24 MB; it is read past in 1 MiB pieces (about 3 MiB at the peak, whatever
    # the line's length), and the file is hashed in blocks.
    assert peak < 8 * 2**20


@pytest.mark.parametrize("extra", [0, 1])
def test_the_limit_is_on_the_line_without_its_newline(tmp_path: Path, extra: int) -> None:
    line, short = _good(1), b'{"t": "b", "u": "", "body": "y"}'
    settings = f"[extract]\nmax_line_bytes = {len(line) - extra}\n"
    collection = read_collection(_collection(tmp_path / "c", [line, short], settings=settings))
    assert [s.line for s in collection.sources] == ([1, 2] if extra == 0 else [2])


def test_the_limit_must_be_an_integer(tmp_path: Path) -> None:
    root = _collection(tmp_path / "c", [_good(1)], settings='[extract]\nmax_line_bytes = "big"\n')
    with pytest.raises(ConfigError, match="max_line_bytes"):
        read_collection(root)


@pytest.mark.slow
def test_the_build_reports_a_bad_line_and_builds_the_others(tmp_path: Path) -> None:
    root = _collection(tmp_path / "c", [_good(1), b'{"t": "\x00"}', _good(3)])
    result = CliRunner().invoke(
        main,
        [
            "build",
            str(root),
            "--archive",
            str(tmp_path / "archive"),
            "--out",
            str(tmp_path / "site"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["sources"] == 2
    (failure,) = summary["failed"]
    assert failure["path"] == "sources/docs.jsonl"
    assert failure["line"] == 2
    assert "not valid JSON" in failure["reason"]
    assert any(w.startswith("sources/docs.jsonl: line 2: ") for w in summary["warnings"])
