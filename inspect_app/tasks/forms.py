"""Task forms: WTForms classes named by the `form` property of BPMN user tasks, kept in one registry."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

FORMS: dict[str, type["TaskForm"]] = {}

FIELD_TYPES = {
    "StringField": "string",
    "TextAreaField": "text",
    "SelectField": "choice",
    "BooleanField": "boolean",
    "DateField": "date",
    "IntegerField": "integer",
    "DecimalField": "number",
}


def task_form(name: str):
    """Register a TaskForm class under the name BPMN files use."""

    def register(cls: type["TaskForm"]) -> type["TaskForm"]:
        cls.form_name = name
        FORMS[name] = cls
        return cls

    return register


class TaskForm(FlaskForm):
    """A user task's form. Only `decision_fields` go into the workflow; the whole submission stays in tables."""

    form_name = ""
    decision_fields: tuple[str, ...] = ()

    @classmethod
    def for_task(cls, task, formdata: MultiDict | None) -> "TaskForm":
        """The form for one task; forms whose fields depend on the case (one per finding ...) override this."""
        return cls(formdata=formdata, meta={"csrf": False})

    def apply(self, task, actor) -> dict:
        """Write what the form changes in the domain tables (flush only) and return extra decisions for gateways.

        Raise InvalidInput to refuse; the caller rolls everything back."""
        return {}

    def decisions(self) -> dict:
        """The values gateways need, as plain JSON."""
        return {name: _plain(self[name].data) for name in self.decision_fields}

    def submission(self) -> dict:
        """Everything the user entered, as plain JSON."""
        return {field.name: _plain(field.data) for field in self if field.name != "csrf_token"}

    def describe(self) -> list[dict]:
        """The form's fields for API clients: name, type, label, required and choices."""
        fields = []
        for field in self:
            if field.name == "csrf_token":
                continue
            entry = {
                "name": field.name,
                "type": FIELD_TYPES.get(field.type, "string"),
                "label": str(field.label.text),
                "required": any(isinstance(v, DataRequired | InputRequired) for v in field.validators),
            }
            if field.type == "SelectField":
                entry["choices"] = [{"value": c.value, "label": str(c.label)} for c in field.choices]
            fields.append(entry)
        return fields


def build_form(name: str, formdata: MultiDict | None, task=None) -> TaskForm:
    """The registered form for `task`, bound to `formdata` (CSRF is checked before this, by the request)."""
    return FORMS[name].for_task(task, formdata)


def json_to_formdata(data: dict) -> MultiDict:
    """JSON from the API as the form data a browser would send (lists become repeated fields)."""
    pairs = []
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, bool):
                item = "y" if item else "false"
            pairs.append((key, "" if item is None else str(item)))
    return MultiDict(pairs)


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


class RequiredIf:
    """Require the field when another field has one of the given values."""

    def __init__(self, other: str, values: tuple[str, ...], message=None):
        self.other, self.values, self.message = other, values, message

    def __call__(self, form, field):
        if form[self.other].data in self.values:
            DataRequired(self.message)(form, field)
        else:
            Optional()(form, field)


@task_form("note")
class NoteForm(TaskForm):
    """Confirm a step, with an optional note."""

    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)])


@task_form("review")
class ReviewForm(TaskForm):
    """Approve, or return with a comment saying what to change."""

    decision_fields = ("decision",)
    decision = SelectField(
        _l("Decision"),
        choices=[SelectChoice("approve", _l("Approve")), SelectChoice("return", _l("Return for changes"))],
        validators=[InputRequired()],
    )
    comment = TextAreaField(
        _l("Comment"),
        validators=[RequiredIf("decision", ("return",), _l("Say what must change.")), Length(max=4000)],
    )


@task_form("extend_or_escalate")
class ExtendOrEscalateForm(TaskForm):
    """After a missed deadline: give more days, or hand the matter to the director."""

    decision_fields = ("decision", "extra_days")
    decision = SelectField(
        _l("Decision"),
        choices=[SelectChoice("extend", _l("Extend the deadline")), SelectChoice("escalate", _l("Escalate"))],
        validators=[InputRequired()],
    )
    extra_days = IntegerField(
        _l("Extra days"), validators=[RequiredIf("decision", ("extend",)), NumberRange(min=1, max=365)]
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=4000)])
