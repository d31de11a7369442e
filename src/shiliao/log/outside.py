"""Copies of the log's checkpoints outside the archive: a folder (a git repository) or a witness.

Why: the signing key lives in the archive, so whoever can rewrite the archive can cut the log
and remove ``log/checkpoints/`` too, and nothing inside shows that entries are gone. A
checkpoint copied where they cannot reach still says how many entries the log had and their
root (sigstore/rekor #1001: a log that records its own tree heads cannot show it has not
forked). ``verify ARCHIVE --against DIR`` compares the log with such a copy
(``verify.check_outside_copy``).

**A folder** (``copy_to_folder``), one per log, e.g. a clone of the team's repository of
checkpoints on another machine::

    DIR/
      57.txt        the checkpoint of 57 entries, byte for byte log/checkpoints/57.txt
      57.tsr        its RFC 3161 timestamp, when there is one (``timestamp``)
      checkpoint    the latest checkpoint copied here
      key.vkey      the log's verifier key in force

Before copying, the folder's checkpoints are checked against the log: one for a larger tree
(the log was cut) or one the log no longer extends (rewritten or forked) stops the copy with a
``CheckpointError``, and nothing in the folder is replaced: what is there is evidence. A
``<size>.txt`` already there is kept. When the folder is inside a git work tree the files
written are committed (``git add`` and ``git commit`` of those paths only, with the user's git
identity and hooks); pushing is left to the team (a post-commit hook, or a cron job).

**A witness** (``submit_to_witness``): an HTTP service the team runs that speaks
c2sp.org/tlog-witness. shiliao POSTs ``<URL>/add-checkpoint`` with the body ``old <size>``,
the RFC 9162 consistency proof lines from that size, a blank line and the checkpoint. It
starts from ``old 0``; a ``409 Conflict`` answer gives the size the witness last cosigned
(``text/x.tlog.size``), and the request is made again from there. A witness that cosigned a
larger tree than the log holds, or a different root for the same size, or that refuses the
proof (``422``), shows a cut, rewritten or forked log: ``CheckpointError``. A ``200`` answer is
one or more tlog-cosignature signature lines; they are kept in
``log/checkpoints/<size>.cosignatures`` (appended to the checkpoint they make a cosigned
checkpoint; shiliao does not check them, as it is not given the witnesses' keys).
"""

from __future__ import annotations

import base64
import re
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from shiliao.errors import CheckpointError, PublicationError
from shiliao.log._fs import write_atomic, write_new
from shiliao.log._http import post
from shiliao.log.checkpoint import CHECKPOINTS_DIR, LATEST_CHECKPOINT, Checkpoint
from shiliao.log.keys import KeyHistory
from shiliao.log.timestamp import TOKEN_SUFFIX
from shiliao.log.verify import check_outside_copy

__all__ = ["COSIGNATURES_SUFFIX", "copy_to_folder", "submit_to_witness"]

COSIGNATURES_SUFFIX = ".cosignatures"
"""Witnesses' cosignature lines of ``<size>.txt`` are kept in ``<size>.cosignatures``."""

_SIZE_LINE = re.compile(r"(0|[1-9][0-9]{0,19})\n")
_MAX_COSIGNATURES = 100
_GIT_TIMEOUT_S = 60


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PublicationError(f"git in {folder} failed: {exc}") from exc


def _in_git_work_tree(folder: Path) -> bool:
    try:
        done = _git(folder, "rev-parse", "--is-inside-work-tree")
    except PublicationError:
        return False  # no git on this machine: a plain folder
    return done.returncode == 0 and done.stdout.strip() == "true"


def _commit(folder: Path, names: list[str], checkpoint: Checkpoint) -> None:
    done = _git(folder, "add", "--", *names)
    if done.returncode != 0:
        raise PublicationError(f"git add in {folder} failed: {done.stderr.strip()}")
    staged = _git(folder, "diff", "--cached", "--quiet", "--", *names)
    if staged.returncode == 0:
        return  # the same files were committed before
    message = f"checkpoint {checkpoint.origin} {checkpoint.size} {checkpoint.root_hash_b64}"
    done = _git(folder, "commit", "-q", "-m", message, "--", *names)
    if done.returncode != 0:
        raise PublicationError(
            f"the checkpoint is written to {folder} but git commit failed: "
            f"{(done.stderr or done.stdout).strip()}"
        )


def copy_to_folder(
    folder: Path,
    checkpoint: Checkpoint,
    log_dir: Path,
    history: KeyHistory,
    root_hash: Callable[[int], bytes],
    consistency_proof: Callable[[int, int], Sequence[bytes]],
    log_size: int,
) -> list[Path]:
    """Copy a checkpoint (and its timestamp) to a folder outside the archive.

    Args:
        folder: the outside folder (made when missing); see the module docstring.
        checkpoint: a checkpoint of the log, stored in ``log_dir/checkpoints/``.
        log_dir: the ``ARCHIVE/log`` folder, for the checkpoint's ``.tsr`` file.
        history: the log's keys (``keys.key_history``).
        root_hash, consistency_proof, log_size: the log's tree (``Log.root_hash``,
            ``Log.consistency_proof``, ``Log.size``), to check the folder's checkpoints.

    Returns:
        The files written (new or changed); empty when the folder held them all already.

    Raises:
        CheckpointError: a checkpoint in the folder is for a larger tree than the log, the log
            does not extend it, or it is not signed by the log's keys: nothing is written.
        PublicationError: the folder cannot be written, or git cannot commit there.
    """
    folder = Path(folder)
    problems = check_outside_copy(folder, log_size, root_hash, consistency_proof, history)
    if problems:
        listed = "; ".join(str(problem) for problem in problems)
        raise CheckpointError(
            f"not copying checkpoint {checkpoint.size} to {folder}: {listed}. Compare the "
            f"archive with that copy (shiliao verify ARCHIVE --against {folder})"
        )
    note = checkpoint.note.encode("utf-8")
    token = log_dir / CHECKPOINTS_DIR / f"{checkpoint.size}{TOKEN_SUFFIX}"
    written: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{checkpoint.size}.txt"
        if write_new(target, note, 0o444):
            written.append(target)
        # A token already there (from another TSA, say) is kept, like the checkpoint.
        if token.is_file() and write_new(folder / token.name, token.read_bytes(), 0o444):
            written.append(folder / token.name)
        latest = folder / LATEST_CHECKPOINT
        # Only forward: the check above found no larger checkpoint in the folder.
        if not latest.is_file() or latest.read_bytes() != note:
            write_atomic(latest, note)
            written.append(latest)
        vkey = f"{history.current}\n".encode("ascii")
        vkey_path = folder / "key.vkey"
        if not vkey_path.is_file() or vkey_path.read_bytes() != vkey:
            write_atomic(vkey_path, vkey)
            written.append(vkey_path)
    except OSError as exc:
        raise PublicationError(
            f"cannot write checkpoint {checkpoint.size} to {folder}: {exc}"
        ) from exc
    if written and _in_git_work_tree(folder):
        _commit(folder, [path.name for path in written], checkpoint)
    return written


