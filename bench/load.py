"""Load test: simulated users on gunicorn and PostgreSQL, a fault injected mid-run, then proof that no step was lost
or done twice.

Run by hand (PostgreSQL at 127.0.0.1 as user postgres, trusted; the database named is dropped and made anew):
  .venv/bin/python bench/load.py [--users 30] [--duration 120] [--workers 3]
      [--fault none|kill-web-worker|terminate-db|kill-timer-worker]
      [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/inspect_load] [--rebuild]

1. Data: the demo province (`inspect init-db`, `inspect demo`) and --overdue inspections whose remediation deadline
   passed twelve days ago (the demo's own story, set back in time), so that the worker fires their timers during the
   run. Built once into <database>_template and copied for each run; --rebuild builds it again (needed after changing
   --overdue or the code that writes the data). Each run adds one account and API token per simulated user.
2. Servers: gunicorn (--workers sync workers) serving wsgi:app, and one `inspect worker`.
3. Load: every user loops with a think time around --think seconds. Directors open inspections through the API and
   approve conclusions; leads plan through the HTML form (with its CSRF token), keep findings (HTML) and write the
   minutes; inspectors answer the whole checklist, raise findings with photos and finish their visits through the API;
   viewers read dashboards, case lists, case pages and histories. Team leads also follow up the fired timers.
4. The fault, at half time:
     kill-web-worker    kill -9 of one gunicorn worker (the master starts another);
     terminate-db       pg_terminate_backend() of every connection to the database (web and worker);
     kill-timer-worker  kill -9 of the `inspect worker` once it has fired a quarter of the overdue timers (so while it
                        fires them), started again 2 s later.
5. Checks: every completion a user was told succeeded is completed in the database by that user (none lost), none was
   acknowledged twice, `inspect verify-history` and `inspect check-consistency` pass (the latter: task list and timers
   equal the workflows, the history counts each step and each fired timer once).
Prints requests/s, p50/p95/p99 per endpoint, answers by status, server errors by endpoint and exception, and the
checks; exits 1 if a check fails. Logs and uploads stay in the folder it names.
"""

import argparse
import asyncio
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from PIL import Image, ImageDraw
from sqlalchemy import create_engine, func, make_url, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import current_app  # noqa: E402

from inspect_app import create_app  # noqa: E402
from inspect_app.auth.tokens import issue_token  # noqa: E402
from inspect_app.checklists.samples import load_sample_checklists  # noqa: E402
from inspect_app.core.clock import EXTENSION_KEY  # noqa: E402
from inspect_app.core.config import Config  # noqa: E402
from inspect_app.core.extensions import db  # noqa: E402
from inspect_app.core.unit_of_work import unit_of_work  # noqa: E402

# The demo's own story of an inspection left in remediation; started far enough back, its deadline has passed.
from inspect_app.demo.cases import DemoClock, _in_remediation  # noqa: E402
from inspect_app.demo.organisation import DEMO_PASSWORD, DEPARTMENTS, DISTRICTS  # noqa: E402
from inspect_app.models import HumanTask, OrgUnit, Role, TaskState, TimerState, User, WorkflowTimer  # noqa: E402

BIN = Path(sys.executable).parent
FLASK = [str(BIN / "flask"), "--app", "wsgi", "inspect"]
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/inspect_load"
FAULTS = ("none", "kill-web-worker", "terminate-db", "kill-timer-worker")
CHECKLIST = json.loads((ROOT / "inspect_app/checklists/data/sample_public_service.json").read_text(encoding="utf-8"))
ITEMS = [(item["code"], item["area"]) for item in CHECKLIST["items"]]
UNIT_CODES = [code for code, _name in DEPARTMENTS + DISTRICTS]
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CASE_LINK = re.compile(r'href="/cases/(\d+)"')
FIRED_LINE = re.compile(r"timer \S+ fired \(")
FLASK_EXCEPTION = re.compile(r"Exception on (\S+) \[(\w+)\]")
EXCEPTION_LINE = re.compile(r"[A-Za-z_][\w.]*(: |$)")
REQUEST_TIMEOUT = 60  # seconds; a request slower than this counts as an error
LOAD_PASSWORD = "load-test-password"


# --- Accounts -------------------------------------------------------------------------------------------------------

# Shares of the simulated users by role; the rest are viewers. The demo's own people come first, so that the demo
# lead follows up the overdue inspections (they are hers) and the demo's tasks are worked on too.
ROLE_SHARES = (("director", 0.1), ("lead", 0.2), ("inspector", 0.5))
DEMO_ACCOUNTS = {"director": ["director"], "lead": ["lead"], "inspector": ["inspector", "inspector2"], "viewer": []}
GLOBAL_ROLES = {
    "director": [Role.DIRECTOR],
    "lead": [Role.LEAD, Role.INSPECTOR],
    "inspector": [Role.INSPECTOR],
    "viewer": [Role.AUDITOR],
}


