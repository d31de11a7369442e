"""``shiliao build``: ingest a collection folder and publish its website."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from shiliao.cli.console import (
    SafeConsole,
    ShiliaoCommand,
    dask_option,
    progress_bar,
    workers_option,
)
from shiliao.operations.build import build as run_build


def _print_summary(summary: dict[str, Any]) -> None:
    out = SafeConsole(soft_wrap=True)
    table = Table(title="shiliao build", show_header=False)
    for key in ("sources", "passages", "terms", "sections", "files"):
        table.add_row(key, str(summary[key]))
    table.add_row("processed now", str(summary["processed"]))
    table.add_row("unchanged", str(summary["unchanged"]))
    table.add_row("removed", str(summary["removed"]))
    table.add_row("duplicates", str(len(summary["duplicates"])))
    table.add_row("skipped in ZIP/TAR", str(len(summary["skipped"])))
    table.add_row("failed", str(len(summary["failed"])))
    table.add_row("archive", summary["archive"])
    site = summary["site"]
    table.add_row("site", f"{site['path']} ({'written' if site['written'] else 'up to date'})")
    seconds = summary["seconds"]
    table.add_row(
        "time",
        f"{seconds['total']:.2f} s (ingest {seconds['ingest']:.2f} s, site {seconds['site']:.2f} s)",
    )
    if summary["last_processing_build_seconds"] is not None and summary["processed"] == 0:
        table.add_row(
            "last build that processed sources", f"{summary['last_processing_build_seconds']:.2f} s"
        )
    out.print(table)
    privacy = summary.get("privacy")
    if privacy:
        levels = privacy["levels"]
        out.print(
            "published: "
            + ", ".join(
                f"{levels.get(level, 0)} {label}"
                for level, label in (
                    ("public", "in full"),
                    ("redacted", "with personal data withheld"),
                    ("metadata", "as catalogue records only"),
                    ("team", "not at all (team or embargo)"),
                )
            ),
            markup=False,
            highlight=False,
        )
        if privacy["withheld_unreviewed"]:
            out.print(
                f"{privacy['withheld_unreviewed']} source(s) published as catalogue records "
                f"only: {privacy['unreviewed_findings']} personal data finding(s) not yet "
                "reviewed; list them with `shiliao privacy scan ARCHIVE`",
                markup=False,
                highlight=False,
            )
    if site.get("audience") == "team":
        out.print(
            "This is the team site: internal, with material that is not public. Never put it "
            "where the public site is served.",
            markup=False,
            highlight=False,
        )
    if summary["processed"] == 0 and not site["written"]:
        out.print("Nothing changed: no source processed, site left as it was.")
    for duplicate in summary["duplicates"]:
        out.print(
            f"duplicate {duplicate['path']}: same bytes as {duplicate['same_as']}",
            markup=False,
            highlight=False,
        )
    for failure in summary["failed"]:
        where = failure["path"] + (f" [{failure['member']}]" if "member" in failure else "")
        out.print(
            f"[red]failed[/red] {escape(where)}: {escape(failure['reason'])}",
            markup=True,
            highlight=False,
        )
    if summary["warnings"]:
        out.print(f"{len(summary['warnings'])} warning(s):")
        for warning in summary["warnings"]:
            out.line(f"  {warning}", markup=False, highlight=False)


@click.command("build", cls=ShiliaoCommand)
@click.argument("collection", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--archive",
    "archive_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Archive folder (default: COLLECTION-NAME-archive in the current folder).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Website folder (default: COLLECTION-NAME-site, or COLLECTION-NAME-team-site for "
    "--audience team, in the current folder).",
)
@click.option(
    "--audience",
    type=click.Choice(["public", "team"]),
    default="public",
    show_default=True,
    help="public: the website from the public projection (team sources absent, personal data "
    "withheld as decided). team: the whole archive for the team's own use, marked internal "
    "on every page; never publish it.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@workers_option
@dask_option
def build(
    collection: Path,
    archive_dir: Path | None,
    out_dir: Path | None,
    as_json: bool,
    workers: int,
    dask: str | None,
    audience: str,
) -> None:
    """Ingest a collection folder (incrementally) and publish its website.

    Keeps every file as an original (bytes already kept are not stored again), extracts and
    indexes new or changed sources only, finds personal data in them, and writes the site
    when what it shows changed. The public site holds only what the access levels and the
    privacy decisions (privacy.yaml) allow: personal data nobody reviewed keeps its source a
    catalogue record until an editor decides (`shiliao privacy scan`). A web archive gives a
    source per HTML page, a ZIP or TAR file a source per file inside it. The summary lists
    every problem found; --json adds "privacy" (sources per level, unreviewed findings).
    """
    name = collection.resolve().name
    default_out = f"{name}-team-site" if audience == "team" else f"{name}-site"
    with progress_bar(not as_json) as progress:
        report = run_build(
            collection,
            archive_dir or Path(f"{name}-archive"),
            out_dir or Path(default_out),
            workers=workers,
            dask=dask,
            audience=audience,
            progress=progress,
        )
    summary = report.to_json()
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        _print_summary(summary)
