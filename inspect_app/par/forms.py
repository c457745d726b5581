"""Task forms of the PAR appraisal process (the steps are in steps.py)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from inspect_app.par.steps import APPROVAL_DECISIONS
from inspect_app.tasks.forms import TaskForm, select_choices


class SelfAssessmentForm(TaskForm):
    confirmed = BooleanField(_l("Our self-assessment is complete"), validators=[DataRequired()])


class FirstAppraisalForm(TaskForm):
    confirmed = BooleanField(_l("Round 1 is appraised"), validators=[DataRequired()])


class ExplanationForm(TaskForm):
    confirmed = BooleanField(_l("We have explained every flagged item"), validators=[DataRequired()])


class SecondAppraisalForm(TaskForm):
    confirmed = BooleanField(_l("Every item has its final score"), validators=[DataRequired()])


class ConsolidationForm(TaskForm):
    note = TextAreaField(_l("Note for the council"), validators=[Optional(), Length(max=4000)])


class ApprovalForm(TaskForm):
    decision = SelectField(_l("Decision"), choices=select_choices(APPROVAL_DECISIONS), validators=[InputRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=4000)])


FORMS = {
    "par_self_assessment": SelfAssessmentForm,
    "par_first_appraisal": FirstAppraisalForm,
    "par_explanation": ExplanationForm,
    "par_second_appraisal": SecondAppraisalForm,
    "par_consolidation": ConsolidationForm,
    "par_approval": ApprovalForm,
}
