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
from shiliao.extract.finish import visible_controls
from shiliao.extract.pool import require_dask
from shiliao.log import (
    load_or_create_key,
    open_archive_log,
    repair_torn_tail,
    verify_proof_bundle,
    write_checkpoint,
)
from shiliao.pipeline import (
    Archive,
    IngestReport,
    add_targets,
    current_index,
    ingest,
    open_archive,
    rebuild,
    search,
)
from shiliao.publish.bag import export_bag
from shiliao.publish.site import SiteEvidence, build_site, site_is_current
from shiliao.publish.wacz import export_wacz
from shiliao.search.facets import SearchFilters, parse_year_range
from shiliao.terminology import (
    concordance,
    export_glossary,
    find_archive_candidates,
    import_glossary,
    promote,
    term_collocates,
    term_records,
    term_statistics,
)
from shiliao.verification import verify_archive
from shiliao.zh.normalize import normalize
from shiliao.zh.stats import COLLOCATION_MEASURE


def _shown(text: str) -> str:
    """Text from sources made safe for a terminal: control characters other than line breaks
    and tabs shown as symbols (``visible_controls``), so that an ESC in a title or a file
    name cannot recolour the terminal or retitle its window."""
    return "\n".join(
        "\t".join(visible_controls(part) for part in line.split("\t")) for line in text.split("\n")
    )


