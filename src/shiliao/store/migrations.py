"""Schema migrations for the archive database, applied in order, each in its own transaction.

Each migration has a name and SQL; applied names are recorded in ``schema_migrations`` (as
sqlite-utils' migrations do), so opening an older archive brings it up to date and opening a
newer one (a name this shiliao does not know) is refused rather than guessed at.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from shiliao.errors import SchemaError

__all__ = ["MIGRATIONS", "migrate"]

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_initial",
        """
        CREATE TABLE files (
            sha256 TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            media_type TEXT NOT NULL,
            original_name TEXT NOT NULL,
            first_seen TEXT NOT NULL
        );
        CREATE TABLE collection_files (
            path TEXT PRIMARY KEY,
            sha256 TEXT NOT NULL REFERENCES files(sha256)
        );
        CREATE TABLE sources (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            date TEXT,
            type TEXT NOT NULL,
            language TEXT NOT NULL,
            metadata TEXT NOT NULL,
            path TEXT NOT NULL,
            line INTEGER,
            file_sha256 TEXT NOT NULL REFERENCES files(sha256),
            record_sha256 TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            indexed_fingerprint TEXT,
            status TEXT NOT NULL,
            error TEXT,
            position INTEGER NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE passages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            page INTEGER NOT NULL,
            paragraph INTEGER NOT NULL,
            char_start INTEGER NOT NULL,
            char_end INTEGER NOT NULL,
            text TEXT NOT NULL,
            method TEXT NOT NULL
        );
        CREATE INDEX passages_by_source ON passages(source_id, paragraph);
        CREATE TABLE terms (
            term TEXT PRIMARY KEY,
            position INTEGER NOT NULL,
            data TEXT NOT NULL
        );
        CREATE TABLE term_mentions (
            term TEXT NOT NULL,
            passage_id INTEGER NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
            char_start INTEGER NOT NULL,
            char_end INTEGER NOT NULL
        );
        CREATE INDEX term_mentions_by_term ON term_mentions(term);
        CREATE INDEX term_mentions_by_passage ON term_mentions(passage_id);
        CREATE TABLE sections (
            id TEXT PRIMARY KEY,
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            front_matter TEXT NOT NULL,
            body TEXT NOT NULL,
            body_line INTEGER NOT NULL
        );
        CREATE TABLE bibliography (
            id TEXT PRIMARY KEY,
            position INTEGER NOT NULL,
            csl TEXT NOT NULL
        );
        CREATE TABLE state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
    ),
    (
        "0002_ocfl_provenance",
        """
        CREATE TABLE file_versions (
            object_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            logical_path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            sha512 TEXT NOT NULL,
            size INTEGER NOT NULL,
            log_index INTEGER,
            PRIMARY KEY (object_id, version, logical_path)
        );
        CREATE INDEX file_versions_by_sha256 ON file_versions(sha256);
        CREATE TABLE events (
            log_index INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            time TEXT NOT NULL,
            source_id TEXT,
            object_id TEXT,
            version INTEGER,
            data TEXT NOT NULL
        );
        CREATE INDEX events_by_source ON events(source_id);
        CREATE INDEX events_by_object ON events(object_id, version);
        ALTER TABLE sources ADD COLUMN origin TEXT NOT NULL DEFAULT 'collection';
        ALTER TABLE sources ADD COLUMN object_id TEXT;
        ALTER TABLE sources ADD COLUMN object_version INTEGER
        """,
    ),
    (
        "0003_passage_language",
        """
        ALTER TABLE passages ADD COLUMN language TEXT
        """,
    ),
    (
        "0004_passage_confidence",
        """
        ALTER TABLE passages ADD COLUMN confidence REAL
        """,
    ),
    (
        "0005_privacy",
        """
        CREATE TABLE findings (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            key TEXT NOT NULL,
            source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            field TEXT NOT NULL,
            passage_id INTEGER REFERENCES passages(id) ON DELETE CASCADE,
            paragraph INTEGER,
            char_start INTEGER NOT NULL,
            char_end INTEGER NOT NULL,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            role TEXT NOT NULL,
            reason TEXT NOT NULL,
            context TEXT NOT NULL
        );
        CREATE INDEX findings_by_source ON findings(source_id);
        CREATE INDEX findings_by_key ON findings(key);
        CREATE TABLE derivatives (
            original_sha256 TEXT NOT NULL,
            spec_sha256 TEXT NOT NULL,
            sha256 TEXT,
            media_type TEXT,
            size INTEGER,
            note TEXT NOT NULL,
            created TEXT NOT NULL,
            PRIMARY KEY (original_sha256, spec_sha256)
        )
        """,
    ),
    (
        "0006_date_provenance",
        """
        ALTER TABLE sources ADD COLUMN date_source TEXT
        """,
    ),
    (
        "0007_text_layers",
        """
        CREATE TABLE text_layers (
            source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            page INTEGER NOT NULL,
            method TEXT NOT NULL,
            text TEXT NOT NULL,
            reasons TEXT NOT NULL,
            PRIMARY KEY (source_id, page, method)
        )
        """,
    ),
    (
        "0008_annotations",
        """
        CREATE TABLE annotations (
            position INTEGER PRIMARY KEY,
            source_id TEXT NOT NULL,
            paragraph INTEGER NOT NULL,
            note TEXT NOT NULL,
            quote TEXT,
            tags TEXT NOT NULL,
            terms TEXT NOT NULL,
            sources TEXT NOT NULL,
            access TEXT,
            line INTEGER NOT NULL
        );
        CREATE INDEX annotations_by_source ON annotations(source_id, paragraph)
        """,
    ),
    (
        "0009_translations",
        """
        CREATE TABLE translations (
            source_id TEXT NOT NULL,
            language TEXT NOT NULL,
            path TEXT NOT NULL,
            title TEXT,
            translator TEXT,
            note TEXT,
            withheld TEXT NOT NULL DEFAULT '[]',
            PRIMARY KEY (source_id, language)
        );
        CREATE TABLE translation_paragraphs (
            source_id TEXT NOT NULL,
            language TEXT NOT NULL,
            paragraph INTEGER NOT NULL,
            text TEXT NOT NULL,
            PRIMARY KEY (source_id, language, paragraph)
        )
        """,
    ),
]


def migrate(connection: sqlite3.Connection) -> list[str]:
    """Apply every migration not yet applied.

    Args:
        connection: an open connection in autocommit mode (``isolation_level=None``).

    Returns:
        The names applied now, in order (empty when the schema was current).

    Raises:
        SchemaError: the database records a migration this version does not know (it was
            written by a newer shiliao), or a migration fails.
    """
    connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    applied = {row[0] for row in connection.execute("SELECT name FROM schema_migrations")}
    known = {name for name, _ in MIGRATIONS}
    unknown = applied - known
    if unknown:
        raise SchemaError(
            f"the archive was written by a newer shiliao (migrations {', '.join(sorted(unknown))}); "
            "upgrade shiliao to open it"
        )
    done = []
    for name, sql in MIGRATIONS:
        if name in applied:
            continue
        try:
            connection.execute("BEGIN IMMEDIATE")
            for statement in sql.split(";"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                (name, datetime.now(UTC).isoformat(timespec="seconds")),
            )
            connection.execute("COMMIT")
        except sqlite3.Error as exc:
            connection.execute("ROLLBACK")
            raise SchemaError(f"migration {name} failed: {exc}") from exc
        done.append(name)
    return done
