"""Profile: where the time and the SQL of one task completion go, end to end through the app's WSGI stack.

Run by hand: `.venv/bin/python bench/profile_completion.py [--passes 100] [--database-url postgresql+psycopg://...]
[--cprofile out.pstats] [--sql]`
A case loops report → review (returned) → report (bench/common.py); every completion is a POST to
/api/v1/tasks/<id>/complete through Flask's test client, so the whole request runs (routing, sign-in, validation,
the step, the commit, the JSON answer) but no socket: HTTP parsing is gunicorn's, measured by task_completion.py.
Each part is timed by wrapping the function that does it; parts nest (indented) and each SQL statement counts
for the innermost part running it. `self` is a part's time less its indented parts'. --cprofile also writes a
cProfile of the measured passes (open it with `python -m pstats`, or as a flame graph with flameprof or snakeviz);
--sql prints the statements of one report and one review completion.
"""

import argparse
import cProfile
import functools
import importlib
import statistics
import sys
import time
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

from bench.common import (  # noqa: E402
    REPORT,
    RETURN,
    build_app,
    fresh_database,
    next_task_id,
    open_task_id,
    seed_loop_cases,
    workdir,
)
from inspect_app.core.extensions import db  # noqa: E402

# (label, depth, module, attribute): each function is wrapped where the caller looks it up.
PARTS = [
    ("sign-in lookup (bearer token)", 0, "inspect_app.api.auth", "token_user"),
    ("task loader and visibility (404)", 0, "inspect_app.api.views", "task_or_404"),
    ("refusal checks (409/403)", 0, "inspect_app.tasks.services", "check_can_complete"),
    ("form/schema validation", 0, "inspect_app.api.views", "validate_input"),
    ("complete_task service", 0, "inspect_app.tasks.services", "complete_task"),
    ("lock the case, read the task afresh", 1, "inspect_app.tasks.services", "_lock_task"),
    ("task marked completed (one UPDATE)", 1, "inspect_app.tasks.services", "_mark_completed"),
    ("engine bridge (complete_task)", 1, "inspect_app.tasks.services.workflow_bridge", "complete_task"),
    ("engine load: spec lookup + deserialization", 2, "inspect_app.workflow_bridge", "_load"),
    ("engine steps (run + automatic steps)", 2, "workflows.engine", "Engine.complete"),
    ("compaction (path kept, tree pruned)", 3, "workflows.engine", "Engine._compact"),
    ("serialization (dump)", 2, "workflows.engine", "Engine.dump"),
    ("projection: human tasks", 2, "inspect_app.workflow_bridge", "_project_tasks"),
    ("projection: timers", 2, "inspect_app.workflow_bridge", "_project_timers"),
    ("history (record_event)", 1, "inspect_app.tasks.services", "record_event"),
    ("history hashing", 2, "inspect_app.history", "_hash_of"),
    ("case row: state, status, history head (one UPDATE)", 2, "inspect_app.history", "write_case"),
    ("notifications", 1, "inspect_app.tasks.services", "notify_step"),
    ("answer (CompleteResult)", 0, "inspect_app.api.views", "CompleteResult.of"),
    ("commit", 0, "sqlalchemy.orm", "Session.commit"),
]
# Functions wrapped so that their SQL and time are not counted as their caller's (a part of their own, not shown
# when nothing ran in it).
EXTRA_PARTS = [("flush (ORM writes)", 9, "sqlalchemy.orm", "Session.flush")]


class Meter:
    """Inclusive and self time and SQL per part, per completion; the innermost running part owns a statement."""

    def __init__(self):
        self.stack: list[str] = []
        self.inclusive = defaultdict(float)
        self.children = defaultdict(float)
        self.sql_count = defaultdict(int)
        self.sql_time = defaultdict(float)
        self.calls = defaultdict(int)
        self.top = defaultdict(float)  # time in calls made when no other part was running
        self.recording = False
        self._sql_started = 0.0
        self.statements: list[str] = []

    def wrap(self, label: str, function):
        @functools.wraps(function)
        def timed(*args, **kwargs):
            if not self.recording:
                return function(*args, **kwargs)
            outermost = not self.stack
            self.stack.append(label)
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                self.stack.pop()
                self.inclusive[label] += elapsed
                self.calls[label] += 1
                if self.stack:
                    self.children[self.stack[-1]] += elapsed
                if outermost:
                    self.top[label] += elapsed

        return timed

    def before_sql(self, conn, cursor, statement, *args):
        if self.recording:
            self._sql_started = time.perf_counter()
            self.statements.append(" ".join(statement.split())[:160])

    def after_sql(self, conn, cursor, statement, *args):
        if self.recording:
            owner = self.stack[-1] if self.stack else "request and session handling"
            self.sql_count[owner] += 1
            self.sql_time[owner] += time.perf_counter() - self._sql_started


