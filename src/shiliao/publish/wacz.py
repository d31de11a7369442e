"""Exporting an archive's web captures as a WACZ file (Web Archive Collection Zipped 1.1.1).

A WACZ is a ZIP that replay tools (ReplayWeb.page, pywb) open directly. Layout written here,
after the specification (specs.webrecorder.net/wacz/1.1.1)::

    archive/<n>.warc.gz        each captured WARC file once, gzipped record by record (below);
                               stored in the ZIP, not compressed again
    indexes/index.cdxj         one CDXJ line per response record, sorted: SURT, 14-digit
                               timestamp and a JSON block with url, mime, status, digest, and
                               the offset and length in bytes of the record's gzip member
    pages/pages.jsonl          the header line ``PAGES_HEADER``, then one page per capture
                               (id, url, ts, title)
    datapackage.json           every file above with its sha256 and size in bytes (the
                               Frictionless Data Package the format is built on)
    datapackage-digest.json    the sha256 of datapackage.json

A replay tool reads one record by its offset and length, so each record must be its own gzip
member (WARC 1.1, Annex D). A WARC stored that way is copied byte for byte. Any other (a plain
WARC, or one gzipped whole) is gzipped again record by record: once decompressed its bytes are
the original's exactly, but the ``.warc.gz`` file is not, and neither is its sha256 in
``datapackage.json``. A gzipped WARC cut short (its last member ends early) is refused.

The records are the archive's originals (the OCFL root keeps them); this is a copy for tools
that replay web archives, not a second record of evidence. Signing (WACZ auth) is not done.
The tests check each export with Webrecorder's reference validator (``wacz validate``).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import IO, Any, BinaryIO
from urllib.parse import parse_qsl, urlencode, urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from shiliao import __version__
from shiliao.errors import PublishError
from shiliao.model import Source
from shiliao.store import BlobStore, Catalog

__all__ = ["PAGES_HEADER", "export_wacz"]

PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
"""The first line of ``pages/pages.jsonl`` (WACZ 1.1.1, "pages.jsonl")."""

_GZIP_MAGIC = b"\x1f\x8b"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_CHUNK_BYTES = 1 << 20
# What warcio and gzip raise on a WARC that is cut off, gzipped whole, or not a WARC.
_UNREADABLE = (ArchiveLoadFailed, EOFError, zlib.error, gzip.BadGzipFile)

_Key = tuple[str, str, dict[str, Any]]


def _surt(url: str) -> str:
    """The SURT key replay tools look a URL up by (pywb, wabac.js): lower case, a leading
    ``www.`` dropped, host labels reversed and comma-joined, a port other than the scheme's
    default kept, query arguments sorted: ``http://www.Example.org:8080/p?b=1&a=2`` ->
    ``org,example:8080)/p?a=2&b=1``."""
    parts = urlsplit(url.strip().lower())
    host = re.sub(r"^www\d*\.", "", parts.hostname or "")
    key = ",".join(reversed(host.split(".")))
    if parts.port and parts.port != _DEFAULT_PORTS.get(parts.scheme):
        key += f":{parts.port}"
    key += ")" + (parts.path or "/")
    if parts.query:
        key += "?" + urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return key


def _key(record: Any) -> _Key | None:
    """``(SURT, 14-digit timestamp, JSON block less offset, length and filename)`` of a
    response record; None for any other record."""
    if record.rec_type != "response":
        return None
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    date = record.rec_headers.get_header("WARC-Date") or ""
    http = record.http_headers
    block = {
        "url": url,
        "mime": (http.get_header("Content-Type", "") if http else "").split(";")[0].strip(),
        "status": http.get_statuscode() if http else None,
        "digest": record.rec_headers.get_header("WARC-Payload-Digest"),
    }
    return _surt(url), "".join(ch for ch in date if ch.isdigit())[:14], block


def _cdxj_line(key: _Key, offset: int, length: int, filename: str) -> str:
    surt, stamp, block = key
    block = {**block, "offset": offset, "length": length, "filename": filename}
    return f"{surt} {stamp} {json.dumps(block, ensure_ascii=False)}"


def _records(handle: BinaryIO) -> Iterator[tuple[_Key | None, int, int]]:
    """Each record of the WARC read from ``handle``: its key (None unless a response), offset
    and length in bytes (of its gzip member when the WARC is gzipped record by record)."""
    records = ArchiveIterator(handle)
    for record in records:
        key = _key(record)
        yield key, records.get_record_offset(), records.get_record_length()


def _gzip_member(source: IO[bytes], size: int | None, emit: Callable[[bytes], None]) -> None:
    """Copy ``size`` bytes of ``source`` (all that is left when None) as one gzip member."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    left = size
    while left is None or left > 0:
        chunk = source.read(_CHUNK_BYTES if left is None else min(_CHUNK_BYTES, left))
        if not chunk:
            break
        if left is not None:
            left -= len(chunk)
        emit(compressor.compress(chunk))
    emit(compressor.flush())
    if left:
        raise EOFError(f"{left} bytes of a record are missing")


