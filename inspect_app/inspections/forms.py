"""Forms of the inspection process: the decision, each task's form, and the finding and report forms."""

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    Field,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from inspect_app.access.roles import JOINS_TEAMS, LEADS_TEAMS, active_users_with
from inspect_app.core.exceptions import InvalidInput
from inspect_app.core.extensions import db
from inspect_app.core.labels import CONTENT_AREA_LABELS, SEVERITY_LABELS
from inspect_app.inspections import answers as team_answers
from inspect_app.inspections.schemas import LONG_TEXT_MAX_LENGTH
from inspect_app.inspections.steps import (
    CONCLUSION_DECISIONS,
    ESCALATION_DECISIONS,
    VERDICTS,
    reported_findings,
    unchosen_message,
)
from inspect_app.models import ChecklistTemplate, ContentArea, OrgUnit, Severity
from inspect_app.tasks.forms import DecisionField, ExtendOrEscalateForm, TaskForm, select_choices
from inspect_app.tasks.steps import validate_input


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _id_or_none(value) -> int | None:
    """A chosen row's id; the empty choice is None (so DataRequired names the field)."""
    return int(value) if value not in ("", None) else None


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value.value, label) for value, label in labels.items()]


class InspectionDecisionForm(FlaskForm):
    """The inspection decision (quyết định kiểm tra) that opens a case."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    decision_number = StringField(_l("Decision number"), validators=[DataRequired(), Length(max=64)])
    decision_date = DateField(_l("Decision date"), validators=[DataRequired()])
    # No unit is chosen for the director: a first unit picked by default would be one tap from the wrong decision.
    unit = SelectField(
        _l("Inspected unit"),
        coerce=_id_or_none,
        validators=[DataRequired()],
        render_kw={
            "data-searchable": True,
            "data-matches": _l("%(count)s units match", count="{count}"),
            "data-no-match": _l("No unit matches what you typed."),
        },
    )
    scope = MultiCheckboxField(_l("Scope"), choices=_choices(CONTENT_AREA_LABELS), validators=[DataRequired()])
    planned_start = DateField(_l("Planned start"), validators=[DataRequired()])
    planned_end = DateField(_l("Planned end"), validators=[DataRequired()])
    is_announced = BooleanField(_l("Announced to the unit beforehand"), default=True)
    lead = SelectField(_l("Team lead"), coerce=int, validators=[DataRequired()])
    members = SelectMultipleField(_l("Team members"), coerce=int, validators=[Optional()])
    template = SelectField(_l("Checklist"), coerce=int, validators=[DataRequired()])

    def fill_choices(self) -> None:
        """Units, people and checklists to choose from."""
        units = db.session.scalars(select(OrgUnit).order_by(OrgUnit.level, OrgUnit.name))
        self.unit.choices = [SelectChoice("", _l("Choose the unit or type part of its name"))]
        self.unit.choices += [SelectChoice(u.id, u.name) for u in units]
        leads = active_users_with(*LEADS_TEAMS)
        self.lead.choices = [SelectChoice(u.id, u.full_name) for u in leads]
        self.members.choices = [SelectChoice(u.id, u.full_name) for u in active_users_with(*JOINS_TEAMS)]
        templates = db.session.scalars(select(ChecklistTemplate).where(ChecklistTemplate.is_active.is_(True)))
        self.template.choices = [SelectChoice(t.id, t.name) for t in templates]

    def validate_planned_end(self, field):
        if self.planned_start.data and field.data and field.data < self.planned_start.data:
            raise ValidationError(_l("The end cannot come before the start."))


class FindingForm(FlaskForm):
    """A finding, raised on site or by the lead."""

    title = StringField(_l("Finding"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("What was seen"), validators=[Optional(), Length(max=LONG_TEXT_MAX_LENGTH)])
    severity = SelectField(_l("Severity"), choices=_choices(SEVERITY_LABELS), validators=[InputRequired()])
    area = SelectField(_l("Content area"), choices=_choices(CONTENT_AREA_LABELS), validators=[InputRequired()])
    item = SelectField(_l("Checklist item"), coerce=lambda v: int(v) if v else None, validators=[Optional()])
    remediation_required = TextAreaField(
        _l("Remediation required"),
        validators=[Optional(), Length(max=LONG_TEXT_MAX_LENGTH)],
        description=_l("Leave empty when the unit needs to do nothing (an observation)."),
    )

    def finding_values(self) -> dict:
        """The validated answers as `services.raise_finding` takes them."""
        return {
            "title": self.title.data,
            "description": self.description.data or "",
            "severity": Severity(self.severity.data),
            "area": ContentArea(self.area.data),
            "remediation_required": self.remediation_required.data or "",
        }


class FindingConsolidationForm(FindingForm):
    """The lead's version of a finding, with the unit's owner and a deadline."""

    owner = StringField(_l("Responsible at the unit"), validators=[Optional(), Length(max=200)])
    deadline = DateField(_l("Deadline"), validators=[Optional()])


class DropFindingForm(FlaskForm):
    reason = TextAreaField(_l("Why is it dropped?"), validators=[DataRequired(), Length(max=2000)])


class MergeFindingForm(FlaskForm):
    into = SelectField(_l("Merge into"), coerce=int, validators=[DataRequired()])


class RemediationReportForm(FlaskForm):
    text = TextAreaField(_l("What was done"), validators=[DataRequired(), Length(max=8000)])


# --- task forms (the steps are in steps.py) -----------------------------------------------------------------------


class AssignmentWidget:
    """A member per content area, and under each area its items, each "with the area" or given to another member."""

    def __call__(self, field: "AssignmentField", **kwargs) -> Markup:
        return Markup(render_template("inspections/_assignment_field.html", field=field))


class AssignmentField(Field):
    """Who answers which checklist items. It posts `area_<area>` (a username) per content area and `item_<id>`
    (empty: with its area) per item; its data is the plan's `area_<area>` answers and `items` (code -> username)."""

    widget = AssignmentWidget()

    def __init__(self, label=None, validators=None, *, areas: dict, members: list, proposal: dict, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.areas, self.members, self.proposal = areas, members, proposal

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        self.by_area = {area: self.proposal[area] for area in self.areas}
        self.by_item = {}
        for area, items in self.areas.items():
            if formdata is not None and formdata.get(f"area_{area.value}"):
                self.by_area[area] = formdata.get(f"area_{area.value}")
            for item in items:
                chosen = formdata.get(f"item_{item.id}") if formdata is not None else None
                if chosen and chosen != self.by_area[area]:
                    self.by_item[item.id] = chosen
        codes = {item.id: item.code for items in self.areas.values() for item in items}
        self.data = {f"area_{area.value}": username for area, username in self.by_area.items()}
        self.data["items"] = {codes[item_id]: username for item_id, username in self.by_item.items()}

    def pre_validate(self, form):
        team = {username for username, _name in self.members}
        if not {*self.by_area.values(), *self.by_item.values()} <= team:
            raise ValidationError(_l("Choose members of the team."))


class InspectionPlanForm(TaskForm):
    schedule_note = TextAreaField(_l("Schedule"), validators=[DataRequired(), Length(max=4000)])

    @classmethod
    def for_task(cls, task, formdata):
        """The plan's form, with the case's checklist to assign (the proposal chosen until the lead changes it)."""
        case = task.case
        areas = team_answers.items_by_area(case)

        class Form(cls):
            assignment = AssignmentField(
                _l("Who answers which checklist items"),
                areas=areas,
                members=[(person.username, person.full_name) for person in team_answers.team_in_order(case)],
                proposal={area: person.username for area, person in team_answers.propose_assignment(case).items()},
                # The label names the first area's choice, which it stands above.
                id=f"area_{next(iter(areas)).value}" if areas else "assignment",
            )

        form = Form(formdata=formdata, meta={"csrf": False})
        form.task = task
        return form

    def answers(self) -> dict:
        """The schedule, and the assignment as the plan's fields (`area_<area>` and `items`)."""
        given = super().answers()
        assignment = given.pop("assignment")
        return {**given, **assignment}


class OnsiteInspectionForm(TaskForm):
    confirmed = BooleanField(_l("My checklist and findings are complete"), validators=[DataRequired()])


class MinutesForm(TaskForm):
    unit_comments = TextAreaField(_l("The unit's comments"), validators=[Optional(), Length(max=8000)])
    unit_head_name = StringField(_l("Unit head who signed"), validators=[DataRequired(), Length(max=200)])
    acknowledged_at = DateTimeLocalField(_l("Signed at"), validators=[DataRequired()], format="%Y-%m-%dT%H:%M")


class ConclusionForm(TaskForm):
    decision = DecisionField(_l("Decision"), CONCLUSION_DECISIONS)
    summary = TextAreaField(_l("Conclusion"), validators=[Optional(), Length(max=8000)])
    comment = TextAreaField(_l("Comment for the lead"), validators=[Optional(), Length(max=4000)])


class RemediationForm(TaskForm):
    confirmed = BooleanField(_l("We have reported on every finding"), validators=[DataRequired()])


class VerdictField(RadioField):
    """A verdict with nothing chosen beforehand: an empty one is left to InputRequired, which names it."""

    def pre_validate(self, form):
        if self.data:
            super().pre_validate(form)


class VerificationForm(TaskForm):
    """One verdict, reason and new deadline per reported finding. No verdict is chosen beforehand: the lead decides
    on each finding after seeing the unit's report."""

    @classmethod
    def for_task(cls, task, formdata):
        class Form(cls):
            pass

        for finding in reported_findings(task):
            verdict = VerdictField(
                finding.title,
                choices=select_choices(VERDICTS),
                validators=[InputRequired(message=_l("Choose accept or reject."))],
            )
            setattr(Form, f"verdict_{finding.id}", verdict)
            setattr(
                Form, f"reason_{finding.id}", TextAreaField(_l("Reason"), validators=[Optional(), Length(max=4000)])
            )
            setattr(Form, f"deadline_{finding.id}", DateField(_l("New deadline"), validators=[Optional()]))
        form = Form(formdata=formdata, meta={"csrf": False})
        form.task = task
        return form

    def to_input(self):
        """The verdicts as the step's input; refused, naming each finding left without a verdict."""
        if not self.validate():
            unchosen = [field.label.text for field in self if field.name.startswith("verdict_") and not field.data]
            message = unchosen_message(unchosen) if unchosen else _("Some answers need attention.")
            raise InvalidInput(message, self.errors)
        return validate_input(self.task, self.answers())


class EscalationForm(TaskForm):
    decision = DecisionField(_l("Decision"), ESCALATION_DECISIONS)
    extra_days = IntegerField(_l("Extra days"), validators=[Optional(), NumberRange(min=1, max=365)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=4000)])


class ClosureForm(TaskForm):
    reason = TextAreaField(_l("Closing note"), validators=[Optional(), Length(max=4000)])


TASK_FORMS = {
    "inspection_plan": InspectionPlanForm,
    "onsite_inspection": OnsiteInspectionForm,
    "minutes": MinutesForm,
    "conclusion": ConclusionForm,
    "remediation": RemediationForm,
    "verification": VerificationForm,
    "remediation_follow_up": ExtendOrEscalateForm,
    "escalation": EscalationForm,
    "closure": ClosureForm,
}
