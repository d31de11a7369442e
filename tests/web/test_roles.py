"""The route-by-role matrix (a Datasette-style permission matrix): every route of the app, for
nobody logged in and for each role, is allowed or refused as specified here; every
state-changing request without a valid CSRF token is refused; a session id from before a
login is not valid after it; a team source is invisible to anyone not logged in."""

from __future__ import annotations

import re

import pytest

from shiliao.operations.accounts import ROLES, allows
from shiliao.web.routing import ROUTES
from tests.web.conftest import BASE, TEAM_CANARY, Team, login

# The specification: the least role each route needs (None: anyone). Written out here, not
# read from the app, so that a route whose permission changes, or a new route, fails this test
# until the table says so.
EXPECTED = {
    ("GET", "/login"): None,
    ("POST", "/login"): None,
    ("POST", "/logout"): "reader",
    ("GET", "/account"): "reader",
    ("POST", "/account/totp"): "reader",
    ("POST", "/account/password"): "reader",
    ("GET", "/"): "reader",
    ("GET", "/sources"): "reader",
    ("GET", "/sources/{source_id}"): "reader",
    ("GET", "/search"): "reader",
    ("GET", "/jobs"): "reader",
    ("GET", "/jobs/{job_id:int}"): "reader",
    ("GET", "/api/sources"): "reader",
    ("GET", "/api/sources/{source_id}"): "reader",
    ("GET", "/api/sources/{source_id}/passages"): "reader",
    ("GET", "/api/search"): "reader",
    ("GET", "/api/jobs/{job_id:int}"): "reader",
    ("GET", "/sources/{source_id}/edit"): "contributor",
    ("POST", "/sources/{source_id}/edit"): "contributor",
    ("GET", "/upload"): "contributor",
    ("POST", "/upload"): "contributor",
    ("POST", "/capture"): "contributor",
    ("POST", "/sources/{source_id}/annotate"): "contributor",
    ("POST", "/sources/bulk"): "editor",
    ("GET", "/metadata.csv"): "editor",
    ("GET", "/metadata/import"): "editor",
    ("POST", "/metadata/import"): "editor",
    ("GET", "/review"): "editor",
    ("POST", "/review/decide"): "editor",
    ("GET", "/glossary"): "editor",
    ("POST", "/glossary/promote"): "editor",
    ("GET", "/essays"): "editor",
    ("GET", "/essays/{section_id}"): "editor",
    ("POST", "/essays/{section_id}"): "editor",
    ("GET", "/publish"): "editor",
    ("POST", "/publish"): "editor",
    ("GET", "/admin/users"): "admin",
    ("POST", "/admin/users"): "admin",
    ("GET", "/admin/activity"): "admin",
}


def _source_ids(team: Team) -> dict[str, str]:
    listing = team.client("editor").get("/api/sources").json()["sources"]
    return {s["path"].rsplit("/", 1)[-1]: s["id"] for s in listing}


def _url(path: str, source_id: str) -> str:
    return (
        path.replace("{source_id}", source_id)
        .replace("{job_id:int}", "1")
        .replace("{section_id}", "new")
    )


def test_every_route_is_in_the_matrix() -> None:
    declared = {(spec.method, spec.path): spec.needs for spec in ROUTES}
    assert declared == EXPECTED


@pytest.mark.slow
def test_each_route_allows_and_refuses_each_role_as_specified(team) -> None:
    served = team()
    notice = _source_ids(served)["notice.txt"]
    for (method, path), needs in EXPECTED.items():
        if path == "/logout":
            continue  # ends the session: checked last, below
        url = _url(path, notice)
        for role in (None, *ROLES):
            client = served.client(role)
            if method == "GET":
                reply = client.get(url, follow_redirects=False)
            else:
                token = served.csrf(role) if role else _login_token(client)
                reply = client.post(url, data={"csrf": token}, follow_redirects=False)
            where = f"{method} {url} as {role or 'nobody'}: {reply.status_code}"
            if needs is None:
                assert reply.status_code != 403, where
            elif allows(role, needs):
                assert reply.status_code not in (401, 403), where
                assert reply.headers.get("location") != "/login", where
            elif role is None and path.startswith("/api/"):
                assert reply.status_code == 401, where
                assert reply.json() == {"error": "log in first", "status": 401}
            elif role is None:
                assert reply.status_code == 303 and reply.headers["location"] == "/login", where
            else:
                assert reply.status_code == 403, where
                assert "your role does not allow this" in reply.text
    for role in ROLES:
        client = served.client(role)
        reply = client.post("/logout", data={"csrf": served.csrf(role)}, follow_redirects=False)
        assert reply.headers["location"] == "/login"
        assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    anonymous = served.client(None).post("/logout", data={}, follow_redirects=False)
    assert anonymous.headers["location"] == "/login"


