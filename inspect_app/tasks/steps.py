"""Step handlers: what completing a user task takes (a typed input) and does (`apply`), by the task's `form` name.

`apply(task, actor, data)` changes the domain through services (flush only; raise a ServiceError to refuse) and
returns the decisions the process's gateways need, as plain JSON. The steps any process may use are here; each case
type keeps its own in its package (inspections/steps.py, par/steps.py). `create_app` puts them in the registry."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import model_validator

from inspect_app import workflow_bridge
from inspect_app.core.schemas import NOT_BLANK, parse
from inspect_app.models import HumanTask, User
from inspect_app.tasks import registry
from inspect_app.tasks.schemas import StepInput, answer, describe


def no_decisions(task: HumanTask, actor: User, data: StepInput) -> dict:
    """A step that only records its input: nothing for gateways, nothing else changes."""
    return {}


def the_decision(task: HumanTask, actor: User, data: StepInput) -> dict:
    """A step whose gateways route on its `decision` alone."""
    return {"decision": data.decision}


@dataclass(frozen=True)
class StepHandler:
    """A user task's handler: the input it takes and what completing the task does."""

    input: type[StepInput]
    apply: Callable[[HumanTask, User, StepInput], dict] = no_decisions


def step_for(task: HumanTask) -> StepHandler:
    """The handler the task's `form` names (deployment refuses a BPMN file naming an unknown one)."""
    steps = registry.current().steps
    if task.form not in steps:  # a step removed from the code since the file was deployed
        raise workflow_bridge.process_stuck(task.bpmn_id, f"no step is named {task.form!r}")
    return steps[task.form]


def input_model(task: HumanTask) -> type[StepInput]:
    """The model the task's answers are validated into."""
    return step_for(task).input.model_for(task)


def validate_input(task: HumanTask, answers: dict) -> StepInput:
    """The answers as the task's step input; InvalidInput naming each field refused."""
    return parse(input_model(task), answers)


def step_fields(task: HumanTask) -> list[dict]:
    """The task's fields for API clients: name, type, label, required and choices, from its input model."""
    return describe(input_model(task)) if task.form in registry.current().steps else []


# --- steps any process may use ------------------------------------------------------------------------------------


class NoteInput(StepInput):
    """Confirm a step, with an optional note."""

    note: str | None = answer(_l("Note"), None, multiline=True, max_length=4000)


REVIEW_DECISIONS = {"approve": _l("Approve"), "return": _l("Return for changes")}
DEADLINE_DECISIONS = {"extend": _l("Extend the deadline"), "escalate": _l("Escalate")}


class ReviewInput(StepInput):
    """Approve, or return with a comment saying what to change."""

    decision: Literal["approve", "return"] = answer(_l("Decision"), choices=REVIEW_DECISIONS)
    comment: str | None = answer(_l("Comment"), None, multiline=True, max_length=4000)

    @model_validator(mode="after")
    def _comment_when_returned(self):
        if self.decision == "return":
            self.require("comment", message=_("Say what must change."))
        return self


class ExtendOrEscalateInput(StepInput):
    """After a missed deadline: give more days, or hand the matter to the director."""

    decision: Literal["extend", "escalate"] = answer(_l("Decision"), choices=DEADLINE_DECISIONS)
    extra_days: int | None = answer(_l("Extra days"), None, ge=1, le=365)
    reason: str = answer(_l("Reason"), multiline=True, min_length=1, max_length=4000, pattern=NOT_BLANK)

    @model_validator(mode="after")
    def _days_when_extended(self):
        if self.decision == "extend":
            self.require("extra_days")
        return self


def decision_and_days(task: HumanTask, actor: User, data: ExtendOrEscalateInput) -> dict:
    """Gateways route on the decision and may use the extra days."""
    return {"decision": data.decision, "extra_days": data.extra_days}


STEPS = {
    "note": StepHandler(NoteInput),
    "review": StepHandler(ReviewInput, the_decision),
    "extend_or_escalate": StepHandler(ExtendOrEscalateInput, decision_and_days),
}
