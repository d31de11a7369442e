"""What the website says about itself: its title, its description, and what a reader can get.

The title and description come from the collection's ``shiliao.toml`` (``[site] title``,
``[site] description``); where they are not set, from the collection itself (see
``site_title`` and ``site_description``), so that a site built with no settings has a readable
name and a sentence for search engines and link previews, never "shiliao archive".

The counts are of what a reader of this site can get: a source published as a catalogue record
only, or left out of the public projection, is not counted as a readable text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shiliao.config import Settings, load_settings
from shiliao.model import Publication, Source

__all__ = ["ReaderCounts", "site_description", "site_title"]

_FOLDER_WORDS = re.compile(r"[-_.\s]+")
_YEAR = re.compile(r"[\[{]?(?:\.\.)?(\d{4})")


def site_title(settings: Settings) -> str:
    """The site's title.

    Args:
        settings: the merged settings; ``settings.folder`` is the collection folder.

    Returns:
        ``[site] title`` when set; else ``[archive] title`` when the collection's
        ``shiliao.toml`` changed it from the shipped default; else the collection folder's name
        with ``-``, ``_`` and ``.`` as spaces and its first letter in upper case
        (``jieqin-documents`` gives ``Jieqin documents``); else the shipped archive title.
    """
    chosen = str(settings.table("site")["title"]).strip()
    if chosen:
        return chosen
    archive_title = str(settings.table("archive")["title"]).strip()
    shipped = str(load_settings().table("archive")["title"])
    if archive_title and archive_title != shipped:
        return archive_title
    if settings.folder is not None:
        words = _FOLDER_WORDS.sub(" ", settings.folder.name).strip()
        if words:
            return words[0].upper() + words[1:]
    return archive_title or shipped


@dataclass(frozen=True)
class ReaderCounts:
    """What a reader of the site can get, counted over the published sources.

    Attributes:
        with_text: sources whose page shows their text (a passage at least).
        records_only: sources published as a catalogue record only (no text on their page:
            withheld, or none could be read from the file).
        partly_withheld: sources with text published with something withheld (personal data).
        files: files offered for download (originals or public copies), each counted once.
        passages: passages of text published.
        terms: glossary terms.
        sections: sections (essays).
        first_year, last_year: the range of the published sources' dates (years), or None.
    """

    with_text: int
    records_only: int
    partly_withheld: int
    files: int
    passages: int
    terms: int
    sections: int
    first_year: int | None
    last_year: int | None

    @property
    def sources(self) -> int:
        """Every source the site has a page for."""
        return self.with_text + self.records_only

    @classmethod
    def of(
        cls,
        sources: Iterable[Source],
        text_sizes: Mapping[str, int],
        publications: Mapping[str, Publication] | None,
        counts: Mapping[str, int],
        files: int,
    ) -> ReaderCounts:
        """Count a site's sources.

        Args:
            sources: the published sources.
            text_sizes: source id -> characters of its published text
                (``Catalog.source_sizes``).
            publications: source id -> how it is published (None: all in full).
            counts: the published catalog's ``counts()`` (``passages``, ``terms``,
                ``sections``).
            files: the files copied for download.
        """
        with_text = records = withheld = 0
        years: list[int] = []
        for source in sources:
            if text_sizes.get(source.id, 0):
                with_text += 1
            else:
                records += 1
            publication = None if publications is None else publications.get(source.id)
            if publication is not None and publication.level == "redacted":
                withheld += 1
            match = _YEAR.match(source.date or "")
            if match:
                years.append(int(match.group(1)))
        return cls(
            with_text=with_text,
            records_only=records,
            partly_withheld=withheld,
            files=files,
            passages=counts.get("passages", 0),
            terms=counts.get("terms", 0),
            sections=counts.get("sections", 0),
            first_year=min(years) if years else None,
            last_year=max(years) if years else None,
        )


def site_description(settings: Settings, counts: ReaderCounts) -> str:
    """The site's description: ``[site] description``, or a sentence made from ``counts``
    (``"88 primary sources from 1954 to 2025, each kept as captured and shown with its
    text, with a glossary and exact search."``; with the number that have text when not all
    do)."""
    chosen = str(settings.table("site")["description"]).strip()
    if chosen:
        return chosen
    noun = "primary source" if counts.sources == 1 else "primary sources"
    span = ""
    if counts.first_year is not None and counts.last_year is not None:
        span = (
            f" from {counts.first_year}"
            if counts.first_year == counts.last_year
            else f" from {counts.first_year} to {counts.last_year}"
        )
    glossary = "with a glossary and exact search" if counts.terms else "with exact search"
    if counts.with_text == counts.sources:
        return (
            f"{counts.sources} {noun}{span}, each kept as captured and shown with its text, "
            f"{glossary}."
        )
    return (
        f"{counts.sources} {noun}{span} ({counts.with_text} with their text), kept as captured, "
        f"{glossary}."
    )
