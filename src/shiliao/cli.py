"""The command line: one thin function per command over the library (sqlite-utils' pattern).

Errors of shiliao's own (``ShiliaoError``) print one line that says what to do and exit 1; a
traceback only with ``--debug``. Progress bars go to standard error on a terminal and stay
quiet in a pipe. ``--json`` output is stable: keys are only ever added.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shiliao import __version__
from shiliao.collection import read_collection
from shiliao.config import load_settings
from shiliao.errors import ShiliaoError
from shiliao.pipeline import Archive, IngestReport, ingest, open_archive, search
from shiliao.publish.site import build_site, site_is_current

_ERR = Console(stderr=True)


class _Command(click.Command):
    """Maps ``ShiliaoError`` to one line and exit code 1, unless ``--debug``."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ShiliaoError as exc:
            if ctx.find_root().params.get("debug"):
                raise
            raise click.ClickException(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="shiliao")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
def main(debug: bool) -> None:
    """shiliao (史料): turn a folder of primary sources into a preserved, searchable, citable
    archive and a static website."""


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=_ERR, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


def _build_summary(
    archive: Archive,
    report: IngestReport,
    site: dict[str, Any],
    seconds: dict[str, float],
    last_processing: float | None,
) -> dict[str, Any]:
    counts = archive.catalog.counts()
    return {
        "archive": str(archive.root),
        "sources": counts["sources"],
        "passages": counts["passages"],
        "terms": counts["terms"],
        "sections": counts["sections"],
        "files": counts["files"],
        "processed": len(report.processed),
        "unchanged": len(report.unchanged),
        "removed": len(report.removed),
        "failed": report.failed,
        "warnings": report.warnings + site.pop("warnings", []),
        "site": site,
        "seconds": seconds,
        "last_processing_build_seconds": last_processing,
    }


def _print_summary(summary: dict[str, Any]) -> None:
    out = Console(soft_wrap=True)
    table = Table(title="shiliao build", show_header=False)
    for key in ("sources", "passages", "terms", "sections", "files"):
        table.add_row(key, str(summary[key]))
    table.add_row("processed now", str(summary["processed"]))
    table.add_row("unchanged", str(summary["unchanged"]))
    table.add_row("removed", str(summary["removed"]))
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
    if summary["processed"] == 0 and not site["written"]:
        out.print("Nothing changed: no source processed, site left as it was.")
    for failure in summary["failed"]:
        out.print(
            f"[red]failed[/red] {failure['path']}: {failure['reason']}",
            markup=True,
            highlight=False,
        )
    if summary["warnings"]:
        out.print(f"{len(summary['warnings'])} warning(s):")
        for warning in summary["warnings"]:
            out.print(f"  {warning}", markup=False, highlight=False)


@main.command(cls=_Command)
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
    help="Website folder (default: COLLECTION-NAME-site in the current folder).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def build(collection: Path, archive_dir: Path | None, out_dir: Path | None, as_json: bool) -> None:
    """Ingest a collection folder (incrementally) and publish its website.

    Keeps every file as an original, extracts and indexes new or changed sources only, and
    writes the site when anything changed. The summary lists every problem found.
    """
    started = time.perf_counter()
    name = collection.resolve().name
    archive_dir = archive_dir or Path(f"{name}-archive")
    out_dir = out_dir or Path(f"{name}-site")
    settings = load_settings(collection)
    parsed = read_collection(collection)
    with open_archive(archive_dir, create=True) as archive, _progress(not as_json) as progress:
        report = ingest(archive, parsed, settings, progress)
        site_started = time.perf_counter()
        content_version = archive.catalog.content_version()
        written = report.changed or not site_is_current(out_dir, content_version)
        site: dict[str, Any] = {"path": str(out_dir), "written": written, "pages": None}
        if written:
            result = build_site(
                archive.catalog,
                archive.blobs,
                out_dir,
                settings,
                progress,
                content_version=content_version,
            )
            site.update(pages=result.pages, warnings=result.warnings)
        site_seconds = time.perf_counter() - site_started
        total = time.perf_counter() - started
        last = archive.catalog.get_state("last_processing_build_seconds")
        if report.processed:
            with archive.catalog.transaction():
                archive.catalog.set_state("last_processing_build_seconds", total)
        seconds = {"ingest": report.seconds, "site": site_seconds, "total": total}
        summary = _build_summary(archive, report, site, seconds, last)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        _print_summary(summary)


