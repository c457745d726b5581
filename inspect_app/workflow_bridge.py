"""The only module that imports workflows/: it deploys definitions, runs case workflows and keeps the
human-task and timer projections in step with the engine, in the caller's transaction (it flushes, never commits)."""

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache, lru_cache

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, insert, select
from sqlalchemy.orm.attributes import set_committed_value

from inspect_app.core import clock
from inspect_app.core.exceptions import ProcessStuck
from inspect_app.core.extensions import db
from inspect_app.core.labels import LANE_LABELS, label
from inspect_app.core.logging import case_logger
from inspect_app.core.rows import update_row
from inspect_app.models import (
    Case,
    HumanTask,
    Lane,
    ProcessDefinition,
    TaskState,
    TimerState,
    User,
    WorkflowState,
    WorkflowTimer,
)
from inspect_app.tasks import registry
from workflows import (
    LANE_KEY_PREFIX,
    MAX_BPMN_BYTES,
    PRIMARY_LANGUAGE,
    SERIALIZER_VERSION,
    BpmnError,
    CompletedPath,
    Diagram,
    Engine,
    ProcessBundle,
    ReadyTask,
    RestoredSpec,
    WaitingTimer,
    WorkflowError,
    element_label,
    lane_key,
    latest_due,
    parse_bpmn,
    pick,
    read_diagram,
    restore_spec,
    serialize_spec,
    stored_path,
    utc_now,
    validate_bpmn,
)

__all__ = ["MAX_BPMN_BYTES", "BpmnError", "WorkflowError"]


@dataclass
class Step:
    """What one engine step changed: the tasks it opened and cancelled, and where the workflow now stands."""

    opened: list[HumanTask] = field(default_factory=list)
    cancelled: list[HumanTask] = field(default_factory=list)
    fired: list[str] = field(default_factory=list)
    status: WorkflowState = WorkflowState.RUNNING
    # Every task of the case open after the step (kept and opened), by id: what `Case.open_tasks` would now answer.
    open: list[HumanTask] = field(default_factory=list)

    def summary(self) -> dict:
        """The step for the case history: titles of opened and cancelled tasks, fired timers, status."""
        return {
            "opened": [task.title for task in self.opened],
            "cancelled": [task.title for task in self.cancelled],
            **({"fired": self.fired} if self.fired else {}),
            "status": self.status.value,
        }


def new_engine() -> Engine:
    """An engine on the app's clock (so tests can move time) and timer limit."""
    return Engine(clock=clock.now, max_timer=current_app.config["MAX_TIMER_DURATION"])


def timer_limit_problem(max_timer: str) -> str | None:
    """Why `max_timer` cannot be the longest timer allowed (not an ISO 8601 duration, or over 100 years), or None."""
    try:
        latest_due(utc_now(), max_timer)
    except Exception as exc:
        return str(exc)
    return None


def validate_definition(xml: bytes, filename: str) -> list[str]:
    """One line per problem in the BPMN file, naming the file and element; empty when it may be deployed.

    A file that passes the rules is also started on trial (trial_start_problems)."""
    lanes, forms = {lane.value for lane in Lane}, set(registry.current().steps)
    problems = validate_bpmn(xml, filename, lanes, forms, max_timer=current_app.config["MAX_TIMER_DURATION"])
    if problems:
        return problems
    bundle = parse_definition(xml, filename)
    return _storage_problems(filename, bundle) or trial_start_problems(bundle, filename)


def _longer_than(value: str | None, column) -> int | None:
    """The column's length when `value` does not fit in it, else None."""
    return column.type.length if value is not None and len(value) > column.type.length else None


