"""Due timers fire exactly once: with two worker processes on one PostgreSQL database, and with `run-timers`.

One failing timer never blocks the others: it is rolled back, recorded, retried with backoff and finally marked
failed, while the worker goes on; the worker stops gracefully on SIGTERM and SIGINT."""

import logging
import os
import re
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from inspect_app.cases.services import close_case
from inspect_app.core.extensions import db
from inspect_app.history import case_events
from inspect_app.models import HumanTask, TaskState, TimerState, WorkflowTimer
from inspect_app.tasks import registry, services
from inspect_app.tasks.schemas import StepInput
from inspect_app.tasks.steps import NoteInput

pytestmark = pytest.mark.long

PROJECT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).parent / "flask"
CASES = 20
WORKER_TIMEOUT = 60  # seconds; only guards against a hang, never asserted as a time


def ready(case, bpmn_id=None) -> list[HumanTask]:
    db.session.expire_all()
    return [t for t in case.human_tasks if t.state == TaskState.READY and (bpmn_id is None or t.bpmn_id == bpmn_id)]


def complete(task: HumanTask, user, data: StepInput) -> None:
    services.complete_task(task, actor=user, data=data)
    db.session.commit()


def case_writing_its_report(start_case, people):
    """A case whose visit is done, so its report is open with the 10-day deadline running."""
    case = start_case(lead=people["lead"], members=[people["inspector"]], actor=people["director"])
    [visit] = ready(case, "visit")
    complete(visit, people["inspector"], NoteInput(note="Đã kiểm tra"))
    return case


def timers_of(case) -> list[WorkflowTimer]:
    return list(db.session.scalars(select(WorkflowTimer).where(WorkflowTimer.case_id == case.id)))


