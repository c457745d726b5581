"""A completed task's submission as people read it: each answer under its field's label, a choice by its label, a
box as yes or no, dates in the reader's language, never the stored keys (`verdict_5`, `confirmed`, `True`)."""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_decimal
from flask_babel import gettext as _

from inspect_app.core.formats import calendar_date, local_time
from inspect_app.models import HumanTask
from inspect_app.tasks import registry
from inspect_app.tasks.schemas import describe


@dataclass(frozen=True)
class SubmittedAnswer:
    label: str
    value: str


def submitted_answers(task: HumanTask) -> list[SubmittedAnswer]:
    """The task's submission, labelled by its step's input model, in the model's order; empty answers left out."""
    submission = task.submission or {}
    if not submission:
        return []
    handler = registry.current().steps.get(task.form or "")
    fields = describe(handler.input.model_for_submission(task, submission)) if handler else []
    # A name the model no longer has (a step changed since the task was done) still shows, under its own name.
    known = {field["name"] for field in fields}
    fields += [{"name": name, "label": name, "type": "string"} for name in submission if name not in known]
    return [
        SubmittedAnswer(str(field["label"]), shown(submission[field["name"]], field))
        for field in fields
        if submission.get(field["name"]) not in (None, "")
    ]


def shown(value, field: dict) -> str:
    """One stored answer as the reader reads it, by its field's description (tasks.schemas.describe)."""
    choices = {choice["value"]: choice["label"] for choice in field.get("choices", ())}
    if isinstance(value, str) and value in choices:
        return str(choices[value])
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | float):
        return format_decimal(value)
    if field["type"] == "date":
        return calendar_date(date.fromisoformat(value))
    if field["type"] == "datetime":
        return local_time(datetime.fromisoformat(value))
    return str(value)
