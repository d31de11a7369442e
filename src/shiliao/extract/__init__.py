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

from shiliao.lazy import exports

# Each name is imported from its submodule when first used (``shiliao.lazy``).
_EXPORTS = {
    "ARCHIVE_MEDIA_TYPES": "unpack",
    "EXTRACTORS": "registry",
    "Extractor": "registry",
    "Limits": "pool",
    "Unpacked": "unpack",
    "extract_bytes_inline": "runner",
    "extract_file": "runner",
    "extract_many": "pool",
    "extractor_for": "registry",
    "register_extractor": "registry",
    "sniff_media_type": "media",
    "split_passages": "passages",
    "unpack_archive": "unpack",
    "unregister_extractor": "registry",
}

__all__ = sorted(_EXPORTS)
__getattr__ = exports(__name__, _EXPORTS)