def start_worker(database_url: str) -> subprocess.Popen:
    env = {**os.environ, "INSPECT_DATABASE_URL": database_url}
    return subprocess.Popen(
        [str(FLASK), "--app", "wsgi", "inspect", "worker", "--interval", "0.2", "--max-loops", "5"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.postgres
def test_two_workers_fire_each_due_timer_exactly_once(app, database_url, clock, start_case, people):
    # The cases started 11 days ago, so their 10-day report deadlines passed a day ago in real time.
    clock.now -= timedelta(days=11)
    cases = [case_writing_its_report(start_case, people) for _ in range(CASES)]
    assert all(timer.state == TimerState.WAITING for case in cases for timer in timers_of(case))
    db.session.commit()

    workers = [start_worker(database_url), start_worker(database_url)]
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


def test_a_worker_killed_while_firing_timers_loses_none_and_fires_none_twice(
    app, database_url, clock, start_case, people
):
    clock.now -= timedelta(days=11)
    cases = [case_writing_its_report(start_case, people) for _ in range(CASES)]
    db.session.commit()
    env = {**os.environ, "INSPECT_DATABASE_URL": database_url}
    command = [str(FLASK), "--app", "wsgi", "inspect", "worker", "--interval", "0.2"]
    killed = subprocess.Popen(
        command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        # Right after one timer's item has committed, the worker has claimed the next: kill it in the middle.
        wait_for_log_line(killed, "timer report_late fired")
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=WORKER_TIMEOUT)
    finally:
        killed.kill()
    assert killed.returncode == -signal.SIGKILL

    restarted = start_worker(database_url)
    _out, err = restarted.communicate(timeout=WORKER_TIMEOUT)

    assert restarted.returncode == 0, err
    db.session.expire_all()
    for case in cases:
        assert [e.action for e in case_events(case)].count("timer.fired") == 1, case.reference
        assert [t.bpmn_id for t in ready(case)] == ["follow_up"], case.reference
    for check in ("verify-history", "check-consistency"):
        result = app.test_cli_runner().invoke(args=["inspect", check])
        assert result.exit_code == 0, result.output


def test_run_timers_fires_due_timers_once_and_skips_finished_tasks(app, clock, start_case, people):
    late = case_writing_its_report(start_case, people)
    on_time = case_writing_its_report(start_case, people)
    clock.advance(days=3)
    [report] = ready(on_time, "report")
    complete(report, people["lead"], NoteInput(note="Báo cáo đúng hạn"))
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


# --- One failing timer never blocks the others --------------------------------------------------------------------

ROUTE_ERROR = "route_late: No conditions satisfied for route_late"


def late_routing_case(start_case, people, severity: str):
    """A case whose report is due in 10 days; when it is late, severity "high" or "low" picks the branch, and any
    other severity finds no branch, so the timer's path raises."""
    return start_case("late_routing", lead=people["lead"], actor=people["director"], data={"severity": severity})


def run_timers(app):
    result = app.test_cli_runner().invoke(args=["inspect", "run-timers"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def the_timer(case) -> WorkflowTimer:
    db.session.expire_all()
    [timer] = timers_of(case)
    return timer


def test_run_timers_fires_the_good_timer_and_records_the_failing_one(app, clock, start_case, people):
    broken = late_routing_case(start_case, people, "medium")  # due first, so claimed first
    clock.advance(minutes=1)
    good = late_routing_case(start_case, people, "low")
    clock.advance(days=10, minutes=1)

    output = run_timers(app)

    assert f"{broken.reference}: timer report_late failed (attempt 1 of 5, next attempt at " in output
    assert ROUTE_ERROR in output
    assert f"{good.reference}: timer report_late fired (report_late)" in output
    assert "Fired 1 timer(s). 1 failed." in output
    assert [t.bpmn_id for t in ready(good)] == ["follow_up"]
    assert "timer.fired" in [e.action for e in case_events(good)]
    # Nothing of the failed attempt was kept: the report is still open, and the history does not mention it.
    assert [t.bpmn_id for t in ready(broken)] == ["report"]
    assert "timer.fired" not in [e.action for e in case_events(broken)]
    timer = the_timer(broken)
    assert (timer.state, timer.attempts, timer.last_error) == (TimerState.WAITING, 1, ROUTE_ERROR)
    assert timer.next_attempt_at == clock.now + timedelta(minutes=1)
    assert app.test_cli_runner().invoke(args=["inspect", "verify-history"]).exit_code == 0


def test_a_failing_timer_backs_off_then_is_marked_failed_and_no_longer_claimed(app, clock, start_case, people):
    broken = late_routing_case(start_case, people, "medium")
    clock.advance(days=10, minutes=1)
    waits = []

    assert "1 failed." in run_timers(app)
    while the_timer(broken).state == TimerState.WAITING:
        wait = the_timer(broken).next_attempt_at - clock.now
        clock.advance(seconds=wait.total_seconds() - 1)
        assert "Fired 0 timer(s). 0 failed." in run_timers(app), "not tried again before its next attempt is due"
        clock.advance(seconds=1)
        output = run_timers(app)
        assert "1 failed." in output
        waits.append(wait)

    assert waits == [timedelta(minutes=minutes) for minutes in (1, 2, 4, 8)]
    assert f"{broken.reference}: timer report_late failed (attempt 5 of 5, marked failed): {ROUTE_ERROR}" in output
    timer = the_timer(broken)
    assert (timer.state, timer.attempts, timer.next_attempt_at) == (TimerState.FAILED, 5, None)
    clock.advance(days=30)
    assert "Fired 0 timer(s). 0 failed." in run_timers(app)
    assert the_timer(broken).attempts == 5


def test_the_number_of_attempts_is_a_setting(app, clock, start_case, people, monkeypatch):
    monkeypatch.setitem(app.config, "TIMER_MAX_ATTEMPTS", 2)
    broken = late_routing_case(start_case, people, "medium")
    clock.advance(days=10, minutes=1)

    assert "attempt 1 of 2, next attempt at" in run_timers(app)
    clock.advance(minutes=1)
    assert "attempt 2 of 2, marked failed" in run_timers(app)
    assert the_timer(broken).state == TimerState.FAILED


def test_a_timer_that_fails_once_fires_on_its_next_attempt(app, clock, start_case, people, monkeypatch):
    outages = ["mail relay unreachable"]

    def flaky(case):
        if outages:
            raise ConnectionError(outages.pop())

    monkeypatch.setitem(registry.current().timer_handlers, "report_late", flaky)
    late = case_writing_its_report(start_case, people)
    clock.advance(days=10, minutes=1)

    assert "1 failed." in run_timers(app)
    assert the_timer(late).last_error == "ConnectionError: mail relay unreachable"
    assert [t.bpmn_id for t in ready(late)] == ["report"], "the failed attempt left the case as it was"
    clock.advance(minutes=1)
    output = run_timers(app)

    assert "Fired 1 timer(s). 0 failed." in output
    assert [t.bpmn_id for t in ready(late)] == ["follow_up"]
    assert [e.action for e in case_events(late)].count("timer.fired") == 1
    timer = the_timer(late)
    assert (timer.state, timer.attempts) == (TimerState.FIRED, 1)


def test_finishing_the_task_behind_a_failed_timer_clears_it(app, clock, start_case, people, monkeypatch):
    monkeypatch.setitem(app.config, "TIMER_MAX_ATTEMPTS", 1)
    broken = late_routing_case(start_case, people, "medium")
    clock.advance(days=10, minutes=1)
    run_timers(app)
    assert the_timer(broken).state == TimerState.FAILED

    [report] = ready(broken, "report")
    complete(report, people["lead"], NoteInput(note="Báo cáo muộn"))

    assert the_timer(broken).state == TimerState.CANCELLED
    assert broken.is_closed, "the process ran to its end"


def test_closing_a_case_cancels_its_failed_timer(app, clock, start_case, people, monkeypatch):
    monkeypatch.setitem(app.config, "TIMER_MAX_ATTEMPTS", 1)
    broken = late_routing_case(start_case, people, "medium")
    clock.advance(days=10, minutes=1)
    run_timers(app)

    close_case(broken, actor=people["director"], reason="withdrawn")
    db.session.commit()

    assert the_timer(broken).state == TimerState.CANCELLED


def test_the_worker_logs_each_action_and_goes_on_past_a_failing_timer(app, clock, start_case, people, caplog):
    broken = late_routing_case(start_case, people, "medium")
    good = late_routing_case(start_case, people, "low")
    clock.advance(days=10, minutes=1)
    caplog.set_level(logging.INFO, logger="inspect.worker")

    result = app.test_cli_runner().invoke(args=["inspect", "worker", "--interval", "0", "--max-loops", "2"])

    assert result.exit_code == 0, result.output
    assert re.search(r"Z fired 1 timer\(s\), 1 failed", result.output)
    assert "Worker stopped." in result.output
    db.session.expire_all()
    assert [t.bpmn_id for t in ready(good)] == ["follow_up"]
    assert the_timer(broken).attempts == 1, "the second loop came before the next attempt was due"
    [failure] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert failure.getMessage() == f"{broken.reference}: timer report_late failed (attempt 1 of 5): {ROUTE_ERROR}"
    assert failure.exc_info is not None, "the traceback is logged"
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert f"{good.reference}: timer report_late fired (report_late)" in infos
    assert any(line.startswith(f"{broken.reference}: timer report_late will be tried again at ") for line in infos)


def test_the_worker_finishes_the_item_in_hand_on_sigterm_then_exits_0(app, clock, start_case, people, monkeypatch):
    first = case_writing_its_report(start_case, people)
    second = case_writing_its_report(start_case, people)
    clock.advance(days=10, minutes=1)
    monkeypatch.setitem(
        registry.current().timer_handlers, "report_late", lambda case: os.kill(os.getpid(), signal.SIGTERM)
    )

    result = app.test_cli_runner().invoke(args=["inspect", "worker", "--interval", "0"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert [t.bpmn_id for t in ready(first)] == ["follow_up"], "the item in hand was finished and committed"
    assert [t.bpmn_id for t in ready(second)] == ["report"], "no further item was started"
    assert the_timer(second).state == TimerState.WAITING
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL, "the worker put the previous handler back"


def wait_for_log_line(process: subprocess.Popen, text: str) -> None:
    """Read the process's stderr until a line contains `text`; a watchdog kills it instead of letting the test hang."""
    watchdog = threading.Timer(WORKER_TIMEOUT, process.kill)
    watchdog.start()
    seen = []
    try:
        for line in process.stderr:
            seen.append(line)
            if text in line:
                return
    finally:
        watchdog.cancel()
    pytest.fail(f"never saw {text!r}: {''.join(seen)}")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_the_worker_process_stops_gracefully_on_a_signal(app, database_url, signum):
    env = {**os.environ, "INSPECT_DATABASE_URL": database_url}
    command = [str(FLASK), "--app", "wsgi", "inspect", "worker", "--interval", "30"]
    worker = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_log_line(worker, "Worker started")
        worker.send_signal(signum)
        out, err = worker.communicate(timeout=WORKER_TIMEOUT)
    finally:
        worker.kill()

    assert worker.returncode == 0, err
    assert f"INFO inspect.worker: Worker stopped on {signum.name}; no item was left half done" in err
    assert "Worker stopped." in out
