"""Benchmark: the editorial app (``shiliao serve``) under a team of editors at once, beside a
bare Starlette page under the same uvicorn.

Run by hand (not in CI), from the repository with ``../shared`` beside it; it talks only to
127.0.0.1 and stops what it started::

    python bench/serve_load.py                    # 20 users, 60 s, baseline 20 s
    python bench/serve_load.py --seconds 10 --baseline-seconds 5
    python bench/serve_load.py --archive /tmp/built-jieqin-archive   # skip the ingest
    python bench/serve_load.py --seconds 30 --profile 40     # where the server's threads are
    python bench/serve_load.py --save-share 0                # reading only

What it does:

1. copies the sample collection (``../shared/samples/jieqin``, read-only) into a work folder
   and ingests it into an archive (``operations.apply.apply_collection``, the ingest of
   ``shiliao build`` without the site; or copies an archive already built from the sample,
   ``--archive``), makes ``--users`` editor accounts and the admin ``shiliao serve`` needs;
2. starts the real ``shiliao serve`` on a free loopback port (a subprocess), and a bare
   Starlette app under the same uvicorn (``server_header``/``date_header`` off, log level
   warning, one process) that answers ``/page`` with the bytes of the app's ``/sources``
   page as an editor gets it: the cost of the same HTML without the app's work (session,
   archive, template);
3. baseline phase (``--baseline-seconds``): the users fetch ``/page`` from the bare app;
4. load phase (``--seconds``): each user, a thread with its own ``httpx.Client`` (cookie jar)
   logged in once through the form with its CSRF token, loops over a mix of requests with a
   think time between them (``--think``, seconds, uniform from half to one and a half of it;
   0 for a closed loop): ``/sources``, a source's page, ``/search?q=WORD``,
   ``/api/search?q=WORD`` (words from ``WORDS``) and, with ``--save-share``, a save: the edit
   form of the user's own source (its version token), then a POST of a new ``description``;
   on 409 (a conflict) the form is read again and the save retried. Each user edits only its
   own source, so every acknowledged save (a 303) can be checked;
5. waits for the app's writer thread (the jobs the saves named, ``/api/jobs/N``), then checks
   that each source's last acknowledged description is in the collection folder
   (``operations.edit.read_record``) and in the archive (``/api/sources/{id}``), and that the
   audit trail holds every acknowledged save; prints ``lost edits: N`` (a source whose last
   acknowledged value is missing from the folder or the archive, plus each acknowledged save
   missing from the audit trail);
6. prints, per request kind, count, p50, p95, p99 (ms) and errors; the p95 of pages (HTML
   GETs: ``PAGE_KINDS``), of everything, and the baseline's, their ratio, the server's CPU
   use, the writer's failed jobs, the exceptions in the server's log, and the machine; with
   ``--profile N``, where the server's threads were during the load (a sampling profile).

Aim (the issue): p95 of page time under 200 ms with no lost edit. The client threads run in
this process, on the same CPUs as the server: the baseline pays the same.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import httpx

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "jieqin"
WORDS = ("民族团结", "人民", "改革", "发展", "经济建设", "干部")
PASSWORD = "bench passphrase, long enough"
PAGE_KINDS = ("sources", "source", "search", "edit_form")
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
REQUEST_TIMEOUT_S = 60.0
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_VERSION = re.compile(r'name="version" value="([^"]+)"')

# The bare app: one route answering the same HTML bytes, run as the app is (uvicorn.run).
_BASELINE = """
import sys
import uvicorn
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

PAGE = open(sys.argv[2], "rb").read()


async def page(request):
    return HTMLResponse(PAGE)