class _Console(Console):
    """A rich ``Console`` whose printed strings pass through ``_shown``."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        super().print(
            *(_shown(o) if isinstance(o, str) else o for o in objects),
            **kwargs,
        )


_ERR = _Console(stderr=True)


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
        "added_sources": len(archive.catalog.source_states("added")),
        "removed": len(report.removed),
        "duplicates": report.duplicates,
        "skipped": report.skipped,
        "failed": report.failed,
        "warnings": report.warnings + site.pop("warnings", []),
        "site": site,
        "seconds": seconds,
        "last_processing_build_seconds": last_processing,
    }


def _print_summary(summary: dict[str, Any]) -> None:
    out = _Console(soft_wrap=True)
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
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Files extracted at once, each in its own limited worker process.",
)
@click.option(
    "--dask",
    metavar="ADDRESS|local",
    help="Send extraction and OCR to a Dask cluster (a scheduler address, or 'local' for one "
    "on this machine); the archive stays the single writer.",
)
def build(
    collection: Path,
    archive_dir: Path | None,
    out_dir: Path | None,
    as_json: bool,
    workers: int,
    dask: str | None,
) -> None:
    """Ingest a collection folder (incrementally) and publish its website.

    Keeps every file as an original (bytes already kept are not stored again), extracts and
    indexes new or changed sources only, and writes the site when anything changed. A web
    archive gives a source per HTML page, a ZIP or TAR file a source per file inside it. The
    summary lists every problem found.
    """
    started = time.perf_counter()
    if dask:
        require_dask()
    name = collection.resolve().name
    archive_dir = archive_dir or Path(f"{name}-archive")
    out_dir = out_dir or Path(f"{name}-site")
    settings = load_settings(collection)
    parsed = read_collection(collection)
    agent = str(settings.table("archive")["agent"])
    with (
        open_archive(archive_dir, create=True, agent=agent) as archive,
        _progress(not as_json) as progress,
    ):
        report = ingest(archive, parsed, settings, progress, workers=workers, dask=dask)
        checkpoint = archive.checkpoint()
        site_started = time.perf_counter()
        content_version = archive.catalog.content_version()
        written = report.changed or not site_is_current(out_dir, content_version, settings)
        site: dict[str, Any] = {"path": str(out_dir), "written": written, "pages": None}
        if written:
            evidence = SiteEvidence(
                checkpoint=checkpoint.note,
                vkey=(archive.log.path / "key.vkey").read_text(encoding="utf-8").strip(),
                proofs=archive.proof_bundles(checkpoint),
            )
            result = build_site(
                archive.catalog,
                archive.blobs,
                out_dir,
                settings,
                progress,
                content_version=content_version,
                evidence=evidence,
            )
            site.update(pages=result.pages, warnings=result.warnings)
            archive.record(
                "site_published",
                {
                    "path": str(out_dir),
                    "content_version": content_version,
                    "pages": result.pages,
                    "checkpoint_size": checkpoint.size,
                },
            )
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


@main.command(cls=_Command)
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path))
@click.argument("targets", metavar="URL|FILE...", nargs=-1, required=True)
@click.option(
    "--allow-private",
    is_flag=True,
    help="Let URLs reach loopback and private addresses (a local test server only).",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Files extracted at once, each in its own limited worker process.",
)
@click.option(
    "--dask",
    metavar="ADDRESS|local",
    help="Send extraction and OCR to a Dask cluster (a scheduler address, or 'local' for one "
    "on this machine); the archive stays the single writer.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print an object with added, unchanged, duplicates, removed (source ids), failed (path "
    "and reason), skipped (files inside a ZIP or TAR not taken out) and warnings.",
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
    """
    if dask:
        require_dask()
    with open_archive(archive_dir) as archive, _progress(not as_json) as progress:
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
        archive.checkpoint()
    payload = {
        "added": report.added,
        "unchanged": report.unchanged,
        "duplicates": report.duplicates,
        "failed": report.failed,
        "skipped": report.skipped,
        "removed": report.removed,
        "warnings": report.warnings,
    }
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        out = _Console(highlight=False, soft_wrap=True)
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
@click.option("--no-expand", is_flag=True, help="Do not look up pinyin or English in the glossary.")
@click.option(
    "--year", "years", help="Only sources dated in these years: 2016, 2014..2020, 2014.., ..2000."
)
@click.option(
    "--collection",
    "collections",
    multiple=True,
    help="Only sources in this collection (repeatable).",
)
@click.option("--type", "types", multiple=True, help="Only sources of this type (repeatable).")
@click.option(
    "--language", "languages", multiple=True, help="Only sources in this language (repeatable)."
)
@click.option(
    "--facets",
    "show_facets",
    is_flag=True,
    help="Also print counts by collection, type, year, language.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print an object with query, total, hits, expanded_to, expansions, filters and facets.",
)
def search_command(
    archive_dir: Path,
    query: str,
    limit: int,
    width: int,
    no_expand: bool,
    years: str | None,
    collections: tuple[str, ...],
    types: tuple[str, ...],
    languages: tuple[str, ...],
    show_facets: bool,
    as_json: bool,
) -> None:
    """Search the passages of an archive and print KWIC lines.

    Words must all occur in a passage; "quoted words" must occur as a phrase. Simplified and
    Traditional, full-width and half-width forms match each other. Any string of Chinese
    characters is found wherever it occurs, whatever a word segmenter would make of it; passages
    where it is a whole word come first. Pinyin (jieqin, "jié qīn", si tong si song) and English
    (Four Togethers) are looked up in the glossary and its Chinese terms searched too.
    """
    year_from, year_to = parse_year_range(years) if years else (None, None)
    filters = SearchFilters(year_from, year_to, collections, types, languages)
    with open_archive(archive_dir) as archive:
        response = search(
            archive,
            query,
            limit or None,
            width,
            expand=not no_expand,
            filters=filters,
            facets=as_json or show_facets,
        )
    if as_json:
        payload = {
            "query": query,
            "total": response.total,
            "hits": [_hit_json(h) for h in response.hits],
            "expanded_to": response.expanded_to,
            "expansions": [
                {"words": e.words, "terms": list(e.terms), "via": e.via}
                for e in response.expansions
            ],
            "filters": response.filters.to_json() if response.filters else {},
            "facets": {
                name: [value.to_json() for value in values]
                for name, values in (response.facets or {}).items()
            },
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    out = _Console(highlight=False, soft_wrap=True)
    sources = len({hit.source.id for hit in response.hits})
    for expansion in response.expansions:
        out.print(
            f"{expansion.words} -> {', '.join(expansion.terms)} (glossary {expansion.via})",
            markup=False,
        )
    out.print(
        f"{response.total} passage(s); showing {len(response.hits)} from {sources} source(s)",
        markup=False,
    )
    for name, values in (response.facets or {}).items() if show_facets else ():
        shown = ", ".join(
            f"{'none' if v.value is None else v.value} {v.passages}/{v.sources}" for v in values
        )
        out.print(f"{name} (passages/sources): {shown}", markup=False)
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
    """Show a source: metadata, its original's fixity, extraction status and the number of
    passages (the first five in the text form)."""
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
        "creators": source.metadata.get("creators", []),
        "metadata": source.metadata,
        "files": [
            {
                "sha256": source.file_sha256,
                "size": file["size"] if file else None,
                "media_type": file["media_type"] if file else None,
                "path": source.path,
                "line": source.line,
                "record_sha256": source.record_sha256,
                **(
                    {"encoding": source.metadata["extracted_encoding"]}
                    if "extracted_encoding" in source.metadata
                    else {}
                ),
            }
        ],
        "status": source.status,
        "error": source.error,
        "passages": len(passages),
    }
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    out = _Console(highlight=False, soft_wrap=True)
    shown = {**payload, "date": payload["date"] or "undated"}
    for key in ("id", "title", "date", "type", "language", "status"):
        out.print(f"{key:14} {shown[key]}", markup=False)
    for key, value in sorted(source.metadata.items()):
        out.print(f"{key:14} {value}", markup=False)
    out.print(
        f"{'sha256':14} {source.file_sha256}  {source.path}"
        + (f" line {source.line}" if source.line else ""),
        markup=False,
    )
    out.print(f"{'passages':14} {len(passages)}", markup=False)
    for passage in passages[:5]:
        out.print(f"  ¶{passage.paragraph} p.{passage.page}  {passage.text[:80]}", markup=False)


