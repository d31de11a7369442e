"""What the website shows about the archive's vocabulary, computed once per build.

- ``analyse_terms``: for every glossary term that the sources use, its frequency per year
  (``terminology.glossary_statistics``: the same figures as ``shiliao terms stats``), drawn as
  an inline SVG line chart (``publish.chart``), and its collocates (G², Dunning 1993; the
  archive is segmented once for all terms);
- ``formula_rows``: the ranked formula and slogan candidates (``zh.formulas``) with example
  passages, for the formulas page.

Everything returned is plain data or escaped markup; templates link and escape the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from shiliao.publish.chart import frequency_chart
from shiliao.publish.lang import text_lang
from shiliao.publish.urls import SiteUrls
from shiliao.store import Catalog
from shiliao.terminology import (
    TermStatistics,
    find_archive_candidates,
    glossary_statistics,
    term_collocates,
)
from shiliao.zh.stats import COLLOCATION_MEASURE, Collocate

__all__ = ["COLLOCATION_MEASURE", "TermAnalysis", "analyse_terms", "formula_rows"]


@dataclass(frozen=True)
class TermAnalysis:
    """A glossary term's statistics, chart and collocates.

    Attributes:
        statistics: occurrences per year (every year with text), first and last year.
        chart: the per-year chart as inline SVG (empty markup when the archive has no dated
            text).
        collocates: the words most associated with the term (G²), best first.
        window: words on each side counted for the collocates.
    """

    statistics: TermStatistics
    chart: Markup
    collocates: list[Collocate]
    window: int


def analyse_terms(
    catalog: Catalog, *, collocates: int = 12, window: int = 5
) -> dict[str, TermAnalysis]:
    """Statistics, chart and collocates of every glossary term that some source uses.

    Args:
        catalog: the archive's database.
        collocates: the most collocates per term.
        window: words on each side of an occurrence, for collocates.

    Returns:
        Term -> its ``TermAnalysis``; terms no source mentions are left out.
    """
    statistics = {
        term: stats for term, stats in glossary_statistics(catalog).items() if stats.total
    }
    if not statistics:
        return {}
    found = term_collocates(catalog, list(statistics), window=window, limit=collocates)
    analyses = {}
    for term, stats in statistics.items():
        first = stats.years[0].year if stats.years else None
        last = stats.years[-1].year if stats.years else None
        # English only: the label is an attribute, which cannot carry a lang of its own for
        # Chinese inside it; the page's heading names the term.
        label = "Occurrences per 10,000 characters, by year"
        if first is not None:
            label += f", {first}-{last}"
        analyses[term] = TermAnalysis(
            statistics=stats,
            chart=frequency_chart(stats.years, label),
            collocates=found[term],
            window=window,
        )
    return analyses


def formula_rows(
    catalog: Catalog, urls: SiteUrls, *, limit: int = 100, width: int = 20
) -> list[dict[str, Any]]:
    """The formulas page's rows: candidates ranked best first, with up to three examples.

    Args:
        catalog: the archive's database.
        urls: the site's URLs (term pages, passages).
        limit: the most candidates listed.
        width: characters of context on each side in the examples.

    Returns:
        One dict per candidate: ``text``, ``kinds``, ``count``, ``sources``, ``first_date``,
        ``score``, ``term_url`` (root-relative, when it is a glossary term, else None) and
        ``examples`` (``title``, ``title_lang``, ``date``, ``url``, ``lang``, ``left``,
        ``match``, ``right``).
    """
    candidates = find_archive_candidates(catalog, limit=limit)
    wanted = [example.passage_id for c in candidates for example in c.examples]
    passages = catalog.passages_by_id(wanted)
    sources = {source.id: source for source in catalog.sources()}
    rows = []
    for candidate in candidates:
        examples = []
        for example in candidate.examples:
            passage = passages.get(example.passage_id)
            source = sources.get(example.source_id)
            if passage is None or source is None:
                continue
            text, start, end = passage.text, example.char_start, example.char_end
            left_start = max(0, start - width)
            right_end = min(len(text), end + width)
            examples.append(
                {
                    "title": source.title,
                    "title_lang": text_lang(source.title, source.language),
                    "date": source.date,
                    "url": urls.passage(source.id, passage.paragraph),
                    "lang": text_lang(text, source.language) or source.language,
                    "left": ("…" if left_start > 0 else "") + text[left_start:start],
                    "match": text[start:end],
                    "right": text[end:right_end] + ("…" if right_end < len(text) else ""),
                }
            )
        rows.append(
            {
                "text": candidate.text,
                "kinds": candidate.kinds,
                "count": candidate.count,
                "sources": candidate.sources,
                "first_date": candidate.first_date,
                "score": candidate.score,
                "term_url": urls.term(candidate.text) if candidate.in_glossary else None,
                "search_url": urls.search_for(candidate.text),
                "examples": examples,
            }
        )
    return rows
