"""What the task-completion benchmarks share: a database with the looping review process deployed, users with API
tokens, cases waiting at their first report, and a gunicorn serving it over real HTTP.

The loop (tests/data/bpmn/app/app_review.bpmn): the lead writes the report (form `note`), the director returns it
(form `review`, decision `return`), and the case is back at the report; one pass is those two completions."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, make_url, select, text  # noqa: E402

from inspect_app import create_app  # noqa: E402
from inspect_app.cases.services import add_team_member, create_case  # noqa: E402
from inspect_app.core.config import Config, TestConfig  # noqa: E402
from inspect_app.core.extensions import db  # noqa: E402
from inspect_app.core.migrations import upgrade  # noqa: E402
from inspect_app.models import (  # noqa: E402
    ApiToken,
    CaseType,
    HumanTask,
    OrgLevel,
    OrgUnit,
    Role,
    TaskState,
    TeamRole,
    User,
)
from inspect_app.processes.services import deploy_bpmn  # noqa: E402
from inspect_app.tasks.services import start_case_workflow  # noqa: E402

LOOP_BPMN = ROOT / "tests" / "data" / "bpmn" / "app" / "app_review.bpmn"
REPORT = {"note": "Báo cáo"}
RETURN = {"decision": "return", "comment": "Bổ sung số liệu"}
BIN = Path(sys.executable).parent


@dataclass
class LoopCase:
    """A case of the loop and the tokens of the two people who take turns on it."""

    case_id: int
    lead_token: str
    director_token: str


def fresh_database(url: str | None, workdir: str) -> str:
    """The database to run on: a new SQLite file in `workdir`, or the PostgreSQL database `url` dropped and made
    anew (its server must trust the caller)."""
    if not url:
        return f"sqlite:///{workdir}/bench.sqlite3"
    parsed = make_url(url)
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    server.dispose()
    return url


def build_app(database_url: str, upload_dir: str, testing: bool = False):
    """The app on `database_url`, migrated. `testing` uses the test settings (quick password hashing)."""
    base = TestConfig if testing else Config
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "UPLOAD_DIR": upload_dir, "LOG_LEVEL": "WARNING"}
    app = create_app(type("BenchConfig", (base,), settings))
    with app.app_context():
        upgrade()
    return app


def _user(username: str, role: Role, unit: OrgUnit) -> tuple[User, str]:
    user = User(username=username, full_name=username.title(), unit=unit, password_hash="!")
    user.grant(role)
    row, token = ApiToken.issue(user, "bench")
    db.session.add_all([user, row])
    return user, token


def seed_loop_cases(app, count: int, *, pairs: int = 1, tag: str = "") -> list[LoopCase]:
    """`count` cases waiting at the lead's report, shared round-robin among `pairs` (lead, director) pairs of users,
    so that concurrent clients can each have people of their own; `tag` tells apart the users of several calls."""
    with app.app_context():
        unit = OrgUnit(code=f"BENCH{tag}", name="Đơn vị thử", level=OrgLevel.DEPARTMENT)
        db.session.add(unit)
        people = [
            (_user(f"bench{tag}-lead-{n}", Role.LEAD, unit), _user(f"bench{tag}-director-{n}", Role.DIRECTOR, unit))
            for n in range(pairs)
        ]
        deploy_bpmn(LOOP_BPMN.read_bytes(), LOOP_BPMN.name, actor=None)
        db.session.flush()
        cases = []
        for number in range(count):
            (lead, lead_token), (director, director_token) = people[number % pairs]
            case = create_case(
                case_type=CaseType.INSPECTION, title=f"Bench {number}", subject_unit=unit, actor=director
            )
            add_team_member(case, lead, TeamRole.LEAD, actor=director)
            # No visit members: the multi-instance visit has no instances and the case waits at the report.
            start_case_workflow(case, "app_review", actor=director, data={"members": []})
            cases.append(LoopCase(case.id, lead_token, director_token))
        db.session.commit()
        return cases


def open_task_id(app, case_id: int, bpmn_id: str) -> int:
    """The case's ready task of that BPMN step."""
    with app.app_context():
        query = select(HumanTask.id).where(
            HumanTask.case_id == case_id, HumanTask.bpmn_id == bpmn_id, HumanTask.state == TaskState.READY
        )
        task_id = db.session.scalar(query)
        db.session.remove()
    if task_id is None:
        raise SystemExit(f"case {case_id} has no ready {bpmn_id}")
    return task_id