def _archive_with_log(archive_dir: Path) -> Path:
    if not ((archive_dir / "shiliao.db").is_file() or (archive_dir / "log").is_dir()):
        raise click.ClickException(
            f"{archive_dir}: not a shiliao archive (no shiliao.db, no log/); run `shiliao build`"
        )
    return archive_dir


@main.command("checkpoint", cls=_Command)
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the checkpoint as JSON.")
def checkpoint_command(archive_dir: Path, as_json: bool) -> None:
    """Sign and store a checkpoint of the archive's log; appends nothing.

    Writes log/checkpoints/SIZE.txt and log/checkpoint, signed with log/key.private (made on
    first use). Copy the checkpoint and log/key.vkey somewhere outside the archive: later
    checks compare with those copies.
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


@main.command("verify", cls=_Command)
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
    problem: the path, the expected and found digest, or the first bad log entry.
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
            click.echo(_shown(problem))
        for note in check.pending:
            click.echo(_shown(f"pending: {note}"))
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


@main.command("rebuild", cls=_Command)
@click.argument(
    "archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, exists=True, path_type=Path)
)
@click.option("--json", "as_json", is_flag=True, help="Print counts as JSON.")
def rebuild_command(archive_dir: Path, as_json: bool) -> None:
    """Make the database and search index again from objects/ and log/ alone.

    The log says which files the collection held and which sources were added; their bytes come
    from the storage root. The old database is kept until the new one is complete.
    """
    with _progress(not as_json) as progress:
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


@main.command("verify-file", cls=_Command)
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


@main.command("repair-log", cls=_Command)
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


# The terms group: glossary records, formula candidates, statistics, KWIC, collocates -------


def _candidate_json(archive: Archive, candidate: Any, width: int) -> dict[str, Any]:
    passages = archive.catalog.passages_by_id([e.passage_id for e in candidate.examples])
    examples = []
    for example in candidate.examples:
        passage = passages.get(example.passage_id)
        source = archive.catalog.source(example.source_id)
        text = passage.text if passage else ""
        start, end = example.char_start, example.char_end
        examples.append(
            {
                "source_id": example.source_id,
                "title": source.title if source else None,
                "date": example.date,
                "passage_id": example.passage_id,
                "kwic": {
                    "left": text[max(0, start - width) : start],
                    "match": text[start:end],
                    "right": text[end : end + width],
                },
            }
        )
    return {
        "text": candidate.text,
        "count": candidate.count,
        "sources": candidate.sources,
        "first_date": candidate.first_date,
        "in_glossary": candidate.in_glossary,
        "kinds": list(candidate.kinds),
        "quoted_sources": candidate.quoted_sources,
        "score": candidate.score,
        "examples": examples,
    }


@main.group("terms")
def terms_group() -> None:
    """The glossary and the archive's vocabulary: records, formula candidates, statistics,
    concordance (KWIC), collocates, import and export."""


@terms_group.command("list", cls=_Command)
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a list of term records.")
def terms_list(archive_dir: Path, as_json: bool) -> None:
    """List the glossary with each term's use: sources, passages, first and last dated use."""
    with open_archive(archive_dir) as archive:
        records = term_records(archive.catalog)
    if as_json:
        click.echo(json.dumps([r.to_json() for r in records], ensure_ascii=False, indent=2))
        return
    table = Table(title="glossary")
    for column in ("term", "pinyin", "english", "sources", "passages", "first", "last"):
        table.add_column(column)
    for record in records:
        term = record.term
        pinyin = term.pinyin + (" (auto)" if "pinyin" in term.auto_filled else "")
        table.add_row(
            escape(term.term),
            escape(pinyin),
            escape(", ".join(term.english)),
            str(record.sources),
            str(record.passages),
            record.first_date or "",
            record.last_date or "",
        )
    _Console(soft_wrap=True).print(table)


