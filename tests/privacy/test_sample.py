"""The sample (88 official reports) holds no private personal data: the public projection
publishes every source in full, and its search index and term pages are byte for byte those
built from the whole archive."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiliao.archive import open_archive
from shiliao.config import load_settings
from shiliao.publish import build_site
from tests.conftest import SAMPLE


def _files(folder: Path, prefixes: tuple[str, ...]) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).as_posix().startswith(prefixes)
    }


@pytest.mark.slow
def test_the_sample_is_published_in_full(built_sample: dict, tmp_path: Path) -> None:
    summary = built_sample["summary"]
    assert summary["privacy"]["levels"] == {"public": 88}
    assert summary["privacy"]["unreviewed_findings"] == 0
    with open_archive(built_sample["archive"]) as archive:
        findings = archive.catalog.findings()
        # Officials are named (毛泽东主席, 周恩来总理...), all in a public role.
        assert findings and {f.role for f in findings} == {"public"}
        build_site(archive.catalog, archive.blobs, tmp_path / "whole", load_settings(SAMPLE))
    prefixes = ("search/", "terms/", "formulas/")
    projected = _files(built_sample["site"], prefixes)
    whole = _files(tmp_path / "whole", prefixes)
    assert len(projected) > 300
    assert projected == whole
