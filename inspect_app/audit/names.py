"""The display names of process parts as the history shows them: the one place the history asks for a task's, a
process's or a timer's name, so that it follows wherever process definitions keep their names in each language."""

from inspect_app import workflow_bridge
from inspect_app.core.labels import TASK_TITLES, label
from inspect_app.models import Case, ProcessDefinition


def task_name(case: Case, title: str, bpmn_id: str | None = None) -> str:
    """A task's name in the reader's language; `title` is the name the event stored (the BPMN file's)."""
    return str(label(title, TASK_TITLES))


def process_name(definition: ProcessDefinition | None, process_id: str) -> str:
    """A process's name in the reader's language (its id when the version is gone)."""
    return definition.name if definition is not None else process_id


def element_names(case: Case) -> dict[str, str]:
    """The named BPMN elements (timers, events) of the case's process version, by id."""
    if case.definition is None:
        return {}
    diagram = workflow_bridge.read_definition_diagram(case.definition)
    return {shape.element_id: shape.name for shape in diagram.shapes if shape.name}
