"""Shared fixtures: where ../shared is, and one built copy of the sample archive per session."""

from __future__ import annotations

import json
import os
from pathlib import Path

import opencc
import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLE = SHARED / "samples" / "jieqin"
FIXTURES = SHARED / "fixtures" / "real"

# Hypothesis settings for every property test: "ci" (the default) keeps the property and fuzz
# tests under a minute together; "long" is for runs by hand, e.g.
# HYPOTHESIS_PROFILE=long python -m pytest tests/properties tests/fuzz. No deadline: the
# machines these run on are shared, and a slow example is no failure.
settings.register_profile("ci", max_examples=100, deadline=None, print_blob=True)
settings.register_profile("long", max_examples=5000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def sample_documents() -> list[dict]:
    """Every record of the sample's JSON-lines files, with ``text`` converted to Simplified by
    OpenCC (phrase-level t2s, independent of shiliao's own normalization)."""
    converter = opencc.OpenCC("t2s")
    documents = []
    for path in sorted((SAMPLE / "sources").glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                record = json.loads(line)
                documents.append(
                    {
                        "path": path.name,
                        "line": number,
                        "title": record["title"],
                        "simplified": converter.convert(record["content"]),
                    }
                )
    return documents


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The real sample collection (read-only)."""
    if not SAMPLE.is_dir():
        pytest.fail(f"the sample collection is missing: {SAMPLE}")
    return SAMPLE


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> dict:
    """The sample built once with ``shiliao build --json``: ``{"archive", "site", "summary"}``."""
    from click.testing import CliRunner

    from shiliao.cli import main

    base = tmp_path_factory.mktemp("sample")
    archive, site = base / "archive", base / "site"
    result = CliRunner().invoke(
        main, ["build", str(sample_dir), "--archive", str(archive), "--out", str(site), "--json"]
    )
    assert result.exit_code == 0, result.output
    return {"archive": archive, "site": site, "summary": json.loads(result.stdout)}


def build_json(collection: Path, base: Path, *extra: str) -> dict:
    """Run ``shiliao build COLLECTION --archive BASE/a --out BASE/s --json`` in this process and
    return its summary; the build must succeed."""
    from click.testing import CliRunner

    from shiliao.cli import main

    result = CliRunner().invoke(
        main,
        [
            "build",
            str(collection),
            "--archive",
            str(base / "a"),
            "--out",
            str(base / "s"),
            "--json",
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)
