"""Pages that change the collection: a source's metadata (one or a selection), metadata as
CSV, uploads and URL captures, annotations.

Each save writes the collection folder through an operation (``operations.edit``,
``operations.upload``, ``operations.annotate``) under the folder's edit lock, keeps an audit
row (who, what, before and after) and asks the worker to apply the folder to the archive. Two
editors saving the same record: the second is told (``EditConflict``) and shown both versions,
never overwritten.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from shiliao.errors import CaptureError, EditConflict, EditError, ShiliaoError
from shiliao.operations import edit as editing
from shiliao.operations.accounts import recorded
from shiliao.web.reading import archive_of, source_or_404
from shiliao.web.routing import Ctx, Refused, route
from shiliao.web.saving import saved

__all__: list[str] = []

# What a contributor may not change: who may read a source is an editor's decision, and a
# source's collections decide it too ([privacy.collections] in shiliao.toml).
EDITOR_FIELDS = frozenset({"access", "collection"})


def _form_changes(ctx: Ctx, record: editing.EditableRecord) -> dict[str, Any]:
    """The fields the form changed, parsed: a field whose text is what the form was given is
    left alone (it may be inherited from the defaults, not written for this source)."""
    changes: dict[str, Any] = {}
    for name in editing.EDITABLE_FIELDS:
        if name in EDITOR_FIELDS and not ctx.can("editor"):
            continue
        if ctx.form is None or name not in ctx.form:
            continue
        text = (
            ctx.field(name)
            if name not in ("creators", "description", "note")
            else (str(ctx.form.get(name) or "").strip())
        )
        shown = editing.field_text(name, record.value(name))
        if text == shown:
            continue
        try:
            changes[name] = editing.parse_field(name, text)
        except EditError as exc:
            raise Refused(400, str(exc)) from exc
    return changes


def _known_path(ctx: Ctx, source_id: str) -> str | None:
    """The file the archive says the source comes from, so that a save reads that file
    alone, not the whole folder; None when the archive does not know the source yet."""
    with archive_of(ctx) as archive:
        source = archive.catalog.source(source_id)
    return source.path if source is not None else None


def _record(ctx: Ctx, source_id: str, path: str | None) -> editing.EditableRecord:
    try:
        return editing.read_record(ctx.app.config.collection, source_id, path=path)
    except EditError as exc:
        raise Refused(404, str(exc)) from exc


@route("GET", "/sources/{source_id}/edit", needs="contributor")
def edit_form(ctx: Ctx) -> Response:
    """The metadata form of a source, filled with what the collection gives it now."""
    source_id = ctx.param("source_id")
    with archive_of(ctx) as archive:
        source = archive.catalog.source(source_id)
    record = _record(ctx, source_id, source.path if source is not None else None)
    return ctx.render(
        "edit.html",
        record=record,
        source=source,
        fields=editing.EDITABLE_FIELDS,
        text=editing.field_text,
        editor_fields=EDITOR_FIELDS,
    )


@route("POST", "/sources/{source_id}/edit", needs="contributor")
def edit_save(ctx: Ctx) -> Response:
    """Save a source's metadata against the version the form was given."""
    path = _known_path(ctx, ctx.param("source_id"))
    record = _record(ctx, ctx.param("source_id"), path)
    changes = _form_changes(ctx, record)
    if not changes:
        return RedirectResponse(f"/sources/{record.source_id}", status_code=303)
    try:
        result = editing.edit_source(
            ctx.app.config.collection,
            record.source_id,
            changes,
            base_version=ctx.field("version"),
            path=path,
        )
    except EditConflict as conflict:
        return ctx.render(
            "conflict.html",
            status=409,
            record=conflict.current,
            mine=changes,
            text=editing.field_text,
        )
    except EditError as exc:
        raise Refused(400, str(exc)) from exc
    job = saved(
        ctx, "edit", record.source_id, recorded(result.before), recorded(result.after), result.path
    )
    return RedirectResponse(f"/sources/{record.source_id}?saved={job.id}", status_code=303)


@route("POST", "/sources/bulk", needs="editor")
def bulk_edit(ctx: Ctx) -> Response:
    """One change to a selection of sources: add or remove list values (subjects, tags,
    collections) or set a field."""
    chosen = ctx.fields("source")
    if not chosen:
        raise Refused(400, "choose at least one source")
    name = ctx.field("field")
    how = ctx.field("how", "set")
    if name not in editing.EDITABLE_FIELDS:
        raise Refused(400, f"{name!r} is not a field that can be edited")
    try:
        value = editing.parse_field(name, ctx.field("value"))
    except EditError as exc:
        raise Refused(400, str(exc)) from exc
    if how in ("add", "remove"):
        if not isinstance(value, list):
            raise Refused(400, f"only a list field takes values to {how}")
        change: Any = {how: value}
    else:
        change = value
    try:
        results = editing.edit_sources(ctx.app.config.collection, chosen, {name: change})
    except EditError as exc:
        raise Refused(400, str(exc)) from exc
    job = None
    for result in (r for r in results if r.changed):
        job = saved(
            ctx,
            "bulk-edit",
            result.source_id,
            recorded(result.before),
            recorded(result.after),
            result.path,
        )
    return ctx.render("saved.html", results=results, job=job)


