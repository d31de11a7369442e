"""What the tests of the editorial app share: a small collection built into an archive (with a
team source holding a canary and a source full of hostile markup), accounts of every role, and
a logged-in client per role.

The app runs in-process (Starlette's TestClient over httpx, the real ASGI stack, routes,
sessions and SQLite files); ``tests/web/test_serve_e2e.py`` starts the real ``shiliao serve``
(uvicorn) on loopback.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest
from starlette.testclient import TestClient

from shiliao.operations.accounts import ROLES, Accounts
from shiliao.operations.build import build
from shiliao.web.app import ServeConfig, create_app

BASE = "http://127.0.0.1:8000"
PASSWORD = "a long test passphrase"
TEAM_CANARY = "ZZCANARY-TEAM-7f3a9c"
HOSTILE_TITLE = "<script>alert('title')</script>"
HOSTILE_TEXT = '<script>alert("text")</script> <img src=x onerror=alert(1)> 民族团结'
HOSTILE_URL = "javascript:alert(document.cookie)"


def write_collection(root: Path) -> Path:
    """A small collection: a public notice, a team source whose text and title hold
    ``TEAM_CANARY``, and a source whose title, text, URL and description are hostile markup."""
    sources = root / "sources"
    sources.mkdir(parents=True)
    (sources / "notice.txt").write_text(
        "关于开展民族团结一家亲活动的通知。\n\n各单位要认真组织结对认亲活动。\n", encoding="utf-8"
    )
    (sources / "notice.txt.yaml").write_text(
        "# The county's notice.\ntitle: 关于开展民族团结一家亲活动的通知\ndate: 2017-01\n"
        "type: report\nlanguage: zh-Hans\n",
        encoding="utf-8",
    )
    (sources / "team-notes.txt").write_text(
        f"内部笔记 {TEAM_CANARY}，不得公开。\n", encoding="utf-8"
    )
    (sources / "team-notes.txt.yaml").write_text(
        f"title: 内部笔记 {TEAM_CANARY}\naccess: team\n", encoding="utf-8"
    )
    (sources / "hostile.txt").write_text(HOSTILE_TEXT + "\n", encoding="utf-8")
    (sources / "hostile.txt.yaml").write_text(
        f'title: "{HOSTILE_TITLE}"\nurl: "{HOSTILE_URL}"\n'
        'description: \'<a href="javascript:alert(2)" onclick="alert(3)">x</a>\'\n',
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="session")
def built_small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small collection built once: ``ROOT/collection``, ``ROOT/archive``, ``ROOT/site``."""
    root = tmp_path_factory.mktemp("web-small")
    write_collection(root / "collection")
    build(root / "collection", root / "archive", root / "site")
    return root


def totp_now(secret: str, ahead: int = 0) -> str:
    """The TOTP code of ``secret`` for the current 30-second step plus ``ahead`` steps."""
    return pyotp.TOTP(secret).at(time.time() + 30 * ahead)


@dataclass
class Team:
    """A served copy of the small collection: its folders, the app, and a client per role
    (``None`` for nobody logged in), each logged in with its own session."""

    collection: Path
    archive: Path
    site: Path
    app: object
    clients: dict[str | None, TestClient]
    totp_secret: str

    def client(self, role: str | None) -> TestClient:
        return self.clients[role]

    def csrf(self, role: str) -> str:
        """The CSRF token of a role's session, read from a page as a browser would."""
        page = self.clients[role].get("/account").text
        return re.search(r'name="csrf" value="([^"]+)"', page).group(1)

    def wait_idle(self, timeout: float = 120.0) -> None:
        """Wait until the app's writer thread has applied every save."""
        worker = self.app.state.web.worker
        deadline = time.monotonic() + timeout
        while worker.busy():
            assert time.monotonic() < deadline, "the writer thread did not finish in time"
            time.sleep(0.1)


def login(client: TestClient, name: str, code: str | None = None) -> None:
    """Log ``client`` in as ``name`` through the login form (its token included)."""
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    data = {"csrf": token, "name": name, "password": PASSWORD}
    if code:
        data["code"] = code
    reply = client.post("/login", data=data, follow_redirects=False)
    assert reply.status_code == 303, reply.text
    assert client.cookies.get("shiliao_session")


@pytest.fixture
def team(tmp_path: Path, built_small: Path) -> Iterator[Callable[..., Team]]:
    """Make a ``Team`` over a fresh copy of the built small collection (``start_worker``:
    run the writer thread, for tests that save)."""
    opened: list[TestClient] = []

    def make(*, start_worker: bool = False, **config: object) -> Team:
        for name in ("collection", "archive", "site"):
            shutil.copytree(built_small / name, tmp_path / name)
        with Accounts(tmp_path / "archive") as accounts:
            for role in ROLES:
                accounts.add_user(role, role, PASSWORD)
            accounts.start_totp("admin")
            secret = accounts.pending_totp_secret("admin")
            accounts.confirm_totp("admin", totp_now(secret))
        app = create_app(
            ServeConfig(
                collection=tmp_path / "collection",
                archive=tmp_path / "archive",
                site=tmp_path / "site",
                **config,
            ),
            start_worker=start_worker,
        )
        # Secure cookies come back only over HTTPS (as behind the team's TLS proxy).
        base = BASE.replace("http:", "https:") if config.get("secure_cookies") else BASE
        # One client runs the app's lifespan (the writer thread); the others share the app.
        runner = TestClient(app, base_url=base)
        runner.__enter__()
        opened.append(runner)
        clients: dict[str | None, TestClient] = {}
        for role in (None, *ROLES):
            client = TestClient(app, base_url=base)
            if role is not None:
                login(client, role, totp_now(secret, ahead=1) if role == "admin" else None)
            clients[role] = client
        return Team(
            tmp_path / "collection", tmp_path / "archive", tmp_path / "site", app, clients, secret
        )

    yield make
    for client in opened:
        client.__exit__(None, None, None)
