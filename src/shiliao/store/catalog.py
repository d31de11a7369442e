"""The archive database (``shiliao.db``): metadata, passages, terms, sections, bibliography.

SQLite in WAL mode with foreign keys on and a busy timeout; one writer at a time, each write
in a ``BEGIN IMMEDIATE`` transaction (the fix datasette and others arrived at for "database is
locked"). In WAL mode readers never wait for the writer and see only committed transactions;
one shiliao writes at a time anyway (``store.lock``). JSON columns hold mappings that the
schema does not need to query.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shiliao.errors import DiskFull, SchemaError, StoreError
from shiliao.model import (
    Annotation,
    Finding,
    Passage,
    Section,
    Source,
    Term,
    TextLayer,
    Translation,
)
from shiliao.store.migrations import migrate

__all__ = ["Catalog"]

_BUSY_TIMEOUT_MS = 30_000


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _disk_full(exc: BaseException) -> bool:
    """Whether SQLite (SQLITE_FULL) or the system (ENOSPC, EDQUOT) found the disk full."""
    if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
        return True
    return DiskFull.cause_of(exc)


class Catalog:
    """The database of one archive.

    Args:
        path: the ``shiliao.db`` file; created (and migrated) when missing.
        references: enforce foreign keys (an archive's database); off for the public
            projection (``privacy.projection``), whose sources may name no offered file.
        fault: called with ``"commit:<file name>"`` before every commit of ``transaction``;
            for crash tests (``store.ocfl.OcflStore`` has the same hook).

    Raises:
        SchemaError: the file is not a shiliao database, or is newer than this shiliao.
    """

    def __init__(
        self,
        path: Path,
        *,
        references: bool = True,
        fault: Callable[[str], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.fault = fault or (lambda label: None)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute(f"PRAGMA foreign_keys = {'ON' if references else 'OFF'}")
            self._db.execute("PRAGMA synchronous = NORMAL")
            migrate(self._db)
        except sqlite3.DatabaseError as exc:
            raise SchemaError(f"{self.path}: not a shiliao database: {exc}") from exc

    def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        self._db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block in one write transaction; roll back on any exception.

        A transaction begun inside another joins it: the outer one commits both, or neither.

        Raises:
            StoreError: SQLite refused the write.
            DiskFull: the database's disk is full (SQLITE_FULL, ENOSPC); nothing was written.
        """
        if self._db.in_transaction:
            yield
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException as exc:
            # SQLite rolls back by itself on some errors (SQLITE_FULL among them).
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            if _disk_full(exc):
                raise self._disk_full() from exc
            raise
        try:
            self.fault(f"commit:{self.path.name}")
            self._db.execute("COMMIT")
        except (sqlite3.Error, OSError) as exc:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            if _disk_full(exc):
                raise self._disk_full() from exc
            raise StoreError(f"{self.path}: commit failed: {exc}") from exc

    def _disk_full(self) -> DiskFull:
        return DiskFull(str(self.path.parent), f"the database {self.path.name}")

    # Files ---------------------------------------------------------------------------------

    def record_file(self, sha256: str, size: int, media_type: str, original_name: str) -> None:
        """Record an original (idempotent: the first record of a digest is kept)."""
        self._db.execute(
            "INSERT OR IGNORE INTO files (sha256, size, media_type, original_name, first_seen) "
            "VALUES (?, ?, ?, ?, ?)",
            (sha256, size, media_type, original_name, _now()),
        )

    def file(self, sha256: str) -> dict[str, Any] | None:
        """The record of one original: ``sha256``, ``size`` (bytes), ``media_type``,
        ``original_name``, ``first_seen`` (UTC ISO 8601); None when unknown."""
        row = self._db.execute(
            "SELECT sha256, size, media_type, original_name, first_seen FROM files WHERE sha256 = ?",
            (sha256,),
        ).fetchone()
        if row is None:
            return None
        return dict(
            zip(("sha256", "size", "media_type", "original_name", "first_seen"), row, strict=True)
        )

    def record_file_version(
        self,
        object_id: str,
        version: int,
        logical_path: str,
        sha256: str,
        sha512: str,
        size: int,
        log_index: int | None,
    ) -> None:
        """Record where an original's bytes live in the OCFL root, and the log entry of their
        capture (idempotent)."""
        self._db.execute(
            "INSERT OR REPLACE INTO file_versions (object_id, version, logical_path, sha256, "
            "sha512, size, log_index) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (object_id, version, logical_path, sha256, sha512, size, log_index),
        )

    def file_versions(self, sha256: str | None = None) -> list[dict[str, Any]]:
        """Where originals live: ``object_id``, ``version``, ``logical_path``, ``sha256``,
        ``sha512``, ``size`` (bytes), ``log_index``; every one, or those with one digest, oldest
        first."""
        sql = (
            "SELECT object_id, version, logical_path, sha256, sha512, size, log_index "
            "FROM file_versions"
        )
        params: tuple[Any, ...] = ()
        if sha256 is not None:
            sql += " WHERE sha256 = ?"
            params = (sha256.lower(),)
        keys = ("object_id", "version", "logical_path", "sha256", "sha512", "size", "log_index")
        rows = self._db.execute(sql + " ORDER BY object_id, version, logical_path", params)
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def record_event(
        self,
        log_index: int,
        kind: str,
        time: str,
        data: dict[str, Any],
        source_id: str | None = None,
        object_id: str | None = None,
        version: int | None = None,
    ) -> None:
        """Keep a copy of a log entry as a provenance event (PREMIS-style), for queries."""
        self._db.execute(
            "INSERT OR REPLACE INTO events (log_index, kind, time, source_id, object_id, version, "
            "data) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                log_index,
                kind,
                time,
                source_id,
                object_id,
                version,
                json.dumps(data, ensure_ascii=False, sort_keys=True),
            ),
        )

    def last_event_index(self) -> int | None:
        """The log index of the newest provenance event, or None when there is none."""
        return self._db.execute("SELECT max(log_index) FROM events").fetchone()[0]

    def events(
        self, source_id: str | None = None, object_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Provenance events in log order: ``log_index``, ``kind``, ``time`` (UTC RFC 3339),
        ``source_id``, ``object_id``, ``version``, ``data``; all, or one source's or object's."""
        sql = "SELECT log_index, kind, time, source_id, object_id, version, data FROM events"
        clauses, params = [], []
        if source_id is not None:
            clauses.append("source_id = ?")
            params.append(source_id)
        if object_id is not None:
            clauses.append("object_id = ?")
            params.append(object_id)
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        keys = ("log_index", "kind", "time", "source_id", "object_id", "version")
        return [
            {**dict(zip(keys, row[:6], strict=True)), "data": json.loads(row[6])}
            for row in self._db.execute(sql + " ORDER BY log_index", params)
        ]

    def set_collection_files(self, files: dict[str, str]) -> None:
        """Replace the map of collection path -> digest of its current bytes."""
        self._db.execute("DELETE FROM collection_files")
        self._db.executemany(
            "INSERT INTO collection_files (path, sha256) VALUES (?, ?)", sorted(files.items())
        )

    def set_collection_file(self, path: str, sha256: str | None) -> None:
        """Record the digest of one collection path's current bytes; None forgets the path
        (it left the collection)."""
        if sha256 is None:
            self._db.execute("DELETE FROM collection_files WHERE path = ?", (path,))
            return
        self._db.execute(
            "INSERT OR REPLACE INTO collection_files (path, sha256) VALUES (?, ?)", (path, sha256)
        )

    def collection_files(self) -> dict[str, str]:
        """The map of collection path -> digest recorded by the last build."""
        return dict(self._db.execute("SELECT path, sha256 FROM collection_files"))

    # Sources and passages ----------------------------------------------------------------------

    def source_states(self, origin: str | None = None) -> dict[str, tuple[str, str | None]]:
        """Map source id -> ``(fingerprint, indexed_fingerprint)`` for every stored source, or
        for those of one origin (``"collection"``: read from the collection folder by
        ``build``; ``"added"``: captured by ``add``)."""
        sql = "SELECT id, fingerprint, indexed_fingerprint FROM sources"
        params: tuple[str, ...] = ()
        if origin is not None:
            sql += " WHERE origin = ?"
            params = (origin,)
        return {row[0]: (row[1], row[2]) for row in self._db.execute(sql, params)}

    def source_object(self, source_id: str) -> tuple[str | None, int | None]:
        """The OCFL object and version a source's record was read from, ``(None, None)`` if
        unknown."""
        row = self._db.execute(
            "SELECT object_id, object_version FROM sources WHERE id = ?", (source_id,)
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def save_source(
        self,
        source: Source,
        fingerprint: str,
        position: int,
        passages: Sequence[Passage],
        *,
        origin: str = "collection",
        object_id: str | None = None,
        object_version: int | None = None,
    ) -> list[int]:
        """Insert or replace a source with its passages (call inside ``transaction``).

        Args:
            source: the source's metadata.
            fingerprint: what decided its processing (see ``SourceInput.fingerprint``).
            position: its order in the collection (for stable listings).
            passages: its passages in reading order; their ``id`` is ignored.
            origin: ``"collection"`` or ``"added"`` (see ``source_states``).
            object_id: the OCFL object holding its original.
            object_version: the version of that object its record was read from.

        Returns:
            The new passage ids, in the order given. The source's index state is reset, so the
            index must be updated and ``mark_indexed`` called.
        """
        self._db.execute("DELETE FROM passages WHERE source_id = ?", (source.id,))
        self._db.execute(
            "INSERT OR REPLACE INTO sources (id, title, date, type, language, metadata, path, line, "
            "file_sha256, record_sha256, fingerprint, indexed_fingerprint, status, error, position, "
            "updated_at, origin, object_id, object_version, date_source) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                source.id,
                source.title,
                source.date,
                source.type,
                source.language,
                json.dumps(source.metadata, ensure_ascii=False, sort_keys=True),
                source.path,
                source.line,
                source.file_sha256,
                source.record_sha256,
                fingerprint,
                source.status,
                source.error,
                position,
                _now(),
                origin,
                object_id,
                object_version,
                source.date_source,
            ),
        )
        ids = []
        for passage in passages:
            cursor = self._db.execute(
                "INSERT INTO passages (source_id, page, paragraph, char_start, char_end, text, "
                "method, language, confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    source.id,
                    passage.page,
                    passage.paragraph,
                    passage.char_start,
                    passage.char_end,
                    passage.text,
                    passage.method,
                    passage.language,
                    passage.confidence,
                ),
            )
            ids.append(int(cursor.lastrowid))
        return ids

    def relocate_source(
        self,
        source_id: str,
        path: str,
        line: int | None,
        file_sha256: str,
        position: int,
        object_version: int | None = None,
    ) -> None:
        """Record where an unchanged source now lives: its file changed elsewhere (a new
        version of its object) or its line moved."""
        self._db.execute(
            "UPDATE sources SET path = ?, line = ?, file_sha256 = ?, position = ?, "
            "object_version = coalesce(?, object_version) WHERE id = ?",
            (path, line, file_sha256, position, object_version, source_id),
        )

    def mark_indexed(self, source_ids: Iterable[str]) -> None:
        """Record that the index holds the current passages of these sources."""
        self._db.executemany(
            "UPDATE sources SET indexed_fingerprint = fingerprint WHERE id = ?",
            [(source_id,) for source_id in source_ids],
        )

    def forget_index(self) -> None:
        """Record that the index holds nothing (it was deleted), so every source is indexed again."""
        self._db.execute("UPDATE sources SET indexed_fingerprint = NULL")

    def delete_sources(self, source_ids: Iterable[str]) -> None:
        """Remove sources with their passages and term mentions (originals stay stored)."""
        self._db.executemany("DELETE FROM sources WHERE id = ?", [(i,) for i in source_ids])

    def _source(self, row: Sequence[Any]) -> Source:
        return Source(
            id=row[0],
            title=row[1],
            date=row[2],
            type=row[3],
            language=row[4],
            metadata=json.loads(row[5]),
            path=row[6],
            line=row[7],
            file_sha256=row[8],
            record_sha256=row[9],
            status=row[10],
            error=row[11],
            date_source=row[12],
        )

    _SOURCE_COLUMNS = (
        "id, title, date, type, language, metadata, path, line, file_sha256, record_sha256, "
        "status, error, date_source"
    )

    def sources(self) -> list[Source]:
        """Every source, in collection order."""
        rows = self._db.execute(f"SELECT {self._SOURCE_COLUMNS} FROM sources ORDER BY position, id")
        return [self._source(row) for row in rows]

    def source(self, source_id: str) -> Source | None:
        """One source, or None."""
        row = self._db.execute(
            f"SELECT {self._SOURCE_COLUMNS} FROM sources WHERE id = ?", (source_id,)
        ).fetchone()
        return None if row is None else self._source(row)

    _PASSAGE_COLUMNS = (
        "id, source_id, page, paragraph, char_start, char_end, text, method, language, confidence"
    )

    @staticmethod
    def _passage(row: Sequence[Any]) -> Passage:
        return Passage(
            id=row[0],
            source_id=row[1],
            page=row[2],
            paragraph=row[3],
            char_start=row[4],
            char_end=row[5],
            text=row[6],
            method=row[7],
            language=row[8],
            confidence=row[9],
        )

    def passages(self, source_id: str) -> list[Passage]:
        """A source's passages in reading order."""
        rows = self._db.execute(
            f"SELECT {self._PASSAGE_COLUMNS} FROM passages WHERE source_id = ? ORDER BY paragraph",
            (source_id,),
        )
        return [self._passage(row) for row in rows]

    def iter_passages(self) -> Iterator[Passage]:
        """Every passage of the archive, by source order then reading order."""
        rows = self._db.execute(
            f"SELECT {', '.join('p.' + c for c in self._PASSAGE_COLUMNS.split(', '))} "
            "FROM passages p JOIN sources s ON s.id = p.source_id ORDER BY s.position, p.paragraph"
        )
        for row in rows:
            yield self._passage(row)

    def passages_by_id(self, passage_ids: Sequence[int]) -> dict[int, Passage]:
        """Map passage id -> passage for the ids that exist."""
        found: dict[int, Passage] = {}
        ids = list(passage_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(
                f"SELECT {self._PASSAGE_COLUMNS} FROM passages WHERE id IN ({marks})", chunk
            ):
                found[row[0]] = self._passage(row)
        return found

    def counts(self) -> dict[str, int]:
        """Numbers of ``sources``, ``passages``, ``terms``, ``sections``, ``files`` stored."""
        tables = ("sources", "passages", "terms", "sections", "files")
        return {t: self._db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}

    # Glossary ------------------------------------------------------------------------------

    def replace_terms(self, terms: Sequence[Term]) -> None:
        """Replace the glossary (mentions of removed terms go too)."""
        self._db.execute("DELETE FROM terms")
        self._db.executemany(
            "INSERT INTO terms (term, position, data) VALUES (?, ?, ?)",
            [(t.term, i, json.dumps(asdict(t), ensure_ascii=False)) for i, t in enumerate(terms)],
        )
        self._db.execute("DELETE FROM term_mentions WHERE term NOT IN (SELECT term FROM terms)")

    def terms(self) -> list[Term]:
        """The glossary in its file order."""
        terms = []
        for (data,) in self._db.execute("SELECT data FROM terms ORDER BY position"):
            values = json.loads(data)
            for key in ("english", "parts", "parts_en", "see", "auto_filled"):
                if key in values:
                    values[key] = tuple(values[key])
            terms.append(Term(**values))
        return terms

    def replace_term_mentions(
        self, passage_ids: Iterable[int] | None, mentions: Iterable[tuple[str, int, int, int]]
    ) -> None:
        """Replace the mentions found in some passages (all passages when ``passage_ids`` is None).

        Args:
            passage_ids: the passages that were scanned, or None for the whole archive.
            mentions: ``(term, passage_id, char_start, char_end)`` tuples.
        """
        if passage_ids is None:
            self._db.execute("DELETE FROM term_mentions")
        else:
            self._db.executemany(
                "DELETE FROM term_mentions WHERE passage_id = ?", [(i,) for i in passage_ids]
            )
        self._db.executemany(
            "INSERT INTO term_mentions (term, passage_id, char_start, char_end) VALUES (?, ?, ?, ?)",
            mentions,
        )

    def term_usage(self) -> dict[str, tuple[int, int]]:
        """Map term -> ``(number of sources, number of passages)`` that mention it."""
        rows = self._db.execute(
            "SELECT m.term, count(DISTINCT p.source_id), count(DISTINCT m.passage_id) "
            "FROM term_mentions m JOIN passages p ON p.id = m.passage_id GROUP BY m.term"
        )
        return {row[0]: (row[1], row[2]) for row in rows}

    def term_dates(self) -> dict[str, tuple[str, str]]:
        """Map term -> ``(first, last)``: the earliest and latest dates (EDTF, compared as text)
        of the sources that mention it; terms mentioned only in undated sources are left out."""
        rows = self._db.execute(
            "SELECT m.term, min(s.date), max(s.date) FROM term_mentions m "
            "JOIN passages p ON p.id = m.passage_id JOIN sources s ON s.id = p.source_id "
            "WHERE s.date IS NOT NULL GROUP BY m.term"
        )
        return {row[0]: (row[1], row[2]) for row in rows}

    def source_sizes(self) -> dict[str, int]:
        """Map source id -> characters (code points) of its passages' text, for every source."""
        rows = self._db.execute(
            "SELECT s.id, coalesce(sum(length(p.text)), 0) FROM sources s "
            "LEFT JOIN passages p ON p.source_id = s.id GROUP BY s.id"
        )
        return {row[0]: row[1] for row in rows}

    def source_facets(self, source_ids: Iterable[str]) -> dict[str, tuple[Any, ...]]:
        """Map source id -> ``(date, type, language, collection, collections)`` for the sources
        given that exist, the last two as stored in the metadata (a string, a list or None);
        read without parsing the rest of the metadata, so that facets of many thousands of
        sources stay cheap."""
        found: dict[str, tuple[Any, ...]] = {}
        # Sources share a few collection values: parse each distinct JSON text once.
        parsed: dict[str, Any] = {}

        def load(text: str) -> Any:
            if text not in parsed:
                parsed[text] = json.loads(text)
            return parsed[text]

        ids = list(source_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                "SELECT id, date, type, language, "
                "json_quote(json_extract(metadata, '$.collection')), "
                "json_quote(json_extract(metadata, '$.collections')) "
                f"FROM sources WHERE id IN ({marks})",
                chunk,
            )
            for row in rows:
                found[row[0]] = (row[1], row[2], row[3], load(row[4]), load(row[5]))
        return found

    def term_mentions(self, term: str, limit: int | None = None) -> list[tuple[Passage, int, int]]:
        """Mentions of one term as ``(passage, char_start, char_end)``, by source date then
        reading order; at most ``limit`` (all when None)."""
        sql = (
            f"SELECT {', '.join('p.' + c for c in self._PASSAGE_COLUMNS.split(', '))}, "
            "m.char_start, m.char_end FROM term_mentions m JOIN passages p ON p.id = m.passage_id "
            "JOIN sources s ON s.id = p.source_id WHERE m.term = ? "
            "ORDER BY s.date IS NULL, s.date, s.position, p.paragraph, m.char_start"
        )
        params: list[Any] = [term]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [
            (self._passage(row[:10]), row[10], row[11]) for row in self._db.execute(sql, params)
        ]

    def passage_mentions(self, source_id: str) -> dict[int, list[tuple[str, int, int]]]:
        """Map passage id -> ``[(term, char_start, char_end)]`` for one source's passages."""
        found: dict[int, list[tuple[str, int, int]]] = {}
        rows = self._db.execute(
            "SELECT m.passage_id, m.term, m.char_start, m.char_end FROM term_mentions m "
            "JOIN passages p ON p.id = m.passage_id WHERE p.source_id = ? ORDER BY m.char_start",
            (source_id,),
        )
        for passage_id, term, start, end in rows:
            found.setdefault(passage_id, []).append((term, start, end))
        return found

    # Sections and bibliography ----------------------------------------------------------------

    def replace_sections(self, sections: Sequence[Section]) -> None:
        """Replace the stored essays."""
        self._db.execute("DELETE FROM sections")
        self._db.executemany(
            "INSERT INTO sections (id, path, sha256, front_matter, body, body_line) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    s.id,
                    s.path,
                    s.sha256,
                    json.dumps(s.front_matter, ensure_ascii=False, default=str),
                    s.body,
                    s.body_line,
                )
                for s in sections
            ],
        )

    def sections(self) -> list[Section]:
        """The essays, by path."""
        return [
            Section(
                id=r[0],
                path=r[1],
                sha256=r[2],
                front_matter=json.loads(r[3]),
                body=r[4],
                body_line=r[5],
            )
            for r in self._db.execute(
                "SELECT id, path, sha256, front_matter, body, body_line FROM sections ORDER BY path"
            )
        ]

    def replace_bibliography(self, items: Sequence[dict[str, Any]]) -> None:
        """Replace the CSL-JSON bibliography (items keep their order)."""
        self._db.execute("DELETE FROM bibliography")
        self._db.executemany(
            "INSERT INTO bibliography (id, position, csl) VALUES (?, ?, ?)",
            [
                (str(item["id"]), i, json.dumps(item, ensure_ascii=False))
                for i, item in enumerate(items)
            ],
        )

    def bibliography(self) -> list[dict[str, Any]]:
        """The CSL-JSON items in their order."""
        return [
            json.loads(r[0])
            for r in self._db.execute("SELECT csl FROM bibliography ORDER BY position")
        ]

    def content_version(self) -> str:
        """A digest of everything the website shows: sources' fingerprints and the digests of
        the glossary, sections and bibliography. Equal versions mean an identical site."""
        digest = hashlib.sha256()
        for row in self._db.execute(
            "SELECT id, fingerprint, path, line, file_sha256 FROM sources ORDER BY id"
        ):
            digest.update(json.dumps(row, ensure_ascii=False).encode())
        for row in self._db.execute(
            "SELECT key, value FROM state WHERE key LIKE '%_digest' ORDER BY key"
        ):
            digest.update(json.dumps(row, ensure_ascii=False).encode())
        return digest.hexdigest()

    # Privacy ---------------------------------------------------------------------------------

    _FINDING_COLUMNS = (
        "key, source_id, field, char_start, char_end, kind, text, role, reason, context, "
        "paragraph, passage_id"
    )

    def replace_findings(self, source_ids: Iterable[str], findings: Iterable[Finding]) -> None:
        """Replace the personal-data findings of some sources (call inside ``transaction``).

        Args:
            source_ids: the sources that were read; their earlier findings go.
            findings: their findings now.
        """
        self._db.executemany("DELETE FROM findings WHERE source_id = ?", [(i,) for i in source_ids])
        self._db.executemany(
            f"INSERT INTO findings ({self._FINDING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?)",
            [
                (
                    f.key,
                    f.source_id,
                    f.field,
                    f.char_start,
                    f.char_end,
                    f.kind,
                    f.text,
                    f.role,
                    f.reason,
                    f.context,
                    f.paragraph,
                    f.passage_id,
                )
                for f in findings
            ],
        )

    def findings(self, source_id: str | None = None) -> list[Finding]:
        """Personal-data findings: a source's, or every one, by source order then place."""
        sql = (
            f"SELECT {', '.join('f.' + c.strip() for c in self._FINDING_COLUMNS.split(','))} "
            "FROM findings f JOIN sources s ON s.id = f.source_id"
        )
        params: tuple[str, ...] = ()
        if source_id is not None:
            sql += " WHERE f.source_id = ?"
            params = (source_id,)
        sql += " ORDER BY s.position, f.source_id, f.id"
        return [Finding(*row) for row in self._db.execute(sql, params)]

    def record_derivative(
        self,
        original_sha256: str,
        spec_sha256: str,
        sha256: str | None,
        media_type: str | None,
        size: int | None,
        note: str,
    ) -> None:
        """Record a public copy made from an original (``privacy.derive``): its digest, media
        type and size in bytes, or None for all three when none could be made safely, and a
        note saying how it was made or why not."""
        self._db.execute(
            "INSERT OR REPLACE INTO derivatives (original_sha256, spec_sha256, sha256, "
            "media_type, size, note, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (original_sha256, spec_sha256, sha256, media_type, size, note, _now()),
        )

    def derivative(self, original_sha256: str, spec_sha256: str) -> dict[str, Any] | None:
        """The public copy recorded for an original and a redaction spec: ``sha256``,
        ``media_type``, ``size``, ``note``, ``created``; None when none was made yet."""
        row = self._db.execute(
            "SELECT sha256, media_type, size, note, created FROM derivatives "
            "WHERE original_sha256 = ? AND spec_sha256 = ?",
            (original_sha256, spec_sha256),
        ).fetchone()
        if row is None:
            return None
        return dict(zip(("sha256", "media_type", "size", "note", "created"), row, strict=True))

    # Text layers set aside ---------------------------------------------------------------

    def replace_text_layers(self, source_id: str, layers: Sequence[TextLayer]) -> None:
        """Replace the readings kept but not shown of a source (call inside ``transaction``;
        ``TextLayer.source_id`` is ignored)."""
        self._db.execute("DELETE FROM text_layers WHERE source_id = ?", (source_id,))
        self._db.executemany(
            "INSERT INTO text_layers (source_id, page, method, text, reasons) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (source_id, layer.page, layer.method, layer.text, json.dumps(list(layer.reasons)))
                for layer in layers
            ],
        )

    def text_layers(self, source_id: str) -> list[TextLayer]:
        """A source's readings kept but not shown, by page then method."""
        return [
            TextLayer(source_id, page, method, text, tuple(json.loads(reasons)))
            for page, method, text, reasons in self._db.execute(
                "SELECT page, method, text, reasons FROM text_layers WHERE source_id = ? "
                "ORDER BY page, method",
                (source_id,),
            )
        ]

    # Annotations and translations -----------------------------------------------------------

    def replace_annotations(self, annotations: Sequence[Annotation]) -> None:
        """Replace the curators' notes on passages (they keep their order)."""
        self._db.execute("DELETE FROM annotations")
        self._db.executemany(
            "INSERT INTO annotations (position, source_id, paragraph, note, quote, tags, terms, "
            "sources, access, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    position,
                    a.source,
                    a.paragraph,
                    a.note,
                    a.quote,
                    json.dumps(list(a.tags), ensure_ascii=False),
                    json.dumps(list(a.terms), ensure_ascii=False),
                    json.dumps(list(a.sources), ensure_ascii=False),
                    a.access,
                    a.line,
                )
                for position, a in enumerate(annotations)
            ],
        )

    def annotations(self, source_id: str | None = None) -> list[Annotation]:
        """The notes on passages, in file order: every one, or one source's."""
        sql = (
            "SELECT source_id, paragraph, note, quote, tags, terms, sources, access, line "
            "FROM annotations"
        )
        params: tuple[str, ...] = ()
        if source_id is not None:
            sql += " WHERE source_id = ?"
            params = (source_id,)
        return [
            Annotation(
                source=row[0],
                paragraph=row[1],
                note=row[2],
                quote=row[3],
                tags=tuple(json.loads(row[4])),
                terms=tuple(json.loads(row[5])),
                sources=tuple(json.loads(row[6])),
                access=row[7],
                line=row[8],
            )
            for row in self._db.execute(sql + " ORDER BY position", params)
        ]

    def replace_translations(self, translations: Sequence[Translation]) -> None:
        """Replace the translations of sources, with their paragraphs (one translation per
        source and language: a later one of the same pair replaces the earlier)."""
        self._db.execute("DELETE FROM translations")
        self._db.execute("DELETE FROM translation_paragraphs")
        for t in translations:
            key = (t.source, t.language)
            self._db.execute(
                "DELETE FROM translation_paragraphs WHERE source_id = ? AND language = ?", key
            )
            self._db.execute(
                "INSERT OR REPLACE INTO translations (source_id, language, path, title, "
                "translator, note, withheld) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (*key, t.path, t.title, t.translator, t.note, json.dumps(list(t.withheld))),
            )
            self._db.executemany(
                "INSERT INTO translation_paragraphs (source_id, language, paragraph, text) "
                "VALUES (?, ?, ?, ?)",
                [(*key, number, text) for number, text in t.paragraphs],
            )

    def translations(self, source_id: str | None = None) -> list[Translation]:
        """The translations, by source id then language: every one, or one source's."""
        sql = (
            "SELECT source_id, language, path, title, translator, note, withheld FROM translations"
        )
        params: tuple[str, ...] = ()
        if source_id is not None:
            sql += " WHERE source_id = ?"
            params = (source_id,)
        found = []
        for row in self._db.execute(sql + " ORDER BY source_id, language", params):
            paragraphs = tuple(
                (number, text)
                for number, text in self._db.execute(
                    "SELECT paragraph, text FROM translation_paragraphs "
                    "WHERE source_id = ? AND language = ? ORDER BY paragraph",
                    (row[0], row[1]),
                )
            )
            found.append(
                Translation(
                    source=row[0],
                    language=row[1],
                    path=row[2],
                    paragraphs=paragraphs,
                    title=row[3],
                    translator=row[4],
                    note=row[5],
                    withheld=tuple(json.loads(row[6])),
                )
            )
        return found

    # Build state ---------------------------------------------------------------------------

    def get_state(self, key: str) -> Any:
        """A JSON value saved with ``set_state``, or None."""
        row = self._db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def set_state(self, key: str, value: Any) -> None:
        """Save a JSON-serializable value under ``key``."""
        self._db.execute(
            "INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)",
            (key, json.dumps(value, ensure_ascii=False, sort_keys=True)),
        )
