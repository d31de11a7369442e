"""The integrity commands: ``checkpoint``, ``verify``, ``verify-file``, ``rebuild``, ``repair-log``."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from shiliao.archive import open_archive
from shiliao.cli.console import ShiliaoCommand, progress_bar, shown
from shiliao.log import (
    load_or_create_key,
    open_archive_log,
    repair_torn_tail,
    verify_proof_bundle,
    write_checkpoint,
)
from shiliao.operations.rebuild import rebuild
from shiliao.verification import verify_archive


def _archive_with_log(archive_dir: Path) -> Path:
    if not ((archive_dir / "shiliao.db").is_file() or (archive_dir / "log").is_dir()):
        raise click.ClickException(
            f"{archive_dir}: not a shiliao archive (no shiliao.db, no log/); run `shiliao build`"
        )
    return archive_dir


@click.command("checkpoint", cls=ShiliaoCommand)
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the checkpoint as JSON.")
def checkpoint_command(archive_dir: Path, as_json: bool) -> None:
    """Sign and store a checkpoint of the archive's log; appends nothing.

    Writes log/checkpoints/SIZE.txt and log/checkpoint, signed with log/key.private (made on
    first use). Copy the checkpoint and log/key.vkey somewhere outside the archive: later
    checks compare with those copies. The website's proofs lead to the checkpoint signed when
    it was written; the next build writes it again, with proofs that lead to this one.
    """
    log = open_archive_log(_archive_with_log(archive_dir))
    key = load_or_create_key(log.path)
    signed = write_checkpoint(log, key)
    payload = {
        "archive": str(archive_dir),
        "origin": signed.origin,
        "size": signed.size,
        "root_hash": signed.root_hash_b64,
        "time": signed.time,
        "path": str(log.path / "checkpoints" / f"{signed.size}.txt"),
        "vkey": str(key.verifier()),
    }
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    click.echo(f"checkpoint of {signed.size} log entries, root hash {signed.root_hash_b64}")
    click.echo(f"signed at {signed.time}, stored in {payload['path']}")
    click.echo(f"verifier key: {payload['vkey']}")


@click.command("verify", cls=ShiliaoCommand)
@click.argument(
    "archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, exists=True, path_type=Path)
)
@click.option(
    "--key",
    "vkey",
    help="The log's verifier key (NAME+HASH+KEY) or a file holding it, kept outside the "
    "archive; default: the archive's own log/key.vkey.",
)
@click.option("--json", "as_json", is_flag=True, help="Print an object with ok and problems.")
def verify(archive_dir: Path, vkey: str | None, as_json: bool) -> None:
    """Check every original's digests, the log against its checkpoints, and both together.

    Re-reads every stored file (sha512 against the OCFL inventory, sha256 against its fixity),
    checks every log entry and signed checkpoint (consistency proofs between checkpoints), and
    that every logged capture is stored and every stored file was logged. Exit 1 naming each
    problem: the path, the expected and found digest, or the first bad log entry. A name that
    differs only in Unicode normalization (NFC/NFD, as copies through macOS leave) is a
    warning, and its bytes are checked all the same.
    """
    if vkey is not None and Path(vkey).is_file():
        vkey = Path(vkey).read_text(encoding="ascii").strip()
    started = time.perf_counter()
    check = verify_archive(archive_dir, vkey)
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
    if not check.ok:
        raise SystemExit(1)


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
    kept = repair_torn_tail(archive_dir / "log")
    if kept is None:
        click.echo("the log's last line is complete: nothing to repair")
    else:
        click.echo(f"moved {kept.stat().st_size} bytes of an incomplete last line to {kept}")