app = Starlette(routes=[Route("/page", page)])
uvicorn.run(
    app, host="127.0.0.1", port=int(sys.argv[1]), server_header=False, date_header=False,
    log_level="warning",
)
"""


# ``--profile``: ``shiliao serve`` with a sampling thread in its process. Every 5 ms of the
# load phase it takes the stack of each other thread that is at work (not waiting on a lock, a queue or the event
# loop's select) and counts each function once per stack (inclusive); the counts are written
# as JSON when the server stops. A thread waiting for the GIL counts as at work: the figures
# say where the threads are, not what the CPUs run.
_PROFILED_SERVE = """
import collections, json, os, signal, sys, threading, time
OUT = sys.argv.pop(1)
ON = OUT + ".on"  # samples are taken while this file exists (the load phase)
IDLE = {"wait", "select", "_worker", "get", "_wait_for_tstate_lock", "sleep", "acquire"}
counts, busy, samples = collections.Counter(), collections.Counter(), [0]

def sample():
    me = threading.get_ident()
    while True:
        time.sleep(0.005)
        if not os.path.exists(ON):
            continue
        samples[0] += 1
        for ident, frame in sys._current_frames().items():
            if ident == me or frame.f_code.co_name in IDLE:
                continue
            seen = set()
            while frame is not None:
                code = frame.f_code
                key = code.co_filename.rsplit("/site-packages/", 1)[-1].rsplit("/src/", 1)[-1]
                seen.add(f"{key}:{code.co_name}")
                frame = frame.f_back
            counts.update(seen)
            busy["threads at work"] += 1

def stop(signum, frame):
    raise SystemExit(0)

# uvicorn takes SIGTERM while it runs, then gives it back to this handler (it raises the
# signal again once shut down): the ``finally`` below then runs.
signal.signal(signal.SIGTERM, stop)
threading.Thread(target=sample, daemon=True).start()
try:
    from shiliao.cli import main
    main()
finally:
    with open(OUT, "w") as out:
        json.dump({"samples": samples[0], "busy": busy["threads at work"],
                   "counts": counts.most_common(400)}, out)
"""


def _machine() -> str:
    """The machine line: platform, CPUs, memory, Python and the server's libraries."""
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        pass
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("starlette", "uvicorn", "httpx")
    )
    return (
        f"{platform.platform()}, nproc={os.cpu_count()}{memory}, "
        f"Python {platform.python_version()}, {versions}"
    )