def _login_token(client) -> str:
    page = client.get("/login")
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def test_every_state_changing_request_without_a_valid_csrf_token_is_refused(team) -> None:
    served = team()
    notice = _source_ids(served)["notice.txt"]
    admin = served.client("admin")
    others = served.csrf("editor")
    posts = [path for (method, path) in EXPECTED if method == "POST" and path != "/login"]
    for path in posts:
        url = _url(path, notice)
        for data in ({}, {"csrf": ""}, {"csrf": "forged"}, {"csrf": others}):
            reply = admin.post(url, data=data, follow_redirects=False)
            assert reply.status_code == 403, f"POST {url} with {data}"
            assert "security token" in reply.text
        if path == "/logout":
            continue  # a valid token would end the session the loop goes on with
        # The same token in the header is accepted as a form field is.
        ok = admin.post(
            url, data={}, headers={"x-csrf-token": served.csrf("admin")}, follow_redirects=False
        )
        assert ok.status_code != 403 or "security token" not in ok.text, url
    # A login needs the token its form was given, in the login cookie's session-less pair.
    anonymous = served.client(None)
    _login_token(anonymous)
    refused = anonymous.post("/login", data={"name": "editor", "password": "x"})
    assert refused.status_code == 403


def test_a_session_id_from_before_login_is_not_valid_after_it(team) -> None:
    served = team()
    client = served.client(None)
    # An id planted before login (session fixation) is never adopted.
    client.cookies.set("shiliao_session", "planted-by-someone-else", domain="127.0.0.1")
    login(client, "reader")
    fresh = client.cookies.get("shiliao_session")
    assert fresh != "planted-by-someone-else"
    # A real id held before a second login stops working after it.
    login(client, "editor")
    assert client.cookies.get("shiliao_session") != fresh
    from starlette.testclient import TestClient

    stale = TestClient(served.app, base_url=BASE, cookies={"shiliao_session": fresh})
    assert stale.get("/", follow_redirects=False).headers["location"] == "/login"
    assert client.get("/review").status_code == 200  # the new session is the editor's


def test_a_team_source_is_invisible_to_anyone_not_logged_in(team) -> None:
    served = team()
    ids = _source_ids(served)
    team_id = ids["team-notes.txt"]
    anonymous = served.client(None)
    for method, path in EXPECTED:
        if method != "GET":
            continue
        reply = anonymous.get(_url(path, team_id), follow_redirects=False)
        assert TEAM_CANARY not in reply.text, path
        assert team_id not in reply.text, path
    # Asking for the team source and for one that does not exist gives the same answer.
    there = anonymous.get(f"/api/sources/{team_id}")
    missing = anonymous.get("/api/sources/no-such-source")
    assert (there.status_code, there.content) == (missing.status_code, missing.content)
    page_there = anonymous.get(f"/sources/{team_id}", follow_redirects=False)
    page_missing = anonymous.get("/sources/no-such-source", follow_redirects=False)
    assert (page_there.status_code, page_there.content, page_there.headers["location"]) == (
        page_missing.status_code,
        page_missing.content,
        page_missing.headers["location"],
    )
    # The public site the app serves holds nothing of it: every file, byte for byte.
    files = [p for p in served.site.rglob("*") if p.is_file()]
    assert files
    for path in files:
        relative = path.relative_to(served.site).as_posix()
        reply = anonymous.get(f"/site/{relative}")
        assert reply.status_code == 200, relative
        assert TEAM_CANARY.encode() not in reply.content, relative
        assert team_id.encode() not in reply.content, relative
    # While a reader of the team sees it.
    assert TEAM_CANARY in served.client("reader").get(f"/sources/{team_id}").text
