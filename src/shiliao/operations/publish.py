"""Publish: write an archive's website from its public projection, and record that it was
published.

The website is written only when what it shows changed (``publish.site.site_is_current``);
every source page whose original is offered gives the evidence a reader needs to check it
without trusting the site: the signed checkpoint of the log, its key and the inclusion proof
of its capture.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from shiliao.archive import Archive
from shiliao.config import Settings
from shiliao.log import Checkpoint
from shiliao.operations.processing import Progress
from shiliao.operations.review import privacy_key
from shiliao.privacy.projection import project
from shiliao.privacy.public import PrivacyInputs, ProjectionReport, PublicProjection
from shiliao.publish.site import SiteEvidence, build_site, site_is_current

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
        StoreError: the projection cannot be written.
    """
    today = today or datetime.datetime.now(datetime.UTC).date()
    inputs = PrivacyInputs.from_json(archive.catalog.get_state("privacy_inputs"))
    report = project(
        archive.catalog, archive.blobs, archive.root, inputs, today, secret=privacy_key(archive)
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
    checkpoint: Checkpoint,
    *,
    audience: str = "public",
    today: datetime.date | None = None,
    progress: Progress | None = None,
) -> SitePublication:
    """Write the archive's website into ``out`` when it is not up to date, and log it.

    A public site is made from the public projection alone (``privacy.projection.project``,
    made anew here when anything it depends on changed): team sources are absent, withheld
    text replaced, only offered files copied, and only their proofs offered. It is written
    only when the projection's content (or the settings, or shiliao) changed, so a change to
    a team source writes nothing. A team site (``audience="team"``) shows the whole archive,
    marked as internal on every page, and is written only on request.

    Args:
        archive: the open archive.
        settings: the merged settings (``[site]``, ``[cite]``, ``[archive]``).
        out: the site's folder (see ``publish.site.build_site`` for what it may hold).
        checkpoint: the signed checkpoint the site's proofs lead to.
        audience: ``"public"`` or ``"team"``.
        today: the day embargoes are judged on (default: today, UTC).
        progress: called as ``progress("site", done, total)``.

    Returns:
        A ``SitePublication``.

    Raises:
        PublishError: the site cannot be written (the previous one is left as it was), or
            ``out`` holds a site of the other audience.
        StoreError, LogError: the projection or the publication cannot be written.
    """
    evidence_key = (archive.log.path / "key.vkey").read_text(encoding="utf-8").strip()
    if audience == "team":
        content_version = archive.catalog.content_version()
        if site_is_current(out, content_version, settings, audience):
            return SitePublication(path=out, written=False, audience=audience)
        result = build_site(
            archive.catalog,
            archive.blobs,
            out,
            settings,
            progress,
            content_version=content_version,
            evidence=SiteEvidence(checkpoint.note, evidence_key, archive.proof_bundles(checkpoint)),
            audience="team",
        )
        privacy = None
    else:
        privacy, projection = current_projection(archive, today)
        with projection:
            content_version = projection.catalog.content_version()
            if site_is_current(out, content_version, settings):
                return SitePublication(
                    path=out, written=False, privacy=privacy, warnings=list(privacy.warnings)
                )
            offered = {
                sha256: bundle
                for sha256, bundle in archive.proof_bundles(checkpoint).items()
                if projection.files.kind(sha256) == "original"
            }
            result = build_site(
                projection.catalog,
                projection.files,
                out,
                settings,
                progress,
                content_version=content_version,
                evidence=SiteEvidence(checkpoint.note, evidence_key, offered),
                publications=projection.publications(),
            )
    archive.record(
        "site_published",
        {
            "path": str(out),
            "audience": audience,
            "content_version": content_version,
            "pages": result.pages,
            "checkpoint_size": checkpoint.size,
        },
    )
    return SitePublication(
        path=out,
        written=True,
        pages=result.pages,
        audience=audience,
        privacy=privacy,
        warnings=(privacy.warnings if privacy else []) + result.warnings,
    )
