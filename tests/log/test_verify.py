"""verify_log against every kind of tampering, and the third party's proof bundle check."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from shiliao.errors import IntegrityError, ProofError, SignatureError
from shiliao.log import (
    Checkpoint,
    Log,
    SigningKey,
    load_or_create_key,
    make_proof_bundle,
    open_archive_log,
    sign_checkpoint,
    verify_checkpoint,
    verify_checkpoint_consistency,
    verify_inclusion,
    verify_log,
    verify_proof_bundle,
    write_checkpoint,
)
from tests.conftest import FIXTURES

REAL_FILE = FIXTURES / "html" / "shanxi-gov-portal-news.html"
REAL_INDEX = 12
CHECKPOINT_SIZES = (10, 20, 35, 50)


@dataclass
class Archive:
    log: Log
    key: SigningKey
    checkpoints: dict[int, Checkpoint]

    @property
    def entries_path(self) -> Path:
        return self.log.path / "entries.jsonl"

    def lines(self) -> list[bytes]:
        return self.entries_path.read_bytes().split(b"\n")[:-1]

    def write_lines(self, lines: list[bytes]) -> None:
        self.entries_path.write_bytes(b"".join(line + b"\n" for line in lines))

    def problems(self) -> list[tuple[str, int | None, str]]:
        return [(p.path, p.index, p.message) for p in verify_log(self.log.path, self.vkey)]

    @property
    def vkey(self) -> str:
        return str(self.key.verifier())


def captured(data: bytes, source_id: str, path: str) -> dict[str, str]:
    return {
        "source_id": source_id,
        "sha256": hashlib.sha256(data).hexdigest(),
        "sha512": hashlib.sha512(data).hexdigest(),
        "path": path,
    }


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    """50 entries, one of them a real government page, checkpointed at 10, 20, 35 and 50."""
    log = open_archive_log(tmp_path, origin="example.org/xj-archive")
    key = load_or_create_key(log.path)
    checkpoints = {}
    for index in range(50):
        if index == REAL_INDEX:
            data = captured(REAL_FILE.read_bytes(), "shanxi-news", f"sources/{REAL_FILE.name}")
            log.append("file_captured", data)
        else:
            body = f"第{index}号通知".encode()
            log.append("file_captured", captured(body, f"notice-{index}", f"sources/{index}.txt"))
        if log.size in CHECKPOINT_SIZES:
            checkpoints[log.size] = write_checkpoint(log, key)
    return Archive(log, key, checkpoints)


def replace_file(path: Path, data: bytes | str) -> None:
    path.chmod(0o644)  # stored checkpoints are read-only
    path.write_bytes(data.encode() if isinstance(data, str) else data)


def test_untouched_log_passes(archive: Archive) -> None:
    assert archive.problems() == []


def test_edited_entry_byte_is_caught_by_the_checkpoints_after_it(archive: Archive) -> None:
    lines = archive.lines()
    digest = json.loads(lines[27])["data"]["sha256"].encode()
    edited = digest[:-1] + (b"0" if digest[-1:] != b"0" else b"1")
    lines[27] = lines[27].replace(digest, edited)
    archive.write_lines(lines)
    problems = archive.problems()
    assert not [p for p in problems if p[0] == "entries.jsonl"]  # still a well-formed line
    assert ("checkpoints/35.txt", 20) in [p[:2] for p in problems]
    assert ("checkpoints/50.txt", 20) in [p[:2] for p in problems]
    assert not [p for p in problems if p[0] in ("checkpoints/10.txt", "checkpoints/20.txt")]


def test_edited_byte_that_breaks_the_line_is_named(archive: Archive) -> None:
    lines = archive.lines()
    lines[27] = b"[" + lines[27][1:]
    archive.write_lines(lines)
    problems = archive.problems()
    assert problems[0][:2] == ("entries.jsonl", 27)
    assert "line 28" in problems[0][2]


def test_deleted_entry_is_named(archive: Archive) -> None:
    lines = archive.lines()
    del lines[27]
    archive.write_lines(lines)
    problems = archive.problems()
    assert problems[0][:2] == ("entries.jsonl", 27)
    assert "holds index 28 where index 27 belongs" in problems[0][2]
    assert ("checkpoints/35.txt", 20) in [p[:2] for p in problems]
    assert ("checkpoints/50.txt", 49) in [p[:2] for p in problems]


def test_swapped_entries_are_named(archive: Archive) -> None:
    lines = archive.lines()
    lines[27], lines[28] = lines[28], lines[27]
    archive.write_lines(lines)
    problems = archive.problems()
    assert problems[0][:2] == ("entries.jsonl", 27)
    assert "moved" in problems[0][2]
    assert ("checkpoints/35.txt", 20) in [p[:2] for p in problems]


def test_truncated_log_is_reported_as_shorter_than_its_checkpoints(archive: Archive) -> None:
    archive.write_lines(archive.lines()[:30])
    problems = archive.problems()
    assert [p[:2] for p in problems] == [("checkpoints/35.txt", 30), ("checkpoints/50.txt", 30)]
    assert "signed 35 entries but the log has 30" in problems[0][2]


def test_edited_checkpoint_root_fails_its_signature(archive: Archive) -> None:
    path = archive.log.path / "checkpoints" / "20.txt"
    forged_root = base64.b64encode(archive.log.root_hash(19)).decode()
    replace_file(path, path.read_text().replace(archive.checkpoints[20].root_hash_b64, forged_root))
    problems = archive.problems()
    assert [p[:2] for p in problems] == [("checkpoints/20.txt", None)]
    assert "does not verify" in problems[0][2]


def test_checkpoint_signed_by_another_key_is_reported(archive: Archive) -> None:
    impostor = SigningKey.generate(archive.key.name)
    forged = sign_checkpoint(impostor, 35, archive.log.root_hash(35), "2025-06-01T00:00:00Z")
    replace_file(archive.log.path / "checkpoints" / "35.txt", forged.note)
    problems = archive.problems()
    assert [p[:2] for p in problems] == [("checkpoints/35.txt", None)]
    assert "not signed by key" in problems[0][2]


def test_history_rewritten_and_resigned_with_the_archive_key_breaks_consistency(
    archive: Archive,
) -> None:
    lines = archive.lines()
    lines[5] = lines[5].replace(b"notice-5", b"notice-X")
    archive.write_lines(lines)
    rewritten = Log.open(archive.log.path)
    resigned = sign_checkpoint(archive.key, 50, rewritten.root_hash(), "2025-06-02T00:00:00Z")
    replace_file(archive.log.path / "checkpoints" / "50.txt", resigned.note)
    replace_file(archive.log.path / "checkpoint", resigned.note)
    problems = archive.problems()
    assert ("checkpoints/10.txt", 0) in [p[:2] for p in problems]
    assert any(
        path == "checkpoints/50.txt" and "not consistent with checkpoints/35.txt" in message
        for path, _, message in problems
    )


def test_rolled_back_latest_checkpoint_and_replaced_key_are_reported(archive: Archive) -> None:
    replace_file(archive.log.path / "checkpoint", archive.checkpoints[20].note)
    other = SigningKey.generate(archive.key.name)
    (archive.log.path / "key.vkey").write_text(f"{other.verifier()}\n")
    problems = archive.problems()
    assert [p[0] for p in problems] == ["key.vkey", "checkpoint"]
    assert "is not checkpoints/50.txt" in problems[1][2]


def test_proof_bundle_verifies_a_real_file(archive: Archive) -> None:
    real = REAL_FILE.read_bytes()
    for size in (20, 50):
        bundle = make_proof_bundle(archive.log, REAL_INDEX, archive.checkpoints[size])
        verified = verify_proof_bundle(real, bundle, archive.vkey)
        assert verified.entry.index == REAL_INDEX
        assert verified.entry.data["source_id"] == "shanxi-news"
        assert verified.checkpoint == archive.checkpoints[size]
    parsed = json.loads(bundle)
    assert set(parsed) == {"format", "entry", "index", "tree_size", "hashes", "checkpoint"}
    assert parsed["entry"].encode() == archive.log.entry(REAL_INDEX).line
    assert parsed["tree_size"] == 50 and len(parsed["hashes"]) == 6


def test_proof_bundle_rejects_a_changed_byte(archive: Archive) -> None:
    real = bytearray(REAL_FILE.read_bytes())
    real[len(real) // 2] ^= 0x01
    bundle = make_proof_bundle(archive.log, REAL_INDEX, archive.checkpoints[50])
    with pytest.raises(IntegrityError) as raised:
        verify_proof_bundle(bytes(real), bundle, archive.vkey)
    assert raised.value.algorithm == "sha256"
    assert raised.value.path == f"sources/{REAL_FILE.name}"


def test_proof_bundle_rejects_a_checkpoint_signed_by_another_key(archive: Archive) -> None:
    real = REAL_FILE.read_bytes()
    bundle = json.loads(make_proof_bundle(archive.log, REAL_INDEX, archive.checkpoints[50]))
    impostor = SigningKey.generate(archive.key.name)
    bundle["checkpoint"] = sign_checkpoint(
        impostor, 50, archive.log.root_hash(50), "2025-06-01T00:00:00Z"
    ).note
    with pytest.raises(SignatureError):
        verify_proof_bundle(real, bundle, archive.vkey)
    honest = make_proof_bundle(archive.log, REAL_INDEX, archive.checkpoints[50])
    with pytest.raises(SignatureError):
        verify_proof_bundle(real, honest, impostor.verifier())


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("index", REAL_INDEX + 1, "not the entry's own index"),
        ("tree_size", 49, "tree size"),
        ("hashes", None, "inclusion proof"),
        ("format", "other/1", "not a proof bundle"),
    ],
)
def test_proof_bundle_rejects_altered_fields(
    archive: Archive, field: str, value: object, message: str
) -> None:
    bundle = json.loads(make_proof_bundle(archive.log, REAL_INDEX, archive.checkpoints[50]))
    if field == "hashes":
        bundle["hashes"] = list(reversed(bundle["hashes"]))
    else:
        bundle[field] = value
    with pytest.raises(ProofError, match=message):
        verify_proof_bundle(REAL_FILE.read_bytes(), bundle, archive.vkey)


def test_verify_inclusion_for_a_bare_entry(archive: Archive) -> None:
    latest = archive.checkpoints[50]
    line = archive.log.entry(30).line
    proof = archive.log.inclusion_proof(30, 50)
    assert verify_inclusion(line, 30, proof, latest.note, archive.vkey) == latest
    with pytest.raises(ProofError):
        verify_inclusion(line, 31, proof, latest.note, archive.vkey)
    with pytest.raises(ProofError):
        verify_inclusion(archive.log.entry(29).line, 30, proof, latest.note, archive.vkey)


def test_checkpoint_consistency_for_whoever_kept_an_old_checkpoint(
    archive: Archive, tmp_path: Path
) -> None:
    old, new = archive.checkpoints[20], archive.checkpoints[50]
    proof = archive.log.consistency_proof(20, 50)
    assert verify_checkpoint_consistency(old.note, new.note, proof, archive.vkey) == new
    with pytest.raises(ProofError, match="older"):
        verify_checkpoint_consistency(new.note, old.note, proof, archive.vkey)
    # A fork: the same first 20 entries, then others, signed with the same key.
    (tmp_path / "fork").mkdir()
    (tmp_path / "fork" / "entries.jsonl").write_bytes(
        b"".join(line + b"\n" for line in archive.lines()[:20])
    )
    fork = Log.open(tmp_path / "fork")
    assert fork.root_hash() == old.root_hash
    for index in range(20, 50):
        fork.append("source_deleted", {"source_id": f"notice-{index}"})
    forked = sign_checkpoint(archive.key, 50, fork.root_hash(), "2025-06-02T00:00:00Z")
    # It does extend checkpoint 20 (same first 20 entries), but not 35, which saw others.
    fork_proof = fork.consistency_proof(20, 50)
    assert verify_checkpoint_consistency(old.note, forked.note, fork_proof, archive.vkey)
    seen = archive.checkpoints[35]
    for proof_from in (archive.log, fork):
        with pytest.raises(ProofError, match="does not extend"):
            verify_checkpoint_consistency(
                seen.note, forked.note, proof_from.consistency_proof(35, 50), archive.vkey
            )
    assert verify_checkpoint(forked.note, archive.vkey).size == 50  # validly signed, yet a fork