@dataclass
class Account:
    username: str
    role: str
    password: str
    token: str = ""


def plan_accounts(users: int) -> list[Account]:
    """`users` accounts shared out by ROLE_SHARES, at least one director, lead and two inspectors."""
    counts = {role: max(2 if role == "inspector" else 1, round(users * share)) for role, share in ROLE_SHARES}
    counts["viewer"] = max(0, users - sum(counts.values()))
    accounts = []
    for role, count in counts.items():
        for number in range(count):
            demo = DEMO_ACCOUNTS[role]
            if number < len(demo):
                accounts.append(Account(demo[number], role, DEMO_PASSWORD))
            else:
                accounts.append(Account(f"load-{role}-{number + 1}", role, LOAD_PASSWORD))
    return accounts


def prepare_accounts(accounts: list[Account]) -> None:
    """Create the accounts missing from the database and give every account a fresh API token."""
    with unit_of_work():
        home = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "HD-SNV"))
        for account in accounts:
            user = db.session.scalar(select(User).where(User.username == account.username))
            if user is None:
                user = User(username=account.username, full_name=f"Người dùng thử {account.username}", unit=home)
                user.set_password(account.password)
                for role in GLOBAL_ROLES[account.role]:
                    user.grant(role)
                db.session.add(user)
                db.session.flush()
            _row, account.token = issue_token(user, "bench/load.py")


# --- The database ---------------------------------------------------------------------------------------------------


def bench_app(database_url: str, upload_dir: str):
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "UPLOAD_DIR": upload_dir, "LOG_LEVEL": "WARNING"}
    config = type("LoadConfig", (Config,), settings)
    return create_app(config)


def server_engine(database_url: str):
    """A connection to the server's `postgres` database, for creating and dropping databases and killing sessions."""
    return create_engine(make_url(database_url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def database_exists(database_url: str, name: str) -> bool:
    with server_engine(database_url).connect() as connection:
        return connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}) is not None


def recreate_database(database_url: str, name: str, template: str | None = None) -> None:
    with server_engine(database_url).connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))


def server_env(database_url: str, workdir: Path, log_level: str = "WARNING") -> dict:
    return {
        **os.environ,
        "INSPECT_DATABASE_URL": database_url,
        "INSPECT_UPLOAD_DIR": str(workdir / "uploads"),
        "INSPECT_LOG_LEVEL": log_level,
        "INSPECT_LOG_FORMAT": "json",
    }


def build_template(database_url: str, overdue: int, workdir: Path) -> None:
    """Migrate, load the demo and add the overdue inspections, in <database>_template."""
    started = time.perf_counter()
    url = make_url(database_url)
    template_url = url.set(database=f"{url.database}_template").render_as_string(hide_password=False)
    print(f"building {url.database}_template (demo province + {overdue} overdue inspections) ...", flush=True)
    recreate_database(database_url, f"{url.database}_template")
    env = server_env(template_url, workdir)
    for command in (["init-db"], ["demo"]):
        subprocess.run(FLASK + command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    app = bench_app(template_url, str(workdir / "uploads"))
    with app.app_context():
        add_overdue_inspections(overdue)
        db.session.remove()
        db.engine.dispose()  # a template must have no open connection when it is copied
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)


def add_overdue_inspections(count: int) -> None:
    """`count` inspections waiting for remediation whose deadline passed twelve days ago (their timers are due)."""
    with unit_of_work():
        users = {user.username: user for user in db.session.scalars(select(User))}
        units = {unit.code: unit for unit in db.session.scalars(select(OrgUnit))}
        template = load_sample_checklists()[0]
        start = datetime.now(UTC) - timedelta(days=40)
        story = DemoClock(start)
        current_app.extensions[EXTENSION_KEY] = story
        try:
            for number in range(count):
                unit = units[UNIT_CODES[number % len(UNIT_CODES)]]
                _in_remediation(story, start + timedelta(minutes=number), users, unit, template)
        finally:
            current_app.extensions.pop(EXTENSION_KEY, None)


