"""Timer worker items: each due timer fires in its own unit of work, so one that fails never blocks the others.

A failed attempt is rolled back, then counted on the timer row in a small unit of work of its own, with its error;
the next attempt waits 1, 2, 4 ... minutes (at most an hour). After INSPECT_TIMER_MAX_ATTEMPTS attempts the row is
marked failed and no longer claimed; administrators see it on the processes pages and may ask for one more attempt."""

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from inspect_app import workflow_bridge
from inspect_app.core import clock
from inspect_app.core.exceptions import Conflict, ProcessStuck
from inspect_app.core.extensions import db
from inspect_app.core.unit_of_work import unit_of_work
from inspect_app.history import record_event
from inspect_app.models import TimerState, User, WorkflowTimer
from inspect_app.notifications.services import notify_step
from inspect_app.tasks import registry
from inspect_app.tasks.services import close_if_finished, lock_case

log = logging.getLogger("inspect.worker")

FIRST_RETRY_DELAY = timedelta(minutes=1)
LONGEST_RETRY_DELAY = timedelta(hours=1)
MAX_ERROR_LENGTH = 500  # the width of workflow_timers.last_error


@dataclass(frozen=True)
class TimerRun:
    """What one worker item did to one timer: what fired, or the error and what happens next."""

    case_reference: str
    bpmn_id: str
    state: TimerState
    fired: tuple[str, ...] = ()
    error: str | None = None
    attempts: int = 0
    next_attempt_at: datetime | None = None

    @property
    def failed(self) -> bool:
        """This attempt raised and was rolled back."""
        return self.error is not None


def max_attempts() -> int:
    """INSPECT_TIMER_MAX_ATTEMPTS; every timer gets at least one attempt."""
    return max(1, current_app.config["TIMER_MAX_ATTEMPTS"])


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: 1, 2, 4, 8 ... minutes, at most an hour."""
    return min(FIRST_RETRY_DELAY * 2 ** min(attempts - 1, 30), LONGEST_RETRY_DELAY)


def claim_due_timer(now: datetime) -> WorkflowTimer | None:
    """The next due timer no other worker holds (FOR UPDATE SKIP LOCKED on PostgreSQL) and not backing off, or None."""
    query = (
        select(WorkflowTimer)
        .where(
            WorkflowTimer.state == TimerState.WAITING,
            WorkflowTimer.due_at <= now,
            or_(WorkflowTimer.next_attempt_at.is_(None), WorkflowTimer.next_attempt_at <= now),
        )
        .order_by(WorkflowTimer.due_at, WorkflowTimer.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return db.session.scalar(query)


def fire_timer(timer: WorkflowTimer, now: datetime) -> list[str]:
    """Fire the due timers of the timer's case and record them; nothing if another worker got there first."""
    case = lock_case(timer.case_id)
    timer = db.session.get(WorkflowTimer, timer.id)
    if timer.state != TimerState.WAITING:
        return []
    if case.is_closed:
        # A closed case's timers never fire; left waiting, the row would be claimed again and again.
        timer.state = TimerState.CANCELLED
        return []
    step = workflow_bridge.fire_due_timers(case, now)
    if step.fired:
        record_event(case, "timer.fired", actor=None, details=step.summary())
    handlers = registry.current().timer_handlers
    for bpmn_id in step.fired:
        if bpmn_id in handlers:
            handlers[bpmn_id](case)
    notify_step(case, step, actor=None)
    close_if_finished(case, step, None)
    return step.fired


def describe_error(error: Exception) -> str:
    """The error on one line, short enough for the timer row; an engine error starts with the BPMN element at fault."""
    engine_error = isinstance(error, ProcessStuck | workflow_bridge.WorkflowError)
    text = str(error) if engine_error else f"{type(error).__name__}: {error}"
    text = " ".join(text.split())
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 1] + "…"


