"""Reading an archive's public projection (``privacy.projection``): its database, the files
it offers and how each source is published; and what the projection is made from
(``PrivacyInputs``) and what making it found (``ProjectionReport``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from shiliao.errors import BlobNotFound, IntegrityError, StoreError
from shiliao.model import Decision, Publication
from shiliao.privacy.access import AccessRules
from shiliao.store import BlobStore, Catalog

__all__ = [
    "DERIVATIVES_FOLDER",
    "PROJECTION_FOLDER",
    "PrivacyInputs",
    "ProjectionReport",
    "PublicFiles",
    "PublicProjection",
]

PROJECTION_FOLDER = "public"
"""The projection's folder inside the archive."""
DERIVATIVES_FOLDER = "derivatives"
"""Where public copies are kept inside the archive, by SHA-256."""
_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class PrivacyInputs:
    """What the projection depends on besides the archive's content (saved by ``ingest`` in
    the archive's build state, so that the projection can be made from the archive alone).

    Attributes:
        decisions: the collection's ``privacy.yaml``.
        people: the collection's ``people.yaml``.
        rules: the collection's ``[privacy]`` settings.
    """

    decisions: tuple[Decision, ...] = ()
    people: tuple[str, ...] = ()
    rules: AccessRules = field(default_factory=AccessRules)

    def to_json(self) -> dict[str, Any]:
        """As plain values (``from_json`` reads them back)."""
        return {
            "decisions": [asdict(d) for d in self.decisions],
            "people": list(self.people),
            "rules": self.rules.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> PrivacyInputs:
        """Read ``to_json``'s shape; None gives the defaults (nothing decided, all public)."""
        if not data:
            return cls()
        return cls(
            decisions=tuple(Decision(**d) for d in data.get("decisions", [])),
            people=tuple(data.get("people", [])),
            rules=AccessRules.from_json(data.get("rules") or {}),
        )


@dataclass
class ProjectionReport:
    """What ``project`` did.

    Attributes:
        path: the projection's folder.
        content_version: the digest of what it holds (equal digests, identical public site).
        built: whether it was built now (False: it was current).
        levels: how many sources are published at each level, and ``team`` for those left
            out (team, under embargo).
        withheld_sources: ids of sources published as catalogue records because of personal
            data nobody reviewed.
        unreviewed: how many private findings nobody decided.
        placeholders: kind -> placeholders put into the published text.
        warnings: decisions that match nothing, copies that could not be made, one line each.
    """

    path: Path
    content_version: str
    built: bool
    levels: dict[str, int] = field(default_factory=dict)
    withheld_sources: list[str] = field(default_factory=list)
    unreviewed: int = 0
    placeholders: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The report as ``shiliao build --json`` gives it under ``privacy``."""
        return {
            "levels": self.levels,
            "withheld_unreviewed": len(self.withheld_sources),
            "unreviewed_findings": self.unreviewed,
            "placeholders": self.placeholders,
        }


class PublicFiles:
    """The files the projection offers, by SHA-256: offered originals (read from the archive's
    store) and public copies (``ARCHIVE/derivatives/``); anything else is ``BlobNotFound``.

    Args:
        originals: the archive's originals.
        derivatives: the folder of public copies.
        offered: SHA-256 -> ``"original"`` or ``"copy"``.
    """

    def __init__(self, originals: BlobStore, derivatives: Path, offered: Mapping[str, str]) -> None:
        self._originals = originals
        self._derivatives = derivatives
        self._offered = dict(offered)

    def open(self, sha256: str) -> BinaryIO:
        """Open an offered file; ``BlobNotFound`` for anything not offered."""
        kind = self._offered.get(sha256)
        if kind == "original":
            return self._originals.open(sha256)
        if kind == "copy":
            try:
                return (self._derivatives / sha256[:2] / sha256).open("rb")
            except FileNotFoundError:
                raise BlobNotFound(sha256) from None
        raise BlobNotFound(sha256)

    def exists(self, sha256: str) -> bool:
        """Whether the file is offered."""
        return sha256 in self._offered

    def iter_digests(self) -> Iterator[str]:
        """Every offered file's digest."""
        yield from self._offered

    def verify(self, sha256: str) -> None:
        """Re-read an offered file and check its digest (``IntegrityError`` if it changed)."""
        if self._offered.get(sha256) == "original":
            self._originals.verify(sha256)
            return
        digest = hashlib.sha256()
        with self.open(sha256) as handle:
            while chunk := handle.read(_CHUNK_BYTES):
                digest.update(chunk)
        if digest.hexdigest() != sha256:
            raise IntegrityError(
                str(self._derivatives / sha256), "sha256", sha256, digest.hexdigest()
            )

    def kind(self, sha256: str) -> str | None:
        """``"original"``, ``"copy"``, or None when the file is not offered."""
        return self._offered.get(sha256)


class PublicProjection:
    """An archive's public projection, open for reading.

    Args:
        archive_root: the archive folder (``public/`` and ``derivatives/`` are in it).
        originals: the archive's originals.

    Attributes:
        root: the projection's folder.
        catalog: its database (the public content; same schema as the archive's).
        files: the files it offers (``PublicFiles``).
        index_path: where its search index is kept (built on first search:
            ``operations.search.current_index``).

    Raises:
        StoreError: there is no projection (``shiliao build`` makes it).
    """

    def __init__(self, archive_root: Path, originals: BlobStore) -> None:
        self.root = Path(archive_root) / PROJECTION_FOLDER
        if not (self.root / "shiliao.db").is_file():
            raise StoreError(
                f"{archive_root}: no public projection yet; run `shiliao build` to make it"
            )
        self.catalog = Catalog(self.root / "shiliao.db", references=False)
        self.files = PublicFiles(
            originals,
            Path(archive_root) / DERIVATIVES_FOLDER,
            self.catalog.get_state("public_files") or {},
        )
        self.index_path = self.root / "index"
        self._publications = self.catalog.get_state("publications") or {}

    def publication(self, source_id: str) -> Publication | None:
        """How a source is published (None for a source not in the projection)."""
        data = self._publications.get(source_id)
        if data is None:
            return None
        return Publication(
            level=data["level"],
            reasons=tuple(data["reasons"]),
            withheld=dict(data["withheld"]),
            file=data["file"],
            copy_note=data["copy_note"],
        )

    def publications(self) -> dict[str, Publication]:
        """Every source's ``Publication``, by id."""
        return {source_id: self.publication(source_id) for source_id in self._publications}

    def close(self) -> None:
        """Close the database."""
        self.catalog.close()

    def __enter__(self) -> PublicProjection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
