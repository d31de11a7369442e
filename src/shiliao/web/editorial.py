"""An editor's pages: the privacy review queue, formula candidates for the glossary, essays
with a preview, and publishing the public site.

Decisions go to the collection's ``privacy.yaml`` (``operations.review.decide``), glossary
entries to ``glossary.yaml`` (``terminology.promote``), essays to ``essays/`` (
``operations.sections``): the files ``shiliao privacy decide``, ``shiliao terms promote`` and
an editor's text editor write.
"""

from __future__ import annotations

import threading
from typing import Any

from starlette.responses import RedirectResponse, Response

from shiliao.collection.writing import editing
from shiliao.config import load_settings
from shiliao.errors import CollectionError, EditConflict, EditError, ShiliaoError
from shiliao.model import DECISIONS
from shiliao.web.reading import archive_of
from shiliao.web.routing import Ctx, Refused, route
from shiliao.web.saving import saved

__all__: list[str] = []

_candidates_lock = threading.Lock()
_candidates: dict[str, Any] = {}


@route("GET", "/review", needs="editor")
def review_queue(ctx: Ctx) -> Response:
    """Personal data nobody decided yet, source by source, each with its context and the
    decisions an editor can take."""
    from shiliao.operations.review import scan

    with archive_of(ctx) as archive:
        result = scan(archive)
        titles = {s.id: s.title for s in archive.catalog.sources()}
    return ctx.render(
        "review.html", findings=result.unreviewed[:500], total=len(result.unreviewed), titles=titles
    )


@route("POST", "/review/decide", needs="editor")
def decide(ctx: Ctx) -> Response:
    """Decide one finding (by its key) or a text (everywhere, or in one source)."""
    from shiliao.operations.review import decide as record_decision

    decision = ctx.field("decision")
    if decision not in DECISIONS:
        raise Refused(400, f"{decision!r} is not a decision; decisions are {', '.join(DECISIONS)}")
    finding = ctx.field("finding") or None
    text = ctx.field("text") or None
    source = ctx.field("source") or None
    kind = ctx.field("kind") or None
    if finding is not None:
        with archive_of(ctx) as archive:
            known = {f.key: f for f in archive.catalog.findings(source)}
        if finding not in known:
            raise Refused(400, "no such finding (it may have been decided already)")
        kind = kind or known[finding].kind
        source = source or known[finding].source_id
        if ctx.field("scope") == "everywhere" and decision == "redact":
            # An editor who redacts a name redacts it wherever it occurs: the text, not the
            # one finding, so the next source that names the same person is covered too.
            text, finding, source = known[finding].text, None, None
    try:
        with editing(ctx.app.config.collection):
            made, path = record_decision(
                ctx.app.config.collection,
                decision,
                text=text,
                finding=finding,
                source=source,
                kind=kind,
                note=ctx.field("note") or None,
                by=ctx.user,
            )
    except CollectionError as exc:
        raise Refused(400, str(exc)) from exc
    job = saved(
        ctx,
        "decide",
        made.source or "(everywhere)",
        None,
        {
            "decision": made.decision,
            "finding": made.finding,
            "text": made.text,
            "kind": made.kind,
            "note": made.note,
        },
        path,
    )
    back = ctx.field("back")
    if back.startswith("/sources/") and "//" not in back:
        return RedirectResponse(f"{back}?saved={job.id}", status_code=303)
    return RedirectResponse(f"/review?saved={job.id}", status_code=303)


def _archive_candidates(ctx: Ctx) -> list[Any]:
    from shiliao.terminology import find_archive_candidates

    with archive_of(ctx) as archive:
        version = archive.catalog.content_version()
        with _candidates_lock:
            if _candidates.get("version") != version:
                _candidates["list"] = find_archive_candidates(archive.catalog, limit=200)
                _candidates["version"] = version
            return list(_candidates["list"])


@route("GET", "/glossary", needs="editor")
def glossary(ctx: Ctx) -> Response:
    """The glossary and the formulas and slogans proposed for it."""
    with archive_of(ctx) as archive:
        terms = archive.catalog.terms()
    return ctx.render("glossary.html", terms=terms, candidates=_archive_candidates(ctx))


@route("POST", "/glossary/promote", needs="editor")
def promote(ctx: Ctx) -> Response:
    """Add a candidate to the glossary (appended to ``glossary.yaml``, comments kept)."""
    from shiliao.terminology import promote as add_term
    from shiliao.zh.normalize import normalize

    term = normalize(ctx.field("term"))
    english = [e.strip() for e in ctx.field("english").split("|") if e.strip()]
    if not term or not english:
        raise Refused(400, "a glossary entry needs the term and at least one English rendering")
    parts = [p.strip() for p in ctx.field("parts").split("|") if p.strip()]
    try:
        with editing(ctx.app.config.collection):
            path = add_term(
                ctx.app.config.collection,
                term,
                english,
                pinyin=ctx.field("pinyin") or None,
                category=ctx.field("category") or "formula",
                note=ctx.field("note") or None,
                parts=parts,
                comment=f"promoted in shiliao serve by {ctx.user}",
            )
    except ShiliaoError as exc:
        raise Refused(400, str(exc)) from exc
    job = saved(ctx, "promote", term, None, {"term": term, "english": english}, path)
    return RedirectResponse(f"/glossary?saved={job.id}", status_code=303)