@route("GET", "/metadata.csv", needs="editor")
def export_csv(ctx: Ctx) -> Response:
    """Every source's metadata as CSV (UTF-8, for a spreadsheet)."""
    text = editing.export_metadata_csv(ctx.app.config.collection)
    return Response(
        text.encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="metadata.csv"'},
    )


@route("GET", "/metadata/import", needs="editor")
def import_form(ctx: Ctx) -> Response:
    """The form to import metadata from CSV."""
    return ctx.render("import.html", report=None)


@route("POST", "/metadata/import", needs="editor", files=True)
def import_csv(ctx: Ctx) -> Response:
    """Import a CSV of metadata (the export's columns): rows that are fine are written, the
    others listed with why."""
    upload = ctx.form.get("file") if ctx.form else None
    if not isinstance(upload, UploadFile):
        raise Refused(400, "choose a CSV file")
    data = upload.file.read(20 * 1024 * 1024 + 1)
    if len(data) > 20 * 1024 * 1024:
        raise Refused(413, "a metadata CSV may be at most 20 MiB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Refused(400, "the CSV is not UTF-8 (save it as CSV UTF-8)") from exc
    try:
        report = editing.import_metadata_csv(ctx.app.config.collection, text)
    except EditError as exc:
        raise Refused(400, str(exc)) from exc
    job = None
    for result in (r for r in report.written if r.changed):
        job = saved(
            ctx,
            "import",
            result.source_id,
            recorded(result.before),
            recorded(result.after),
            result.path,
        )
    return ctx.render("import.html", report=report, job=job)


@route("GET", "/upload", needs="contributor")
def upload_form(ctx: Ctx) -> Response:
    """The form to upload files (a ZIP is a batch) or capture a URL."""
    return ctx.render("upload.html", report=None, job=None)


class _Stream:
    """An uploaded file as ``operations.upload`` reads it (its ``read``)."""

    def __init__(self, upload: UploadFile) -> None:
        self._file = upload.file

    def read(self, size: int = -1) -> bytes:
        return self._file.read(size)


def _received(ctx: Ctx, action: str, report: Any) -> Response:
    """The page after an upload or a capture: each file saved is audited and the last job
    that applies them is linked."""
    job = None
    for item in report.saved:
        job = saved(ctx, action, item["path"], None, recorded(item), None)
    return ctx.render("upload.html", report=report, job=job)


@route("POST", "/upload", needs="contributor", files=True)
def upload(ctx: Ctx) -> Response:
    """Save uploaded files into the collection's ``sources/uploads/`` and apply them: each
    file alone is refused or kept, so one bad file loses nothing of the others."""
    from shiliao.operations.upload import save_uploads

    files = [
        (item.filename or "", _Stream(item))
        for item in (ctx.form.getlist("files") if ctx.form else [])
        if isinstance(item, UploadFile)
    ]
    if not files:
        raise Refused(400, "choose at least one file")
    report = save_uploads(
        ctx.app.config.collection, files, max_bytes=ctx.app.config.max_upload_bytes
    )
    return _received(ctx, "upload", report)


@route("POST", "/capture", needs="contributor")
def capture(ctx: Ctx) -> Response:
    """Capture a web page into a WARC in the collection's ``sources/captures/``."""
    from shiliao.operations.upload import capture_url

    url = ctx.field("url")
    if not url:
        raise Refused(400, "give the address to capture")
    try:
        report = capture_url(ctx.app.config.collection, url)
    except (CaptureError, EditError) as exc:
        raise Refused(400, str(exc)) from exc
    return _received(ctx, "capture", report)


@route("POST", "/sources/{source_id}/annotate", needs="contributor")
def annotate(ctx: Ctx) -> Response:
    """Add a note to a passage (its quote checked against the passage's text)."""
    from shiliao.operations.annotate import add_annotation

    source_id = ctx.param("source_id")
    try:
        paragraph = int(ctx.field("paragraph"))
    except ValueError as exc:
        raise Refused(400, "choose the passage to annotate") from exc
    with archive_of(ctx) as archive:
        source_or_404(archive, source_id)
        passage = next(
            (p for p in archive.catalog.passages(source_id) if p.paragraph == paragraph), None
        )
    if passage is None:
        raise Refused(400, f"the source has no passage {paragraph}")

    def listed(name: str) -> tuple[str, ...]:
        return tuple(part.strip() for part in ctx.field(name).split(",") if part.strip())

    try:
        note = add_annotation(
            ctx.app.config.collection,
            source=source_id,
            paragraph=paragraph,
            note=ctx.field("note"),
            quote=ctx.field("quote") or None,
            tags=listed("tags"),
            terms=listed("terms"),
            sources=listed("sources"),
            access="team" if ctx.field("team") else None,
            passage_text=passage.text,
        )
    except ShiliaoError as exc:
        raise Refused(400, str(exc)) from exc
    job = saved(
        ctx,
        "annotate",
        f"{source_id}#{paragraph}",
        None,
        recorded({"note": note.note, "quote": note.quote, "tags": list(note.tags)}),
        None,
    )
    return RedirectResponse(f"/sources/{source_id}?saved={job.id}#p{paragraph}", status_code=303)
