"""The integrity commands: ``checkpoint``, ``verify``, ``verify-file``, ``rebuild``, ``repair-log``."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from shiliao.archive import open_archive
from shiliao.cli.console import ShiliaoCommand, progress_bar, shown
from shiliao.log import open_archive_log, repair_torn_tail, verify_proof_bundle
from shiliao.operations.checkpoints import sign_and_publish, targets_for
from shiliao.operations.rebuild import rebuild
from shiliao.store.lock import writer_lock
from shiliao.verification import ArchiveCheck, verify_archive


def _archive_with_log(archive_dir: Path) -> Path:
    if not ((archive_dir / "shiliao.db").is_file() or (archive_dir / "log").is_dir()):
        raise click.ClickException(
            f"{archive_dir}: not a shiliao archive (no shiliao.db, no log/); run `shiliao build`"
        )
    return archive_dir


@click.command("checkpoint", cls=ShiliaoCommand)
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--publish",
    "publish",
    multiple=True,
    metavar="DIR|URL",
    help="Copy the checkpoint to this folder (committed to when it is in a git work tree) or "
    "c2sp.org/tlog-witness URL; repeatable. Default: [checkpoints] publish of the last build.",
)
@click.option(
    "--timestamp",
    "timestamp_url",
    metavar="URL",
    help="Timestamp the checkpoint at this RFC 3161 time-stamping authority; the token is kept "
    "as log/checkpoints/SIZE.tsr. Default: [checkpoints] timestamp_url of the last build.",
)
@click.option(
    "--tsa-certs",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="PEM file of the TSA certificates you trust, to check the token against. Default: "
    "[checkpoints] timestamp_certs of the last build.",
)
@click.option(
    "--rotate-key",
    is_flag=True,
    help="Put a new signing key in force: the old key signs a last checkpoint and a "
    "key_rotated entry naming the new key; the new key signs from then on.",
)
@click.option(
    "--revoke-key",
    metavar="KEYID",
    help="Log that the key with this ID (8 hex digits) is revoked: checkpoints it signs past "
    "this point are refused. Not the key in force: add --rotate-key to revoke that one.",
)
@click.option("--reason", help="Why the key is revoked (one line; needed with --revoke-key).")
@click.option("--json", "as_json", is_flag=True, help="Print the checkpoint as JSON.")
def checkpoint_command(
    archive_dir: Path,
    publish: tuple[str, ...],
    timestamp_url: str | None,
    tsa_certs: Path | None,
    rotate_key: bool,
    revoke_key: str | None,
    reason: str | None,
    as_json: bool,
) -> None:
    """Sign and store a checkpoint of the archive's log, and send it outside the archive.

    Writes log/checkpoints/SIZE.txt and log/checkpoint, signed with log/key.private (made on
    first use), then timestamps the checkpoint and copies it where the options or the
    [checkpoints] settings say. Keep copies of checkpoints and of log/key.vkey outside the
    archive: `shiliao verify ARCHIVE --against DIR` compares the log with them, and finds a
    log cut or rewritten along with its checkpoints. The website's proofs lead to the
    checkpoint signed when it was written; the next build writes it again, with proofs that
    lead to this one.
    """
    if (revoke_key is None) != (reason is None):
        raise click.UsageError("--revoke-key and --reason go together")
    with writer_lock(_archive_with_log(archive_dir), "checkpoint"):
        log = open_archive_log(archive_dir)
        targets = targets_for(archive_dir, publish, timestamp_url, tsa_certs)
        revoke = (revoke_key, reason) if revoke_key is not None and reason is not None else None
        report = sign_and_publish(log, targets, rotate=rotate_key, revoke=revoke)
    signed = report.checkpoint
    vkey = (log.path / "key.vkey").read_text(encoding="ascii").strip()
    payload = {
        "archive": str(archive_dir),
        "origin": signed.origin,
        "size": signed.size,
        "root_hash": signed.root_hash_b64,
        "time": signed.time,
        "path": str(log.path / "checkpoints" / f"{signed.size}.txt"),
        "vkey": vkey,
        "rotated": report.rotated.data["old_key"] if report.rotated else None,
        "revoked": report.revoked.data["key"] if report.revoked else None,
        "timestamp": report.timestamp.gen_time.isoformat() if report.timestamp else None,
        "copies": report.copies,
    }
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if report.rotated:
        click.echo(
            f"rotated out key {report.rotated.data['old_key']} at log entry {report.rotated.index}"
        )
    if report.revoked:
        click.echo(f"revoked key {report.revoked.data['key']} at log entry {report.revoked.index}")
    click.echo(f"checkpoint of {signed.size} log entries, root hash {signed.root_hash_b64}")
    click.echo(f"signed at {signed.time}, stored in {payload['path']}")
    if report.timestamp:
        trusted = (
            "" if report.timestamp.trusted else " (token not checked against TSA certificates)"
        )
        click.echo(f"timestamped at {payload['timestamp']}{trusted}")
    for copy in report.copies:
        click.echo(shown(f"copied to {copy}"))
    click.echo(f"verifier key: {payload['vkey']}")


@click.command("verify", cls=ShiliaoCommand)
@click.argument(
    "archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, exists=True, path_type=Path)
)
@click.option(
    "--key",
    "vkey",
    help="A verifier key of the log (NAME+HASH+KEY) or a file holding it, kept outside the "
    "archive: its first key or any later one (the log records rotations); default: the "
    "archive's own log/key.vkey.",
)
@click.option(
    "--against",
    multiple=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    metavar="DIR",
    help="A folder of the log's checkpoints kept outside the archive (checkpoint --publish); "
    "repeatable. A copy for more entries than the log has, or one the log does not extend, "
    "fails.",
)
@click.option(
    "--tsa-certs",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="PEM file of the TSA certificates you trust, to check the checkpoints' RFC 3161 "
    "timestamps with; without it they are checked for their message imprint only.",
)
@click.option("--json", "as_json", is_flag=True, help="Print an object with ok and problems.")
def verify(
    archive_dir: Path,
    vkey: str | None,
    against: tuple[Path, ...],
    tsa_certs: Path | None,
    as_json: bool,
) -> None:
    """Check every original's digests, the log against its checkpoints, and both together.

    Re-reads every stored file (sha512 against the OCFL inventory, sha256 against its fixity),
    checks every log entry and signed checkpoint (consistency proofs between checkpoints, each
    signed by the key the log's key history puts in force at its size, its RFC 3161 timestamp
    if it has one), and that every logged capture is stored and every stored file was logged;
    with --against, also the log against copies of its checkpoints kept elsewhere. Exit 1
    naming each problem: the path, the expected and found digest, the first bad log entry, or
    the tree sizes that disagree. A name that differs only in Unicode normalization (NFC/NFD,
    as copies through macOS leave) is a warning, and its bytes are checked all the same.
    """
    if vkey is not None and Path(vkey).is_file():
        vkey = Path(vkey).read_text(encoding="ascii").strip()
    started = time.perf_counter()
    check = verify_archive(archive_dir, vkey, against=against, tsa_certs=tsa_certs)
    seconds = time.perf_counter() - started
    if as_json:
        payload = {
            "ok": check.ok,
            "problems": check.problems,
            "warnings": check.warnings,
            "pending": check.pending,
            "objects": check.objects,
            "files": check.files,
            "bytes": check.bytes_read,
            "log_entries": check.log_entries,
            "checkpoints": check.checkpoints,
            "seconds": seconds,
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        echo_check(check, seconds)
    if not check.ok:
        raise SystemExit(1)


def echo_check(check: ArchiveCheck, seconds: float) -> None:
    """Print what ``verify_archive`` found: each problem, warning and pending note on a line
    of its own, then one line that says verified or how many problems, with the counts."""
    for problem in check.problems:
        click.echo(shown(problem))
    for warning in check.warnings:
        click.echo(shown(f"warning: {warning}"))
    for note in check.pending:
        click.echo(shown(f"pending: {note}"))
    summary = (
        f"{check.objects} objects, {check.files} files ({check.bytes_read:,} bytes), "
        f"{check.log_entries} log entries, {check.checkpoints} "
        f"checkpoint{'' if check.checkpoints == 1 else 's'} in {seconds:.1f} s"
    )
    if check.ok:
        click.echo(f"verified: {summary}")
    else:
        click.echo(f"{len(check.problems)} problem(s) in {summary}")


@click.command("rebuild", cls=ShiliaoCommand)
@click.argument(
    "archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, exists=True, path_type=Path)
)
@click.option("--json", "as_json", is_flag=True, help="Print counts as JSON.")
def rebuild_command(archive_dir: Path, as_json: bool) -> None:
    """Make the database and search index again from objects/ and log/ alone.

    The log says which files the collection held and which sources were added; their bytes come
    from the storage root. The old database is kept until the new one is complete.
    """
    with progress_bar(not as_json) as progress:
        report = rebuild(archive_dir, progress)
    with open_archive(archive_dir) as archive:
        counts = archive.catalog.counts()
    payload = {
        "collection_files": report.collection_files,
        "added": report.added,
        "sources": counts["sources"],
        "passages": counts["passages"],
        "warnings": report.ingest.warnings,
    }
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        click.echo(
            f"rebuilt {counts['sources']} sources ({counts['passages']} passages) from "
            f"{report.collection_files} collection files and {report.added} added sources"
        )


@click.command("verify-file", cls=ShiliaoCommand)
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--proof",
    "proof_path",
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The file's proof bundle (JSON).",
)
@click.option(
    "--key",
    "vkey",
    required=True,
    help="The archive's verifier key (NAME+HASH+KEY), or a file holding it (key.vkey).",
)
@click.option(
    "--checkpoint",
    "checkpoint_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A signed checkpoint obtained elsewhere (e.g. published off-site) to check the proof "
    "against, instead of the one inside the bundle; the proof must be for its tree size.",
)
def verify_file(file: Path, proof_path: Path, vkey: str, checkpoint_path: Path | None) -> None:
    """Check, offline, that FILE is byte for byte a file the archive logged.

    Needs only the file, its proof bundle and the archive's verifier key, obtained from the
    archive's publisher, not from the bundle. Exit 0 when the file's digests are those of a log
    entry that is in a checkpoint signed by the key; exit 1 naming what failed.
    """
    key_text = Path(vkey).read_text(encoding="ascii") if Path(vkey).is_file() else vkey
    bundle = proof_path.read_bytes()
    if checkpoint_path is not None:
        try:
            parsed = json.loads(bundle)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise click.ClickException(f"{proof_path}: not a proof bundle: {exc}") from exc
        if not isinstance(parsed, dict):
            raise click.ClickException(f"{proof_path}: not a proof bundle")
        parsed["checkpoint"] = checkpoint_path.read_text(encoding="utf-8")
        bundle = json.dumps(parsed).encode()
    verified = verify_proof_bundle(file.read_bytes(), bundle, key_text.strip())
    entry, signed = verified.entry, verified.checkpoint
    digests = ", ".join(name for name in ("sha256", "sha512") if name in entry.data)
    click.echo(f"verified: {file}")
    click.echo(
        f"  its {digests} equal those of log entry {entry.index} ({entry.kind}, {entry.time})"
    )
    click.echo(
        f"  that entry is in the log {signed.origin} of {signed.size} entries, "
        f"checkpoint signed at {signed.time} by the key given"
    )


@click.command("repair-log", cls=ShiliaoCommand)
@click.argument(
    "archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, exists=True, path_type=Path)
)
def repair_log(archive_dir: Path) -> None:
    """Move an incomplete last line of the log (left by a crash) to log/torn/, keeping it.

    Appends stop until this is done. Complete lines are not touched; verify the log afterwards.
    """
    with writer_lock(archive_dir, "repair-log"):
        kept = repair_torn_tail(archive_dir / "log")
    if kept is None:
        click.echo("the log's last line is complete: nothing to repair")
    else:
        click.echo(f"moved {kept.stat().st_size} bytes of an incomplete last line to {kept}")
