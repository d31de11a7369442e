"""Apply: bring the archive up to date with its collection folder after edits made in the
folder (by hand or by the editorial app), and log who made them.

The folder is the single source of truth: an edit is written there first, in the form a person
writes by hand, and then applied here by the same ingest ``shiliao build`` runs
(``operations.ingest``), so a build of the folder afterwards gives the same archive. The
changes the app made are kept in its audit trail (``operations.accounts``); each is logged in
the archive's Merkle log (kind ``edited_in_app``) while the writer lock is held, with keyed
digests of the values (``accounts.audit_entry``), never the values.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from shiliao.archive import Archive, open_archive
from shiliao.collection import read_collection
from shiliao.config import load_settings
from shiliao.operations.accounts import Accounts, audit_entry
from shiliao.operations.ingest import ingest
from shiliao.operations.processing import Progress
from shiliao.operations.review import privacy_key

__all__ = ["ApplyReport", "apply_collection", "log_audit"]


@dataclass
class ApplyReport:
    """What one application did.

    Attributes:
        processed: ids of the sources extracted and indexed again.
        removed: ids of the sources that left the collection.
        failed: ``{"source_id", "path", "reason"}`` for each source that failed.
        warnings: problems a curator should see, one line each.
        logged: audit rows logged now.
        seconds: wall-clock seconds.
    """

    processed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    logged: int = 0
    seconds: float = 0.0


def log_audit(archive: Archive, accounts: Accounts) -> int:
    """Log every audit row not yet in the archive's log (oldest first) and note each entry's
    index in its row.

    Args:
        archive: the archive, opened as a writer.
        accounts: the app's accounts database.

    Returns:
        How many rows were logged.

    Raises:
        LogError, StoreError: the log or the database cannot be written (rows not logged stay
            so, and are logged by the next call).
    """
    rows = accounts.unlogged()
    if not rows:
        return 0
    key = privacy_key(archive)
    for row in rows:
        index = archive.record("edited_in_app", audit_entry(row, key))
        accounts.mark_logged(row.id, index)
    return len(rows)


def apply_collection(
    collection: Path,
    archive_dir: Path,
    *,
    accounts: Accounts | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    writer: str = "serve",
) -> ApplyReport:
    """Ingest the collection folder into its archive (incrementally: only what changed is
    processed) and log the app's audit rows; nothing is published.

    Args:
        collection: the collection folder.
        archive_dir: the archive folder (created when missing).
        accounts: the app's accounts, whose unlogged audit rows are logged; None for none.
        workers: files extracted at once.
        progress: called as ``progress(stage, done, total)``.
        writer: who holds the writer lock, as ``ArchiveBusy`` names it to others.

    Returns:
        An ``ApplyReport``.

    Raises:
        ArchiveBusy: another shiliao writes to the archive (nothing was done).
        CollectionError, ConfigError: the folder or its settings cannot be read.
        StoreError, LogError, DiskFull: the archive cannot be written.
    """
    started = time.perf_counter()
    settings = load_settings(collection)
    parsed = read_collection(collection)
    agent = str(settings.table("archive")["agent"])
    with open_archive(archive_dir, create=True, agent=agent, writer=writer) as archive:
        report = ingest(archive, parsed, settings, progress, workers=workers)
        logged = log_audit(archive, accounts) if accounts is not None else 0
    return ApplyReport(
        processed=list(report.processed),
        removed=list(report.removed),
        failed=list(report.failed),
        warnings=list(report.warnings),
        logged=logged,
        seconds=time.perf_counter() - started,
    )
