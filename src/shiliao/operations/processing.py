"""Making stored sources from source inputs: extract a file's text, split it into passages,
store the source with its passages and term mentions, index it and log the change.

``ingest`` (a collection folder) and ``add`` (files and URLs given one by one) both turn
``SourceInput`` values into stored sources through the functions here, so that a source is
made the same way whichever operation brings it.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any

from shiliao.archive import Archive
from shiliao.collection import CollectionFile
from shiliao.config import Settings
from shiliao.containers import OpenedSources
from shiliao.errors import EncryptedDocument, ExtractError
from shiliao.extract.dates import (
    FoundDate,
    MonthDay,
    find_text_date,
    find_text_month_day,
    parse_month_day,
    url_date,
    year_from_context,
)
from shiliao.extract.finish import text_doubts
from shiliao.extract.passages import attach_ocr_confidence, split_passages
from shiliao.extract.pool import Limits, extract_many
from shiliao.extract.runner import extract_file
from shiliao.model import Extraction, Page, Passage, Source, SourceInput, TextLayer
from shiliao.privacy.detect import detect_source
from shiliao.search.facets import facets_of
from shiliao.search.index import PassageIndex
from shiliao.zh.glossary import GlossaryMatcher
from shiliao.zh.script import chinese_script

__all__ = [
    "HEAD_BYTES",
    "Progress",
    "delete_sources",
    "digest_of",
    "extract_limits",
    "extract_sources",
    "failure_row",
    "is_url",
    "mark_indexed",
    "name_in_collection",
    "open_index",
    "process_source",
    "reindex",
    "save_source",
    "stale_sources",
    "unpack_limits",
]

HEAD_BYTES = 8192
"""Bytes read from the start of a file to sniff its media type."""
# What an extractor reads from a file but the archive never shows: a photo's EXIF position stays
# in the original's bytes only; OCR lines (with boxes) are per page, not source metadata.
# A PDF's text layers set aside for OCR are kept in their own table (``text_layers``), not in
# the metadata every listing loads and the site shows.
_UNPUBLISHED_METADATA = frozenset({"gps_private", "ocr_lines", "set_aside_layers"})
# Sources deleted from the database whose passages the search index may still hold: the state
# lives from the deletion's transaction until the index has committed it.
_UNINDEXED_DELETIONS = "unindexed_deletions"


def extract_limits(settings: Settings) -> Limits:
    """The worker limits of ``[extract]``: seconds, address-space bytes and reply bytes."""
    table = settings.table("extract")
    return Limits(
        timeout_s=float(table["timeout_s"]),
        max_memory_bytes=int(table["max_memory_bytes"]),
        max_output_bytes=int(table["max_output_bytes"]),
    )


def unpack_limits(settings: Settings) -> dict[str, int]:
    """The container limits of ``[extract]`` as ``ContainerOpener`` keyword arguments:
    ``max_unpacked_bytes`` (decompressed bytes) and ``max_members``."""
    table = settings.table("extract")
    return {
        "max_unpacked_bytes": int(table["max_unpacked_bytes"]),
        "max_members": int(table["max_archive_members"]),
    }


_CHINESE_TAGS = {"zh", "zh-cn", "zh-tw", "zh-hk", "zh-hans", "zh-hant", "cmn"}

Progress = Callable[[str, int, int], None]


def _language(declared: str | None, text: str) -> str:
    if declared and declared.lower() not in _CHINESE_TAGS:
        return declared
    return chinese_script(text) or declared or "und"


def _record_source(
    item: SourceInput,
    file_sha256: str,
    title: str,
    metadata: dict[str, Any],
    text: str,
    status: str,
    error: str | None,
) -> Source:
    declared = metadata.get("language")
    language = _language(declared, text)
    own = {"title", "date", "date_source", "type", "language"}
    stored = {k: v for k, v in metadata.items() if k not in own}
    if declared and declared != language:
        stored["language_declared"] = declared
    dated = bool(metadata.get("date"))
    return Source(
        id=item.id,
        title=title,
        date=str(metadata["date"]) if dated else None,
        date_source=str(metadata["date_source"]) if dated else None,
        type=str(metadata.get("type") or "document"),
        language=language,
        metadata=stored,
        file_sha256=file_sha256,
        line=item.line,
        record_sha256=item.record_sha256,
        path=item.path,
        status=status,
        error=error,
    )


def _date_fields(
    given: dict[str, Any], found: FoundDate | None, month_day: MonthDay | None = None
) -> dict[str, Any]:
    """The date keys of a source's metadata, each date with where it was read.

    A sidecar's date wins (``date_source: "sidecar"``); what the file says, when it differs,
    stays beside it as ``extracted_date`` and ``extracted_date_source``, for an editor to
    weigh. Without a sidecar date, the file's own (``found``); else the date path of the
    source's address (``final_url``, else ``url``; see ``dates.url_date``), which must agree
    with the month and day the source shows without a year (``month_day``), as a captured
    page's does: ``4月10日`` under ``/201904/`` is 2019-04-10 (year from the address), under
    ``/201905/t20190501_1.html`` undated.
    """
    if given.get("date"):
        fields = {"date_source": "sidecar"}
        if found is not None and found.date != str(given["date"]):
            fields |= {"extracted_date": found.date, "extracted_date_source": found.source}
        return fields
    address = given.get("final_url") or given.get("url")
    if found is None and isinstance(address, str) and (dated := url_date(address)):
        found = year_from_context(month_day, dated) if month_day is not None else dated
    return {"date": found.date, "date_source": found.source} if found is not None else {}


def _name_of(item: SourceInput) -> str:
    """What a source without a title is called: its file's name (a member's, in a container)."""
    member = item.metadata.get("member")
    if member and not is_url(str(member)):
        return PurePosixPath(str(member)).name
    return str(member or Path(item.path).name)


def process_source(
    item: SourceInput,
    file: CollectionFile,
    media_type: str,
    settings: Settings,
    extracted: Extraction | ExtractError | None = None,
) -> tuple[Source, list[Passage], list[TextLayer]]:
    """Extract one source; an extraction failure is returned as data, never raised.

    ``extracted`` is the file's extraction when it was done ahead (``extract_many``, in
    parallel); otherwise the file is extracted here, in a limited worker process. Returns
    the source, its passages, and the readings of its pages kept but not shown (a PDF's
    text layer of glyph codes, the page shown as OCR read it).
    """
    metadata = dict(item.metadata)
    if item.text is not None:
        text = unicodedata.normalize("NFC", item.text.replace("\r\n", "\n").replace("\r", "\n"))
        found_date, month_day = find_text_date(text), find_text_month_day(text)
        metadata |= _date_fields(item.metadata, found_date, month_day)
        doubts = text_doubts(text)
        if doubts:
            # A record's text is judged as a file's is (pdfminer's "(cid:N)" pasted in).
            metadata |= {
                "text_doubts": doubts,
                "needs_review": True,
                "warnings": ["the text may be codes, not writing: " + "; ".join(doubts)],
            }
        pages = [Page(1, text)]
        passages = split_passages(item.id, pages, "record")
        title = str(metadata.get("title") or Path(item.path).name)
        source = _record_source(item, file.sha256, title, metadata, text, "extracted", None)
        return source, passages, []
    if extracted is None:
        limits = extract_limits(settings)
        try:
            extracted = extract_file(
                file.abspath,
                media_type,
                timeout_s=limits.timeout_s,
                max_memory_bytes=limits.max_memory_bytes,
                max_output_bytes=limits.max_output_bytes,
            )
        except ExtractError as exc:
            extracted = exc
    if isinstance(extracted, ExtractError):
        metadata |= _date_fields(item.metadata, None)
        title = str(metadata.get("title") or _name_of(item))
        # An encrypted file is kept and said to be so, not reported as a parser failure.
        status = (
            "encrypted_no_text" if isinstance(extracted, EncryptedDocument) else "extraction_failed"
        )
        source = _record_source(item, file.sha256, title, metadata, "", status, str(extracted))
        return source, [], []
    extraction = extracted
    if extraction.documents:
        # A web archive holds several pages; the source is the page it was captured for.
        wanted = metadata.get("final_url") or metadata.get("url")
        extraction = next(
            (d for d in extraction.documents if d.metadata.get("url") == wanted),
            extraction.documents[0],
        )
    found = {
        k: v
        for k, v in extraction.metadata.items()
        if v not in (None, "", []) and k not in _UNPUBLISHED_METADATA
    }
    merged = {
        **{
            f"extracted_{k}": v
            for k, v in found.items()
            if k not in {"title", "date", "date_source"}
        },
        **metadata,
    }
    if not merged.get("title") and found.get("title"):
        merged["title"] = found["title"]
    if found.get("date"):
        # An extractor that gives no source for its date is named, not trusted silently.
        source = found.get("date_source") or f"{extraction.method} metadata"
        merged |= _date_fields(metadata, FoundDate(str(found["date"]), str(source)))
    else:
        unresolved = found.get("date_unresolved")
        source = str(found.get("date_unresolved_source", ""))
        month_day = parse_month_day(str(unresolved), source) if unresolved else None
        merged |= _date_fields(metadata, None, month_day)
    text = "\n".join(page.text for page in extraction.pages)
    passages = split_passages(item.id, extraction.pages, extraction.method)
    passages = attach_ocr_confidence(passages, extraction.metadata.get("ocr_lines"))
    title = str(merged.get("title") or _name_of(item))
    set_aside = [
        TextLayer(item.id, layer["page"], layer["method"], layer["text"], tuple(layer["reasons"]))
        for layer in extraction.metadata.get("set_aside_layers", [])
    ]
    source = _record_source(item, file.sha256, title, merged, text, "extracted", None)
    return source, passages, set_aside


def is_url(target: str) -> bool:
    """Whether ``target`` (an ``add`` target, a member name) is a URL rather than a path."""
    return "://" in target or target.lower().startswith(("http:", "https:", "file:"))


def extract_sources(
    todo: list[SourceInput],
    opened: OpenedSources,
    files: dict[str, CollectionFile],
    media_types: dict[str, str],
    limits: Limits,
    workers: int,
    dask: str | None,
) -> Iterator[tuple[SourceInput, str, Extraction | ExtractError | None]]:
    """Each source to process with its media type and its extraction, in ``todo`` order.

    The extraction is None for a source whose text its record gives (a JSON-lines line), the
    one made while opening its container (``opened.prepared``), or else the file's (a member
    taken out of a ZIP or TAR, or the collection file) extracted by ``extract_many``:
    ``workers`` at once or on Dask, in order, a failure as an ``ExtractError`` value.
    """

    def located(item: SourceInput) -> tuple[Path, str]:
        return opened.member_files.get(item.id, (files[item.path].abspath, media_types[item.path]))

    jobs = [
        (item.id, *located(item))
        for item in todo
        if item.text is None and item.id not in opened.prepared
    ]
    extracted = extract_many(jobs, workers=workers, dask=dask, limits=limits) if jobs else iter(())
    for item in todo:
        if item.text is not None:
            result = None
        elif item.id in opened.prepared:
            result = opened.prepared[item.id]
        else:
            result = next(extracted)[1]
            member = item.metadata.get("member")
            if isinstance(result, ExtractError) and item.id in opened.member_files and member:
                # The worker read a numbered copy; the reader needs the name inside the archive.
                copy = opened.member_files[item.id][0].name
                result = type(result)(str(result).replace(copy, str(member)))
        yield item, located(item)[1], result


def digest_of(values: Iterable[Any]) -> str:
    """SHA-256 (hex) of JSON values, keys sorted: a fingerprint of settings or metadata."""
    return hashlib.sha256(
        json.dumps(list(values), ensure_ascii=False, sort_keys=True, default=str).encode()
    ).hexdigest()


def failure_row(item: SourceInput, path: str, reason: str) -> dict[str, str]:
    """A ``failed`` row: ``source_id``, ``path``, ``reason``, and ``member`` for a file or page
    inside a container."""
    row = {"source_id": item.id, "path": path, "reason": reason}
    if item.metadata.get("member"):
        row["member"] = str(item.metadata["member"])
    return row


def name_in_collection(item: SourceInput | Source) -> str:
    """A file's collection path; for a file inside a ZIP or TAR, the path and its name inside
    (``sources/scans.zip/通知/一.pdf``); for a web archive's page, the path and the URL."""
    member = item.metadata.get("member")
    if not member:
        return item.path
    return f"{item.path} {member}" if is_url(str(member)) else f"{item.path}/{member}"