def _free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(command: list[str], log: Path, url: str, cwd: Path) -> subprocess.Popen[bytes]:
    """Start a server and wait (``START_TIMEOUT_S`` at most) until ``url`` answers."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            sys.exit(
                f"the server for {url} exited ({process.returncode}): {log.read_text()[-2000:]}"
            )
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return process
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            _stop(process)
            sys.exit(f"no answer from {url} in {START_TIMEOUT_S} s: {log.read_text()[-2000:]}")
        time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate a server (SIGTERM, then SIGKILL after ``STOP_TIMEOUT_S``)."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_S)


def _cpu_seconds(pid: int) -> float:
    """User and system CPU seconds a process has used so far (``/proc``; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def prepare(work: Path, built: Path | None, users: int) -> tuple[Path, Path, list[str]]:
    """The work folder's collection (a writable copy of the sample) and archive (ingested, or
    a copy of ``built``), with the accounts; returns them and the source ids."""
    from shiliao.archive import open_archive
    from shiliao.errors import AccountError
    from shiliao.operations.accounts import Accounts
    from shiliao.operations.apply import apply_collection

    collection, archive = work / "collection", work / "archive"
    for old in (collection, archive, work / "site"):  # a --work folder used before
        shutil.rmtree(old, ignore_errors=True)
    shutil.copytree(SAMPLE, collection)
    for path in (collection, *collection.rglob("*")):
        path.chmod(path.stat().st_mode | 0o200)
    started = time.perf_counter()
    if built is not None:
        shutil.copytree(built, archive)
    apply_collection(collection, archive)
    print(f"archive ready in {time.perf_counter() - started:.1f} s", flush=True)
    with Accounts(archive) as accounts:
        for name, role in [("admin", "admin")] + [(_user(i), "editor") for i in range(users)]:
            try:
                accounts.add_user(name, role, PASSWORD)
            except AccountError:
                accounts.set_password(name, PASSWORD)
    with open_archive(archive) as opened:
        ids = sorted(s.id for s in opened.catalog.sources())
    return collection, archive, ids


def _user(index: int) -> str:
    """The account name of user ``index``."""
    return f"bench{index + 1:02d}"


def login(client: httpx.Client, name: str) -> None:
    """Log in through the form (its token from the login page, its cookie in the jar)."""
    page = client.get("/login")
    token = _CSRF.search(page.text).group(1)
    reply = client.post("/login", data={"csrf": token, "name": name, "password": PASSWORD})
    if reply.status_code != 303 or "shiliao_session" not in client.cookies:
        sys.exit(f"login of {name} failed: {reply.status_code} {reply.text[:300]}")


@dataclass
class Recorder:
    """Latencies (seconds) and errors per request kind, from every thread."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    statuses: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(
        self, kind: str, client: httpx.Client, method: str, url: str, **kw: object
    ) -> httpx.Response | None:
        """Make a request, record its time under ``kind``; None (an error counted) when it
        failed to get any answer."""
        started = time.perf_counter()
        try:
            reply = client.request(method, url, **kw)  # type: ignore[arg-type]
        except httpx.HTTPError:
            with self.lock:
                self.errors[kind] += 1
            return None
        elapsed = time.perf_counter() - started
        with self.lock:
            self.times[kind].append(elapsed)
            if reply.status_code >= 400 and reply.status_code != 409:
                self.errors[kind] += 1
                self.statuses[f"{kind} {reply.status_code}: {reply.text[:120]}"] += 1
        return reply


@dataclass
class Saves:
    """What the app acknowledged: per source, the descriptions saved (in order) and the jobs
    that apply them; conflicts met."""

    acked: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    jobs: set[int] = field(default_factory=set)
    conflicts: int = 0
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Phase:
    """The load phase: its users start together (``ready``, whose action sets ``end``) once
    every one has logged in, so that logins are not timed."""

    seconds: float
    parties: int
    end: float = 0.0
    ready: threading.Barrier = field(init=False)

    def __post_init__(self) -> None:
        self.ready = threading.Barrier(self.parties, action=self._started)

    def _started(self) -> None:
        self.end = time.monotonic() + self.seconds


def _think(rng: random.Random, think: float, deadline: float) -> None:
    """Wait a think time (uniform in [0.5, 1.5] × ``think``), not past ``deadline``."""
    if think > 0:
        time.sleep(max(0.0, min(rng.uniform(0.5, 1.5) * think, deadline - time.monotonic())))


def _save(
    client: httpx.Client,
    recorder: Recorder,
    saves: Saves,
    source_id: str,
    text: str,
) -> None:
    """Save ``text`` as the description of the user's own source: read the form (version
    token), post it; on a conflict read it again and retry (three tries)."""
    for _ in range(3):
        form = recorder.timed("edit_form", client, "GET", f"/sources/{source_id}/edit")
        if form is None or form.status_code != 200:
            return
        csrf = _CSRF.search(form.text).group(1)
        version = _VERSION.search(form.text).group(1)
        reply = recorder.timed(
            "save",
            client,
            "POST",
            f"/sources/{source_id}/edit",
            data={"csrf": csrf, "version": version, "description": text},
        )
        if reply is None:
            return
        if reply.status_code == 303:
            job = re.search(r"saved=(\d+)", reply.headers.get("location", ""))
            with saves.lock:
                saves.acked[source_id].append(text)
                if job:
                    saves.jobs.add(int(job.group(1)))
            return
        with saves.lock:
            if reply.status_code == 409:
                saves.conflicts += 1
                continue
            saves.refused += 1
        return


def app_user(
    index: int,
    base: str,
    own: str,
    sources: list[str],
    phase: Phase,
    think: float,
    save_share: float,
    recorder: Recorder,
    saves: Saves,
) -> None:
    """One simulated editor of the app: log in, then (once every user has) the request mix
    until the phase's end."""
    rng = random.Random(index)
    kinds = ["sources", "source", "search", "api_search", "save"]
    rest = (1.0 - save_share) / 4
    weights = [rest * 0.9, rest * 1.3, rest * 1.0, rest * 0.8, save_share]
    with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT_S) as client:
        try:
            login(client, _user(index))
        except BaseException:
            phase.ready.abort()  # the others, and the main thread, stop waiting
            raise
        phase.ready.wait(timeout=300)
        deadline = phase.end
        number = 0
        while time.monotonic() < deadline:
            kind = rng.choices(kinds, weights)[0]
            if kind == "sources":
                recorder.timed(kind, client, "GET", "/sources")
            elif kind == "source":
                recorder.timed(kind, client, "GET", f"/sources/{rng.choice(sources)}")
            elif kind == "search":
                recorder.timed(kind, client, "GET", "/search", params={"q": rng.choice(WORDS)})
            elif kind == "api_search":
                recorder.timed(kind, client, "GET", "/api/search", params={"q": rng.choice(WORDS)})
            else:
                number += 1
                _save(client, recorder, saves, own, f"bench {_user(index)} save {number}")
            _think(rng, think, deadline)


