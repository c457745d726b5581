"""Loaders for entry points: each returns the thing a request names, or answers 404 when it does not exist or the
signed-in user may not see it. With `check`, the name of a `can_<verb>` predicate of the thing (as flaskr's
`get_post(id, check_author=True)`), a user who sees it but fails the check gets 403 (a Forbidden refusal).

Administrators' things (checklists, criteria sets, process versions) are seen by whoever the page's
`roles_required` lets in."""

from functools import cache

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from inspect_app.core.exceptions import Forbidden
from inspect_app.core.extensions import db
from inspect_app.models import (
    Case,
    ChecklistItem,
    ChecklistTemplate,
    CriteriaSet,
    EvidenceFile,
    Finding,
    HumanTask,
    ItemScore,
    Notification,
    ParRound,
    ProcessDefinition,
    WorkflowTimer,
)


def _checked(thing, check: str | None):
    if check is not None and not getattr(thing, check)(current_user):
        raise Forbidden(_("You may not do this."))
    return thing


def _case_id(reference: str) -> int:
    return db.session.scalar(select(Case.id).where(Case.reference == reference)) or 0


def _visible_case(case: Case | None) -> Case:
    if case is None or not case.can_view(current_user):
        abort(404)
    return case


# --- cases and what belongs to them -----------------------------------------------------------------------------------


def case_or_404(case_id: int, check: str | None = None) -> Case:
    """A case the user may see (`check`: a predicate of the case)."""
    return _checked(_visible_case(db.session.get(Case, case_id)), check)


def case_by_reference_or_404(reference: str, check: str | None = None) -> Case:
    """Like `case_or_404`, by the case's reference (e.g. KT-2022-0001)."""
    return case_or_404(_case_id(reference), check)


def inspection_case_or_404(case_id: int, check: str | None = None) -> Case:
    """A visible case that is an inspection (`check`: a predicate of its Inspection)."""
    case = _visible_case(db.session.get(Case, case_id))
    if case.inspection is None:
        abort(404)
    _checked(case.inspection, check)
    return case


def inspection_by_reference_or_404(reference: str, check: str | None = None) -> Case:
    """Like `inspection_case_or_404`, by the case's reference."""
    return inspection_case_or_404(_case_id(reference), check)


def assessment_case_or_404(case_id: int, check: str | None = None) -> Case:
    """A visible case that is a PAR appraisal (`check`: a predicate of its ParAssessment)."""
    case = _visible_case(db.session.get(Case, case_id))
    if case.par is None:
        abort(404)
    _checked(case.par, check)
    return case


def assessment_by_reference_or_404(reference: str, check: str | None = None) -> Case:
    """Like `assessment_case_or_404`, by the case's reference."""
    return assessment_case_or_404(_case_id(reference), check)


@cache
def _task_query():
    # With its case, the team that decides who sees and does it, and the process version that names it. Built once:
    # SQLAlchemy keeps a statement's cache key on the statement, so each request only binds the id.
    of_case = joinedload(HumanTask.case)
    query = select(HumanTask).where(HumanTask.id == bindparam("task_id"))
    return query.options(
        of_case.joinedload(Case.team), of_case.joinedload(Case.definition), of_case.defer(Case.workflow_state)
    )


def task_or_404(task_id: int, check: str | None = None) -> HumanTask:
    """A task of a case the user may see (`check`: a predicate of the task)."""
    task = db.session.scalars(_task_query(), {"task_id": task_id}).unique().one_or_none()
    if task is None or not task.can_view(current_user):
        abort(404)
    return _checked(task, check)


def finding_or_404(finding_id: int, check: str | None = None) -> Finding:
    """A finding of a case the user may see (`check`: a predicate of the finding)."""
    finding = db.session.get(Finding, finding_id) or abort(404)
    _visible_case(finding.case)
    return _checked(finding, check)


def score_or_404(score_id: int, check: str | None = None) -> ItemScore:
    """A PAR item score of a case the user may see (`check`: a predicate of the score)."""
    score = db.session.get(ItemScore, score_id) or abort(404)
    _visible_case(score.assessment.case)
    return _checked(score, check)


def evidence_file_or_404(file_id: int) -> EvidenceFile:
    """A stored file of a case the user may see."""
    evidence = db.session.get(EvidenceFile, file_id) or abort(404)
    _visible_case(evidence.case)
    return evidence


# --- rounds and notifications -------------------------------------------------------------------------------------


def round_or_404(round_id: int, check: str | None = None) -> ParRound:
    """A PAR round the user may see (`check`: a predicate of the round)."""
    par_round = db.session.get(ParRound, round_id)
    if par_round is None or not par_round.can_view(current_user):
        abort(404)
    return _checked(par_round, check)


def notification_or_404(notification_id: int) -> Notification:
    """One of the user's own notifications."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or not notification.can_view(current_user):
        abort(404)
    return notification


# --- administrators' things ---------------------------------------------------------------------------------------


def checklist_or_404(template_id: int) -> ChecklistTemplate:
    """A checklist template."""
    return db.session.get(ChecklistTemplate, template_id) or abort(404)


def checklist_item_or_404(template: ChecklistTemplate, item_id: int) -> ChecklistItem:
    """An item of `template` (an item of another template is a 404 here)."""
    item = db.session.get(ChecklistItem, item_id)
    if item is None or item.template_id != template.id:
        abort(404)
    return item


def criteria_set_or_404(set_id: int) -> CriteriaSet:
    """A PAR criteria set."""
    return db.session.get(CriteriaSet, set_id) or abort(404)


def process_definition_or_404(definition_id: int) -> ProcessDefinition:
    """A deployed version of a process."""
    return db.session.get(ProcessDefinition, definition_id) or abort(404)


def timer_or_404(timer_id: int) -> WorkflowTimer:
    """A case's workflow timer (its process page is for admins, whose role the view checks)."""
    return db.session.get(WorkflowTimer, timer_id) or abort(404)
