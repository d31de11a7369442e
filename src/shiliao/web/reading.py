"""Pages for reading the archive as the team sees it: home, sources, a source with its
passages and notes, search, and the worker's jobs.

Every account may read everything the team may (``team`` material included). Personal data an
editor decided to redact is shown to editors and admins highlighted (so they can check a
decision), and to readers and contributors replaced by its placeholder, as the public site has
it: they have no need to read a private name to do their work.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from shiliao.archive import Archive, open_archive
from shiliao.errors import ArchiveBusy, QueryError, SearchError, StoreError
from shiliao.model import FINDING_KINDS, Finding, Passage, Source
from shiliao.privacy.public import PrivacyInputs
from shiliao.privacy.redact import Withholding, redact_text
from shiliao.privacy.review import public_persons, review_findings
from shiliao.web.routing import Ctx, Refused, route

__all__ = ["Marked", "archive_of", "marked_passages"]

PAGE_SIZE = 100


@contextlib.contextmanager
def archive_of(ctx: Ctx) -> Iterator[Archive]:
    """The archive, open for reading for one request.

    Raises:
        Refused: 503 when there is no archive yet or it cannot be read now.
    """
    try:
        archive = open_archive(ctx.app.config.archive)
    except StoreError as exc:
        raise Refused(503, f"the archive cannot be read now: {exc}") from exc
    try:
        yield archive
    finally:
        archive.close()


@dataclass(frozen=True)
class Marked:
    """A passage's text in pieces for display: ``(text, mark)`` where mark is None (plain),
    ``"redact"`` (an editor decided to withhold it), ``"unreviewed"`` (personal data nobody
    decided yet) or ``"placeholder"`` (withheld: the placeholder stands in its place)."""

    passage: Passage
    pieces: tuple[tuple[str, str | None], ...]


def _pieces(text: str, spans: list[tuple[int, int, str]]) -> tuple[tuple[str, str | None], ...]:
    pieces: list[tuple[str, str | None]] = []
    position = 0
    for start, end, mark in sorted(spans):
        if start < position:
            start = position
        if end <= start:
            continue
        pieces.append((text[position:start], None))
        pieces.append((text[start:end], mark))
        position = end
    pieces.append((text[position:], None))
    return tuple(p for p in pieces if p[0])


def marked_passages(archive: Archive, source: Source, editor: bool) -> list[Marked]:
    """A source's passages with their personal data marked for an editor, or with the
    redactions an editor decided applied for anyone else (see the module's docstring)."""
    catalog = archive.catalog
    inputs = PrivacyInputs.from_json(catalog.get_state("privacy_inputs"))
    findings = catalog.findings(source.id)
    review = review_findings(
        [source], findings, inputs.decisions, public_persons(inputs.people, catalog.terms())
    ).sources.get(source.id)
    withholding = Withholding(review.redact if review else [])
    unreviewed: dict[int | None, list[Finding]] = {}
    for finding in review.unreviewed if review else []:
        if finding.field == "text":
            unreviewed.setdefault(finding.passage_id, []).append(finding)
    marked = []
    for passage in catalog.passages(source.id):
        redact = withholding.spans(passage.text)
        if not editor:
            text, _ = redact_text(passage.text, redact)
            marked.append(Marked(passage, ((text, None),)))
            continue
        spans = [(s.start, s.end, "redact") for s in redact]
        spans += [(f.char_start, f.char_end, "unreviewed") for f in unreviewed.get(passage.id, [])]
        marked.append(Marked(passage, _pieces(passage.text, spans)))
    return marked


def _title(source: Source) -> str:
    return source.title or source.id


@route("GET", "/", needs="reader")
def home(ctx: Ctx) -> Response:
    """The team's start page: counts, what waits for review, recent jobs."""
    with archive_of(ctx) as archive:
        counts = archive.catalog.counts()
        states = archive.catalog.source_states()
    unreviewed = None
    if ctx.can("editor"):
        from shiliao.operations.review import scan

        with archive_of(ctx) as archive:
            unreviewed = len(scan(archive).unreviewed)
    return ctx.render(
        "home.html",
        counts=counts,
        sources=len(states),
        unreviewed=unreviewed,
        jobs=ctx.app.worker.jobs()[:5],
    )


def _matches(source: Source, text: str) -> bool:
    text = text.casefold()
    return any(
        text in str(value).casefold()
        for value in (
            source.id,
            source.title,
            source.metadata.get("title_en", ""),
            source.date or "",
            source.metadata.get("collections") or source.metadata.get("collection") or "",
        )
    )


@route("GET", "/sources", needs="reader")
def sources(ctx: Ctx) -> Response:
    """Every source, filtered by a text (id, titles, date, collection) and paged; editors get
    checkboxes for a bulk edit."""
    wanted = ctx.request.query_params.get("filter", "").strip()
    try:
        page = max(1, int(ctx.request.query_params.get("page", "1")))
    except ValueError:
        page = 1
    with archive_of(ctx) as archive:
        rows = [s for s in archive.catalog.sources() if not wanted or _matches(s, wanted)]
    rows.sort(key=lambda s: (s.date or "9999", s.id))
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return ctx.render(
        "sources.html",
        rows=shown,
        total=len(rows),
        page=page,
        pages=max(1, -(-len(rows) // PAGE_SIZE)),
        filter=wanted,
    )


def source_or_404(archive: Archive, source_id: str) -> Source:
    """The source, or a 404 refusal."""
    source = archive.catalog.source(source_id)
    if source is None:
        raise Refused(404, "no such source")
    return source


@route("GET", "/sources/{source_id}", needs="reader")
def source_page(ctx: Ctx) -> Response:
    """A source: its metadata, status, passages with their annotations, and (for editors)
    its personal data marked."""
    with archive_of(ctx) as archive:
        source = source_or_404(archive, ctx.param("source_id"))
        passages = marked_passages(archive, source, ctx.can("editor"))
        notes: dict[int, list[Any]] = {}
        for note in archive.catalog.annotations(source.id):
            notes.setdefault(note.paragraph, []).append(note)
        translations = archive.catalog.translations(source.id)
    return ctx.render(
        "source.html",
        source=source,
        passages=passages,
        notes=notes,
        translations=translations,
        metadata=source.metadata,
        finding_kinds=FINDING_KINDS,
    )


@route("GET", "/search", needs="reader")
def search_page(ctx: Ctx) -> Response:
    """Search every passage the team may read (KWIC lines, as ``shiliao search``)."""
    from shiliao.operations.search import search

    query = ctx.request.query_params.get("q", "").strip()
    response = None
    rows: list[dict[str, Any]] = []
    error = None
    if query:
        try:
            with archive_of(ctx) as archive:
                response = search(archive, query, limit=100, width=30)
                rows = _hit_rows(archive, response.hits, ctx.can("editor"))
        except QueryError as exc:
            error = str(exc)
        except (ArchiveBusy, SearchError) as exc:
            error = f"the index is being updated; try again in a moment ({exc})"
    return ctx.render("search.html", query=query, response=response, rows=rows, error=error)


def _hit_rows(archive: Archive, hits: list[Any], editor: bool) -> list[dict[str, Any]]:
    """The hits as the search page shows them: ``{"hit", "left", "match", "right"}``. For
    anyone but an editor, a hit on a passage a decided redaction changes shows the start of
    the passage as redacted instead of its KWIC line (which would show the withheld text)."""
    shown: dict[str, dict[int | None, str]] = {}
    rows = []
    for hit in hits:
        left, match, right = hit.snippet
        if not editor and hit.kind == "passage":
            if hit.source.id not in shown:
                shown[hit.source.id] = {
                    m.passage.id: "".join(piece for piece, _ in m.pieces)
                    for m in marked_passages(archive, hit.source, editor=False)
                }
            text = shown[hit.source.id].get(hit.passage.id, hit.passage.text)
            if text != hit.passage.text:
                left, match, right = text[:120], "", "…" if len(text) > 120 else ""
        rows.append({"hit": hit, "left": left, "match": match, "right": right})
    return rows


@route("GET", "/jobs", needs="reader")
def jobs(ctx: Ctx) -> Response:
    """The worker's jobs: applying edits to the archive, publishing."""
    return ctx.render("jobs.html", jobs=ctx.app.worker.jobs())


@route("GET", "/jobs/{job_id:int}", needs="reader")
def job(ctx: Ctx) -> Response:
    """One job and its progress (the page reloads itself while it runs)."""
    found = ctx.app.worker.job(int(ctx.request.path_params["job_id"]))
    if found is None:
        raise Refused(404, "no such job")
    return ctx.render("job.html", job=found)