def _gunzips_whole(open_file: Callable[[], BinaryIO]) -> bool:
    """Whether every gzip member of a file decompresses to its end: warcio does not notice
    a last member cut short (warcio #138), a WACZ validator does."""
    try:
        with open_file() as handle, gzip.GzipFile(fileobj=handle) as members:
            while members.read(_CHUNK_BYTES):
                pass
    except _UNREADABLE:
        return False
    return True


def _write_warc(
    open_file: Callable[[], BinaryIO], out: IO[bytes], filename: str, label: str
) -> tuple[list[str], str, int]:
    """Write one WARC to ``out`` gzipped record by record: copied when it already is, else
    gzipped again (plain, or gzipped whole); and index its responses. A plain WARC whose last
    record is cut short is copied as it is; a gzipped one is refused, since its last member
    cannot be decompressed.

    Args:
        open_file: opens the WARC for reading, from its start, each time it is called.
        out: where the ``.warc.gz`` is written.
        filename: its name in ``archive/``, for the CDXJ lines.
        label: the WARC's name in the archive, for messages.

    Returns:
        ``(CDXJ lines, sha256 hex of the bytes written, number of bytes written)``.

    Raises:
        PublishError: it cannot be read as a WARC (cut off, not a WARC).
    """
    sha256, written, lines = hashlib.sha256(), 0, []

    def emit(data: bytes) -> None:
        nonlocal written
        out.write(data)
        sha256.update(data)
        written += len(data)

    with open_file() as handle:
        gzipped = handle.read(2) == _GZIP_MAGIC
    # warcio reads a gzip stream that ends early as if the WARC ended there.
    if gzipped and not _gunzips_whole(open_file):
        raise _unreadable(label, "its gzip data ends early")
    try:
        if gzipped:
            try:
                with open_file() as handle:
                    found = [(k, o, n) for k, o, n in _records(handle) if k]
            except _UNREADABLE:
                found = None
            if found is not None:
                lines = [_cdxj_line(k, o, n, filename) for k, o, n in found]
                with open_file() as handle:
                    while chunk := handle.read(_CHUNK_BYTES):
                        emit(chunk)
                return lines, sha256.hexdigest(), written
        with open_file() as first, open_file() as second:
            # warcio finds where each record starts in the decompressed bytes; the second
            # reader copies from there to the next start into one member, so the members
            # decompress to the original exactly (a record's closing blank lines stay with it).
            reader = gzip.GzipFile(fileobj=first) if gzipped else first
            copier = gzip.GzipFile(fileobj=second) if gzipped else second

            def member(key: _Key | None, size: int | None) -> None:
                start = written
                _gzip_member(copier, size, emit)
                if key:
                    lines.append(_cdxj_line(key, start, written - start, filename))

            copied, pending, started = 0, None, False
            for key, offset, _length in _records(reader):
                if started:
                    member(pending, offset - copied)
                    copied = offset
                pending, started = key, True
            if not started:
                raise _unreadable(label, "no WARC record found")
            member(pending, None)
    except _UNREADABLE as exc:
        raise _unreadable(label, str(exc)) from exc
    return lines, sha256.hexdigest(), written


def _unreadable(label: str, reason: str) -> PublishError:
    return PublishError(
        f"the web archive {label} cannot be read to its end ({reason}): a WACZ holds whole "
        "WARC files, so no WACZ can be made while the collection holds it"
    )


