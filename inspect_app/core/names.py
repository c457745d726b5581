"""The one way to show a process's names (the process, its tasks, lanes, gateways, flows and events) in the reader's
language: from the names the case's own process version was deployed with (ProcessDefinition.names, read from its
BPMN file by workflows/names.py), in the reader's language, else Vietnamese, else whatever the file has.

Templates use the filters `task_title` (a task), `task_lane` (a task's lane) and `process_name` (a definition) and
the global `element_name(definition, element_id)`; Python code calls the functions here (the bridge reads the
stored names: only it knows their format)."""

from inspect_app.models import HumanTask
from inspect_app.workflow_bridge import display_name, lane_name

__all__ = ["display_name", "lane_name", "task_lane", "task_title"]


def task_title(task: HumanTask) -> str:
    """A task's name in the reader's language, from its case's own process version (a case keeps its version)."""
    return display_name(task.case.definition, task.bpmn_id, default=task.title)


def task_lane(task: HumanTask) -> str:
    """Who a task is for (its lane), named as its case's process version names it."""
    return lane_name(task.case.definition, task.lane)
