"""The app as an attacker meets it: text from sources shown escaped in every view, uploads
with hostile names or bodies refused with a message, the host and origin checks, login
throttling, the second factor, the cookie flags and the security headers."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from shiliao.operations.accounts import THROTTLE_FAILURES, Accounts
from tests.web.conftest import (
    BASE,
    HOSTILE_TEXT,
    HOSTILE_TITLE,
    HOSTILE_URL,
    PASSWORD,
    Team,
    login,
    totp_now,
)


def _ids(team: Team) -> dict[str, str]:
    listing = team.client("editor").get("/api/sources").json()["sources"]
    return {s["path"].rsplit("/", 1)[-1]: s["id"] for s in listing}


def _unsafe(body: str) -> list[str]:
    """Markup from the hostile source that would run, found in a page: a script element, an
    event-handler attribute or a javascript: URL in an attribute."""
    found = []
    if re.search(r"<script>alert", body):
        found.append("script element")
    if re.search(r"<[a-z]+[^>]*\son(error|click|mouseover)\s*=", body, re.IGNORECASE):
        found.append("event handler")
    if re.search(r"(href|src|action)\s*=\s*[\"']?\s*javascript:", body, re.IGNORECASE):
        found.append("javascript: URL")
    return found


def test_source_text_is_escaped_in_every_view(team) -> None:
    served = team()
    hostile = _ids(served)["hostile.txt"]
    editor = served.client("editor")
    pages = [
        "/",
        "/sources",
        f"/sources?filter={hostile}",
        f"/sources/{hostile}",
        f"/sources/{hostile}/edit",
        "/search?q=民族团结",
        "/search?q=alert",
        "/review",
        "/glossary",
        "/jobs",
    ]
    for role in ("reader", "contributor", "editor", "admin"):
        for url in pages:
            reply = served.client(role).get(url)
            if reply.status_code == 403:
                continue
            assert reply.status_code == 200, (role, url)
            assert _unsafe(reply.text) == [], (role, url)
    # The hostile strings are shown, as text.
    page = editor.get(f"/sources/{hostile}").text
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert HOSTILE_URL in page  # shown, never a link
    # The API gives them as data (JSON), never as markup to render.
    source = editor.get(f"/api/sources/{hostile}")
    assert source.headers["content-type"].startswith("application/json")
    assert source.json()["title"] == HOSTILE_TITLE
    passages = editor.get(f"/api/sources/{hostile}/passages").json()["passages"]
    assert HOSTILE_TEXT.split(" 民族")[0] in passages[0]["text"]
    # An essay preview never runs markup either.
    token = served.csrf("editor")
    preview = editor.post(
        "/essays/new",
        data={
            "csrf": token,
            "action": "preview",
            "section_id": "x",
            "text": f"---\ntitle: t\n---\n\n{HOSTILE_TEXT}\n\n[a]({HOSTILE_URL})\n",
        },
    )
    assert preview.status_code == 200
    assert _unsafe(preview.text) == []


def _upload(team: Team, files: list[tuple[str, bytes]], role: str = "contributor"):
    """POST a multipart body written here byte by byte: a client library would escape the
    control characters of a file name (httpx writes %07), and an attacker's would not."""
    boundary = "shiliao-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n'
        f"{team.csrf(role)}\r\n".encode()
    ]
    for name, data in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return team.client(role).post(
        "/upload",
        content=b"".join(parts),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )


@pytest.mark.parametrize(
    "name",
    ["../escape.txt", "/etc/passwd.txt", "a/../../b.txt", "bell\x07.txt", "rlo\u202etxt.exe", ""],
)
def test_an_upload_with_a_hostile_name_is_refused_with_a_message(team, name: str) -> None:
    served = team()
    reply = _upload(served, [(name, "民族团结\n".encode()), ("kept.txt", "各族群众\n".encode())])
    assert reply.status_code == 200
    refused = re.search(r"Refused:</p><ul>(.*?)</ul>", reply.text, re.S)
    assert refused and "<li>" in refused.group(1)
    # The good file of the batch is kept; nothing was written outside the upload folder.
    kept = list((served.collection / "sources" / "uploads").rglob("kept.txt"))
    assert len(kept) == 1
    assert not (served.collection.parent / "escape.txt").exists()
    written = sorted(
        p.name for p in (served.collection / "sources" / "uploads").rglob("*") if p.is_file()
    )
    assert written == ["kept.txt"]


