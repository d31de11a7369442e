"""Review: the privacy review of an archive, ``shiliao privacy scan`` and ``decide``.

Personal data is found at ingest (``privacy.detect``) and stored with each source. The review
lists what nobody has decided yet; a decision goes into the collection's ``privacy.yaml``
(``collection.privacy``), where the next build reads it, and into the archive's log without
the text itself: a log entry carries an HMAC-SHA-256 of the text under a key kept in the
archive (``privacy.key``, never exported), so that the log shows when each decision was taken
and can confirm a text to whoever holds the key, but tells nobody else which name it was.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import hmac
import os
import secrets
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from shiliao.archive import Archive
from shiliao.collection import Collection
from shiliao.collection.privacy import append_decision
from shiliao.config import Settings
from shiliao.errors import CollectionError, DiskFull
from shiliao.model import Decision, Finding
from shiliao.privacy.access import AccessRules
from shiliao.privacy.detect import DETECTOR_VERSION, detect_source
from shiliao.privacy.public import PrivacyInputs
from shiliao.privacy.review import public_persons, review_findings

__all__ = [
    "PRIVACY_KEY_FILE",
    "ScanResult",
    "decide",
    "detect_again",
    "privacy_inputs",
    "privacy_key",
    "record_privacy_inputs",
    "scan",
]

PRIVACY_KEY_FILE = "privacy.key"
"""The archive's HMAC key for decisions in the log (32 random bytes, mode 0600)."""


def privacy_key(archive: Archive) -> bytes:
    """The archive's privacy key (``privacy.key``: 32 random bytes, made on first use, mode
    0600): the key of the HMACs that stand for decided texts in the log and for withheld
    source ids on the public site. It is never exported.

    A new key is written whole into a temporary file and linked into place, so a crash never
    leaves a short key behind (every HMAC made with one would be made again differently).

    Raises:
        DiskFull: a new key cannot be written for lack of space.
    """
    path = archive.root / PRIVACY_KEY_FILE
    if not path.is_file():
        descriptor, temp = tempfile.mkstemp(dir=archive.root, prefix=f".{PRIVACY_KEY_FILE}.")
        try:
            with os.fdopen(descriptor, "wb") as out:
                if archive.fault is not None:
                    archive.fault(f"write:{PRIVACY_KEY_FILE}")
                out.write(secrets.token_bytes(32))
                out.flush()
                os.fsync(out.fileno())
            # A key another process linked first is the key.
            with contextlib.suppress(FileExistsError):
                os.link(temp, path)
        except OSError as exc:
            if DiskFull.cause_of(exc):
                raise DiskFull(
                    str(archive.root), f"the privacy key {PRIVACY_KEY_FILE}", 32
                ) from exc
            raise
        finally:
            os.unlink(temp)
    return path.read_bytes()


def _entry(decision: Decision, key: bytes) -> dict[str, Any]:
    """A decision as the log keeps it: no text, an HMAC of it."""
    entry: dict[str, Any] = {
        "decision": decision.decision,
        "finding": decision.finding,
        "source": decision.source,
        "kind": decision.kind,
        "by": decision.by,
        "date": decision.date,
    }
    if decision.region is not None:
        # The log holds no floats: fractions are kept as they are written.
        entry["region"] = [repr(v) for v in decision.region]
        entry["page"] = decision.page
    if decision.text is not None:
        entry["text_hmac_sha256"] = hmac.new(
            key, decision.text.encode("utf-8"), hashlib.sha256
        ).hexdigest()
    return {k: v for k, v in entry.items() if v is not None}


def _entry_digest(entry: dict[str, Any]) -> str:
    return hashlib.sha256(repr(sorted(entry.items())).encode("utf-8")).hexdigest()


def privacy_inputs(collection: Collection, settings: Settings) -> PrivacyInputs:
    """What the public projection needs of a collection: its decisions, public persons and
    ``[privacy]`` rules.

    Raises:
        ConfigError: the ``[privacy]`` settings are invalid.
    """
    return PrivacyInputs(
        decisions=tuple(collection.decisions),
        people=tuple(collection.people),
        rules=AccessRules.from_settings(settings),
    )


def record_privacy_inputs(archive: Archive, inputs: PrivacyInputs) -> list[str]:
    """Save the privacy inputs in the archive and log each decision taken or withdrawn since
    the last time (``privacy_decided``, ``privacy_decision_withdrawn``: text as an HMAC).

    Returns:
        The kinds of the entries appended, one per decision (empty when nothing changed).
    """
    catalog = archive.catalog
    logged = set(catalog.get_state("privacy_logged") or [])
    entries = {}
    key = privacy_key(archive) if inputs.decisions else b""
    for decision in inputs.decisions:
        entry = _entry(replace(decision, line=0), key)
        entries[_entry_digest(entry)] = entry
    appended = []
    # One transaction with the state that says what is logged: a crash never logs one twice.
    with catalog.transaction():
        for digest, entry in entries.items():
            if digest not in logged:
                archive.record("privacy_decided", entry, source_id=entry.get("source"))
                appended.append("privacy_decided")
        withdrawn = logged - set(entries)
        if withdrawn:
            archive.record("privacy_decisions_withdrawn", {"count": len(withdrawn)})
            appended.append("privacy_decisions_withdrawn")
        catalog.set_state("privacy_inputs", inputs.to_json())
        catalog.set_state("privacy_logged", sorted(entries))
    return appended


