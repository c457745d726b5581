"""Task forms of the PAR appraisal process; the scores themselves are entered item by item on the assessment page."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from inspect_app.par import services
from inspect_app.tasks.forms import RequiredIf, TaskForm, task_form


@task_form("par_self_assessment")
class SelfAssessmentForm(TaskForm):
    confirmed = BooleanField(_l("Our self-assessment is complete"), validators=[DataRequired()])

    def apply(self, task, actor) -> dict:
        services.submit_self_assessment(task.case.par, actor=actor)
        return {}


@task_form("par_first_appraisal")
class FirstAppraisalForm(TaskForm):
    confirmed = BooleanField(_l("Round 1 is appraised"), validators=[DataRequired()])

    def apply(self, task, actor) -> dict:
        return services.first_appraisal_done(task.case.par)


@task_form("par_explanation")
class ExplanationForm(TaskForm):
    confirmed = BooleanField(_l("We have explained every flagged item"), validators=[DataRequired()])

    def apply(self, task, actor) -> dict:
        services.explanations_done(task.case.par)
        return {}


@task_form("par_second_appraisal")
class SecondAppraisalForm(TaskForm):
    confirmed = BooleanField(_l("Every item has its final score"), validators=[DataRequired()])

    def apply(self, task, actor) -> dict:
        services.second_appraisal_done(task.case.par)
        return {}


@task_form("par_consolidation")
class ConsolidationForm(TaskForm):
    note = TextAreaField(_l("Note for the council"), validators=[Optional(), Length(max=4000)])

    def apply(self, task, actor) -> dict:
        services.second_appraisal_done(task.case.par)
        return {}


@task_form("par_approval")
class ApprovalForm(TaskForm):
    """The council approves the unit's index, or returns it to the appraisal lead."""

    decision_fields = ("decision",)
    decision = SelectField(
        _l("Decision"),
        choices=[SelectChoice("approve", _l("Approve the index")), SelectChoice("return", _l("Return to the lead"))],
        validators=[InputRequired()],
    )
    comment = TextAreaField(
        _l("Comment"), validators=[RequiredIf("decision", ("return",), _l("Say what must change.")), Length(max=4000)]
    )

    def apply(self, task, actor) -> dict:
        if self.decision.data == "approve":
            services.approve(task.case.par, actor=actor)
        return {}
