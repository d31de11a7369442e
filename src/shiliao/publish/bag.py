"""Exporting an archive as a BagIt bag (RFC 8493), for deposit with another repository.

Two bags can be made. ``export_public_bag`` (the default of ``shiliao export --format bagit``)
holds what the public site holds and nothing more, read from the public projection:

``data/files/<sha256>/<name>``
    every file the projection offers: originals, and public copies of the rest;
``data/metadata/sources.json``, ``data/metadata/publications.json``
    the published sources (placeholders in place) and how each is published;
``data/evidence/``
    the log's signed checkpoint, its public key and the proof of each offered original.

``export_bag`` (``--full``) is the evidentiary export of everything, for the team's own
deposit; its ``bag-info.txt`` says in ``Access`` that it holds material that is not public.
Its payload holds everything an investigator needs to check the originals without shiliao and
without trusting the exporter:

``data/objects/``
    the OCFL 1.1 storage root, copied whole: every version of every original with its
    inventories (sha512 digests, sha256 fixity);
``data/metadata/sources.json``
    every source's metadata (title, date, type, language, where its bytes are: path, line,
    SHA-256 of the file and of the record);
``data/metadata/provenance.jsonl``
    every provenance event (PREMIS-style: what, when in UTC, how, by whom, from where), in log
    order;
``data/log/``
    the Merkle log (``entries.jsonl``), its signed checkpoints and its public key
    (``key.vkey``); never the private key.

Manifests are written with sha256 and sha512 by bagit-python (Library of Congress, public
domain), which also validates the bag (``bagit.py --validate``).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import bagit

from shiliao import __version__
from shiliao.errors import PublishError
from shiliao.model import Publication
from shiliao.publish.files import download_name
from shiliao.store import BlobStore, Catalog

__all__ = ["FULL_ACCESS_NOTE", "PUBLIC_ACCESS_NOTE", "export_bag", "export_public_bag"]

_LOG_FILES = ("entries.jsonl", "checkpoint", "key.vkey")
FULL_ACCESS_NOTE = (
    "FULL EVIDENTIARY EXPORT: every original, team and embargoed sources, unredacted text and "
    "personal data included. Not for publication."
)
"""``bag-info.txt``'s ``Access`` of a full bag."""
PUBLIC_ACCESS_NOTE = (
    "Public: what the archive's public website holds, personal data withheld as its editors "
    "decided."
)
"""``bag-info.txt``'s ``Access`` of a public bag."""


def export_bag(archive_root: Path, catalog: Catalog, out: Path, title: str = "") -> Path:
    """Write the whole archive as a BagIt bag in a new folder: the full evidentiary export,
    marked so in ``bag-info.txt`` (``Access``).

    Args:
        archive_root: the archive folder (its ``objects/`` and ``log/`` are copied).
        catalog: its database (sources and provenance events are read).
        out: the bag's folder; must not exist. The bag is built beside it and renamed into
            place, so a failed export leaves nothing at ``out``.
        title: the archive's title, for ``bag-info.txt`` (``External-Description``).

    Returns:
        ``out``.

    Raises:
        PublishError: ``out`` exists, or the bag cannot be written.
    """
    archive_root, out = Path(archive_root), Path(out).absolute()
    with _bagging(out, title, FULL_ACCESS_NOTE) as staging:
        shutil.copytree(archive_root / "objects", staging / "objects")
        metadata = staging / "metadata"
        metadata.mkdir()
        sources = [asdict(source) for source in catalog.sources()]
        (metadata / "sources.json").write_text(
            json.dumps(sources, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8"
        )
        with (metadata / "provenance.jsonl").open("w", encoding="utf-8") as events:
            for event in catalog.events():
                events.write(json.dumps(event, ensure_ascii=False, sort_keys=True) + "\n")
        log = staging / "log"
        log.mkdir()
        for name in _LOG_FILES:
            if (archive_root / "log" / name).is_file():
                shutil.copyfile(archive_root / "log" / name, log / name)
        if (archive_root / "log" / "checkpoints").is_dir():
            shutil.copytree(archive_root / "log" / "checkpoints", log / "checkpoints")
    return out


def _bag_info(title: str, access: str) -> dict[str, str]:
    return {
        "External-Description": title or "shiliao archive",
        "Bag-Software-Agent": f"shiliao {__version__}",
        "Source-Organization": title or "shiliao archive",
        "Access": access,
    }


@contextmanager
def _bagging(out: Path, title: str, access: str) -> Iterator[Path]:
    """A staging folder beside ``out`` to fill with the payload; on leaving, the bag is made
    there (sha256 and sha512 manifests) and renamed to ``out``. Whatever fails, nothing is
    left at ``out`` nor beside it.

    Raises:
        PublishError: ``out`` exists, or the bag cannot be written.
    """
    if out.exists():
        raise PublishError(f"{out} exists; a bag is written to a new folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.bagging-", dir=out.parent))
    try:
        yield staging
        bagit.make_bag(str(staging), _bag_info(title, access), checksums=["sha256", "sha512"])
        # mkdtemp makes the folder private (0700); a bag is meant to be read by others.
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)
        os.replace(staging, out)
    except (OSError, bagit.BagError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise PublishError(f"cannot write the bag {out}: {exc}") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def export_public_bag(
    catalog: Catalog,
    files: BlobStore,
    publications: Mapping[str, Publication],
    evidence: Mapping[str, bytes],
    out: Path,
    title: str = "",
) -> Path:
    """Write what the public site holds as a BagIt bag in a new folder.

    Args:
        catalog: the public projection's database.
        files: the files it offers (``privacy.projection.PublicFiles``).
        publications: source id -> how it is published.
        evidence: file name -> bytes for ``data/evidence/`` (``checkpoint.txt``,
            ``key.vkey``, ``proofs/<sha256>.json``).
        out: the bag's folder; must not exist (built beside it, renamed into place).
        title: the archive's title, for ``bag-info.txt``.

    Returns:
        ``out``.

    Raises:
        PublishError: ``out`` exists, or the bag cannot be written.
    """
    out = Path(out).absolute()
    with _bagging(out, title, PUBLIC_ACCESS_NOTE) as staging:
        for sha256 in sorted({s.file_sha256 for s in catalog.sources() if s.file_sha256}):
            record = catalog.file(sha256) or {}
            name = download_name(record.get("original_name"), sha256, record.get("media_type"))
            target = staging / "files" / sha256 / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with files.open(sha256) as source, target.open("wb") as copy:
                shutil.copyfileobj(source, copy)
        metadata = staging / "metadata"
        metadata.mkdir()
        sources = [asdict(source) for source in catalog.sources()]
        (metadata / "sources.json").write_text(
            json.dumps(sources, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8"
        )
        (metadata / "publications.json").write_text(
            json.dumps(
                {k: asdict(v) for k, v in sorted(publications.items())},
                ensure_ascii=False,
                indent=2,
                sort_keys=True,
            ),
            encoding="utf-8",
        )
        for name, data in evidence.items():
            target = staging / "evidence" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    return out
