"""Encrypted backups of an archive, and restoring one with its checks (the restore drill).

A backup is one file, ``DEST/shiliao-<UTC time>.tar.age`` (``shiliao-20260102T030405Z.tar.age``):
a POSIX.1-2001 (pax) tar stream encrypted with age v1 (https://age-encryption.org/v1: X25519
recipients, ChaCha20-Poly1305 in 64 KiB chunks, each authenticated, the last one marked so that
a cut file is caught), written by pyrage, the Python binding of rage (the Rust implementation of
age). Any age implementation opens it without shiliao::

    age -d -i key.txt shiliao-20260102T030405Z.tar.age | tar -x -C restored/

The tar holds, under their paths in the archive:

- ``objects/`` (every file, the OCFL storage root) and ``log/`` (entries, checkpoints, the
  signing key; not its ``lock``): the evidence;
- ``shiliao.db``: a copy made with SQLite's online backup API (``sqlite3.Connection.backup``),
  a consistent snapshot even while readers have it open, never a copy of a file half-written;
- ``privacy.key``: the key of the HMACs that stand for decided texts in the log; without it
  the log's privacy decisions cannot be matched to texts again;
- ``.staging/captures/``, ``.staging/ocfl/`` and ``.staging/ocfl.layout.json``: the notes of a
  capture, a commit or a layout conversion a crash interrupted, which the archive finishes or
  rolls back when next opened;
- ``shiliao-backup.json``, last: the manifest (format ``shiliao-backup/1``): ``files``, a list
  of ``{"path", "size", "sha256"}`` for every file above; ``bytes``; ``log_entries``; the latest
  signed ``checkpoint`` (``origin``, ``size``, ``root_hash``, ``time``, ``note``: the signed note
  itself) or null; ``left_out``; ``created``, ``shiliao``, ``archive``.

Left out, because the archive makes them again when they are needed: ``index/`` (the search
index, rebuilt from the database), ``public/`` (the public projection) and ``derivatives/``
(public copies). Anything else at the top of the archive is named in the report's warnings.

**A consistent snapshot.** Every command that writes holds the archive's writer lock
(``ARCHIVE/.staging/writer.lock``, ``store.lock``) from start to end; within it, the OCFL
store's lock (``ARCHIVE/.staging/ocfl.lock``, ``store.ocfl``) while it commits a version and the
log's lock (``ARCHIVE/log/lock``, exclusive for appends, ``log.store``) while it appends. The
backup waits for the writer lock, then holds it, the second and a shared hold on the third from
before it lists the files until the last byte is written, so nothing is written meanwhile: a
build, a capture or a checkpoint started during a backup is refused (``ArchiveBusy``, naming
the backup); readers (search, verify, the website) go on. A capture
between its commit and its log entry leaves a note in ``.staging/captures/``, which the backup
keeps, so the restored archive completes it like the original would.

**Keys.** The backup is encrypted to age X25519 recipients (``age1...``, from ``age-keygen`` or
``pyrage.x25519.Identity.generate``), or to a passphrase, or both; there is no way to write an
unencrypted one. With a passphrase, each backup gets a fresh X25519 identity, and that identity,
sealed with the passphrase (age's scrypt recipient type, pyrage's ``passphrase.encrypt``), is
written beside the backup as ``shiliao-<time>.sealed-key.age``: the same construction as age's
own scrypt stanza (a random key wrapped by the passphrase), one level out, because pyrage
encrypts a stream only to public-key recipients. Files of secret keys and passphrases are
refused inside the backup folder, the archive and the restore target: whoever takes the one
must not find the other.

**What a restore proves.** age authenticates the bytes but not their author: anyone who knows
a recipient (a public key) can write a backup to it. The backup's bytes are checked by age and
the manifest; that they are the archive's is shown by its log, whose checkpoints are signed by
the archive's key: restore runs ``verification.verify_archive`` with the verifier key given
(``restore --key``, a copy kept outside), and reports the checkpoint to compare with the copies
published elsewhere.

**Restoring.** Into a new folder next to TARGET (``.TARGET.restoring-*``), streamed: decryption
runs in a thread and feeds a pipe that the tar reader empties, every file is hashed as it is
written and fsynced; only members under the paths above, plain files and folders, are taken
(no link, no ``..``: a backup can be written by anyone who knows a recipient). When the stream
has ended with age's final chunk and every file matches the manifest, the folder is renamed to
TARGET in one step; on any failure it is removed, and TARGET does not appear.

**Why age.** pyrage (MIT; rage is MIT or Apache-2.0) installs from a wheel with no program
beside it, and age is a small, specified format with several independent implementations (Go,
Rust, TypeScript), so a backup outlives shiliao. restic (BSD-2) and borg (BSD-3) would add
deduplicated incremental backups, but as an outside program in every environment and a
repository only they can read. Each backup here is whole: nothing depends on an earlier one,
at the cost of the space.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import stat
import tarfile
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

import pyrage
from pyrage import x25519

from shiliao import __version__
from shiliao.errors import ConfigError, IntegrityError, LogError, StoreError
from shiliao.log import verify_checkpoint
from shiliao.operations.processing import Progress
from shiliao.store.lock import writer_lock
from shiliao.verification import ArchiveCheck, verify_archive

__all__ = [
    "BACKUP_FORMAT",
    "MANIFEST_NAME",
    "BackupKeys",
    "BackupReport",
    "RestoreReport",
    "backup_archive",
    "find_backup",
    "restore_archive",
]

BACKUP_FORMAT = "shiliao-backup/1"
MANIFEST_NAME = "shiliao-backup.json"
_NAME = re.compile(r"shiliao-(\d{8}T\d{6}Z)\.tar\.age")
_SEALED_SUFFIX = ".sealed-key.age"
_AGE_MAGIC = b"age-encryption.org/v1\n"

# What a backup holds, relative to the archive. Folders are taken whole, except the lock file.
_KEPT_FOLDERS = ("objects", "log", ".staging/captures", ".staging/ocfl")
_KEPT_FILES = ("privacy.key", ".staging/ocfl.layout.json")
_DATABASE = "shiliao.db"
_LOG_LOCK = "log/lock"
_LEFT_OUT = ("index/", "public/", "derivatives/")
# Top-level names the archive writes that are neither kept nor worth a warning: the database's
# own journal files (the database is copied through SQLite) and the staging folder, whose
# other contents are scratch space.
_KNOWN = {"shiliao.db-wal", "shiliao.db-shm", "shiliao.db-journal", ".staging"}
_TOP_LEVEL = {"objects", "log", "privacy.key", _DATABASE, *(p.rstrip("/") for p in _LEFT_OUT)}

_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class BackupKeys:
    """Where the keys of a backup or a restore come from; secrets are read from files or the
    environment, never from the command line (it is visible to every user of the machine).

    Attributes:
        recipients: age X25519 recipients (``age1...``) to encrypt to (backup only).
        recipient_files: files of recipients, one a line, ``#`` comments (age's ``-R``).
        identity_files: files of age X25519 identities (``AGE-SECRET-KEY-1...``, as
            ``age-keygen`` writes them): a backup is encrypted to their public keys, a restore
            decrypts with them.
        passphrase_env: the name of an environment variable that holds a passphrase.
        passphrase_file: a file whose first line is a passphrase.
    """

    recipients: tuple[str, ...] = ()
    recipient_files: tuple[Path, ...] = ()
    identity_files: tuple[Path, ...] = ()
    passphrase_env: str | None = None
    passphrase_file: Path | None = None


@dataclass
class BackupReport:
    """What ``backup_archive`` wrote.

    Attributes:
        path: the backup file, ``DEST/shiliao-<time>.tar.age``.
        sealed_key: its identity sealed with the passphrase (``...sealed-key.age``), or None
            when no passphrase was given.
        created: when the snapshot was taken, UTC, RFC 3339 (``2026-01-02T03:04:05Z``).
        files: files in the backup, the database copy included.
        bytes: their total size in bytes, before encryption.
        encrypted_bytes: the size of the backup file in bytes.
        log_entries: entries in the log at the snapshot.
        checkpoint: the latest signed checkpoint (``origin``, ``size``, ``root_hash`` in
            base64, ``time``), or None when the archive has none that verifies.
        recipients: the age recipients it was encrypted to, passphrase's identity excluded.
        passphrase: whether it can be opened with the passphrase.
        left_out: folders of derived data not backed up, made again when needed.
        warnings: what a reader should know: a log newer than its checkpoint, a top-level
            name the backup does not know.
        seconds: wall time of the whole backup.
    """

    path: Path
    sealed_key: Path | None
    created: str
    files: int
    bytes: int
    encrypted_bytes: int
    log_entries: int
    checkpoint: dict[str, Any] | None
    recipients: list[str]
    passphrase: bool
    left_out: list[str] = field(default_factory=lambda: list(_LEFT_OUT))
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class RestoreReport:
    """What ``restore_archive`` restored and what the archive's own verification found.

    Attributes:
        backup: the backup file read.
        target: the restored archive folder.
        created: when the backup's snapshot was taken (from its manifest).
        files: files restored; each matched the manifest's size and sha256.
        bytes: their total size in bytes.
        checkpoint: the backup's latest signed checkpoint, as in ``BackupReport``; the
            restored ``log/checkpoint`` is byte for byte its note.
        check: ``verify_archive`` run on the restored archive.
        seconds: wall time of decryption, writing and checking the manifest.
        verify_seconds: wall time of the verification.
    """

    backup: Path
    target: Path
    created: str
    files: int
    bytes: int
    checkpoint: dict[str, Any] | None
    check: ArchiveCheck
    seconds: float
    verify_seconds: float

    @property
    def ok(self) -> bool:
        """True when the restored archive verified without a problem."""
        return self.check.ok


# Keys -----------------------------------------------------------------------------------------


def _refuse_inside(path: Path, folders: Mapping[str, Path]) -> None:
    """Refuse a secret's file inside one of ``folders`` (name -> folder), links resolved."""
    resolved = path.resolve()
    for name, folder in folders.items():
        if resolved.is_relative_to(folder.resolve()):
            raise ConfigError(
                f"{path}: a key or passphrase file inside the {name} ({folder}) is refused: "
                "keep it elsewhere (a separate drive, a password manager), so that whoever "
                "takes the one does not find the other"
            )


