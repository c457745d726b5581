"""Forms of the inspection process: the decision, each task's form, and the finding and report forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from inspect_app.access.roles import JOINS_TEAMS, LEADS_TEAMS, active_users_with
from inspect_app.core.clock import from_local_input
from inspect_app.core.extensions import db
from inspect_app.core.labels import CONTENT_AREA_LABELS, SEVERITY_LABELS
from inspect_app.inspections import services
from inspect_app.models import ChecklistTemplate, ContentArea, FindingState, OrgUnit, Severity, Verdict
from inspect_app.tasks.forms import ExtendOrEscalateForm, RequiredIf, TaskForm, task_form


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value.value, label) for value, label in labels.items()]


class InspectionDecisionForm(FlaskForm):
    """The inspection decision (quyết định kiểm tra) that opens a case."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    decision_number = StringField(_l("Decision number"), validators=[DataRequired(), Length(max=64)])
    decision_date = DateField(_l("Decision date"), validators=[DataRequired()])
    unit = SelectField(_l("Inspected unit"), coerce=int, validators=[DataRequired()])
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
        self.unit.choices = [SelectChoice(u.id, u.name) for u in units]
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
    description = TextAreaField(_l("What was seen"), validators=[Optional(), Length(max=4000)])
    severity = SelectField(_l("Severity"), choices=_choices(SEVERITY_LABELS), validators=[InputRequired()])
    area = SelectField(_l("Content area"), choices=_choices(CONTENT_AREA_LABELS), validators=[InputRequired()])
    item = SelectField(_l("Checklist item"), coerce=lambda v: int(v) if v else None, validators=[Optional()])
    remediation_required = TextAreaField(
        _l("Remediation required"),
        validators=[Optional(), Length(max=4000)],
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


# --- task forms ---------------------------------------------------------------------------------------------------


@task_form("inspection_plan")
class InspectionPlanForm(TaskForm):
    """The lead's plan: the schedule; announcing notifies the unit."""

    schedule_note = TextAreaField(_l("Schedule"), validators=[DataRequired(), Length(max=4000)])

    def apply(self, task, actor) -> dict:
        services.record_plan(task.case, actor=actor, schedule_note=self.schedule_note.data)
        return {}


@task_form("onsite_inspection")
class OnsiteInspectionForm(TaskForm):
    """Finishing one inspector's visit: every checklist item must be answered."""

    confirmed = BooleanField(_l("My checklist and findings are complete"), validators=[DataRequired()])

    def apply(self, task, actor) -> dict:
        services.check_checklist_done(task.case, actor)
        return {}


@task_form("minutes")
class MinutesForm(TaskForm):
    """The minutes (biên bản): the unit's comments and the unit head's acknowledgement."""

    unit_comments = TextAreaField(_l("The unit's comments"), validators=[Optional(), Length(max=8000)])
    unit_head_name = StringField(_l("Unit head who signed"), validators=[DataRequired(), Length(max=200)])
    acknowledged_at = DateTimeLocalField(_l("Signed at"), validators=[DataRequired()], format="%Y-%m-%dT%H:%M")

    def apply(self, task, actor) -> dict:
        services.write_minutes(
            task.case,
            actor=actor,
            unit_comments=self.unit_comments.data or "",
            unit_head_name=self.unit_head_name.data,
            acknowledged_at=from_local_input(self.acknowledged_at.data),
        )
        return {}


@task_form("conclusion")
class ConclusionForm(TaskForm):
    """The director approves the conclusion notice, or returns the minutes to the lead."""

    decision_fields = ("decision",)
    decision = SelectField(
        _l("Decision"),
        choices=[
            SelectChoice("approve", _l("Approve and issue the conclusion")),
            SelectChoice("return", _l("Return to the team lead")),
        ],
        validators=[InputRequired()],
    )
    summary = TextAreaField(_l("Conclusion"), validators=[RequiredIf("decision", ("approve",)), Length(max=8000)])
    comment = TextAreaField(
        _l("Comment for the lead"),
        validators=[RequiredIf("decision", ("return",), _l("Say what must change.")), Length(max=4000)],
    )

    def apply(self, task, actor) -> dict:
        if self.decision.data != "approve":
            return {}
        return services.issue_conclusion(task.case, actor=actor, summary=self.summary.data)


@task_form("remediation")
class RemediationForm(TaskForm):
    """The unit sends its reports (one per open finding) for verification."""

    confirmed = BooleanField(_l("We have reported on every finding"), validators=[DataRequired()])

    def apply(self, task, actor) -> dict:
        services.check_all_reported(task.case)
        return {}


@task_form("verification")
class VerificationForm(TaskForm):
    """The lead accepts or rejects each reported finding; one verdict, reason and new deadline per finding."""

    @classmethod
    def for_task(cls, task, formdata):
        findings = [] if task is None else [f for f in task.case.findings if f.state == FindingState.REPORTED]

        class Form(cls):
            pass

        for finding in findings:
            setattr(
                Form,
                f"verdict_{finding.id}",
                SelectField(
                    finding.title,
                    choices=[
                        SelectChoice(Verdict.ACCEPTED.value, _l("Accept")),
                        SelectChoice(Verdict.REJECTED.value, _l("Reject")),
                    ],
                    validators=[InputRequired()],
                ),
            )
            setattr(
                Form,
                f"reason_{finding.id}",
                TextAreaField(
                    _l("Reason"),
                    validators=[
                        RequiredIf(
                            f"verdict_{finding.id}", (Verdict.REJECTED.value,), _l("Say why the report is rejected.")
                        ),
                        Length(max=4000),
                    ],
                ),
            )
            setattr(Form, f"deadline_{finding.id}", DateField(_l("New deadline"), validators=[Optional()]))
        form = Form(formdata=formdata, meta={"csrf": False})
        form.finding_ids = [f.id for f in findings]
        return form

    def apply(self, task, actor) -> dict:
        verdicts = {
            fid: (Verdict(self[f"verdict_{fid}"].data), self[f"reason_{fid}"].data or "", self[f"deadline_{fid}"].data)
            for fid in self.finding_ids
        }
        return services.verify_reports(task.case, actor=actor, verdicts=verdicts)


@task_form("remediation_follow_up")
class RemediationFollowUpForm(ExtendOrEscalateForm):
    """After a missed remediation deadline: more days for every open finding, or escalate to the director."""

    def apply(self, task, actor) -> dict:
        if self.decision.data == "extend":
            return services.extend_deadlines(task.case, actor=actor, days=self.extra_days.data, reason=self.reason.data)
        return {}


@task_form("escalation")
class EscalationForm(TaskForm):
    """The director decides on an escalated remediation: more time, or close the case now."""

    decision_fields = ("decision",)
    decision = SelectField(
        _l("Decision"),
        choices=[SelectChoice("extend", _l("Give more time")), SelectChoice("close", _l("Close the case now"))],
        validators=[InputRequired()],
    )
    extra_days = IntegerField(
        _l("Extra days"), validators=[RequiredIf("decision", ("extend",)), NumberRange(min=1, max=365)]
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=4000)])

    def apply(self, task, actor) -> dict:
        if self.decision.data == "extend":
            return services.extend_deadlines(task.case, actor=actor, days=self.extra_days.data, reason=self.reason.data)
        return {}


@task_form("closure")
class ClosureForm(TaskForm):
    """The director closes the case; a reason is needed when findings are left open."""

    reason = TextAreaField(_l("Closing note"), validators=[Optional(), Length(max=4000)])

    def apply(self, task, actor) -> dict:
        services.close_inspection(task.case, actor=actor, reason=self.reason.data or "")
        return {}
