"""``Extraction`` as plain JSON-able data, for the worker's reply and the process pool.

The shape (every key always present)::

    {"pages": [{"number": int, "text": str, "method": str | None, "language": str | None}],
     "method": str, "metadata": {...}, "language": str | None, "documents": [<same shape>]}

Plain data, never pickle, crosses from a worker process: a parser exploited by a crafted file
owns its process, and unpickling what it sends would hand it the reader too.
"""

from __future__ import annotations

from typing import Any

from shiliao.model import Extraction, Page

__all__ = ["extraction_from_data", "extraction_to_data"]


def extraction_to_data(extraction: Extraction) -> dict[str, Any]:
    """An extraction, its documents included, as dicts, lists and strings.

    Args:
        extraction: any extraction; its metadata must already be JSON-able.

    Returns:
        The shape in the module docstring.
    """
    return {
        "pages": [
            {
                "number": page.number,
                "text": page.text,
                "method": page.method,
                "language": page.language,
            }
            for page in extraction.pages
        ],
        "method": extraction.method,
        "metadata": extraction.metadata,
        "language": extraction.language,
        "documents": [extraction_to_data(document) for document in extraction.documents],
    }


def extraction_from_data(data: dict[str, Any]) -> Extraction:
    """Rebuild an extraction from ``extraction_to_data``'s shape.

    Args:
        data: the decoded JSON.

    Returns:
        The extraction (metadata as JSON gave it: tuples come back as lists).

    Raises:
        KeyError, TypeError, ValueError: the data does not have the shape.
    """
    return Extraction(
        pages=[
            Page(
                int(page["number"]),
                str(page["text"]),
                method=_optional_str(page["method"]),
                language=_optional_str(page["language"]),
            )
            for page in data["pages"]
        ],
        method=str(data["method"]),
        metadata=dict(data["metadata"]),
        language=_optional_str(data["language"]),
        documents=[extraction_from_data(document) for document in data["documents"]],
    )


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)
