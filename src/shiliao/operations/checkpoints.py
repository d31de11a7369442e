"""Signing the log and sending each checkpoint outside the archive: ``shiliao checkpoint``, and
the last step of ``build`` and ``add`` when the settings name where checkpoints go.

Settings, ``[checkpoints]`` in the collection's ``shiliao.toml`` (``defaults.toml`` has each
key with its help): ``publish`` (folders, git work trees included, and c2sp.org/tlog-witness
URLs; ``log.outside``), ``timestamp_url`` (an RFC 3161 time-stamping authority;
``log.timestamp``), ``timestamp_certs`` (the PEM file of the TSA certificates the team trusts)
and ``timeout_s``. ``build`` reads them from the collection, with relative paths taken from the
collection folder, and the archive remembers them in its database, so that ``add`` and
``checkpoint`` send their checkpoints to the same places.

A checkpoint is signed and stored in the archive first; then it is timestamped (when a TSA is
named and it has no token yet), then copied to every target in turn. A target that fails does
not stop the others; the command fails at the end, naming each, and ``shiliao checkpoint
ARCHIVE`` tries again (copies already made are kept and not made twice).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shiliao.config import Settings
from shiliao.errors import (
    CheckpointError,
    ConfigError,
    LogError,
    PublicationError,
    TimestampError,
)
from shiliao.log import Checkpoint, Entry, Log, VerifierKey, write_checkpoint
from shiliao.log._fs import write_new
from shiliao.log.checkpoint import CHECKPOINTS_DIR, LATEST_CHECKPOINT, open_checkpoint
from shiliao.log.keys import KeyHistory, key_history, load_signing_key, revoke_key, rotate_key
from shiliao.log.outside import copy_to_folder, submit_to_witness
from shiliao.log.timestamp import (
    TOKEN_SUFFIX,
    Timestamp,
    load_tsa_certificates,
    request_timestamp,
    verify_timestamp,
)
from shiliao.store import Catalog

__all__ = [
    "CheckpointReport",
    "CheckpointTargets",
    "is_url",
    "latest_checkpoint_note",
    "publish_checkpoint",
    "publish_new_checkpoint",
    "recall_targets",
    "remember_targets",
    "sign_and_publish",
    "targets_for",
]

_STATE_KEY = "checkpoint_targets"


def is_url(target: str) -> bool:
    """Whether a publish target is a witness URL (http or https) rather than a folder."""
    return target.startswith(("http://", "https://"))


@dataclass(frozen=True)
class CheckpointTargets:
    """Where checkpoints go, and who timestamps them.

    Attributes:
        publish: absolute folder paths and witness URLs, in order.
        timestamp_url: the RFC 3161 TSA's URL; empty: no timestamps.
        timestamp_certs: absolute path of the PEM file of TSA certificates the team trusts;
            empty: tokens are checked for their imprint only when they come.
        timeout_s: seconds allowed to a witness or the TSA for connecting and each read.
    """

    publish: tuple[str, ...] = ()
    timestamp_url: str = ""
    timestamp_certs: str = ""
    timeout_s: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings, base: Path) -> CheckpointTargets:
        """The ``[checkpoints]`` table, with relative paths taken from ``base``.

        Raises:
            ConfigError: ``publish`` is not a list of non-empty strings, a URL is not http(s)
                or ``timeout_s`` is not positive.
        """
        table = settings.table("checkpoints")
        publish = table["publish"]
        if not all(isinstance(target, str) and target.strip() for target in publish):
            raise ConfigError("[checkpoints] publish must be a list of folders and URLs")
        if not (table["timestamp_url"] == "" or is_url(table["timestamp_url"])):
            raise ConfigError("[checkpoints] timestamp_url must be an http or https URL")
        if table["timeout_s"] <= 0:
            raise ConfigError("[checkpoints] timeout_s must be positive")

        def resolved(path: str) -> str:
            return str((base / path).resolve()) if path else ""

        return cls(
            tuple(target if is_url(target) else resolved(target) for target in publish),
            table["timestamp_url"],
            resolved(table["timestamp_certs"]),
            float(table["timeout_s"]),
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON object of the four fields."""
        return {
            "publish": list(self.publish),
            "timestamp_url": self.timestamp_url,
            "timestamp_certs": self.timestamp_certs,
            "timeout_s": self.timeout_s,
        }

    @classmethod
    def from_json(cls, value: Any) -> CheckpointTargets:
        """Read ``to_json``'s object; anything else gives no targets."""
        if not isinstance(value, dict):
            return cls()
        return cls(
            tuple(str(target) for target in value.get("publish", [])),
            str(value.get("timestamp_url", "")),
            str(value.get("timestamp_certs", "")),
            float(value.get("timeout_s", 30.0)),
        )