def record_failure(timer_id: int, *, attempts_before: int, error: str) -> WorkflowTimer:
    """Count one failed attempt and schedule the next, or mark the timer failed when it has had all its attempts.

    Another worker may have tried the same timer meanwhile: a row that is no longer as this attempt found it has
    been counted (or fired) already and is left alone."""
    query = select(WorkflowTimer).where(WorkflowTimer.id == timer_id).with_for_update()
    timer = db.session.scalars(query.execution_options(populate_existing=True)).one()
    if timer.state != TimerState.WAITING or timer.attempts != attempts_before:
        return timer
    timer.attempts += 1
    timer.last_error = error
    if timer.attempts >= max_attempts():
        timer.state, timer.next_attempt_at = TimerState.FAILED, None
    else:
        timer.next_attempt_at = clock.now() + retry_delay(timer.attempts)
    db.session.flush()
    return timer


def retry_timer(timer: WorkflowTimer, *, actor: User) -> None:
    """One more attempt at a failed or retrying timer on the worker's next run, recorded in the case's history."""
    case = lock_case(timer.case_id)
    timer = db.session.get(WorkflowTimer, timer.id)
    if timer.state != TimerState.FAILED and not timer.is_retrying:
        raise Conflict(_("This timer is no longer waiting to be retried: the case has moved on."))
    timer.state, timer.next_attempt_at = TimerState.WAITING, clock.now()
    record_event(
        case,
        "timer.retried",
        actor=actor,
        details={"timer": timer.bpmn_id, "attempts": timer.attempts, "error": timer.last_error},
    )


def timers_needing_attention() -> list[WorkflowTimer]:
    """Failed timers first, then those waiting to be tried again, soonest next attempt first (for administrators)."""
    query = select(WorkflowTimer).options(joinedload(WorkflowTimer.case)).where(WorkflowTimer.needs_attention())
    rows = db.session.scalars(query.order_by(WorkflowTimer.next_attempt_at, WorkflowTimer.id)).all()
    return sorted(rows, key=lambda timer: timer.state != TimerState.FAILED)


def run_next_due_timer(now: datetime) -> TimerRun | None:
    """Claim the next timer due at `now` and fire it as one worker item; None when no timer is due.

    The item is one unit of work. If it raises, it is rolled back and its failure is counted in a second one."""
    claimed: TimerRun | None = None
    try:
        with unit_of_work():
            timer = claim_due_timer(now)
            if timer is None:
                return None
            timer_id = timer.id
            claimed = TimerRun(timer.case.reference, timer.bpmn_id, timer.state, attempts=timer.attempts)
            fired = fire_timer(timer, now)
            run = replace(claimed, state=timer.state, fired=tuple(fired))
    except Exception as error:
        if claimed is None:
            raise  # the claim itself failed: the database, not a timer, is at fault
        return _count_failure(timer_id, claimed, error)
    if run.fired:
        log.info("%s: timer %s fired (%s)", run.case_reference, run.bpmn_id, ", ".join(run.fired))
    elif run.state == TimerState.CANCELLED:
        log.info("%s: timer %s dropped: the case is closed", run.case_reference, run.bpmn_id)
    return run


def _count_failure(timer_id: int, claimed: TimerRun, error: Exception) -> TimerRun:
    message = describe_error(error)
    reference, bpmn_id = claimed.case_reference, claimed.bpmn_id
    attempt = f"attempt {claimed.attempts + 1} of {max_attempts()}"
    log.error("%s: timer %s failed (%s): %s", reference, bpmn_id, attempt, message, exc_info=error)
    with unit_of_work():
        timer = record_failure(timer_id, attempts_before=claimed.attempts, error=message)
        run = replace(claimed, state=timer.state, error=message, attempts=timer.attempts)
        if timer.state == TimerState.WAITING:
            run = replace(run, next_attempt_at=timer.next_attempt_at)
    if run.state == TimerState.FAILED:
        log.info("%s: timer %s marked failed after %d attempts", reference, bpmn_id, run.attempts)
    elif run.next_attempt_at is not None:
        log.info("%s: timer %s will be tried again at %s", reference, bpmn_id, f"{run.next_attempt_at:%Y-%m-%d %H:%M}Z")
    return run


def run_due_timers(now: datetime, *, should_stop: Callable[[], bool] = lambda: False) -> Iterator[TimerRun]:
    """Run every timer due at `now`, one worker item at a time, until none is left or `should_stop()` says so."""
    while not should_stop() and (run := run_next_due_timer(now)) is not None:
        yield run
