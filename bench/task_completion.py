"""Benchmark: time to complete a task through the JSON API as a case loops, and the stored state size.

Run by hand: `.venv/bin/python bench/task_completion.py [--cases 5] [--rounds 50]`
(SQLite in a temporary folder; set INSPECT_BENCH_DATABASE_URL=postgresql+psycopg://... for PostgreSQL).
Each round of the looping process is two API calls: the lead writes the report, the director returns it.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from inspect_app import create_app  # noqa: E402
from inspect_app.cases.services import add_team_member, create_case  # noqa: E402
from inspect_app.core.config import TestConfig  # noqa: E402
from inspect_app.core.extensions import db  # noqa: E402
from inspect_app.models import (  # noqa: E402
    ApiToken,
    Case,
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
MEASURED_ROUNDS = (1, 10, 50)


def build_app(database_url: str, upload_dir: str):
    config = type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, "UPLOAD_DIR": upload_dir})
    app = create_app(config)
    with app.app_context():
        upgrade()
    return app


def make_user(username: str, role: Role, unit: OrgUnit) -> tuple[User, str]:
    user = User(username=username, full_name=username.title(), unit=unit, password_hash="!")
    user.grant(role)
    row, token = ApiToken.issue(user, "bench")
    db.session.add_all([user, row])
    return user, token


def ready_task(app, case_id: int, bpmn_id: str) -> int:
    # A context of its own: requests must not share one (and its `g`) with each other, as in production.
    with app.app_context():
        return db.session.scalar(
            db.select(HumanTask.id).where(
                HumanTask.case_id == case_id, HumanTask.bpmn_id == bpmn_id, HumanTask.state == TaskState.READY
            )
        )


def complete(client, token: str, task_id: int, body: dict) -> float:
    started = time.perf_counter()
    response = client.post(f"/api/v1/tasks/{task_id}/complete", json=body, headers={"Authorization": f"Bearer {token}"})
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"task {task_id}: {response.status_code} {response.get_data(as_text=True)[:300]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5, help="cases looped in turn (medians are over these)")
    parser.add_argument("--rounds", type=int, default=max(MEASURED_ROUNDS))
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="inspect-bench-")
    url = os.environ.get("INSPECT_BENCH_DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    app = build_app(url, f"{workdir}/uploads")
    client = app.test_client()
    with app.app_context():
        unit = OrgUnit(code="BENCH", name="Đơn vị thử", level=OrgLevel.DEPARTMENT)
        db.session.add(unit)
        lead, lead_token = make_user("bench-lead", Role.LEAD, unit)
        director, director_token = make_user("bench-director", Role.DIRECTOR, unit)
        deploy_bpmn(LOOP_BPMN.read_bytes(), LOOP_BPMN.name, actor=None)
        case_ids = []
        for number in range(args.cases):
            case = create_case(
                case_type=CaseType.INSPECTION, title=f"Bench {number}", subject_unit=unit, actor=director
            )
            add_team_member(case, lead, TeamRole.LEAD, actor=director)
            start_case_workflow(case, "app_review", actor=director, data={"members": [lead.id]})
            case_ids.append(case.id)
        db.session.commit()

    for case_id in case_ids:
        complete(client, lead_token, ready_task(app, case_id, "visit"), {"note": "ok"})
    timings: dict[int, list[float]] = {}
    print(f"Looping {args.cases} cases for {args.rounds} rounds on {url.split(':')[0]} ...", flush=True)
    for round_number in range(1, args.rounds + 1):
        for case_id in case_ids:
            report = complete(client, lead_token, ready_task(app, case_id, "report"), {"note": f"round {round_number}"})
            review = complete(
                client, director_token, ready_task(app, case_id, "review"), {"decision": "return", "comment": "again"}
            )
            timings.setdefault(round_number, []).extend([report, review])
        if round_number % 10 == 0:
            print(f"  round {round_number}/{args.rounds}", flush=True)

    with app.app_context():
        sizes = [len(json.dumps(db.session.get(Case, case_id).workflow_state)) for case_id in case_ids]
    print()
    print("round  median ms per completion (API, incl. engine and commit)")
    base = statistics.median(timings[MEASURED_ROUNDS[0]])
    for round_number in MEASURED_ROUNDS:
        if round_number in timings:
            median = statistics.median(timings[round_number])
            print(f"{round_number:>5}  {median * 1000:8.1f}   ({median / base:.2f}x round 1)")
    print(f"stored workflow state per case after {args.rounds} rounds: median {statistics.median(sizes):,.0f} bytes")


if __name__ == "__main__":
    main()
