"""Unpacking ZIP and TAR archives (and single gzip files) that collectors bring in, safely.

An archive's member names, types and sizes are written by whoever made it, so
(reliability.md I-zip-bomb, I-zip-slip, I-archive-symlink):

- no name from the archive is ever used as a path: each member is written to a fresh,
  numbered file (``000001.pdf``) inside a new folder under the caller's staging folder, and
  its name is only reported. Names that would escape a folder anyway, absolute (``/etc``,
  ``\\\\server``), with a drive letter (``C:``), with a ``..`` segment, empty, or with NUL,
  are refused, as are a second member of the same name (the "symlink, then file of the same
  name" trick);
- links (symbolic and hard), devices and FIFOs are never created; TAR members also pass
  ``tarfile.data_filter`` (PEP 706's ``filter="data"``) before anything is read;
- sizes are counted on the bytes actually decompressed, never taken from a header (ZIP's
  central directory and TAR headers are the attacker's to write); past ``max_member_bytes``
  for one member, ``max_total_bytes`` in all, or ``max_members`` members, unpacking stops with
  ``ExtractionLimit`` and the folder is removed with everything written to it;
- archives inside the archive are unpacked in turn, to ``max_depth`` levels; deeper is refused
  (a quine or a nested bomb).

Everything is streamed in 1 MiB pieces, so memory stays small whatever the archive holds;
only the standard library's ``zipfile``, ``tarfile`` and ``gzip`` read it. ``unpack_in_worker``
runs the same unpacking in a worker process (``python -P -m shiliao.extract.unpack``) under a
time and address-space limit, as every parser of a collected file runs: a header crafted to
loop or to exhaust memory ends that process, not the build.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from shiliao.errors import ExtractError, ExtractionLimit
from shiliao.extract.decode import legacy_reading
from shiliao.extract.finish import visible_controls
from shiliao.extract.media import SNIFF_BYTES, sniff_media_type

__all__ = [
    "ARCHIVE_MEDIA_TYPES",
    "SkippedMember",
    "Unpacked",
    "UnpackedMember",
    "unpack_archive",
    "unpack_in_worker",
]

ARCHIVE_MEDIA_TYPES = frozenset({"application/zip", "application/x-tar", "application/gzip"})
"""Media types (as ``sniff_media_type`` names them) that ``unpack_archive`` opens."""

_CHUNK_BYTES = 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")
_SAFE_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}")


@dataclass(frozen=True)
class UnpackedMember:
    """One file taken out of an archive.

    Attributes:
        name: its path in the archive, POSIX separators, NFC; inside a nested archive, the
            nested archive's name, ``/``, and the path in it (``"2019.zip/通知.pdf"``).
        path: where its bytes were written: a numbered file keeping only a safe suffix of the
            name (``.../000003.pdf``), inside ``Unpacked.folder``.
        size: its length in bytes, as counted while writing.
    """

    name: str
    path: Path
    size: int


@dataclass(frozen=True)
class SkippedMember:
    """A member that was not unpacked, and why.

    Attributes:
        name: its name as the archive writes it (for reading, never for use as a path).
        reason: e.g. ``"symbolic link"``, ``"path leaves the archive ('..')"``,
            ``"encrypted"``, ``"damaged: Bad CRC-32"``.
    """

    name: str
    reason: str


@dataclass
class Unpacked:
    """What ``unpack_archive`` took out of one archive.

    Attributes:
        folder: the new folder inside the staging folder holding every member's bytes; the
            caller removes it when done.
        members: the files, in archive order (a nested archive's files where it stands).
        skipped: members not unpacked, with the reason for each.
    """

    folder: Path
    members: list[UnpackedMember] = field(default_factory=list)
    skipped: list[SkippedMember] = field(default_factory=list)


@dataclass
class _Budget:
    max_members: int
    max_member_bytes: int
    max_total_bytes: int
    max_depth: int
    members: int = 0
    total_bytes: int = 0


def unpack_archive(
    path: Path,
    staging: Path,
    *,
    media_type: str | None = None,
    max_members: int = 10_000,
    max_member_bytes: int = 2 * 1024**3,
    max_total_bytes: int = 8 * 1024**3,
    max_depth: int = 3,
) -> Unpacked:
    """Unpack a ZIP, TAR (plain or compressed) or gzip file into a new folder under ``staging``.

    Args:
        path: the archive.
        staging: an existing folder to unpack under; a new folder is made inside it, and
            nothing is written anywhere else.
        media_type: ``"application/zip"``, ``"application/x-tar"`` or ``"application/gzip"``;
            None to sniff it (see ``ARCHIVE_MEDIA_TYPES``).
        max_members: the most files, nested archives' files included.
        max_member_bytes: the most bytes one member may decompress to.
        max_total_bytes: the most bytes all members together may decompress to.
        max_depth: how many levels of archives inside archives are opened (1: the archive
            itself only, its inner archives are refused).

    Returns:
        The folder, the files written and the members skipped (see the module docstring).

    Raises:
        ExtractionLimit: a limit was passed; the new folder has been removed.
        ExtractError: the file is not an archive of these kinds, or is damaged beyond reading
            its list of members; the new folder has been removed.
    """
    path = Path(path)
    if media_type is None:
        with path.open("rb") as file:
            media_type = sniff_media_type(file.read(SNIFF_BYTES), path.name)
    budget = _Budget(max_members, max_member_bytes, max_total_bytes, max_depth)
    unpacked = Unpacked(folder=Path(tempfile.mkdtemp(prefix="unpack-", dir=staging)))
    try:
        with path.open("rb") as file:
            _unpack(file, path.name, media_type, "", 1, unpacked, budget)
    except BaseException:
        shutil.rmtree(unpacked.folder, ignore_errors=True)
        raise
    return unpacked


def _unpack(
    file: IO[bytes],
    name: str,
    media_type: str,
    prefix: str,
    depth: int,
    unpacked: Unpacked,
    budget: _Budget,
) -> None:
    if depth > budget.max_depth:
        raise ExtractionLimit(f"{prefix or name}: archives nested deeper than {budget.max_depth}")
    if media_type == "application/zip":
        _unpack_zip(file, name, prefix, depth, unpacked, budget)
    elif media_type in ("application/x-tar", "application/gzip"):
        _unpack_tar_or_gzip(file, name, prefix, depth, unpacked, budget)
    else:
        raise ExtractError(f"{name}: {media_type} is not an archive this unpacks")


def _unpack_zip(
    file: IO[bytes], name: str, prefix: str, depth: int, unpacked: Unpacked, budget: _Budget
) -> None:
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, NotImplementedError) as exc:
        # NotImplementedError: a ZIP version (in the central directory) zipfile does not read.
        raise ExtractError(f"{name}: not a readable ZIP file ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise ExtractError(
            f"{name}: a member's name is marked UTF-8 but is not ({exc.reason}); the ZIP's list "
            "of members cannot be read"
        ) from exc
    with archive:
        seen: set[str] = set()
        for info in archive.infolist():
            # Not info.is_dir(), which raises IndexError on an empty name (refused below).
            if info.filename.endswith("/"):
                continue
            kind = stat.S_IFMT(info.external_attr >> 16)
            name = _zip_name(info)
            problem = _name_problem(name, seen) or (_special_file(kind) if kind else None)
            if problem is not None:
                unpacked.skipped.append(SkippedMember(prefix + name, problem))
                continue
            try:
                member = archive.open(info)
            except RuntimeError as exc:
                # zipfile: "File ... is encrypted, password required", or a method it lacks
                reason = f"encrypted ({exc})" if "encrypted" in str(exc) else str(exc)
                unpacked.skipped.append(SkippedMember(prefix + name, reason))
                continue
            except NotImplementedError as exc:  # a compression method zipfile lacks
                unpacked.skipped.append(SkippedMember(prefix + name, str(exc)))
                continue
            except (zipfile.BadZipFile, OSError, ValueError) as exc:
                # The member's local header is damaged or lies outside the file (a negative
                # seek is OSError from a file, ValueError from memory).
                unpacked.skipped.append(SkippedMember(prefix + name, f"damaged: {exc}"))
                continue
            with member:
                _write_member(member, prefix + _clean(name), depth, unpacked, budget)


def _unpack_tar_or_gzip(
    file: IO[bytes], name: str, prefix: str, depth: int, unpacked: Unpacked, budget: _Budget
) -> None:
    start = file.tell()
    try:
        archive = tarfile.open(fileobj=file, mode="r:*")  # noqa: SIM115 (closed by "with" below)
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        # tarfile lets a cut or damaged gzip stream's EOFError and zlib.error through.
        file.seek(start)
        if file.read(2) != b"\x1f\x8b":
            raise ExtractError(f"{name}: not a readable TAR file ({exc})") from exc
        # A gzip file holding one file, not a TAR: its name without ".gz" names the member.
        file.seek(start)
        inner = _clean(name)
        inner = inner[: -len(".gz")] if inner.lower().endswith(".gz") else inner + ".out"
        with gzip.GzipFile(fileobj=file) as member:
            _write_member(member, prefix + inner, depth, unpacked, budget)
        return
    with archive:
        seen: set[str] = set()
        for info in _tar_members(archive, name):
            if info.isdir():
                continue
            name = _tar_name(info)
            problem = _name_problem(name, seen) or _tar_type_problem(info)
            if problem is None:
                try:
                    tarfile.data_filter(info, str(unpacked.folder))
                except (tarfile.FilterError, ValueError) as exc:
                    # ValueError: a NUL byte in the raw name or link target (os.path.realpath).
                    problem = f"refused by tarfile's data filter ({exc})"
            if problem is not None:
                unpacked.skipped.append(SkippedMember(prefix + name, problem))
                continue
            member = archive.extractfile(info)
            if member is None:
                unpacked.skipped.append(SkippedMember(prefix + name, "not a regular file"))
                continue
            with member:
                _write_member(member, prefix + _clean(name), depth, unpacked, budget)


def _tar_members(archive: tarfile.TarFile, name: str) -> Iterator[tarfile.TarInfo]:
    """The members in order, read one header at a time (``getmembers`` would read all first)."""
    try:
        while (info := archive.next()) is not None:
            yield info
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise ExtractError(f"{name}: damaged TAR file ({exc})") from exc


def _write_member(
    member: IO[bytes], name: str, depth: int, unpacked: Unpacked, budget: _Budget
) -> None:
    """Copy one member to a numbered file, counting bytes; unpack it too if it is an archive."""
    budget.members += 1
    if budget.members > budget.max_members:
        raise ExtractionLimit(f"{name}: more than {budget.max_members} members")
    suffix = PurePosixPath(name).suffix
    target = (
        unpacked.folder / f"{budget.members:06d}{suffix if _SAFE_SUFFIX.fullmatch(suffix) else ''}"
    )
    size = 0
    try:
        with target.open("xb") as out:
            while chunk := member.read(_CHUNK_BYTES):
                size += len(chunk)
                budget.total_bytes += len(chunk)
                if size > budget.max_member_bytes:
                    raise ExtractionLimit(
                        f"{name}: decompresses to more than {budget.max_member_bytes} bytes"
                    )
                if budget.total_bytes > budget.max_total_bytes:
                    raise ExtractionLimit(
                        f"{name}: the archive decompresses to more than "
                        f"{budget.max_total_bytes} bytes"
                    )
                out.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, gzip.BadGzipFile, tarfile.TarError) as exc:
        target.unlink()
        budget.members -= 1
        unpacked.skipped.append(SkippedMember(name, f"damaged: {exc}"))
        return
    with target.open("rb") as written:
        media_type = sniff_media_type(written.read(SNIFF_BYTES), name)
    if media_type in ARCHIVE_MEDIA_TYPES and depth >= budget.max_depth:
        target.unlink()
        unpacked.skipped.append(
            SkippedMember(name, f"an archive nested deeper than {budget.max_depth} levels")
        )
        return
    if media_type in ARCHIVE_MEDIA_TYPES:
        with target.open("rb") as nested:
            _unpack(nested, name, media_type, name + "/", depth + 1, unpacked, budget)
        target.unlink()
        return
    unpacked.members.append(UnpackedMember(name, target, size))


def _zip_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its maker wrote it. Without the UTF-8 flag (bit 11) ``zipfile``
    reads the name as CP437, but Chinese Windows and WeChat write GBK there: the bytes are
    read again as ``_decoded`` says, else as CP437."""
    if info.flag_bits & 0x800:
        return visible_controls(info.filename)
    return _decoded(info.filename.encode("cp437"), "cp437")


def _tar_name(info: tarfile.TarInfo) -> str:
    """The member's name, its bytes (``tarfile`` keeps those that are not UTF-8 as lone
    surrogates) read again as ``_decoded`` says, else with U+FFFD."""
    return _decoded(info.name.encode("utf-8", "surrogateescape"), None)


def _decoded(raw: bytes, fallback: str | None) -> str:
    """The name's bytes as text, control characters shown (``finish.visible_controls``): a
    name becomes a title printed on terminals. Read as UTF-8 or the likeliest East Asian
    encoding (``decode.legacy_reading``: GBK 通知 is valid UTF-8 too, as ``֪ͨ``), else as
    ``fallback``, else as UTF-8 with U+FFFD."""
    reading = legacy_reading(raw)
    if reading is not None:
        text = reading[0]
    elif fallback is not None:
        text = raw.decode(fallback)
    else:
        text = raw.decode("utf-8", errors="replace")
    return visible_controls(text)


def _name_problem(raw: str, seen: set[str]) -> str | None:
    """Why a member name is refused, or None; records accepted names in ``seen``."""
    if not raw or "\x00" in raw:
        return "empty name or NUL in the name"
    name = raw.replace("\\", "/")
    if name.startswith("/"):
        return "absolute path"
    if _DRIVE.match(name):
        return "drive letter"
    if ".." in name.split("/"):
        return "path leaves the archive ('..')"
    clean = _clean(raw)
    if not clean:
        return "empty name"
    if clean in seen:
        return "a second member with this name"
    seen.add(clean)
    return None


def _clean(raw: str) -> str:
    """The name with backslashes as ``/``, empty and ``.`` segments dropped, NFC."""
    segments = [part for part in raw.replace("\\", "/").split("/") if part not in ("", ".")]
    return unicodedata.normalize("NFC", "/".join(segments))


def _special_file(kind: int) -> str | None:
    if kind == stat.S_IFREG:
        return None
    if kind == stat.S_IFLNK:
        return "symbolic link"
    return "not a regular file"


def _tar_type_problem(info: tarfile.TarInfo) -> str | None:
    if info.issym():
        return "symbolic link"
    if info.islnk():
        return "hard link"
    if not info.isreg():
        return "not a regular file"
    return None


def unpack_in_worker(
    path: Path,
    staging: Path,
    *,
    media_type: str | None = None,
    max_members: int = 10_000,
    max_total_bytes: int = 8 * 1024**3,
    timeout_s: float = 600,
    max_memory_bytes: int = 2 * 1024**3,
) -> Unpacked:
    """Run ``unpack_archive`` in a worker process with limits.

    Args:
        path: the archive.
        staging: an existing folder to unpack under (as for ``unpack_archive``).
        media_type, max_members, max_total_bytes: as for ``unpack_archive`` (a member may
            decompress to at most ``max_total_bytes`` too).
        timeout_s: wall-clock seconds the worker may take; then it is killed.
        max_memory_bytes: the worker's address-space limit in bytes (``RLIMIT_AS``).

    Returns:
        What ``unpack_archive`` returned in the worker (its folder lies under ``staging``).

    Raises:
        ExtractionLimit: a limit of ``unpack_archive`` was passed, or the worker ran out of
            time or memory.
        ExtractError: as for ``unpack_archive``, or the worker crashed.
    """
    command = [
        sys.executable,
        "-P",
        "-m",
        "shiliao.extract.unpack",
        str(path),
        str(staging),
        media_type or "",
        str(max_memory_bytes),
        str(max_members),
        str(max_total_bytes),
    ]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(entry for entry in sys.path if entry))
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    ) as process:
        try:
            out, err = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired as exc:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise ExtractionLimit(
                f"{path.name}: unpacking timed out after {timeout_s:g} s"
            ) from exc
    try:
        reply = json.loads(out)
    except ValueError:
        last = err.decode("utf-8", errors="replace").strip().rpartition("\n")[2]
        raise ExtractError(
            f"{path.name}: the unpacking process ended with status {process.returncode}"
            f" ({last or 'no message'}; a crash, or memory exhausted under the"
            f" {max_memory_bytes}-byte limit)"
        ) from None
    if "error" in reply:
        kind = ExtractionLimit if reply["error"]["type"] == "ExtractionLimit" else ExtractError
        raise kind(reply["error"]["message"])
    return Unpacked(
        folder=Path(reply["folder"]),
        members=[UnpackedMember(m["name"], Path(m["path"]), m["size"]) for m in reply["members"]],
        skipped=[SkippedMember(m["name"], m["reason"]) for m in reply["skipped"]],
    )


def _main(argv: list[str]) -> int:
    """The worker: ``PATH STAGING MEDIA_TYPE MAX_MEMORY_BYTES MAX_MEMBERS MAX_TOTAL_BYTES``;
    one JSON object on stdout."""
    path, staging, media_type, max_memory, max_members, max_total = argv
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (int(max_memory), hard))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        unpacked = unpack_archive(
            Path(path),
            Path(staging),
            media_type=media_type or None,
            max_members=int(max_members),
            max_member_bytes=int(max_total),
            max_total_bytes=int(max_total),
        )
    except ExtractError as exc:
        reply: dict[str, object] = {"error": {"type": type(exc).__name__, "message": str(exc)}}
    except MemoryError:
        reply = {"error": {"type": "ExtractionLimit", "message": f"{path}: out of memory"}}
    else:
        reply = {
            "folder": str(unpacked.folder),
            "members": [
                {"name": m.name, "path": str(m.path), "size": m.size} for m in unpacked.members
            ],
            "skipped": [{"name": m.name, "reason": m.reason} for m in unpacked.skipped],
        }
    sys.stdout.write(json.dumps(reply, ensure_ascii=True))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