def _hit_json(hit: Any) -> dict[str, Any]:
    left, match, right = hit.snippet
    return {
        "source_id": hit.source.id,
        "title": hit.source.title,
        "date": hit.source.date,
        "page": hit.passage.page,
        "paragraph": hit.passage.paragraph,
        "passage_id": hit.passage.id,
        "text": hit.passage.text,
        "snippet": left + match + right,
        "kwic": {"left": left, "match": match, "right": right},
        "spans": [list(span) for span in hit.spans],
    }


@main.command("search", cls=_Command)
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path))
@click.argument("query")
@click.option(
    "--limit",
    default=20,
    show_default=True,
    type=click.IntRange(min=0),
    help="Most hits to show; 0 shows all.",
)
@click.option(
    "--width",
    default=30,
    show_default=True,
    type=click.IntRange(min=0),
    help="Characters of context on each side of the match.",
)
@click.option("--json", "as_json", is_flag=True, help="Print an object with total and hits.")
def search_command(archive_dir: Path, query: str, limit: int, width: int, as_json: bool) -> None:
    """Search the passages of an archive and print KWIC lines.

    Words must all occur in a passage; "quoted words" must occur as a phrase. Simplified and
    Traditional, full-width and half-width forms match each other. Any string of two or more
    Chinese characters is found wherever it occurs, whatever a word segmenter would make of it.
    """
    with open_archive(archive_dir) as archive:
        response = search(archive, query, limit or None, width)
    if as_json:
        payload = {
            "query": query,
            "total": response.total,
            "hits": [_hit_json(h) for h in response.hits],
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    out = Console(highlight=False, soft_wrap=True)
    sources = len({hit.source.id for hit in response.hits})
    out.print(
        f"{response.total} passage(s); showing {len(response.hits)} from {sources} source(s)",
        markup=False,
    )
    for hit in response.hits:
        left, match, right = hit.snippet
        place = f"{hit.source.date or 'undated'}  {hit.source.title}  p. {hit.passage.page} ¶{hit.passage.paragraph}"
        out.print(place, style="dim", markup=False)
        out.print(f"    {escape(left)}[bold]{escape(match)}[/bold]{escape(right)}")


@main.command(cls=_Command)
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path))
@click.argument("source_id")
@click.option("--json", "as_json", is_flag=True, help="Print the source as JSON.")
def show(archive_dir: Path, source_id: str, as_json: bool) -> None:
    """Show a source: metadata, its original's fixity, extraction status and passages."""
    with open_archive(archive_dir) as archive:
        source = archive.catalog.source(source_id)
        if source is None:
            raise click.ClickException(
                f"no source {source_id!r} in {archive_dir}; `shiliao search` finds ids"
            )
        file = archive.catalog.file(source.file_sha256)
        passages = archive.catalog.passages(source_id)
    payload = {
        "id": source.id,
        "title": source.title,
        "date": source.date,
        "type": source.type,
        "language": source.language,
        "metadata": source.metadata,
        "files": [
            {
                "sha256": source.file_sha256,
                "size": file["size"] if file else None,
                "media_type": file["media_type"] if file else None,
                "path": source.path,
                "line": source.line,
                "record_sha256": source.record_sha256,
            }
        ],
        "status": source.status,
        "error": source.error,
        "passages": len(passages),
    }
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    out = Console(highlight=False, soft_wrap=True)
    for key in ("id", "title", "date", "type", "language", "status"):
        out.print(f"{key:10} {payload[key]}", markup=False)
    for key, value in sorted(source.metadata.items()):
        out.print(f"{key:10} {value}", markup=False)
    out.print(
        f"{'sha256':10} {source.file_sha256}  {source.path}"
        + (f" line {source.line}" if source.line else ""),
        markup=False,
    )
    out.print(f"{'passages':10} {len(passages)}", markup=False)
    for passage in passages[:5]:
        out.print(f"  ¶{passage.paragraph} p.{passage.page}  {passage.text[:80]}", markup=False)