def _key_lines(path: Path) -> list[tuple[int, str]]:
    """The non-empty, non-comment lines of a key file, numbered from 1."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the key file {path}: {exc}") from exc
    return [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _identities(paths: Sequence[Path], forbidden: Mapping[str, Path]) -> list[x25519.Identity]:
    identities = []
    for path in paths:
        _refuse_inside(path, forbidden)
        lines = _key_lines(path)
        if not lines:
            raise ConfigError(f"{path}: no age identity in it (AGE-SECRET-KEY-1...)")
        for number, line in lines:
            try:
                identities.append(x25519.Identity.from_str(line))
            except pyrage.IdentityError:
                # The line is not repeated: it may be a secret with a typo.
                raise ConfigError(
                    f"{path} line {number}: not an age X25519 identity (AGE-SECRET-KEY-1...); "
                    "make one with `age-keygen -o FILE`"
                ) from None
    return identities


def _recipients(keys: BackupKeys) -> list[x25519.Recipient]:
    given = [(str(text), "--recipient") for text in keys.recipients]
    for path in keys.recipient_files:
        given += [(line, f"{path} line {number}") for number, line in _key_lines(path)]
    recipients = []
    for text, where in given:
        try:
            recipients.append(x25519.Recipient.from_str(text))
        except pyrage.RecipientError:
            hint = (
                "that is a secret key: give its file with --identity, or its public key "
                "(age-keygen -y FILE)"
                if text.upper().startswith("AGE-SECRET-KEY-")
                else "expected an age X25519 recipient (age1...)"
            )
            raise ConfigError(f"{where}: not a recipient: {hint}") from None
    return recipients


def _passphrase(
    keys: BackupKeys, environ: Mapping[str, str], forbidden: Mapping[str, Path]
) -> str | None:
    if keys.passphrase_env is not None and keys.passphrase_file is not None:
        raise ConfigError("give the passphrase one way: --passphrase-env or --passphrase-file")
    if keys.passphrase_env is not None:
        value = environ.get(keys.passphrase_env, "")
        if not value:
            raise ConfigError(
                f"the environment variable {keys.passphrase_env} is empty or not set; put the "
                "passphrase in it"
            )
        return value
    if keys.passphrase_file is not None:
        _refuse_inside(keys.passphrase_file, forbidden)
        try:
            lines = keys.passphrase_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read the passphrase file: {exc}") from exc
        if not lines or not lines[0]:
            raise ConfigError(f"{keys.passphrase_file}: its first line, the passphrase, is empty")
        return lines[0]
    return None


# Backup ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def _writers_held(root: Path) -> Iterator[None]:
    """Hold the archive's writer lock (waiting for a writer at work to finish), the OCFL
    writer lock and a shared hold on the log's lock for the block (the lock files
    ``store.lock``, ``store.ocfl`` and ``log.store`` document), so nothing is written."""
    with contextlib.ExitStack() as stack:
        stack.enter_context(writer_lock(root, "backup", wait_s=None))
        (root / ".staging").mkdir(exist_ok=True)
        ocfl = stack.enter_context(open(root / ".staging" / "ocfl.lock", "a+b"))
        fcntl.flock(ocfl.fileno(), fcntl.LOCK_EX)
        log_lock = root / _LOG_LOCK
        if log_lock.exists():
            held = stack.enter_context(open(log_lock, "rb"))
            fcntl.flock(held.fileno(), fcntl.LOCK_SH)
        yield


def _walk(root: Path, relative: str) -> Iterator[tuple[str, os.stat_result]]:
    """Every folder and file under ``root/relative``, sorted, as (relative POSIX path, lstat);
    the folder itself first."""
    path = root / relative
    info = path.lstat()
    if stat.S_ISDIR(info.st_mode):
        yield relative, info
        for child in sorted(os.listdir(path)):
            child_path = f"{relative}/{child}"
            if child_path != _LOG_LOCK:
                yield from _walk(root, child_path)
    elif stat.S_ISREG(info.st_mode):
        yield relative, info
    else:
        # OCFL forbids links (E090), and nothing in shiliao writes them: following one would
        # back up what it points to under the archive's name.
        raise StoreError(
            f"{path}: not a plain file or folder (a link?); the archive holds none: move it out "
            "and run `shiliao verify`"
        )


class _HashingReader:
    """A file read through, its sha256 taken on the way (what tarfile reads is what is hashed)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha256.update(data)
        return data