@terms_group.command("show", cls=_Command)
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path))
@click.argument("term")
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
def terms_show(archive_dir: Path, term: str, as_json: bool) -> None:
    """Show one glossary entry: forms, parts linked to their entries, use in the archive."""
    with open_archive(archive_dir) as archive:
        records = {record.term.term: record for record in term_records(archive.catalog)}
    record = records.get(term)
    if record is None:
        raise click.ClickException(
            f"{term} is not in the glossary of {archive_dir}; `shiliao terms list` lists it"
        )
    data = record.to_json()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    out = _Console(highlight=False, soft_wrap=True)
    for key in ("term", "traditional", "pinyin", "category", "note"):
        auto = " (automatic)" if key in record.term.auto_filled else ""
        if data[key]:
            out.print(f"{key:12} {data[key]}{auto}", markup=False)
    out.print(f"{'english':12} {'; '.join(data['english'])}", markup=False)
    for key in ("parts", "see"):
        if data[key]:
            shown = ", ".join(
                p["term"] + ("" if p["in_glossary"] else " (no entry)") for p in data[key]
            )
            out.print(f"{key:12} {shown}", markup=False)
    out.print(
        f"{'use':12} {record.passages} passage(s) in {record.sources} source(s), "
        f"first {record.first_date or '-'}, last {record.last_date or '-'}",
        markup=False,
    )


@terms_group.command("candidates", cls=_Command)
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--limit",
    default=50,
    show_default=True,
    type=click.IntRange(min=0),
    help="Most candidates; 0 for all.",
)
@click.option(
    "--min-sources",
    default=2,
    show_default=True,
    type=click.IntRange(min=1),
    help="Fewest sources a candidate must occur in.",
)
@click.option(
    "--width",
    default=20,
    show_default=True,
    type=click.IntRange(min=0),
    help="Context of the examples, in characters.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a list of candidates, best first.")
def terms_candidates(
    archive_dir: Path, limit: int, min_sources: int, width: int, as_json: bool
) -> None:
    """Find numbered formulas (四个意识, 三个代表, 一带一路) and quoted slogans for the glossary.

    Each candidate comes with its count, number of sources, first date and three example
    passages; terms already in the glossary are marked. Promote one with `shiliao terms promote`.
    """
    with open_archive(archive_dir) as archive:
        found = find_archive_candidates(
            archive.catalog, min_sources=min_sources, limit=limit or None
        )
        rows = [_candidate_json(archive, candidate, width) for candidate in found]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    out = _Console(highlight=False, soft_wrap=True)
    for rank, row in enumerate(rows, start=1):
        mark = "  [in glossary]" if row["in_glossary"] else ""
        out.print(
            f"{rank:3}. {row['text']}  {row['count']} in {row['sources']} source(s), "
            f"first {row['first_date'] or '-'}  ({'+'.join(row['kinds'])}){mark}",
            markup=False,
        )
        for example in row["examples"]:
            kwic = example["kwic"]
            line = f"{kwic['left']}[{kwic['match']}]{kwic['right']}"
            out.print(
                f"       {example['date'] or 'undated'}  {' '.join(line.splitlines())}",
                markup=False,
            )