# --- Servers --------------------------------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children_of(pid: int) -> dict[int, str]:
    """The processes whose parent is `pid` (gunicorn's workers) with their state (R running, S sleeping ...)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            found[int(stat.parent.name)] = fields[0]
    return found


class Servers:
    """gunicorn and the timer worker, with their logs in the work folder."""

    def __init__(self, database_url: str, workdir: Path, workers: int, port: int):
        self.database_url, self.workdir, self.workers, self.port = database_url, workdir, workers, port
        self.web: asyncio.subprocess.Process | None = None
        self.timer_worker: asyncio.subprocess.Process | None = None
        self.fired = 0  # timers the worker processes logged as fired
        self._fired_enough = asyncio.Event()
        self._enough = 0
        self._readers: list[asyncio.Task] = []
        self.web_log = workdir / "gunicorn.log"
        self.worker_log = workdir / "worker.log"
        self._worker_lines = self.worker_log.open("a", encoding="utf-8", buffering=1)  # every worker, and the faults

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start_web(self) -> None:
        log = self.web_log.open("ab")
        self.web = await asyncio.create_subprocess_exec(
            str(BIN / "gunicorn"),
            *("--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}", "--timeout", "60"),
            "wsgi:app",
            cwd=ROOT,
            env=server_env(self.database_url, self.workdir),
            stdout=log,
            stderr=log,
        )
        async with httpx.AsyncClient(base_url=self.base_url) as client:
            for _attempt in range(120):
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.5)
        raise SystemExit(f"gunicorn did not answer /healthz; see {self.web_log}")

    async def start_timer_worker(self) -> None:
        self.timer_worker = await asyncio.create_subprocess_exec(
            *FLASK,
            *("worker", "--interval", "1"),
            cwd=ROOT,
            env=server_env(self.database_url, self.workdir, log_level="INFO"),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        self._readers.append(asyncio.create_task(self._read_worker_log(self.timer_worker)))

    async def _read_worker_log(self, process) -> None:
        async for raw in process.stderr:
            line = raw.decode("utf-8", "replace")
            self._worker_lines.write(line)
            if FIRED_LINE.search(line):
                self.fired += 1
                if self._enough and self.fired >= self._enough:
                    self._fired_enough.set()

    def note(self, line: str) -> None:
        """Mark a moment in the worker's log (a fault)."""
        self._worker_lines.write(f"{datetime.now(UTC).isoformat()} {line}\n")

    async def timers_fired(self, count: int) -> None:
        """Return once the worker has fired `count` timers."""
        self._enough = count
        if self.fired >= count:
            return
        await self._fired_enough.wait()

    def busy_web_worker(self) -> int:
        """A gunicorn worker, one running (so most likely in the middle of a request) if there is one."""
        workers = children_of(self.web.pid)
        running = [pid for pid, state in workers.items() if state == "R"]
        return random.choice(running or list(workers))

    async def stop(self) -> None:
        for process in (self.timer_worker, self.web):
            if process is not None and process.returncode is None:
                process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), 30)
                except TimeoutError:
                    process.kill()
        await asyncio.gather(*self._readers, return_exceptions=True)
        self._worker_lines.close()


# --- Measurements ---------------------------------------------------------------------------------------------------


class Stats:
    """Every request's time and outcome (its status, or the transport error's name), by endpoint."""

    def __init__(self):
        self.times: dict[str, list[float]] = defaultdict(list)
        self.outcomes: dict[str, Counter] = defaultdict(Counter)
        self.refusals: Counter = Counter()  # (endpoint, status, the API's message): how often
        self.loop_lag = 0.0  # the longest the generator's event loop was late, in seconds

    def record(self, endpoint: str, outcome: int | str, seconds: float) -> None:
        self.times[endpoint].append(seconds)
        self.outcomes[endpoint][outcome] += 1

    @property
    def requests(self) -> int:
        return sum(len(times) for times in self.times.values())


class Ledger:
    """Every attempt to complete a task, and what the user was told: ok, a refusal's status, or a transport error."""

    def __init__(self):
        self.attempts: dict[int, list[tuple[str, str]]] = defaultdict(list)

    def note(self, task_id: int, username: str, outcome: str) -> None:
        self.attempts[task_id].append((username, outcome))

    def acknowledged(self) -> dict[int, list[str]]:
        """Task id: the users who were told they completed it."""
        return {
            task_id: [user for user, outcome in tries if outcome == "ok"]
            for task_id, tries in self.attempts.items()
            if any(outcome == "ok" for _user, outcome in tries)
        }


async def watch_loop_lag(stats: "Stats") -> None:
    """How late the load generator's own event loop wakes up: time it adds to every measured request."""
    while True:
        asked = time.perf_counter()
        await asyncio.sleep(0.1)
        stats.loop_lag = max(stats.loop_lag, time.perf_counter() - asked - 0.1)


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# --- Simulated users ------------------------------------------------------------------------------------------------