def patches(meter: Meter) -> ExitStack:
    stack = ExitStack()
    for label, _depth, module_name, attribute in PARTS + EXTRA_PARTS:
        owner = importlib.import_module(module_name) if "workflow_bridge" not in module_name else None
        if owner is None:  # tasks.services.workflow_bridge: the module object as tasks.services holds it
            owner = importlib.import_module(module_name.rsplit(".", 1)[0]).workflow_bridge
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        stack.enter_context(mock.patch.object(owner, name, meter.wrap(label, getattr(owner, name))))
    return stack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=100, help="measured passes (two completions each)")
    parser.add_argument("--warmup", type=int, default=10, help="passes first, not measured")
    parser.add_argument("--database-url", help="PostgreSQL URL (the database is dropped and made anew)")
    parser.add_argument("--cprofile", help="write a cProfile of the measured passes to this file")
    parser.add_argument("--sql", action="store_true", help="print the statements of one report and one review")
    args = parser.parse_args()

    folder = workdir()
    url = fresh_database(args.database_url, folder)
    app = build_app(url, f"{folder}/uploads", testing=True)
    [case] = seed_loop_cases(app, 1)
    client = app.test_client()
    meter = Meter()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", meter.before_sql)
    event.listen(engine, "after_cursor_execute", meter.after_sql)

    def post(token: str, task_id: int, body: dict) -> dict:
        response = client.post(
            f"/api/v1/tasks/{task_id}/complete", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        if response.status_code != 200:
            raise SystemExit(f"{response.status_code} {response.get_data(as_text=True)[:300]}")
        return response.get_json()

    totals: list[float] = []
    turns = [(case.lead_token, REPORT, "review", "report"), (case.director_token, RETURN, "report", "review")]
    state = {"task_id": open_task_id(app, case.case_id, "report"), "turn": 0}

    def complete_next(record: bool) -> None:
        """Complete the case's open task (report or review, in turn)."""
        token, body, following, _name = turns[state["turn"]]
        meter.recording = record
        started = time.perf_counter()
        answer = post(token, state["task_id"], body)
        if record:
            totals.append(time.perf_counter() - started)
        meter.recording = False
        state["task_id"], state["turn"] = next_task_id(answer, following), 1 - state["turn"]

    with patches(meter):
        for _ in range(args.warmup * 2):
            complete_next(False)
        if args.sql:
            for _ in turns:
                name = turns[state["turn"]][3]
                meter.statements.clear()
                complete_next(True)
                print(f"-- {len(meter.statements)} statements completing the {name}:")
                for statement in meter.statements:
                    print("   ", statement)
            meter.__init__()
            totals.clear()
        profiler = cProfile.Profile() if args.cprofile else None
        if profiler:
            profiler.enable()
        for _ in range(args.passes * 2):
            complete_next(True)
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.cprofile)

    n = len(totals)
    total_ms = sum(totals) * 1000 / n
    print(f"\n{n} completions on {url.split(':')[0]}, profiled in-process (the client shares the 2 busy cores)")
    print(f"request median {statistics.median(totals) * 1000:.2f} ms, mean {total_ms:.2f} ms\n")
    print("| part | ms per completion (inclusive) | self ms | SQL statements | SQL ms |")
    print("|---|---:|---:|---:|---:|")
    measured = 0.0
    for label, depth, *_where in PARTS + EXTRA_PARTS:
        if meter.calls[label] == 0:
            continue
        inclusive = meter.inclusive[label] * 1000 / n
        own = (meter.inclusive[label] - meter.children[label]) * 1000 / n
        measured += meter.top[label] * 1000 / n
        name = ("&nbsp;&nbsp;" * depth if depth < 9 else "(nested anywhere) ") + label
        print(
            f"| {name} | {inclusive:.2f} | {own:.2f} | {meter.sql_count[label] / n:.1f} | "
            f"{meter.sql_time[label] * 1000 / n:.2f} |"
        )
    rest = "request and session handling"
    print(
        f"| {rest} (the rest: WSGI, routing, Flask-Login, Babel, JSON in and out) | {total_ms - measured:.2f} | "
        f"{total_ms - measured:.2f} | {meter.sql_count[rest] / n:.1f} | {meter.sql_time[rest] * 1000 / n:.2f} |"
    )
    all_sql = sum(meter.sql_count.values()) / n
    all_sql_ms = sum(meter.sql_time.values()) * 1000 / n
    print(f"| **total** | {total_ms:.2f} | | **{all_sql:.1f}** | {all_sql_ms:.2f} |")


if __name__ == "__main__":
    main()
