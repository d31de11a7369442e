"""``shiliao users`` and the refusals of ``shiliao serve`` before it starts."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

from click.testing import CliRunner

from shiliao.cli import main
from shiliao.operations.accounts import Accounts
from tests.web.conftest import PASSWORD


def _run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_users_add_list_role_passwd_remove(tmp_path: Path, built_small: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(built_small / "archive", archive)
    env = {"PW": PASSWORD}
    added = _run(
        "users", "add", str(archive), "amina", "--role", "admin", "--password-env", "PW", env=env
    )
    assert added.exit_code == 0, added.output
    assert "second factor" in added.output
    assert stat.S_IMODE((archive / "accounts.db").stat().st_mode) == 0o600
    _run(
        "users",
        "add",
        str(archive),
        "li.wei",
        "--role",
        "contributor",
        "--password-env",
        "PW",
        env=env,
    )
    listed = json.loads(_run("users", "list", str(archive), "--json").output)
    assert [(u["name"], u["role"], u["totp"]) for u in listed] == [
        ("amina", "admin", False),
        ("li.wei", "contributor", False),
    ]
    assert _run("users", "role", str(archive), "li.wei", "editor").exit_code == 0
    short = _run(
        "users", "passwd", str(archive), "li.wei", "--password-env", "PW", env={"PW": "short"}
    )
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    assert (
        _run("users", "passwd", str(archive), "li.wei", "--password-env", "PW", env=env).exit_code
        == 0
    )
    # The last admin cannot go; a taken name or an unknown role is refused with a message.
    last = _run("users", "remove", str(archive), "amina")
    assert last.exit_code == 1 and "last admin" in last.output
    taken = _run(
        "users", "add", str(archive), "li.wei", "--role", "reader", "--password-env", "PW", env=env
    )
    assert taken.exit_code == 1 and "already exists" in taken.output
    bad = _run(
        "users", "add", str(archive), "../x", "--role", "reader", "--password-env", "PW", env=env
    )
    assert bad.exit_code == 1 and "cannot be an account name" in bad.output
    assert _run("users", "remove", str(archive), "li.wei").exit_code == 0
    with Accounts(archive) as accounts:
        assert [u.name for u in accounts.users()] == ["amina"]
        # Only Argon2id hashes are kept, never the password.
        stored = accounts._db.execute("SELECT password FROM users").fetchone()[0]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_serve_refuses_to_start_without_an_archive_or_an_admin(
    tmp_path: Path, built_small: Path
) -> None:
    missing = _run("serve", str(built_small / "collection"), "--archive", str(tmp_path / "none"))
    assert missing.exit_code == 1 and "not an archive yet" in missing.output
    archive = tmp_path / "archive"
    shutil.copytree(built_small / "archive", archive)
    no_admin = _run("serve", str(built_small / "collection"), "--archive", str(archive))
    assert no_admin.exit_code == 1 and "no admin account yet" in no_admin.output