@terms_group.command("promote", cls=_Command)
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path))
@click.argument("candidate")
@click.option(
    "--collection",
    "collection_dir",
    required=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="The collection folder whose glossary.yaml gets the entry.",
)
@click.option(
    "--english",
    multiple=True,
    required=True,
    help="An English rendering (repeatable; preferred first).",
)
@click.option(
    "--pinyin", help="Pinyin with tone marks (default: filled in automatically, marked so)."
)
@click.option("--category", default="formula", show_default=True, help="Glossary category.")
@click.option("--note", help="A short definition.")
@click.option("--part", "parts", multiple=True, help="An item the formula stands for (repeatable).")
def terms_promote(
    archive_dir: Path,
    candidate: str,
    collection_dir: Path,
    english: tuple[str, ...],
    pinyin: str | None,
    category: str,
    note: str | None,
    parts: tuple[str, ...],
) -> None:
    """Add a candidate to the collection's glossary.yaml (appended; comments kept).

    The next `shiliao build` picks it up: its mentions are found, its page is written.
    """
    with open_archive(archive_dir) as archive:
        statistics = term_statistics(archive.catalog, current_index(archive), [candidate])[0]
    comment = (
        f"promoted with `shiliao terms promote`: {statistics.total} occurrence(s) in "
        f"{statistics.sources} source(s), first year {statistics.first_year or '-'}"
    )
    path = promote(
        collection_dir,
        normalize(candidate),
        english,
        pinyin=pinyin,
        category=category,
        note=note,
        parts=parts,
        comment=comment,
    )
    click.echo(f"added {normalize(candidate)} to {path}; run `shiliao build` to use it")


@terms_group.command("stats", cls=_Command)
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path))
@click.argument("terms", nargs=-1, required=True)
@click.option("--collection", help="Count only the sources of this collection.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print a list: per term, its years and first/last year."
)
def terms_stats(
    archive_dir: Path, terms: tuple[str, ...], collection: str | None, as_json: bool
) -> None:
    """Frequency of terms per year: occurrences and per 10,000 characters of that year's text."""
    with open_archive(archive_dir) as archive:
        results = term_statistics(archive.catalog, current_index(archive), terms, collection)
    if as_json:
        click.echo(json.dumps([r.to_json() for r in results], ensure_ascii=False, indent=2))
        return
    out = _Console(soft_wrap=True)
    for result in results:
        table = Table(
            title=f"{escape(result.term)}: {result.total} occurrence(s) in {result.sources} "
            f"source(s), {result.first_year or '-'}–{result.last_year or '-'}"
            + (f", {result.undated} undated" if result.undated else "")
        )
        for column in ("year", "count", "per 10,000 chars", "chars"):
            table.add_column(column, justify="right")
        for row in result.years:
            if row.count:
                table.add_row(str(row.year), str(row.count), f"{row.per_10k:.2f}", str(row.chars))
        out.print(table)


