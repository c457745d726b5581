"""Task operations: start a case's workflow, complete, claim and reassign tasks (timers: see timers.py).

Each locks the case, checks, changes, records history and flushes; the entry point commits once."""

from functools import cache

from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from inspect_app import workflow_bridge
from inspect_app.cases.services import close_case
from inspect_app.core import clock
from inspect_app.core.exceptions import Conflict, Forbidden, InvalidInput
from inspect_app.core.extensions import db
from inspect_app.core.formats import local_time
from inspect_app.core.labels import PROCESS_COMPLETED
from inspect_app.core.rows import update_row
from inspect_app.core.unit_of_work import explain_conflict
from inspect_app.history import note_locked, record_event
from inspect_app.models import (
    Case,
    CaseEvent,
    HumanTask,
    ProcessDefinition,
    RoleAssignment,
    TaskState,
    User,
    WorkflowState,
)
from inspect_app.notifications.services import notify_step
from inspect_app.tasks.schemas import StepInput
from inspect_app.tasks.steps import step_for

# A sample of the data start_case_workflow gives every workflow, for the trial start when a process is deployed.
START_SAMPLES = {"case_id": lambda: 1}


def lock_case(case_id: int) -> Case:
    """Load the case for change: row-locked on PostgreSQL (SELECT ... FOR NO KEY UPDATE), freshly read everywhere.

    Should another transaction change the case first, the Conflict names who did it and when."""
    db.session.expire_all()
    explain_conflict(lambda: case_changed_conflict(case_id))
    query = select(Case).where(Case.id == case_id).with_for_update(key_share=True)  # as history.py locks it
    query = query.execution_options(populate_existing=True)
    case = db.session.scalars(query).one()
    note_locked(case)
    return case


def start_case_workflow(case: Case, process_id: str, *, actor: User | None, data: dict | None = None):
    """Start the case on the latest version of `process_id` and record it."""
    definition = workflow_bridge.latest_definition(process_id)
    if definition is None:
        raise InvalidInput(_("No process is deployed as %(process)s.", process=process_id), {"process": [process_id]})
    step = workflow_bridge.start_workflow(case, definition, {"case_id": case.id, **(data or {})})
    record_event(
        case,
        "workflow.started",
        actor=actor,
        details={"process": definition.process_id, "version": definition.version, **step.summary()},
    )
    notify_step(case, step, actor=actor)
    close_if_finished(case, step, actor)
    return step


def already_done_message(task: HumanTask) -> str:
    """Who finished the task and when, for the user who lost the race."""
    if task.state == TaskState.COMPLETED and task.completed_by is not None:
        return _(
            "%(user)s already completed this task at %(time)s.",
            user=task.completed_by.full_name,
            time=local_time(task.completed_at),
        )
    if task.state == TaskState.READY:
        return _("Someone else changed this case at the same moment. Nothing was saved; try again.")
    return _("This task is no longer open; the case has moved on.")


def conflict_for(task_id: int) -> Conflict:
    """The Conflict to show the user who lost a race for the task (call after rolling back)."""
    return Conflict(already_done_message(db.session.get(HumanTask, task_id)))


def case_changed_conflict(case_id: int) -> Conflict:
    """The Conflict to show the user who lost a race for a case: who changed it last, and when."""
    event = db.session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq.desc()).limit(1)
    )
    if event is None or event.actor is None:
        return Conflict(_("Someone else changed this case at the same moment. Nothing was saved; try again."))
    return Conflict(
        _(
            "%(user)s changed this case at %(time)s, at the same moment as you. Nothing of yours was saved; "
            "look again and retry.",
            user=event.actor.full_name,
            time=local_time(event.at),
        )
    )


# Read once per request and never changed by a step: the signed-in user (and their roles) and process versions.
_KEPT_ACROSS_THE_LOCK = (User, RoleAssignment, ProcessDefinition)


def _lock_task(task: HumanTask) -> tuple[Case, HumanTask]:
    """Lock the task's case and read afresh the case, its team, its ready tasks and its timer rows, in one statement
    (what checking and taking the step reads); a lost race names who finished the task.

    Everything else read before the lock is forgotten and read again when next used, as lock_case does, but the
    users and process versions. The joined rows come from the statement's snapshot, taken before it waited for the
    lock: should the case have changed meanwhile (its version or history count moved; every change records an
    event), the statement runs once more, under the lock, on a fresh snapshot."""
    case_id, task_id = task.case_id, task.id
    seen = _version_of(task.case)
    explain_conflict(lambda: case_changed_conflict(case_id))
    _forget_what_was_read()
    case = db.session.scalars(_locked_case_query(), {"case_id": case_id}).unique().one()
    if _version_of(case) != seen:
        _forget_what_was_read()  # the first statement's rows too, the task among them
        case = db.session.scalars(_locked_case_query(), {"case_id": case_id}).unique().one()
    note_locked(case)
    explain_conflict(lambda: conflict_for(task_id))
    return case, db.session.get(HumanTask, task_id)


