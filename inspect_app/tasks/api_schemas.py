"""Tasks as the API shows them: an open task with its step's fields, pages of tasks, what completing and claiming say.

The answers a task takes are its step's input model (tasks/schemas.py); the OpenAPI document lists them."""

from typing import Literal

from pydantic import BaseModel, Field, model_serializer

from inspect_app.core.keyset import MAX_PER_PAGE, CursorQuery
from inspect_app.core.schemas import Schema
from inspect_app.evidence.schemas import UtcTime
from inspect_app.models import HumanTask, User
from inspect_app.tasks import registry
from inspect_app.tasks.schemas import FIELD_TYPES, StepInput
from inspect_app.tasks.steps import step_fields

MAX_PAGE = 1_000_000  # far beyond any inbox; a larger page number would overflow the database's OFFSET


class Choice(BaseModel):
    value: str
    label: str


class FormField(BaseModel):
    """One field of a task's form."""

    name: str
    type: Literal[FIELD_TYPES]
    label: str
    required: bool = Field(
        description="Always required (some fields are required only for some answers to other fields: "
        "the 422 answer names them)"
    )
    choices: list[Choice] | None = Field(None, description="Only for type choice")

    @model_serializer(mode="wrap")
    def _choices_only_for_choice_fields(self, handler):
        data = handler(self)
        if data.get("choices") is None:
            data.pop("choices", None)
        return data


class Task(BaseModel):
    """An open task, with its form's fields."""

    id: int
    case_reference: str = Field(examples=["KT-2026-0001"])
    case_title: str
    bpmn_id: str = Field(description="The BPMN user task's id")
    title: str
    lane: str | None = Field(description="The BPMN lane that names who may do the task")
    due_at: UtcTime | None
    claimed_by: str | None = Field(description="Username of whoever has taken the task")
    can_complete: bool = Field(description="Whether the caller may complete it now")
    form: str | None
    fields: list[FormField]

    @classmethod
    def of(cls, task: HumanTask, user: User) -> "Task":
        """An open task as `user` sees it."""
        return cls(
            id=task.id,
            case_reference=task.case.reference,
            case_title=task.case.title,
            bpmn_id=task.bpmn_id,
            title=task.display_title,
            lane=task.lane,
            due_at=task.due_at,
            claimed_by=task.claimed_by.username if task.claimed_by else None,
            can_complete=task.can_complete(user),
            form=task.form,
            fields=[FormField(**field) for field in step_fields(task)],
        )


class TaskListQuery(CursorQuery):
    """Which page of my tasks: the first, or the one after a cursor (next_cursor of the page before), or by number."""

    page: int | None = Field(
        None,
        ge=1,
        le=MAX_PAGE,
        description="Paging by number (not with cursor): a page past the last is empty. Cursors are faster on long "
        "lists and miss or repeat no task when tasks come and go between pages",
    )


class TaskPage(BaseModel):
    """One page of tasks, with the total."""

    tasks: list[Task]
    page: int | None = Field(ge=1, description="The page's number; null on a page asked for with a cursor")
    per_page: int = Field(ge=1, le=MAX_PER_PAGE)
    total: int = Field(ge=0)
    pages: int = Field(ge=0)
    next_cursor: str | None = Field(
        None, description="Ask for the next page with cursor=this; null on the last page, and when paging by number"
    )


class CompletedTask(BaseModel):
    id: int
    state: Literal["completed"]
    completed_at: UtcTime
    completed_by: str


class CompleteResult(BaseModel):
    """The result of completing a task: the task, its case, and the case's open tasks now."""

    task: CompletedTask
    case: "CaseSummary"
    next_tasks: list[Task] = Field(description="The case's open tasks now")

    @classmethod
    def of(cls, task: HumanTask, user: User, open_tasks: list[HumanTask] | None = None) -> "CompleteResult":
        """What `user` is told after completing `task`; `open_tasks`, the case's open tasks when the caller has them
        (the step's `open`), else they are read."""
        return cls(
            task=CompletedTask(
                id=task.id,
                state=task.state.value,
                completed_at=task.completed_at,
                completed_by=task.completed_by.username,
            ),
            case=CaseSummary.of(task.case),
            next_tasks=[Task.of(other, user) for other in (task.case.open_tasks if open_tasks is None else open_tasks)],
        )


class ClaimInput(Schema):
    """Claiming a task takes no fields: send an empty JSON object (a body that is not JSON is refused)."""


class ClaimResult(BaseModel):
    """The task, now the caller's."""

    task: Task


def step_inputs() -> list[type[StepInput]]:
    """The input model of every registered step, by step name: what completing a task may take."""
    steps = registry.current().steps
    return [steps[name].input for name in sorted(steps)]


from inspect_app.cases.schemas import CaseSummary  # noqa: E402  (a case lists its tasks; a task's answer, its case)

CompleteResult.model_rebuild()
