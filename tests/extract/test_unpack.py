"""Unpacking ZIP and TAR: nothing outside staging, no links, bombs stopped with nothing left."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from shiliao.errors import ExtractError, ExtractionLimit
from shiliao.extract.unpack import ARCHIVE_MEDIA_TYPES, unpack_archive, unpack_in_worker

from .craft import tar_of, zip_of


def files_under(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*")}


@pytest.fixture
def staging(tmp_path: Path) -> Path:
    folder = tmp_path / "staging"
    folder.mkdir()
    return folder


def test_zip_members_with_chinese_names(tmp_path: Path, staging: Path) -> None:
    archive = tmp_path / "2019.zip"
    archive.write_bytes(
        zip_of([("通知/关于结对认亲的通知.html", b"<html>1</html>"), ("README.txt", b"x")])
    )
    unpacked = unpack_archive(archive, staging)
    assert [(member.name, member.size) for member in unpacked.members] == [
        ("通知/关于结对认亲的通知.html", 14),
        ("README.txt", 1),
    ]
    assert unpacked.members[0].path.read_bytes() == b"<html>1</html>"
    assert unpacked.members[0].path.suffix == ".html"
    assert all(member.path.parent == unpacked.folder for member in unpacked.members)
    assert unpacked.folder.parent == staging and unpacked.skipped == []


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_zip_slip_names_are_refused_and_nothing_lands_outside(
    tmp_path: Path, staging: Path
) -> None:
    archive = tmp_path / "evil.zip"
    archive.write_bytes(
        zip_of(
            [
                ("../../outside.txt", b"escaped"),
                ("/etc/cron.d/evil", b"escaped"),
                ("C:\\Windows\\evil.bat", b"escaped"),
                ("ok/../../../outside2.txt", b"escaped"),
                ("good.txt", b"kept"),
                ("good.txt", b"second of the same name"),
            ]
        )
    )
    before = files_under(tmp_path) - files_under(staging)
    unpacked = unpack_archive(archive, staging)
    assert [member.name for member in unpacked.members] == ["good.txt"]
    assert unpacked.members[0].path.read_bytes() == b"kept"
    reasons = {skipped.name: skipped.reason for skipped in unpacked.skipped}
    assert reasons["../../outside.txt"] == "path leaves the archive ('..')"
    assert reasons["/etc/cron.d/evil"] == "absolute path"
    assert reasons["C:\\Windows\\evil.bat"] == "drive letter"
    assert reasons["good.txt"] == "a second member with this name"
    assert files_under(tmp_path) - files_under(staging) == before
    assert not (tmp_path.parent / "outside.txt").exists()


def test_symlinks_are_never_created(tmp_path: Path, staging: Path) -> None:
    # The classic: a link to a folder outside, then a file written "through" it.
    link = tarfile.TarInfo("docs")
    link.type, link.linkname = tarfile.SYMTYPE, str(tmp_path)
    hard = tarfile.TarInfo("hard")
    hard.type, hard.linkname = tarfile.LNKTYPE, "/etc/passwd"
    fifo = tarfile.TarInfo("pipe")
    fifo.type = tarfile.FIFOTYPE
    archive = tmp_path / "links.tar"
    archive.write_bytes(tar_of([link, ("docs/planted.txt", b"through the link"), hard, fifo]))
    unpacked = unpack_archive(archive, staging)
    reasons = {skipped.name: skipped.reason for skipped in unpacked.skipped}
    assert reasons == {"docs": "symbolic link", "hard": "hard link", "pipe": "not a regular file"}
    assert [member.name for member in unpacked.members] == ["docs/planted.txt"]
    assert not (tmp_path / "planted.txt").exists()
    assert not any(path.is_symlink() for path in staging.rglob("*"))

    zip_link = tmp_path / "links.zip"
    zip_link.write_bytes(
        zip_of([("docs", str(tmp_path).encode()), ("docs/x.txt", b"x")], symlinks=("docs",))
    )
    unpacked = unpack_archive(zip_link, staging)
    assert [(skipped.name, skipped.reason) for skipped in unpacked.skipped] == [
        ("docs", "symbolic link")
    ]
    assert not any(path.is_symlink() for path in staging.rglob("*"))


def test_tar_members_pass_the_data_filter(tmp_path: Path, staging: Path) -> None:
    archive = tmp_path / "t.tar.gz"
    archive.write_bytes(gzip.compress(tar_of([("a/b.txt", b"b"), ("../up.txt", b"u")])))
    unpacked = unpack_archive(archive, staging)
    assert [member.name for member in unpacked.members] == ["a/b.txt"]
    assert unpacked.skipped[0].name == "../up.txt"


def test_zip_bomb_stops_on_actual_bytes_and_leaves_nothing(tmp_path: Path, staging: Path) -> None:
    archive = tmp_path / "bomb.zip"
    archive.write_bytes(zip_of([(f"part{i}.txt", bytes(20 * 1024**2)) for i in range(6)]))
    assert archive.stat().st_size < 1024**2
    with pytest.raises(ExtractionLimit, match="more than 104857600 bytes"):
        unpack_archive(archive, staging, max_total_bytes=100 * 1024**2)
    assert list(staging.iterdir()) == []


def test_a_header_that_understates_the_size_is_caught(tmp_path: Path, staging: Path) -> None:
    data = bytearray(zip_of([("big.txt", bytes(5 * 1024**2))]))
    # Rewrite the declared size (local header and central directory) to 10 bytes.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(signature) + offset
        data[at : at + 4] = (10).to_bytes(4, "little")
    archive = tmp_path / "liar.zip"
    archive.write_bytes(bytes(data))
    unpacked = unpack_archive(archive, staging, max_member_bytes=1024**2)
    # zipfile reads no more than declared, then the CRC check fails: reported, not kept.
    assert unpacked.members == []
    assert unpacked.skipped[0].name == "big.txt" and "damaged" in unpacked.skipped[0].reason
    assert list(unpacked.folder.iterdir()) == []


def test_member_count_limit(tmp_path: Path, staging: Path) -> None:
    archive = tmp_path / "many.zip"
    archive.write_bytes(zip_of([(f"{i}.txt", b"x") for i in range(50)]))
    with pytest.raises(ExtractionLimit, match="more than 20 members"):
        unpack_archive(archive, staging, max_members=20)
    assert list(staging.iterdir()) == []


def test_nested_archives_to_a_depth(tmp_path: Path, staging: Path) -> None:
    inner = zip_of([("通知.txt", "结对认亲".encode())])
    middle = tar_of([("inner.zip", inner)])
    outer = tmp_path / "outer.zip"
    outer.write_bytes(zip_of([("middle.tar", middle), ("top.txt", b"t")]))
    unpacked = unpack_archive(outer, staging)
    assert [member.name for member in unpacked.members] == [
        "middle.tar/inner.zip/通知.txt",
        "top.txt",
    ]
    assert unpacked.members[0].path.read_bytes() == "结对认亲".encode()
    # Too deep: that archive is skipped with the reason; its siblings are kept.
    shallow = unpack_archive(outer, staging, max_depth=2)
    assert [member.name for member in shallow.members] == ["top.txt"]
    assert [(m.name, m.reason) for m in shallow.skipped] == [
        ("middle.tar/inner.zip", "an archive nested deeper than 2 levels")
    ]


def test_member_names_in_gbk_are_read_as_chinese(tmp_path: Path, staging: Path) -> None:
    # Chinese Windows writes GBK names into ZIPs without the UTF-8 flag, and into TARs.
    gbk = "通知/名单.txt".encode("gbk")
    placeholder = b"A" * len(gbk)
    zipped = zip_of([(placeholder.decode(), b"x")]).replace(placeholder, gbk)
    (tmp_path / "gbk.zip").write_bytes(zipped)
    tarred = io.BytesIO()
    with tarfile.open(fileobj=tarred, mode="w", format=tarfile.GNU_FORMAT, encoding="gbk") as tar:
        member = tarfile.TarInfo("你好.txt")
        member.size = 1
        tar.addfile(member, io.BytesIO(b"y"))
    (tmp_path / "gbk.tar").write_bytes(tarred.getvalue())
    assert [m.name for m in unpack_archive(tmp_path / "gbk.zip", staging).members] == [
        "通知/名单.txt"
    ]
    assert [m.name for m in unpack_in_worker(tmp_path / "gbk.tar", staging).members] == ["你好.txt"]


def test_single_gzip_file(tmp_path: Path, staging: Path) -> None:
    archive = tmp_path / "notice.html.gz"
    archive.write_bytes(gzip.compress(b"<html>notice</html>"))
    unpacked = unpack_archive(archive, staging)
    assert [(member.name, member.path.read_bytes()) for member in unpacked.members] == [
        ("notice.html", b"<html>notice</html>")
    ]


def test_not_an_archive(tmp_path: Path, staging: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("plain")
    with pytest.raises(ExtractError, match="not an archive"):
        unpack_archive(path, staging)
    assert list(staging.iterdir()) == []


def test_encrypted_zip_member_is_skipped(tmp_path: Path, staging: Path) -> None:
    data = bytearray(zip_of([("secret.txt", b"x" * 100)]))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature) + offset
        data[at] |= 0x01  # general purpose flag bit 0: encrypted
    archive = tmp_path / "locked.zip"
    archive.write_bytes(bytes(data))
    unpacked = unpack_archive(archive, staging)
    assert unpacked.skipped[0].reason.startswith("encrypted")


def test_archive_media_types() -> None:
    assert {"application/zip", "application/x-tar", "application/gzip"} == ARCHIVE_MEDIA_TYPES
    assert isinstance(zipfile.ZipFile(io.BytesIO(zip_of([("a", b"")]))), zipfile.ZipFile)


def test_the_worker_unpacks_as_this_process_does(tmp_path: Path, staging: Path) -> None:
    archive = tmp_path / "2019.zip"
    archive.write_bytes(zip_of([("通知/一.txt", "一".encode()), ("../up.txt", b"u")]))
    here = unpack_archive(archive, staging)
    there = unpack_in_worker(archive, staging)
    assert [(m.name, m.size, m.path.read_bytes()) for m in there.members] == [
        (m.name, m.size, m.path.read_bytes()) for m in here.members
    ]
    assert there.skipped == here.skipped and there.folder.parent == staging


def test_the_worker_reports_a_damaged_archive_and_a_timeout(tmp_path: Path, staging: Path) -> None:
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(b"PK\x03\x04" + bytes(64))
    with pytest.raises(ExtractError, match="not a readable ZIP"):
        unpack_in_worker(damaged, staging)
    archive = tmp_path / "big.zip"
    archive.write_bytes(zip_of([("a.txt", b"a")]))
    with pytest.raises(ExtractionLimit, match="timed out"):
        unpack_in_worker(archive, staging, timeout_s=0.01)
