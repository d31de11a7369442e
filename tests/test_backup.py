"""Encrypted backups and the restore drill: `shiliao backup` and `shiliao restore` (issue 15)."""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import shutil
import tarfile
import threading
import time
from pathlib import Path

import pyrage
import pytest
from click.testing import CliRunner
from pyrage import x25519

from shiliao.archive import open_archive
from shiliao.cli import main
from shiliao.collection import read_collection
from shiliao.config import load_settings
from shiliao.log import load_or_create_key
from shiliao.operations.backup import BackupKeys, backup_archive
from shiliao.operations.ingest import ingest
from shiliao.operations.review import privacy_key

BACKUP_KEYS = {
    "archive",
    "backup",
    "sealed_key",
    "created",
    "files",
    "bytes",
    "encrypted_bytes",
    "log_entries",
    "checkpoint",
    "recipients",
    "passphrase",
    "left_out",
    "warnings",
    "seconds",
}
RESTORE_KEYS = {"ok", "backup", "target", "created", "files", "bytes", "checkpoint", "seconds"}
VERIFY_KEYS = {
    "ok",
    "problems",
    "pending",
    "objects",
    "files",
    "bytes",
    "log_entries",
    "checkpoints",
    "seconds",
}
SIDECAR = "each_line:\n  title: '{title}'\n  date: '{date}'\n  text: body\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small archive: a JSON-lines file of two notices and a text file with a Chinese name,
    ingested, with its privacy key, and checkpointed; built once, copied for each test."""
    base = tmp_path_factory.mktemp("built")
    sources = base / "collection" / "sources"
    sources.mkdir(parents=True)
    lines = [
        json.dumps({"title": f"通知{i}", "date": f"201{i}", "body": body}, ensure_ascii=False)
        for i, body in enumerate(["干部开展结亲活动。", "民族团结一家亲。"])
    ]
    (sources / "notices.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (sources / "notices.jsonl.yaml").write_text(SIDECAR, encoding="utf-8")
    (sources / "结亲周.txt").write_text("各族干部职工与结亲户同吃同住同劳动同学习。\n", "utf-8")
    root = base / "archive"
    with open_archive(root, create=True) as opened:
        collection = read_collection(base / "collection")
        ingest(opened, collection, load_settings(base / "collection"))
        privacy_key(opened)
        opened.checkpoint()
    return root


@pytest.fixture
def archive(built: Path, tmp_path: Path) -> Path:
    """A copy of the small archive that the test may change or destroy."""
    return Path(shutil.copytree(built, tmp_path / "archive"))


@pytest.fixture
def identity(tmp_path: Path) -> tuple[x25519.Identity, Path]:
    """A fresh age identity and its file, kept outside the archive and the backup folder."""
    made = x25519.Identity.generate()
    path = tmp_path / "keys" / "backup-key.txt"
    path.parent.mkdir()
    path.write_text(f"# public key: {made.to_public()}\n{made}\n", encoding="ascii")
    return made, path


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def _digests(root: Path, folder: str) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted((root / folder).rglob("*"))
        if path.is_file() and path.name != "lock"
    }


def _backup(archive: Path, dest: Path, *keys: str, env: dict[str, str] | None = None) -> dict:
    code, output = _run("backup", str(archive), str(dest), *keys, "--json", env=env)
    assert code == 0, output
    return json.loads(output)


def _nothing_restored(target: Path) -> None:
    assert not target.exists()
    assert not [p for p in target.parent.iterdir() if ".restoring-" in p.name]


def test_restore_drill(archive: Path, identity: tuple[x25519.Identity, Path], tmp_path) -> None:
    made, key_file = identity
    vkey = (archive / "log" / "key.vkey").read_text(encoding="ascii").strip()
    objects, log = _digests(archive, "objects"), _digests(archive, "log")
    privacy = (archive / "privacy.key").read_bytes()
    written = _backup(archive, tmp_path / "backups", "-r", str(made.to_public()))
    assert set(written) == BACKUP_KEYS
    backup = Path(written["backup"])
    assert backup.parent == tmp_path / "backups"
    assert backup.name.startswith("shiliao-") and backup.name.endswith("Z.tar.age")
    data = backup.read_bytes()
    assert data.startswith(b"age-encryption.org/v1\n")
    assert "结亲".encode() not in data and b"shiliao-backup.json" not in data
    assert written["checkpoint"]["size"] == written["log_entries"] > 0
    assert written["sealed_key"] is None and not written["passphrase"]
    assert written["warnings"] == []

    shutil.rmtree(archive)

    target = tmp_path / "restored"
    code, output = _run(
        "restore", str(backup.parent), str(target), "-i", str(key_file), "--key", vkey, "--json"
    )
    assert code == 0, output
    restored = json.loads(output)
    assert set(restored) == RESTORE_KEYS | {"verify"}
    assert set(restored["verify"]) == VERIFY_KEYS
    assert restored["ok"] and restored["verify"]["ok"], restored["verify"]["problems"]
    assert restored["verify"]["problems"] == []
    assert restored["files"] == written["files"] and restored["bytes"] == written["bytes"]
    assert restored["checkpoint"] == written["checkpoint"]
    assert restored["verify"]["objects"] >= 3
    # Every original, every log file (entries, checkpoints, keys) byte for byte.
    assert _digests(target, "objects") == objects
    assert _digests(target, "log") == log
    assert (target / "privacy.key").read_bytes() == privacy
    # The restored archive works: it opens and its search index is made again.
    code, output = _run("search", str(target), "结亲")
    assert code == 0 and "结亲" in output, output


@pytest.mark.parametrize(
    "damage", ["flip a byte", "flip a byte of the last chunk", "cut the end", "flip a header byte"]
)
def test_a_changed_backup_fails_and_restores_nothing(
    archive: Path, identity: tuple[x25519.Identity, Path], tmp_path: Path, damage: str
) -> None:
    made, key_file = identity
    backup = Path(_backup(archive, tmp_path / "backups", "-r", str(made.to_public()))["backup"])
    data = bytearray(backup.read_bytes())
    if damage == "flip a byte":
        data[len(data) // 2] ^= 0x01
    elif damage == "flip a byte of the last chunk":
        data[-50] ^= 0x01
    elif damage == "cut the end":
        del data[-100:]
    else:
        data[data.index(b"\n-> X25519 ") + 20] ^= 0x01
    backup.write_bytes(bytes(data))
    target = tmp_path / "restored"
    code, output = _run("restore", str(backup), str(target), "-i", str(key_file))
    assert code == 1
    assert "nothing was restored" in output
    if damage != "flip a header byte":
        assert "damaged or was changed" in output
    assert "Traceback" not in output and len(output.strip().splitlines()) == 1
    _nothing_restored(target)


def test_a_wrong_identity_fails(
    archive: Path, identity: tuple[x25519.Identity, Path], tmp_path: Path
) -> None:
    made, _ = identity
    backup = _backup(archive, tmp_path / "backups", "-r", str(made.to_public()))["backup"]
    other = tmp_path / "keys" / "other.txt"
    other.write_text(f"{x25519.Identity.generate()}\n", encoding="ascii")
    target = tmp_path / "restored"
    code, output = _run("restore", backup, str(target), "-i", str(other))
    assert code == 1
    assert "none of the keys given opens it" in output
    _nothing_restored(target)


def test_keys_inside_the_backup_folder_or_archive_are_refused(
    archive: Path, identity: tuple[x25519.Identity, Path], tmp_path: Path
) -> None:
    _, key_file = identity
    dest = tmp_path / "backups"
    dest.mkdir()
    for inside in (dest / "key.txt", archive / "key.txt"):
        shutil.copy(key_file, inside)
        code, output = _run("backup", str(archive), str(dest), "-i", str(inside))
        assert code == 1
        assert "inside the" in output and "is refused" in output, output
        inside.unlink()
        passphrase = inside.with_name("passphrase.txt")
        passphrase.write_text("correct horse battery staple\n", encoding="utf-8")
        code, output = _run("backup", str(archive), str(dest), "--passphrase-file", str(passphrase))
        assert code == 1 and "is refused" in output, output
        passphrase.unlink()
    assert list(dest.iterdir()) == []

    backup = _backup(archive, dest, "-i", str(key_file))["backup"]
    shutil.copy(key_file, dest / "key.txt")
    target = tmp_path / "restored"
    code, output = _run("restore", backup, str(target), "-i", str(dest / "key.txt"))
    assert code == 1 and "inside the backup folder" in output, output
    _nothing_restored(target)


def test_an_unencrypted_backup_is_refused(archive: Path, tmp_path: Path) -> None:
    code, output = _run("backup", str(archive), str(tmp_path / "backups"))
    assert code == 1
    assert "refusing to write an unencrypted backup" in output
    assert not (tmp_path / "backups").exists() or list((tmp_path / "backups").iterdir()) == []


def test_a_passphrase_backup(archive: Path, tmp_path: Path) -> None:
    env = {"SHILIAO_TEST_PASSPHRASE": "同吃同住 correct horse"}
    written = _backup(
        archive, tmp_path / "backups", "--passphrase-env", "SHILIAO_TEST_PASSPHRASE", env=env
    )
    assert written["passphrase"] and written["recipients"] == []
    sealed = Path(written["sealed_key"])
    assert sealed.read_bytes().startswith(b"age-encryption.org/v1\n-> scrypt ")
    assert b"AGE-SECRET-KEY" not in sealed.read_bytes()

    wrong = tmp_path / "keys" / "wrong.txt"
    wrong.parent.mkdir()
    wrong.write_text("incorrect horse\n", encoding="utf-8")
    code, output = _run(
        "restore", written["backup"], str(tmp_path / "r"), "--passphrase-file", str(wrong)
    )
    assert code == 1 and "the passphrase does not open" in output, output
    _nothing_restored(tmp_path / "r")

    code, output = _run(
        "restore",
        written["backup"],
        str(tmp_path / "r"),
        "--passphrase-env",
        "SHILIAO_TEST_PASSPHRASE",
        env=env,
    )
    assert code == 0, output
    assert output.splitlines()[-1].startswith("verified: ")


def test_restore_refuses_a_target_that_is_not_empty(
    archive: Path, identity: tuple[x25519.Identity, Path], tmp_path: Path
) -> None:
    made, key_file = identity
    backup = _backup(archive, tmp_path / "backups", "-r", str(made.to_public()))["backup"]
    target = tmp_path / "restored"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    code, output = _run("restore", backup, str(target), "-i", str(key_file))
    assert code == 1 and "is not empty" in output
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    # An empty folder is fine.
    (target / "notes.txt").unlink()
    code, output = _run("restore", backup, str(target), "-i", str(key_file))
    assert code == 0, output


def test_a_backup_waits_for_a_writer(
    archive: Path, identity: tuple[x25519.Identity, Path], tmp_path: Path
) -> None:
    """A commit in progress holds the OCFL writer lock: the backup starts after it."""
    made, _ = identity
    reports = []
    with open(archive / ".staging" / "ocfl.lock", "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        worker = threading.Thread(
            target=lambda: reports.append(
                backup_archive(
                    archive, tmp_path / "b", BackupKeys(recipients=(str(made.to_public()),))
                )
            )
        )
        worker.start()
        time.sleep(0.5)
        assert worker.is_alive() and not reports
        assert not list((tmp_path / "b").glob("*.tar.age"))
        fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
    worker.join(timeout=30)
    assert reports and reports[0].path.is_file()


def test_a_forged_backup_cannot_write_outside_the_target(
    identity: tuple[x25519.Identity, Path], tmp_path: Path
) -> None:
    """Whoever knows the public key can write a backup: its paths are checked."""
    made, key_file = identity
    stream = io.BytesIO()
    with tarfile.open(fileobj=stream, mode="w", format=tarfile.PAX_FORMAT) as tar:
        member = tarfile.TarInfo("objects/../../escaped.txt")
        member.size = 4
        tar.addfile(member, io.BytesIO(b"evil"))
    forged = tmp_path / "backups" / "shiliao-20260101T000000Z.tar.age"
    forged.parent.mkdir()
    forged.write_bytes(pyrage.encrypt(stream.getvalue(), [made.to_public()]))
    target = tmp_path / "restored"
    code, output = _run("restore", str(forged), str(target), "-i", str(key_file))
    assert code == 1 and "which no shiliao backup holds" in output, output
    assert not (tmp_path / "escaped.txt").exists()
    _nothing_restored(target)


def test_a_restore_checked_with_another_archives_key_fails(
    archive: Path, identity: tuple[x25519.Identity, Path], tmp_path: Path
) -> None:
    """A backup anyone could have written to the public key is tied to the archive by its
    signed log: with another verifier key, the restored archive does not verify."""
    made, key_file = identity
    backup = _backup(archive, tmp_path / "backups", "-r", str(made.to_public()))["backup"]
    (tmp_path / "other-log").mkdir()
    other = str(load_or_create_key(tmp_path / "other-log").verifier())
    target = tmp_path / "restored"
    code, output = _run("restore", backup, str(target), "-i", str(key_file), "--key", other)
    assert code == 1
    assert "problem(s) in" in output.splitlines()[-1]
    # The restore itself is complete: it is what the backup held.
    assert _digests(target, "objects") == _digests(archive, "objects")


def test_what_cannot_be_backed_up_is_said(
    archive: Path, identity: tuple[x25519.Identity, Path], tmp_path: Path
) -> None:
    made, key_file = identity
    (archive / "notes.txt").write_text("an editor's notes", encoding="utf-8")
    written = _backup(archive, tmp_path / "backups", "-r", str(made.to_public()))
    assert any("notes.txt: not backed up" in warning for warning in written["warnings"])

    (archive / "objects" / "elsewhere").symlink_to(tmp_path / "keys")
    code, output = _run("backup", str(archive), str(tmp_path / "more"), "-i", str(key_file))
    assert code == 1 and "not a plain file or folder (a link?)" in output, output
    assert list((tmp_path / "more").iterdir()) == []

    not_age = tmp_path / "backups" / "shiliao-20200101T000000Z.tar.age"
    not_age.write_bytes(b"hello")
    code, output = _run("restore", str(not_age), str(tmp_path / "r"), "-i", str(key_file))
    assert code == 1 and "not an age-encrypted file" in output
