"""``shiliao search``: KWIC lines for a query."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.markup import escape

from shiliao.cli.console import SafeConsole, ShiliaoCommand, public_option
from shiliao.operations.search import open_view, search
from shiliao.search.facets import SearchFilters, parse_year_range


# A word that opens with a hyphen (-新疆) is a word of the query, which refuses it with its own
# message, not an option click does not know.
@click.command("search", cls=ShiliaoCommand, context_settings={"ignore_unknown_options": True})
@public_option
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path))
@click.argument("words", metavar="QUERY...", nargs=-1, required=True)
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
    help="Print an object with query, total, hits (each with its kind: passage, annotation or "
    "translation), expanded_to, expansions, filters and facets.",
)
def search_command(
    archive_dir: Path,
    words: tuple[str, ...],
    limit: int,
    width: int,
    no_expand: bool,
    years: str | None,
    collections: tuple[str, ...],
    types: tuple[str, ...],
    languages: tuple[str, ...],
    show_facets: bool,
    as_json: bool,
    public: bool,
) -> None:
    """Search the passages of an archive and print KWIC lines.

    Words must all occur in a passage, with or without quotes around the query; '"quoted
    words"' (quotes the shell passes on) must occur as a phrase. OR, AND, NOT and -word are
    (and +word) refused, not searched as words. Simplified and
    Traditional, full-width and half-width forms match each other. Any string of Chinese
    characters is found wherever it occurs, whatever a word segmenter would make of it; passages
    where it is a whole word come first. Pinyin (jieqin, "jié qīn", si tong si song) and English
    (Four Togethers) are looked up in the glossary and its Chinese terms searched too.
    """
    query = " ".join(words)
    year_from, year_to = parse_year_range(years) if years else (None, None)
    filters = SearchFilters(year_from, year_to, collections, types, languages)
    with open_view(archive_dir, public=public) as archive:
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
        payload = response.to_json()
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    out = SafeConsole(highlight=False, soft_wrap=True)
    sources = len({hit.source.id for hit in response.hits})
    for expansion in response.expansions:
        out.line(
            f"{expansion.words} -> {', '.join(expansion.terms)} (glossary {expansion.via})",
            markup=False,
        )
    out.line(
        f"{response.total} passage(s); showing {len(response.hits)} from {sources} source(s)",
        markup=False,
    )
    for name, values in (response.facets or {}).items() if show_facets else ():
        shown = ", ".join(
            f"{'none' if v.value is None else v.value} {v.passages}/{v.sources}" for v in values
        )
        out.line(f"{name} (passages/sources): {shown}", markup=False)
    for hit in response.hits:
        left, match, right = hit.snippet
        place = (
            f"{hit.source.id}  {hit.source.date or 'undated'}  {hit.source.title}"
            f"  p. {hit.passage.page} ¶{hit.passage.paragraph}"
        )
        if hit.kind != "passage":
            # What matched is a note on the passage or its translation: show the passage too.
            place += f"  ({hit.kind}{f', {hit.language}' if hit.language else ''})"
        out.line(place, style="dim", markup=False)
        out.line(f"    {escape(left)}[bold]{escape(match)}[/bold]{escape(right)}")
        if hit.kind != "passage":
            out.line(f"    ¶{hit.passage.paragraph}: {hit.passage.text}", markup=False)
