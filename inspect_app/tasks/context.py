"""What a task page shows beside its form: the material its decision needs, with the actions that go with it (the
checklist to answer, the findings to consolidate, the reports to verify ...).

Each case type registers one provider per step it wants to show more for, by the step's `form` name, beside the step
handler (inspections/task_context.py, par/task_context.py); `create_app` puts them in the registry. A provider gets
the task and the reader, who may already see the task's case (tasks.views loads the task with `task_or_404`), and
returns the partial to include and what it shows."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from inspect_app.models import HumanTask, User
from inspect_app.tasks import registry


@dataclass(frozen=True)
class TaskContext:
    """A partial of templates/tasks/ and its data (available to it as `task_context.data`).

    With `holds_fields`, the partial shows the task form's fields itself, each beside the material it decides on
    (a verdict beside each report), so the page includes it inside the form; it may then hold no form of its own."""

    template: str
    data: Mapping = field(default_factory=dict)
    holds_fields: bool = False


ContextProvider = Callable[[HumanTask, User], TaskContext | None]


def context_for(task: HumanTask, reader: User) -> TaskContext | None:
    """What the task's page shows beside its form for `reader` (None: the form alone)."""
    provider = registry.current().contexts.get(task.form or "")
    return provider(task, reader) if provider is not None else None