def _storage_problems(filename: str, bundle: ProcessBundle) -> list[str]:
    """Ids and names longer than the columns that keep them (versions, tasks, timers), which PostgreSQL would refuse."""
    problems = []
    if limit := _longer_than(filename, ProcessDefinition.filename):
        problems.append(_("%(file)s: the file name is longer than %(limit)d characters", file=filename, limit=limit))
    named = [(bundle.process_id, bundle.name, ProcessDefinition.process_id, ProcessDefinition.name)]
    named += [(each.bpmn_id, each.name, HumanTask.bpmn_id, HumanTask.title) for each in bundle.elements.values()]
    for element_id, name, id_column, name_column in named:
        where = {
            "file": filename,
            "element": element_label(element_id if len(element_id) <= 60 else element_id[:60] + "…"),
        }
        if limit := _longer_than(element_id, id_column):
            problems.append(
                _("%(file)s: %(element)s: the id is longer than %(limit)d characters", **where, limit=limit)
            )
        if limit := _longer_than(name, name_column):
            problems.append(
                _("%(file)s: %(element)s: the name is longer than %(limit)d characters", **where, limit=limit)
            )
    return problems


def trial_start_problems(bundle: ProcessBundle, filename: str) -> list[str]:
    """Start the process on sample data and run it to its first wait, as a new case would, then drop it.

    Up to its first wait a workflow touches no table: scripts and conditions see only task data, and what a case
    stores (task and timer rows, its state) is made from the ready tasks, waiting timers and state computed here.
    So the engine alone is enough, and there is no case, no savepoint and nothing to roll back. The sample data
    is every feature's sample (registry start_samples): any process may be started by any feature."""
    data = {name: sample() for name, sample in registry.current().start_samples.items()}
    engine = new_engine()
    try:
        workflow = engine.start(bundle, data)
        engine.ready_tasks(workflow)
        engine.waiting_timers(workflow)
        json.dumps(engine.dump(workflow), allow_nan=False)
    except WorkflowError as error:
        return [_trial_problem(filename, bundle, error.element_id, error.message)]
    except Exception as exc:  # anything else the engine raises would stop every new case too
        case_logger.warning("trial start failed", exc_info=True, extra={"process_id": bundle.process_id})
        return [_trial_problem(filename, bundle, None, f"{type(exc).__name__}: {exc}")]
    return []


def _trial_problem(filename: str, bundle: ProcessBundle, element_id: str | None, message: str) -> str:
    element = bundle.elements.get(element_id)
    label = element_label(element.bpmn_id, element.name) if element else element_label(bundle.process_id, bundle.name)
    return _(
        "%(file)s: %(element)s: a trial start with sample data stopped here, so every new case would stop too: "
        "%(problem)s",
        file=filename,
        element=label,
        problem=message,
    )


def parse_definition(xml: bytes, filename: str) -> ProcessBundle:
    """Parse a file that validate_definition accepted."""
    return parse_bpmn(xml, filename=filename)


def latest_definition(process_id: str) -> ProcessDefinition | None:
    """The newest deployed version of a process, which new cases start on."""
    query = select(ProcessDefinition).where(ProcessDefinition.process_id == process_id)
    return db.session.scalar(query.order_by(ProcessDefinition.version.desc()).limit(1))


def deploy_definition(xml: bytes, filename: str, actor: User | None) -> tuple[ProcessDefinition, bool]:
    """Store the file as the process's next version, or return the latest when it is unchanged (created=False).

    The caller must have validated the file first (validate_definition)."""
    bundle = parse_definition(xml, filename)
    digest = hashlib.sha256(xml).hexdigest()
    latest = latest_definition(bundle.process_id)
    if latest is not None and latest.sha256 == digest:
        return latest, False
    last_version = db.session.scalar(
        select(func.max(ProcessDefinition.version)).where(ProcessDefinition.process_id == bundle.process_id)
    )
    definition = ProcessDefinition(
        process_id=bundle.process_id,
        version=(last_version or 0) + 1,
        name=bundle.name or bundle.process_id,
        filename=filename,
        sha256=digest,
        bpmn_xml=xml.decode("utf-8"),
        spec=serialize_spec(bundle),
        names={key: dict(entry) for key, entry in bundle.names.items()},
        serializer_version=SERIALIZER_VERSION,
        deployed_by=actor,
    )
    db.session.add(definition)
    db.session.flush()
    return definition, True


