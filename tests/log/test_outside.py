"""Checkpoints copied outside the archive, and the log checked against them: truncation and
forks that nothing inside the archive shows any more (sigstore/rekor #1001)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from shiliao.cli import main
from shiliao.errors import CheckpointError, PublicationError
from shiliao.log import Log, SigningKey, open_archive_log, verify_log, write_checkpoint
from shiliao.log.keys import key_history, load_signing_key
from shiliao.log.outside import copy_to_folder, submit_to_witness
from tests.log.servers import witness

pytestmark = pytest.mark.timeout(120)


def _log(root: Path, entries: int) -> Log:
    log = open_archive_log(root)
    for number in range(entries):
        log.append("metadata_edited", {"source_id": f"s{number}"})
    return log


def _checkpoint(archive: Path, *options: str) -> dict:
    result = CliRunner().invoke(main, ["checkpoint", str(archive), "--json", *options])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _publish(log: Log, folder: Path) -> list[Path]:
    key = load_signing_key(log)
    checkpoint = write_checkpoint(log, key)
    history = key_history(log, key.verifier())
    return copy_to_folder(
        folder, checkpoint, log.path, history, log.root_hash, log.consistency_proof, log.size
    )


def _cut(log_dir: Path, entries: int) -> None:
    """What someone who holds the archive does to hide entries: cut the log and remove every
    checkpoint past the cut, and make the latest copy the one that still fits."""
    path = log_dir / "entries.jsonl"
    lines = path.read_bytes().split(b"\n")[:entries]
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    for stored in (log_dir / "checkpoints").glob("*.txt"):
        if int(stored.stem) > entries:
            stored.unlink()
    shutil.copyfile(log_dir / "checkpoints" / f"{entries}.txt", log_dir / "checkpoint")


def test_a_folder_copy_holds_the_checkpoint_and_is_not_rewritten(tmp_path: Path) -> None:
    archive, outside = tmp_path / "a", tmp_path / "outside"
    _log(archive, 3)
    payload = _checkpoint(archive, "--publish", str(outside))
    assert payload["copies"] == [str(outside.resolve())]
    note = (archive / "log" / "checkpoints" / "3.txt").read_bytes()
    assert (outside / "3.txt").read_bytes() == note
    assert (outside / "checkpoint").read_bytes() == note
    assert (outside / "key.vkey").read_text().strip() == payload["vkey"]
    log = open_archive_log(archive)
    assert _publish(log, outside) == []  # already there: nothing written
    assert verify_log(archive / "log", payload["vkey"], against=[outside]) == []


def test_truncation_is_caught_by_the_outside_copy_alone(tmp_path: Path) -> None:
    archive, outside = tmp_path / "a", tmp_path / "outside"
    log = _log(archive, 3)
    _publish(log, outside)
    for number in range(4):
        log.append("metadata_edited", {"source_id": f"later{number}"})
    _publish(log, outside)
    vkey = (archive / "log" / "key.vkey").read_text().strip()

    _cut(archive / "log", 3)
    # Inside the archive nothing remembers the 4 entries cut.
    assert verify_log(archive / "log", vkey) == []
    problems = verify_log(archive / "log", vkey, against=[outside])
    assert {Path(p.path).name for p in problems} == {"7.txt"}
    (problem,) = problems
    assert "signed a tree of 7 entries" in problem.message and "the log has 3" in problem.message
    assert "entries 3 to 6 were cut" in problem.message and problem.index == 3
    assert str(problem).startswith(str((outside / "7.txt").absolute()))

    # And the copy is not overwritten with the shorter log's checkpoint.
    with pytest.raises(CheckpointError, match="signed a tree of 7 entries"):
        _publish(open_archive_log(archive), outside)
    assert not (outside / "4.txt").exists()


def test_a_fork_at_the_same_size_and_a_rewrite_are_caught(tmp_path: Path) -> None:
    archive, outside = tmp_path / "a", tmp_path / "outside"
    log = _log(archive, 4)
    _publish(log, outside)  # 4 entries
    log.append("metadata_edited", {"source_id": "s4"})
    _publish(log, outside)  # 5 entries
    vkey = (archive / "log" / "key.vkey").read_text().strip()

    # The key holder rewrites entry 1 and re-signs everything (the same number of entries).
    entries = (archive / "log" / "entries.jsonl").read_bytes().split(b"\n")
    entries[1] = entries[1].replace(b'"s1"', b'"s9"')
    (archive / "log" / "entries.jsonl").write_bytes(b"\n".join(entries))
    for stored in (archive / "log" / "checkpoints").glob("*"):
        stored.unlink()
    (archive / "log" / "checkpoint").unlink()
    rewritten = open_archive_log(archive)
    write_checkpoint(rewritten, load_signing_key(rewritten))
    assert verify_log(archive / "log", vkey) == []

    problems = {
        Path(p.path).name: p.message for p in verify_log(archive / "log", vkey, against=[outside])
    }
    assert set(problems) == {"4.txt", "5.txt"}
    assert "same size, 5 entries, with another root: a fork" in problems["5.txt"]
    assert "consistency proof from size 4 to the log's 5 fails" in problems["4.txt"]


def test_a_git_folder_gets_a_commit_per_new_checkpoint(tmp_path: Path) -> None:
    git = shutil.which("git")
    if git is None:
        pytest.skip("needs git")
    archive, repo = tmp_path / "a", tmp_path / "checkpoints"
    repo.mkdir()
    for args in (
        ["init", "-q"],
        ["config", "user.name", "Test"],
        ["config", "user.email", "test@example.org"],
        ["config", "commit.gpgsign", "false"],
    ):
        subprocess.run([git, "-C", str(repo), *args], check=True)
    log = _log(archive, 2)
    _publish(log, repo / "jieqin")
    log.append("metadata_edited", {"source_id": "more"})
    _publish(log, repo / "jieqin")
    _publish(log, repo / "jieqin")  # nothing new: no commit

    shown = subprocess.run(
        [git, "-C", str(repo), "log", "--format=%s", "--name-only"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    subjects = [line for line in shown.splitlines() if line.startswith("checkpoint ")]
    assert len(subjects) == 2
    assert subjects[0].split()[2] == "3" and subjects[1].split()[2] == "2"
    assert "jieqin/3.txt" in shown and "jieqin/key.vkey" in shown
    status = subprocess.run(
        [git, "-C", str(repo), "status", "--porcelain"], capture_output=True, text=True, check=True
    )
    assert status.stdout == ""


def test_a_witness_cosigns_and_catches_a_cut_and_a_fork(tmp_path: Path) -> None:
    archive = tmp_path / "a"
    log = _log(archive, 3)
    key = load_signing_key(log)
    with witness(str(key.verifier())) as w:
        first = _checkpoint(archive, "--publish", w.url)
        assert first["copies"] == [w.url]
        log.append("metadata_edited", {"source_id": "more"})
        second = _checkpoint(archive, "--publish", w.url)
        # The second time the witness said 409 (it holds 3), and the proof from 3 was sent.
        assert [body.split(b"\n")[0] for body in w.bodies] == [b"old 0", b"old 0", b"old 3"]
        assert w.latest[second["origin"]][0] == 4
        for size in (3, 4):
            note = (archive / "log" / "checkpoints" / f"{size}.txt").read_text()
            lines = (archive / "log" / "checkpoints" / f"{size}.cosignatures").read_text()
            (line,) = lines.splitlines()
            w.check_cosignature(note, line)

        # Cut back to 3 entries: the witness has seen 4.
        _cut(archive / "log", 3)
        with pytest.raises(CheckpointError, match="cosigned a tree of 4 entries"):
            cut = open_archive_log(archive)
            submit_to_witness(
                w.url, write_checkpoint(cut, key), cut.consistency_proof, cut.path, timeout_s=10
            )
        # Another 4th entry, signed again: the witness holds another root for 4.
        cut.append("metadata_edited", {"source_id": "other"})
        forked = write_checkpoint(cut, key)
        with pytest.raises(CheckpointError, match="another root for 4 entries"):
            submit_to_witness(w.url, forked, cut.consistency_proof, cut.path, timeout_s=10)

    other_log = str(SigningKey.generate(key.name).verifier())
    with (
        witness(other_log) as stranger,
        pytest.raises(PublicationError, match="does not trust this log's key"),
    ):
        submit_to_witness(stranger.url, forked, cut.consistency_proof, cut.path, timeout_s=10)


def test_verify_against_an_empty_folder_is_a_problem(tmp_path: Path) -> None:
    archive, empty = tmp_path / "a", tmp_path / "empty"
    empty.mkdir()
    payload = _checkpoint(_log(archive, 1).path.parent)
    (problem,) = verify_log(archive / "log", payload["vkey"], against=[empty])
    assert "holds no checkpoint" in problem.message
