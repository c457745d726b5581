"""Benchmark: `inspect verify-history` over many cases and events: events per second and the command's peak memory.

Run by hand: `.venv/bin/python bench/verify_history.py [--cases 10000] [--events-per-case 21] [--runs 3]`
(SQLite in a temporary folder; set INSPECT_BENCH_DATABASE_URL=postgresql+psycopg://... for PostgreSQL: an empty
database, or one this script filled before, which it then reuses).

The history is built honestly: the cases through the models, each event hashed by the app's own `compute_hash` and
chained to the one before, so that the command finds every chain intact (it must say OK, or the run stops); each
case carries the engine state of a case started through the services, as a running case does. The command runs as
the user runs it (`flask --app wsgi inspect verify-history`), in a process of its own, so that its peak RSS and CPU
time (getrusage of that child; the database server's CPU is not in it) are the command's alone. "start-up" is
`inspect --help`, which makes the app and exits; the command's peak RSS less the start-up's is what the check itself
holds. `--code DIR` runs the command from another checkout of the project (e.g. `git worktree add --detach /tmp/base
main`) against the same database, alternating run by run with this one: a baseline in the same run. The load
generator is this machine: the figures share its cores with whatever else runs.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, update  # noqa: E402

from inspect_app import create_app  # noqa: E402
from inspect_app.cases.services import add_team_member, create_case  # noqa: E402
from inspect_app.core.config import TestConfig  # noqa: E402
from inspect_app.core.extensions import db  # noqa: E402
from inspect_app.core.migrations import upgrade  # noqa: E402
from inspect_app.history import GENESIS_HASH, compute_hash  # noqa: E402
from inspect_app.models import Case, CaseEvent, CaseType, OrgLevel, OrgUnit, TeamRole, User  # noqa: E402
from inspect_app.processes.services import deploy_bpmn  # noqa: E402
from inspect_app.tasks.services import start_case_workflow  # noqa: E402

LOOP_BPMN = ROOT / "tests" / "data" / "bpmn" / "app" / "app_review.bpmn"
BATCH = 2000  # events inserted at a time
TASKS = [  # what a completed step records, as record_event's callers write it
    ("visit", "Làm việc tại đơn vị", ["Viết báo cáo"]),
    ("report", "Viết báo cáo", ["Xem xét báo cáo"]),
    ("review", "Xem xét báo cáo", ["Viết báo cáo"]),
]


def build_app(url: str, workdir: str):
    config = type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": f"{workdir}/up"})
    app = create_app(config)
    with app.app_context():
        upgrade()
    return app


def event_details(case: Case, number: int, unit: OrgUnit) -> tuple[str, dict]:
    if number == 1:
        opened = {"reference": case.reference, "type": "inspection", "title": case.title, "unit": unit.code}
        return "case.created", opened
    bpmn_id, task, opened = TASKS[number % len(TASKS)]
    details = {"task": task, "bpmn_id": bpmn_id, "opened": opened, "submission": {"note": f"Ghi chú bước {number}"}}
    return "task.completed", details


def running_case(unit: OrgUnit, lead: User) -> Case:
    """A case opened and started through the services: its engine state is what every bench case carries."""
    deploy_bpmn(LOOP_BPMN.read_bytes(), LOOP_BPMN.name, actor=None)
    case = create_case(case_type=CaseType.INSPECTION, title="Mẫu", subject_unit=unit, actor=lead, year=2025)
    add_team_member(case, lead, TeamRole.LEAD, actor=lead)
    start_case_workflow(case, "app_review", actor=lead, data={"members": [lead.id]})
    db.session.flush()
    return case


def build_history(cases: int, per_case: int) -> None:
    """`cases` cases of `per_case` events each, chained and hashed as record_event would."""
    units = [OrgUnit(code=f"B{n:02d}", name=f"Huyện thử số {n}", level=OrgLevel.DISTRICT) for n in range(20)]
    people = [User(username=f"bench{n}", full_name=f"Người thử {n}", password_hash="!") for n in range(5)]
    db.session.add_all([*units, *people])
    db.session.flush()
    model = running_case(units[0], people[0])
    started = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    for first in range(0, cases, 500):
        batch = [
            Case(
                reference=f"KT-2026-{number + 1:04d}",
                case_type=CaseType.INSPECTION,
                title=f"Kiểm tra công vụ số {number + 1}",
                subject_unit=units[number % len(units)],
                created_at=started + timedelta(minutes=number),
                definition_id=model.definition_id,
                workflow_state=model.workflow_state,
                workflow_status=model.workflow_status,
            )
            for number in range(first, min(first + 500, cases))
        ]
        db.session.add_all(batch)
        db.session.flush()
        rows, heads = [], []
        for case in batch:
            unit = units[(case.id - 1) % len(units)]
            prev = GENESIS_HASH
            for number in range(1, per_case + 1):
                action, details = event_details(case, number, unit)
                event = CaseEvent(
                    case_id=case.id,
                    seq=number,
                    at=case.created_at + timedelta(hours=number, microseconds=number * 7919),
                    actor_id=people[number % len(people)].id if number % 9 else None,
                    action=action,
                    details=details,
                    captured_at=case.created_at + timedelta(hours=number) if number % 5 == 0 else None,
                    prev_hash=prev,
                )
                event.hash = prev = compute_hash(event)
                rows.append({c: getattr(event, c) for c in EVENT_COLUMNS})
            heads.append({"case_id": case.id, "count": per_case, "head": prev})
        for start in range(0, len(rows), BATCH):
            db.session.execute(insert(CaseEvent), rows[start : start + BATCH])
        for head in heads:
            chain = {"history_count": head["count"], "history_head": head["head"]}
            db.session.execute(update(Case).where(Case.id == head["case_id"]).values(**chain))
        db.session.commit()
        print(f"  {first + len(batch):,} cases", flush=True)
    db.session.expunge_all()


EVENT_COLUMNS = ("case_id", "seq", "at", "actor_id", "action", "details", "captured_at", "prev_hash", "hash")


def run_command(code: Path, url: str, args: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds (user and system), peak RSS in MB and output of one `flask --app wsgi inspect ...`
    run from `code`. Byte code is cached as a deployed install has it (PYTHONDONTWRITEBYTECODE would make each run
    compile the project again, and the first run of each checkout writes the cache)."""
    env = {**os.environ, "INSPECT_DATABASE_URL": url, "PYTHONPATH": str(code), "INSPECT_LOG_LEVEL": "WARNING"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "inspect", *args]
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=code, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    output = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--events-per-case", type=int, default=21)
    parser.add_argument("--runs", type=int, default=3, help="runs of the command; the median is shown")
    parser.add_argument("--code", type=Path, action="append", default=[], help="another checkout to run as well")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="inspect-bench-")
    url = os.environ.get("INSPECT_BENCH_DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    app = build_app(url, workdir)
    with app.app_context():
        if db.session.scalar(select(func.count(Case.id))) == 0:
            print(f"Building {args.cases:,} cases of {args.events_per_case} events on {url.split(':')[0]} ...")
            build_history(args.cases, args.events_per_case)
        cases = db.session.scalar(select(func.count(Case.id)))
        events = db.session.scalar(select(func.count(CaseEvent.id)))
        db.session.remove()
        db.engine.dispose()

    codes = [ROOT, *args.code]
    for code in codes:  # one run each first, which writes the byte-code cache
        run_command(code, url, ["--help"])
    startups, commands = {code: [] for code in codes}, {code: [] for code in codes}
    for _ in range(args.runs):
        for code in codes:  # alternating, so that every checkout meets the machine in the same state
            startups[code].append(run_command(code, url, ["--help"]))
            commands[code].append(run := run_command(code, url, ["verify-history"]))
            if not re.search(rf"OK: {cases} case histories, {events} events", run[3]):
                raise SystemExit(f"verify-history did not say OK: {run[3][-500:]}")

    print(f"\n{cases:,} cases, {events:,} events on {url.split(':')[0]}; {args.runs} alternating runs, median shown")
    print(
        "| code | command s | command CPU s | start-up s | start-up CPU s | events/s (command) "
        "| events/s (less start-up) | peak RSS MB | start-up peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for code in codes:
        seconds, cpu = (statistics.median(run[i] for run in commands[code]) for i in (0, 1))
        startup, startup_cpu = (statistics.median(run[i] for run in startups[code]) for i in (0, 1))
        rss, startup_rss = (max(run[2] for run in runs) for runs in (commands[code], startups[code]))
        # On a small history the check is lost in the start-up's noise.
        less_startup = f"{events / (seconds - startup):,.0f}" if seconds > startup else "n/a"
        print(
            f"| {code.name} | {seconds:.2f} | {cpu:.2f} | {startup:.2f} | {startup_cpu:.2f} | {events / seconds:,.0f} "
            f"| {less_startup} | {rss} | {startup_rss} |"
        )


if __name__ == "__main__":
    main()
