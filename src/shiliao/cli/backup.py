"""``shiliao backup`` and ``shiliao restore``: encrypted backups and the restore drill
(``operations.backup`` gives the format and the reasons)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from shiliao.cli.console import ShiliaoCommand, progress_bar, shown
from shiliao.cli.integrity import echo_check
from shiliao.operations.backup import BackupKeys, backup_archive, restore_archive

_KEY_FILE = click.Path(dir_okay=False, exists=True, path_type=Path)


def _passphrase_options(command: Any) -> Any:
    command = click.option(
        "--passphrase-file",
        type=_KEY_FILE,
        help="A file whose first line is the passphrase (outside the backup folder).",
    )(command)
    return click.option(
        "--passphrase-env",
        metavar="VAR",
        help="The environment variable that holds the passphrase.",
    )(command)


@click.command("backup", cls=ShiliaoCommand)
@click.argument(
    "archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, exists=True, path_type=Path)
)
@click.argument("dest", metavar="DEST", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "-r",
    "--recipient",
    "recipients",
    multiple=True,
    metavar="AGE1...",
    help="An age X25519 public key to encrypt to (repeatable).",
)
@click.option(
    "-R",
    "--recipients-file",
    "recipient_files",
    multiple=True,
    type=_KEY_FILE,
    help="A file of age public keys, one a line (repeatable).",
)
@click.option(
    "-i",
    "--identity",
    "identity_files",
    multiple=True,
    type=_KEY_FILE,
    help="An age identity file (age-keygen's): encrypt to its public key (repeatable).",
)
@_passphrase_options
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
def backup(
    archive_dir: Path,
    dest: Path,
    recipients: tuple[str, ...],
    recipient_files: tuple[Path, ...],
    identity_files: tuple[Path, ...],
    passphrase_env: str | None,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Write an encrypted backup of ARCHIVE into DEST/shiliao-<UTC time>.tar.age.

    A consistent snapshot (builds and captures wait until it is written) of objects/, log/,
    the database (SQLite's backup API) and the privacy key, with a sha256 manifest and the
    latest signed checkpoint, encrypted with age to the public keys or passphrase given; an
    unencrypted backup is refused, and so is a key or passphrase file inside DEST or ARCHIVE.
    Any age tool opens it: age -d -i KEY FILE.tar.age | tar -x -C NEW_FOLDER. With a
    passphrase, the backup's key is sealed beside it in shiliao-<UTC time>.sealed-key.age:
    keep both files together.
    """
    keys = BackupKeys(
        recipients=recipients,
        recipient_files=recipient_files,
        identity_files=identity_files,
        passphrase_env=passphrase_env,
        passphrase_file=passphrase_file,
    )
    with progress_bar(not as_json) as progress:
        report = backup_archive(archive_dir, dest, keys, progress=progress)
    payload = {
        "archive": str(archive_dir),
        "backup": str(report.path),
        "sealed_key": None if report.sealed_key is None else str(report.sealed_key),
        "created": report.created,
        "files": report.files,
        "bytes": report.bytes,
        "encrypted_bytes": report.encrypted_bytes,
        "log_entries": report.log_entries,
        "checkpoint": report.checkpoint,
        "recipients": report.recipients,
        "passphrase": report.passphrase,
        "left_out": report.left_out,
        "warnings": report.warnings,
        "seconds": report.seconds,
    }
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    click.echo(
        f"backed up {report.files} files ({report.bytes:,} bytes) to {report.path} "
        f"({report.encrypted_bytes:,} bytes, age) in {report.seconds:.1f} s"
    )
    if report.sealed_key is not None:
        click.echo(f"its key, sealed with the passphrase: {report.sealed_key}")
    if report.checkpoint is not None:
        click.echo(
            f"latest checkpoint: {report.checkpoint['size']} of {report.log_entries} log "
            f"entries, root hash {report.checkpoint['root_hash']}"
        )
    for warning in report.warnings:
        click.echo(shown(f"warning: {warning}"))


@click.command("restore", cls=ShiliaoCommand)
@click.argument("backup_path", metavar="BACKUP", type=click.Path(exists=True, path_type=Path))
@click.argument("target", metavar="TARGET", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "-i",
    "--identity",
    "identity_files",
    multiple=True,
    type=_KEY_FILE,
    help="An age identity file that opens the backup (repeatable).",
)
@_passphrase_options
@click.option(
    "--key",
    "vkey",
    help="The log's verifier key (NAME+HASH+KEY) or a file holding it, kept outside; default: "
    "the restored log/key.vkey.",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was restored and found as JSON.")
def restore(
    backup_path: Path,
    target: Path,
    identity_files: tuple[Path, ...],
    passphrase_env: str | None,
    passphrase_file: Path | None,
    vkey: str | None,
    as_json: bool,
) -> None:
    """Restore BACKUP (a backup file, or a folder of them: the latest) into a new folder
    TARGET, then verify it.

    Decrypts into a folder beside TARGET, checks every file against the backup's manifest, and
    renames it to TARGET only when all matched: a wrong key, a changed byte or a cut file leaves
    no TARGET. Then runs `shiliao verify` on it; exit 1 when it finds a problem.
    """
    if vkey is not None and Path(vkey).is_file():
        vkey = Path(vkey).read_text(encoding="ascii").strip()
    keys = BackupKeys(
        identity_files=identity_files,
        passphrase_env=passphrase_env,
        passphrase_file=passphrase_file,
    )
    with progress_bar(not as_json) as progress:
        report = restore_archive(backup_path, target, keys, vkey=vkey, progress=progress)
    check = report.check
    if as_json:
        payload = {
            "ok": report.ok,
            "backup": str(report.backup),
            "target": str(report.target),
            "created": report.created,
            "files": report.files,
            "bytes": report.bytes,
            "checkpoint": report.checkpoint,
            "seconds": report.seconds,
            "verify": {
                "ok": check.ok,
                "problems": check.problems,
                "pending": check.pending,
                "objects": check.objects,
                "files": check.files,
                "bytes": check.bytes_read,
                "log_entries": check.log_entries,
                "checkpoints": check.checkpoints,
                "seconds": report.verify_seconds,
            },
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        click.echo(
            f"restored {report.files} files ({report.bytes:,} bytes) of the backup made "
            f"{report.created} into {report.target} in {report.seconds:.1f} s; every file "
            "matches the backup's manifest"
        )
        if report.checkpoint is not None:
            click.echo(
                f"its latest checkpoint: {report.checkpoint['size']} log entries, root hash "
                f"{report.checkpoint['root_hash']}, signed {report.checkpoint['time']}: compare "
                "with the copies kept elsewhere"
            )
        echo_check(check, report.verify_seconds)
    if not report.ok:
        raise SystemExit(1)
