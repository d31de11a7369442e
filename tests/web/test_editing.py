"""Edits made in the app: written to the collection folder as a person writes them, applied to
the archive, logged with the account; two editors saving one record at once; and a
``shiliao build`` of the folder afterwards giving the same archive the app shows."""

from __future__ import annotations

import re
import threading

from shiliao.archive import open_archive
from shiliao.operations.build import build
from tests.web.conftest import Team


def _ids(team: Team) -> dict[str, str]:
    listing = team.client("editor").get("/api/sources").json()["sources"]
    return {s["path"].rsplit("/", 1)[-1]: s["id"] for s in listing}


def _form(team: Team, role: str, url: str) -> dict[str, str]:
    page = team.client(role).get(url).text
    return {
        "csrf": re.search(r'name="csrf" value="([^"]+)"', page).group(1),
        "version": re.search(r'name="version" value="([^"]+)"', page).group(1),
    }


def test_two_editors_saving_one_source_at_once_one_is_saved_one_is_told(team) -> None:
    served = team()
    notice = _ids(served)["notice.txt"]
    url = f"/sources/{notice}/edit"
    # Both read the record, then both save at the same moment.
    forms = {role: _form(served, role, url) for role in ("editor", "admin")}
    replies: dict[str, object] = {}
    start = threading.Barrier(2)

    def save(role: str, date: str) -> None:
        start.wait()
        replies[role] = served.client(role).post(
            url, data={**forms[role], "date": date}, follow_redirects=False
        )

    threads = [
        threading.Thread(target=save, args=("editor", "2017-01-05")),
        threading.Thread(target=save, args=("admin", "2017-01-09")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(reply.status_code for reply in replies.values())
    assert statuses == [303, 409]
    told = next(r for r in replies.values() if r.status_code == 409)
    saved = next(r for r in replies.values() if r.status_code == 303)
    winner = "2017-01-05" if replies["editor"] is saved else "2017-01-09"
    loser = "2017-01-09" if winner == "2017-01-05" else "2017-01-05"
    # The one told sees both: what is saved now, and theirs, not saved.
    assert winner in told.text and loser in told.text
    sidecar = (served.collection / "sources" / "notice.txt.yaml").read_text(encoding="utf-8")
    assert f"date: {winner}" in sidecar or f"date: '{winner}'" in sidecar
    assert loser not in sidecar
    assert "# The county's notice." in sidecar  # the person's comment is kept


def test_a_session_of_edits_gives_the_archive_a_build_of_the_folder_gives(team, tmp_path) -> None:
    served = team(start_worker=True)
    ids = _ids(served)
    notice = ids["notice.txt"]
    editor = served.client("editor")
    # Fix a date and a title in English.
    reply = editor.post(
        f"/sources/{notice}/edit",
        data={
            **_form(served, "editor", f"/sources/{notice}/edit"),
            "date": "2017-01-20",
            "title_en": "Notice on the Ethnic Unity campaign",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303, reply.text
    # Tag two sources at once.
    csrf = served.csrf("editor")
    reply = editor.post(
        "/sources/bulk",
        data={
            "csrf": csrf,
            "source": [notice, ids["hostile.txt"]],
            "field": "subjects",
            "how": "add",
            "value": "民族团结 | campaign",
        },
    )
    assert reply.status_code == 200, reply.text
    # Annotate a passage, with a quote from it.
    reply = editor.post(
        f"/sources/{notice}/annotate",
        data={
            "csrf": csrf,
            "paragraph": "1",
            "quote": "民族团结一家亲",
            "note": "The campaign's full name.",
            "tags": "name, campaign",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303, reply.text
    # Redact a string everywhere.
    reply = editor.post(
        "/review/decide",
        data={
            "csrf": csrf,
            "decision": "redact",
            "text": "结对认亲",
            "kind": "name",
            "note": "test",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303, reply.text
    served.wait_idle()
    # The app shows the edits.
    shown = editor.get(f"/api/sources/{notice}").json()
    assert shown["date"] == "2017-01-20"
    assert shown["metadata"]["title_en"] == "Notice on the Ethnic Unity campaign"
    assert "民族团结" in shown["metadata"]["subjects"]
    page = editor.get(f"/sources/{notice}").text
    assert "The campaign&#39;s full name." in page
    assert '<mark class="redact">结对认亲</mark>' in page
    assert "结对认亲" not in served.client("reader").get(f"/sources/{notice}").text
    # Nor do search pages and the API give it to a reader, while an editor finds it.
    for role in ("reader", "contributor"):
        client = served.client(role)
        assert "结对认亲" not in client.get("/search", params={"q": "认真组织"}).text
        assert "结对认亲" not in client.get("/api/search", params={"q": "认真组织"}).text
        assert "结对认亲" not in client.get(f"/api/sources/{notice}/passages").text
    assert "结对认亲" in editor.get("/search", params={"q": "认真组织"}).text
    # Each save is an audit row logged in the archive's log with the account.
    with open_archive(served.archive) as archive:
        logged = [e for e in archive.log.entries() if e.kind == "edited_in_app"]
    assert {e.data["action"] for e in logged} >= {"edit", "bulk-edit", "annotate", "decide"}
    assert {e.data["user"] for e in logged} == {"editor"}
    assert all("结对认亲".encode() not in e.line for e in logged)  # values are keyed digests only
    activity = served.client("admin").get("/admin/activity").text
    assert "pending" not in activity
    # A build of the folder into a new archive gives what the app shows.
    fresh = tmp_path / "fresh"
    build(served.collection, fresh / "archive", fresh / "site")
    with open_archive(fresh / "archive") as rebuilt, open_archive(served.archive) as app:

        def sources(archive):
            return {
                s.id: (s.title, s.date, s.type, s.language, s.metadata, s.record_sha256)
                for s in archive.catalog.sources()
            }

        assert sources(rebuilt) == sources(app)
        assert rebuilt.catalog.annotations() == app.catalog.annotations()
        assert rebuilt.catalog.get_state("privacy_inputs") == app.catalog.get_state(
            "privacy_inputs"
        )
        for source_id in sources(app):
            assert [p.text for p in rebuilt.catalog.passages(source_id)] == [
                p.text for p in app.catalog.passages(source_id)
            ]
