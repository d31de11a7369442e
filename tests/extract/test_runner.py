"""The runner: extraction in a worker process with time, memory and output limits."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

import shiliao.extract
from shiliao.errors import EncryptedDocument, ExtractError, ExtractionLimit, UnsupportedFormat
from shiliao.extract import (
    EXTRACTORS,
    Extractor,
    extract_bytes_inline,
    extract_file,
    extractor_for,
    register_extractor,
    unregister_extractor,
)

from . import helper_extractors
from .conftest import make_pdf, real_fixture

Register = Callable[[str, Extractor], None]


def test_worker_gives_what_the_extractor_gives_in_process() -> None:
    path = real_fixture("html/zj-fzggw-info-release.html")
    in_worker = extract_file(path)
    assert in_worker == extract_bytes_inline(path.read_bytes(), path.name)
    assert in_worker.metadata["date"] == "2016-11-22"


def test_pdf_in_worker() -> None:
    extraction = extract_file(real_fixture("pdf/prc-constitution-2018-text-layer.pdf"))
    assert len(extraction.pages) == 31
    assert extraction.pages[0].text.startswith("中华人民共和国宪法")


def test_encrypted_pdf_raises_encrypted_document_through_the_worker(tmp_path: Path) -> None:
    path = tmp_path / "secret.pdf"
    path.write_bytes(make_pdf([["绝密"]], encrypt="pw"))
    with pytest.raises(EncryptedDocument, match=r"secret\.pdf"):
        extract_file(path)


def test_worker_that_hangs_is_killed_at_the_timeout(tmp_path: Path, registered: Register) -> None:
    registered("application/x-test-slow", helper_extractors.extract_slowly)
    path = tmp_path / "slow.bin"
    path.write_bytes(b"x")
    started = time.monotonic()
    with pytest.raises(ExtractionLimit, match=r"slow\.bin: extraction timed out after 1.5 s"):
        extract_file(path, "application/x-test-slow", timeout_s=1.5)
    assert time.monotonic() - started < 10


def test_worker_that_segfaults_is_an_error_and_the_next_file_still_works(
    tmp_path: Path, registered: Register
) -> None:
    registered("application/x-test-crash", helper_extractors.extract_by_crashing)
    crashing = tmp_path / "crafted.bin"
    crashing.write_bytes(b"\x00")
    with pytest.raises(ExtractError, match=r"crafted\.bin: the extractor process died of SIGSEGV"):
        extract_file(crashing, "application/x-test-crash")

    notice = tmp_path / "notice.txt"
    notice.write_bytes("各县市人民政府：\n现将方案印发给你们。\n".encode("gbk"))
    extraction = extract_file(notice)
    assert extraction.pages[0].text == "各县市人民政府：\n现将方案印发给你们。\n"
    assert extraction.metadata["encoding"] == "gb18030"


def test_memory_limit(tmp_path: Path, registered: Register) -> None:
    registered("application/x-test-greedy", helper_extractors.extract_greedily)
    path = tmp_path / "bomb.bin"
    path.write_bytes(b"x")
    with pytest.raises(ExtractionLimit, match=r"bomb\.bin: ran out of memory"):
        extract_file(path, "application/x-test-greedy", max_memory_bytes=1024**3)


def test_output_limit(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("很长的文字。" * 1000, encoding="utf-8")
    with pytest.raises(ExtractionLimit, match=r"long\.txt: extraction output exceeds 1000 bytes"):
        extract_file(path, max_output_bytes=1000)


def test_parser_chatter_on_stdout_does_not_corrupt_the_reply(
    tmp_path: Path, registered: Register
) -> None:
    registered("application/x-test-loud", helper_extractors.extract_loudly)
    path = tmp_path / "loud.txt"
    path.write_text("正文", encoding="utf-8")
    assert extract_file(path, "application/x-test-loud").pages[0].text == "正文"


def test_unsupported_and_unreadable_files(tmp_path: Path) -> None:
    unknown = tmp_path / "recording.mp3"
    unknown.write_bytes(b"ID3\x04\x00" + bytes(64))
    with pytest.raises(UnsupportedFormat, match="application/octet-stream"):
        extract_file(unknown)
    with pytest.raises(UnsupportedFormat):
        extract_bytes_inline(unknown.read_bytes(), unknown.name)
    with pytest.raises(ExtractError, match="cannot be read"):
        extract_file(tmp_path / "missing.txt")
    with pytest.raises(ExtractError, match=r"missing\.txt: cannot run"):
        extract_file(tmp_path / "missing.txt", "text/plain")


def test_registry_names_extractors_by_module_and_function(registered: Register) -> None:
    assert EXTRACTORS["application/pdf"] == "shiliao.extract.pdf:extract_pdf"
    assert extractor_for("Text/HTML; charset=gbk") == "shiliao.extract.html:extract_html"
    registered("text/plain", helper_extractors.extract_loudly)
    assert EXTRACTORS["text/plain"] == f"{helper_extractors.__name__}:extract_loudly"


def test_unregister_restores_the_builtin_extractor() -> None:
    try:
        register_extractor("text/plain", helper_extractors.extract_loudly)
        register_extractor("application/x-test-new", "somewhere.else:extract_it")
    finally:
        unregister_extractor("text/plain")
        unregister_extractor("application/x-test-new")
    assert EXTRACTORS["text/plain"] == "shiliao.extract.text:extract_text"
    assert "application/x-test-new" not in EXTRACTORS
    with pytest.raises(UnsupportedFormat, match="application/x-test-new"):
        extractor_for("application/x-test-new")


@pytest.mark.parametrize("extractor", [lambda data, name: None, "no_colon", "module:not-a-name"])
def test_register_refuses_what_a_worker_cannot_import(extractor: object) -> None:
    with pytest.raises(ValueError):
        register_extractor("application/x-test-bad", extractor)  # type: ignore[arg-type]
    assert "application/x-test-bad" not in EXTRACTORS


def test_exported_names() -> None:
    assert shiliao.extract.__all__ == [
        "ARCHIVE_MEDIA_TYPES",
        "EXTRACTORS",
        "Extractor",
        "Limits",
        "Unpacked",
        "extract_bytes_inline",
        "extract_file",
        "extract_many",
        "extractor_for",
        "register_extractor",
        "sniff_media_type",
        "split_passages",
        "unpack_archive",
        "unregister_extractor",
    ]
