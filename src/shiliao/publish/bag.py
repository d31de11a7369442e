"""Exporting an archive as a BagIt bag (RFC 8493), for deposit with another repository.

The bag's payload (``data/``) holds everything an investigator needs to check the originals
without shiliao and without trusting the exporter:

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
from dataclasses import asdict
from pathlib import Path

import bagit

from shiliao import __version__
from shiliao.errors import PublishError
from shiliao.store import Catalog

__all__ = ["export_bag"]

_LOG_FILES = ("entries.jsonl", "checkpoint", "key.vkey")


def export_bag(archive_root: Path, catalog: Catalog, out: Path, title: str = "") -> Path:
    """Write the archive as a BagIt bag in a new folder.

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
    if out.exists():
        raise PublishError(f"{out} exists; a bag is written to a new folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.bagging-", dir=out.parent))
    try:
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
        bagit.make_bag(
            str(staging),
            {
                "External-Description": title or "shiliao archive",
                "Bag-Software-Agent": f"shiliao {__version__}",
                "Source-Organization": title or "shiliao archive",
            },
            checksums=["sha256", "sha512"],
        )
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
    return out
