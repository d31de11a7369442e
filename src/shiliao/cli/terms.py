"""``shiliao terms``: the glossary and the archive's vocabulary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from shiliao.archive import Archive
from shiliao.cli.console import SafeConsole, ShiliaoCommand, public_option
from shiliao.operations.search import current_index, open_view
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
from shiliao.zh.normalize import normalize
from shiliao.zh.stats import COLLOCATION_MEASURE


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


@click.group("terms")
def terms_group() -> None:
    """The glossary and the archive's vocabulary: records, formula candidates, statistics,
    concordance (KWIC), collocates, import and export."""


@terms_group.command("list", cls=ShiliaoCommand)
@public_option
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a list of term records.")
def terms_list(archive_dir: Path, as_json: bool, public: bool) -> None:
    """List the glossary with each term's use: sources, passages, first and last dated use."""
    with open_view(archive_dir, public=public) as archive:
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
    SafeConsole(soft_wrap=True).print(table)


@terms_group.command("show", cls=ShiliaoCommand)
@public_option
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path))
@click.argument("term")
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
def terms_show(archive_dir: Path, term: str, as_json: bool, public: bool) -> None:
    """Show one glossary entry: forms, parts linked to their entries, use in the archive."""
    with open_view(archive_dir, public=public) as archive:
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
    out = SafeConsole(highlight=False, soft_wrap=True)
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


@terms_group.command("candidates", cls=ShiliaoCommand)
@public_option
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
    archive_dir: Path, limit: int, min_sources: int, width: int, as_json: bool, public: bool
) -> None:
    """Find numbered formulas (四个意识, 三个代表, 一带一路) and quoted slogans for the glossary.

    Each candidate comes with its count, number of sources, first date and three example
    passages; terms already in the glossary are marked. Promote one with `shiliao terms promote`.
    """
    with open_view(archive_dir, public=public) as archive:
        found = find_archive_candidates(
            archive.catalog, min_sources=min_sources, limit=limit or None
        )
        rows = [_candidate_json(archive, candidate, width) for candidate in found]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    out = SafeConsole(highlight=False, soft_wrap=True)
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


@terms_group.command("promote", cls=ShiliaoCommand)
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
    with open_view(archive_dir) as archive:
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


@terms_group.command("stats", cls=ShiliaoCommand)
@public_option
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path))
@click.argument("terms", nargs=-1, required=True)
@click.option("--collection", help="Count only the sources of this collection.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print a list: per term, its years and first/last year."
)
def terms_stats(
    archive_dir: Path, terms: tuple[str, ...], collection: str | None, as_json: bool, public: bool
) -> None:
    """Frequency of terms per year: occurrences and per 10,000 characters of that year's text."""
    with open_view(archive_dir, public=public) as archive:
        results = term_statistics(archive.catalog, current_index(archive), terms, collection)
    if as_json:
        click.echo(json.dumps([r.to_json() for r in results], ensure_ascii=False, indent=2))
        return
    out = SafeConsole(soft_wrap=True)
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


@terms_group.command("kwic", cls=ShiliaoCommand)
@public_option
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
    public: bool,
) -> None:
    """Concordance: every occurrence of a term with its context, aligned (KWIC)."""
    with open_view(archive_dir, public=public) as archive:
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
    out = SafeConsole(highlight=False, soft_wrap=True)
    for line in shown:
        left = " ".join(line.kwic.left.splitlines()).rjust(width, "　")
        right = " ".join(line.kwic.right.splitlines())
        out.print(
            f"{line.source.date or 'undated':10} {left} [{line.kwic.match}] {right}", markup=False
        )
    out.print(f"{len(lines)} occurrence(s)", markup=False)


@terms_group.command("collocates", cls=ShiliaoCommand)
@public_option
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
    public: bool,
) -> None:
    """Words most associated with a term within a window, by log-likelihood (G², Dunning 1993)."""
    with open_view(archive_dir, public=public) as archive:
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
    SafeConsole(soft_wrap=True).print(table)


@terms_group.command("export", cls=ShiliaoCommand)
@public_option
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
def terms_export(archive_dir: Path, fmt: str, output: Path | None, public: bool) -> None:
    """Export the glossary as YAML (the glossary's format) or CSV, auto-filled values marked."""
    with open_view(archive_dir, public=public) as archive:
        text = export_glossary(archive.catalog.terms(), fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


@terms_group.command("import", cls=ShiliaoCommand)
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
