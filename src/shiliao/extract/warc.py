"""Web archives: WARC (ISO 28500), plain or gzip per record, and WACZ; every captured HTML page
becomes a document of its own.

warcio (Apache-2.0) reads the records. Each ``response`` or ``resource`` record with a 2xx
status (or none, for a resource) whose payload is HTML (by its ``Content-Type``, else by its
first bytes) is extracted as a web page (``html.extract_html``, with the HTTP charset as the
declared one) into one entry of ``Extraction.documents``, with the page's URL and capture time.
Requests, metadata, revisits (which repeat an earlier payload) and other media are counted,
not extracted.

A web archive cut off in the middle of a record must not lose records silently, as warcio
does for a truncated gzip member (warcio #138): the records are checked to reach the end of
the file (an uncompressed record whose payload is shorter than its ``Content-Length``, a last
gzip member that ends early, or a read error all count as a cut), and the cut is reported with
the offset of the last complete record (reliability.md I-warc-truncated).

WACZ 1.1 (webrecorder's specification) is a ZIP whose ``archive/`` folder holds the WARC
files; each is read in turn, its documents carrying ``warc_file``.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import IO, Any

from shiliao.errors import ExtractError, ExtractionLimit
from shiliao.extract.decode import MAX_TEXT_BYTES
from shiliao.extract.html import extract_html
from shiliao.extract.media import SNIFF_BYTES, sniff_media_type
from shiliao.model import Extraction

__all__ = ["MAX_DOCUMENTS", "MAX_WACZ_BYTES", "extract_wacz", "extract_warc"]

MAX_DOCUMENTS = 50_000
"""The most web pages taken from one archive file."""

MAX_WACZ_BYTES = 8 * 1024**3
"""The most bytes a WACZ's WARC files may declare in all, uncompressed."""

# warcio counts the two CRLF that end a record as the start of the next one, so an intact
# uncompressed file ends this many bytes after its last record as warcio measures it.
_RECORD_SEPARATOR_BYTES = 4
_DRAIN_CHUNK_BYTES = 1024 * 1024
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_PAGE_RECORDS = frozenset({"response", "resource"})


@dataclass
class _Scan:
    """What reading one WARC stream found."""

    documents: list[Extraction] = field(default_factory=list)
    records: int = 0
    last_good_offset: int | None = None
    cut: str | None = None


def extract_warc(data: bytes, name: str) -> Extraction:
    """Extract every HTML page captured in a WARC file.

    Args:
        data: the file's bytes (``.warc`` or ``.warc.gz``).
        name: the file's name, used in messages.

    Returns:
        An extraction with no pages of its own, method ``"warc"``; ``documents`` holds one
        extraction per HTML page (method ``"html"``, see ``html.extract_html``) whose metadata
        adds ``url`` (WARC-Target-URI), ``warc_date`` (WARC-Date as written, ISO 8601 UTC),
        ``warc_record_id``, ``warc_offset`` (the record's byte offset in the file),
        ``payload_sha256`` (SHA-256 of the HTTP body, after dechunking and decoding) and
        ``http_status`` (when the record has HTTP headers). Metadata of the archive:
        ``warc_records`` (records read) and ``warc_pages``; when the file is cut off,
        ``truncated`` ``{"last_good_offset": int | None, "reason": str}``, a line in
        ``warnings`` and ``needs_review: True``.

    Raises:
        ExtractionLimit: more than ``MAX_DOCUMENTS`` pages.
        ExtractError: not a WARC file: not even its first record can be read.
    """
    gzipped = data.startswith(b"\x1f\x8b")
    scan = _scan(io.BytesIO(data), len(data), name, gzipped=gzipped)
    if gzipped and scan.cut is None and scan.last_good_offset is not None:
        # warcio stops reading a member once its record is complete and never checks the
        # 8-byte gzip trailer (CRC-32, size) after it, so a cut there is found here.
        last = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            last.decompress(data[scan.last_good_offset :])
        except zlib.error as exc:
            scan.cut = f"the gzip member at offset {scan.last_good_offset} is damaged ({exc})"
        else:
            if not last.eof:
                scan.cut = (
                    f"the gzip member at offset {scan.last_good_offset} ends before its trailer"
                )
    return _archive_extraction(scan, name, "warc")


def extract_wacz(data: bytes, name: str) -> Extraction:
    """Extract every HTML page of every WARC file in a WACZ package.

    Args:
        data: the file's bytes (a ZIP).
        name: the file's name, used in messages.

    Returns:
        As ``extract_warc``, method ``"wacz"``; each document's metadata adds ``warc_file``
        (the member's path, e.g. ``"archive/data.warc.gz"``), ``warc_offset`` is into that
        member, and ``truncated`` (when any member is cut) names the member in ``reason``.

    Raises:
        ExtractionLimit: the WARC members declare more than ``MAX_WACZ_BYTES``, or hold more
            than ``MAX_DOCUMENTS`` pages in all.
        ExtractError: not a ZIP file, or no ``archive/*.warc[.gz]`` member.
    """
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError) as exc:
        # ValueError: a member name flagged UTF-8 that is not; NotImplementedError: a ZIP
        # version zipfile does not read.
        raise ExtractError(f"{name}: not a WACZ (ZIP) file ({exc})") from exc
    with package:
        members = [
            member
            for member in package.infolist()
            if member.filename.startswith("archive/")
            and member.filename.endswith((".warc", ".warc.gz"))
        ]
        if not members:
            raise ExtractError(f"{name}: a WACZ without archive/*.warc files")
        declared = sum(member.file_size for member in members)
        if declared > MAX_WACZ_BYTES:
            raise ExtractionLimit(f"{name}: WARC members declare {declared} bytes")
        total = _Scan()
        for member in members:
            try:
                with package.open(member) as stream:
                    scan = _scan(
                        stream,
                        member.file_size,
                        f"{name}/{member.filename}",
                        gzipped=member.filename.endswith(".gz"),
                        already=len(total.documents),
                    )
            except (zipfile.BadZipFile, ValueError, NotImplementedError, RuntimeError) as exc:
                # The member itself is damaged (its header, its offset), compressed in a way
                # zipfile cannot read, or encrypted: cut off before its first record.
                scan = _Scan(cut=f"cannot be opened ({type(exc).__name__}: {exc})")
            for document in scan.documents:
                document.metadata["warc_file"] = member.filename
            total.documents += scan.documents
            total.records += scan.records
            if scan.cut is not None and total.cut is None:
                total.cut = f"{member.filename}: {scan.cut}"
                total.last_good_offset = scan.last_good_offset
    return _archive_extraction(total, name, "wacz")


