"""Checking a whole archive: every original's bytes, the log, and each against the other.

``verify_archive`` is what ``shiliao verify`` runs. It changes nothing and gathers every problem
before it reports (bagit-python's ``_validate_entries``), so that one run names them all:

1. the OCFL storage root (``OcflStore.verify``): every content file re-read and its sha512
   compared with the inventory and its sha256 with the fixity block, every sidecar, missing and
   extra files; a root still in the storage layout of earlier versions is read as it is (it is
   converted when the archive is next opened, see ``store.ocfl``);
2. the log (``log.verify_log``): every entry re-hashed, every stored checkpoint's signature
   (by the key the log's key history puts in force at its size) and root, its RFC 3161
   timestamp when it has one, consecutive checkpoints consistent (RFC 9162 §2.1.4), and the
   log against copies of its checkpoints kept outside the archive when given (``against``);
3. the two against each other: every ``file_captured`` entry names a version that holds a
   file with the entry's digests, and every file a version added is named by such an entry
   (bytes that reached the store without being logged are as suspect as logged bytes that are
   gone);
4. the database against the store: every source's original is one the store holds.

File names are compared after Unicode normalization (NFC): a name that differs only in
normalization, as copies through macOS leave them, is a warning, not a missing file and an
unknown one.

The inventories and the log are both inside the archive; what makes the check worth more than a
checksum file is that the log's checkpoints are signed and meant to be published elsewhere.

Verify is a reader: it runs while another shiliao writes (``store.lock``) and takes no lock.
A writer caught between two steps of one change can look like a problem (a version folder
renamed in before its inventory, bytes committed a moment before their capture is logged), so
when problems are found and a writer was at work (it held the writer lock, or the log grew
meanwhile), the check waits for that writer to finish and is made again, holding the writer
lock: only what is still wrong then is reported.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from shiliao.archive import pending_captures
from shiliao.errors import ShiliaoError, StoreError
from shiliao.log import verify_log
from shiliao.log.timestamp import TOKEN_SUFFIX, load_tsa_certificates
from shiliao.store import Catalog, OcflStore
from shiliao.store.lock import WriterLock
from shiliao.store.ocfl import LAYOUT_EXTENSION

__all__ = ["ArchiveCheck", "verify_archive"]


@dataclass
class ArchiveCheck:
    """What ``verify_archive`` found.

    Attributes:
        problems: one line per problem, each naming the path, and the expected and found
            digest or the first bad log entry where there is one; empty when all is well.
        objects: OCFL objects checked.
        files: content files re-read.
        bytes_read: their total size in bytes.
        log_entries: entries in the log.
        checkpoints: signed checkpoints checked.
        pending: captures a crash cut short after their bytes were stored and before they
            were logged (a note of each is kept until then), and a storage layout conversion
            not yet made or not yet logged; the next command that opens the archive finishes
            them. Not problems.
        warnings: names that differ only in Unicode normalization (NFC and NFD) between the
            store's inventories and the files on disk, or between the log and the store; the
            bytes are checked all the same. Not problems.
    """

    problems: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    objects: int = 0
    files: int = 0
    bytes_read: int = 0
    log_entries: int = 0
    checkpoints: int = 0

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def _log_lines(log_dir: Path) -> list[dict | None]:
    """The log's entries as parsed JSON (None for a line that is not an entry: ``verify_log``
    reports it)."""
    path = log_dir / "entries.jsonl"
    if not path.is_file():
        return []
    entries: list[dict | None] = []
    for line in path.read_bytes().split(b"\n"):
        if not line:
            continue
        try:
            value = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            entries.append(None)
            continue
        entries.append(value if isinstance(value, dict) else None)
    return entries


def _check_object(
    ocfl: OcflStore,
    object_id: str,
    logged: dict[tuple[str, int, str], dict],
    stored: set[tuple[str, int, str]],
    pending: set[tuple[str, str]],
    check: ArchiveCheck,
) -> None:
    """Compare one object's versions with the log's capture entries, and count its files."""
    counted: set[str] = set()
    previous: dict[str, str] = {}
    versions = ocfl.versions(object_id)
    for version in versions:
        for logical, sha512 in version.state.items():
            if previous.get(logical) == sha512:
                continue
            key = (object_id, version.number, logical)
            stored.add(key)
            entry = logged.get(key)
            where = f"{object_id} {version.name} {logical}"
            if entry is None and version is versions[-1] and (object_id, logical) in pending:
                check.pending.append(f"{where}: stored; its capture is logged when next opened")
            elif entry is None:
                check.problems.append(f"{where}: stored but no log entry records its capture")
            elif entry.get("sha512") != sha512:
                check.problems.append(
                    f"{where}: log entry {entry['index']} expected sha512 "
                    f"{entry.get('sha512')}, found {sha512}"
                )
        previous = dict(version.state)
        for entry_file in ocfl.files(object_id, version.number).values():
            if entry_file.content_path not in counted:
                counted.add(entry_file.content_path)
                check.files += 1
                check.bytes_read += entry_file.size


def verify_archive(
    root: Path,
    vkey: str | None = None,
    *,
    against: Sequence[Path] = (),
    tsa_certs: Path | None = None,
) -> ArchiveCheck:
    """Check an archive folder completely, changing nothing.

    Args:
        root: the archive folder.
        vkey: a verifier key of the log, ideally a copy kept outside the archive (its first
            key or a later one); None takes ``log/key.vkey`` from the archive itself (which
            then only proves internal consistency, not who signed).
        against: folders of the log's checkpoints kept outside the archive
            (``log.verify.check_outside_copy``): a log cut, rewritten or forked since they
            were copied is a problem.
        tsa_certs: a PEM file of the TSA certificates the team trusts, to check the
            checkpoints' RFC 3161 tokens with; None checks their message imprint only (and
            says so in ``warnings``).

    Returns:
        An ``ArchiveCheck``.

    Raises:
        StoreError: ``root`` is not an archive.
        ConfigError: ``tsa_certs`` cannot be read as PEM certificates.
    """
    root = Path(root)
    writing = WriterLock.holder(root) is not None
    log_bytes = _size(root / "log" / "entries.jsonl")
    check = _verify_once(root, vkey, against, tsa_certs)
    writing = writing or WriterLock.holder(root) is not None
    if check.problems and (writing or _size(root / "log" / "entries.jsonl") != log_bytes):
        with WriterLock(root, "verify", wait_s=None):
            check = _verify_once(root, vkey, against, tsa_certs)
    return check


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def _verify_once(
    root: Path, vkey: str | None, against: Sequence[Path], tsa_certs: Path | None
) -> ArchiveCheck:
    """One pass of ``verify_archive``'s checks."""
    check = ArchiveCheck()
    if not (root / "shiliao.db").is_file() or not (root / "objects").is_dir():
        raise StoreError(f"{root}: not a shiliao archive (no shiliao.db or objects/)")
    ocfl = OcflStore(root / "objects", staging=root / ".staging" / "ocfl", convert=False)
    if ocfl.layout != LAYOUT_EXTENSION:
        check.pending.append(
            f"objects/: storage layout {ocfl.layout}; moved to {LAYOUT_EXTENSION} when the "
            "archive is next opened"
        )
    elif ocfl.layout_conversion() is not None:
        check.pending.append(
            f"objects/: converted to {LAYOUT_EXTENSION}; the conversion is logged when the "
            "archive is next opened"
        )
    for problem in ocfl.verify():
        line = f"objects/{problem.message} [{problem.code}]"
        (check.warnings if problem.warning else check.problems).append(line)

    log_dir = root / "log"
    certificates = load_tsa_certificates(tsa_certs) if tsa_certs is not None else None
    if vkey is None:
        try:
            vkey = (log_dir / "key.vkey").read_text(encoding="ascii").strip()
        except OSError:
            check.problems.append("log/key.vkey: missing; pass the archive's key with --key")
    if vkey is not None:
        try:
            found = verify_log(log_dir, vkey, against=against, tsa_certificates=certificates)
            check.problems.extend(str(p) for p in found)
        except ShiliaoError as exc:
            check.problems.append(f"log: {exc}")
    check.checkpoints = len(list((log_dir / "checkpoints").glob("*.txt")))
    tokens = len(list((log_dir / "checkpoints").glob(f"*{TOKEN_SUFFIX}")))
    if tokens and certificates is None:
        check.warnings.append(
            f"log/checkpoints: {tokens} RFC 3161 timestamp(s) checked for their message imprint "
            "only; pass the TSA certificates you trust (--tsa-certs) to check who signed them"
        )

    entries = _log_lines(log_dir)
    check.log_entries = len(entries)
    logged: dict[tuple[str, int, str], dict] = {}
    for number, entry in enumerate(entries):
        if entry is None or entry.get("kind") != "file_captured":
            continue
        data = entry.get("data") or {}
        # The store's logical paths are NFC; a path logged in another form names the same file.
        path = unicodedata.normalize("NFC", str(data.get("path")))
        if path != str(data.get("path")):
            check.warnings.append(
                f"log entry {entry.get('index', number)}: path {data.get('path')!r} is not in "
                f"NFC; compared with the store as {path!r}"
            )
        key = (str(data.get("object_id")), int(data.get("version") or 0), path)
        logged[key] = {**data, "index": entry.get("index", number)}

    stored: set[tuple[str, int, str]] = set()
    pending = {(note["object_id"], note["path"]) for note in pending_captures(root)}
    for object_id in ocfl.iter_objects():
        check.objects += 1
        try:
            _check_object(ocfl, object_id, logged, stored, pending, check)
        except ShiliaoError as exc:
            # The storage root check above has already named what is damaged in detail.
            check.problems.append(f"{object_id}: cannot be read: {exc}")
    for key, entry in sorted(logged.items()):
        if key not in stored:
            object_id, version, logical = key
            check.problems.append(
                f"{object_id} v{version} {logical}: log entry {entry['index']} records its "
                f"capture (sha256 {entry.get('sha256')}) but the store does not hold it"
            )

    with Catalog(root / "shiliao.db") as catalog:
        # The database keeps a copy of every entry; the first difference locates an edit that
        # the checkpoints' roots can only bound.
        copies = {event["log_index"]: event for event in catalog.events()}
        for number, entry in enumerate(entries):
            copy = copies.get(number)
            if copy is None:
                continue
            if entry is None or (entry.get("kind"), entry.get("time"), entry.get("data")) != (
                copy["kind"],
                copy["time"],
                copy["data"],
            ):
                check.problems.append(
                    f"log/entries.jsonl: entry {number} differs from the database's copy of it "
                    f"({copy['kind']} at {copy['time']}): the first bad entry"
                )
                break
        held = {row["sha256"] for row in catalog.file_versions()}
        for source in catalog.sources():
            if source.file_sha256 not in held:
                check.problems.append(
                    f"source {source.id}: its original (sha256 {source.file_sha256}) is not "
                    "among the stored files"
                )
    return check
