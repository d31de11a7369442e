"""Bibliographies in and out: CSL-JSON, BibTeX and RIS files, and merging an import.

``import_bibliography`` is what ``shiliao import-bib`` does: a collection folder's
``bibliography.json`` is the record of its bibliography (``shiliao build`` reads it into the
archive every time it changes), so an import (a Zotero export, say) is merged into that file,
where it is kept under version control with the rest of the collection and where the next
build finds it. Importing into the archive's database alone would be undone by the next build
of a changed ``bibliography.json``.

Reading a file divides the Chinese names it gives as one field (Zotero's single-field names:
司马光 as 司马 + 光), keeping the string as written (``names``).

Merging (``merge_bibliography``) keeps every entry already there, in its place; an imported
entry is the same work as an existing one when it has the same id (and, where both have a
title, the same title or DOI), the same DOI, or the same title and year (titles compared
after NFKC normalization and case folding). Its fields then
replace the existing entry's fields of the same name (a re-export from Zotero carries the
curator's corrections), fields only the existing entry has are kept (the romanized names and
translations a curator added), and ``custom`` is merged key by key. Other entries are added at
the end, under their own id, or under ``<id>-2``, ``<id>-3``... when that id is taken.
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shiliao.cite.bibtex import from_bibtex, to_bibtex
from shiliao.cite.csl import dump_bibliography, load_bibliography, validate_items
from shiliao.cite.names import split_single_field_names
from shiliao.cite.record import date_parts
from shiliao.cite.ris import from_ris, to_ris
from shiliao.errors import CitationError

__all__ = [
    "FORMATS",
    "MergeReport",
    "format_of",
    "import_bibliography",
    "merge_bibliography",
    "read_bibliography",
    "write_bibliography",
]

#: The exchange formats, by the names the command line uses.
FORMATS = ("csl-json", "bibtex", "ris")
_EXTENSIONS = {".json": "csl-json", ".bib": "bibtex", ".bibtex": "bibtex", ".ris": "ris"}


def format_of(path: str, data: bytes) -> str:
    """The format of a bibliography file, from its extension or, failing that, its content.

    Args:
        path: the file's name (``.json``, ``.bib``, ``.ris`` decide).
        data: its first bytes or all of them.

    Returns:
        A name of ``FORMATS``.

    Raises:
        CitationError: neither the extension nor the content tells.
    """
    extension = Path(path).suffix.lower()
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension]
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:200]
    if head.startswith(b"["):
        return "csl-json"
    if head.startswith(b"@") or b"\n@" in head:
        return "bibtex"
    if head.startswith(b"TY  -"):
        return "ris"
    raise CitationError(
        f"{path}: cannot tell the format; name the file .json (CSL-JSON), .bib or .ris"
    )


def read_bibliography(data: bytes, path: str, fmt: str | None = None) -> list[dict[str, Any]]:
    """Read and validate a bibliography file in any of ``FORMATS``.

    Args:
        data: the file's bytes (UTF-8; a BOM is accepted).
        path: its path, for messages and to tell the format.
        fmt: a name of ``FORMATS``, or None to tell it from ``path`` and ``data``.

    Returns:
        Validated CSL-JSON items (``csl.validate_items``), in file order, with the Chinese
        names that Zotero exports as one field divided into family and given name, their
        original string kept as ``literal`` (``names.split_single_field_names``).

    Raises:
        CitationError: the file is not UTF-8, not in the format, or holds an invalid item.
    """
    fmt = fmt or format_of(path, data)
    if fmt == "csl-json":
        items = load_bibliography(data, path)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CitationError(
                f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"
            ) from exc
        if fmt == "bibtex":
            items = validate_items(from_bibtex(text, path), path)
        elif fmt == "ris":
            items = validate_items(from_ris(text, path), path)
        else:
            raise CitationError(
                f"unknown bibliography format {fmt!r}; use one of {', '.join(FORMATS)}"
            )
    split_single_field_names(items)
    return items


def write_bibliography(items: Sequence[Mapping[str, Any]], fmt: str) -> str:
    """Write CSL-JSON items in one of ``FORMATS``.

    Args:
        items: validated CSL-JSON items.
        fmt: ``"csl-json"`` (CSL-JSON 1.0.2), ``"bibtex"`` or ``"ris"``.

    Returns:
        The file's text.

    Raises:
        CitationError: the format is unknown.
    """
    if fmt == "csl-json":
        return dump_bibliography([dict(item) for item in items])
    if fmt == "bibtex":
        return to_bibtex(items)
    if fmt == "ris":
        return to_ris(items)
    raise CitationError(f"unknown bibliography format {fmt!r}; use one of {', '.join(FORMATS)}")


@dataclass
class MergeReport:
    """What a merge did.

    Attributes:
        items: the merged bibliography: the existing entries in their order, then the added.
        added: ids of the entries added (as stored, after any renaming).
        updated: ``(existing id, imported id)`` for each entry whose fields changed.
        unchanged: ids of existing entries that an imported entry matched without changing.
        renamed: ``(imported id, stored id)`` for added entries whose id was taken.
    """

    items: list[dict[str, Any]]
    added: list[str] = field(default_factory=list)
    updated: list[tuple[str, str]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)


def _normal(value: Any) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(value or "")).casefold().split())


def _doi(item: Mapping[str, Any]) -> str:
    doi = _normal(item.get("DOI"))
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        doi = doi.removeprefix(prefix)
    return doi


def _title_year(item: Mapping[str, Any]) -> tuple[str, int | None] | None:
    title = _normal(item.get("title"))
    issued = date_parts(item, "issued")
    return (title, issued[0] if issued else None) if title else None


def _same_work(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether two entries with one id describe one work: no title on one side, or the same
    title (normalized), or the same DOI."""
    if _doi(old) and _doi(old) == _doi(new):
        return True
    old_title, new_title = _normal(old.get("title")), _normal(new.get("title"))
    return not old_title or not new_title or old_title == new_title