def baseline_user(index: int, base: str, deadline: float, think: float, recorder: Recorder) -> None:
    """One simulated user of the bare app: the same page, the same think time."""
    rng = random.Random(index)
    with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT_S) as client:
        while time.monotonic() < deadline:
            recorder.timed("baseline", client, "GET", "/page")
            _think(rng, think, deadline)


def _join(threads: list[threading.Thread], end: float) -> None:
    """Join the threads of a phase ending at ``end`` (bounded: a request's timeout more)."""
    limit = end + REQUEST_TIMEOUT_S + 30
    for thread in threads:
        thread.join(max(0.0, limit - time.monotonic()))
        if thread.is_alive():
            sys.exit("a user thread did not stop in time")


def percentiles(values: list[float]) -> tuple[float, float, float]:
    """p50, p95 and p99 of ``values``, in milliseconds (nearest rank)."""
    ordered = sorted(values)

    def rank(q: float) -> float:
        return 1000 * ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]

    return rank(0.50), rank(0.95), rank(0.99)


def wait_for_writer(client: httpx.Client, jobs: set[int], timeout: float) -> list[str]:
    """Wait until every job a save named is over; returns those that failed, with why."""
    deadline = time.monotonic() + timeout
    failed = []
    for job in sorted(jobs, reverse=True):
        while True:
            answer = client.get(f"/api/jobs/{job}").json()
            state = answer.get("state")
            if state not in ("queued", "running"):
                if state != "done":
                    failed.append(f"{state}: {answer.get('error')}")
                break
            if time.monotonic() > deadline:
                sys.exit(f"the writer did not finish job {job} in {timeout} s")
            time.sleep(0.2)
    return failed


