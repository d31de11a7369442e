"""What follows every save of the app: the audit row, a git commit when the collection is a
git work tree and the app was asked to commit, and the worker asked to apply the folder."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from shiliao.collection.writing import editing
from shiliao.web.routing import Ctx
from shiliao.web.work import Job

__all__ = ["commit", "saved"]


def commit(collection: Path, path: Path, author: str, message: str) -> bool:
    """Commit one file of the collection with the account as its author (``git commit
    --author``, the committer being whoever runs the server); returns whether a commit was
    made. Nothing happens outside a git work tree or when the file did not change; a git that
    fails leaves the save as it is (the file is written either way)."""
    try:
        inside = subprocess.run(
            ["git", "-C", str(collection), "rev-parse", "--is-inside-work-tree"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if inside.returncode != 0 or inside.stdout.strip() != "true":
            return False
        relative = str(path.resolve().relative_to(collection.resolve()))
        env = dict(os.environ)
        configured = subprocess.run(
            ["git", "-C", str(collection), "config", "user.email"],
            capture_output=True,
            timeout=30,
            check=False,
        )
        if configured.returncode != 0:
            # A server's user often has no git identity; the committer is then the app
            # itself (the author is always the account).
            env.setdefault("GIT_COMMITTER_NAME", "shiliao serve")
            env.setdefault("GIT_COMMITTER_EMAIL", "shiliao-serve@shiliao.invalid")
        with editing(collection):
            subprocess.run(
                ["git", "-C", str(collection), "add", "--", relative],
                capture_output=True,
                timeout=60,
                check=True,
            )
            done = subprocess.run(
                [
                    "git",
                    "-C",
                    str(collection),
                    "commit",
                    "--quiet",
                    f"--author={author} <{author}@shiliao.invalid>",
                    "-m",
                    message,
                    "--",
                    relative,
                ],
                capture_output=True,
                timeout=60,
                check=False,
                env=env,
            )
        return done.returncode == 0
    except (OSError, ValueError, subprocess.SubprocessError):
        return False


def saved(
    ctx: Ctx, action: str, target: str, before: Any, after: Any, path: Path | str | None
) -> Job:
    """Record a save made by ``ctx``'s account: its audit row, its commit (``--git``), and a
    request to apply the folder to the archive; returns the job that will."""
    ctx.app.accounts.audit(ctx.user, action, target, before, after)
    config = ctx.app.config
    if config.git and path is not None:
        commit(
            config.collection,
            config.collection / path if not Path(path).is_absolute() else Path(path),
            ctx.user,
            f"{action} {target} (shiliao serve, by {ctx.user})",
        )
    return ctx.app.worker.submit("apply", ctx.user)