@lru_cache(maxsize=64)
def _bundle(sha256: str, xml: str) -> ProcessBundle:
    # Parsed specs are immutable and keyed by content, so caching them keeps no state between requests.
    return parse_bpmn(xml.encode("utf-8"))


@lru_cache(maxsize=64)
def _restored_spec(definition_id: int, sha256: str) -> RestoredSpec:
    # A deployed version never changes, so its spec is restored once per process and shared by its cases (keyed by
    # content too: a test database may give a new definition an old id). Only a miss reads the large column.
    spec = db.session.scalar(select(ProcessDefinition.spec).where(ProcessDefinition.id == definition_id))
    return restore_spec(spec)


def _spec_of(definition: ProcessDefinition) -> RestoredSpec | dict:
    restored = _restored_spec(definition.id, definition.sha256)
    # A spec stored by an older serializer is migrated with each state, so load_state needs it as stored.
    return restored if restored.spec is not None else definition.spec


@contextmanager
def _refuse_when_stuck(case: Case, definition: ProcessDefinition) -> Iterator[None]:
    """An engine error (no matching branch, a failing script) becomes a refusal naming the BPMN element."""
    try:
        yield
    except WorkflowError as error:
        case_logger.warning(
            "process stuck",
            extra={
                "case": case.reference,
                "process_id": definition.process_id,
                "version": definition.version,
                "element": error.element_id,
                "problem": error.message,
            },
        )
        raise process_stuck(error.element_id or definition.process_id, error.message) from error


def process_stuck(element_id: str, problem: str) -> ProcessStuck:
    """The refusal for a step the process cannot take, naming the BPMN element for the process administrator."""
    message = _(
        "The process cannot go on at %(element)s: %(problem)s. Nothing was saved; tell the process administrator.",
        element=element_id,
        problem=problem,
    )
    return ProcessStuck(message, element_id, problem)


def start_workflow(case: Case, definition: ProcessDefinition, data: dict) -> Step:
    """Start the case's workflow on `definition` (pinned for the case's life) and run to the first wait state."""
    engine = new_engine()
    with _refuse_when_stuck(case, definition):
        workflow = engine.start(_bundle(definition.sha256, definition.bpmn_xml), data)
    case.definition = definition
    return _logged("workflow started", case, _save(case, engine, workflow), process_id=definition.process_id)


def complete_task(case: Case, task: HumanTask, decisions: dict) -> Step:
    """Complete the engine task behind `task` with the decisions and run on to the next wait state."""
    engine = new_engine()
    workflow = _load(case, engine)
    with _refuse_when_stuck(case, case.definition):
        engine.complete(workflow, task.task_id, decisions)
    return _logged("task completed", case, _save(case, engine, workflow), task=task.bpmn_id)


def fire_due_timers(case: Case, now: datetime) -> Step:
    """Fire the case's timers due at `now` and run on."""
    engine = new_engine()
    workflow = _load(case, engine)
    due = {timer.task_id for timer in engine.waiting_timers(workflow) if timer.due_at <= now}
    with _refuse_when_stuck(case, case.definition):
        fired = engine.fire_due_timers(workflow, now)
    step = _save(case, engine, workflow, fired_task_ids=due)
    step.fired = fired
    return _logged("timers fired", case, step, timers=fired)


@dataclass(frozen=True)
class EngineView:
    """What a case's stored workflow holds, read without changing anything: its ready human tasks, its waiting
    timers and its status, to compare with the task and timer projections (tasks/consistency.py)."""

    ready: list[ReadyTask]
    timers: list[WaitingTimer]
    status: WorkflowState


def read_workflow(case: Case) -> EngineView:
    """Rebuild the case's workflow from its stored state and report what the engine itself sees."""
    engine = new_engine()
    workflow = _load(case, engine)
    return EngineView(
        engine.ready_tasks(workflow), engine.waiting_timers(workflow), WorkflowState(engine.status(workflow).value)
    )