def remember_targets(catalog: Catalog, targets: CheckpointTargets) -> None:
    """Keep the targets in the archive's database, for ``add`` and ``checkpoint``."""
    with catalog.transaction():
        catalog.set_state(_STATE_KEY, targets.to_json())


def recall_targets(catalog: Catalog) -> CheckpointTargets:
    """The targets the last ``build`` remembered (none before the first)."""
    return CheckpointTargets.from_json(catalog.get_state(_STATE_KEY))


@dataclass
class CheckpointReport:
    """What ``sign_and_publish`` or ``publish_checkpoint`` did.

    Attributes:
        checkpoint: the checkpoint signed (or found stored at the log's size).
        rotated: the ``key_rotated`` entry, when the key was rotated.
        revoked: the ``key_revoked`` entry, when a key was revoked.
        timestamp: what the checkpoint's RFC 3161 token says, when it has one.
        copies: the folders and witness URLs that hold the checkpoint now.
    """

    checkpoint: Checkpoint
    rotated: Entry | None = None
    revoked: Entry | None = None
    timestamp: Timestamp | None = None
    copies: list[str] = field(default_factory=list)


def _history(log: Log) -> KeyHistory:
    try:
        current = VerifierKey.parse((log.path / "key.vkey").read_text(encoding="ascii"))
    except (OSError, UnicodeDecodeError) as exc:
        raise LogError(f"cannot read {log.path / 'key.vkey'}: {exc}") from exc
    return key_history(log, current)


def _timestamp(log: Log, checkpoint: Checkpoint, targets: CheckpointTargets) -> Timestamp | None:
    certificates = (
        load_tsa_certificates(Path(targets.timestamp_certs)) if targets.timestamp_certs else None
    )
    note = checkpoint.note.encode("utf-8")
    path = log.path / CHECKPOINTS_DIR / f"{checkpoint.size}{TOKEN_SUFFIX}"
    if path.is_file():
        return verify_timestamp(path.read_bytes(), note, certificates)
    if not targets.timestamp_url:
        return None
    token, stamp = request_timestamp(
        note, targets.timestamp_url, timeout_s=targets.timeout_s, certificates=certificates
    )
    try:
        write_new(path, token, 0o444)
    except OSError as exc:
        raise TimestampError(f"cannot store the timestamp in {path}: {exc}") from exc
    return stamp


def publish_checkpoint(
    log: Log, checkpoint: Checkpoint, targets: CheckpointTargets
) -> CheckpointReport:
    """Timestamp a stored checkpoint and copy it to every target.

    Args:
        log: the open log; ``checkpoint`` is one of its stored checkpoints.
        checkpoint: the checkpoint to send.
        targets: where to (``CheckpointTargets``); with none, nothing is done.

    Returns:
        A ``CheckpointReport`` (its ``copies`` list the targets that hold it).

    Raises:
        CheckpointError: a target holds a checkpoint the log does not extend (the log was cut,
            rewritten or forked since it was copied there); the other targets were tried.
        PublicationError: a target could not be reached or written, or the timestamp could
            not be had; the other targets were tried, and the checkpoint is stored in the
            archive all the same.
        ConfigError: the TSA certificates file cannot be read.
    """
    report = CheckpointReport(checkpoint)
    failures: list[tuple[str, LogError]] = []
    try:
        report.timestamp = _timestamp(log, checkpoint, targets)
    except TimestampError as exc:
        failures.append((targets.timestamp_url or "the stored timestamp", exc))
    history: KeyHistory | None = None
    for target in targets.publish:
        try:
            if is_url(target):
                submit_to_witness(
                    target,
                    checkpoint,
                    log.consistency_proof,
                    log.path,
                    timeout_s=targets.timeout_s,
                )
            else:
                history = history or _history(log)
                copy_to_folder(
                    Path(target),
                    checkpoint,
                    log.path,
                    history,
                    log.root_hash,
                    log.consistency_proof,
                    log.size,
                )
        except (CheckpointError, PublicationError) as exc:
            failures.append((target, exc))
        else:
            report.copies.append(target)
    if failures:
        listed = "; ".join(f"{target}: {exc}" for target, exc in failures)
        message = (
            f"checkpoint {checkpoint.size} is signed and stored in "
            f"{log.path / CHECKPOINTS_DIR / f'{checkpoint.size}.txt'}, but {listed}"
        )
        if any(isinstance(exc, CheckpointError) for _, exc in failures):
            raise CheckpointError(message)
        raise PublicationError(f"{message}; `shiliao checkpoint ARCHIVE` tries again")
    return report


