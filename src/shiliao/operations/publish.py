"""Publish: write an archive's website from its public projection, log it and sign the log.

The website is written only when what it shows changed (``publish.site.site_is_current``) or
the log was signed since; every source page whose original is offered gives the evidence a
reader needs to check it without trusting the site: the signed checkpoint of the log, its key
and the inclusion proof of its capture. The checkpoint is signed after the publication is
logged, so the site's proofs always lead to the log's newest checkpoint.

The projection is made under the archive's writer lock (``store.lock``), so a reader of the
public view (``search --public``, ``export``) is refused while another shiliao writes: what it
would read may be about to change, a decision to withhold something included.
"""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass, field
from pathlib import Path

from shiliao.archive import Archive
from shiliao.config import Settings
from shiliao.errors import ShiliaoError
from shiliao.log.checkpoint import LATEST_CHECKPOINT
from shiliao.operations.processing import Progress
from shiliao.operations.review import privacy_key
from shiliao.privacy.projection import project
from shiliao.privacy.public import PrivacyInputs, ProjectionReport, PublicProjection
from shiliao.publish.site import (
    SiteEvidence,
    build_site,
    check_site_folder,
    remove_leftovers,
    site_is_current,
)
from shiliao.publish.urls import SiteUrls
from shiliao.store import BlobStore, Catalog

__all__ = ["SitePublication", "current_projection", "publish_site"]


def current_projection(
    archive: Archive, today: datetime.date | None = None
) -> tuple[ProjectionReport, PublicProjection]:
    """The archive's public projection, made anew first if anything it depends on changed
    (``privacy.projection.project``).

    Args:
        archive: the open archive (public copies made now are recorded in it).
        today: the day embargoes are judged on (default: today, UTC).

    Returns:
        ``(report, projection)``; close the projection after use.

    Raises:
        ArchiveBusy: another shiliao is writing to the archive (the projection may be about to
            change); the message names it.
        StoreError: the projection cannot be written.
        DiskFull: the archive's disk is full.
    """
    today = today or datetime.datetime.now(datetime.UTC).date()
    inputs = PrivacyInputs.from_json(archive.catalog.get_state("privacy_inputs"))
    with archive.writing("public projection"):
        report = project(
            archive.catalog,
            archive.blobs,
            archive.root,
            inputs,
            today,
            secret=privacy_key(archive),
            fault=archive.fault,
        )
    return report, PublicProjection(archive.root, archive.blobs)


@dataclass
class SitePublication:
    """What ``publish_site`` did.

    Attributes:
        path: the site's folder.
        written: whether the site was written now (False: it was up to date).
        pages: HTML pages written, or None when nothing was written.
        audience: ``"public"`` or ``"team"``.
        privacy: for a public site, what the public projection holds and withholds.
        warnings: problems a curator should see, one line each.
    """

    path: Path
    written: bool
    pages: int | None = None
    audience: str = "public"
    privacy: ProjectionReport | None = None
    warnings: list[str] = field(default_factory=list)


def publish_site(
    archive: Archive,
    settings: Settings,
    out: Path,
    *,
    audience: str = "public",
    today: datetime.date | None = None,
    progress: Progress | None = None,
) -> SitePublication:
    """Write the archive's website into ``out`` when it is not up to date, logged and signed.

    A public site is made from the public projection alone (``privacy.projection.project``,
    made anew here when anything it depends on changed): team sources are absent, withheld
    text replaced, only offered files copied, and only their proofs offered. A team site
    (``audience="team"``) shows the whole archive, marked as internal on every page, and is
    written only on request.

    The site is up to date when what it shows is unchanged (the projection's content, the
    settings, shiliao: ``publish.site.site_is_current``) and its evidence is the log's newest
    checkpoint (``log/checkpoint``); then nothing is written, logged or signed, so a change to
    a team source alone writes nothing (the warnings of the build that wrote the site, kept in
    the archive's state, are given again). Otherwise, under the log's write lock, a
    ``site_published`` entry is appended (``path``, ``audience``, ``content_version`` and
    ``checkpoint_size``, the size of the checkpoint that covers the entry itself), a checkpoint
    is signed at that size, and the site is written with that checkpoint and proofs that lead
    to it: the newest checkpoint is then the one every proof on the site was made for, and
    ``shiliao verify-file FILE --proof P --key K --checkpoint ARCHIVE/log/checkpoint`` holds.
    The entry comes first because a checkpoint signed after it would be newer than the site's
    proofs; if writing the site then fails, a ``site_publication_failed`` entry with the
    reason follows it (a log is corrected by appending, never by removing). When the log
    already ends with this very publication (a build killed while it signed or wrote the
    site), that entry is the publication's: the site is written with it, not logged again.

    Args:
        archive: the open archive.
        settings: the merged settings (``[site]``, ``[cite]``, ``[archive]``).
        out: the site's folder (see ``publish.site.build_site`` for what it may hold).
        audience: ``"public"`` or ``"team"``.
        today: the day embargoes are judged on (default: today, UTC).
        progress: called as ``progress("site", done, total)``.

    Returns:
        A ``SitePublication``.

    Raises:
        PublishError: the site cannot be written (the previous one is left as it was), or
            ``out`` holds a site of the other audience.
        StoreError, LogError: the projection or the publication cannot be written.
        DiskFull: a disk of the archive or of the site is full.
        CheckpointError: the log no longer matches its latest checkpoint (nothing is signed).
    """
    if audience == "team":
        return _publish(archive, settings, out, archive.catalog, archive.blobs, None, progress)
    privacy, projection = current_projection(archive, today)
    with projection:
        publication = _publish(
            archive, settings, out, projection.catalog, projection.files, projection, progress
        )
    publication.privacy = privacy
    publication.warnings = list(privacy.warnings) + publication.warnings
    return publication


