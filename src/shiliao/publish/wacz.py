"""Exporting an archive's web captures as a WACZ file (Web Archive Collection Zipped 1.1.1).

A WACZ is a ZIP that replay tools (ReplayWeb.page, pywb) open directly. Layout written here,
after the specification (specs.webrecorder.net/wacz/1.1.1)::

    archive/<n>.warc.gz        each capture's WARC, exactly as stored (stored, not re-compressed)
    indexes/index.cdxj         one CDXJ line per response record: SURT, 14-digit timestamp and a
                               JSON block with url, mime, status, digest, offset, length, filename
    pages/pages.jsonl          a header line, then one page per capture (url, ts, title)
    datapackage.json           every file above with its sha256 and size in bytes (the
                               Frictionless Data Package the format is built on)
    datapackage-digest.json    the sha256 of datapackage.json

The WARC bytes are the archive's originals (the OCFL root keeps them); this is a copy for tools
that replay web archives, not a second record of evidence. Signing (WACZ auth) is not done.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

from shiliao import __version__
from shiliao.errors import PublishError
from shiliao.store import BlobStore, Catalog

__all__ = ["export_wacz"]


def _surt(url: str) -> str:
    """A simple SURT (host reversed, comma-joined, then the path): ``org,example)/page``."""
    parts = urlsplit(url)
    host = ",".join(reversed((parts.hostname or "").split(".")))
    path = parts.path or "/"
    return f"{host}){path}" + (f"?{parts.query}" if parts.query else "")


def _index_lines(data: bytes, filename: str) -> list[str]:
    lines = []
    records = ArchiveIterator(io.BytesIO(data))
    for record in records:
        if record.rec_type != "response":
            continue
        url = record.rec_headers.get_header("WARC-Target-URI")
        date = record.rec_headers.get_header("WARC-Date") or ""
        stamp = "".join(ch for ch in date if ch.isdigit())[:14]
        status = record.http_headers.get_statuscode() if record.http_headers else None
        mime = record.http_headers.get_header("Content-Type", "") if record.http_headers else ""
        digest = record.rec_headers.get_header("WARC-Payload-Digest")
        record.content_stream().read()
        offset = records.get_record_offset()
        length = records.get_record_length()
        block = {
            "url": url,
            "mime": mime.split(";")[0].strip(),
            "status": status,
            "digest": digest,
            "offset": offset,
            "length": length,
            "filename": filename,
        }
        lines.append(f"{_surt(url)} {stamp} {json.dumps(block, ensure_ascii=False)}")
    return lines


def export_wacz(catalog: Catalog, blobs: BlobStore, out: Path) -> int:
    """Write every URL capture of the archive into one WACZ file.

    Args:
        catalog: the archive's database, or its public projection (sources captured from
            URLs); a capture whose WARC ``blobs`` does not offer (a public copy of its text
            stands for it) is left out.
        blobs: the files by SHA-256 (the archive's originals, or the files the projection
            offers).
        out: the ``.wacz`` file to write; replaced atomically.

    Returns:
        The number of captures written.

    Raises:
        PublishError: the archive holds no web capture, or the file cannot be written.
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
    resources, index, pages = [], [], []
    try:
        with tempfile.NamedTemporaryFile(dir=out.parent, suffix=".wacz", delete=False) as temp:
            with zipfile.ZipFile(temp, "w") as bundle:
                for number, source in enumerate(captures, start=1):
                    with blobs.open(source.file_sha256) as f:
                        data = f.read()
                    name = f"archive/{number:05d}.warc.gz"
                    # WARCs are gzipped per record already: store them, so offsets stay valid.
                    bundle.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_STORED)
                    resources.append((name, data))
                    index.extend(_index_lines(data, Path(name).name))
                    captured = source.metadata["captured"]
                    pages.append(
                        {"url": source.metadata["url"], "ts": captured, "title": source.title}
                    )
                texts = {
                    "indexes/index.cdxj": "".join(line + "\n" for line in sorted(index)),
                    "pages/pages.jsonl": json.dumps({"format": "json-pages-1.0", "id": "pages"})
                    + "\n"
                    + "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pages),
                }
                for name, text in texts.items():
                    bundle.writestr(name, text.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)
                    resources.append((name, text.encode("utf-8")))
                package = {
                    "profile": "data-package",
                    "wacz_version": "1.1.1",
                    "software": f"shiliao {__version__}",
                    "created": datetime.now(UTC)
                    .isoformat(timespec="seconds")
                    .replace("+00:00", "Z"),
                    "resources": [
                        {
                            "name": Path(name).name,
                            "path": name,
                            "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                            "bytes": len(data),
                        }
                        for name, data in resources
                    ],
                }
                package_bytes = json.dumps(package, ensure_ascii=False, indent=2).encode("utf-8")
                bundle.writestr("datapackage.json", package_bytes)
                digest = {
                    "path": "datapackage.json",
                    "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest(),
                }
                bundle.writestr("datapackage-digest.json", json.dumps(digest, indent=2))
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp.name, out)
    except OSError as exc:
        Path(temp.name).unlink(missing_ok=True)
        raise PublishError(f"cannot write {out}: {exc}") from exc
    return len(captures)