def latest_checkpoint_note(log: Log) -> bytes | None:
    """The bytes of ``log/checkpoint`` now, or None without one."""
    try:
        return (log.path / LATEST_CHECKPOINT).read_bytes()
    except FileNotFoundError:
        return None


def publish_new_checkpoint(
    log: Log, targets: CheckpointTargets, before: bytes | None
) -> CheckpointReport | None:
    """Send the latest checkpoint out when it is new: when it is not ``before``, the bytes
    ``latest_checkpoint_note`` gave before the command signed anything.

    Returns:
        The report, or None when no checkpoint was signed since ``before`` or there are no
        targets.

    Raises:
        As ``publish_checkpoint``.
    """
    note = latest_checkpoint_note(log)
    if note is None or note == before or not (targets.publish or targets.timestamp_url):
        return None
    return publish_checkpoint(log, open_checkpoint(note, _history(log)), targets)


def sign_and_publish(
    log: Log,
    targets: CheckpointTargets,
    *,
    rotate: bool = False,
    revoke: tuple[str, str] | None = None,
) -> CheckpointReport:
    """What ``shiliao checkpoint`` does: rotate or revoke keys if asked, sign, send out.

    With ``rotate``, the old key first signs a checkpoint of the log as it is (its last), then
    the ``key_rotated`` entry is logged and the new key signs from then on (``log.keys``).
    ``revoke`` is logged after a rotation, so the key just rotated out can be revoked at once.

    Args:
        log: the open log.
        targets: where the checkpoint goes.
        rotate: put a new signing key in force.
        revoke: ``(key ID, reason)`` of a key to revoke.

    Returns:
        A ``CheckpointReport``.

    Raises:
        LogError: the revocation is refused (unknown key, the key in force, no reason), or a
            file cannot be written.
        CheckpointError, PublicationError, ConfigError: as ``write_checkpoint`` and
            ``publish_checkpoint``.
    """
    key = load_signing_key(log)
    rotated = revoked = None
    if rotate:
        write_checkpoint(log, key)
        key, rotated = rotate_key(log, key)
    if revoke is not None:
        revoked = revoke_key(log, key, *revoke)
    checkpoint = write_checkpoint(log, key)
    report = publish_checkpoint(log, checkpoint, targets)
    report.rotated, report.revoked = rotated, revoked
    return report


def targets_for(
    archive_dir: Path,
    publish: Sequence[str] = (),
    timestamp_url: str | None = None,
    timestamp_certs: Path | None = None,
) -> CheckpointTargets:
    """The targets of ``shiliao checkpoint``: those the archive remembers, each kind replaced
    by the command line's when given (folders there are relative to the working folder)."""
    remembered = CheckpointTargets()
    if (archive_dir / "shiliao.db").is_file():
        with Catalog(archive_dir / "shiliao.db") as catalog:
            remembered = recall_targets(catalog)
    return CheckpointTargets(
        tuple(t if is_url(t) else str(Path(t).resolve()) for t in publish) or remembered.publish,
        remembered.timestamp_url if timestamp_url is None else timestamp_url,
        str(timestamp_certs.resolve()) if timestamp_certs else remembered.timestamp_certs,
        remembered.timeout_s,
    )
