"""``shiliao add``: capture URLs and files into an archive."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from shiliao.archive import open_archive
from shiliao.cli.console import (
    SafeConsole,
    ShiliaoCommand,
    dask_option,
    progress_bar,
    workers_option,
)
from shiliao.config import load_settings
from shiliao.extract.pool import require_dask
from shiliao.operations.add import add_targets


@click.command("add", cls=ShiliaoCommand)
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path))
@click.argument("targets", metavar="URL|FILE...", nargs=-1, required=True)
@click.option(
    "--allow-private",
    is_flag=True,
    help="Let URLs reach loopback and private addresses (a local test server only).",
)
@workers_option
@dask_option
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print an object with added, unchanged, duplicates, removed (source ids), failed (path "
    "and reason), skipped (files inside a ZIP or TAR not taken out), warnings and checkpoint "
    "(the size of the log checkpoint signed, or null when nothing changed).",
)
def add(
    archive_dir: Path,
    targets: tuple[str, ...],
    allow_private: bool,
    workers: int,
    dask: str | None,
    as_json: bool,
) -> None:
    """Capture web pages and files into an archive as sources of their own.

    A URL is fetched into a WARC file, kept as the original with its HTTP status and headers,
    and its page extracted; loopback, private, link-local and metadata addresses are refused at
    every redirect, and so are schemes other than http and https. A file is kept as
    added/NAME; a web archive (WARC, WACZ) gives a source per HTML page, a ZIP or TAR file a
    source per file inside it. Sources added this way stay when the collection is built again.
    The log is signed only when sources were added, updated or removed.
    """
    if dask:
        require_dask()
    with (
        open_archive(archive_dir, writer="add") as archive,
        progress_bar(not as_json) as progress,
    ):
        settings = load_settings()
        report = add_targets(
            archive,
            targets,
            settings,
            allow_private=allow_private,
            progress=progress,
            workers=workers,
            dask=dask,
        )
    payload = {
        "added": report.added,
        "unchanged": report.unchanged,
        "duplicates": report.duplicates,
        "failed": report.failed,
        "skipped": report.skipped,
        "removed": report.removed,
        "warnings": report.warnings,
        "checkpoint": report.checkpoint.size if report.checkpoint else None,
    }
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        out = SafeConsole(highlight=False, soft_wrap=True)
        table = Table(title="shiliao add", show_header=False)
        for key in ("added", "unchanged", "duplicates"):
            table.add_row(key, str(len(payload[key])))
        table.add_row("failed", str(len(report.failed)))
        table.add_row("skipped in ZIP/TAR", str(len(report.skipped)))
        out.print(table)
        for failure in report.failed:
            where = failure["path"] + (f" [{failure['member']}]" if "member" in failure else "")
            out.print(f"failed {where}: {failure['reason']}", markup=False)
        for row in report.skipped:
            out.print(f"skipped {row['path']}: {row['member']}: {row['reason']}", markup=False)
        for source_id in report.removed:
            out.print(f"removed {source_id}: no longer in its file", markup=False)
        for warning in report.warnings:
            out.print(f"warning: {warning}", markup=False)
    if report.failed and not report.added:
        raise SystemExit(1)