@cache
def _locked_case_query():
    # Built once: SQLAlchemy keeps a statement's cache key on the statement, so each lock only binds the case id.
    return (
        select(Case)
        .where(Case.id == bindparam("case_id"))
        .options(
            joinedload(Case.definition),
            joinedload(Case.team),
            joinedload(Case.ready_task_rows),
            joinedload(Case.waiting_timer_rows),
        )
        .with_for_update(of=Case, key_share=True)  # as history.py locks it
        .execution_options(populate_existing=True)
    )


def _forget_what_was_read() -> None:
    for thing in list(db.session.identity_map.values()):
        if not isinstance(thing, _KEPT_ACROSS_THE_LOCK):
            db.session.expire(thing)


def _version_of(case: Case) -> tuple[int, int]:
    return case.lock_version, case.history_count


def check_can_complete(task: HumanTask, actor: User) -> None:
    """Refuse a task that is no longer open (409, naming who did it) or that is someone else's (403).

    Entry points call it before reading the answers too, so that these refusals come first whatever was answered."""
    if task.state != TaskState.READY or task.case.is_closed:
        raise Conflict(already_done_message(task))
    if not task.can_complete(actor):
        raise Forbidden(_("This task is for someone else."))


def complete_task(task: HumanTask, *, actor: User, data: StepInput):
    """Complete the task with its step's input: apply the step, run the engine on, and record it (one transaction).

    `data` is an instance of the task's input model, validated by the caller (tasks/steps.py: validate_input)."""
    case, task = _lock_task(task)
    check_can_complete(task, actor)
    handler = step_for(task)
    if not isinstance(data, handler.input):
        raise TypeError(f"task {task.bpmn_id} takes {handler.input.__name__}, not {type(data).__name__}")
    _mark_completed(task, actor, data.model_dump(mode="json"))
    decisions = handler.apply(task, actor, data)
    step = workflow_bridge.complete_task(case, task, decisions)
    record_event(
        case,
        "task.completed",
        actor=actor,
        details={"task": task.title, "bpmn_id": task.bpmn_id, "decisions": decisions, **step.summary()},
    )
    notify_step(case, step, actor=actor)
    close_if_finished(case, step, actor)
    return step


def _mark_completed(task: HumanTask, actor: User, submission: dict) -> None:
    """The task done by `actor` with these answers: one UPDATE of its row (core/rows.py), the object kept in step."""
    done = {"state": TaskState.COMPLETED, "completed_at": clock.now(), "completed_by_id": actor.id}
    update_row(HumanTask.__table__, task.id, {**done, "submission": submission})
    for key, value in {**done, "completed_by": actor, "submission": submission}.items():
        set_committed_value(task, key, value)


def claim_task(task: HumanTask, *, actor: User) -> None:
    """Take an open task for oneself, so that other candidates leave it alone."""
    _case, task = _lock_task(task)
    if task.state != TaskState.READY:
        raise Conflict(already_done_message(task))
    if not task.can_claim(actor):
        raise (
            Conflict(_("This task is already taken."))
            if task.is_candidate(actor)
            else Forbidden(_("This task is for someone else."))
        )
    task.claimed_by = actor
    record_event(
        task.case,
        "task.claimed",
        actor=actor,
        details={"task": task.title, "bpmn_id": task.bpmn_id, "user": actor.username},
    )


def reassign_task(task: HumanTask, *, to: User, actor: User) -> None:
    """A supervisor hands an open task to another user the lane names."""
    _case, task = _lock_task(task)
    if task.state != TaskState.READY:
        raise Conflict(already_done_message(task))
    if not task.can_reassign(actor):
        raise Forbidden(_("Only the team lead or a director may reassign tasks."))
    if not task.is_candidate(to):
        raise InvalidInput(
            _("%(user)s may not do this task.", user=to.full_name),
            {"user": [_("Choose someone the task's lane names.")]},
        )
    previous = task.claimed_by.username if task.claimed_by else None
    task.claimed_by = to
    record_event(
        task.case,
        "task.reassigned",
        actor=actor,
        details={"task": task.title, "bpmn_id": task.bpmn_id, "from": previous, "to": to.username},
    )


def close_if_finished(case: Case, step, actor: User | None) -> None:
    """Close the case once its process has run to its end."""
    if step.status == WorkflowState.COMPLETED and not case.is_closed:
        close_case(case, actor=actor, reason=PROCESS_COMPLETED)