def save_source(
    archive: Archive,
    index: PassageIndex,
    matcher: GlossaryMatcher,
    item: SourceInput,
    source: Source,
    passages: list[Passage],
    position: int,
    object_id: str,
    version: int,
    origin: str,
    text_layers: list[TextLayer],
) -> None:
    """Store a processed source with its passages, term mentions, personal-data findings
    (``privacy.detect_source``) and the readings of its pages set aside (``text_layers``),
    index it (uncommitted) and log the change: ``source_added``, ``source_updated`` (its
    record's bytes changed) or ``metadata_edited`` (only what the sidecar says of it
    changed). The entry is logged in the transaction that stores the source
    (``Archive.record``): a crash leaves both, neither, or an entry the rerun adopts."""
    catalog = archive.catalog
    previous = catalog.source(item.id)
    if previous is None:
        kind = "source_added"
    elif previous.record_sha256 == source.record_sha256:
        kind = "metadata_edited"
    else:
        kind = "source_updated"
    with catalog.transaction():
        ids = catalog.save_source(
            source,
            item.fingerprint,
            position,
            passages,
            origin=origin,
            object_id=object_id,
            object_version=version,
        )
        mentions = [
            (m.term, passage_id, m.char_start, m.char_end)
            for passage_id, passage in zip(ids, passages, strict=True)
            for m in matcher.find(passage.text)
        ]
        catalog.replace_term_mentions(ids, mentions)
        stored = [replace(p, id=i) for p, i in zip(passages, ids, strict=True)]
        catalog.replace_findings([source.id], detect_source(source, stored))
        catalog.replace_text_layers(source.id, text_layers)
        archive.record(
            kind,
            {
                "source_id": source.id,
                "path": item.path,
                "line": item.line,
                "record_sha256": item.record_sha256,
                "fingerprint": item.fingerprint,
                "object_id": object_id,
                "version": version,
                "status": source.status,
                "origin": origin,
            },
            source_id=source.id,
            object_id=object_id,
            version=version,
        )
    index.delete_source(source.id)
    for passage_id, passage in zip(ids, passages, strict=True):
        index.add(passage_id, source.id, passage.text, facets_of(source))


