"""Due timers fire exactly once: with two worker processes on one PostgreSQL database, and with `run-timers`."""

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from inspect_app.cases.services import close_case
from inspect_app.extensions import db
from inspect_app.history import case_events
from inspect_app.models import HumanTask, Role, TaskState, TimerState, WorkflowTimer
from inspect_app.tasks import services
from tests.conftest import POSTGRES_URL

PROJECT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).parent / "flask"
CASES = 20
WORKER_TIMEOUT = 60  # seconds; only guards against a hang, never asserted as a time


@pytest.fixture
def people(create_user):
    return {
        "director": create_user("director", Role.DIRECTOR, language="en"),
        "lead": create_user("lead", Role.LEAD, Role.INSPECTOR, language="en"),
        "inspector": create_user("inspector", Role.INSPECTOR, language="en"),
    }


def ready(case, bpmn_id=None) -> list[HumanTask]:
    db.session.expire_all()
    return [t for t in case.human_tasks if t.state == TaskState.READY and (bpmn_id is None or t.bpmn_id == bpmn_id)]


def complete(task: HumanTask, user, **answers) -> None:
    services.complete_task(task, actor=user, formdata=MultiDict(answers))
    db.session.commit()


def case_writing_its_report(start_case, people):
    """A case whose visit is done, so its report is open with the 10-day deadline running."""
    case = start_case(lead=people["lead"], members=[people["inspector"]], actor=people["director"])
    [visit] = ready(case, "visit")
    complete(visit, people["inspector"], note="Đã kiểm tra")
    return case


def timers_of(case) -> list[WorkflowTimer]:
    return list(db.session.scalars(select(WorkflowTimer).where(WorkflowTimer.case_id == case.id)))


def start_worker() -> subprocess.Popen:
    env = {**os.environ, "INSPECT_DATABASE_URL": POSTGRES_URL}
    return subprocess.Popen(
        [str(FLASK), "--app", "wsgi", "inspect", "worker", "--interval", "0.2", "--max-loops", "5"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.postgres
def test_two_workers_fire_each_due_timer_exactly_once(app, clock, start_case, people):
    # The cases started 11 days ago, so their 10-day report deadlines passed a day ago in real time.
    clock.now -= timedelta(days=11)
    cases = [case_writing_its_report(start_case, people) for _ in range(CASES)]
    assert all(timer.state == TimerState.WAITING for case in cases for timer in timers_of(case))
    db.session.commit()

    workers = [start_worker(), start_worker()]
    outputs = []
    for worker in workers:
        try:
            out, err = worker.communicate(timeout=WORKER_TIMEOUT)
        except subprocess.TimeoutExpired:
            for process in workers:
                process.kill()
            pytest.fail("a worker did not stop after its five loops")
        assert worker.returncode == 0, err
        outputs.append(out)

    fired = sum(int(count) for out in outputs for count in re.findall(r" fired (\d+) timer\(s\)", out))
    assert fired == CASES, f"the workers together fired every due timer once: {outputs}"
    db.session.expire_all()
    for case in cases:
        assert [e.action for e in case_events(case)].count("timer.fired") == 1, case.reference
        assert [t.bpmn_id for t in ready(case)] == ["follow_up"], case.reference
        [timer] = timers_of(case)
        assert (timer.bpmn_id, timer.state) == ("report_late", TimerState.FIRED)
        assert timer.fired_at is not None
        report = next(t for t in case.human_tasks if t.bpmn_id == "report")
        assert report.state == TaskState.CANCELLED
    result = app.test_cli_runner().invoke(args=["inspect", "verify-history"])
    assert result.exit_code == 0, result.output


def test_run_timers_fires_due_timers_once_and_skips_finished_tasks(app, clock, start_case, people):
    late = case_writing_its_report(start_case, people)
    on_time = case_writing_its_report(start_case, people)
    clock.advance(days=3)
    [report] = ready(on_time, "report")
    complete(report, people["lead"], note="Báo cáo đúng hạn")
    clock.advance(days=7, minutes=1)
    runner = app.test_cli_runner()

    first = runner.invoke(args=["inspect", "run-timers"])
    second = runner.invoke(args=["inspect", "run-timers"])

    assert (first.exit_code, second.exit_code) == (0, 0)
    assert "Fired 1 timer(s)." in first.output
    assert "Fired 0 timer(s)." in second.output
    db.session.expire_all()
    assert [e.action for e in case_events(late)].count("timer.fired") == 1
    assert [t.bpmn_id for t in ready(late)] == ["follow_up"]
    assert [(t.state, t.fired_at is None) for t in timers_of(late)] == [(TimerState.FIRED, False)]

    assert "timer.fired" not in [e.action for e in case_events(on_time)]
    assert [t.bpmn_id for t in ready(on_time)] == ["review"]
    assert [(t.state, t.fired_at) for t in timers_of(on_time)] == [(TimerState.CANCELLED, None)]
    assert runner.invoke(args=["inspect", "verify-history"]).exit_code == 0


def run_timers_in_subprocess(database_url: str) -> subprocess.CompletedProcess:
    """`flask --app wsgi inspect run-timers` on the suite's database; a hang fails the test instead of stalling it."""
    env = {**os.environ, "INSPECT_DATABASE_URL": database_url}
    command = [str(FLASK), "--app", "wsgi", "inspect", "run-timers"]
    try:
        return subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=WORKER_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail("run-timers never finished: it kept claiming the same timer")


def test_a_closed_case_s_timer_is_dropped_not_claimed_forever(app, database_url, clock, start_case, people):
    clock.now -= timedelta(days=11)
    closed = case_writing_its_report(start_case, people)
    open_case = case_writing_its_report(start_case, people)
    close_case(closed, actor=people["director"], reason="withdrawn")
    db.session.commit()

    result = run_timers_in_subprocess(database_url)

    assert result.returncode == 0, result.stderr
    assert "Fired 1 timer(s)." in result.stdout
    db.session.expire_all()
    assert [t.bpmn_id for t in ready(open_case)] == ["follow_up"]
    assert "timer.fired" not in [e.action for e in case_events(closed)]
    assert [t.state for t in timers_of(closed)] == [TimerState.CANCELLED]