# --- names: what a process version calls its parts, in each language (workflows/names.py reads them at deploy) ---


def reader_language() -> str:
    """The language being written in: the user's, or the one an e-mail forces (flask_babel.force_locale)."""
    locale = get_locale()
    return locale.language if locale is not None else PRIMARY_LANGUAGE


def display_name(
    definition: ProcessDefinition | None, element_id: str | None = None, default: str | None = None
) -> str:
    """The name of one element of the definition (the process itself when `element_id` is None), in the reader's
    language, else Vietnamese, else any; `default`, else the element id, when the file names it in no language."""
    if definition is None:
        return default or element_id or ""
    key = definition.process_id if element_id is None else element_id
    return pick(definition.names or {}, key, reader_language()) or default or key


def lane_name(definition: ProcessDefinition | None, lane: str | None) -> str:
    """A lane's name (`lane` is its role: director, lead ...) as the definition gives it, else the app's label."""
    if not lane:
        return ""
    named = pick(definition.names or {}, lane_key(lane), reader_language()) if definition is not None else None
    return named or str(label(lane, LANE_LABELS))


def element_names(definition: ProcessDefinition | None) -> dict[str, str]:
    """Every named element of the definition but its lanes (tasks, events, gateways, flows), by id, in the reader's
    language."""
    if definition is None:
        return {}
    return {key: display_name(definition, key) for key in definition.names or {} if not key.startswith(LANE_KEY_PREFIX)}


def read_definition_diagram(definition: ProcessDefinition) -> Diagram:
    """The diagram layout (shapes, edges, lanes) drawn in the definition's BPMN file, named in the reader's language
    from the names the version was deployed with."""
    layout = _layout(definition.id, definition.sha256, definition.process_id)
    shapes = [
        replace(shape, name=_diagram_name(definition, shape.element_id, shape.name, shape.kind))
        for shape in layout.shapes
    ]
    edges = [replace(edge, name=display_name(definition, edge.element_id, edge.name)) for edge in layout.edges]
    return replace(layout, shapes=tuple(shapes), edges=tuple(edges))


@lru_cache(maxsize=64)
def _layout(definition_id: int, sha256: str, process_id: str) -> Diagram:
    # A version's drawing never changes: read once per process (immutable dataclasses, shared by every request).
    xml = db.session.scalar(select(ProcessDefinition.bpmn_xml).where(ProcessDefinition.id == definition_id))
    return read_diagram(xml.encode("utf-8"), process_id)


def _diagram_name(definition: ProcessDefinition, element_id: str, drawn: str, kind: str) -> str:
    # A lane's drawn name is its role (director ...); an unnamed element stays unnamed rather than show its id.
    if kind == "lane":
        return lane_name(definition, drawn)
    return display_name(definition, element_id, drawn) if drawn or element_id in definition.names else ""


def case_diagram(case: Case) -> dict:
    """What the case page needs to draw the case's own process version with its path and current tasks: the drawing
    and the path the engine stored at its last step, without rebuilding the workflow or parsing the process."""
    layout = read_definition_diagram(case.definition)
    path = _path_taken(case)
    taken = {(edge.source, edge.target): edge.element_id for edge in layout.edges if edge.kind == "sequence"}
    return {
        "diagram": layout,
        "completed": set(path.elements),
        "interrupted": set(path.interrupted),
        "current": {task.bpmn_id for task in case.open_tasks},
        "taken_flows": {taken[pair] for pair in path.flows if pair in taken},
    }


def _path_taken(case: Case) -> CompletedPath:
    # The engine keeps the path in the stored state after every step; only older states need the workflow rebuilt.
    path = stored_path(case.workflow_state)
    if path is None:
        engine = new_engine()
        path = engine.completed_path(_load(case, engine))
    return path


