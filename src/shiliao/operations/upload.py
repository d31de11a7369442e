"""Uploads and URL captures written into the collection folder, as a person would copy them in.

The editorial app (and anything else) calls these; the folder stays the single source of truth,
so ``shiliao build`` of it afterwards gives the same archive as if the files had been copied by
hand. Each file goes to ``sources/uploads/<YYYY-MM-DD>/<name>`` (a captured page to
``sources/captures/<YYYY-MM-DD>/<name>.warc.gz`` with its sidecar), written atomically: a hidden
temporary file in the upload folder (the reader skips it), fsync'd, then linked to its name,
which fails instead of replacing a file that is there. Every write happens under the folder's edit lock
(``collection.writing.editing``).

A ZIP, TAR or web archive is saved as one file: the build opens it into a source per member
(``containers``), skipping a bad member (a name climbing out with ``..``, a link) with its
reason while keeping the container's bytes, so nothing uploaded is lost.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import hashlib
import os
import re
import secrets
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

import httpx
import yaml

from shiliao import capture
from shiliao.collection.reader import source_id_for
from shiliao.collection.writing import editing, replace_text
from shiliao.config import load_settings
from shiliao.errors import CaptureError, DiskFull, EditError, UploadRefused

__all__ = ["UploadReport", "capture_url", "save_uploads", "upload_path"]

_CHUNK_BYTES = 1 << 20
_MAX_NAME_BYTES = 255
# C0 controls (NUL included), DEL and C1 controls.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# Bidi embeddings, overrides and isolates, the LRM/RLM marks and the Arabic letter mark: they
# make a name read differently from what it is ("invoice\u202efdp.exe").
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_UNPRINTABLE = re.compile(f"{_CONTROL.pattern}|{_BIDI.pattern}|[\ud800-\udfff]")
_DRIVE = re.compile(r"[A-Za-z]:")
_SIDECAR = re.compile(r"\.ya?ml\Z", re.IGNORECASE)
_TRANSLATION = re.compile(r"\.translation(?:\.|\Z)", re.IGNORECASE)
# Suffixes of two parts that a numbered name keeps whole ("crawl (2).warc.gz"): the media type
# is guessed from them.
_DOUBLE_SUFFIXES = (".tar.gz", ".tar.bz2", ".tar.xz", ".warc.gz", ".arc.gz", ".jsonl.gz")
# Link-failure errnos of file systems without hard links (some network and FUSE mounts).
_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK}
_SLUG_JUNK = re.compile(r"[^a-z0-9.]+")


@dataclass
class UploadReport:
    """What ``save_uploads`` (or ``capture_url``) did with each file, in the order given.

    Attributes:
        saved: ``{"name", "path", "sha256", "bytes"}`` for each file written: the name as
            given, its path relative to the collection folder (POSIX), the SHA-256 of its bytes
            (64 lowercase hex) and its length in bytes; a capture adds ``"sidecar"``, the path
            of the sidecar written beside it.
        duplicates: ``{"name", "same_as"}`` for each file whose bytes the collection's
            ``sources/`` already holds (``same_as``: that file's path relative to the
            collection); nothing was written for it.
        refused: ``{"name", "reason"}`` for each file refused (a bad name, too large, a URL
            that cannot be captured); nothing was written for it.
    """

    saved: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, str]] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)


def _shown(name: str) -> str:
    """``name`` quoted for a message: control and bidi characters and lone surrogates as
    ``\\uXXXX``, and cut to 80 characters."""
    escaped = _UNPRINTABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", name)
    return f'"{escaped if len(escaped) <= 80 else escaped[:79] + "…"}"'


def upload_path(name: str) -> PurePosixPath:
    """The relative path an uploaded file's name gives inside the upload folder.

    The name is NFC-normalised; backslashes are separators, as Windows browsers send them;
    empty and ``.`` parts are dropped (``a//b``, ``./a``). A name with folders
    (``scans/p1.jpg``, from a folder upload) keeps them.

    Args:
        name: the name the client gave (a multipart part's ``filename``).

    Returns:
        A relative path of one or more parts, none empty, ``.`` or ``..``.

    Raises:
        UploadRefused: the name is empty; is longer than 255 bytes in UTF-8; holds a control
            character (C0, NUL included, DEL or C1) or a bidi control (U+202A-202E,
            U+2066-2069, U+200E, U+200F, U+061C); is absolute (``/x``, ``\\\\server\\x``,
            ``C:\\x``, ``C:x``); has a ``..`` part; has a part starting with ``.`` (the reader
            skips hidden files, so it would be silently lost); or would be read as a sidecar
            (``*.yaml``, ``*.yml``) or a translation (``*.translation.*``) instead of a source.
    """
    name = unicodedata.normalize("NFC", name)
    if not name.strip():
        raise UploadRefused("a file without a name is refused; give it a name")
    shown = _shown(name)
    if len(name.encode("utf-8", "surrogatepass")) > _MAX_NAME_BYTES:
        raise UploadRefused(
            f"{shown}: a name longer than {_MAX_NAME_BYTES} bytes (UTF-8) is refused; shorten it"
        )
    if _CONTROL.search(name):
        raise UploadRefused(f"{shown}: a name with a control character is refused; rename it")
    if _BIDI.search(name):
        raise UploadRefused(
            f"{shown}: a name with a bidirectional control character is refused (it can make "
            "the name read as another); rename it"
        )
    if any("\ud800" <= character <= "\udfff" for character in name):
        raise UploadRefused(f"{shown}: a name with a lone surrogate is refused; rename it")
    slashed = name.replace("\\", "/")
    if slashed.startswith("/") or _DRIVE.match(slashed):
        raise UploadRefused(
            f"{shown}: an absolute path (or one with a drive letter) is refused; upload the file by its name"
        )
    parts = [part for part in slashed.split("/") if part not in ("", ".")]
    if not parts:
        raise UploadRefused(f"{shown}: a name that is only separators is refused")
    if ".." in parts:
        raise UploadRefused(f"{shown}: a name with '..' is refused (it leaves the folder)")
    if any(part.startswith(".") for part in parts):
        raise UploadRefused(
            f"{shown}: a hidden name (starting with '.') is refused: the collection's reader "
            "skips hidden files; rename it"
        )
    if _SIDECAR.search(parts[-1]):
        raise UploadRefused(
            f"{shown}: a .yaml file would be read as a sidecar, not a source; edit a source's "
            "metadata in the app instead, or rename it (.yaml.txt)"
        )
    if _TRANSLATION.search(parts[-1]):
        raise UploadRefused(
            f"{shown}: a name with '.translation' would be read as a translation, not a source; "
            "rename it"
        )
    return PurePosixPath(*parts)


def _upload_root(collection_dir: Path, folder: str) -> Path:
    """``collection_dir/folder``, checked to be a plain folder under ``sources/``.

    Raises:
        EditError: ``folder`` is not a relative path under ``sources/`` without ``..`` or
            hidden parts, or a part of it is a symbolic link (the reader would not follow it).
    """
    parts = PurePosixPath(folder).parts
    if (
        not parts
        or parts[0] != "sources"
        or any(part in ("..", "") or part.startswith(".") for part in parts)
    ):
        raise EditError(f"upload folder {folder!r} must be a folder under sources/")
    return _plain_folder(collection_dir, parts)


def _plain_folder(collection_dir: Path, parts: Iterable[str]) -> Path:
    """``collection_dir`` joined with ``parts``, refusing any part that is a symbolic link: the
    reader follows none, so a file under one would never become a source."""
    path = collection_dir
    for part in parts:
        path = path / part
        if path.is_symlink():
            raise EditError(
                f"{path.relative_to(collection_dir)} is a symbolic link; the collection's reader "
                "does not follow links, so nothing is saved under it"
            )
    return path


def _numbered(name: str, number: int) -> str:
    """``name`` with `` (number)`` before its suffix: ``report (2).pdf``, ``crawl (3).warc.gz``."""
    if number == 1:
        return name
    lower = name.lower()
    suffix = next((s for s in _DOUBLE_SUFFIXES if lower.endswith(s) and len(name) > len(s)), None)
    if suffix is None:
        stem, dot, ending = name.rpartition(".")
        suffix = dot + ending if stem else ""
    stem = name[: len(name) - len(suffix)]
    return f"{stem} ({number}){name[len(stem) :]}"


def _new_file_mode() -> int:
    """The permissions a new file gets here, 0666 less the umask (read by setting it, the only
    way, and setting it back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _fsync_folder(folder: Path) -> None:
    # The new name is durable only once its folder's entry is written.
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _place(
    temporary: Path,
    folder: Path,
    name: str,
    also_free: str = "",
    id_taken: Callable[[Path], bool] | None = None,
) -> Path:
    """Give the written ``temporary`` file its name in ``folder`` without replacing any file:
    ``name``, else ``name (2)``, ``name (3)``... (``also_free``, appended to a candidate, must
    be free too: a sidecar's ``.yaml``; ``id_taken`` says whether the source id a candidate
    would get is another file's). ``temporary`` is gone afterwards.

    Raises:
        OSError: the name cannot be made (too long once numbered, a read-only folder).
    """
    folder.mkdir(parents=True, exist_ok=True)
    number = 1
    while True:
        target = folder / _numbered(name, number)
        number += 1
        if also_free and os.path.lexists(str(target) + also_free):
            continue
        if id_taken is not None and id_taken(target):
            continue
        try:
            # A hard link fails when the name is taken, where a rename would replace the file.
            os.link(temporary, target, follow_symlinks=False)
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in _NO_HARD_LINKS:
                raise
            # No hard links here: check, then rename; the edit lock keeps other editors out.
            if os.path.lexists(target):
                continue
            os.replace(temporary, target)
        temporary.unlink(missing_ok=True)
        _fsync_folder(folder)
        return target


class _SourceDigests:
    """The files under ``sources/`` by size, hashed only when a new file has the same size."""

    def __init__(self, collection_dir: Path) -> None:
        self.root = collection_dir
        self.by_size: dict[int, list[Path]] = {}
        self.digests: dict[Path, str] = {}
        # The source ids the files give (``source_id_for``): two names that differ only in
        # case, suffix or punctuation (report.txt, Report.md) give one id, which the reader
        # refuses for the whole collection; an upload is numbered instead.
        self.ids: set[str] = set()
        for folder, folders, files in os.walk(collection_dir / "sources"):
            # Hidden folders and files, and links, are no sources (the reader skips them).
            folders[:] = [f for f in folders if not f.startswith(".")]
            for name in files:
                path = Path(folder) / name
                if name.startswith(".") or _SIDECAR.search(name) or path.is_symlink():
                    continue
                with contextlib.suppress(OSError):
                    self.by_size.setdefault(path.stat().st_size, []).append(path)
                self.ids.add(self.source_id(path))

    def holder(self, sha256: str, size: int) -> Path | None:
        """A source file holding bytes of this digest and size, or None."""
        for path in self.by_size.get(size, []):
            if path not in self.digests:
                try:
                    with path.open("rb") as handle:
                        self.digests[path] = hashlib.file_digest(handle, "sha256").hexdigest()
                except OSError:
                    continue
            if self.digests[path] == sha256:
                return path
        return None

    def source_id(self, path: Path) -> str:
        """The source id the file at ``path`` gets from the reader."""
        return source_id_for(
            unicodedata.normalize("NFC", path.relative_to(self.root / "sources").as_posix())
        )

    def id_taken(self, path: Path) -> bool:
        """Whether a file at ``path`` would get the source id of another file."""
        return self.source_id(path) in self.ids

    def add(self, path: Path, sha256: str, size: int) -> None:
        self.by_size.setdefault(size, []).append(path)
        self.digests[path] = sha256
        self.ids.add(self.source_id(path))


@contextlib.contextmanager
def _temporary(folder: Path) -> Iterator[tuple[Path, BinaryIO]]:
    """A new hidden file in ``folder`` (the reader skips it if a crash leaves it), open for
    writing with the permissions any new file gets (0666 less the umask); removed on leaving
    unless it was placed under its name by then."""
    path = folder / f".upload-{secrets.token_hex(8)}.tmp"
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "wb") as out:
            yield path, out
    finally:
        path.unlink(missing_ok=True)


def _rel(path: Path, collection_dir: Path) -> str:
    return path.relative_to(collection_dir).as_posix()


def save_uploads(
    collection_dir: Path,
    files: Iterable[tuple[str, BinaryIO]],
    *,
    folder: str = "sources/uploads",
    max_bytes: int,
    today: datetime.date | None = None,
) -> UploadReport:
    """Write uploaded files into the collection folder as sources.

    Each file goes to ``collection_dir/folder/<YYYY-MM-DD>/<upload_path(name)>``, streamed in
    chunks of 1 MiB while its bytes are counted and hashed, into a hidden temporary file in
    ``folder`` that is fsync'd and then given its name. A name already taken by other bytes
    gets a number (``report (2).pdf``); no file is ever replaced. Bytes that a file under
    ``sources/`` already holds (same size and SHA-256; hidden files, links and sidecars aside)
    are a duplicate and not written again, files earlier in the same batch included. A refused
    file leaves nothing behind and the batch goes on. All of it happens under the folder's edit
    lock.

    Args:
        collection_dir: the collection folder (it must hold ``sources/``).
        files: ``(name as the client gave it, binary stream of the body)`` in order.
        folder: where uploads go, relative to the collection, under ``sources/``.
        max_bytes: the most bytes one file may have; a larger one is refused.
        today: the day that names the dated folder (default: today, UTC).

    Returns:
        An ``UploadReport``.

    Raises:
        EditError: ``collection_dir`` has no ``sources/`` folder, ``folder`` is not under
            ``sources/``, or a folder on the way is a symbolic link.
        DiskFull: the disk of the collection is full (the file being written is removed; files
            saved before it stay).
        OSError: a file cannot be written for another reason, or a body cannot be read.
    """
    if not (collection_dir / "sources").is_dir():
        raise EditError(f"{collection_dir}: a collection needs a sources/ folder")
    day = (today or datetime.datetime.now(datetime.UTC).date()).isoformat()
    report = UploadReport()
    with editing(collection_dir):
        root = _upload_root(collection_dir, folder)
        root.mkdir(parents=True, exist_ok=True)
        known = _SourceDigests(collection_dir)
        for name, body in files:
            try:
                relative = upload_path(name)
                target_folder = _plain_folder(root, [day, *relative.parts[:-1]])
                _save_one(
                    collection_dir,
                    root,
                    target_folder,
                    relative.name,
                    body,
                    max_bytes,
                    known,
                    report,
                    name,
                )
            except EditError as exc:  # refused, or a symbolic link on its way: this file alone
                report.refused.append({"name": name, "reason": str(exc)})
    return report


def _save_one(
    collection_dir: Path,
    root: Path,
    target_folder: Path,
    file_name: str,
    body: BinaryIO,
    max_bytes: int,
    known: _SourceDigests,
    report: UploadReport,
    name: str,
) -> None:
    """Stream one body into place (``save_uploads``), reporting it in ``report``.

    Raises:
        UploadRefused: the body is larger than ``max_bytes``, or its name too long once
            numbered.
        DiskFull, OSError: as ``save_uploads``.
    """
    digest, size = hashlib.sha256(), 0
    try:
        with _temporary(root) as (temporary, out):
            while chunk := body.read(_CHUNK_BYTES):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadRefused(
                        f"{_shown(name)}: larger than {max_bytes:,} bytes, the most a file may have; "
                        "not saved"
                    )
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            holder = known.holder(sha256, size)
            if holder is not None:
                report.duplicates.append({"name": name, "same_as": _rel(holder, collection_dir)})
                return
            try:
                placed = _place(temporary, target_folder, file_name, id_taken=known.id_taken)
            except (FileExistsError, NotADirectoryError) as exc:
                raise UploadRefused(
                    f"{_shown(name)}: a file of the collection stands where its folder would be; "
                    "rename the folder"
                ) from exc
            except OSError as exc:
                if exc.errno == errno.ENAMETOOLONG:
                    raise UploadRefused(
                        f"{_shown(name)}: the name is too long to save; shorten it"
                    ) from exc
                raise
    except OSError as exc:
        if DiskFull.cause_of(exc):
            raise DiskFull(str(collection_dir), f"the upload {_shown(name)}", size) from exc
        raise
    known.add(placed, sha256, size)
    report.saved.append(
        {"name": name, "path": _rel(placed, collection_dir), "sha256": sha256, "bytes": size}
    )


def _capture_name(url: str) -> str:
    """A file name for a capture of ``url``: its host and path as a slug, ``.warc.gz``."""
    parsed = httpx.URL(url)
    text = parsed.raw_host.decode("ascii", "replace") + "-" + parsed.path
    slug = _SLUG_JUNK.sub("-", text.lower()).strip("-.")[:80].strip("-.")
    return f"{slug or 'capture'}.warc.gz"


def capture_url(
    collection_dir: Path,
    url: str,
    *,
    transport: httpx.BaseTransport | None = None,
    resolver: capture.Resolver | None = None,
    allow_private: bool = False,
    folder: str = "sources/captures",
    today: datetime.date | None = None,
) -> UploadReport:
    """Capture a URL into a WARC file in the collection folder, with a sidecar.

    The page is fetched by ``capture.capture_url``, as ``shiliao add`` fetches it: private and
    loopback addresses refused at every hop unless ``allow_private``, with the time and size
    limits of the collection's ``[capture]`` settings and its ``[archive] agent``. The WARC
    goes to ``collection_dir/folder/<YYYY-MM-DD>/<host-and-path>.warc.gz`` (numbered when the
    name is taken), fetched first into a hidden folder there and only then placed, under the
    folder's edit lock, beside its sidecar ``<name>.warc.gz.yaml``: ``url``, ``captured``
    (RFC 3339, UTC, when the response arrived), ``type: webpage`` and, under ``extra``, the
    ``final_url`` after redirects and the ``http_status``. The capture gives no title: the
    build takes each page's title from its HTML, as for any web archive.

    Args:
        collection_dir: the collection folder (it must hold ``sources/``).
        url: an absolute http or https URL.
        transport, resolver: passed to ``capture.capture_url`` (tests inject them; no network).
        allow_private: let the URL reach loopback and private addresses.
        folder: where captures go, relative to the collection, under ``sources/``.
        today: the day that names the dated folder (default: today, UTC).

    Returns:
        An ``UploadReport``: the WARC in ``saved`` (``name`` is the URL; ``sidecar`` the
        sidecar's path), or the URL in ``refused`` with the reason when it cannot be captured
        or is refused (``CaptureError``, ``UnsafeAddress``); nothing is left of a failed
        capture.

    Raises:
        EditError: ``collection_dir`` has no ``sources/`` folder, ``folder`` is not under
            ``sources/``, or a folder on the way is a symbolic link.
        ConfigError: the collection's ``shiliao.toml`` cannot be read.
        DiskFull: the disk of the collection is full.
        OSError: the WARC or its sidecar cannot be written for another reason.
    """
    if not (collection_dir / "sources").is_dir():
        raise EditError(f"{collection_dir}: a collection needs a sources/ folder")
    settings = load_settings(collection_dir)
    limits = settings.table("capture")
    day = (today or datetime.datetime.now(datetime.UTC).date()).isoformat()
    report = UploadReport()
    root = _upload_root(collection_dir, folder)
    root.mkdir(parents=True, exist_ok=True)
    # Fetched outside the edit lock (it may take the whole timeout), into a hidden folder on
    # the collection's disk, which the reader skips if a crash leaves it.
    incoming = Path(tempfile.mkdtemp(prefix=".capture-", dir=root))
    try:
        try:
            captured = capture.capture_url(
                url,
                transport=transport,
                resolver=resolver,
                allow_private=allow_private,
                timeout_s=float(limits["timeout_s"]),
                max_bytes=int(limits["max_bytes"]),
                agent=str(settings.table("archive")["agent"]),
                temp_dir=incoming,
            )
        except CaptureError as exc:
            report.refused.append({"name": url, "reason": str(exc)})
            return report
        provenance = captured.provenance()
        sidecar = {
            "url": url,
            "captured": provenance["eventDateTime"],
            "type": "webpage",
            "extra": {"final_url": captured.final_url, "http_status": captured.status},
        }
        # capture_url's temporary file is private (0600); the collection's files are not.
        os.chmod(captured.warc_path, _new_file_mode())
        with captured.warc_path.open("rb") as handle:
            os.fsync(handle.fileno())
            sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
            size = handle.tell()
        with editing(collection_dir):
            target_folder = _plain_folder(root, [day])
            placed = _place(captured.warc_path, target_folder, _capture_name(url), ".yaml")
            sidecar_path = placed.with_name(placed.name + ".yaml")
            replace_text(
                sidecar_path,
                yaml.safe_dump(sidecar, allow_unicode=True, sort_keys=False, width=1 << 16),
            )
    except OSError as exc:
        if DiskFull.cause_of(exc):
            raise DiskFull(str(collection_dir), f"the capture of {url}") from exc
        raise
    finally:
        shutil.rmtree(incoming, ignore_errors=True)
    report.saved.append(
        {
            "name": url,
            "path": _rel(placed, collection_dir),
            "sha256": sha256,
            "bytes": size,
            "sidecar": _rel(sidecar_path, collection_dir),
        }
    )
    return report
