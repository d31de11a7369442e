"""Export: an archive's records, bag or web captures, from its public projection unless the
full evidentiary export is asked for.

What is exported by default is what the public website shows (the public projection, made
current first: ``operations.publish.current_projection``): team
sources absent, withheld text replaced, only offered files. ``full=True`` exports the whole
archive, for a deposit the team controls; the bag says so in its ``bag-info.txt``.
"""

from __future__ import annotations

from pathlib import Path

from shiliao.archive import open_archive
from shiliao.cite.exchange import write_bibliography
from shiliao.errors import PublishError
from shiliao.operations.publish import current_projection
from shiliao.publish.bag import export_bag, export_public_bag
from shiliao.publish.citing import archive_items
from shiliao.publish.wacz import export_wacz

__all__ = ["export_archive_bag", "export_records", "export_web_captures"]


def export_records(
    archive_dir: Path, fmt: str, site_url: str, *, full: bool = False
) -> tuple[str, int, list[str]]:
    """The archive's bibliography and sources as citation records.

    Args:
        archive_dir: the archive folder.
        fmt: ``"csl-json"``, ``"bibtex"`` or ``"ris"``.
        site_url: the published site's address, for each source's archived copy.
        full: every source of the archive, as the team sees it (else the public projection).

    Returns:
        ``(text, number of records, warnings)``.

    Raises:
        StoreError: not an archive, or the projection cannot be written.
    """
    with open_archive(archive_dir) as archive:
        if full:
            items, warnings = archive_items(archive.catalog, site_url)
        else:
            with current_projection(archive)[1] as projection:
                items, warnings = archive_items(projection.catalog, site_url)
    return write_bibliography(items, fmt), len(items), warnings


def export_archive_bag(archive_dir: Path, out: Path, title: str, *, full: bool = False) -> Path:
    """The archive as a BagIt bag in the new folder ``out``: what the public site holds
    (``publish.bag.export_public_bag``), or everything (``export_bag``) with ``full``.

    Raises:
        StoreError: not an archive, or the projection cannot be written.
        PublishError: ``out`` exists, or the bag cannot be written.
    """
    with open_archive(archive_dir) as archive:
        if full:
            return export_bag(archive.root, archive.catalog, out, title)
        with current_projection(archive)[1] as projection:
            # Signing a checkpoint appends nothing to the log.
            signed = archive.checkpoint()
            evidence = {
                "checkpoint.txt": signed.note.encode("utf-8"),
                "key.vkey": (archive.log.path / "key.vkey").read_bytes(),
            }
            for sha256, bundle in archive.proof_bundles(signed).items():
                if projection.files.kind(sha256) == "original":
                    evidence[f"proofs/{sha256}.json"] = bundle
            return export_public_bag(
                projection.catalog,
                projection.files,
                projection.publications(),
                evidence,
                out,
                title,
            )


def export_web_captures(archive_dir: Path, out: Path, *, full: bool = False) -> int:
    """The archive's web captures as one WACZ file: those whose capture the public site
    offers, or every one with ``full``.

    Returns:
        The number of captures written.

    Raises:
        StoreError: not an archive, or the projection cannot be written.
        PublishError: no capture to write, or the file cannot be written.
    """
    with open_archive(archive_dir) as archive:
        if full:
            return export_wacz(archive.catalog, archive.blobs, out)
        with current_projection(archive)[1] as projection:
            try:
                return export_wacz(projection.catalog, projection.files, out)
            except PublishError as exc:
                if Path(out).exists():
                    raise
                raise PublishError(
                    f"{exc}; the public site offers no web capture: a capture's WARC also holds "
                    "what was not read for personal data, and is offered once an editor has "
                    "checked its source (`shiliao privacy decide COLLECTION checked --source "
                    "ID`); `--full` exports every capture, not for publication"
                ) from exc