@dataclass
class Shared:
    """Who may be named on a new inspection, and how many the directors have opened."""

    leads: list[str]
    inspectors: list[str]
    new_cases: int = 0
    max_new_cases: int = 0


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def photo(rng: random.Random) -> bytes:
    """A small JPEG, different every time (uploads are stored by content hash)."""
    image = Image.new("RGB", (640, 480), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(600), rng.randrange(440)
        draw.rectangle((x, y, x + 40, y + 40), fill=tuple(rng.randrange(256) for _ in range(3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


class SimulatedUser:
    """One person: an API client with their token and a browser session, acting by role until the deadline."""

    def __init__(self, account: Account, base_url: str, stats: Stats, ledger: Ledger, shared: Shared, seed: int):
        self.account, self.stats, self.ledger, self.shared = account, stats, ledger, shared
        self.rng = random.Random(seed)
        self.api = httpx.AsyncClient(
            base_url=base_url, headers={"Authorization": f"Bearer {account.token}"}, timeout=REQUEST_TIMEOUT
        )
        self.web = httpx.AsyncClient(base_url=base_url, timeout=REQUEST_TIMEOUT)
        self.csrf: str | None = None
        # The cases this user has seen in their own lists and inbox, for the pages they then visit.
        self.case_ids: set[int] = set()
        self.references: set[str] = set()
        self.handlers = {
            "inspection_plan": self.plan,
            "onsite_inspection": self.visit,
            "minutes": self.minutes,
            "conclusion": self.conclusion,
            "closure": self.closure,
            "remediation_follow_up": self.follow_up,
            "escalation": self.escalation,
        }

    def actions(self) -> list[tuple]:
        return {
            "director": [(self.work, 5), (self.dashboard, 2), (self.case_page, 2), (self.case_api, 1), (self.open, 2)],
            "lead": [(self.work, 6), (self.dashboard, 2), (self.case_page, 1), (self.inbox_page, 1)],
            "inspector": [(self.work, 6), (self.dashboard, 1), (self.case_page, 1)],
            "viewer": [
                (self.dashboard, 3),
                (self.case_list, 2),
                (self.case_page, 3),
                (self.case_api, 2),
                (self.notifications, 1),
            ],
        }[self.account.role]

    async def run(self, start: float, deadline: float, think: float) -> None:
        actions = self.actions()
        await asyncio.sleep(start)
        try:
            while time.monotonic() < deadline:
                if self.csrf is None:
                    await self.sign_in()
                else:
                    [action] = self.rng.choices([a for a, _w in actions], weights=[w for _a, w in actions])
                    await action()
                await asyncio.sleep(think * self.rng.uniform(0.5, 1.5))
        finally:
            await self.api.aclose()
            await self.web.aclose()

    async def call(self, client: httpx.AsyncClient, method: str, url: str, endpoint: str, **kwargs):
        """One request, timed and counted under `endpoint`; None when it failed in transport."""
        started = time.perf_counter()
        try:
            response = await client.request(method, url, **kwargs)
        except httpx.HTTPError as error:
            self.stats.record(endpoint, type(error).__name__, time.perf_counter() - started)
            return None
        self.stats.record(endpoint, response.status_code, time.perf_counter() - started)
        if response.status_code >= 400 and response.headers.get("content-type", "").startswith("application/json"):
            message = str(response.json().get("message", ""))[:150]
            self.stats.refusals[(endpoint, response.status_code, message)] += 1
        return response

    # Browsing

    async def sign_in(self) -> None:
        self.web.cookies.clear()
        page = await self.call(self.web, "GET", "/login", "GET /login")
        token = CSRF_FIELD.search(page.text) if page is not None and page.status_code == 200 else None
        if token is None:
            return
        form = {"username": self.account.username, "password": self.account.password, "csrf_token": token.group(1)}
        signed_in = await self.call(self.web, "POST", "/login", "POST /login (form)", data=form)
        if signed_in is not None and signed_in.status_code == 302:
            await self.dashboard()

    def _keep_csrf(self, page) -> None:
        if page is not None and page.status_code == 200 and (token := CSRF_FIELD.search(page.text)):
            self.csrf = token.group(1)

    def _signed_out(self, response) -> bool:
        if response is not None and response.status_code == 302 and "/login" in response.headers.get("location", ""):
            self.csrf = None  # the session is gone: sign in again
            return True
        return False

    async def dashboard(self) -> None:
        page = await self.call(self.web, "GET", "/", "GET /")
        if not self._signed_out(page):
            self._keep_csrf(page)

    async def case_list(self) -> None:
        page = await self.call(self.web, "GET", "/cases/", "GET /cases/")
        if page is not None and page.status_code == 200:
            self.case_ids.update(int(found) for found in CASE_LINK.findall(page.text))

    async def case_page(self) -> None:
        if not self.case_ids:
            return await self.case_list()
        case_id = self.rng.choice(sorted(self.case_ids))
        self._signed_out(await self.call(self.web, "GET", f"/cases/{case_id}", "GET /cases/<id>"))

    async def inbox_page(self) -> None:
        self._signed_out(await self.call(self.web, "GET", "/tasks/", "GET /tasks/"))

    async def notifications(self) -> None:
        self._signed_out(await self.call(self.web, "GET", "/notifications/", "GET /notifications/"))

    async def case_api(self) -> None:
        if not self.references:
            return await self.case_list()
        reference = self.rng.choice(sorted(self.references))
        await self.call(self.api, "GET", f"/api/v1/cases/{reference}", "GET /api/v1/cases/<ref>")
        await self.call(self.api, "GET", f"/api/v1/cases/{reference}/history", "GET /api/v1/cases/<ref>/history")

    # Work

    async def work(self) -> None:
        """Take one task from my inbox that I may complete now and do it."""
        inbox = await self.call(self.api, "GET", "/api/v1/tasks?per_page=100", "GET /api/v1/tasks")
        if inbox is None or inbox.status_code != 200:
            return
        tasks = [t for t in inbox.json()["tasks"] if t["can_complete"] and t["form"] in self.handlers]
        self.references.update(t["case_reference"] for t in inbox.json()["tasks"])
        if tasks:
            task = self.rng.choice(tasks)
            await self.handlers[task["form"]](task)

    async def complete(self, task: dict, body: dict) -> None:
        response = await self.call(
            self.api, "POST", f"/api/v1/tasks/{task['id']}/complete", "POST /api/v1/tasks/<id>/complete", json=body
        )
        self.ledger.note(task["id"], self.account.username, self._outcome(response, 200))

    @staticmethod
    def _outcome(response, success: int) -> str:
        if response is None:
            return "transport"
        return "ok" if response.status_code == success else str(response.status_code)

    async def open(self) -> None:
        """A director decides an inspection of a random unit, with a random lead and two inspectors."""
        if self.shared.new_cases >= self.shared.max_new_cases:
            return await self.work()
        self.shared.new_cases += 1
        start = date.today() + timedelta(days=2)
        body = {
            "type": "inspection",
            "decision_number": f"{self.rng.randrange(1, 999)}/QĐ-SNV",
            "decision_date": date.today().isoformat(),
            "unit": self.rng.choice(UNIT_CODES),
            "title": f"Kiểm tra công vụ (thử tải) {uuid.uuid4().hex[:6]}",
            "scope": ["civil_service", "procedures", "e_government"],
            "planned_start": start.isoformat(),
            "planned_end": (start + timedelta(days=1)).isoformat(),
            "is_announced": True,
            "lead": self.rng.choice(self.shared.leads),
            "members": self.rng.sample(self.shared.inspectors, 2),
            "checklist": CHECKLIST["code"],
            "client_id": str(uuid.uuid4()),
        }
        response = await self.call(self.api, "POST", "/api/v1/cases", "POST /api/v1/cases", json=body)
        if response is not None and response.status_code == 201:
            self.references.add(response.json()["reference"])

    async def plan(self, task: dict) -> None:
        """The lead plans through the HTML form, as in a browser: read the page, post it with its CSRF token."""
        page = await self.call(self.web, "GET", f"/tasks/{task['id']}", "GET /tasks/<id>")
        if self._signed_out(page) or page is None or not (token := CSRF_FIELD.search(page.text)):
            return
        form = {"csrf_token": token.group(1), "schedule_note": "Làm việc tại Bộ phận một cửa từ 7 giờ 30."}
        done = await self.call(self.web, "POST", f"/tasks/{task['id']}", "POST /tasks/<id> (form)", data=form)
        ok = done is not None and done.status_code == 302 and "/cases/" in done.headers.get("location", "")
        if ok:
            self.case_ids.add(int(done.headers["location"].rstrip("/").rsplit("/", 1)[1]))
        self._signed_out(done)
        self.ledger.note(task["id"], self.account.username, "ok" if ok else self._outcome(done, 302))

    async def visit(self, task: dict) -> None:
        """An inspector on site: answer every item, sometimes raise a finding with photos, finish the visit."""
        reference = task["case_reference"]
        for code, _area in ITEMS:
            body = {
                "answer": "not_compliant" if self.rng.random() < 0.1 else "compliant",
                "note": "",
                "captured_at": now_iso(),
                "client_id": str(uuid.uuid4()),
            }
            url = f"/api/v1/cases/{reference}/answers/{code}"
            await self.call(self.api, "PUT", url, "PUT /api/v1/cases/<ref>/answers/<item>", json=body)
            await asyncio.sleep(self.rng.uniform(0.05, 0.3))
        if self.rng.random() < 0.4:
            await self.raise_finding(reference)
        await self.complete(task, {"confirmed": True})

    async def raise_finding(self, reference: str) -> None:
        code, area = self.rng.choice(ITEMS)
        body = {
            "client_id": str(uuid.uuid4()),
            "title": "Hồ sơ trễ hạn chưa có phiếu xin lỗi",
            "description": "Ghi nhận khi kiểm tra (thử tải).",
            "severity": self.rng.choice(["minor", "major", "observation"]),
            "area": area,
            "item": code,
            "remediation_required": "Gửi phiếu xin lỗi và hẹn lại ngày trả kết quả.",
            "captured_at": now_iso(),
        }
        url = f"/api/v1/cases/{reference}/findings"
        raised = await self.call(self.api, "POST", url, "POST /api/v1/cases/<ref>/findings", json=body)
        if raised is None or raised.status_code not in (200, 201):
            return
        for _ in range(self.rng.randint(1, 2)):
            fields = {
                "client_id": str(uuid.uuid4()),
                "captured_at": now_iso(),
                "latitude": "20.94",
                "longitude": "106.33",
            }
            files = {"file": ("anh.jpg", photo(self.rng), "image/jpeg")}
            url = f"/api/v1/findings/{raised.json()['id']}/photos"
            await self.call(self.api, "POST", url, "POST /api/v1/findings/<id>/photos", data=fields, files=files)

    async def minutes(self, task: dict) -> None:
        """The lead keeps every draft finding (HTML buttons, with CSRF), then writes the minutes (API)."""
        reference = task["case_reference"]
        listed = await self.call(
            self.api, "GET", f"/api/v1/cases/{reference}/findings", "GET /api/v1/cases/<ref>/findings"
        )
        if listed is None or listed.status_code != 200:
            return
        for finding in listed.json()["findings"]:
            if finding["state"] == "draft":
                url = f"/inspections/findings/{finding['id']}/keep"
                kept = await self.call(
                    self.web, "POST", url, "POST /inspections/findings/<id>/keep (form)", data={"csrf_token": self.csrf}
                )
                if self._signed_out(kept):
                    return
        body = {
            "unit_comments": "Đơn vị thống nhất với nội dung biên bản.",
            "unit_head_name": "Ông Nguyễn Văn Bình",
            "acknowledged_at": now_iso(),
        }
        await self.complete(task, body)

    async def conclusion(self, task: dict) -> None:
        if self.rng.random() < 0.85:
            body = {"decision": "approve", "summary": "Đơn vị cơ bản thực hiện nghiêm kỷ luật, kỷ cương hành chính."}
        else:
            body = {"decision": "return", "comment": "Bổ sung ý kiến của đơn vị vào biên bản."}
        await self.complete(task, body)

    async def closure(self, task: dict) -> None:
        await self.complete(task, {"reason": "Kết thúc kiểm tra."})

    async def follow_up(self, task: dict) -> None:
        if self.rng.random() < 0.8:
            body = {"decision": "extend", "extra_days": 14, "reason": "Đơn vị xin thêm thời gian."}
        else:
            body = {"decision": "escalate", "reason": "Đơn vị không khắc phục."}
        await self.complete(task, body)

    async def escalation(self, task: dict) -> None:
        await self.complete(task, {"decision": "extend", "extra_days": 30, "reason": "Cho thêm một tháng."})


# --- Faults ---------------------------------------------------------------------------------------------------------


def terminate_connections(database_url: str) -> int:
    """pg_terminate_backend() of every session on the database; how many there were."""
    name = make_url(database_url).database
    query = text(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()"
    )
    with server_engine(database_url).connect() as connection:
        return len(connection.execute(query, {"name": name}).all())


async def inject(fault: str, servers: Servers, database_url: str, at: float, overdue: int, started: float) -> str:
    """Wait for the moment, inject the fault, and say what was done when."""
    if fault == "kill-timer-worker":
        await servers.timers_fired(max(1, overdue // 4))
        victim = servers.timer_worker.pid
        os.kill(victim, signal.SIGKILL)
        done = f"kill -9 of the timer worker (pid {victim}) after {servers.fired} timers fired"
        servers.note(f"bench/load.py: {done}")
        await asyncio.sleep(2)
        await servers.start_timer_worker()
        return f"{time.monotonic() - started - 2:.1f} s: {done}; started again 2 s later"
    await asyncio.sleep(at)
    if fault == "kill-web-worker":
        victim = servers.busy_web_worker()
        os.kill(victim, signal.SIGKILL)
        done = f"kill -9 of gunicorn worker {victim}"
    else:
        done = f"pg_terminate_backend() of {await asyncio.to_thread(terminate_connections, database_url)} connections"
    return f"{time.monotonic() - started:.1f} s: {done}"


# --- Checks ---------------------------------------------------------------------------------------------------------


@dataclass
class Findings:
    acknowledged: int = 0
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    unacknowledged: list[str] = field(default_factory=list)
    suspicious: list[str] = field(default_factory=list)
    timers_fired: int = 0
    timers_due: int = 0
    commands: dict[str, tuple[int, str]] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return bool(self.lost or self.doubled or self.suspicious or any(code for code, _ in self.commands.values()))


def check_steps(ledger: Ledger, accounts: list[Account], since: datetime) -> Findings:
    """Compare what the users were told with what the database holds (in the app's context)."""
    found = Findings()
    acknowledged = ledger.acknowledged()
    found.acknowledged = len(acknowledged)
    for task_id, users in sorted(acknowledged.items()):
        row = db.session.get(HumanTask, task_id)
        if len(users) > 1:
            found.doubled.append(f"task #{task_id}: completed for {', '.join(users)}")
        if row is None or row.state != TaskState.COMPLETED or row.completed_by.username != users[0]:
            state = (
                "missing" if row is None else f"{row.state.value} by {row.completed_by and row.completed_by.username}"
            )
            found.lost.append(f"task #{task_id}: told {users[0]} it was done; the database says {state}")
    names = {account.username for account in accounts}
    completed = db.session.scalars(
        select(HumanTask).where(HumanTask.state == TaskState.COMPLETED, HumanTask.completed_at >= since)
    )
    for row in completed:
        if row.id in acknowledged or row.completed_by.username not in names:
            continue
        outcomes = [outcome for _user, outcome in ledger.attempts.get(row.id, [])]
        line = f"task #{row.id} {row.bpmn_id} by {row.completed_by.username}: answers {outcomes}"
        # Done although no answer said so: fine when the answer was lost on the way (transport error, 5xx, 502).
        if any(outcome == "transport" or outcome.startswith("5") for outcome in outcomes):
            found.unacknowledged.append(line)
        else:
            found.suspicious.append(line)
    found.timers_fired = db.session.scalar(
        select(func.count(WorkflowTimer.id)).where(
            WorkflowTimer.state == TimerState.FIRED, WorkflowTimer.fired_at >= since
        )
    )
    found.timers_due = db.session.scalar(
        select(func.count(WorkflowTimer.id)).where(
            WorkflowTimer.state == TimerState.WAITING, WorkflowTimer.due_at <= datetime.now(UTC)
        )
    )
    return found


def run_check_commands(database_url: str, workdir: Path, found: Findings) -> None:
    for command in ("verify-history", "check-consistency"):
        result = subprocess.run(
            FLASK + [command], cwd=ROOT, env=server_env(database_url, workdir), capture_output=True, text=True
        )
        (workdir / f"{command}.txt").write_text(result.stdout + result.stderr, encoding="utf-8")
        lines = [line for line in result.stdout.splitlines() if line.strip()]
        shown = "\n    ".join(lines[-6:]) if result.returncode else (lines[-1] if lines else result.stderr[-300:])
        found.commands[command] = (result.returncode, shown)


def _exception_line(trace: str) -> str:
    """The last exception's own line, `module.Class: message` (not SQLAlchemy's SQL, parameters or link)."""
    lines = [line for line in trace.splitlines() if EXCEPTION_LINE.match(line)]
    return lines[-1] if lines else "?"


def server_errors(log: Path) -> dict[tuple[str, str], tuple[int, str]]:
    """(request, exception) -> (count, one traceback) from the web app's JSON log."""
    errors: dict[tuple[str, str], tuple[int, str]] = {}
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        # The app's own handler names the request in fields; Flask's (an error after the view) in the message.
        if entry.get("message") == "unhandled error":
            method, path = entry.get("method", "?"), entry.get("path", "?")
        elif found := FLASK_EXCEPTION.match(entry.get("message", "")):
            path, method = found.groups()
        else:
            continue
        trace = entry.get("exception", "")
        where = f"{method} {re.sub(r'/[0-9]+', '/<id>', path)}"
        key = (where, _exception_line(trace)[:200])
        count, example = errors.get(key, (0, trace))
        errors[key] = (count + 1, example)
    return errors


# --- The run --------------------------------------------------------------------------------------------------------


def report(stats: Stats, elapsed: float, fault_note: str | None, found: Findings, errors, args, workdir: Path):
    print()
    print(
        f"{args.users} users for {elapsed:.0f} s, gunicorn {args.workers} sync workers + 1 timer worker, PostgreSQL; "
        f"fault: {args.fault}" + (f" ({fault_note})" if fault_note else "")
    )
    print(f"{stats.requests} requests, {stats.requests / elapsed:.1f} requests/s")
    print(f"the load generator's event loop was late by up to {stats.loop_lag * 1000:.0f} ms (included in the times)")
    print()
    print(f"{'endpoint':<46} {'count':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}  answers")
    for endpoint in sorted(stats.times):
        times = stats.times[endpoint]
        answers = ", ".join(f"{outcome}: {n}" for outcome, n in sorted(stats.outcomes[endpoint].items(), key=str))
        print(
            f"{endpoint:<46} {len(times):>6} {percentile(times, 0.5) * 1000:>7.0f} "
            f"{percentile(times, 0.95) * 1000:>7.0f} {percentile(times, 0.99) * 1000:>7.0f}  {answers}"
        )
    total = Counter()
    for outcomes in stats.outcomes.values():
        total.update(outcomes)
    print("all answers: " + ", ".join(f"{outcome}: {n}" for outcome, n in sorted(total.items(), key=str)))
    if stats.refusals:
        print("refusals (the API's message):")
        for (endpoint, status, message), count in stats.refusals.most_common():
            print(f"  {count:>4}  {status} {endpoint}: {message}")
    print()
    print(f"server errors (500) by request and exception (tracebacks in {workdir / 'gunicorn.log'}):")
    for (where, exception), (count, _trace) in sorted(errors.items(), key=lambda item: -item[1][0]):
        print(f"  {count:>4}  {where}: {exception}")
    if not errors:
        print("  none")
    print()
    print(f"completions acknowledged: {found.acknowledged}; lost: {len(found.lost)}; doubled: {len(found.doubled)}")
    for line in found.lost + found.doubled:
        print(f"  {line}")
    print(f"completed although the answer never arrived (transport error or 5xx): {len(found.unacknowledged)}")
    for line in found.unacknowledged:
        print(f"  {line}")
    if found.suspicious:
        print(f"completed although every answer was a refusal: {len(found.suspicious)}")
        for line in found.suspicious:
            print(f"  {line}")
    print(f"timers fired during the run: {found.timers_fired}; due but not fired yet: {found.timers_due}")
    for command, (code, shown) in found.commands.items():
        print(f"inspect {command}: {'passed' if code == 0 else f'FAILED (exit {code})'}: {shown}")


async def wait_for_due_timers(app, seconds: float) -> None:
    """Give the worker time to fire what is still due (after a restart it starts from the oldest)."""
    for _ in range(int(seconds)):
        with app.app_context():
            due = db.session.scalar(
                select(func.count(WorkflowTimer.id)).where(
                    WorkflowTimer.state == TimerState.WAITING,
                    WorkflowTimer.due_at <= datetime.now(UTC),
                    WorkflowTimer.attempts == 0,
                )
            )
            db.session.remove()
        if not due:
            return
        await asyncio.sleep(1)


async def load(args, accounts: list[Account], workdir: Path) -> int:
    app = bench_app(args.database_url, str(workdir / "uploads"))
    servers = Servers(args.database_url, workdir, args.workers, free_port())
    await servers.start_web()
    stats, ledger = Stats(), Ledger()
    shared = Shared(
        leads=[a.username for a in accounts if a.role == "lead"],
        inspectors=[a.username for a in accounts if a.role == "inspector"],
        max_new_cases=args.users * 2,
    )
    users = [SimulatedUser(a, servers.base_url, stats, ledger, shared, seed) for seed, a in enumerate(accounts)]
    since = datetime.now(UTC)
    started = time.monotonic()
    print(f"running {args.users} users for {args.duration} s against {servers.base_url} ...", flush=True)
    await servers.start_timer_worker()
    lag = asyncio.create_task(watch_loop_lag(stats))
    fault = None
    if args.fault != "none":
        fault = asyncio.create_task(
            inject(args.fault, servers, args.database_url, args.duration / 2, args.overdue, started)
        )
    # The users arrive over the first --ramp seconds, not all signing in at the same instant.
    await asyncio.gather(
        *(
            user.run(args.ramp * number / len(users), started + args.duration, args.think)
            for number, user in enumerate(users)
        )
    )
    elapsed = time.monotonic() - started
    lag.cancel()
    fault_note = None
    if fault is not None:
        fault_note = await fault if fault.done() else "not injected: its moment never came"
        fault.cancel()
    await wait_for_due_timers(app, 60)
    await servers.stop()
    with app.app_context():
        found = check_steps(ledger, accounts, since)
        db.session.remove()
        db.engine.dispose()
    run_check_commands(args.database_url, workdir, found)
    report(stats, elapsed, fault_note, found, server_errors(servers.web_log), args, workdir)
    return 1 if found.failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--duration", type=float, default=120, help="seconds of load")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between one user's actions")
    parser.add_argument("--ramp", type=float, default=10, help="seconds over which the users arrive")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--fault", choices=FAULTS, default="none")
    parser.add_argument("--overdue", type=int, default=40, help="inspections whose timers are due (template)")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--rebuild", action="store_true", help="build the template database again")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="inspect-load-"))
    print(f"work folder (logs, uploads): {workdir}", flush=True)
    url = make_url(args.database_url)
    if args.rebuild or not database_exists(args.database_url, f"{url.database}_template"):
        build_template(args.database_url, args.overdue, workdir)
    recreate_database(args.database_url, url.database, template=f"{url.database}_template")
    accounts = plan_accounts(args.users)
    app = bench_app(args.database_url, str(workdir / "uploads"))
    with app.app_context():
        prepare_accounts(accounts)
        db.session.remove()
        db.engine.dispose()
    sys.exit(asyncio.run(load(args, accounts, workdir)))


if __name__ == "__main__":
    main()