def _witness_body(old_size: int, proof: Sequence[bytes], checkpoint: Checkpoint) -> bytes:
    lines = [f"old {old_size}"] + [base64.b64encode(h).decode("ascii") for h in proof]
    return ("\n".join(lines) + "\n\n" + checkpoint.note).encode("utf-8")


def _cosignatures(url: str, body: bytes) -> str:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PublicationError(f"the witness at {url} answered bytes that are not UTF-8") from exc
    lines = text.split("\n")
    if lines[-1] != "" or len(lines) < 2 or len(lines) > _MAX_COSIGNATURES + 1:
        raise PublicationError(f"the witness at {url} answered no signature lines")
    for line in lines[:-1]:
        name, _, blob = line.removeprefix("\u2014 ").partition(" ")
        if not line.startswith("\u2014 ") or not name or not re.fullmatch(r"[A-Za-z0-9+/=]+", blob):
            raise PublicationError(f"the witness at {url} answered a line that is no signature")
    return text


def submit_to_witness(
    url: str,
    checkpoint: Checkpoint,
    consistency_proof: Callable[[int, int], Sequence[bytes]],
    log_dir: Path,
    *,
    timeout_s: float,
) -> str:
    """Have a c2sp.org/tlog-witness cosign a checkpoint; keep its cosignature lines.

    Args:
        url: the witness's submission prefix (``<url>/add-checkpoint`` is POSTed to).
        checkpoint: a checkpoint of the log.
        consistency_proof: the log's proof from one size to another (``Log.consistency_proof``).
        log_dir: the ``ARCHIVE/log`` folder; the lines are added to
            ``checkpoints/<size>.cosignatures``.
        timeout_s: seconds allowed for connecting and for each read.

    Returns:
        The cosignature lines the witness answered.

    Raises:
        CheckpointError: the witness holds a larger tree of this log, another root for the
            same size, or refuses the consistency proof from what it holds (``422``): the log
            was cut, rewritten or forked since the witness saw it.
        PublicationError: the witness cannot be reached, does not know the log (``404``) or
            its key (``403``), or answers something else.
    """
    endpoint = url.rstrip("/") + "/add-checkpoint"
    old_size = 0
    tried: set[int] = set()
    while True:
        tried.add(old_size)
        proof = consistency_proof(old_size, checkpoint.size) if old_size else []
        reply = post(
            endpoint,
            _witness_body(old_size, proof, checkpoint),
            "text/plain; charset=utf-8",
            timeout_s=timeout_s,
            error=PublicationError,
        )
        if reply.status == 200:
            break
        if reply.status == 409 and reply.media_type == "text/x.tlog.size":
            text = reply.body.decode("ascii", "replace")
            if not _SIZE_LINE.fullmatch(text):
                raise PublicationError(f"the witness at {url} answered 409 with {text[:40]!r}")
            held = int(text)
            if held > checkpoint.size:
                raise CheckpointError(
                    f"the witness at {url} has cosigned a tree of {held} entries of this log, "
                    f"but checkpoint {checkpoint.size} is the latest: the log was cut (or this "
                    "archive is an older copy)"
                )
            if held in tried:
                raise CheckpointError(
                    f"the witness at {url} holds another root for {held} entries of this log "
                    f"than the log has: the log was rewritten or forked"
                )
            old_size = held
            continue
        if reply.status == 422:
            raise CheckpointError(
                f"the witness at {url} refuses the consistency proof from the {old_size} "
                "entries it cosigned: the log was rewritten or forked since"
            )
        reasons = {
            403: "does not trust this log's key (give it log/key.vkey; after a rotation, the "
            "new key)",
            404: f"does not know the log {checkpoint.origin}",
        }
        reason = reasons.get(reply.status, f"answered HTTP {reply.status}")
        raise PublicationError(f"the witness at {url} {reason}")
    lines = _cosignatures(url, reply.body)
    path = log_dir / CHECKPOINTS_DIR / f"{checkpoint.size}{COSIGNATURES_SUFFIX}"
    try:
        kept = path.read_text(encoding="utf-8") if path.is_file() else ""
        held = set(kept.split("\n"))
        new = "".join(line + "\n" for line in lines.split("\n")[:-1] if line not in held)
        if new:
            write_atomic(path, (kept + new).encode("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PublicationError(f"cannot keep the witness's cosignature in {path}: {exc}") from exc
    return lines