def open_index(archive: Archive) -> PassageIndex:
    """Open the archive's search index to write it, with the deletions a killed run left
    uncommitted queued first (``delete_sources``), before anything is added.

    Raises:
        SearchError: the index cannot be opened.
    """
    index = archive.open_index()
    for source_id in archive.catalog.get_state(_UNINDEXED_DELETIONS) or []:
        index.delete_source(source_id)
    return index


def delete_sources(archive: Archive, index: PassageIndex, source_ids: list[str]) -> None:
    """Delete sources from the database and log each deletion (``source_deleted``), in one
    transaction, and from the search index (at its next commit).

    Until ``mark_indexed`` records that commit, the ids stay in the database, so that the
    deletion reaches the index even when a crash comes first (``open_index``).

    Raises:
        StoreError, LogError, DiskFull: the database or the log cannot be written (nothing was
            deleted).
    """
    catalog = archive.catalog
    with catalog.transaction():
        catalog.delete_sources(source_ids)
        for source_id in source_ids:
            archive.record("source_deleted", {"source_id": source_id}, source_id=source_id)
        waiting = set(catalog.get_state(_UNINDEXED_DELETIONS) or []) | set(source_ids)
        catalog.set_state(_UNINDEXED_DELETIONS, sorted(waiting))
    for source_id in source_ids:
        index.delete_source(source_id)


