"""What a reader or a contributor of the team never reads: a name an editor decided to
redact, in any page or answer of the app (titles, metadata, notes, search hits and counts,
job messages), while editors read it marked."""

from __future__ import annotations

import re

from tests.web.conftest import Team

NAME = "张秘密"


def _add_person(team: Team) -> str:
    sources = team.collection / "sources"
    (sources / "person.txt").write_text(
        f"村民{NAME}反映了家庭情况。\n\n干部记录了有关情况。\n", encoding="utf-8"
    )
    (sources / "person.txt.yaml").write_text(
        f"title: 关于{NAME}的情况\ndescription: 访谈{NAME}的记录\n"
        f"creators: [{{name: {NAME}, role: author}}]\n",
        encoding="utf-8",
    )
    team.app.state.web.worker.submit("apply", "test")
    team.wait_idle()
    listing = team.client("editor").get("/api/sources").json()["sources"]
    return next(s["id"] for s in listing if s["path"].endswith("person.txt"))


def test_a_redacted_name_is_in_no_answer_to_a_reader_or_contributor(team) -> None:
    served = team(start_worker=True)
    person = _add_person(served)
    contributor = served.client("contributor")
    reply = contributor.post(
        f"/sources/{person}/annotate",
        data={
            "csrf": served.csrf("contributor"),
            "paragraph": "1",
            "quote": f"村民{NAME}",
            "note": f"{NAME} is named here",
            "tags": NAME,
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303, reply.text
    editor = served.client("editor")
    reply = editor.post(
        "/review/decide",
        data={"csrf": served.csrf("editor"), "decision": "redact", "text": NAME, "kind": "name"},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    served.wait_idle()
    routes = [
        "/",
        "/sources",
        f"/sources?filter={NAME}",
        f"/sources/{person}",
        f"/search?q={NAME}",
        "/search?q=反映",
        "/search?q=家庭情况",
        "/jobs",
        "/jobs/1",
        "/api/sources",
        f"/api/sources/{person}",
        f"/api/sources/{person}/passages",
        f"/api/search?q={NAME}",
        "/api/search?q=反映",
        "/api/jobs/1",
    ]
    for role in ("reader", "contributor"):
        client = served.client(role)
        for url in routes:
            body = client.get(url).text
            # The query a reader typed is given back to them as typed; nothing else.
            body = body.replace(f'value="{NAME}"', "").replace(f'"query":"{NAME}"', "")
            assert NAME not in body, (role, url)
        # Searching the name finds nothing at all: a count would tell it is there.
        assert client.get("/api/search", params={"q": NAME}).json()["total"] == 0
        assert "0 match(es)" in client.get("/search", params={"q": NAME}).text
        # The rest of the source is readable, the name replaced.
        assert "［姓名］" in client.get(f"/sources/{person}").text
    # Editors read it, marked as redacted.
    page = editor.get(f"/sources/{person}").text
    assert f'<mark class="redact">{NAME}</mark>' in page
    assert editor.get("/api/search", params={"q": NAME}).json()["total"] > 0


def test_a_contributor_cannot_change_what_decides_access(team) -> None:
    served = team()
    (served.collection / "shiliao.toml").write_text(
        '[privacy.collections]\n"police-files" = "team"\n', encoding="utf-8"
    )
    sidecar = served.collection / "sources" / "notice.txt.yaml"
    sidecar.write_text(
        sidecar.read_text(encoding="utf-8") + "collection: [police-files]\n", encoding="utf-8"
    )
    listing = served.client("editor").get("/api/sources").json()["sources"]
    notice = next(s["id"] for s in listing if s["path"].endswith("notice.txt"))
    contributor = served.client("contributor")
    page = contributor.get(f"/sources/{notice}/edit").text
    assert 'name="access"' not in page and 'name="collection"' not in page
    version = re.search(r'name="version" value="([^"]+)"', page).group(1)
    before = sidecar.read_text(encoding="utf-8")
    reply = contributor.post(
        f"/sources/{notice}/edit",
        data={
            "csrf": served.csrf("contributor"),
            "version": version,
            "collection": "",
            "access": "public",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303
    assert sidecar.read_text(encoding="utf-8") == before
