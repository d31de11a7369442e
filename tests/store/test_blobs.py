"""Originals kept by digest: atomic, read-only, verified."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from shiliao.errors import BlobNotFound, IntegrityError, StoreError
from shiliao.store import FsBlobStore


def test_put_is_content_addressed_and_read_only(tmp_path: Path) -> None:
    data = "结亲周 亲人更亲\n".encode()
    source = tmp_path / "a.txt"
    source.write_bytes(data)
    store = FsBlobStore(tmp_path / "objects")
    sha256, size = store.put_file(source)
    assert sha256 == hashlib.sha256(data).hexdigest() and size == len(data)
    stored = tmp_path / "objects" / "sha256" / sha256[:2] / sha256[2:4] / sha256
    assert stored.read_bytes() == data
    assert stored.stat().st_mode & 0o222 == 0
    copy = tmp_path / "b.txt"
    copy.write_bytes(data)
    assert store.put_file(copy) == (sha256, size)
    assert list(store.iter_digests()) == [sha256]
    assert not list((tmp_path / "objects" / "tmp").iterdir())
    with store.open(sha256) as handle:
        assert handle.read() == data
    store.verify(sha256)


def test_verify_names_a_flipped_byte(tmp_path: Path) -> None:
    source = tmp_path / "a.bin"
    source.write_bytes(bytes(range(256)) * 10)
    store = FsBlobStore(tmp_path / "objects")
    sha256, _ = store.put_file(source)
    stored = tmp_path / "objects" / "sha256" / sha256[:2] / sha256[2:4] / sha256
    stored.chmod(0o644)
    data = bytearray(stored.read_bytes())
    data[100] ^= 0x01
    stored.write_bytes(bytes(data))
    with pytest.raises(IntegrityError) as caught:
        store.verify(sha256)
    assert caught.value.expected == sha256
    assert caught.value.found == hashlib.sha256(bytes(data)).hexdigest()
    assert str(stored) in str(caught.value)


def test_missing_and_malformed_digests(tmp_path: Path) -> None:
    store = FsBlobStore(tmp_path / "objects")
    with pytest.raises(BlobNotFound):
        store.open("0" * 64)
    with pytest.raises(StoreError, match="not a SHA-256"):
        store.open("../../etc/passwd")
    assert not store.exists("f" * 64)
