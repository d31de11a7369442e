"""Fixtures for the search tests: the sample collection's paragraphs and one index of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shiliao.search import PassageIndex
from shiliao.zh.fold import fold

# The sample collection lives beside the repository (read-only); nothing is copied from it.
SOURCES = Path(__file__).resolve().parents[3] / "shared" / "samples" / "jieqin" / "sources"


def load_passages() -> list[tuple[int, str, str]]:
    """Every non-empty paragraph of the sample's two JSON-lines files.

    Returns:
        ``(passage_id, source_id, text)`` with ids from 1 in file order; the source id is the
        file's stem and the 1-based line (``cpc-congress-reports-2``).
    """
    passages = []
    for path in sorted(SOURCES.glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                for paragraph in json.loads(line)["content"].split("\n"):
                    text = paragraph.strip()
                    if text:
                        passages.append((len(passages) + 1, f"{path.stem}-{number}", text))
    return passages


@pytest.fixture(scope="session")
def passages() -> list[tuple[int, str, str]]:
    """The sample's paragraphs, as ``load_passages`` gives them."""
    return load_passages()


@pytest.fixture(scope="session")
def normalized(passages: list[tuple[int, str, str]]) -> dict[int, str]:
    """Passage id to folded text (``zh.fold``, what the index holds), for brute-force scans."""
    return {passage_id: fold(text) for passage_id, _, text in passages}


@pytest.fixture(scope="session")
def sample_index(
    tmp_path_factory: pytest.TempPathFactory, passages: list[tuple[int, str, str]]
) -> PassageIndex:
    """An index of every paragraph of the sample, built once for the whole session."""
    index = PassageIndex.open(tmp_path_factory.mktemp("archive") / "index")
    for passage_id, source_id, text in passages:
        index.add(passage_id, source_id, text)
    index.commit()
    index.close()
    return index
