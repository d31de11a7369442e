"""Citing and exchanging records: ``cite``, ``export``, ``import-bib``."""

from __future__ import annotations

from pathlib import Path

import click

from shiliao.cli.console import ShiliaoCommand, public_option, shown
from shiliao.collection.writing import replace_text
from shiliao.config import load_settings
from shiliao.operations.export import (
    export_archive_bag,
    export_records,
    export_web_captures,
)
from shiliao.operations.search import open_view


def _cite_settings(style: str | None, site_url: str | None) -> tuple[str, str]:
    """The style and site address for citing: the options, else the shipped defaults."""
    defaults = load_settings(None).table("cite")
    return style or str(defaults["style"]), (
        site_url if site_url is not None else str(defaults["site_url"])
    )


@click.command("cite", cls=ShiliaoCommand)
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
@public_option
def cite_command(
    archive_dir: Path,
    item_id: str,
    style: str | None,
    fmt: str,
    site_url: str | None,
    public: bool,
) -> None:
    """Cite a source or bibliography entry of an archive.

    ID is a source id (`shiliao search` shows them) or the id of an entry of the collection's
    bibliography.json. Styles: Chicago 17th ed. author-date, APA 7th ed., GB/T 7714-2015.
    --public cites the source as the public website does (withheld text replaced).
    """
    from shiliao.cite.exchange import write_bibliography
    from shiliao.cite.reference import in_text, plain_text, reference_runs
    from shiliao.publish.citing import archive_items

    style, site_url = _cite_settings(style, site_url)
    with open_view(archive_dir, public=public) as archive:
        items, _ = archive_items(archive.catalog, site_url)
    found = next((item for item in items if str(item["id"]) == item_id), None)
    if found is None:
        raise click.ClickException(
            f"no source or bibliography entry {item_id!r} in {archive_dir}; "
            "`shiliao export ARCHIVE --format csl-json -` lists every id"
        )
    if fmt == "text":
        click.echo(shown(plain_text(reference_runs(found, style))))
        click.echo(shown(in_text(found, style)))
    else:
        click.echo(write_bibliography([found], fmt), nl=False)


@click.command("export", cls=ShiliaoCommand)
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path))
@click.argument("out", type=click.Path(allow_dash=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csl-json", "bibtex", "ris", "bagit", "wacz"]),
    required=True,
    help="CSL-JSON 1.0.2, BibTeX (biblatex fields) or RIS records; a BagIt bag (RFC 8493) in "
    "the new folder OUT; or the web captures as one WACZ file OUT.",
)
@click.option(
    "--full",
    is_flag=True,
    help="Export the whole archive (team and embargoed sources, unredacted text, every "
    "original, the log): an evidentiary export, never for publication; a bag says so in "
    "its bag-info.txt. Without it, what the public website holds.",
)
@click.option(
    "--site-url",
    help="Public address of the published site, so that sources carry their archived copy's URL.",
)
def export_command(
    archive_dir: Path, out: Path, fmt: str, full: bool, site_url: str | None
) -> None:
    """Export what the public website holds to OUT (- for standard
    output): citation records of the bibliography and sources, a BagIt bag of the published
    files, metadata and evidence, or the published web captures as WACZ. --full exports the
    whole archive instead."""
    if fmt == "bagit":
        title = str(load_settings().table("archive")["title"])
        export_archive_bag(archive_dir, out, title, full=full)
        what = "full evidentiary bag (not for publication)" if full else "bag"
        click.echo(f"{what} written to {out}; check it with: bagit.py --validate {out}", err=True)
        return
    if fmt == "wacz":
        count = export_web_captures(archive_dir, out, full=full)
        click.echo(f"{count} web capture(s) written to {out}", err=True)
        return
    _, site_url = _cite_settings(None, site_url)
    text, count, warnings = export_records(archive_dir, fmt, site_url, full=full)
    if str(out) == "-":
        click.echo(text, nl=False)
    else:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            replace_text(out, text)
        except OSError as exc:
            raise click.ClickException(f"cannot write {out}: {exc}") from exc
        click.echo(f"{count} record(s) written to {out}", err=True)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


@click.command("import-bib", cls=ShiliaoCommand)
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