def test_an_oversized_body_is_refused_before_it_is_read(team) -> None:
    served = team(max_upload_bytes=64 * 1024)
    reply = _upload(served, [("big.txt", b"x" * (200 * 1024))])
    assert reply.status_code == 413
    assert "larger than this server takes" in reply.text
    assert not (served.collection / "sources" / "uploads").exists()


def test_a_batch_with_one_bad_file_loses_nothing_of_the_others(team) -> None:
    served = team(start_worker=True)
    good = [(f"note-{n}.txt", f"第{n}份材料：民族团结。\n".encode()) for n in range(3)]
    reply = _upload(served, [*good[:2], ("../bad.txt", b"x"), good[2]])
    assert reply.status_code == 200
    served.wait_idle()
    listing = served.client("reader").get("/api/sources").json()["sources"]
    paths = {s["path"].rsplit("/", 1)[-1] for s in listing}
    assert {name for name, _ in good} <= paths
    assert "bad.txt" not in paths


def test_a_request_for_another_host_or_from_another_origin_is_refused(team) -> None:
    served = team()
    editor = served.client("editor")
    rebinding = editor.get("/", headers={"host": "attacker.example"})
    assert rebinding.status_code == 400
    forged = editor.post(
        "/publish",
        data={"csrf": served.csrf("editor")},
        headers={"origin": "https://attacker.example"},
        follow_redirects=False,
    )
    assert forged.status_code == 403


def test_logins_are_throttled_and_the_refusal_says_nothing_of_which_names_exist(team) -> None:
    served = team()
    client = served.client(None)
    messages = set()
    for name in ("editor", "nobody-by-this-name"):
        for _ in range(THROTTLE_FAILURES):
            page = client.get("/login").text
            token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
            reply = client.post("/login", data={"csrf": token, "name": name, "password": "wrong"})
            assert reply.status_code == 401
            messages.add(re.search(r'role="alert">([^<]*)<', reply.text).group(1))
    assert len(messages) == 1
    # The right password is refused too while the account is throttled.
    page = client.get("/login").text
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    reply = client.post("/login", data={"csrf": token, "name": "editor", "password": PASSWORD})
    assert reply.status_code == 401


def test_an_admin_needs_a_second_factor_and_a_code_works_once(tmp_path, team) -> None:
    served = team()
    with Accounts(served.archive) as accounts:
        accounts.add_user("newadmin", "admin", PASSWORD)
    from starlette.testclient import TestClient

    client = TestClient(served.app, base_url=BASE)
    login(client, "newadmin")
    # Without a second factor an admin reaches nothing but the enrolment.
    assert client.get("/admin/users", follow_redirects=False).headers["location"] == "/account"
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/account").text).group(1)
    started = client.post("/account/totp", data={"csrf": token, "action": "start"})
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', started.text).group(1)
    assert "<svg" in started.text
    code = totp_now(secret)
    client.post("/account/totp", data={"csrf": token, "action": "confirm", "code": code})
    assert client.get("/admin/users").status_code == 200
    # The code just used cannot log in again (RFC 6238 §5.2); the next one can.
    other = TestClient(served.app, base_url=BASE)
    page = other.get("/login").text
    login_token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    replay = other.post(
        "/login",
        data={"csrf": login_token, "name": "newadmin", "password": PASSWORD, "code": code},
    )
    assert replay.status_code == 401
    login(other, "newadmin", totp_now(secret, ahead=1))


def test_cookies_and_headers(team) -> None:
    served = team(secure_cookies=True)
    client = served.client(None)
    page = client.get("/login")
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"


def test_a_session_ends_when_its_password_changes_or_an_admin_ends_it(team) -> None:
    served = team()
    reader = served.client("reader")
    assert reader.get("/").status_code == 200
    admin = served.client("admin")
    admin.post(
        "/admin/users",
        data={"csrf": served.csrf("admin"), "action": "revoke", "name": "reader"},
    )
    assert reader.get("/", follow_redirects=False).headers["location"] == "/login"
    rows = admin.get("/admin/activity").text
    assert "user-revoke" in rows
    time.sleep(0)  # nothing to wait for: the refusal is immediate


