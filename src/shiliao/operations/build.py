"""Build: the main job, ``shiliao build``: bring the archive up to date with a collection
folder (``operations.ingest``) and publish the website (``operations.publish``), which logs the
publication and signs the checkpoint its proofs lead to."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shiliao.archive import open_archive
from shiliao.collection import read_collection
from shiliao.config import load_settings
from shiliao.extract.pool import require_dask
from shiliao.operations.checkpoints import (
    CheckpointTargets,
    latest_checkpoint_note,
    publish_new_checkpoint,
    remember_targets,
)
from shiliao.operations.ingest import ingest
from shiliao.operations.processing import Progress
from shiliao.operations.publish import publish_site

__all__ = ["BuildReport", "build"]


@dataclass
class BuildReport:
    """What one build did: the shape of ``shiliao build --json`` (``to_json``).

    Attributes:
        archive: the archive folder.
        counts: ``sources``, ``passages``, ``terms``, ``sections``, ``files`` in the archive.
        processed: sources of the collection extracted and indexed now.
        unchanged: sources of the collection left as they were.
        added_sources: sources the archive holds from ``shiliao add``.
        removed: sources that left the collection.
        duplicates: ``{"path", "same_as", "sha256"}`` for each file kept once.
        skipped: ``{"path", "member", "reason"}`` for each member of a ZIP or TAR not taken out.
        failed: ``{"source_id", "path", "reason"}`` (and ``member``) for each failed source.
        warnings: every problem a curator should see, one line each.
        site: ``{"path", "written", "pages", "audience"}``.
        seconds: ``{"ingest", "site", "total"}`` wall-clock seconds.
        last_processing_build_seconds: the total time of the last earlier build that processed
            sources, or None.
        privacy: for a public site, ``{"levels", "withheld_unreviewed", "unreviewed_findings",
            "placeholders"}`` (``privacy.projection.ProjectionReport.to_json``); None for a
            team site.
    """

    archive: Path
    counts: dict[str, int]
    processed: int
    unchanged: int
    added_sources: int
    removed: int
    duplicates: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    site: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    last_processing_build_seconds: float | None = None
    privacy: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """The summary as ``shiliao build --json`` prints it (keys are only ever added)."""
        return {
            "archive": str(self.archive),
            **{key: self.counts[key] for key in ("sources", "passages", "terms", "sections")},
            "files": self.counts["files"],
            "processed": self.processed,
            "unchanged": self.unchanged,
            "added_sources": self.added_sources,
            "removed": self.removed,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "failed": self.failed,
            "warnings": self.warnings,
            "site": self.site,
            "seconds": self.seconds,
            "last_processing_build_seconds": self.last_processing_build_seconds,
            "privacy": self.privacy,
        }


def build(
    collection: Path,
    archive_dir: Path,
    out_dir: Path,
    *,
    workers: int = 1,
    dask: str | None = None,
    audience: str = "public",
    today: datetime.date | None = None,
    progress: Progress | None = None,
    fault: Callable[[str], None] | None = None,
) -> BuildReport:
    """Ingest a collection folder into an archive (incrementally) and publish its website.

    The log is signed when the website is written, after its publication is logged, and the
    site's proofs lead to that checkpoint (``operations.publish.publish_site``): after a build
    the newest checkpoint is the one the site offers. A build that leaves the site as it was
    (nothing it shows changed, as after a change to a team source alone) signs nothing; the
    entries it appended are signed with the next publication, or by ``shiliao checkpoint``
    (after which the next build writes the site again, with proofs for the new checkpoint).

    Args:
        collection: the collection folder (read only).
        archive_dir: the archive folder; created when missing.
        out_dir: the website's folder.
        workers: files extracted at once, each in its own limited worker process.
        dask: ``"local"`` or a Dask scheduler address to extract on.
        audience: ``"public"`` (the website from the public projection) or ``"team"`` (the
            whole archive, for the team's own use, marked internal on every page).
        today: the day embargoes are judged on (default: today, UTC).
        progress: called as ``progress(stage, done, total)``.
        fault: called with a label before every write step (``archive.open_archive``); for
            crash tests only.

    Returns:
        A ``BuildReport``.

    Raises:
        ArchiveBusy: another shiliao is writing to the archive (nothing was done).
        CollectionError, ConfigError: the collection or its settings cannot be read.
        StoreError, LogError: the archive cannot be written.
        DiskFull: a disk of the archive or of the site is full (the message names the folder).
        PublishError: the website cannot be written.
        CheckpointError: the log no longer matches its latest checkpoint (nothing is signed),
            or a copy of a checkpoint kept outside the archive (``[checkpoints] publish``) is
            not one the log extends (the site is written all the same).
        PublicationError: the new checkpoint could not be timestamped or copied to a target
            of ``[checkpoints]`` (the site is written all the same;
            ``operations.checkpoints``).
        ConfigError: ``dask`` is given without Dask's ``distributed`` installed.
    """
    started = time.perf_counter()
    if dask:
        require_dask()
    settings = load_settings(collection)
    checkpoint_targets = CheckpointTargets.from_settings(settings, collection)
    parsed = read_collection(collection)
    agent = str(settings.table("archive")["agent"])
    with open_archive(
        archive_dir, create=True, agent=agent, fault=fault, writer="build"
    ) as archive:
        remember_targets(archive.catalog, checkpoint_targets)
        signed_before = latest_checkpoint_note(archive.log)
        report = ingest(archive, parsed, settings, progress, workers=workers, dask=dask)
        site_started = time.perf_counter()
        site = publish_site(
            archive,
            settings,
            out_dir,
            audience=audience,
            today=today,
            progress=progress,
        )
        site_seconds = time.perf_counter() - site_started
        total = time.perf_counter() - started
        last = archive.catalog.get_state("last_processing_build_seconds")
        if report.processed:
            with archive.catalog.transaction():
                archive.catalog.set_state("last_processing_build_seconds", total)
        # Last, so that a target out of reach fails the command with everything else done.
        publish_new_checkpoint(archive.log, checkpoint_targets, signed_before)
        return BuildReport(
            archive=archive.root,
            counts=archive.catalog.counts(),
            processed=len(report.processed),
            unchanged=len(report.unchanged),
            added_sources=len(archive.catalog.source_states("added")),
            removed=len(report.removed),
            duplicates=report.duplicates,
            skipped=report.skipped,
            failed=report.failed,
            # The ingest and the site both check the essays' citations and the bibliography's
            # ids: each warning once, in the order first given.
            warnings=list(dict.fromkeys(report.warnings + site.warnings)),
            site={
                "path": str(out_dir),
                "written": site.written,
                "pages": site.pages,
                "audience": site.audience,
            },
            privacy=site.privacy.to_json() if site.privacy else None,
            seconds={"ingest": report.seconds, "site": site_seconds, "total": total},
            last_processing_build_seconds=last,
        )
