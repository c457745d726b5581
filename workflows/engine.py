"""The engine object: start a workflow, list and complete human tasks, fire timers, report status."""

import enum
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException, WorkflowException
from SpiffWorkflow.util.task import TaskState

from .compaction import prune_finished
from .errors import WorkflowError
from .expressions import ScriptEngine, UnsafeExpression
from .helpers import Clock, utc_now
from .parser import ProcessBundle
from .serializer import RestoredSpec, dump_state, load_state
from .timers import DEFAULT_MAX_TIMER, parse_due

# Workflow-level data where the path taken survives the pruning of finished tasks.
PATH_KEY = "inspect_path"

# Task specs one process may have. Spiff predicts a new workflow's path recursively, one call per step, so a longer
# chain would exceed Python's recursion limit (about 1000 frames, some of which the web request already uses).
MAX_PROCESS_STEPS = 600
# Automatic steps (scripts, gateways, events) one engine run may take before it is taken for an endless loop.
MAX_AUTOMATIC_STEPS = 1000
# A long run is compacted every so many steps, so its task tree stays shallow (Spiff recurses along it).
COMPACT_EVERY = 20


class WorkflowStatus(enum.StrEnum):
    """Where a workflow stands, in our words rather than SpiffWorkflow's."""

    running = "running"  # someone has a task ready
    waiting = "waiting"  # nobody can act; a timer or other event must move it on
    completed = "completed"
    cancelled = "cancelled"
    error = "error"  # a task failed (bad expression, no gateway branch matched...)


@dataclass(frozen=True)
class ReadyTask:
    """A human task that can be completed now."""

    task_id: str
    bpmn_id: str
    title: str | None
    lane: str | None
    form: str | None
    process_id: str
    properties: Mapping[str, str] = field(default_factory=dict, hash=False)
    item: Any = field(default=None, hash=False)  # this instance's multi-instance input item, e.g. the unit
    due_at: datetime | None = None  # when the earliest timer on this task's boundary fires


@dataclass(frozen=True)
class WaitingTimer:
    """A timer event waiting for its due time."""

    task_id: str
    bpmn_id: str
    due_at: datetime


@dataclass(frozen=True)
class CompletedPath:
    """The path taken so far, to draw it: elements in first-reached order and (source, target) flow pairs.

    `elements` completed; `interrupted` were reached but cancelled (e.g. a task cut off by a boundary timer).
    """

    elements: tuple[str, ...]
    interrupted: tuple[str, ...]
    flows: tuple[tuple[str, str], ...]


def stored_path(state: Mapping) -> CompletedPath | None:
    """Return the path taken as the last engine step kept it in `Engine.dump` output, read without rebuilding the
    workflow; None when the state does not hold it (saved before the engine kept the path)."""
    kept = state.get("data", {}).get(PATH_KEY)
    if kept is None:
        return None
    return CompletedPath(
        tuple(kept["elements"]), tuple(kept["interrupted"]), tuple(tuple(pair) for pair in kept["flows"])
    )


def _message(exc: Exception) -> str:
    return " ".join([str(exc.args[0]) if exc.args else type(exc).__name__, *getattr(exc, "notes", [])])


@contextmanager
def _surface_errors() -> Iterator[None]:
    try:
        yield
    except WorkflowException as exc:
        raise WorkflowError(_message(exc), getattr(exc.task_spec, "bpmn_id", None)) from exc
    except UnsafeExpression as exc:
        raise WorkflowError(str(exc)) from exc


def _check_json(data: Mapping) -> None:
    if not all(isinstance(key, str) for key in data):
        raise WorkflowError("task data keys must be strings")
    try:
        json.dumps(dict(data), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise WorkflowError(f"task data must be plain JSON (dates as ISO strings): {exc}") from exc


def _multi_instance_item(task) -> Any:
    parent_spec = task.parent.task_spec if task.parent is not None else None
    if isinstance(parent_spec, MultiInstanceTask) and parent_spec.input_item is not None:
        return task.data.get(parent_spec.input_item.bpmn_id)
    return None


def _boundary_due(task, timer_due: Mapping[str, datetime]) -> datetime | None:
    # A boundary event's task is a sibling of the task it is attached to, under a BoundaryEventSplit.
    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, BoundaryEventSplit):
        return None
    return min((timer_due[str(child.id)] for child in parent.children if str(child.id) in timer_due), default=None)