def check_saves(
    collection: Path, archive: Path, client: httpx.Client, saves: Saves
) -> tuple[int, list[str]]:
    """Every source's last acknowledged description, in the folder and in the archive, and
    each acknowledged save in the audit trail; returns (lost, what was lost)."""
    from shiliao.operations.accounts import Accounts
    from shiliao.operations.edit import read_record

    problems: list[str] = []
    lost = 0
    with Accounts(archive) as accounts:
        audited: dict[str, list[str]] = defaultdict(list)
        for row in accounts.audit_rows():
            if row.action == "edit" and isinstance(row.after, dict):
                audited[row.target].append(str(row.after.get("description")))
    for source_id, texts in sorted(saves.acked.items()):
        last = texts[-1]
        folder = read_record(collection, source_id).effective.get("description")
        served = client.get(f"/api/sources/{source_id}").json()["metadata"].get("description")
        missing = [t for t in texts if t not in audited[source_id]]
        if folder != last or served != last:
            lost += 1
            problems.append(f"{source_id}: acked {last!r}, folder {folder!r}, archive {served!r}")
        if missing:
            lost += len(missing)
            problems.append(f"{source_id}: {len(missing)} acknowledged save(s) not audited")
    return lost, problems


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="load phase length")
    parser.add_argument("--baseline-seconds", type=float, default=20.0)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--think", type=float, default=1.0, help="mean think time, seconds")
    parser.add_argument("--save-share", type=float, default=0.15, help="share of saves")
    parser.add_argument("--archive", type=Path, help="an archive built from the sample")
    parser.add_argument("--work", type=Path, help="work folder (default: a temporary one)")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="sample the server's stacks and print the N functions most often at work",
    )
    args = parser.parse_args()
    if not SAMPLE.is_dir():
        sys.exit(f"the sample collection is missing: {SAMPLE}")
    print(_machine(), flush=True)
    with tempfile.TemporaryDirectory(prefix="serve-load-") as temporary:
        work = args.work or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        collection, archive, ids = prepare(work, args.archive, args.users)
        if len(ids) < args.users:
            sys.exit(f"the sample has {len(ids)} sources, fewer than --users {args.users}")
        # Each user's own source, spread over the sample's two JSON-lines files.
        step = len(ids) // args.users
        own = [ids[i * step] for i in range(args.users)]
        port, baseline_port = _free_port(), _free_port()
        base = f"http://127.0.0.1:{port}"
        profile = work / "profile.json"
        if args.profile:
            serve = [sys.executable, "-c", _PROFILED_SERVE, str(profile), "serve"]
        else:
            serve = [sys.executable, "-c", "from shiliao.cli import main; main()", "serve"]
        serve += [str(collection), "--archive", str(archive), "--out", str(work / "site")]
        serve += ["--host", "127.0.0.1", "--port", str(port)]
        processes: list[subprocess.Popen[bytes]] = []
        try:
            app = _start(serve, work / "serve.log", f"{base}/login", work)
            processes.append(app)
            with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT_S) as probe:
                login(probe, _user(0))
                # The startup's apply job, before anything is timed.
                wait_for_writer(probe, {1}, 300)
                page = work / "page.html"
                page.write_bytes(probe.get("/sources").content)
                # Warm up what a running server has loaded (segmenter, folding tables, index
                # readers, templates): the load phase measures a server in use, not its start.
                for word in WORDS:
                    probe.get("/search", params={"q": word})
                    probe.get("/api/search", params={"q": word})
                probe.get(f"/sources/{own[0]}")
                probe.get(f"/sources/{own[0]}/edit")
            bare = f"http://127.0.0.1:{baseline_port}"
            processes.append(
                _start(
                    [sys.executable, "-c", _BASELINE, str(baseline_port), str(page)],
                    work / "baseline.log",
                    f"{bare}/page",
                    work,
                )
            )
            recorder = Recorder()
            print(f"baseline: {args.users} users, {args.baseline_seconds:.0f} s", flush=True)
            deadline = time.monotonic() + args.baseline_seconds
            bare_users = [
                threading.Thread(
                    target=baseline_user, args=(i, bare, deadline, args.think, recorder)
                )
                for i in range(args.users)
            ]
            for thread in bare_users:
                thread.start()
            _join(bare_users, deadline)
            _stop(processes.pop())
            saves = Saves()
            phase = Phase(args.seconds, args.users + 1)
            threads = [
                threading.Thread(
                    target=app_user,
                    args=(i, base, own[i], ids, phase, args.think, args.save_share),
                    kwargs={"recorder": recorder, "saves": saves},
                )
                for i in range(args.users)
            ]
            for thread in threads:
                thread.start()
            phase.ready.wait(timeout=300)
            print(f"load: {args.users} users, {args.seconds:.0f} s", flush=True)
            flag = Path(f"{profile}.on")
            flag.touch()
            cpu_before, wall_before = _cpu_seconds(app.pid), time.monotonic()
            _join(threads, phase.end)
            flag.unlink()
            cpu = (_cpu_seconds(app.pid) - cpu_before) / (time.monotonic() - wall_before)
            with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT_S) as probe:
                login(probe, _user(0))
                waited = time.perf_counter()
                failed = wait_for_writer(probe, saves.jobs, 600)
                waited = time.perf_counter() - waited
                lost, problems = check_saves(collection, archive, probe, saves)
                jobs = max(saves.jobs, default=0)
        finally:
            for process in reversed(processes):
                _stop(process)
        report(recorder, saves, cpu, jobs, waited, failed, lost, problems)
        server_errors(work / "serve.log")
        if args.profile:
            print_profile(profile, args.profile)


