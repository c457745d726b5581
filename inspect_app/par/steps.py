"""Step handlers of the PAR appraisal process (bpmn/par_appraisal.bpmn), and what its timers do; the scores
themselves are entered item by item on the assessment page."""

from typing import Literal

from flask_babel import lazy_gettext as _l

from inspect_app.models import HumanTask, User
from inspect_app.par import services
from inspect_app.tasks.schemas import Confirmed, StepInput, answer
from inspect_app.tasks.steps import ReviewInput, StepHandler, the_decision

APPROVAL_DECISIONS = {"approve": _l("Approve the index"), "return": _l("Return to the lead")}


class SelfAssessmentInput(StepInput):
    confirmed: Confirmed = answer(_l("Our self-assessment is complete"))


def submit_self_assessment(task: HumanTask, actor: User, data: SelfAssessmentInput) -> dict:
    services.submit_self_assessment(task.case.par, actor=actor)
    return {}


class FirstAppraisalInput(StepInput):
    confirmed: Confirmed = answer(_l("Round 1 is appraised"))


def finish_first_appraisal(task: HumanTask, actor: User, data: FirstAppraisalInput) -> dict:
    return services.first_appraisal_done(task.case.par)


class ExplanationInput(StepInput):
    confirmed: Confirmed = answer(_l("We have explained every flagged item"))


def finish_explanations(task: HumanTask, actor: User, data: ExplanationInput) -> dict:
    services.explanations_done(task.case.par)
    return {}


class SecondAppraisalInput(StepInput):
    confirmed: Confirmed = answer(_l("Every item has its final score"))


class ConsolidationInput(StepInput):
    note: str | None = answer(_l("Note for the council"), None, multiline=True, max_length=4000)


def check_final_scores(task: HumanTask, actor: User, data: StepInput) -> dict:
    services.second_appraisal_done(task.case.par)
    return {}


class ApprovalInput(ReviewInput):
    """The council approves the unit's index, or returns it to the appraisal lead (a review, in its own words)."""

    decision: Literal["approve", "return"] = answer(_l("Decision"), choices=APPROVAL_DECISIONS)


def decide_approval(task: HumanTask, actor: User, data: ApprovalInput) -> dict:
    if data.decision == "approve":
        services.approve(task.case.par, actor=actor)
    return the_decision(task, actor, data)


STEPS = {
    "par_self_assessment": StepHandler(SelfAssessmentInput, submit_self_assessment),
    "par_first_appraisal": StepHandler(FirstAppraisalInput, finish_first_appraisal),
    "par_explanation": StepHandler(ExplanationInput, finish_explanations),
    "par_second_appraisal": StepHandler(SecondAppraisalInput, check_final_scores),
    "par_consolidation": StepHandler(ConsolidationInput, check_final_scores),
    "par_approval": StepHandler(ApprovalInput, decide_approval),
}

TIMER_HANDLERS = {"self_assessment_late": services.lock_late_self_assessment}