class Engine:
    """Owns the script engine, clock and timer limit; every workflow it starts or loads runs with them."""

    def __init__(self, clock: Clock = utc_now, max_timer: str = DEFAULT_MAX_TIMER):
        self.clock = clock
        self.max_timer = max_timer
        self.script_engine = ScriptEngine(clock, max_timer)

    def start(self, bundle: ProcessBundle, data: Mapping[str, Any] | None = None) -> BpmnWorkflow:
        """Create a workflow for `bundle` with initial `data` (plain JSON) and run it to its first wait state."""
        workflow = BpmnWorkflow(bundle.spec, dict(bundle.subprocess_specs), script_engine=self.script_engine)
        if data:
            _check_json(data)
            for task in workflow.get_tasks(state=TaskState.READY):
                task.set_data(**data)
        with _surface_errors():
            self._run_automatic_steps(workflow)
        self._compact(workflow)
        return workflow

    def ready_tasks(self, workflow: BpmnWorkflow) -> list[ReadyTask]:
        """Return the human tasks ready now, including those inside call activities and each multi-instance."""
        timer_due = {timer.task_id: timer.due_at for timer in self.waiting_timers(workflow)}
        ready = []
        for task in workflow.get_tasks(state=TaskState.READY, manual=True):
            spec = task.task_spec
            properties = dict(getattr(spec, "extensions", {}).get("properties", {}))
            ready.append(
                ReadyTask(
                    task_id=str(task.id),
                    bpmn_id=spec.bpmn_id,
                    title=spec.bpmn_name,
                    lane=spec.lane,
                    form=properties.get("form"),
                    process_id=task.workflow.spec.name,
                    properties=properties,
                    item=_multi_instance_item(task),
                    due_at=_boundary_due(task, timer_due),
                )
            )
        return ready

    def _ready_task(self, workflow: BpmnWorkflow, task_id: str):
        try:
            task = workflow.get_task_from_id(UUID(str(task_id)))
        except (ValueError, TaskNotFoundException):
            raise WorkflowError(f"no task {task_id!r} in this workflow") from None
        if task.state != TaskState.READY or not task.task_spec.manual:
            state = TaskState.get_name(task.state).lower()
            raise WorkflowError(f"task {task_id} is not a ready human task (it is {state})", task.task_spec.bpmn_id)
        return task

    def complete(self, workflow: BpmnWorkflow, task_id: str, data: Mapping[str, Any] | None = None) -> None:
        """Complete a ready human task with `data` (plain JSON) and run on to the next wait state."""
        task = self._ready_task(workflow, task_id)
        data = dict(data or {})
        _check_json(data)
        task.set_data(**data)
        with _surface_errors():
            task.run()
            self._run_automatic_steps(workflow)
        self._compact(workflow)

    def waiting_timers(self, workflow: BpmnWorkflow) -> list[WaitingTimer]:
        """Return the timers waiting in the workflow (and its subprocesses), earliest first."""
        timers = []
        for task in workflow.event_manager.tasks.values():
            definition = task.task_spec.event_definition
            if not isinstance(definition, TimerEventDefinition):
                continue
            value = definition.details(task).value
            if isinstance(value, str):
                timers.append(WaitingTimer(str(task.id), task.task_spec.bpmn_id, parse_due(value)))
        return sorted(timers, key=lambda timer: timer.due_at)

    def fire_due_timers(self, workflow: BpmnWorkflow, now: datetime | None = None) -> list[str]:
        """Fire the timers due at `now` (default: the engine clock), run on, and return the fired timers' ids."""
        moment = now or self.clock()
        if moment.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        due = [timer for timer in self.waiting_timers(workflow) if timer.due_at <= moment]
        if now is not None:
            workflow.script_engine = ScriptEngine(lambda: moment, self.max_timer)
        try:
            with _surface_errors():
                workflow.refresh_timers()
                self._run_automatic_steps(workflow)
        finally:
            workflow.script_engine = self.script_engine
        # Read what fired before compaction, which may prune the fired timer's task along with the finished path.
        fired = [timer.bpmn_id for timer in due if not self._was_cancelled(workflow, timer.task_id)]
        self._compact(workflow)
        return fired

    @staticmethod
    def _was_cancelled(workflow: BpmnWorkflow, task_id: str) -> bool:
        try:
            return workflow.get_task_from_id(UUID(task_id)).state == TaskState.CANCELLED
        except TaskNotFoundException:
            return True

    def status(self, workflow: BpmnWorkflow) -> WorkflowStatus:
        """Map the workflow's engine state to a WorkflowStatus."""
        if workflow.get_tasks(state=TaskState.ERROR):
            return WorkflowStatus.error
        if workflow.completed:
            return WorkflowStatus.completed if workflow.success else WorkflowStatus.cancelled
        if workflow.get_tasks(state=TaskState.READY, manual=True):
            return WorkflowStatus.running
        if workflow.event_manager.tasks:
            return WorkflowStatus.waiting
        return WorkflowStatus.running

    def completed_path(self, workflow: BpmnWorkflow) -> CompletedPath:
        """Return the BPMN elements reached so far and the flows taken between them, to draw the path."""
        finished = workflow.get_tasks(state=TaskState.COMPLETED | TaskState.CANCELLED)
        # Spiff drops untaken branches; a cancelled task under a completed parent had really been reached.
        reached = [
            task
            for task in finished
            if task.task_spec.bpmn_id
            and (task.state == TaskState.COMPLETED or (task.parent and task.parent.state == TaskState.COMPLETED))
        ]
        reached.sort(key=lambda task: task.last_state_change)
        earlier = workflow.data.get(PATH_KEY, {})
        elements: dict[str, None] = dict.fromkeys(earlier.get("elements", []))
        interrupted: dict[str, None] = dict.fromkeys(earlier.get("interrupted", []))
        flows: dict[tuple[str, str], None] = dict.fromkeys(tuple(pair) for pair in earlier.get("flows", []))
        for task in reached:
            bpmn_id = task.task_spec.bpmn_id
            if task.state == TaskState.COMPLETED:
                elements.setdefault(bpmn_id)
            elif not isinstance(task.task_spec, UnstructuredJoin):
                interrupted.setdefault(bpmn_id)
            source = self._previous_element(task)
            if source is not None and source != bpmn_id:
                flows.setdefault((source, bpmn_id))
        return CompletedPath(tuple(elements), tuple(i for i in interrupted if i not in elements), tuple(flows))

    @staticmethod
    def _previous_element(task) -> str | None:
        # A boundary event is attached to its host, not reached by a sequence flow.
        if isinstance(task.task_spec, BoundaryEvent):
            return None
        parent = task.parent
        while parent is not None and not parent.task_spec.bpmn_id:
            parent = parent.parent
        return parent.task_spec.bpmn_id if parent is not None else None

    def _run_automatic_steps(self, workflow: BpmnWorkflow) -> None:
        """Run scripts, gateways and events up to the next wait, refusing a run that never reaches one."""
        steps = 0

        def after_each(task) -> None:
            nonlocal steps
            steps += 1
            if steps > MAX_AUTOMATIC_STEPS:
                raise WorkflowError(
                    f"more than {MAX_AUTOMATIC_STEPS} automatic steps without waiting for a person or a timer; "
                    "does the process loop without a user task or timer?",
                    task.task_spec.bpmn_id,
                )
            if steps % COMPACT_EVERY == 0:
                self._compact(workflow)

        workflow.do_engine_steps(did_complete_task=after_each)

    def _compact(self, workflow: BpmnWorkflow) -> None:
        # Keep the path taken (for the diagram) before the finished tasks that record it are pruned.
        path = self.completed_path(workflow)
        workflow.data[PATH_KEY] = {
            "elements": list(path.elements),
            "interrupted": list(path.interrupted),
            "flows": [list(pair) for pair in path.flows],
        }
        prune_finished(workflow)

    def dump(self, workflow: BpmnWorkflow) -> dict:
        """Return the workflow's state as JSON-ready data, without its spec."""
        return dump_state(workflow)

    def load(self, state: dict, spec: "dict | RestoredSpec") -> BpmnWorkflow:
        """Rebuild a workflow from `dump` output and the stored spec (or that restored once: restore_spec), running
        with this engine."""
        return load_state(state, spec, self.script_engine)