def detect_again(archive: Archive, done: Iterable[str] = ()) -> int:
    """Find personal data in every source again when the findings were made by another
    version of the detectors (or by none: an archive made before them).

    Args:
        archive: the open archive.
        done: sources whose findings this version has just made (processed by this build).

    Returns:
        The number of sources read again (0 when the findings were current).
    """
    catalog = archive.catalog
    if catalog.get_state("privacy_detector") == DETECTOR_VERSION:
        return 0
    skip = set(done)
    sources = [s for s in catalog.sources() if s.id not in skip]
    with catalog.transaction():
        for source in sources:
            catalog.replace_findings(
                [source.id], detect_source(source, catalog.passages(source.id))
            )
        catalog.set_state("privacy_detector", DETECTOR_VERSION)
    return len(sources)


@dataclass
class ScanResult:
    """What ``scan`` found.

    Attributes:
        unreviewed: private findings nobody decided, by source order.
        decided: findings an editor decided, or that are known public roles (with ``all``).
        sources: how many sources have unreviewed findings.
    """

    unreviewed: list[Finding] = field(default_factory=list)
    decided: list[Finding] = field(default_factory=list)
    sources: int = 0

    def to_json(self) -> dict[str, Any]:
        """``shiliao privacy scan --json``: ``{"unreviewed": [finding...], "decided": [...],
        "sources"}``, each finding with ``key``, ``source_id``, ``field``, ``paragraph``,
        ``char_start``, ``char_end``, ``kind``, ``text``, ``role``, ``reason``, ``context``."""

        def row(finding: Finding) -> dict[str, Any]:
            data = asdict(finding)
            data.pop("passage_id")
            return data

        return {
            "unreviewed": [row(f) for f in self.unreviewed],
            "decided": [row(f) for f in self.decided],
            "sources": self.sources,
        }


def scan(archive: Archive, *, include_decided: bool = False) -> ScanResult:
    """The privacy review of an archive as its last build left it.

    Args:
        archive: the open archive.
        include_decided: also list the findings already decided or known to be public, and
            those of team sources and sources under embargo (left out otherwise: they are
            not published while they stay so).

    Returns:
        A ``ScanResult``.
    """
    catalog = archive.catalog
    inputs = PrivacyInputs.from_json(catalog.get_state("privacy_inputs"))
    sources = catalog.sources()
    review = review_findings(
        sources,
        catalog.findings(),
        inputs.decisions,
        public_persons(inputs.people, catalog.terms()),
    )
    result = ScanResult()
    today = datetime.datetime.now(datetime.UTC).date()
    for source in sources:
        if not include_decided and inputs.rules.level_of(source, today)[0] == "team":
            # Never published while it stays team (or under embargo): nothing to decide yet.
            continue
        entry = review.sources[source.id]
        result.unreviewed += entry.unreviewed
        result.sources += bool(entry.unreviewed)
        if include_decided:
            result.decided += entry.public
    return result


def decide(
    collection_dir: Path,
    decision: str,
    *,
    text: str | None = None,
    finding: str | None = None,
    source: str | None = None,
    kind: str | None = None,
    note: str | None = None,
    by: str | None = None,
    archive: Archive | None = None,
) -> tuple[Decision, Path]:
    """Record a decision in the collection's ``privacy.yaml`` (and in the archive's log when
    the archive is given); the next build applies it.

    Args:
        collection_dir: the collection folder.
        decision: ``redact``, ``public``, ``not-personal`` or ``checked``.
        text: the string decided about; or ``finding``, the key of one finding (``scan``);
            ``checked`` takes ``source`` alone.
        source: limit the decision to one source (for ``checked``: the source checked).
        kind: the kind of data ``text`` is (picks the placeholder); for a finding, its own.
        note: why, for the team.
        by: who decides (default: the user name of this process).
        archive: the archive, to look up a finding's source and kind and to log the decision.

    Returns:
        ``(decision, path of privacy.yaml)``.

    Raises:
        CollectionError: the decision is malformed or contradicts one already there, or a
            finding key is not in the archive.
    """
    if decision == "checked" and (source is None or text is not None or finding is not None):
        raise CollectionError("`checked` takes --source (the source an editor read) alone")
    if decision != "checked" and (text is None) == (finding is None):
        raise CollectionError(f"`{decision}` takes --text TEXT or --finding KEY (one of them)")
    if finding is not None and archive is not None:
        known = {f.key: f for f in archive.catalog.findings()}
        if finding not in known:
            raise CollectionError(
                f"no finding {finding} in {archive.root}; `shiliao privacy scan` lists them"
            )
        kind = kind or known[finding].kind
        source = source or known[finding].source_id
    made = Decision(
        decision=decision,
        text=text,
        finding=finding,
        source=source,
        kind=kind,
        note=note,
        by=by or os.environ.get("USER") or None,
        date=datetime.date.today().isoformat(),
    )
    path = append_decision(collection_dir, made)
    if archive is not None:
        entry = _entry(made, privacy_key(archive))
        logged = set(archive.catalog.get_state("privacy_logged") or [])
        logged.add(_entry_digest(entry))
        with archive.catalog.transaction():
            archive.record("privacy_decided", entry, source_id=made.source)
            archive.catalog.set_state("privacy_logged", sorted(logged))
    return made, path
