"""Citing and exchanging records: ``cite``, ``export``, ``import-bib``."""

from __future__ import annotations

from pathlib import Path

import click

from shiliao.archive import open_archive
from shiliao.cli.console import ShiliaoCommand, shown
from shiliao.config import load_settings
from shiliao.publish.bag import export_bag
from shiliao.publish.wacz import export_wacz


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
