"""The one way to show a process's names (the process, its tasks, lanes, gateways, flows and events) in the reader's
language: from the names the case's own process version was deployed with (ProcessDefinition.names, read from its
BPMN file by workflows/names.py), in the reader's language, else Vietnamese, else whatever the file has.

Templates use the filters `task_title` (a task), `task_lane` (a task's lane) and `process_name` (a definition) and
the global `element_name(definition, element_id)`; Python code calls the functions below."""

from flask_babel import get_locale

from inspect_app.core.labels import LANE_LABELS, label
from inspect_app.models import HumanTask, ProcessDefinition
from workflows import PRIMARY_LANGUAGE, lane_key, pick


def reader_language() -> str:
    """The language being written in: the user's, or the one an e-mail forces (flask_babel.force_locale)."""
    locale = get_locale()
    return locale.language if locale is not None else PRIMARY_LANGUAGE


def display_name(
    definition: ProcessDefinition | None, element_id: str | None = None, default: str | None = None
) -> str:
    """The name of one element of the definition (the process itself when `element_id` is None), in the reader's
    language; `default`, else the element id, when the file names it in no language."""
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


def task_title(task: HumanTask) -> str:
    """A task's name in the reader's language, from its case's own process version (a case keeps its version)."""
    return display_name(task.case.definition, task.bpmn_id, default=task.title)


def task_lane(task: HumanTask) -> str:
    """Who a task is for (its lane), named as its case's process version names it."""
    return lane_name(task.case.definition, task.lane)
