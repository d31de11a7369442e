"""``shiliao serve`` (the editorial app, ``shiliao.web``) and ``shiliao users`` (its
accounts, ``operations.accounts``)."""

from __future__ import annotations

import ipaddress
import json
import os
from pathlib import Path

import click

from shiliao.cli.console import STDERR, ShiliaoCommand
from shiliao.errors import AccountError, ConfigError
from shiliao.operations.accounts import ROLES, Accounts

__all__ = ["serve", "users_group"]

_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command("serve", cls=ShiliaoCommand)
@click.argument("collection", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option(
    "--archive",
    "archive_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Archive folder (default: COLLECTION-NAME-archive in the current folder).",
)
@click.option(
    "--out",
    "site_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The public site's folder, served at /site/ and written by Publish (default: "
    "COLLECTION-NAME-site in the current folder).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--server-name",
    "names",
    multiple=True,
    help="A host name the app answers to (repeatable), e.g. the team server's name behind its "
    "reverse proxy; loopback names are always allowed. Requests for any other Host are refused.",
)
@click.option(
    "--behind-proxy",
    is_flag=True,
    help="A TLS reverse proxy on this machine forwards to the app: take the client address "
    "from X-Forwarded-For of 127.0.0.1 only, and mark cookies Secure (docs/serve.md).",
)
@click.option(
    "--max-upload-mb",
    default=256,
    show_default=True,
    type=click.IntRange(1, 1 << 20),
    help="The largest request (a batch of uploads), in MiB.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Files extracted at once when saves and uploads are applied to the archive.",
)
@click.option(
    "--git",
    is_flag=True,
    help="When the collection folder is a git work tree, commit each save with the editor "
    "as its author.",
)
def serve(
    collection: Path,
    archive_dir: Path | None,
    site_dir: Path | None,
    host: str,
    port: int,
    names: tuple[str, ...],
    behind_proxy: bool,
    max_upload_mb: int,
    workers: int,
    git: bool,
) -> None:
    """Run the editorial app: browse, search, upload, edit, annotate, review personal data
    and publish, for the accounts of `shiliao users`.

    Every edit is written to the collection folder as a person would write it (sidecars,
    privacy.yaml, annotations.yaml, glossary.yaml, essays/), then applied to the archive; a
    `shiliao build` of the folder gives the same archive. Listens on loopback unless --host
    says otherwise; for a team server, put it behind a TLS reverse proxy (docs/serve.md).
    """
    import uvicorn

    from shiliao.web.app import ServeConfig, create_app

    name = collection.resolve().name
    archive_dir = archive_dir or Path(f"{name}-archive")
    site_dir = site_dir or Path(f"{name}-site")
    if not (archive_dir / "shiliao.db").is_file():
        raise ConfigError(
            f"{archive_dir} is not an archive yet: run `shiliao build {collection} --archive "
            f"{archive_dir}` first"
        )
    with Accounts(archive_dir) as accounts:
        if not any(user.role == "admin" for user in accounts.users()):
            raise ConfigError(
                f"no admin account yet: make one with `shiliao users add {archive_dir} NAME "
                "--role admin`"
            )
    loopback = _is_loopback(host)
    if not loopback and not behind_proxy:
        STDERR.print(
            f"warning: listening on {host} without --behind-proxy: passwords and cookies "
            "cross the network unencrypted; put the app behind a TLS reverse proxy "
            "(docs/serve.md)",
            markup=False,
        )
    allowed = tuple(dict.fromkeys((*_LOOPBACK_NAMES, *names, *(() if loopback else (host,)))))
    config = ServeConfig(
        collection=collection,
        archive=archive_dir,
        site=site_dir,
        hosts=allowed,
        secure_cookies=behind_proxy,
        max_upload_bytes=max_upload_mb * 1024 * 1024,
        workers=workers,
        git=git,
    )
    app = create_app(config)
    STDERR.print(f"shiliao serve: http://{host}:{port}/ (Ctrl-C stops it)", markup=False)
    uvicorn.run(
        app,
        host=host,
        port=port,
        proxy_headers=behind_proxy,
        forwarded_allow_ips="127.0.0.1" if behind_proxy else None,
        server_header=False,
        date_header=False,
        log_level="warning",
    )


@click.group("users")
def users_group() -> None:
    """Accounts of the editorial app (`shiliao serve`), kept in ARCHIVE/accounts.db.

    Roles, least to most: reader (reads everything the team may), contributor (also
    uploads, edits metadata, annotates), editor (also access levels, privacy review,
    glossary, essays, publishing), admin (also accounts and the activity log; needs a
    second factor).
    """


def _password(prompt: str, env: str | None) -> str:
    if env:
        value = os.environ.get(env)
        if value is None:
            raise AccountError(f"the environment variable {env} is not set")
        return value
    return click.prompt(prompt, hide_input=True, confirmation_prompt=True)


_archive_arg = click.argument(
    "archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path)
)
_password_env = click.option(
    "--password-env",
    metavar="VAR",
    help="Read the password from this environment variable instead of asking (scripts).",
)


@users_group.command("add", cls=ShiliaoCommand)
@_archive_arg
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@_password_env
def users_add(archive_dir: Path, name: str, role: str, password_env: str | None) -> None:
    """Make an account (the password is asked twice)."""
    with Accounts(archive_dir) as accounts:
        accounts.add_user(name, role, _password("Password", password_env))
    extra = " (it enrols a second factor at its first login)" if role == "admin" else ""
    click.echo(f"added {name} ({role}){extra}")


@users_group.command("remove", cls=ShiliaoCommand)
@_archive_arg
@click.argument("name")
def users_remove(archive_dir: Path, name: str) -> None:
    """Remove an account and end its sessions (what it did stays in the activity log)."""
    with Accounts(archive_dir) as accounts:
        accounts.remove_user(name)
    click.echo(f"removed {name}")


@users_group.command("passwd", cls=ShiliaoCommand)
@_archive_arg
@click.argument("name")
@_password_env
@click.option("--reset-totp", is_flag=True, help="Also remove its second factor (a lost phone).")
def users_passwd(archive_dir: Path, name: str, password_env: str | None, reset_totp: bool) -> None:
    """Set an account's password; every session of it ends."""
    with Accounts(archive_dir) as accounts:
        accounts.set_password(name, _password("New password", password_env))
        if reset_totp:
            accounts.reset_totp(name)
    click.echo(f"password of {name} set" + ("; second factor removed" if reset_totp else ""))


@users_group.command("role", cls=ShiliaoCommand)
@_archive_arg
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
def users_role(archive_dir: Path, name: str, role: str) -> None:
    """Give an account another role; its sessions end."""
    with Accounts(archive_dir) as accounts:
        accounts.set_role(name, role)
    click.echo(f"{name} is now {role}")


@users_group.command("list", cls=ShiliaoCommand)
@_archive_arg
@click.option(
    "--json", "as_json", is_flag=True, help="Print a list of {name, role, totp, created}."
)
def users_list(archive_dir: Path, as_json: bool) -> None:
    """List the accounts."""
    with Accounts(archive_dir) as accounts:
        found = accounts.users()
    if as_json:
        click.echo(
            json.dumps(
                [
                    {"name": u.name, "role": u.role, "totp": u.totp, "created": u.created}
                    for u in found
                ],
                indent=2,
            )
        )
        return
    for user in found:
        factor = "second factor" if user.totp else "no second factor"
        click.echo(f"{user.name}\t{user.role}\t{factor}\tsince {user.created}")
