"""Text and structure out of collected files: bytes or a path in, ``Extraction`` out.

One small module per format (``text``, ``markdown``, ``html``, ``pdf`` with OCR of scanned
pages, ``image``, ``docx``, ``warc``), each with one ``extract_<format>(data, name) ->
Extraction`` function; a registry names the extractor of each media type; ``runner`` runs
extractors on untrusted files in a worker process with limits; ``pool`` runs many at once,
locally or on Dask; ``unpack`` opens ZIP and TAR archives safely. Every extraction is finished
alike (``finish``: derived text cleaned, language of each page and of the whole), and
``split_passages`` makes passages with their own languages. This package imports only
``shiliao.model`` and ``shiliao.errors`` of the project and never writes to the archive.

Example::

    from shiliao.extract import extract_many, split_passages

    for source_id, found in extract_many(jobs, workers=4):
        if isinstance(found, ExtractError):
            ...  # keep the file, mark it extraction_failed with str(found)
        else:
            passages = split_passages(source_id, found.pages, found.method)
"""

from shiliao.extract.media import sniff_media_type
from shiliao.extract.passages import split_passages
from shiliao.extract.pool import Limits, extract_many
from shiliao.extract.registry import (
    EXTRACTORS,
    Extractor,
    extractor_for,
    register_extractor,
    unregister_extractor,
)
from shiliao.extract.runner import extract_bytes_inline, extract_file
from shiliao.extract.unpack import ARCHIVE_MEDIA_TYPES, Unpacked, unpack_archive

__all__ = [
    "ARCHIVE_MEDIA_TYPES",
    "EXTRACTORS",
    "Extractor",
    "Limits",
    "Unpacked",
    "extract_bytes_inline",
    "extract_file",
    "extract_many",
    "extractor_for",
    "register_extractor",
    "sniff_media_type",
    "split_passages",
    "unpack_archive",
    "unregister_extractor",
]
