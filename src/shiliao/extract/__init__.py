"""Text and structure out of collected files: bytes or a path in, ``Extraction`` out.

One small module per format (``text``, ``markdown``, ``html``, ``pdf``), each with one
``extract_<format>(data, name) -> Extraction`` function; a registry names the extractor of
each media type; ``runner`` runs extractors on untrusted files in a worker process with
limits. This package imports only ``shiliao.model`` and ``shiliao.errors`` of the project and
never writes to the archive.

Example::

    from shiliao.extract import extract_file, split_passages

    extraction = extract_file(Path("sources/notice.html"))
    passages = split_passages("notice", extraction.pages, extraction.method)
"""

from shiliao.extract.media import sniff_media_type
from shiliao.extract.passages import split_passages
from shiliao.extract.registry import (
    EXTRACTORS,
    Extractor,
    extractor_for,
    register_extractor,
    unregister_extractor,
)
from shiliao.extract.runner import extract_bytes_inline, extract_file

__all__ = [
    "EXTRACTORS",
    "Extractor",
    "extract_bytes_inline",
    "extract_file",
    "extractor_for",
    "register_extractor",
    "sniff_media_type",
    "split_passages",
    "unregister_extractor",
]