@terms_group.command("kwic", cls=_Command)
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path))
@click.argument("term")
@click.option(
    "--width",
    default=30,
    show_default=True,
    type=click.IntRange(min=0),
    help="Characters of context on each side.",
)
@click.option(
    "--sort",
    type=click.Choice(["date", "left", "right"]),
    default="date",
    show_default=True,
    help="Order of the lines.",
)
@click.option("--limit", default=0, type=click.IntRange(min=0), help="Most lines (0: all).")
@click.option("--collection", help="Only the sources of this collection.")
@click.option("--json", "as_json", is_flag=True, help="Print an object with total and lines.")
def terms_kwic(
    archive_dir: Path,
    term: str,
    width: int,
    sort: str,
    limit: int,
    collection: str | None,
    as_json: bool,
) -> None:
    """Concordance: every occurrence of a term with its context, aligned (KWIC)."""
    with open_archive(archive_dir) as archive:
        lines = concordance(
            archive.catalog,
            current_index(archive),
            term,
            width=width,
            sort=sort,
            collection=collection,
        )
    shown = lines[:limit] if limit else lines
    if as_json:
        payload = {
            "term": term,
            "width": width,
            "total": len(lines),
            "lines": [line.to_json() for line in shown],
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    out = _Console(highlight=False, soft_wrap=True)
    for line in shown:
        left = " ".join(line.kwic.left.splitlines()).rjust(width, "　")
        right = " ".join(line.kwic.right.splitlines())
        out.print(
            f"{line.source.date or 'undated':10} {left} [{line.kwic.match}] {right}", markup=False
        )
    out.print(f"{len(lines)} occurrence(s)", markup=False)


@terms_group.command("collocates", cls=_Command)
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path))
@click.argument("term")
@click.option(
    "--window", default=5, show_default=True, type=click.IntRange(min=1), help="Words on each side."
)
@click.option(
    "--min-count",
    default=3,
    show_default=True,
    type=click.IntRange(min=1),
    help="Fewest co-occurrences.",
)
@click.option(
    "--limit",
    default=20,
    show_default=True,
    type=click.IntRange(min=0),
    help="Most collocates (0: all).",
)
@click.option("--collection", help="Only the sources of this collection.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print an object with the measure and the collocates."
)
def terms_collocates(
    archive_dir: Path,
    term: str,
    window: int,
    min_count: int,
    limit: int,
    collection: str | None,
    as_json: bool,
) -> None:
    """Words most associated with a term within a window, by log-likelihood (G², Dunning 1993)."""
    with open_archive(archive_dir) as archive:
        found = term_collocates(
            archive.catalog,
            [term],
            window=window,
            min_together=min_count,
            limit=limit or None,
            collection=collection,
        )[term]
    if as_json:
        payload = {
            "term": term,
            "window": window,
            "measure": COLLOCATION_MEASURE,
            "collocates": [c.to_json() for c in found],
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    table = Table(
        title=f"collocates of {escape(term)}, ±{window} words; measure: {COLLOCATION_MEASURE}"
    )
    for column in ("word", "together", "total", "expected", "G2", "PMI"):
        table.add_column(column, justify="left" if column == "word" else "right")
    for c in found:
        table.add_row(
            escape(c.word),
            str(c.together),
            str(c.total),
            f"{c.expected:.2f}",
            f"{c.g2:.1f}",
            f"{c.pmi:.2f}",
        )
    _Console(soft_wrap=True).print(table)


@terms_group.command("export", cls=_Command)
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["yaml", "csv"]), default="yaml", show_default=True
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (default: standard output).",
)
def terms_export(archive_dir: Path, fmt: str, output: Path | None) -> None:
    """Export the glossary as YAML (the glossary's format) or CSV, auto-filled values marked."""
    with open_archive(archive_dir) as archive:
        text = export_glossary(archive.catalog.terms(), fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


@terms_group.command("import", cls=_Command)
@click.argument(
    "collection_dir",
    metavar="COLLECTION",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
)
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["yaml", "csv"]), help="Default: by the file's extension."
)
def terms_import(collection_dir: Path, file: Path, fmt: str | None) -> None:
    """Append the new entries of a YAML or CSV glossary to the collection's glossary.yaml."""
    report = import_glossary(collection_dir, file, fmt)
    click.echo(
        f"added {len(report.added)} term(s) to {report.path}"
        + (
            f"; {len(report.skipped)} already there: {', '.join(report.skipped)}"
            if report.skipped
            else ""
        )
    )


def _cite_settings(style: str | None, site_url: str | None) -> tuple[str, str]:
    """The style and site address for citing: the options, else the shipped defaults."""
    defaults = load_settings(None).table("cite")
    return style or str(defaults["style"]), (
        site_url if site_url is not None else str(defaults["site_url"])
    )