def _archive_extraction(scan: _Scan, name: str, method: str) -> Extraction:
    metadata: dict[str, Any] = {"warc_records": scan.records, "warc_pages": len(scan.documents)}
    if scan.cut is not None:
        metadata["truncated"] = {"last_good_offset": scan.last_good_offset, "reason": scan.cut}
        metadata["warnings"] = [f"{name} is cut off: {scan.cut}"]
        metadata["needs_review"] = True
    return Extraction(pages=[], method=method, metadata=metadata, documents=scan.documents)


def _scan(stream: IO[bytes], size: int, name: str, *, gzipped: bool, already: int = 0) -> _Scan:
    """Read every record of one WARC stream of ``size`` bytes (see the module docstring)."""
    # Imported here: only web archives need warcio.
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    scan = _Scan()
    records = ArchiveIterator(stream)
    end = 0
    try:
        for record in records:
            document = _page(record, name)
            # Only now: warcio reads the record to its end to tell its offset and length.
            offset = records.get_record_offset()
            if record.raw_stream.limit > 0:
                scan.cut = (
                    f"the record at offset {offset} has {record.raw_stream.limit} bytes fewer "
                    "than its Content-Length"
                )
                break
            end = offset + records.get_record_length()
            scan.records += 1
            scan.last_good_offset = offset
            if document is not None:
                if already + len(scan.documents) >= MAX_DOCUMENTS:
                    raise ExtractionLimit(f"{name}: more than {MAX_DOCUMENTS} web pages")
                document.metadata["warc_offset"] = offset
                scan.documents.append(document)
    except (
        ArchiveLoadFailed,
        zlib.error,
        EOFError,
        ValueError,
        AttributeError,
        zipfile.BadZipFile,
        OSError,
        OverflowError,
    ) as exc:
        # warcio fails on a cut gzip member with whatever its reader meets (AttributeError on
        # a None header line included); a WACZ member's stream fails its CRC check at its end
        # (BadZipFile) or its LZMA or bzip2 data (OSError; the stream is in memory, no disk);
        # a Content-Length past 2**63 overflows its reader's readline (OverflowError).
        if scan.records == 0:
            raise ExtractError(f"{name}: not a readable WARC file ({exc})") from exc
        scan.cut = f"unreadable after byte {end} ({type(exc).__name__}: {exc})"
    # A gzip member holds its record's separator; a plain file ends with it after the last.
    if scan.cut is None and size - end > (0 if gzipped else _RECORD_SEPARATOR_BYTES):
        scan.cut = f"{size - end} bytes after byte {end} are no complete record"
    return scan


def _page(record: Any, name: str) -> Extraction | None:
    """Read the record's payload to its end; extract it when it is an HTML page."""
    payload_stream = record.content_stream()
    if record.rec_type not in _PAGE_RECORDS:
        _drain(payload_stream)
        return None
    status = record.http_headers.get_statuscode() if record.http_headers else None
    content_type = (
        record.http_headers.get_header("Content-Type")
        if record.http_headers
        else record.rec_headers.get_header("Content-Type")
    ) or ""
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    media_type, charset = _content_type(content_type)
    if status is not None and not status.startswith("2"):
        _drain(payload_stream)
        return None
    payload = payload_stream.read(MAX_TEXT_BYTES + 1)
    digest = hashlib.sha256(payload)
    _drain(payload_stream, digest)
    if media_type not in _HTML_TYPES:
        media_type = sniff_media_type(payload[:SNIFF_BYTES], url.partition("?")[0])
    if media_type not in _HTML_TYPES:
        return None
    page = extract_html(payload, url or name, declared_charset=charset)
    page.metadata |= {
        "url": url,
        "warc_date": record.rec_headers.get_header("WARC-Date"),
        "warc_record_id": record.rec_headers.get_header("WARC-Record-ID"),
        "payload_sha256": digest.hexdigest(),
    }
    if status is not None:
        page.metadata["http_status"] = int(status)
    return page


def _drain(stream: IO[bytes], digest: Any = None) -> None:
    """Read a payload to its end in pieces (a record may hold a video of gigabytes), feeding
    them to ``digest`` (a ``hashlib`` object) when one is given."""
    while chunk := stream.read(_DRAIN_CHUNK_BYTES):
        if digest is not None:
            digest.update(chunk)


def _content_type(value: str) -> tuple[str, str | None]:
    """The media type and charset parameter of a ``Content-Type`` value (RFC 9110, 8.3)."""
    media_type, _, parameters = value.partition(";")
    charset = None
    for parameter in parameters.split(";"):
        key, _, found = parameter.partition("=")
        if key.strip().lower() == "charset" and found.strip().strip('"'):
            charset = found.strip().strip('"')
    return media_type.strip().lower(), charset