def test_failures_from_elsewhere_never_lock_the_owner_out_and_a_new_password_clears_them(
    built_small, tmp_path
) -> None:
    import shutil

    from shiliao.operations.accounts import LoginRefused

    shutil.copytree(built_small / "archive", tmp_path / "archive")
    with Accounts(tmp_path / "archive") as accounts:
        accounts.add_user("owner", "editor", PASSWORD)
        for _ in range(THROTTLE_FAILURES):
            with pytest.raises(LoginRefused):
                accounts.login("owner", "guess", None, "198.51.100.7")
        # The attacker's address is throttled, even with the right password...
        with pytest.raises(LoginRefused):
            accounts.login("owner", PASSWORD, None, "198.51.100.7")
        # ...the owner, elsewhere, is not.
        accounts.login("owner", PASSWORD, None, "203.0.113.5")
        accounts.set_password("owner", PASSWORD + " again")
        accounts.login("owner", PASSWORD + " again", None, "198.51.100.7")


def test_replacing_a_second_factor_takes_a_code_of_the_one_in_force(built_small, tmp_path) -> None:
    import shutil

    from shiliao.errors import AccountError
    from shiliao.operations.accounts import LoginRefused

    shutil.copytree(built_small / "archive", tmp_path / "archive")
    now = [1_800_000_000.0]

    def code(secret: str) -> str:
        return pyotp.TOTP(secret).at(now[0])

    with Accounts(tmp_path / "archive", clock=lambda: now[0]) as accounts:
        accounts.add_user("boss", "admin", PASSWORD)
        accounts.start_totp("boss")
        first = accounts.pending_totp_secret("boss")
        accounts.confirm_totp("boss", code(first))
        now[0] += 30
        with pytest.raises(AccountError, match="code of your second factor"):
            accounts.start_totp("boss")
        accounts.start_totp("boss", code(first))
        # Until the new one is confirmed, the old one stays in force.
        assert accounts.user("boss").totp
        now[0] += 30
        accounts.login("boss", PASSWORD, code(first), "127.0.0.1")
        second = accounts.pending_totp_secret("boss")
        accounts.confirm_totp("boss", code(second))
        now[0] += 30
        with pytest.raises(LoginRefused):
            accounts.login("boss", PASSWORD, code(first), "127.0.0.1")
        accounts.login("boss", PASSWORD, code(second), "127.0.0.1")


def test_no_body_is_read_for_an_anonymous_post_and_a_form_is_small(team) -> None:
    served = team()
    anonymous = served.client(None)
    anonymous.cookies.clear()
    big = {"name": "x", "password": "y" * (3 * 1024 * 1024)}
    assert anonymous.post("/login", data=big).status_code == 403
    page = anonymous.get("/login").text
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    reply = anonymous.post("/login", data={**big, "csrf": token})
    assert reply.status_code == 413
    assert "at most 2 MiB" in reply.text
    editor = served.client("editor")
    notice = next(
        s["id"]
        for s in editor.get("/api/sources").json()["sources"]
        if s["path"].endswith("notice.txt")
    )
    reply = editor.post(
        f"/sources/{notice}/edit",
        data={"csrf": served.csrf("editor"), "description": "长" * (1024 * 1024)},
    )
    assert reply.status_code == 413


def test_the_api_answers_in_json_even_when_refusing(team) -> None:
    served = team()
    editor = served.client("editor")
    for reply, status in (
        (editor.get("/api/no-such-route"), 404),
        (editor.post("/api/sources", data={"csrf": served.csrf("editor")}), 405),
        (editor.get("/api/sources", params={"limit": 0}), 400),
        (editor.get("/api/sources", params={"offset": -5}), 400),
        (editor.get("/api/search", params={"q": "民族团结", "limit": -1}), 400),
    ):
        assert reply.status_code == status
        assert reply.json()["status"] == status
    every = editor.get("/api/search", params={"q": "民族团结", "limit": 0}).json()
    assert every["total"] == len(every["hits"]) > 0