def export_wacz(catalog: Catalog, blobs: BlobStore, out: Path) -> int:
    """Write every URL capture of the archive into one WACZ file (WACZ 1.1.1).

    Args:
        catalog: the archive's database, or its public projection (sources captured from
            URLs); a capture whose WARC ``blobs`` does not offer (a public copy of its text
            stands for it) is left out.
        blobs: the files by SHA-256 (the archive's originals, or the files the projection
            offers).
        out: the ``.wacz`` file to write; replaced atomically.

    Returns:
        The number of captures written (pages in ``pages/pages.jsonl``; the pages of one WARC
        share its one copy in ``archive/``).

    Raises:
        PublishError: the archive holds no web capture, a WARC cannot be read as one, or the
            file cannot be written.
    """
    captures = [
        s
        for s in catalog.sources()
        if s.type == "webpage"
        and "captured" in s.metadata
        and blobs.exists(s.file_sha256)
        and (catalog.file(s.file_sha256) or {}).get("media_type") == "application/warc"
    ]
    if not captures:
        raise PublishError("the archive holds no web capture (`shiliao add ARCHIVE URL` makes one)")
    out = Path(out).absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor, temp = tempfile.mkstemp(dir=out.parent, suffix=".wacz")
    except OSError as exc:
        raise PublishError(f"cannot write {out}: {exc}") from exc
    try:
        with open(descriptor, "wb") as handle:
            with zipfile.ZipFile(handle, "w") as bundle:
                resources = _write_contents(bundle, catalog, blobs, captures)
                package = {
                    "profile": "data-package",
                    "wacz_version": "1.1.1",
                    "software": f"shiliao {__version__}",
                    "created": datetime.now(UTC)
                    .isoformat(timespec="seconds")
                    .replace("+00:00", "Z"),
                    "resources": [
                        {"name": Path(path).name, "path": path, "hash": f"sha256:{h}", "bytes": n}
                        for path, h, n in resources
                    ],
                }
                package_bytes = json.dumps(package, ensure_ascii=False, indent=2).encode("utf-8")
                bundle.writestr("datapackage.json", package_bytes)
                digest = {
                    "path": "datapackage.json",
                    "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest(),
                }
                bundle.writestr("datapackage-digest.json", json.dumps(digest, indent=2))
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); a WACZ is meant to be read by others.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, out)
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise PublishError(f"cannot write {out}: {exc}") from exc
        raise
    return len(captures)


def _write_contents(
    bundle: zipfile.ZipFile, catalog: Catalog, blobs: BlobStore, captures: list[Source]
) -> list[tuple[str, str, int]]:
    """Write ``archive/``, ``indexes/`` and ``pages/`` into ``bundle``; returns each file's
    ``(path, sha256 hex, bytes)``."""
    resources, index, names = [], [], {}
    for source in captures:
        sha256 = source.file_sha256
        if sha256 in names:
            continue
        names[sha256] = f"archive/{len(names) + 1:05d}.warc.gz"
        entry = zipfile.ZipInfo(names[sha256])
        # Already gzipped: stored, so offsets into it stay valid (WACZ 1.1.1, "Zip Compression").
        entry.compress_type = zipfile.ZIP_STORED
        # ZIP64 must be chosen before a streamed entry is written, and the size of a WARC
        # gzipped again is known only once it is (WACZ allows ZIP64).
        with bundle.open(entry, "w", force_zip64=True) as stream:
            lines, digest, written = _write_warc(
                partial(blobs.open, sha256),
                stream,
                Path(names[sha256]).name,
                (catalog.file(sha256) or {}).get("original_name") or sha256,
            )
        index.extend(lines)
        resources.append((names[sha256], digest, written))
    pages = [
        {
            "id": source.id,
            "url": source.metadata["url"],
            "ts": source.metadata["captured"],
            "title": source.title,
        }
        for source in captures
    ]
    texts = {
        "indexes/index.cdxj": "".join(line + "\n" for line in sorted(index)),
        "pages/pages.jsonl": "".join(
            json.dumps(line, ensure_ascii=False) + "\n" for line in [PAGES_HEADER, *pages]
        ),
    }
    for path, text in texts.items():
        data = text.encode("utf-8")
        bundle.writestr(path, data, compress_type=zipfile.ZIP_DEFLATED)
        resources.append((path, hashlib.sha256(data).hexdigest(), len(data)))
    return resources