def _member(name: str, info: os.stat_result, size: int | None = None) -> tarfile.TarInfo:
    member = tarfile.TarInfo(name)
    member.mode = stat.S_IMODE(info.st_mode)
    member.mtime = int(info.st_mtime)
    if size is None:
        member.type = tarfile.DIRTYPE
    else:
        member.size = size
    return member


def _latest_checkpoint(root: Path, warnings: list[str]) -> dict[str, Any] | None:
    note_path, vkey_path = root / "log" / "checkpoint", root / "log" / "key.vkey"
    if not note_path.is_file():
        warnings.append(
            "the log has no signed checkpoint: sign one with `shiliao checkpoint ARCHIVE` and "
            "back up again, so that a restore can be checked against it"
        )
        return None
    note = note_path.read_text(encoding="utf-8")
    try:
        checkpoint = verify_checkpoint(note, vkey_path.read_text(encoding="ascii").strip())
    except (OSError, LogError) as exc:
        warnings.append(
            f"log/checkpoint does not verify with log/key.vkey ({exc}); backed up as it is: "
            "run `shiliao verify ARCHIVE`"
        )
        return None
    return {
        "origin": checkpoint.origin,
        "size": checkpoint.size,
        "root_hash": checkpoint.root_hash_b64,
        "time": checkpoint.time,
        "note": note,
    }