def server_errors(log: Path) -> None:
    """Print the exceptions the server logged (the last line of each traceback), counted."""
    text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
    found: Counter[str] = Counter()
    for block in text.split("Traceback (most recent call last):")[1:]:
        lines = [line for line in block.splitlines() if line and not line.startswith(" ")]
        if lines:
            found[lines[0][:300]] += 1
    for line, count in found.most_common():
        print(f"  server log: {count} × {line}")


def print_profile(path: Path, top: int) -> None:
    """Print the functions of the server most often on a working thread's stack during the
    load phase (``--profile``)."""
    import json

    if not path.is_file():
        print("no profile written (the server did not stop cleanly)")
        return
    data = json.loads(path.read_text())
    print()
    print(f"profile: {data['samples']} samples, {data['busy']} working-thread stacks")
    print("| function (file:name) | share of working stacks |")
    print("|---|---|")
    for name, count in data["counts"][:top]:
        print(f"| `{name}` | {count / max(1, data['busy']):.0%} |")


def report(
    recorder: Recorder,
    saves: Saves,
    cpu: float,
    jobs: int,
    waited: float,
    failed: list[str],
    lost: int,
    problems: list[str],
) -> None:
    """Print the table and the summary lines."""
    print()
    print("| kind | count | errors | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|---|")
    kinds = [k for k in (*PAGE_KINDS, "api_search", "save", "baseline") if recorder.times[k]]
    for kind in kinds:
        p50, p95, p99 = percentiles(recorder.times[kind])
        line = f"| {kind} | {len(recorder.times[kind])} | {recorder.errors[kind]} |"
        print(f"{line} {p50:.1f} | {p95:.1f} | {p99:.1f} |")
    pages = [t for k in PAGE_KINDS for t in recorder.times[k]]
    every = [t for k in recorder.times if k != "baseline" for t in recorder.times[k]]
    page95 = percentiles(pages)[1] if pages else float("nan")
    all95 = percentiles(every)[1] if every else float("nan")
    base95 = percentiles(recorder.times["baseline"])[1] if recorder.times["baseline"] else 0
    print()
    print(f"page p95: {page95:.1f} ms (aim < 200); all requests p95: {all95:.1f} ms")
    print(f"baseline (bare Starlette, same HTML) p95: {base95:.1f} ms")
    if base95:
        print(f"ratio page p95 / baseline p95: {page95 / base95:.1f}")
    acked = sum(len(t) for t in saves.acked.values())
    print(
        f"saves acknowledged: {acked} over {len(saves.acked)} sources; conflicts retried: "
        f"{saves.conflicts}; refused: {saves.refused}; writer jobs: {jobs} "
        f"({len(failed)} failed); writer drained {waited:.1f} s after the load"
    )
    print(
        f"server CPU during the load: {cpu:.2f} cores; median request "
        f"{statistics.median(every) * 1000 if every else 0:.1f} ms"
    )
    for answer, count in sorted(recorder.statuses.items()):
        print(f"  {count} × {answer}")
    for why, count in sorted(Counter(failed).items()):
        print(f"  {count} writer job(s) {why}")
    for problem in problems:
        print(f"  {problem}")
    print(f"lost edits: {lost}")


if __name__ == "__main__":
    main()
