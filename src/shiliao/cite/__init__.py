"""Citations: CSL-JSON records, three citation styles, import and export, essay citations.

``csl`` loads and validates CSL-JSON bibliographies; ``record`` reads the bilingual fields
shiliao keeps in an item's ``custom`` object; ``reference`` formats reference-list entries and
in-text citations in Chicago author-date, APA 7 and GB/T 7714-2015 (``chicago``, ``apa``,
``gb7714``); ``collation`` sorts names by pinyin as a dictionary does; ``bibtex``, ``ris`` and ``exchange``
read, write and merge bibliography files; ``names`` divides the Chinese names those files give
as one field; ``iri`` writes web addresses as IRIs for reading and URIs for exchange files;
``sources`` makes archived sources citable;
``citations`` finds the citations in an essay's Markdown and resolves them. The package imports nothing of shiliao's
but ``model`` and ``errors``.
"""

from shiliao.cite.citations import Citation, CitedWork, Resolution, find_citations, resolve
from shiliao.cite.collation import name_key, pinyin_key
from shiliao.cite.csl import anchor_id, creators, family_names, load_bibliography, year
from shiliao.cite.exchange import (
    FORMATS,
    import_bibliography,
    merge_bibliography,
    read_bibliography,
    write_bibliography,
)
from shiliao.cite.reference import (
    STYLES,
    FormattedEntry,
    Run,
    format_bibliography,
    in_text,
    plain_text,
    reference_runs,
    sort_key,
    year_suffixes,
)
from shiliao.cite.sources import citable_items, source_item

__all__ = [
    "FORMATS",
    "STYLES",
    "Citation",
    "CitedWork",
    "FormattedEntry",
    "Resolution",
    "Run",
    "anchor_id",
    "citable_items",
    "creators",
    "family_names",
    "find_citations",
    "format_bibliography",
    "import_bibliography",
    "in_text",
    "load_bibliography",
    "merge_bibliography",
    "name_key",
    "pinyin_key",
    "plain_text",
    "read_bibliography",
    "reference_runs",
    "resolve",
    "sort_key",
    "source_item",
    "write_bibliography",
    "year",
    "year_suffixes",
]
