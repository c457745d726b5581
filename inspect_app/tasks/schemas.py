"""Tasks as the API shows them, and the answers each task form takes (described from the form, for OpenAPI)."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_serializer
from wtforms import BooleanField, DateField, DateTimeLocalField, DecimalField, IntegerField, SelectField
from wtforms.validators import DataRequired, InputRequired

from inspect_app.core.schemas import Schema
from inspect_app.evidence.schemas import UtcTime
from inspect_app.models import HumanTask, User
from inspect_app.tasks.forms import FIELD_TYPES, FORMS, TaskForm, build_form

MAX_PER_PAGE = 100


class Choice(BaseModel):
    value: str
    label: str


class FormField(BaseModel):
    """One field of a task's form."""

    name: str
    type: Literal[tuple(sorted(set(FIELD_TYPES.values())))]
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
            title=task.title,
            lane=task.lane,
            due_at=task.due_at,
            claimed_by=task.claimed_by.username if task.claimed_by else None,
            can_complete=task.can_complete(user),
            form=task.form,
            fields=form_fields(task),
        )


def form_fields(task: HumanTask) -> list[FormField]:
    """The fields of the task's form: name, type, label, required and (for choices) choices."""
    return [FormField(**field) for field in build_form(task.form, None, task).describe()] if task.form in FORMS else []


class TaskListQuery(BaseModel):
    """Which page of my tasks."""

    page: int = Field(1, ge=1)
    per_page: int | None = Field(None, ge=1, description=f"Capped at {MAX_PER_PAGE}")


class TaskPage(BaseModel):
    """One page of tasks, with the total."""

    tasks: list[Task]
    page: int = Field(ge=1)
    per_page: int = Field(ge=1, le=MAX_PER_PAGE)
    total: int = Field(ge=0)
    pages: int = Field(ge=0)


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
    def of(cls, task: HumanTask, user: User) -> "CompleteResult":
        """What `user` is told after completing `task`."""
        return cls(
            task=CompletedTask(
                id=task.id,
                state=task.state.value,
                completed_at=task.completed_at,
                completed_by=task.completed_by.username,
            ),
            case=CaseSummary.of(task.case),
            next_tasks=[Task.of(other, user) for other in task.case.open_tasks],
        )


class ClaimInput(Schema):
    """Claiming a task takes no fields: send an empty object (or nothing)."""


class ClaimResult(BaseModel):
    """The task, now the caller's."""

    task: Task


# --- the answers of each task form, described from the form (the form itself validates them) ----------------------

_PYTHON_TYPES = {BooleanField: bool, DateField: date, DateTimeLocalField: datetime, IntegerField: int}


def _text(value) -> str:
    """The source text of a label (a lazy translation's message id), so that the document reads the same to all."""
    args = getattr(value, "_args", None)
    return str(args[0] if args else value)


def _answer_field(unbound) -> tuple[type, object]:
    kwargs = unbound.kwargs
    label = _text(kwargs.get("label", unbound.args[0] if unbound.args else ""))
    field_class = unbound.field_class
    if issubclass(field_class, SelectField) and kwargs.get("choices"):
        kind = Literal[tuple(str(choice.value) for choice in kwargs["choices"])]
    elif issubclass(field_class, DecimalField):
        kind = float
    else:
        kind = next((python for wt, python in _PYTHON_TYPES.items() if issubclass(field_class, wt)), str)
    required = any(isinstance(v, DataRequired | InputRequired) for v in kwargs.get("validators", ()))
    return (kind if required else kind | None), Field(... if required else None, description=label)


def answers_model(form_class: type[TaskForm]) -> type[BaseModel]:
    """The answers `form_class` takes, as a model for the OpenAPI document (its fields, labels and choices)."""
    unbound = [
        (name, value)
        for name in dir(form_class)
        if not name.startswith("_") and hasattr(value := getattr(form_class, name), "_formfield")
    ]
    fields = {name: _answer_field(value) for name, value in sorted(unbound, key=lambda pair: pair[1].creation_counter)}
    dynamic = not fields and form_class.for_task.__func__ is not TaskForm.for_task.__func__
    name = "".join(part.title() for part in form_class.form_name.split("_")) + "Answers"
    return create_model(
        name,
        __config__=ConfigDict(extra="allow" if dynamic else "forbid", title=name),
        __doc__=f"The answers of the form {form_class.form_name!r}. {form_class.__doc__ or ''}".strip(),
        **fields,
    )


def answer_models() -> list[type[BaseModel]]:
    """One answers model per registered task form, by form name."""
    return [answers_model(FORMS[name]) for name in sorted(FORMS)]


from inspect_app.cases.schemas import CaseSummary  # noqa: E402  (a case lists its tasks; a task's answer, its case)

CompleteResult.model_rebuild()
