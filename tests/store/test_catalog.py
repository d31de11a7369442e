"""The archive database: migrations, sources with passages, term mentions, transactions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from shiliao.errors import DiskFull, SchemaError
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


def test_an_archive_from_before_passage_confidence_opens_and_migrates(tmp_path: Path) -> None:
    # An archive as shiliao wrote it before 0004: the first three migrations, one OCR passage.
    path = tmp_path / "shiliao.db"
    old = MIGRATIONS[:3]
    assert [name for name, _ in old][-1] == "0003_passage_language"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for name, sql in old:
        for statement in sql.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("INSERT INTO schema_migrations VALUES (?, '2024-01-01T00:00:00+00:00')", (name,))
    db.execute("INSERT INTO files VALUES (?, 10, 'image/png', 'scan.png', 'x')", ("a" * 64,))
    db.execute(
        "INSERT INTO sources (id, title, type, language, metadata, path, file_sha256, "
        "record_sha256, fingerprint, status, position, updated_at) "
        "VALUES ('scan', 'scan', 'graphic', 'zh-Hans', '{}', 'sources/scan.png', ?, ?, 'fp', "
        "'extracted', 0, 'x')",
        ("a" * 64, "b" * 64),
    )
    db.execute(
        "INSERT INTO passages (source_id, page, paragraph, char_start, char_end, text, method, "
        "language) VALUES ('scan', 1, 1, 0, 4, '民族团结', 'ocr', 'zh-Hans')"
    )
    db.commit()
    db.close()

    with Catalog(path) as catalog:
        assert [(p.text, p.method, p.confidence) for p in catalog.passages("scan")] == [
            ("民族团结", "ocr", None)
        ]
        with catalog.transaction():
            catalog.save_source(
                _source("scan"),
                "fp",
                0,
                [Passage("scan", 1, 1, 0, 4, "结亲活动", "ocr", confidence=0.87)],
            )
        assert [p.confidence for p in catalog.passages("scan")] == [0.87]
        assert [p.confidence for p in catalog.iter_passages()] == [0.87]
    db = sqlite3.connect(path)
    names = [row[0] for row in db.execute("SELECT name FROM schema_migrations")]
    assert names == [name for name, _ in MIGRATIONS] and "0004_passage_confidence" in names
    columns = {row[1]: (row[2], row[3]) for row in db.execute("PRAGMA table_info(passages)")}
    assert columns["confidence"] == ("REAL", 0)  # NULL allowed
    db.close()


def test_a_full_disk_is_one_typed_error_and_nothing_is_written(tmp_path: Path) -> None:
    with Catalog(tmp_path / "shiliao.db") as catalog:
        pages = catalog._db.execute("PRAGMA page_count").fetchone()[0]
        # SQLite's own "database or disk is full" (SQLITE_FULL), as a full disk gives it.
        catalog._db.execute(f"PRAGMA max_page_count = {pages + 1}")
        with pytest.raises(DiskFull) as raised, catalog.transaction():
            for number in range(100):
                catalog.set_state(f"big-{number}", "x" * 10_000)
        assert str(tmp_path) in str(raised.value) and "free space" in str(raised.value)
        assert catalog.get_state("big-0") is None


def test_a_transaction_inside_another_commits_with_it(tmp_path: Path) -> None:
    labels = []
    with Catalog(tmp_path / "shiliao.db", fault=labels.append) as catalog:
        with pytest.raises(RuntimeError), catalog.transaction():
            with catalog.transaction():
                catalog.set_state("inner", 1)
            raise RuntimeError("the outer one fails")
        assert catalog.get_state("inner") is None and labels == []
        with catalog.transaction(), catalog.transaction():
            catalog.set_state("inner", 1)
        assert catalog.get_state("inner") == 1 and labels == ["commit:shiliao.db"]