def mark_indexed(archive: Archive, source_ids: Iterable[str]) -> None:
    """After the index's commit: record that it holds these sources' current passages, and
    that no deletion waits for it (``delete_sources``).

    Raises:
        StoreError, DiskFull: the database cannot be written.
    """
    with archive.catalog.transaction():
        archive.catalog.mark_indexed(source_ids)
        archive.catalog.set_state(_UNINDEXED_DELETIONS, [])


def stale_sources(archive: Archive, processed: Iterable[str] = ()) -> list[str]:
    """The sources, of any origin, whose stored passages the index may not hold: a run was
    killed between the database's commit and the index's (or the index was made anew). The
    ``processed`` ones (saved again now) are left out.
    """
    skip = set(processed)
    return [
        source_id
        for source_id, (fingerprint, indexed) in archive.catalog.source_states().items()
        if fingerprint != indexed and source_id not in skip
    ]


def reindex(archive: Archive, index: PassageIndex, source_ids: Iterable[str]) -> None:
    """Index these sources' stored passages again (uncommitted), replacing what the index
    holds of them."""
    for source_id in source_ids:
        index.delete_source(source_id)
        source = archive.catalog.source(source_id)
        if source is None:
            continue
        facets = facets_of(source)
        for passage in archive.catalog.passages(source_id):
            index.add(passage.id, source_id, passage.text, facets)
