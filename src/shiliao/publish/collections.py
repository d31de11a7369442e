"""Collections: the groups of sources a curator names, each with its page on the site.

A source's collections are its ``metadata["collection"]`` (or ``"collections"``), one id or a
list (``search.facets.facets_of``), so a source can be in several. A collection is introduced
by an essay whose front matter says ``introduces: <id>`` (one id or a list): the essay's title
becomes the collection's title (the id when no essay introduces it) and the lead of its body
the collection's introduction. An essay whose front matter says ``collection: <id>`` (one or a
list) is linked from that collection's page; the essay's own page links back (``section.py``).
Only collections that hold a published source have a page, so a public site never names a
collection of team sources alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from markdown_it import MarkdownIt

from shiliao.edtf import date_sort_key, year_span
from shiliao.model import Section, Source
from shiliao.search.facets import facets_of
from shiliao.zh.pinyin import pinyin_sort_key

__all__ = ["SourceCollection", "collections_of", "front_matter_ids", "lead_of"]

# The essays' plain-text figure captions (section.py): not a lead.
_FIGURE_CAPTION = re.compile(r"^\s*Figure\s+\d+\s*[:.]", re.IGNORECASE)
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


@dataclass
class SourceCollection:
    """One collection and what its page shows.

    Attributes:
        id: the id the sources give.
        title: the introducing essay's title, else the id.
        sources: its published sources, by date (undated last).
        introduction: the essay that introduces it, or None.
        lead: the first paragraph of that essay's body as plain text, or "".
        sections: the other essays whose front matter names it (``collection:``), by path.
        first_year: the earliest year its dated sources can fall in, or None.
        last_year: the latest, or None.
    """

    id: str
    title: str
    sources: list[Source]
    introduction: Section | None = None
    lead: str = ""
    sections: list[Section] = field(default_factory=list)
    first_year: int | None = None
    last_year: int | None = None


def front_matter_ids(value: object) -> list[str]:
    """The collection ids of a front-matter field: one string or a list of them (others are
    ignored); each once, in order."""
    items = value if isinstance(value, list | tuple) else [value]
    return list(dict.fromkeys(str(v).strip() for v in items if isinstance(v, str) and v.strip()))


def lead_of(body: str) -> str:
    """The lead of an essay: the text of its first paragraph that is not a figure.

    The Markdown is parsed as CommonMark (``markdown-it``, raw HTML off); link text is kept,
    link targets and markup are dropped, so the lead is plain text to escape. A paragraph that
    is only an image, or starts ``Figure N:``, is skipped.

    Args:
        body: the essay's Markdown body, without front matter.

    Returns:
        The text, with line breaks as spaces; "" when the body has no such paragraph.
    """
    tokens = _MARKDOWN.parse(body)
    for opening, inline in pairwise(tokens):
        if opening.type != "paragraph_open" or inline.type != "inline":
            continue
        parts = []
        for child in inline.children or []:
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
        text = " ".join("".join(parts).split())
        if text and not _FIGURE_CAPTION.match(text):
            return text
    return ""


def collections_of(
    sources: Sequence[Source], sections: Iterable[Section]
) -> tuple[list[SourceCollection], list[str]]:
    """Every collection with a published source, with its introduction and linked essays.

    Args:
        sources: the published sources.
        sections: the essays.

    Returns:
        ``(collections, warnings)``: collections in pinyin order of their titles; warnings
        for an essay that introduces a collection no published source is in, and for a second
        essay introducing one already introduced (the first, by path, is its introduction).
    """
    members: dict[str, list[Source]] = {}
    for source in sources:
        for collection_id in facets_of(source).collections:
            members.setdefault(collection_id, []).append(source)
    warnings: list[str] = []
    introductions: dict[str, Section] = {}
    linked: dict[str, list[Section]] = {}
    for section in sorted(sections, key=lambda s: s.path):
        for collection_id in front_matter_ids(section.front_matter.get("introduces")):
            if collection_id not in members:
                warnings.append(
                    f"{section.path}: introduces the collection {collection_id!r}, which no "
                    "published source belongs to (sources name theirs with `collection:`)"
                )
            elif collection_id in introductions:
                warnings.append(
                    f"{section.path}: introduces the collection {collection_id!r}, already "
                    f"introduced by {introductions[collection_id].path}"
                )
            else:
                introductions[collection_id] = section
        for collection_id in front_matter_ids(section.front_matter.get("collection")):
            linked.setdefault(collection_id, []).append(section)
    collections = []
    for collection_id, found in members.items():
        introduction = introductions.get(collection_id)
        spans = [span for span in (year_span(s.date) for s in found) if span]
        collections.append(
            SourceCollection(
                id=collection_id,
                title=str(introduction.front_matter.get("title") or introduction.id)
                if introduction
                else collection_id,
                sources=sorted(found, key=lambda s: (date_sort_key(s.date), s.title, s.id)),
                introduction=introduction,
                lead=lead_of(introduction.body) if introduction else "",
                sections=[s for s in linked.get(collection_id, []) if s is not introduction],
                first_year=min((s[0] for s in spans), default=None),
                last_year=max((s[1] for s in spans), default=None),
            )
        )
    collections.sort(key=lambda c: (pinyin_sort_key(c.title), c.id))
    return collections, warnings