def _count_lines(path: Path) -> int:
    if not path.is_file():
        return 0
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            count += chunk.count(b"\n")
    return count


def _write_tar(
    out: IO[bytes],
    root: Path,
    database_copy: Path,
    manifest: dict[str, Any],
    progress: Progress | None,
) -> None:
    """Write the backup's tar stream to ``out``: the archive's kept files, the database copy,
    then the manifest; fill ``manifest["files"]`` and ``manifest["bytes"]`` on the way."""
    entries: list[tuple[str, os.stat_result]] = []
    for folder in _KEPT_FOLDERS:
        if (root / folder).is_dir():
            entries += _walk(root, folder)
    for name in _KEPT_FILES:
        if (root / name).is_file():
            entries += _walk(root, name)
    if (root / ".staging").is_dir() and any(name.startswith(".staging/") for name, _ in entries):
        entries.insert(0, (".staging", (root / ".staging").lstat()))
    files: list[dict[str, Any]] = []
    total = sum(1 for _, info in entries if stat.S_ISREG(info.st_mode)) + 1
    with tarfile.open(
        fileobj=out,
        mode="w|",
        format=tarfile.PAX_FORMAT,
        encoding="utf-8",
        bufsize=_CHUNK_BYTES,
        copybufsize=_CHUNK_BYTES,
    ) as tar:
        sources = [(name, root / name, info) for name, info in entries]
        # The copy's bytes under the live database's name, mode and time.
        sources.append((_DATABASE, database_copy, (root / _DATABASE).stat()))
        for name, path, info in sources:
            if stat.S_ISDIR(info.st_mode):
                tar.addfile(_member(name, info))
                continue
            with path.open("rb") as raw:
                size = os.fstat(raw.fileno()).st_size
                reader = _HashingReader(raw)
                tar.addfile(_member(name, info, size), reader)
            files.append({"path": name, "size": size, "sha256": reader.sha256.hexdigest()})
            if progress is not None:
                progress("backup", len(files), total)
        manifest["files"] = files
        manifest["bytes"] = sum(entry["size"] for entry in files)
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8", "surrogateescape")
        member = tarfile.TarInfo(MANIFEST_NAME)
        member.size, member.mode, member.mtime = len(data), 0o644, int(time.time())
        tar.addfile(member, io.BytesIO(data))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _encrypt_stream(
    path: Path, recipients: Sequence[x25519.Recipient]
) -> tuple[int, threading.Thread, list[BaseException]]:
    """Start encrypting, in a thread, what is written to a pipe into a new file ``path``.

    Returns:
        The pipe's writing end (a descriptor the caller closes at the end of the stream), the
        thread, and the list its error is put in.
    """
    read_fd, write_fd = os.pipe()
    errors: list[BaseException] = []

    def encrypt() -> None:
        try:
            with os.fdopen(read_fd, "rb") as reader, path.open("xb") as out:
                pyrage.encrypt_io(reader, out, list(recipients))
                out.flush()
                os.fsync(out.fileno())
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=encrypt, name="shiliao-backup-encrypt", daemon=True)
    thread.start()
    return write_fd, thread, errors