@main.command("cite", cls=_Command)
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path))
@click.argument("item_id", metavar="ID")
@click.option(
    "--style",
    type=click.Choice(["chicago", "apa", "gb7714"]),
    help="Citation style for --format text (default: chicago).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "bibtex", "ris", "csl-json"]),
    default="text",
    show_default=True,
    help="A reference entry and in-text citation, or the record in an exchange format.",
)
@click.option(
    "--site-url",
    help="Public address of the published site, so that a source's citation gives its "
    "archived copy's URL.",
)
def cite_command(
    archive_dir: Path, item_id: str, style: str | None, fmt: str, site_url: str | None
) -> None:
    """Cite a source or bibliography entry of an archive.

    ID is a source id (`shiliao search` shows them) or the id of an entry of the collection's
    bibliography.json. Styles: Chicago 17th ed. author-date, APA 7th ed., GB/T 7714-2015.
    """
    from shiliao.cite.exchange import write_bibliography
    from shiliao.cite.reference import in_text, plain_text, reference_runs
    from shiliao.publish.citing import archive_items

    style, site_url = _cite_settings(style, site_url)
    with open_archive(archive_dir) as archive:
        items, _ = archive_items(archive.catalog, site_url)
    found = next((item for item in items if str(item["id"]) == item_id), None)
    if found is None:
        raise click.ClickException(
            f"no source or bibliography entry {item_id!r} in {archive_dir}; "
            "`shiliao export ARCHIVE --format csl-json -` lists every id"
        )
    if fmt == "text":
        click.echo(_shown(plain_text(reference_runs(found, style))))
        click.echo(_shown(in_text(found, style)))
    else:
        click.echo(write_bibliography([found], fmt), nl=False)


@main.command("export", cls=_Command)
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path))
@click.argument("out", type=click.Path(allow_dash=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csl-json", "bibtex", "ris", "bagit", "wacz"]),
    required=True,
    help="CSL-JSON 1.0.2, BibTeX (biblatex fields) or RIS records; the whole archive as a "
    "BagIt bag (RFC 8493) in the new folder OUT: originals (the OCFL root), metadata, "
    "provenance and the log; or its web captures as one WACZ file OUT.",
)
@click.option(
    "--site-url",
    help="Public address of the published site, so that sources carry their archived copy's URL.",
)
def export_command(archive_dir: Path, out: Path, fmt: str, site_url: str | None) -> None:
    """Export the archive's bibliography and sources as citation records to OUT (- for
    standard output), or the whole archive as a BagIt bag."""
    if fmt == "bagit":
        with open_archive(archive_dir) as archive:
            export_bag(
                archive.root, archive.catalog, out, load_settings().table("archive")["title"]
            )
        click.echo(f"bag written to {out}; check it with: bagit.py --validate {out}", err=True)
        return
    if fmt == "wacz":
        with open_archive(archive_dir) as archive:
            count = export_wacz(archive.catalog, archive.ocfl, out)
        click.echo(f"{count} web capture(s) written to {out}", err=True)
        return
    from shiliao.cite.exchange import write_bibliography
    from shiliao.publish.citing import archive_items

    _, site_url = _cite_settings(None, site_url)
    with open_archive(archive_dir) as archive:
        items, warnings = archive_items(archive.catalog, site_url)
    text = write_bibliography(items, fmt)
    if str(out) == "-":
        click.echo(text, nl=False)
    else:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise click.ClickException(f"cannot write {out}: {exc}") from exc
        click.echo(f"{len(items)} record(s) written to {out}", err=True)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


@main.command("import-bib", cls=_Command)
@click.argument(
    "collection_dir", metavar="COLLECTION", type=click.Path(file_okay=False, path_type=Path)
)
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csl-json", "bibtex", "ris"]),
    help="The file's format (default: from its extension: .json, .bib, .ris).",
)
def import_bib(collection_dir: Path, file: Path, fmt: str | None) -> None:
    """Merge a bibliography file (a Zotero export: BibTeX, RIS or CSL-JSON) into
    COLLECTION/bibliography.json; the next `shiliao build` puts it into the archive.

    Entries already there keep their place and the fields the import lacks; an imported entry
    with the same id, DOI, or title and year updates them; others are added.
    """
    from shiliao.cite.exchange import import_bibliography

    report = import_bibliography(collection_dir, file.read_bytes(), str(file), fmt)
    click.echo(
        f"{collection_dir / 'bibliography.json'}: {len(report.added)} added, "
        f"{len(report.updated)} updated, {len(report.unchanged)} unchanged"
    )
    for imported, stored in report.renamed:
        click.echo(f"  {imported} was taken: added as {stored}")
    for existing, imported in report.updated:
        note = "" if existing == imported else f" (imported as {imported})"
        click.echo(f"  updated {existing}{note}")
