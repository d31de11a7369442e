"""Full-text search over passages: exact substring matching for Chinese, on tantivy.

``parse_query`` turns what a user types into a ``Query``; ``PassageIndex`` indexes passages
and answers queries; ``find_spans`` and ``snippet`` show where a query matched in a passage.
All matching goes through ``zh.normalize``, so width, case and Traditional/Simplified forms
match each other.
"""

from __future__ import annotations

from shiliao.search.index import PassageIndex, SearchResult
from shiliao.search.kwic import Kwic, find_spans, format_kwic_plain, snippet
from shiliao.search.query import Query, parse_query

__all__ = [
    "Kwic",
    "PassageIndex",
    "Query",
    "SearchResult",
    "find_spans",
    "format_kwic_plain",
    "parse_query",
    "snippet",
]
