"""Serial, threaded and Dask extraction give the same passages, in the order of the jobs."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiliao.errors import ExtractError, UnsupportedFormat
from shiliao.extract import split_passages
from shiliao.extract.pool import Limits, extract_many

from .conftest import real_fixture

REAL_FILES = [
    "pdf/prc-constitution-2018-text-layer.pdf",
    "html/sxmu-jijian-supervision-law.html",
    "html/shanxi-gov-portal-news.html",
    "html/zj-fzggw-info-release.html",
    "image/easyocr-street-sign-yuyuan-rd.jpg",
]
LIMITS = Limits(timeout_s=240)


def batch(tmp_path: Path) -> list[tuple[str, Path, str | None]]:
    jobs: list[tuple[str, Path, str | None]] = [
        (name, real_fixture(name), None) for name in REAL_FILES
    ]
    unknown = tmp_path / "recording.mp3"
    unknown.write_bytes(b"ID3" + bytes(100))
    jobs.insert(2, ("unknown", unknown, None))
    jobs.append(("missing", tmp_path / "missing.pdf", "application/pdf"))
    return jobs


def passages_of(results: list[tuple[str, object]]) -> dict[str, object]:
    found: dict[str, object] = {}
    for key, result in results:
        if isinstance(result, ExtractError):
            found[key] = (type(result).__name__, str(result))
        else:
            found[key] = split_passages(key, result.pages, result.method)  # type: ignore[attr-defined]
    return found


@pytest.mark.slow
def test_serial_threads_and_dask_give_the_same_passages(tmp_path: Path) -> None:
    jobs = batch(tmp_path)
    serial = list(extract_many(jobs, limits=LIMITS))
    threaded = list(extract_many(jobs, workers=2, limits=LIMITS))
    on_dask = list(extract_many(jobs, workers=2, dask="local", limits=LIMITS))

    keys = [key for key, _, _ in jobs]
    assert (
        [key for key, _ in serial]
        == [key for key, _ in threaded]
        == [key for key, _ in on_dask]
        == keys
    )
    assert passages_of(serial) == passages_of(threaded) == passages_of(on_dask)
    # Whole extractions too: metadata (OCR lines and confidences included) and languages.
    assert [result for _, result in serial if not isinstance(result, ExtractError)] == [
        result for _, result in on_dask if not isinstance(result, ExtractError)
    ]
    results = dict(serial)
    assert isinstance(results["unknown"], UnsupportedFormat)
    assert isinstance(results["missing"], ExtractError)
    constitution = passages_of(serial)["pdf/prc-constitution-2018-text-layer.pdf"]
    assert isinstance(constitution, list) and constitution[0].text == "中华人民共和国宪法"
    sign = passages_of(serial)["image/easyocr-street-sign-yuyuan-rd.jpg"]
    assert isinstance(sign, list) and {passage.method for passage in sign} == {"ocr"}


def test_workers_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        list(extract_many([], workers=0))


def test_results_keep_job_order_however_they_finish(tmp_path: Path) -> None:
    # A slow PDF first and quick texts after it: the texts finish first, come back after it.
    texts = []
    for number in range(6):
        path = tmp_path / f"{number}.txt"
        path.write_text(f"第{number}号通知")
        texts.append((f"t{number}", path, None))
    jobs = [("pdf", real_fixture(REAL_FILES[0]), None), *texts]
    results = list(extract_many(jobs, workers=3))
    assert [key for key, _ in results] == ["pdf", *(f"t{n}" for n in range(6))]
    assert [result.pages[0].text for _, result in results[1:]] == [f"第{n}号通知" for n in range(6)]  # type: ignore[union-attr]
