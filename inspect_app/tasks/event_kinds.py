"""How the history reads the events of processes, tasks and timers (see audit/describe.py)."""

from flask_babel import lazy_gettext as _l

from inspect_app.audit import names
from inspect_app.audit.describe import EventKind, Field
from inspect_app.audit.formats import choice, due, element, listed, number, person, task
from inspect_app.core.labels import WORKFLOW_STATE_LABELS
from inspect_app.models import WorkflowState

# What a decision taken on a task did, whichever process asked for it (the steps' choices, in the past tense).
DECISION_LABELS = {
    "approve": _l("Approved"),
    "return": _l("Returned for changes"),
    "extend": _l("More time given"),
    "escalate": _l("Escalated to the director"),
    "close": _l("Closed without waiting longer"),
}


def task_subject(event, lookups) -> str | None:
    details = event.details or {}
    title = details.get("task")
    return names.task_name(event.case, title, details.get("bpmn_id")) if title else None


def process_subject(event, lookups) -> str | None:
    details = event.details or {}
    process_id, version = details.get("process"), details.get("version")
    if not process_id:
        return None
    return names.process_name(lookups.definition((process_id, version)), process_id)


def timers_subject(event, lookups) -> str | None:
    fired = (event.details or {}).get("fired") or []
    return listed(element)(fired, event, lookups) if fired else None


def timer_subject(event, lookups) -> str | None:
    timer = (event.details or {}).get("timer")
    return element(timer, event, lookups) if timer else None


def unless_running(value, event, lookups) -> str | None:
    """The process's state after the step, when it is not simply still running."""
    return None if value == WorkflowState.RUNNING else choice(WORKFLOW_STATE_LABELS)(value, event, lookups)


# What the engine did after a step: the tasks it opened and cancelled, and where the process stands.
STEP_FIELDS = (
    Field("opened", _l("Tasks opened"), listed(task)),
    Field("cancelled", _l("Tasks cancelled"), listed(task)),
    Field("status", _l("Process"), unless_running),
)

EVENT_KINDS = {
    "workflow.started": EventKind(
        "tasks",
        subject=process_subject,
        fields=(Field("version", _l("Version"), number), *STEP_FIELDS),
        hidden=frozenset({"process"}),
    ),
    "task.completed": EventKind(
        "tasks",
        subject=task_subject,
        fields=(
            Field("decisions.decision", _l("Decision"), choice(DECISION_LABELS)),
            Field("decisions.extra_days", _l("Extra days"), number),
            Field("decisions.flagged_items", _l("Items to explain"), number),
            Field("decisions.rejected_findings", _l("Reports rejected"), number),
            Field("decisions.open_findings", _l("Findings awaiting remediation"), number),
            Field("decisions.remediation_due", _l("Next remediation deadline"), due),
            *STEP_FIELDS,
        ),
        hidden=frozenset({"task", "bpmn_id"}),
    ),
    "task.claimed": EventKind(
        "tasks",
        subject=task_subject,
        fields=(Field("user", _l("Taken by"), person),),
        hidden=frozenset({"task", "bpmn_id"}),
    ),
    "task.reassigned": EventKind(
        "tasks",
        subject=task_subject,
        fields=(Field("from", _l("Held by"), person), Field("to", _l("Handed to"), person)),
        hidden=frozenset({"task", "bpmn_id"}),
    ),
    "timer.fired": EventKind("tasks", subject=timers_subject, fields=STEP_FIELDS, hidden=frozenset({"fired"})),
    "timer.retried": EventKind(
        "tasks",
        subject=timer_subject,
        fields=(Field("attempts", _l("Failed attempts"), number), Field("error", _l("Last error"))),
        hidden=frozenset({"timer"}),
    ),
}