def merge_bibliography(
    existing: Sequence[Mapping[str, Any]], incoming: Sequence[Mapping[str, Any]]
) -> MergeReport:
    """Merge imported entries into a bibliography (rules in the module docstring).

    Args:
        existing: the bibliography's validated items.
        incoming: the imported validated items.

    Returns:
        A ``MergeReport``; its ``items`` have unique ids.
    """
    items = [dict(item) for item in existing]
    by_id = {str(item["id"]): number for number, item in enumerate(items)}
    by_doi = {_doi(item): number for number, item in enumerate(items) if _doi(item)}
    by_title = {
        key: number for number, item in enumerate(items) if (key := _title_year(item)) is not None
    }
    report = MergeReport(items)
    for new in incoming:
        new_id = str(new["id"])
        title_key = _title_year(new)
        doi = _doi(new)
        number = by_id.get(new_id)
        if number is not None and not _same_work(items[number], new):
            number = None
        if number is None and doi:
            number = by_doi.get(doi)
        if number is None and title_key is not None:
            number = by_title.get(title_key)
        if number is not None:
            old = items[number]
            merged = {**old, **{k: v for k, v in new.items() if k not in ("id", "custom")}}
            extra = {**(old.get("custom") or {}), **(new.get("custom") or {})}
            if extra:
                merged["custom"] = extra
            if merged == old:
                report.unchanged.append(str(old["id"]))
            else:
                items[number] = merged
                report.updated.append((str(old["id"]), new_id))
            continue
        stored_id = new_id
        suffix = 2
        while stored_id in by_id:
            stored_id = f"{new_id}-{suffix}"
            suffix += 1
        if stored_id != new_id:
            report.renamed.append((new_id, stored_id))
        items.append({**new, "id": stored_id})
        by_id[stored_id] = len(items) - 1
        if doi:
            by_doi[doi] = len(items) - 1
        if title_key is not None:
            by_title[title_key] = len(items) - 1
        report.added.append(stored_id)
    return report


def import_bibliography(
    collection: Path, data: bytes, path: str, fmt: str | None = None
) -> MergeReport:
    """Merge a bibliography file into a collection's ``bibliography.json``.

    The file is replaced atomically (a temporary file beside it, flushed to disk, then renamed
    over it), so that a failure leaves it as it was; a collection without one gets one.

    Args:
        collection: the collection folder.
        data: the imported file's bytes.
        path: the imported file's path (its extension tells the format when ``fmt`` is None).
        fmt: a name of ``FORMATS``, or None.

    Returns:
        The ``MergeReport``.

    Raises:
        CitationError: the imported file or the collection's ``bibliography.json`` is invalid,
            or the folder does not exist or cannot be written.
    """
    collection = Path(collection)
    if not collection.is_dir():
        raise CitationError(f"{collection}: not a folder; give the collection folder")
    target = collection / "bibliography.json"
    incoming = read_bibliography(data, path, fmt)
    existing = load_bibliography(target.read_bytes(), str(target)) if target.exists() else []
    report = merge_bibliography(existing, incoming)
    text = dump_bibliography(report.items).encode("utf-8")
    try:
        handle, temporary = tempfile.mkstemp(prefix=".bibliography-", dir=collection)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            # mkstemp makes the file private; keep the mode the file had (or the usual one).
            umask = os.umask(0)
            os.umask(umask)
            mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~umask
            os.chmod(temporary, mode)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise CitationError(f"cannot write {target}: {exc}") from exc
    return report
