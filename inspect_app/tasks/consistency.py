"""Whether every case's projections still agree with its workflow and its history (`inspect check-consistency`).

The task list and the timer table are projections of the engine's state, rebuilt in the same transaction as every
engine step, and the history records each completed step and fired timer in that transaction too. A killed process
or a dropped connection must never leave them apart: a task open in the list that the workflow no longer offers,
a step completed twice or lost, a timer that fired twice or that will never fire."""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, select

from inspect_app import workflow_bridge
from inspect_app.core.extensions import db
from inspect_app.models import Case, CaseEvent, HumanTask, TaskState, TimerState, WorkflowTimer

COMPLETED_EVENT = "task.completed"
FIRED_EVENT = "timer.fired"
# Timer rows the engine may still be waiting on; see WorkflowTimer.engine_may_wait_on.
WAITING_ROW_STATES = (TimerState.WAITING, TimerState.FAILED)


@dataclass(frozen=True)
class Mismatch:
    """One disagreement, naming the case and the task or timer."""

    case_reference: str
    subject: str
    problem: str

    def __str__(self) -> str:
        return f"{self.case_reference} {self.subject}: {self.problem}"


def case_count(reference: str | None = None) -> int:
    """How many cases check_cases will check."""
    query = select(func.count(Case.id))
    return db.session.scalar(query if reference is None else query.where(Case.reference == reference))


def check_cases(reference: str | None = None) -> Iterator[tuple[str, list[Mismatch]]]:
    """Each case's reference with its mismatches (empty when consistent), in id order; only `reference`, if given."""
    query = select(Case.id).order_by(Case.id)
    if reference is not None:
        query = query.where(Case.reference == reference)
    for case_id in db.session.scalars(query).all():
        case = db.session.get(Case, case_id)
        yield case.reference, check_case(case)


def check_case(case: Case) -> list[Mismatch]:
    """Every way the case's task list, timer table and history disagree with its workflow and with each other."""
    tasks = list(db.session.scalars(select(HumanTask).where(HumanTask.case_id == case.id).order_by(HumanTask.id)))
    timers = list(db.session.scalars(select(WorkflowTimer).where(WorkflowTimer.case_id == case.id)))
    events = list(
        db.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.action.in_((COMPLETED_EVENT, FIRED_EVENT)))
        )
    )
    found = _against_workflow(case, tasks, timers)
    found += _completions_against_history(case, tasks, events)
    found += _firings_against_history(case, timers, events)
    return found


def _against_workflow(case: Case, tasks: list[HumanTask], timers: list[WorkflowTimer]) -> list[Mismatch]:
    if case.workflow_state is None or case.definition is None:
        return [
            Mismatch(case.reference, _task_name(row), "open in the task list, but the case runs no workflow")
            for row in tasks
            if row.state == TaskState.READY
        ]
    try:
        view = workflow_bridge.read_workflow(case)
    except Exception as error:  # a state the engine cannot read is itself the finding, not a crash of the check
        return [Mismatch(case.reference, "workflow", f"cannot be read: {type(error).__name__}: {error}")]
    found = _tasks_against_engine(case, tasks, view.ready)
    found += _timers_against_engine(case, timers, view.timers)
    if case.workflow_status != view.status:
        shown = case.workflow_status.value if case.workflow_status else "nothing"
        problem = f"the case says {shown}, the engine says {view.status.value}"
        found.append(Mismatch(case.reference, "workflow", problem))
    return found


def _task_name(row: HumanTask) -> str:
    return f"task {row.bpmn_id} (#{row.id})"


def _tasks_against_engine(case: Case, tasks: list[HumanTask], ready) -> list[Mismatch]:
    rows = {row.task_id: row for row in tasks}
    ready_ids = {task.task_id for task in ready}
    found = []
    for task in ready:
        row = rows.get(task.task_id)
        if row is None:
            problem = "ready in the workflow, but missing from the task list"
            found.append(Mismatch(case.reference, f"task {task.bpmn_id} (engine {task.task_id})", problem))
        elif row.state != TaskState.READY:
            problem = f"ready in the workflow, but {row.state.value} in the task list"
            found.append(Mismatch(case.reference, _task_name(row), problem))
    for row in tasks:
        if row.state == TaskState.READY and row.task_id not in ready_ids:
            problem = "open in the task list, but not ready in the workflow"
            found.append(Mismatch(case.reference, _task_name(row), problem))
    return found


def _timers_against_engine(case: Case, timers: list[WorkflowTimer], waiting) -> list[Mismatch]:
    rows = {row.task_id: row for row in timers}
    waiting_ids = {timer.task_id for timer in waiting}
    found = []
    for timer in waiting:
        row = rows.get(timer.task_id)
        if row is None:
            problem = "waits in the workflow, but has no timer row (no worker would fire it)"
            found.append(Mismatch(case.reference, f"timer {timer.bpmn_id} (engine {timer.task_id})", problem))
        elif row.state not in WAITING_ROW_STATES:
            problem = f"waits in the workflow, but its row is {row.state.value}"
            found.append(Mismatch(case.reference, f"timer {row.bpmn_id} (#{row.id})", problem))
    for row in timers:
        if row.state in WAITING_ROW_STATES and row.task_id not in waiting_ids:
            problem = f"{row.state.value} in the timer table, but not waiting in the workflow"
            found.append(Mismatch(case.reference, f"timer {row.bpmn_id} (#{row.id})", problem))
    return found


def _counted_apart(case: Case, kind: str, projected: Counter, recorded: Counter, what: str) -> list[Mismatch]:
    """One mismatch per BPMN id counted differently in the projection and in the history."""
    return [
        Mismatch(
            case.reference,
            f"{kind} {bpmn_id}",
            f"{what} {projected[bpmn_id]} time(s) in the {kind} table, {recorded[bpmn_id]} time(s) in the history",
        )
        for bpmn_id in sorted(projected.keys() | recorded.keys())
        if projected[bpmn_id] != recorded[bpmn_id]
    ]


def _completions_against_history(case: Case, tasks: list[HumanTask], events: list[CaseEvent]) -> list[Mismatch]:
    """Each completed task row has exactly one "task completed" event: no step lost, none done twice."""
    projected = Counter(row.bpmn_id for row in tasks if row.state == TaskState.COMPLETED)
    recorded = Counter(event.details.get("bpmn_id") for event in events if event.action == COMPLETED_EVENT)
    return _counted_apart(case, "task", projected, recorded, "completed")


def _firings_against_history(case: Case, timers: list[WorkflowTimer], events: list[CaseEvent]) -> list[Mismatch]:
    """Each fired timer row was fired once in the history: no timer fired twice, none fired unrecorded."""
    projected = Counter(row.bpmn_id for row in timers if row.state == TimerState.FIRED)
    recorded = Counter(
        bpmn_id for event in events if event.action == FIRED_EVENT for bpmn_id in event.details.get("fired", [])
    )
    return _counted_apart(case, "timer", projected, recorded, "fired")