def _publish(
    archive: Archive,
    settings: Settings,
    out: Path,
    catalog: Catalog,
    files: BlobStore,
    projection: PublicProjection | None,
    progress: Progress | None,
) -> SitePublication:
    """Write the site from ``catalog`` and ``files`` (the projection's, or the archive's own
    for a team site, ``projection`` None) unless it is up to date: see ``publish_site``."""
    audience = "team" if projection is None else "public"
    content_version = catalog.content_version()
    remove_leftovers(Path(out).absolute())
    if site_is_current(out, content_version, settings, audience) and _evidence_is_newest(
        archive, out
    ):
        recorded = archive.catalog.get_state(f"site_warnings:{audience}") or {}
        warnings = (
            recorded.get("warnings", [])
            if recorded.get("content_version") == content_version
            else []
        )
        return SitePublication(path=out, written=False, audience=audience, warnings=warnings)
    # A folder the site may not go into is refused before anything is logged or signed.
    check_site_folder(Path(out).absolute(), audience)
    publication = {"path": str(out), "audience": audience, "content_version": content_version}
    with archive.log.writing():
        last = archive.log.entry(archive.log.size - 1) if archive.log.size else None
        if (
            last is not None
            and last.kind == "site_published"
            and last.data == {**publication, "checkpoint_size": archive.log.size}
        ):
            archive.acknowledge(last)
        else:
            size = archive.log.size + 1
            archive.record("site_published", {**publication, "checkpoint_size": size})
        checkpoint = archive.checkpoint()
    proofs = archive.proof_bundles(checkpoint)
    if projection is not None:
        proofs = {k: v for k, v in proofs.items() if projection.files.kind(k) == "original"}
    evidence_key = (archive.log.path / "key.vkey").read_text(encoding="utf-8").strip()
    try:
        result = build_site(
            catalog,
            files,
            out,
            settings,
            progress,
            content_version=content_version,
            evidence=SiteEvidence(checkpoint.note, evidence_key, proofs),
            publications=projection.publications() if projection is not None else None,
            audience=audience,
            fault=archive.fault,
        )
    except Exception as exc:
        with contextlib.suppress(ShiliaoError):
            archive.record("site_publication_failed", {**publication, "reason": str(exc)})
        raise
    # Kept in the archive (never in the site: a warning may name what is not published), so
    # that a build that finds the site current says again what its sections lack.
    with archive.catalog.transaction():
        archive.catalog.set_state(
            f"site_warnings:{audience}",
            {"content_version": content_version, "warnings": result.warnings},
        )
    return SitePublication(
        path=out, written=True, pages=result.pages, audience=audience, warnings=result.warnings
    )


def _evidence_is_newest(archive: Archive, out: Path) -> bool:
    """Whether the site's checkpoint is the log's newest one (byte for byte)."""
    try:
        offered = (out / SiteUrls.evidence("checkpoint.txt")).read_bytes()
        newest = (archive.log.path / LATEST_CHECKPOINT).read_bytes()
    except OSError:
        return False
    return offered == newest
