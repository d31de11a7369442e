"""Publish: write an archive's website, and record that it was published.

The website is written only when what it shows changed (``publish.site.site_is_current``);
every source page offers the evidence a reader needs to check an original without trusting the
site: the signed checkpoint of the log, its key and the inclusion proof of each capture.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from shiliao.archive import Archive
from shiliao.config import Settings
from shiliao.log import Checkpoint
from shiliao.operations.processing import Progress
from shiliao.publish.site import SiteEvidence, build_site, site_is_current

__all__ = ["SitePublication", "publish_site"]


@dataclass
class SitePublication:
    """What ``publish_site`` did.

    Attributes:
        path: the site's folder.
        written: whether the site was written now (False: it was up to date).
        pages: HTML pages written, or None when nothing was written.
        warnings: problems a curator should see, one line each.
    """

    path: Path
    written: bool
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)


def publish_site(
    archive: Archive,
    settings: Settings,
    out: Path,
    checkpoint: Checkpoint,
    *,
    changed: bool = True,
    progress: Progress | None = None,
) -> SitePublication:
    """Write the archive's website into ``out`` when it is not up to date, and log it.

    Args:
        archive: the open archive.
        settings: the merged settings (``[site]``, ``[cite]``, ``[archive]``).
        out: the site's folder (see ``publish.site.build_site`` for what it may hold).
        checkpoint: the signed checkpoint the site's proofs lead to.
        changed: whether the archive changed in this run; when False the site is written
            only if it is missing or was built from other content or settings.
        progress: called as ``progress("site", done, total)``.

    Returns:
        A ``SitePublication``.

    Raises:
        PublishError: the site cannot be written (the previous one is left as it was).
        LogError: the publication cannot be logged.
    """
    content_version = archive.catalog.content_version()
    written = changed or not site_is_current(out, content_version, settings)
    if not written:
        return SitePublication(path=out, written=False)
    evidence = SiteEvidence(
        checkpoint=checkpoint.note,
        vkey=(archive.log.path / "key.vkey").read_text(encoding="utf-8").strip(),
        proofs=archive.proof_bundles(checkpoint),
    )
    result = build_site(
        archive.catalog,
        archive.blobs,
        out,
        settings,
        progress,
        content_version=content_version,
        evidence=evidence,
    )
    archive.record(
        "site_published",
        {
            "path": str(out),
            "content_version": content_version,
            "pages": result.pages,
            "checkpoint_size": checkpoint.size,
        },
    )
    return SitePublication(path=out, written=True, pages=result.pages, warnings=result.warnings)