def next_task_id(answer: dict, bpmn_id: str) -> int:
    """The id of the open task of that step, from a completion's answer (`next_tasks`)."""
    for task in answer["next_tasks"]:
        if task["bpmn_id"] == bpmn_id:
            return task["id"]
    raise SystemExit(f"no {bpmn_id} among the next tasks: {answer['next_tasks']}")


def complete(client: httpx.Client, token: str, task_id: int, body: dict) -> tuple[float, dict]:
    """POST one completion; the seconds it took as the client saw it, and the answer."""
    started = time.perf_counter()
    response = client.post(f"/api/v1/tasks/{task_id}/complete", json=body, headers={"Authorization": f"Bearer {token}"})
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"task {task_id}: {response.status_code} {response.text[:300]}")
    return elapsed, response.json()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """gunicorn serving wsgi:app on a free loopback port, on the given database, for a `with` block."""

    def __init__(
        self, database_url: str, workdir: str, *, workers: int = 1, threads: int = 1, code: Path = ROOT, extra=()
    ):
        self.code = code
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(workdir) / f"gunicorn-{self.port}.log"
        self.command = [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread" if threads > 1 else "sync",
            "--threads",
            str(threads),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
            *extra,
            "wsgi:app",
        ]
        self.env = {
            **os.environ,
            "INSPECT_DATABASE_URL": database_url,
            "INSPECT_UPLOAD_DIR": f"{workdir}/uploads",
            "INSPECT_LOG_LEVEL": "WARNING",
            "INSPECT_SECRET_KEY": "bench-not-secret",
            # The checkout served: its own packages come before the installed (editable) ones.
            "PYTHONPATH": str(code),
        }

    def __enter__(self) -> "Gunicorn":
        self.process = subprocess.Popen(
            self.command, cwd=self.code, env=self.env, stdout=self.log.open("w"), stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/api/v1/openapi.json", timeout=2).raise_for_status()
                return self
            except httpx.HTTPError:
                if self.process.poll() is not None:
                    raise SystemExit(f"gunicorn stopped; see {self.log}") from None
                time.sleep(0.2)
        self.__exit__()
        raise SystemExit(f"gunicorn did not answer in 30 s; see {self.log}")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def cpu_seconds(pids) -> dict[int, float]:
    """User and system CPU seconds each process has used so far (Linux /proc; those gone or unreadable are left out)."""
    ticks, used = os.sysconf("SC_CLK_TCK"), {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return used


def cpu_since(before: dict[int, float], pids) -> float:
    """CPU seconds `pids` used since `before` was read (cpu_seconds); a process started since counts whole."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in cpu_seconds(pids).items())


def child_pids(pid: int) -> list[int]:
    """The process's children (gunicorn's workers, for its master)."""
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def backend_pids(database_url: str) -> list[int]:
    """The PostgreSQL server processes serving the database now (the server must run on this machine to be read)."""
    parsed = make_url(database_url)
    server = create_engine(parsed.set(database="postgres"))
    try:
        with server.connect() as connection:
            query = text("SELECT pid FROM pg_stat_activity WHERE datname = :name")
            return list(connection.scalars(query, {"name": parsed.database}))
    finally:
        server.dispose()


def workdir() -> str:
    return tempfile.mkdtemp(prefix="inspect-bench-")


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]
