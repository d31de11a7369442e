"""The JSON API (``docs/api.md``): sources, passages, search and jobs, read with the same
session and the same permissions as the pages (any account reads; nobody logged in gets 401).

Shapes are stable (keys are only ever added). Passages and search hits carry the text as the
role may read it: for a reader or contributor, with the redactions editors decided applied
(as the pages show it); for an editor or admin, as the source has it.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from shiliao.errors import ArchiveBusy, QueryError, SearchError
from shiliao.model import Source
from shiliao.web.reading import Withheld, archive_of, marked_passages, source_or_404, withheld_for
from shiliao.web.routing import Ctx, Refused, route

__all__ = ["source_json"]


def source_json(source: Source) -> dict[str, Any]:
    """A source as the API gives it: ``id``, ``title``, ``date``, ``date_source``, ``type``,
    ``language``, ``status``, ``error``, ``path``, ``line``, ``file_sha256`` and ``metadata``
    (every other field the collection gives it)."""
    return {
        "id": source.id,
        "title": source.title,
        "date": source.date,
        "date_source": source.date_source,
        "type": source.type,
        "language": source.language,
        "status": source.status,
        "error": source.error,
        "path": source.path,
        "line": source.line,
        "file_sha256": source.file_sha256,
        "metadata": source.metadata,
    }


@route("GET", "/api/sources", needs="reader", api=True)
def api_sources(ctx: Ctx) -> Response:
    """``{"total", "sources": [source...]}``, in pages: ``?offset=0&limit=100`` (at most
    1000)."""
    try:
        offset = int(ctx.request.query_params.get("offset", "0"))
        limit = int(ctx.request.query_params.get("limit", "100"))
    except ValueError as exc:
        raise Refused(400, "offset and limit are whole numbers") from exc
    if offset < 0 or not 1 <= limit <= 1000:
        raise Refused(400, "offset is at least 0, and limit from 1 to 1000")
    with archive_of(ctx) as archive:
        sources = sorted(archive.catalog.sources(), key=lambda s: s.id)
        withheld = withheld_for(ctx, archive)
    if withheld is not None:
        sources = [withheld.source(s) for s in sources]
    return JSONResponse(
        {
            "total": len(sources),
            "offset": offset,
            "sources": [source_json(s) for s in sources[offset : offset + limit]],
        }
    )


@route("GET", "/api/sources/{source_id}", needs="reader", api=True)
def api_source(ctx: Ctx) -> Response:
    """One source (``source_json``); 404 when there is none."""
    with archive_of(ctx) as archive:
        source = source_or_404(archive, ctx.param("source_id"))
        withheld = withheld_for(ctx, archive)
    return JSONResponse(source_json(withheld.source(source) if withheld else source))


@route("GET", "/api/sources/{source_id}/passages", needs="reader", api=True)
def api_passages(ctx: Ctx) -> Response:
    """``{"source_id", "passages": [{"id", "paragraph", "page", "text"}...]}``, the text as
    the role may read it (see the module's docstring)."""
    with archive_of(ctx) as archive:
        source = source_or_404(archive, ctx.param("source_id"))
        marked = marked_passages(archive, source, withheld_for(ctx, archive))
    return JSONResponse(
        {
            "source_id": source.id,
            "passages": [
                {
                    "id": m.passage.id,
                    "paragraph": m.passage.paragraph,
                    "page": m.passage.page,
                    "text": "".join(piece for piece, _ in m.pieces),
                }
                for m in marked
            ],
        }
    )


@route("GET", "/api/search", needs="reader", api=True)
def api_search(ctx: Ctx) -> Response:
    """``?q=QUERY&limit=20`` (0: every hit): the answer of ``shiliao search --json`` (``SearchResponse.
    to_json``) over everything the team may read; a reader's or contributor's hits have the
    decided redactions applied to their text."""
    from shiliao.operations.search import SearchResponse, search

    query = ctx.request.query_params.get("q", "")
    try:
        limit = int(ctx.request.query_params.get("limit", "20"))
    except ValueError as exc:
        raise Refused(400, "limit is a whole number") from exc
    if limit < 0:
        raise Refused(400, "limit is 0 (every hit) or more")
    try:
        with archive_of(ctx) as archive:
            withheld = withheld_for(ctx, archive)
            if withheld is not None and withheld.names(query):
                # Nothing, not even a count: it would tell that the name is in the archive.
                payload = SearchResponse(query=query, total=0, hits=[], facets={}).to_json()
            else:
                payload = search(archive, query, limit=limit or None, facets=True).to_json()
                if withheld is not None:
                    _redact_hits(withheld, payload)
    except QueryError as exc:
        raise Refused(400, str(exc)) from exc
    except (ArchiveBusy, SearchError) as exc:
        raise Refused(503, f"the index is being updated; try again in a moment ({exc})") from exc
    return JSONResponse(payload)


def _redact_hits(withheld: Withheld, payload: dict[str, Any]) -> None:
    """Pass each hit's title and texts through ``withheld``; a hit whose matched text a
    redaction changed loses its snippet and spans (offsets into a text no longer shown)."""
    for hit in payload["hits"]:
        hit["title"] = withheld.text(hit["title"])
        if "passage_text" in hit:
            hit["passage_text"] = withheld.text(hit["passage_text"])
        shown = withheld.text(hit["text"])
        if shown != hit["text"]:
            hit["text"] = shown
            hit["snippet"] = None
            hit["kwic"] = None
            hit["spans"] = []


@route("GET", "/api/jobs/{job_id:int}", needs="reader", api=True)
def api_job(ctx: Ctx) -> Response:
    """A job of the worker (``Job.to_json``); 404 when unknown."""
    job = ctx.app.worker.job(int(ctx.request.path_params["job_id"]))
    if job is None:
        raise Refused(404, "no such job")
    shown = job.to_json()
    if not ctx.can("editor"):
        # A build's warnings quote titles and texts, a withheld name among them.
        shown["result"] = {k: v for k, v in shown["result"].items() if k != "warnings"}
        shown["error"] = "failed" if shown["error"] else None
    return JSONResponse(shown)