def _copy_database(source: Path, copy: Path) -> None:
    """Copy the database with SQLite's online backup API: one read transaction, so the copy is
    the database as one moment left it, whatever else is reading it."""
    try:
        with (
            contextlib.closing(sqlite3.connect(source, timeout=60)) as live,
            contextlib.closing(sqlite3.connect(copy)) as out,
        ):
            live.backup(out)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot copy the database {source}: {exc}") from exc


def _public(checkpoint: Mapping[str, Any]) -> dict[str, Any]:
    """A checkpoint as reports show it: without its signed note."""
    return {key: value for key, value in checkpoint.items() if key != "note"}


def _write_snapshot(
    root: Path,
    path: Path,
    recipients: Sequence[x25519.Recipient],
    manifest: dict[str, Any],
    warnings: list[str],
    progress: Progress | None,
) -> None:
    """Encrypt the archive's snapshot into the new file ``path``, writers held off meanwhile;
    fill in ``manifest``."""
    with _writers_held(root):
        # Backups run one at a time (the lock): a scratch folder now is a killed one's.
        for leftover in (root / ".staging").glob("backup-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        scratch = Path(tempfile.mkdtemp(dir=root / ".staging", prefix="backup-"))
        try:
            manifest["created"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            manifest["log_entries"] = _count_lines(root / "log" / "entries.jsonl")
            manifest["checkpoint"] = _latest_checkpoint(root, warnings)
            manifest["left_out"] = list(_LEFT_OUT)
            database_copy = scratch / _DATABASE
            _copy_database(root / _DATABASE, database_copy)
            write_fd, thread, errors = _encrypt_stream(path, recipients)
            try:
                with os.fdopen(write_fd, "wb") as pipe:
                    _write_tar(pipe, root, database_copy, manifest, progress)
            except BrokenPipeError:
                pass  # the encrypting thread stopped reading; its error says why
            finally:
                # Closing the pipe (above, or here on an error) ends the thread's stream.
                thread.join()
            if errors:
                raise StoreError(
                    f"cannot write a backup into {path.parent}: {errors[0]}"
                ) from errors[0]
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


def backup_archive(
    root: Path,
    dest: Path,
    keys: BackupKeys,
    *,
    environ: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> BackupReport:
    """Write an encrypted backup of an archive into ``dest`` (the module's docstring gives the
    format: an age v1 file holding a pax tar and its sha256 manifest).

    Args:
        root: the archive folder.
        dest: the folder of backups, made when missing; not inside the archive.
        keys: at least one recipient, identity file or passphrase; secret files must be
            outside ``dest`` and the archive.
        environ: where ``keys.passphrase_env`` is looked up; ``os.environ`` when None.
        progress: called as ``progress("backup", files_done, files_total)``.
        now: the snapshot's time (UTC) for the name; the clock when None.

    Returns:
        A ``BackupReport``.

    Raises:
        ConfigError: no key given (an unencrypted backup is refused), a key that cannot be
            read, a secret file inside ``dest`` or the archive, ``dest`` inside the archive,
            or a backup of that name (that second) already in ``dest``.
        StoreError: the folder is not an archive, a file cannot be read (or is a link), or
            the backup cannot be written (nothing is left but what was there).
    """
    started = time.perf_counter()
    root, dest = Path(root), Path(dest)
    if not (root / _DATABASE).is_file() or not (root / "objects").is_dir():
        raise StoreError(f"{root}: not a shiliao archive (no shiliao.db or objects/)")
    if dest.resolve().is_relative_to(root.resolve()):
        raise ConfigError(f"{dest}: the backup folder must be outside the archive {root}")
    forbidden = {"backup folder": dest, "archive": root}
    recipients = _recipients(keys)
    identities = _identities(keys.identity_files, forbidden)
    recipients += [identity.to_public() for identity in identities]
    passphrase = _passphrase(keys, os.environ if environ is None else environ, forbidden)
    if not recipients and passphrase is None:
        raise ConfigError(
            "refusing to write an unencrypted backup: give --recipient age1..., --identity "
            "FILE or --passphrase-env VAR (a key made with `age-keygen -o FILE`, kept outside "
            "the backup folder)"
        )
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot make the backup folder {dest}: {exc}") from exc
    final = dest / f"shiliao-{stamp}.tar.age"
    sealed_final = dest / f"shiliao-{stamp}{_SEALED_SUFFIX}"
    if final.exists() or sealed_final.exists():
        raise ConfigError(f"{final} already exists: wait a second and run the backup again")
    partial = dest / f".{final.name}.partial"
    sealed_partial = dest / f".{sealed_final.name}.partial"
    to = list(recipients)
    if passphrase is not None:
        # The passphrase seals a fresh identity that the stream is encrypted to (see above).
        own = x25519.Identity.generate()
        to.append(own.to_public())
        sealed = pyrage.passphrase.encrypt(str(own).encode("ascii"), passphrase)
    warnings: list[str] = []
    for name in sorted(os.listdir(root)):
        if name not in _TOP_LEVEL and name not in _KNOWN:
            warnings.append(f"{root / name}: not backed up (shiliao does not know what it is)")
    manifest: dict[str, Any] = {
        "format": BACKUP_FORMAT,
        "created": "",
        "shiliao": __version__,
        "archive": str(root.resolve()),
    }
    try:
        if passphrase is not None:
            with sealed_partial.open("xb") as out:
                out.write(sealed)
                out.flush()
                os.fsync(out.fileno())
        _write_snapshot(root, partial, to, manifest, warnings, progress)
        if passphrase is not None:
            os.rename(sealed_partial, sealed_final)
        os.rename(partial, final)
        _fsync_dir(dest)
    except OSError as exc:
        raise StoreError(f"cannot back up {root} into {dest}: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
        sealed_partial.unlink(missing_ok=True)
    checkpoint = manifest["checkpoint"]
    if checkpoint is not None and checkpoint["size"] < manifest["log_entries"]:
        warnings.append(
            f"{manifest['log_entries'] - checkpoint['size']} log entries are newer than the "
            "latest signed checkpoint: sign one with `shiliao checkpoint ARCHIVE` before the "
            "next backup"
        )
    return BackupReport(
        path=final,
        sealed_key=sealed_final if passphrase is not None else None,
        created=manifest["created"],
        files=len(manifest["files"]),
        bytes=manifest["bytes"],
        encrypted_bytes=final.stat().st_size,
        log_entries=manifest["log_entries"],
        checkpoint=None if checkpoint is None else _public(checkpoint),
        recipients=[str(r) for r in recipients],
        passphrase=passphrase is not None,
        warnings=warnings,
        seconds=time.perf_counter() - started,
    )


# Restore --------------------------------------------------------------------------------------


def find_backup(path: Path) -> Path:
    """The backup file ``path`` names: itself, or for a folder of backups the latest in it.

    Raises:
        ConfigError: no such file, or no ``shiliao-<time>.tar.age`` in the folder.
    """
    path = Path(path)
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if _NAME.fullmatch(p.name))
        if not found:
            raise ConfigError(f"{path}: no backup (shiliao-<time>.tar.age) in this folder")
        return found[-1]
    if not path.is_file():
        raise ConfigError(f"{path}: no such backup file or folder")
    return path


def _member_path(name: str) -> PurePosixPath:
    """A tar member's name, checked: relative, no ``.``/``..`` part, under a kept path."""
    path = PurePosixPath(name)
    if (
        path.is_absolute()
        or not path.parts
        or any(part in ("", ".", "..") for part in name.split("/"))
        or not (
            name in (MANIFEST_NAME, _DATABASE, ".staging", *_KEPT_FILES)
            or any(name == f or name.startswith(f + "/") for f in _KEPT_FOLDERS)
        )
    ):
        raise StoreError(f"the backup holds {name!r}, which no shiliao backup holds")
    return path


class _CountingReader:
    """The backup file read through, counting bytes for the progress bar."""

    def __init__(self, raw: IO[bytes], total: int, progress: Progress | None) -> None:
        self.raw, self.total, self.progress, self.done = raw, total, progress, 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.done += len(data)
        if self.progress is not None:
            self.progress("restore", self.done, self.total)
        return data


def _decrypt_stream(
    backup: Path, identities: Sequence[x25519.Identity], progress: Progress | None
) -> tuple[int, threading.Thread, list[BaseException]]:
    """Start decrypting ``backup`` into a pipe, in a thread.

    Returns:
        The pipe's reading end (a descriptor the caller closes: that stops the thread), the
        thread, and the list its error is put in.
    """
    read_fd, write_fd = os.pipe()
    errors: list[BaseException] = []

    def decrypt() -> None:
        try:
            with backup.open("rb") as raw, os.fdopen(write_fd, "wb") as writer:
                reader = _CountingReader(raw, backup.stat().st_size, progress)
                pyrage.decrypt_io(reader, writer, list(identities))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=decrypt, name="shiliao-restore-decrypt", daemon=True)
    thread.start()
    return read_fd, thread, errors


def _extract(tar: tarfile.TarFile, into: Path) -> tuple[dict[str, tuple[int, str]], bytes]:
    """Write the members of a backup's tar stream under ``into``, hashing and fsyncing each
    file; return {path: (size, sha256)} and the manifest's bytes."""
    written: dict[str, tuple[int, str]] = {}
    folders: dict[Path, int] = {into: 0o755}
    manifest: bytes | None = None
    for member in tar:
        if manifest is not None:
            raise StoreError(f"the backup holds {member.name!r} after its manifest")
        relative = _member_path(member.name)
        target = into.joinpath(*relative.parts)
        if member.isdir():
            target.mkdir(parents=True, exist_ok=True)
            folders[target] = member.mode & 0o777
            continue
        if not member.isfile():
            raise StoreError(f"the backup holds {member.name!r}, which is not a plain file")
        source = tar.extractfile(member)
        if source is None:
            raise StoreError(f"the backup's member {member.name!r} cannot be read")
        if member.name == MANIFEST_NAME:
            manifest = source.read()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        folders.setdefault(target.parent, 0o755)
        sha256 = hashlib.sha256()
        # O_EXCL: a name given twice is refused, not overwritten; O_NOFOLLOW: never through a
        # link (none is ever created here, but the check costs nothing).
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as out:
            while chunk := source.read(_CHUNK_BYTES):
                sha256.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(target, member.mode & 0o777)
        os.utime(target, (member.mtime, member.mtime))
        written[member.name] = (member.size, sha256.hexdigest())
    if manifest is None:
        raise StoreError("the backup has no manifest (shiliao-backup.json)")
    for folder, mode in sorted(folders.items(), key=lambda item: -len(item[0].parts)):
        _fsync_dir(folder)
        # The owner keeps the right to write, so that a failed restore can be removed.
        os.chmod(folder, mode | 0o700)
    return written, manifest


def _check_manifest(
    manifest_bytes: bytes, written: Mapping[str, tuple[int, str]], into: Path
) -> dict[str, Any]:
    """Compare the files written with the manifest; return the manifest.

    Raises:
        IntegrityError: a file's sha256 differs from the manifest's (the first such file).
        StoreError: the manifest is not a shiliao backup's, or names other files.
    """
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8", "surrogateescape"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise StoreError(f"the backup's manifest is not JSON: {exc}") from exc
    try:
        if manifest["format"] != BACKUP_FORMAT:
            raise TypeError(manifest["format"])
        listed = {entry["path"]: (entry["size"], entry["sha256"]) for entry in manifest["files"]}
        checkpoint = manifest["checkpoint"]
        note = None if checkpoint is None else checkpoint["note"]
    except (KeyError, TypeError) as exc:
        raise StoreError(f"the backup's manifest is not of the format {BACKUP_FORMAT}") from exc
    missing = sorted(set(listed) - set(written))
    extra = sorted(set(written) - set(listed))
    if missing or extra:
        raise StoreError(
            f"the backup's files and its manifest disagree: {len(missing)} listed but absent "
            f"(first: {missing[:1]}), {len(extra)} present but not listed (first: {extra[:1]})"
        )
    for name, (size, sha256) in listed.items():
        if written[name] != (size, sha256):
            raise IntegrityError(name, "sha256", sha256, written[name][1])
    if _DATABASE not in listed or not any(name.startswith("objects/") for name in listed):
        raise StoreError("the backup holds no archive (no shiliao.db or objects/)")
    if note is not None:
        restored = into / "log" / "checkpoint"
        if not restored.is_file() or restored.read_text(encoding="utf-8") != note:
            raise StoreError("log/checkpoint differs from the checkpoint the manifest recorded")
    return manifest


def _restore_identities(
    backup: Path, keys: BackupKeys, environ: Mapping[str, str], forbidden: Mapping[str, Path]
) -> list[x25519.Identity]:
    if keys.recipients or keys.recipient_files:
        raise ConfigError(
            "a restore needs a secret key (--identity or a passphrase), not a recipient"
        )
    identities = _identities(keys.identity_files, forbidden)
    passphrase = _passphrase(keys, environ, forbidden)
    if passphrase is not None:
        match = _NAME.fullmatch(backup.name)
        sealed_path = (
            backup.with_name(f"shiliao-{match.group(1)}{_SEALED_SUFFIX}") if match else None
        )
        if sealed_path is None or not sealed_path.is_file():
            raise ConfigError(
                f"{backup} was not made with a passphrase (no shiliao-<time>{_SEALED_SUFFIX} "
                "beside it): give the identity file it was encrypted to with --identity"
            )
        try:
            sealed = pyrage.passphrase.decrypt(sealed_path.read_bytes(), passphrase)
            identities.append(x25519.Identity.from_str(sealed.decode("ascii").strip()))
        except (pyrage.DecryptError, pyrage.IdentityError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"the passphrase does not open {sealed_path.name}: a wrong passphrase, or the "
                "file is damaged"
            ) from exc
    if not identities:
        raise ConfigError(
            "give the key the backup was encrypted to: --identity FILE (AGE-SECRET-KEY-1...) or "
            "--passphrase-env VAR / --passphrase-file FILE"
        )
    return identities


def restore_archive(
    backup: Path,
    target: Path,
    keys: BackupKeys,
    *,
    vkey: str | None = None,
    environ: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> RestoreReport:
    """Restore a backup into a new archive folder, check it against its manifest, and verify
    the archive (``verification.verify_archive``).

    Args:
        backup: a backup file (``shiliao-<time>.tar.age``), or a folder of them (the latest).
        target: the archive folder to make; it must not exist, or be an empty folder.
        keys: its identity files or passphrase, outside the backup's folder and ``target``.
        vkey: the log's verifier key (``NAME+HASH+KEY``), a copy kept outside; None checks
            the signatures with the restored ``log/key.vkey`` (consistency only).
        environ: where ``keys.passphrase_env`` is looked up; ``os.environ`` when None.
        progress: called as ``progress("restore", bytes_read, backup_bytes)``.

    Returns:
        A ``RestoreReport``; its ``check`` lists what the verification found, and ``ok`` is
        false when it found a problem (the archive is restored all the same: it is what the
        backup held).

    Raises:
        ConfigError: no key, a key that does not open the backup (wrong identity or
            passphrase), a secret file inside the backup's folder or ``target``, or
            ``target`` not empty.
        IntegrityError: a restored file's sha256 differs from the manifest's.
        StoreError: the backup is damaged or was changed (age's authentication failed, it is
            cut short), is not a shiliao backup, or ``target`` cannot be written. In every
            such case ``target`` is left as it was.
    """
    started = time.perf_counter()
    backup, target = find_backup(Path(backup)), Path(target)
    with backup.open("rb") as head:
        if head.read(len(_AGE_MAGIC)) != _AGE_MAGIC:
            raise StoreError(f"{backup}: not a backup (not an age-encrypted file)")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ConfigError(f"{target} exists and is not empty: restore into a new folder")
    forbidden = {"backup folder": backup.parent, "restore target": target}
    identities = _restore_identities(
        backup, keys, os.environ if environ is None else environ, forbidden
    )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.restoring-"))
    except OSError as exc:
        raise StoreError(f"cannot write beside {target}: {exc}") from exc
    try:
        read_fd, thread, errors = _decrypt_stream(backup, identities, progress)
        failure: BaseException | None = None
        try:
            with os.fdopen(read_fd, "rb") as pipe:
                try:
                    with tarfile.open(fileobj=pipe, mode="r|", encoding="utf-8") as tar:
                        written, manifest_bytes = _extract(tar, staging)
                    # age checks the last chunk only at the end of the stream: read it all.
                    while pipe.read(_CHUNK_BYTES):
                        pass
                except (tarfile.TarError, StoreError, OSError) as exc:
                    failure = exc
        finally:
            # The pipe is closed: a thread still writing gets an error and ends.
            thread.join()
        thread_error = errors[0] if errors else None
        if failure is not None and isinstance(thread_error, BrokenPipeError):
            thread_error = None  # the reader stopped and closed the pipe: its failure says why
        # A stream that age stopped (a changed chunk, a cut file) reaches the reader as an
        # early end, which may even fall between two members: age's error says why.
        if thread_error is not None:
            raise _decryption_error(backup, thread_error)
        if isinstance(failure, StoreError):
            raise StoreError(f"{backup}: {failure}; nothing was restored") from failure
        if isinstance(failure, tarfile.TarError):
            raise StoreError(
                f"{backup}: not a shiliao backup, or written by a broken one ({failure}); "
                "nothing was restored"
            ) from failure
        if failure is not None:
            raise StoreError(
                f"cannot restore into {target}: {failure}; nothing was restored"
            ) from failure
        manifest = _check_manifest(manifest_bytes, written, staging)
        os.rename(staging, target)
        _fsync_dir(target.parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    seconds = time.perf_counter() - started
    verify_started = time.perf_counter()
    check = verify_archive(target, vkey)
    checkpoint = manifest.get("checkpoint")
    return RestoreReport(
        backup=backup,
        target=target,
        created=manifest.get("created", ""),
        files=len(written),
        bytes=sum(size for size, _ in written.values()),
        checkpoint=None if checkpoint is None else _public(checkpoint),
        check=check,
        seconds=seconds,
        verify_seconds=time.perf_counter() - verify_started,
    )


def _decryption_error(backup: Path, exc: BaseException) -> Exception:
    """The error to raise when age could not decrypt the backup (pyrage's error in ``exc``)."""
    if isinstance(exc, pyrage.DecryptError) and "no matching keys" in str(exc).lower():
        error: Exception = ConfigError(
            f"{backup}: none of the keys given opens it: a wrong identity or passphrase (or its "
            "header is damaged); nothing was restored"
        )
    else:
        error = StoreError(
            f"{backup}: the backup is damaged or was changed (age's authentication failed: "
            f"{exc}); nothing was restored: restore an older backup or another copy"
        )
    error.__cause__ = exc
    return error
