"""Pages for reading the archive as the team sees it: home, sources, a source with its
passages and notes, search, and the worker's jobs.

Every account may read everything the team may (``team`` material included). Personal data an
editor decided to redact is shown to editors and admins highlighted (so they can check a
decision), and to readers and contributors replaced by its placeholder, as the public site has
it: they have no need to read a private name to do their work.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
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

__all__ = ["Marked", "Withheld", "archive_of", "marked_passages", "withheld_for"]

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


class Withheld:
    """What a reader or contributor may not read: every string an editor decided to redact
    (and the parts of a redacted name), in any source, applied to every string shown to them:
    titles, metadata, annotations, search hits. Broader than the public projection, which
    withholds a string limited to one source in that source only: in the team's app a name
    redacted anywhere is a private name everywhere. Editors and admins get ``None`` (see
    ``withheld_for``) and read everything.

    Args:
        strings: ``(text, kind)`` pairs to withhold.
    """

    def __init__(self, strings: list[tuple[str, str]]) -> None:
        self._withholding = Withholding(strings)

    def text(self, value: str) -> str:
        """``value`` with each withheld string replaced by its placeholder."""
        return redact_text(value, self._withholding.spans(value))[0] if value else value

    def value(self, value: Any) -> Any:
        """A JSON-like value with every string in it passed through ``text``."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value

    def source(self, source: Source) -> Source:
        """The source with its title and metadata passed through ``text``."""
        return dataclasses.replace(
            source, title=self.text(source.title), metadata=self.value(source.metadata)
        )

    def names(self, text: str) -> bool:
        """Whether ``text`` holds a withheld string (a search for one finds nothing)."""
        return bool(self._withholding.matched(text))


_withheld_cache: dict[str, Withheld] = {}
_withheld_lock = threading.Lock()


def withheld_for(ctx: Ctx, archive: Archive) -> Withheld | None:
    """What ``ctx``'s account may not read (``Withheld``), or None for an editor or admin.
    Computed once per state of the archive and its decisions."""
    if ctx.can("editor"):
        return None
    catalog = archive.catalog
    raw = catalog.get_state("privacy_inputs")
    key = f"{catalog.content_version()}:{hash(repr(raw))}"
    with _withheld_lock:
        if key in _withheld_cache:
            return _withheld_cache[key]
    inputs = PrivacyInputs.from_json(raw)
    review = review_findings(
        catalog.sources(),
        catalog.findings(),
        inputs.decisions,
        public_persons(inputs.people, catalog.terms()),
    )
    strings = [pair for entry in review.sources.values() for pair in entry.redact]
    strings += [
        (d.text, d.kind or "name") for d in inputs.decisions if d.decision == "redact" and d.text
    ]
    withheld = Withheld(strings)
    with _withheld_lock:
        _withheld_cache.clear()
        _withheld_cache[key] = withheld
    return withheld


def marked_passages(archive: Archive, source: Source, withheld: Withheld | None) -> list[Marked]:
    """A source's passages with their personal data marked, for an editor (``withheld``
    None), or with what ``withheld`` holds replaced by placeholders for anyone else (see the
    module's docstring)."""
    catalog = archive.catalog
    if withheld is not None:
        return [
            Marked(passage, ((withheld.text(passage.text), None),))
            for passage in catalog.passages(source.id)
        ]
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
        spans = [(s.start, s.end, "redact") for s in withholding.spans(passage.text)]
        spans += [(f.char_start, f.char_end, "unreviewed") for f in unreviewed.get(passage.id, [])]
        marked.append(Marked(passage, _pieces(passage.text, spans)))
    return marked


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
        withheld = withheld_for(ctx, archive)
        rows = archive.catalog.sources()
        if withheld is not None:
            rows = [withheld.source(s) for s in rows]
        rows = [s for s in rows if not wanted or _matches(s, wanted)]
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
        withheld = withheld_for(ctx, archive)
        passages = marked_passages(archive, source, withheld)
        notes: dict[int, list[Any]] = {}
        for note in archive.catalog.annotations(source.id):
            if withheld is not None:
                note = dataclasses.replace(
                    note,
                    note=withheld.text(note.note),
                    quote=withheld.text(note.quote) if note.quote else note.quote,
                    tags=tuple(withheld.value(list(note.tags))),
                )
            notes.setdefault(note.paragraph, []).append(note)
        translations = archive.catalog.translations(source.id)
        if withheld is not None:
            source = withheld.source(source)
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
    from shiliao.operations.search import SearchResponse, search

    query = ctx.request.query_params.get("q", "").strip()
    response = None
    rows: list[dict[str, Any]] = []
    error = None
    if query:
        try:
            with archive_of(ctx) as archive:
                withheld = withheld_for(ctx, archive)
                if withheld is not None and withheld.names(query):
                    # A search for a withheld string finds nothing: even a count would tell
                    # that the name is in the archive.
                    response = SearchResponse(query=query, total=0, hits=[])
                else:
                    response = search(archive, query, limit=100, width=30)
                rows = _hit_rows(archive, response.hits, withheld)
        except QueryError as exc:
            error = str(exc)
        except (ArchiveBusy, SearchError) as exc:
            error = f"the index is being updated; try again in a moment ({exc})"
    return ctx.render("search.html", query=query, response=response, rows=rows, error=error)


def _hit_rows(archive: Archive, hits: list[Any], withheld: Withheld | None) -> list[dict[str, Any]]:
    """The hits as the search page shows them: ``{"hit", "source", "left", "match",
    "right"}``. For anyone but an editor (``withheld`` given), the title is redacted, and a hit
    whose text a redaction changes shows the start of that text redacted instead of its KWIC
    line (which would show the withheld string)."""
    rows = []
    for hit in hits:
        left, match, right = hit.snippet
        source = hit.source
        if withheld is not None:
            source = withheld.source(source)
            text = hit.text or hit.passage.text
            shown = withheld.text(text)
            if shown != text:
                left, match, right = shown[:120], "", "…" if len(shown) > 120 else ""
        rows.append({"hit": hit, "source": source, "left": left, "match": match, "right": right})
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
