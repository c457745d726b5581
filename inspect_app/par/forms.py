"""Forms of the PAR appraisal: one item's score on the assessment page, and the process's task forms (the steps
are in steps.py)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from inspect_app.core.numbers import DecimalText
from inspect_app.par.steps import APPROVAL_DECISIONS
from inspect_app.tasks.forms import DecisionField, TaskForm

NOTE_MAX = 4000
EXPLANATION_MAX = 8000


class ScoreForm(FlaskForm):
    """One item's score at one stage, as the assessment page sends it; a stage leaves the fields it has no use for
    empty. The range (0 to the item's maximum) is the service's to check, for every door alike. The page also sends
    the score's version it showed, read apart (views.py), so that a save made meanwhile is not overwritten."""

    points = DecimalText(_l("Score"), validators=[Optional()])
    note = TextAreaField(_l("How you scored (needed without evidence)"), validators=[Length(max=NOTE_MAX)])
    comment = TextAreaField(_l("Comment"), validators=[Length(max=NOTE_MAX)])
    explanation = TextAreaField(_l("Your explanation"), validators=[Length(max=EXPLANATION_MAX)])
    needs_explanation = BooleanField(_l("Ask the unit to explain"))


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
    decision = DecisionField(_l("Decision"), APPROVAL_DECISIONS)
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=4000)])


FORMS = {
    "par_self_assessment": SelfAssessmentForm,
    "par_first_appraisal": FirstAppraisalForm,
    "par_explanation": ExplanationForm,
    "par_second_appraisal": SecondAppraisalForm,
    "par_consolidation": ConsolidationForm,
    "par_approval": ApprovalForm,
}
