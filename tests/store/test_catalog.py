"""The archive database: migrations, sources with passages, term mentions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from shiliao.errors import SchemaError
from shiliao.model import Passage, Source, Term
from shiliao.store import Catalog
from shiliao.store.migrations import MIGRATIONS


def _source(source_id: str = "s1") -> Source:
    return Source(
        id=source_id,
        title="标题",
        date="2017",
        type="report",
        language="zh-Hans",
        metadata={"url": "https://example.org"},
        file_sha256="a" * 64,
        line=3,
        record_sha256="b" * 64,
        path="sources/x.jsonl",
        status="extracted",
    )


def test_migrations_are_recorded_and_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "shiliao.db"
    Catalog(path).close()
    Catalog(path).close()
    db = sqlite3.connect(path)
    names = [row[0] for row in db.execute("SELECT name FROM schema_migrations")]
    assert names == [name for name, _ in MIGRATIONS]
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_newer_or_foreign_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "shiliao.db"
    Catalog(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO schema_migrations VALUES ('9999_future', 'x')")
    db.commit()
    db.close()
    with pytest.raises(SchemaError, match="newer shiliao"):
        Catalog(path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(SchemaError):
        Catalog(junk)


def test_source_passages_and_mentions_round_trip(tmp_path: Path) -> None:
    with Catalog(tmp_path / "shiliao.db") as catalog:
        passages = [
            Passage("s1", 1, 1, 0, 4, "民族团结", "record"),
            Passage("s1", 1, 2, 5, 9, "结亲活动", "record"),
        ]
        with catalog.transaction():
            catalog.record_file("a" * 64, 10, "application/jsonl", "x.jsonl")
            catalog.replace_terms([Term("民族团结", "mínzú tuánjié", ("ethnic unity",))])
            ids = catalog.save_source(_source(), "fp", 0, passages)
            catalog.replace_term_mentions(ids, [("民族团结", ids[0], 0, 4)])
        assert catalog.source("s1") == _source()
        stored = catalog.passages("s1")
        assert [p.text for p in stored] == ["民族团结", "结亲活动"] and [
            p.id for p in stored
        ] == ids
        assert catalog.term_usage() == {"民族团结": (1, 1)}
        with catalog.transaction():
            catalog.delete_sources(["s1"])
        assert catalog.term_usage() == {} and catalog.passages("s1") == []


def test_failed_transaction_rolls_back(tmp_path: Path) -> None:
    with Catalog(tmp_path / "shiliao.db") as catalog:
        with catalog.transaction():
            catalog.record_file("a" * 64, 10, "text/plain", "x.txt")
        with pytest.raises(RuntimeError), catalog.transaction():
            catalog.save_source(_source(), "fp", 0, [Passage("s1", 1, 1, 0, 1, "x", "record")])
            raise RuntimeError("killed mid-write")
        assert catalog.source("s1") is None and catalog.counts()["passages"] == 0