@route("GET", "/essays", needs="editor")
def essays(ctx: Ctx) -> Response:
    """The collection's essays (sections)."""
    from shiliao.operations.sections import list_essays

    return ctx.render("essays.html", essays=list_essays(ctx.app.config.collection))


@route("GET", "/essays/{section_id}", needs="editor")
def essay_form(ctx: Ctx) -> Response:
    """An essay's text to edit, with its preview."""
    from shiliao.operations.sections import read_essay

    section_id = ctx.param("section_id")
    if section_id == "new":
        return ctx.render("essay.html", essay=None, text="", preview=None, conflict=None)
    try:
        essay = read_essay(ctx.app.config.collection, section_id)
    except EditError as exc:
        raise Refused(404, str(exc)) from exc
    return ctx.render(
        "essay.html",
        essay=essay,
        text=essay.text,
        preview=_preview(ctx, essay.text),
        conflict=None,
    )


def _preview(ctx: Ctx, text: str) -> str | None:
    """The essay's body as the site renders it, or None when it cannot be read yet (the
    editor is told on saving, with the reason)."""
    from shiliao.operations.sections import preview_essay

    try:
        return preview_essay(text, ctx.app.config.collection)
    except ShiliaoError:
        return None


@route("POST", "/essays/{section_id}", needs="editor")
def essay_save(ctx: Ctx) -> Response:
    """Save an essay (``preview`` in the form only renders it), against the version the form
    was given; a new essay takes its id from the form."""
    from shiliao.operations.sections import read_essay, save_essay

    section_id = ctx.param("section_id")
    text = str(ctx.form.get("text") or "") if ctx.form else ""
    new = section_id == "new"
    if new:
        section_id = ctx.field("section_id")
    if ctx.field("action") == "preview":
        try:
            essay = None if new else read_essay(ctx.app.config.collection, section_id)
        except EditError as exc:
            raise Refused(404, str(exc)) from exc
        return ctx.render(
            "essay.html", essay=essay, text=text, preview=_preview(ctx, text), conflict=None
        )
    try:
        before = None if new else read_essay(ctx.app.config.collection, section_id)
        essay = save_essay(
            ctx.app.config.collection,
            section_id,
            text,
            base_version=None if new else ctx.field("version"),
        )
    except EditConflict as conflict:
        return ctx.render(
            "essay.html",
            status=409,
            essay=conflict.current,
            text=text,
            preview=_preview(ctx, text),
            conflict=conflict.current,
        )
    except EditError as exc:
        raise Refused(400, str(exc)) from exc
    job = saved(
        ctx,
        "essay",
        essay.path,
        None if before is None else {"version": before.version},
        {"version": essay.version},
        essay.path,
    )
    return RedirectResponse(f"/essays/{essay.section_id}?saved={job.id}", status_code=303)


def _review_required(ctx: Ctx) -> bool:
    settings = load_settings(ctx.app.config.collection)
    return bool(settings.table("privacy").get("require_review", False))


@route("GET", "/publish", needs="editor")
def publish_form(ctx: Ctx) -> Response:
    """What publishing would do: findings waiting, the last publication."""
    from shiliao.operations.review import scan

    with archive_of(ctx) as archive:
        unreviewed = len(scan(archive).unreviewed)
    last = next((j for j in ctx.app.worker.jobs() if j.kind == "publish"), None)
    return ctx.render(
        "publish.html",
        unreviewed=unreviewed,
        required=_review_required(ctx),
        last=last,
    )


@route("POST", "/publish", needs="editor")
def publish(ctx: Ctx) -> Response:
    """Apply the folder and build the public site (``shiliao build``); refused while personal
    data waits for review when the collection says so (``[privacy] require_review``)."""
    from shiliao.operations.review import scan

    if _review_required(ctx):
        with archive_of(ctx) as archive:
            waiting = len(scan(archive).unreviewed)
        if waiting:
            raise Refused(
                409,
                f"{waiting} finding(s) of personal data wait for review, and this collection "
                "publishes only once all are decided ([privacy] require_review)",
            )
    job = ctx.app.worker.submit("publish", ctx.user)
    ctx.app.accounts.audit(ctx.user, "publish", str(ctx.app.config.site), None, {"job": job.id})
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)
