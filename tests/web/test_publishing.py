"""Publishing from the app, the glossary, essays, CSV metadata and git commits: each through
the routes, checked in the files they write and the site they build."""

from __future__ import annotations

import re
import subprocess

from tests.web.conftest import Team


def _ids(team: Team) -> dict[str, str]:
    listing = team.client("editor").get("/api/sources").json()["sources"]
    return {s["path"].rsplit("/", 1)[-1]: s["id"] for s in listing}


def _job(team: Team, reply) -> dict:
    job_id = int(re.search(r"/jobs/(\d+)", reply.headers["location"]).group(1))
    team.wait_idle()
    return team.client("editor").get(f"/api/jobs/{job_id}").json()


def test_publish_builds_the_site_and_says_what_changed(team) -> None:
    served = team(start_worker=True)
    served.wait_idle()
    editor = served.client("editor")
    notice = _ids(served)["notice.txt"]
    page = editor.get(f"/sources/{notice}/edit").text
    version = re.search(r'name="version" value="([^"]+)"', page).group(1)
    editor.post(
        f"/sources/{notice}/edit",
        data={"csrf": served.csrf("editor"), "version": version, "date": "2017-02-14"},
    )
    reply = editor.post("/publish", data={"csrf": served.csrf("editor")}, follow_redirects=False)
    job = _job(served, reply)
    assert job["state"] == "done", job
    site = job["result"]["site"]
    assert site["written"] is True
    assert any(path.startswith("sources/") for path in site["changed"] + site["added"])
    pages = [p.read_text(encoding="utf-8") for p in served.site.rglob("*.html")]
    assert any("2017-02-14" in text for text in pages)
    # The job page lists the changes; the public site is served at /site/.
    assert "changed" in editor.get(reply.headers["location"]).text
    assert editor.get("/site/").status_code == 200


def test_publish_is_refused_while_findings_wait_when_the_collection_says_so(team) -> None:
    served = team(start_worker=True)
    (served.collection / "sources" / "visit.txt").write_text(
        "工作队走访了亲戚阿依古丽·买买提家。\n", encoding="utf-8"
    )
    (served.collection / "shiliao.toml").write_text(
        "[privacy]\nrequire_review = true\n", encoding="utf-8"
    )
    served.app.state.web.worker.submit("apply", "test")
    served.wait_idle()
    editor = served.client("editor")
    assert "wait for" in editor.get("/publish").text
    refused = editor.post("/publish", data={"csrf": served.csrf("editor")})
    assert refused.status_code == 409
    assert "require_review" in refused.text
    # Once decided, it publishes, and the name is in no file of the site.
    review = editor.get("/review").text
    keys = re.findall(r'name="finding" value="([^"]+)"', review)
    assert keys
    for key in keys:
        editor.post(
            "/review/decide",
            data={
                "csrf": served.csrf("editor"),
                "finding": key,
                "decision": "redact",
                "scope": "everywhere",
            },
        )
    served.wait_idle()
    reply = editor.post("/publish", data={"csrf": served.csrf("editor")}, follow_redirects=False)
    assert _job(served, reply)["state"] == "done"
    for path in served.site.rglob("*"):
        if path.is_file():
            assert "阿依古丽".encode() not in path.read_bytes(), path


def test_glossary_promotion_and_essays_are_written_to_the_folder(team) -> None:
    served = team()
    editor = served.client("editor")
    csrf = served.csrf("editor")
    reply = editor.post(
        "/glossary/promote",
        data={
            "csrf": csrf,
            "term": "结对认亲",
            "english": "pairing up as kin",
            "category": "practice",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303, reply.text
    glossary = (served.collection / "glossary.yaml").read_text(encoding="utf-8")
    assert "结对认亲" in glossary and "pairing up as kin" in glossary
    text = "---\ntitle: 结对认亲\n---\n\nThe campaign paired cadres with families.\n"
    reply = editor.post(
        "/essays/new",
        data={"csrf": csrf, "section_id": "pairing", "text": text, "action": "save"},
        follow_redirects=False,
    )
    assert reply.status_code == 303, reply.text
    assert (served.collection / "essays" / "pairing.md").read_text(encoding="utf-8") == text
    # Two editors: the second save of the essay, against the old version, is refused.
    page = editor.get("/essays/pairing").text
    version = re.search(r'name="version" value="([^"]+)"', page).group(1)
    assert "<p>The campaign paired cadres with families.</p>" in page  # the preview
    first = editor.post(
        "/essays/pairing",
        data={"csrf": csrf, "version": version, "text": text + "\nMore.\n", "action": "save"},
        follow_redirects=False,
    )
    assert first.status_code == 303
    admin = served.client("admin")
    second = admin.post(
        "/essays/pairing",
        data={
            "csrf": served.csrf("admin"),
            "version": version,
            "text": text + "\nOther.\n",
            "action": "save",
        },
    )
    assert second.status_code == 409
    assert "Other." in second.text  # the editor's own text is given back, not lost
    saved = (served.collection / "essays" / "pairing.md").read_text(encoding="utf-8")
    assert "More." in saved and "Other." not in saved


def test_metadata_csv_round_trip_through_the_app(team) -> None:
    served = team()
    editor = served.client("editor")
    exported = editor.get("/metadata.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    text = exported.content.decode("utf-8-sig")
    notice = _ids(served)["notice.txt"]
    lines = text.splitlines()
    header = lines[0].split(",")
    row = next(line for line in lines if line.startswith(notice + ","))
    cells = row.split(",")
    cells[header.index("title_en")] = "Notice on pairing"
    changed = "\n".join([lines[0], ",".join(cells)]) + "\n"
    reply = editor.post(
        "/metadata/import",
        data={"csrf": served.csrf("editor")},
        files={"file": ("metadata.csv", changed.encode("utf-8"), "text/csv")},
    )
    assert reply.status_code == 200, reply.text
    assert "1 source(s) changed" in reply.text
    sidecar = (served.collection / "sources" / "notice.txt.yaml").read_text(encoding="utf-8")
    assert "title_en: Notice on pairing" in sidecar


def test_with_git_each_save_is_a_commit_by_the_editor(team) -> None:
    served = team(git=True)
    run = lambda *args: subprocess.run(  # noqa: E731
        ["git", "-C", str(served.collection), *args], capture_output=True, text=True, check=True
    )
    run("init", "-q")
    run("-c", "user.name=t", "-c", "user.email=t@example.org", "add", "-A")
    run("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "start")
    editor = served.client("editor")
    notice = _ids(served)["notice.txt"]
    page = editor.get(f"/sources/{notice}/edit").text
    version = re.search(r'name="version" value="([^"]+)"', page).group(1)
    reply = editor.post(
        f"/sources/{notice}/edit",
        data={"csrf": served.csrf("editor"), "version": version, "date": "2017-03"},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    log = run("log", "-1", "--format=%an|%s", "--name-only").stdout
    assert log.startswith("editor|edit ")
    assert "sources/notice.txt.yaml" in log
