"""Citations: CSL-JSON records, author-date citations in essays, reference-list entries.

``csl`` loads and validates CSL-JSON bibliographies; ``citations`` finds the citations in an
essay's Markdown and resolves them to bibliography items; ``reference`` formats reference-list
entries as styled runs. The package imports nothing of shiliao's but ``model`` and ``errors``.
"""

from shiliao.cite.citations import Citation, CitedWork, Resolution, find_citations, resolve
from shiliao.cite.csl import anchor_id, creators, family_names, load_bibliography, year
from shiliao.cite.reference import Run, in_text_label, reference_runs, sort_key

__all__ = [
    "Citation",
    "CitedWork",
    "Resolution",
    "Run",
    "anchor_id",
    "creators",
    "family_names",
    "find_citations",
    "in_text_label",
    "load_bibliography",
    "reference_runs",
    "resolve",
    "sort_key",
    "year",
]
