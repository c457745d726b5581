"""Task forms: the HTML side of step handlers (see steps.py). A form renders a step's fields and checks what HTML
can say about them (required, lengths, numbers, dates, choices); `to_input()` turns the answers into the step's
input, whose model checks the rest (a comment required only when returning ...)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from inspect_app import workflow_bridge
from inspect_app.core.exceptions import InvalidInput
from inspect_app.models import HumanTask
from inspect_app.tasks import registry
from inspect_app.tasks.schemas import StepInput
from inspect_app.tasks.steps import DEADLINE_DECISIONS, REVIEW_DECISIONS, validate_input


class TaskForm(FlaskForm):
    """A user task's form; its field names are the step input's."""

    task: HumanTask | None = None

    @classmethod
    def for_task(cls, task: HumanTask, formdata: MultiDict | None) -> "TaskForm":
        """The form for one task; forms whose fields depend on the case (one per finding ...) override this."""
        form = cls(formdata=formdata, meta={"csrf": False})
        form.task = task
        return form

    def answers(self) -> dict:
        """The answers as the form read them (CSRF is checked before this, by the request)."""
        return {field.name: field.data for field in self if field.name != "csrf_token"}

    def to_input(self) -> StepInput:
        """The answers as the task's step input; InvalidInput naming each field the form or the input refuses."""
        if not self.validate():
            raise InvalidInput(_("Some answers need attention."), self.errors)
        return validate_input(self.task, self.answers())


def form_for(task: HumanTask, formdata: MultiDict | None) -> TaskForm | None:
    """The registered form of the task's step, bound to `formdata`; None for a task without one."""
    if task.form is None:
        return None
    form_class = registry.current().forms.get(task.form)
    if form_class is None:  # deployment refuses unknown names; a step removed from the code since is one
        raise workflow_bridge.process_stuck(task.bpmn_id, f"no step is named {task.form!r}")
    return form_class.for_task(task, formdata)


def select_choices(labels: dict) -> list[SelectChoice]:
    """A step input's choices (value -> label) as a select field's."""
    return [SelectChoice(value, label) for value, label in labels.items()]


class DecisionField(SelectField):
    """A decision (approve or return, extend or escalate ...) with nothing chosen beforehand: the list opens on an
    empty choice, so that one tap cannot approve unseen work; sent empty, it is refused with a message naming it."""

    def __init__(self, label, decisions: dict, **kwargs):
        super().__init__(
            label,
            choices=[SelectChoice("", _l("Choose a decision")), *select_choices(decisions)],
            validators=[InputRequired(message=_l("Choose a decision."))],
            **kwargs,
        )


class NoteForm(TaskForm):
    """Confirm a step, with an optional note."""

    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)])


class ReviewForm(TaskForm):
    """Approve, or return with a comment saying what to change."""

    decision = DecisionField(_l("Decision"), REVIEW_DECISIONS)
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=4000)])


class ExtendOrEscalateForm(TaskForm):
    """After a missed deadline: give more days, or hand the matter to the director."""

    decision = DecisionField(_l("Decision"), DEADLINE_DECISIONS)
    extra_days = IntegerField(_l("Extra days"), validators=[Optional(), NumberRange(min=1, max=365)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=4000)])


FORMS = {"note": NoteForm, "review": ReviewForm, "extend_or_escalate": ExtendOrEscalateForm}