def _logged(message: str, case: Case, step: Step, **bpmn_ids) -> Step:
    opened = [task.bpmn_id for task in step.opened]
    case_logger.info(message, extra={"case": case.reference, **bpmn_ids, "opened": opened, "status": step.status.value})
    return step


def _load(case: Case, engine: Engine):
    return engine.load(case.workflow_state, _spec_of(case.definition))


def _save(case: Case, engine: Engine, workflow, fired_task_ids: set[str] = frozenset()) -> Step:
    """Store the workflow's state and bring the task and timer projections in step with it.

    Nothing is flushed here: the case's new state goes out with the history event that records the step
    (history.record_event), in one UPDATE of the case row."""
    step = Step(status=WorkflowState(engine.status(workflow).value))
    # The projections are read before the case changes, so that reading them does not write the case row early.
    with db.session.no_autoflush:
        _project_tasks(case, engine.ready_tasks(workflow), step)
        if _restored_spec(case.definition.id, case.definition.sha256).has_timers:
            _project_timers(case, engine.waiting_timers(workflow), fired_task_ids)
    case.workflow_state = engine.dump(workflow)
    case.workflow_status = step.status
    return step


def _project_tasks(case: Case, ready, step: Step) -> None:
    # The rows as the case's lock read them (tasks.services), else read now; in memory, the task being completed
    # is no longer ready.
    open_rows = {task.task_id: task for task in case.ready_task_rows if task.state == TaskState.READY}
    ready_ids = {task.task_id for task in ready}
    kept = []
    for task_id, row in open_rows.items():
        if task_id not in ready_ids:
            row.state = TaskState.CANCELLED
            step.cancelled.append(row)
    for task in ready:
        row = open_rows.get(task.task_id)
        if row is not None:
            row.due_at = task.due_at
            kept.append(row)
            continue
        # A task "for" one person (assignee="item" on a multi-instance task over user ids) starts claimed by them.
        for_user = task.item if task.properties.get("assignee") == "item" and isinstance(task.item, int) else None
        row = HumanTask(
            case_id=case.id,
            task_id=task.task_id,
            bpmn_id=task.bpmn_id,
            title=task.title or task.bpmn_id,
            lane=task.lane,
            form=task.form,
            item=task.item,
            due_at=task.due_at,
            created_at=clock.now(),
            claimed_by_id=for_user,
        )
        db.session.add(row)
        step.opened.append(row)
    step.open = kept + step.opened
    # Rows added or no longer ready: the next reader of the collection reads it again.
    db.session.expire(case, ["ready_task_rows"])


def _project_timers(case: Case, waiting, fired_task_ids: set[str]) -> None:
    # Core statements (core/rows.py), with the row objects kept in step: through the unit of work, these small writes
    # cost several times their statements (issue 15).
    rows = {timer.task_id: timer for timer in case.waiting_timer_rows if timer.state in WorkflowTimer.MAY_WAIT}
    waiting_ids = {timer.task_id for timer in waiting}
    for task_id, row in rows.items():
        if task_id not in waiting_ids:
            fired = task_id in fired_task_ids
            _write_timer(
                row, state=TimerState.FIRED if fired else TimerState.CANCELLED, fired_at=clock.now() if fired else None
            )
    for timer in waiting:
        row = rows.get(timer.task_id)
        if row is None:
            db.session.execute(
                _timer_insert(),
                {"case_id": case.id, "task_id": timer.task_id, "bpmn_id": timer.bpmn_id, "due_at": timer.due_at},
            )
        elif row.due_at != timer.due_at:
            _write_timer(row, due_at=timer.due_at)
    db.session.expire(case, ["waiting_timer_rows"])


def _write_timer(row: WorkflowTimer, **values) -> None:
    update_row(WorkflowTimer.__table__, row.id, values)
    for key, value in values.items():
        set_committed_value(row, key, value)


@cache
def _timer_insert():
    # The table's: the state and attempts take their columns' defaults (waiting, 0).
    return insert(WorkflowTimer.__table__)
