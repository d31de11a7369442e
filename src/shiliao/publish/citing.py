"""Citing what an archive holds: its sources and bibliography as CSL-JSON items, and the
"Cite this" block of a source page.

A source is cited with its archived copy: the address of its page on the published site
(``[cite] site_url`` joined with ``urls.SiteUrls.source``) and the date it was captured
(``shiliao.cite.sources.capture_date``), as scholars cite archived web pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from shiliao.cite.exchange import write_bibliography
from shiliao.cite.iri import to_uri
from shiliao.cite.reference import STYLES, in_text, reference_runs
from shiliao.cite.runs import Run
from shiliao.cite.sources import capture_date, citable_items, source_item
from shiliao.model import Source
from shiliao.publish.lang import mark_chinese
from shiliao.publish.urls import SiteUrls
from shiliao.store import Catalog

__all__ = [
    "DOWNLOADS",
    "STYLE_NAMES",
    "CiteThis",
    "archive_items",
    "archived_url",
    "cite_this",
    "runs_html",
    "source_csl",
]

#: The label of each style, as "Cite this" shows it.
STYLE_NAMES = {
    "chicago": "Chicago (17th ed., author-date)",
    "apa": "APA (7th ed.)",
    "gb7714": "GB/T 7714-2015",
}
#: Download formats of "Cite this": (format, file extension, label).
DOWNLOADS = (("bibtex", "bib", "BibTeX"), ("ris", "ris", "RIS"), ("csl-json", "json", "CSL-JSON"))


def archived_url(site_url: str, source_id: str) -> str | None:
    """The absolute address of a source's page on the published site.

    Args:
        site_url: the site's public address (``[cite] site_url``), e.g.
            ``"https://example.org/jieqin/"``; ``""`` when unknown.
        source_id: the source's id.

    Returns:
        ``"https://example.org/jieqin/sources/<id>/"``, or None when ``site_url`` is empty.
    """
    if not site_url.strip():
        return None
    page = SiteUrls({}).source(source_id).removesuffix("index.html")
    return site_url.strip().rstrip("/") + "/" + page


def source_csl(catalog: Catalog, source: Source, site_url: str) -> dict[str, Any]:
    """A source's CSL-JSON item with its archived copy (``cite.sources.source_item``)."""
    record = catalog.file(source.file_sha256)
    return source_item(
        source,
        archived_url=archived_url(site_url, source.id),
        captured=capture_date(source, record["first_seen"] if record else None),
    )


def archive_items(catalog: Catalog, site_url: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Everything an archive can cite: its bibliography, then its sources.

    Args:
        catalog: the archive's database.
        site_url: as for ``archived_url``.

    Returns:
        ``(items, warnings)`` as ``cite.sources.citable_items`` gives them.
    """
    sources = [source_csl(catalog, source, site_url) for source in catalog.sources()]
    return citable_items(catalog.bibliography(), sources)


def runs_html(runs: list[Run], lang: str | None = None) -> Markup:
    """Styled runs as escaped HTML: italics as ``<em>``, addresses as links (shown as the IRI
    the style prints, linked by its ASCII URI, ``cite.iri.to_uri``), Han text marked with its
    ``lang`` (``publish.lang.mark_chinese``)."""
    parts = []
    for run in runs:
        if run.style == "link":
            parts.append(
                Markup('<a href="{}">{}</a>').format(to_uri(run.text), mark_chinese(run.text, lang))
            )
        elif run.style == "italic":
            parts.append(Markup("<em>{}</em>").format(mark_chinese(run.text, lang)))
        else:
            parts.append(mark_chinese(run.text, lang))
    return Markup("").join(parts)


@dataclass(frozen=True)
class CiteThis:
    """What a source page's "Cite this" block shows.

    Attributes:
        styles: ``(style label, reference entry HTML, in-text citation)`` for each style, the
            archive's chosen style first.
        downloads: ``(label, file name)`` of the record's files written beside the page.
        files: ``{file name: text}`` to write beside the page.
    """

    styles: list[tuple[str, Markup, str]]
    downloads: list[tuple[str, str]]
    files: dict[str, str]


def cite_this(item: dict[str, Any], first_style: str = "chicago") -> CiteThis:
    """The "Cite this" block of a source: the three styles and the record's downloads.

    Args:
        item: the source's CSL-JSON item (``source_csl``).
        first_style: the archive's chosen style (``[cite] style``), shown first.

    Returns:
        A ``CiteThis``; its files are named ``cite.bib``, ``cite.ris`` and ``cite.json``.
    """
    order = [first_style, *(style for style in STYLES if style != first_style)]
    lang = str(item.get("language") or "") or None
    styles = [
        (STYLE_NAMES[style], runs_html(reference_runs(item, style), lang), in_text(item, style))
        for style in order
    ]
    files = {
        f"cite.{extension}": write_bibliography([item], fmt) for fmt, extension, _ in DOWNLOADS
    }
    downloads = [(label, f"cite.{extension}") for _, extension, label in DOWNLOADS]
    return CiteThis(styles=styles, downloads=downloads, files=files)
