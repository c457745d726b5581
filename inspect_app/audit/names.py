"""The display names of process parts as the history shows them: the one place the history asks for a task's, a
process's or a timer's name, from the names the case's own process version keeps in each language (core/names.py)."""

from inspect_app import workflow_bridge
from inspect_app.core.names import display_name
from inspect_app.models import Case, ProcessDefinition


def task_name(case: Case, title: str, bpmn_id: str | None = None) -> str:
    """A task's name in the reader's language; `title` is the name the event stored. Events written before tasks
    carried their element id are matched by that name, in any language the version gives."""
    definition = case.definition
    if bpmn_id is None and definition is not None:
        bpmn_id = next((key for key, entry in (definition.names or {}).items() if title in entry.values()), None)
    return display_name(definition, bpmn_id, default=title) if bpmn_id else title


def process_name(definition: ProcessDefinition | None, process_id: str) -> str:
    """A process's name in the reader's language (its id when the version is gone)."""
    return display_name(definition, default=process_id) if definition is not None else process_id


def element_names(case: Case) -> dict[str, str]:
    """The named BPMN elements (timers, events) of the case's process version, by id, in the reader's language."""
    return workflow_bridge.element_names(case.definition)
