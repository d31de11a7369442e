"""``shiliao show``: one source's metadata, fixity and status."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from shiliao.archive import open_archive
from shiliao.cli.console import SafeConsole, ShiliaoCommand
from shiliao.privacy.public import PROJECTION_FOLDER, PublicProjection


@click.command("show", cls=ShiliaoCommand)
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path))
@click.argument("source_id")
@click.option("--json", "as_json", is_flag=True, help="Print the source as JSON.")
def show(archive_dir: Path, source_id: str, as_json: bool) -> None:
    """Show a source: metadata, its original's fixity, extraction status, the number of
    passages (the first five in the text form), of personal data findings and of annotations,
    its translations, the readings of
    its pages set aside (a PDF text layer of glyph codes, its page shown as OCR read it: the
    text itself in --json), and how the last build published it (level, why, what was
    withheld, which file is offered)."""
    with open_archive(archive_dir) as archive:
        source = archive.catalog.source(source_id)
        if source is None:
            raise click.ClickException(
                f"no source {source_id!r} in {archive_dir}; `shiliao search` finds ids"
            )
        file = archive.catalog.file(source.file_sha256)
        passages = archive.catalog.passages(source_id)
        findings = archive.catalog.findings(source_id)
        set_aside = archive.catalog.text_layers(source_id)
        annotations = archive.catalog.annotations(source_id)
        translations = archive.catalog.translations(source_id)
        publication = None
        projected = (archive.root / PROJECTION_FOLDER / "shiliao.db").is_file()
        if projected:
            with PublicProjection(archive.root, archive.blobs) as projection:
                publication = projection.publication(source_id)
    payload = {
        "id": source.id,
        "title": source.title,
        "date": source.date,
        "date_source": source.date_source,
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
        "findings": len(findings),
        "annotations": len(annotations),
        "translations": [
            {"language": t.language, "path": t.path, "paragraphs": len(t.paragraphs)}
            for t in translations
        ],
        "set_aside": [
            {
                "page": layer.page,
                "method": layer.method,
                "reasons": list(layer.reasons),
                "text": layer.text,
            }
            for layer in set_aside
        ],
        "published": asdict(publication) if publication else None,
    }
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    out = SafeConsole(highlight=False, soft_wrap=True)
    # The date as stored, never completed to a day, with where it was read.
    date = f"{source.date} ({source.date_source})" if source.date_source else source.date
    shown = {**payload, "date": date or "undated"}
    for key in ("id", "title", "date", "type", "language", "status"):
        out.line(f"{key:14} {shown[key]}", markup=False)
    for key, value in sorted(source.metadata.items()):
        out.line(f"{key:14} {value}", markup=False)
    # A JSON-lines source is one line of a file: the file's digest fixes the file, the line's
    # own digest the record this source was made from.
    out.line(
        f"{'file sha256':14} {source.file_sha256}  {source.path}"
        + (" (the whole file)" if source.line else ""),
        markup=False,
    )
    if source.line:
        out.line(
            f"{'line sha256':14} {source.record_sha256 or 'not recorded'}  line {source.line}",
            markup=False,
        )
    out.line(f"{'findings':14} {len(findings)} personal data finding(s)", markup=False)
    if annotations:
        out.line(f"{'annotations':14} {len(annotations)} note(s) on its passages", markup=False)
    for translation in translations:
        out.line(
            f"{'translation':14} {translation.language}: {len(translation.paragraphs)} "
            f"paragraph(s), {translation.path}",
            markup=False,
        )
    if publication is not None:
        offered = {"original": "its original", "copy": "a public copy"}.get(
            str(publication.file), "no file"
        )
        out.line(f"{'published':14} {publication.level}, {offered}", markup=False)
        for reason in publication.reasons:
            out.line(f"{'':14} {reason}", markup=False)
        if publication.withheld:
            counts = ", ".join(f"{n} {kind}" for kind, n in sorted(publication.withheld.items()))
            out.line(f"{'':14} withheld: {counts}", markup=False)
    elif projected:
        out.line(f"{'published':14} no (team, or under embargo)", markup=False)
    for layer in set_aside:
        out.line(
            f"{'set aside':14} p.{layer.page} {layer.method} ({len(layer.text)} characters, "
            f"not shown: {'; '.join(layer.reasons)}); the page is shown as OCR read it",
            markup=False,
        )
    out.line(f"{'passages':14} {len(passages)}", markup=False)
    for passage in passages[:5]:
        out.line(f"  ¶{passage.paragraph} p.{passage.page}  {passage.text[:80]}", markup=False)
