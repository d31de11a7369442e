"""Archived sources as CSL-JSON items, so that they are cited like any bibliography entry.

A source's metadata (``model.Source``: title, EDTF date, CSL type, language, and the sidecar's
``url``, ``creators``, ``publisher``, ``publisher_en``, ``title_en``, ``description``) maps to
CSL-JSON 1.0.2 and shiliao's ``custom`` fields (``record``):

=====================================  ========================================================
source                                 CSL-JSON item
=====================================  ========================================================
``id``, ``title``, ``type``            ``id``, ``title``, ``type`` (``"document"`` when the
                                       type is not a CSL type)
``language``                           ``language`` (left out when ``"und"``)
``date`` (EDTF)                        ``issued``: ``date-parts`` for ``YYYY``, ``YYYY-MM``,
                                       ``YYYY-MM-DD``; ``literal`` for anything else (``195X``)
``url``                                ``URL`` (the original address)
``creators`` with role author (or      ``author``; each ``{"name", "name_en"}`` as
none), editor, translator              ``{"literal": name}`` with ``author-romanized``
                                       ``{"literal": name_en}``
``publisher``, ``publisher_en``        ``publisher``, ``publisher-romanized``; a source with no
                                       author is cited under its publisher, as an
                                       organization that issued a document is (CMOS 15.36,
                                       APA 9.11, GB/T 7714-2015 §8.1.1)
``title_en``                           ``title-translated``
``description``                        ``abstract``
``reliability`` (Admiralty code)       ``note``: ``Reliability (Admiralty code): B2 —
                                       usually reliable; probably true.`` and its note
the archive's copy                     ``archived-url`` (its page on the published site) and
                                       ``archived-date`` (``capture_date``)
=====================================  ========================================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from shiliao.cite.csl import CSL_TYPES
from shiliao.collection.reliability import reliability_meaning
from shiliao.model import Source

__all__ = ["archived_source", "capture_date", "citable_items", "source_item"]

_EDTF_DAY = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_ROLES = ("author", "editor", "translator")


def capture_date(source: Source, first_seen: str | None) -> str | None:
    """When the archived copy of a source was captured, as ``YYYY-MM-DD``.

    Args:
        source: the stored source.
        first_seen: when the archive first stored the source's original (``Catalog.file``'s
            ``first_seen``, UTC ISO 8601), or None.

    Returns:
        The source's own ``captured`` metadata (what a capture recorded, e.g. the time a web
        page was fetched) when present, else the day the original was first stored; None when
        neither is known.
    """
    for value in (source.metadata.get("captured"), first_seen):
        if isinstance(value, str) and (match := re.match(r"\d{4}-\d{2}-\d{2}", value)):
            return match.group()
    return None


def _names(creators: Any, role: str) -> tuple[list[dict[str, str]], list[dict[str, str] | None]]:
    names: list[dict[str, str]] = []
    latin: list[dict[str, str] | None] = []
    for creator in creators if isinstance(creators, list) else [creators]:
        if isinstance(creator, str) and creator.strip():
            # A creator given as a name alone is an author.
            if role == "author":
                names.append({"literal": creator.strip()})
                latin.append(None)
        elif isinstance(creator, Mapping) and str(creator.get("name") or "").strip():
            if str(creator.get("role") or "author") != role:
                continue
            names.append({"literal": str(creator["name"]).strip()})
            english = str(creator.get("name_en") or "").strip()
            latin.append({"literal": english} if english else None)
    return names, latin


def source_item(
    source: Source, *, archived_url: str | None = None, captured: str | None = None
) -> dict[str, Any]:
    """The CSL-JSON item that cites an archived source (the mapping in the module docstring).

    Args:
        source: the stored source.
        archived_url: the absolute address of the source's page on the published site, or
            None when the site's address is not known (``[cite] site_url``).
        captured: the capture date, ``YYYY-MM-DD`` (``capture_date``), or None.

    Returns:
        A CSL-JSON item; ``custom`` is present only when it holds something.
    """
    metadata = source.metadata
    item: dict[str, Any] = {
        "id": source.id,
        "type": source.type if source.type in CSL_TYPES else "document",
        "title": source.title,
    }
    extra: dict[str, Any] = {}
    if source.language and source.language != "und":
        item["language"] = source.language
    if source.date:
        match = _EDTF_DAY.fullmatch(source.date)
        item["issued"] = (
            {"date-parts": [[int(part) for part in match.groups() if part]]}
            if match
            else {"literal": source.date}
        )
    for role in _ROLES:
        names, latin = _names(metadata.get("creators") or [], role)
        if names:
            item[role] = names
            if any(latin):
                extra[f"{role}-romanized"] = latin
    publisher = str(metadata.get("publisher") or "").strip()
    publisher_en = str(metadata.get("publisher_en") or "").strip()
    if publisher:
        item["publisher"] = publisher
        if publisher_en:
            extra["publisher-romanized"] = publisher_en
        if "author" not in item and "editor" not in item:
            item["author"] = [{"literal": publisher}]
            if publisher_en:
                extra["author-romanized"] = [{"literal": publisher_en}]
    if isinstance(metadata.get("url"), str) and metadata["url"].strip():
        item["URL"] = metadata["url"].strip()
    if isinstance(metadata.get("title_en"), str) and metadata["title_en"].strip():
        extra["title-translated"] = metadata["title_en"].strip()
    if isinstance(metadata.get("description"), str) and metadata["description"].strip():
        item["abstract"] = metadata["description"].strip()
    reliability = reliability_meaning(metadata.get("reliability"))
    if reliability:
        note = str(metadata["reliability"].get("note") or "").strip()
        item["note"] = f"Reliability (Admiralty code): {reliability}." + (
            f" {note}" if note else ""
        )
    if archived_url:
        extra["archived-url"] = archived_url
        if captured:
            extra["archived-date"] = captured
    if extra:
        item["custom"] = extra
    return item


def citable_items(
    bibliography: Sequence[dict[str, Any]], sources: Sequence[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Bibliography entries and archived sources' items in one list with unique ids.

    Args:
        bibliography: the archive's CSL-JSON bibliography.
        sources: ``source_item`` values.

    Returns:
        ``(items, warnings)``: the bibliography entries, then every source whose id no entry
        uses and that no entry says it is (``archived: SOURCE-ID``, or the same in ``custom``):
        such an entry is the work, so that ``(Author, 2016)`` names one work, not the entry and
        its source; one warning per source left out because an entry has its id (the entry is
        what ``[@id]`` cites).
    """
    taken = {str(entry["id"]) for entry in bibliography}
    described = {str(archived) for entry in bibliography if (archived := archived_source(entry))}
    items = list(bibliography)
    warnings = []
    for item in sources:
        if str(item["id"]) in taken:
            warnings.append(
                f"bibliography.json: entry {item['id']!r} has the id of an archived source; "
                f"[@{item['id']}] cites the entry, not the source"
            )
        elif str(item["id"]) not in described:
            items.append(item)
    return items, warnings


def archived_source(entry: Mapping[str, Any]) -> str | None:
    """The archived source a bibliography entry says it is: its ``archived`` field, or
    ``custom.archived`` (CSL-JSON's place for fields of one's own), or None."""
    custom = entry.get("custom")
    named = entry.get("archived") or (
        custom.get("archived") if isinstance(custom, Mapping) else None
    )
    return str(named) if isinstance(named, str | int) and str(named) else None
