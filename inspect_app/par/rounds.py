"""PAR rounds: the list with each round's progress, opening a round, a round's units step by step, the survey import,
and bonus or penalty points on an assessment. Progress comes from the task projection, never from the workflows."""

from collections import Counter, defaultdict
from decimal import Decimal
from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from inspect_app.access.lanes import candidates_of
from inspect_app.access.loaders import assessment_case_or_404, round_or_404
from inspect_app.access.roles import ROUND_VIEWERS, roles_required
from inspect_app.access.visibility import rounds_visible_to
from inspect_app.core import clock
from inspect_app.core.exceptions import InvalidInput
from inspect_app.core.extensions import db
from inspect_app.core.refusals import on_refusal_redirect, on_refusal_render
from inspect_app.models import (
    Case,
    CaseType,
    Finding,
    FindingState,
    HumanTask,
    OrgLevel,
    ParAssessment,
    ParRound,
    ParStep,
    Role,
    RoundStatus,
    SurveyScore,
    TaskState,
    User,
)
from inspect_app.par import bp, services, survey
from inspect_app.par.round_forms import (
    DATE_FIELDS,
    LEVELS,
    AdjustmentForm,
    RoundCloseForm,
    RoundOpenForm,
    SurveyImportForm,
)

# The steps in the order a case meets them, then the approved cases.
STEPS = (
    (ParStep.SELF_ASSESSMENT, _l("Self-assessment")),
    (ParStep.FIRST_APPRAISAL, _l("Appraisal, round 1")),
    (ParStep.EXPLANATION, _l("Explanation")),
    (ParStep.SECOND_APPRAISAL, _l("Appraisal, round 2")),
    (ParStep.CONSOLIDATION, _l("Consolidation")),
    (ParStep.APPROVAL, _l("Council approval")),
)
APPROVED = "approved"
STEP_LABELS = {**dict(STEPS), APPROVED: _l("Approved")}
# Findings an inspection has settled (drafts, dropped and merged ones are not findings of the unit).
CITABLE_STATES = (
    FindingState.KEPT,
    FindingState.OPEN,
    FindingState.NOTED,
    FindingState.REPORTED,
    FindingState.ACCEPTED,
    FindingState.UNRESOLVED,
)


def progress_by_round(round_ids: list[int]) -> dict[int, Counter]:
    """How many of each round's cases are at each step (from open tasks) and approved (from the assessments)."""
    progress: dict[int, Counter] = defaultdict(Counter)
    open_steps = (
        select(ParAssessment.round_id, HumanTask.bpmn_id, func.count())
        .join(HumanTask, HumanTask.case_id == ParAssessment.case_id)
        .where(ParAssessment.round_id.in_(round_ids), HumanTask.state == TaskState.READY)
        .group_by(ParAssessment.round_id, HumanTask.bpmn_id)
    )
    for round_id, step, count in db.session.execute(open_steps):
        progress[round_id][step] += count
    counts = (
        select(ParAssessment.round_id, func.count(), func.count(ParAssessment.approved_at))
        .where(ParAssessment.round_id.in_(round_ids))
        .group_by(ParAssessment.round_id)
    )
    for round_id, units, approved in db.session.execute(counts):
        progress[round_id]["units"] = units
        progress[round_id][APPROVED] = approved
    return progress


@bp.app_template_global("sees_par_rounds")
def sees_par_rounds(user: User) -> bool:
    """Whether the user works with PAR rounds (the rounds pages and their navigation link)."""
    return user.is_authenticated and user.has_role(*ROUND_VIEWERS)


@bp.app_template_global("may_open_round")
def may_open_round(par_round: ParRound) -> bool:
    """Whether the current user may open the round's page (a link to it is shown only then)."""
    return sees_par_rounds(current_user) and par_round.can_view(current_user)


@bp.app_template_global("citable_findings")
def citable_findings(par: ParAssessment) -> list[Finding]:
    """Findings of inspections of the assessment's unit that bonus or penalty points may cite."""
    query = (
        select(Finding)
        .join(Case, Case.id == Finding.case_id)
        .where(
            Case.case_type == CaseType.INSPECTION,
            Case.subject_unit_id == par.unit_id,
            Finding.state.in_(CITABLE_STATES),
        )
        .options(joinedload(Finding.case))
        .order_by(Finding.id.desc())
    )
    return list(db.session.scalars(query))


# --- pages --------------------------------------------------------------------------------------------------------


@bp.route("/rounds")
@roles_required(*ROUND_VIEWERS)
def rounds():
    """The rounds the user may see, newest first, with how many units are at each step."""
    visible = select(ParRound).where(rounds_visible_to(current_user))
    par_rounds = list(db.session.scalars(visible.order_by(ParRound.year.desc(), ParRound.id.desc())))
    return render_template(
        "par/rounds/index.html",
        rounds=par_rounds,
        progress=progress_by_round([r.id for r in par_rounds]),
        steps=STEPS,
        step_labels=STEP_LABELS,
        approved=APPROVED,
    )


@bp.route("/rounds/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_round():
    """The admin opens a round: criteria sets, units, appraisal team and dates; one case per unit."""
    form = RoundOpenForm()
    form.fill_choices()
    if request.method == "GET":
        form.year.data = clock.now().year
    if form.validate_on_submit():
        people = {
            u.id: u
            for u in db.session.scalars(select(User).where(User.id.in_([form.lead.data, *form.appraisers.data])))
        }
        units = form.chosen_units()
        on_refusal_render(partial(render_template, "par/rounds/new.html", form=form, levels=LEVELS), form)
        par_round = services.open_round(
            actor=current_user,
            year=form.year.data,
            name=form.name.data,
            sets=form.chosen_sets(),
            units=units,
            lead=people[form.lead.data],
            appraisers=[people[i] for i in form.appraisers.data if i in people],
            **{name: form[name].data for name in DATE_FIELDS},
        )
        message = _(
            "%(name)s is open: %(count)d units, each with its self-assessment task.",
            name=par_round.name,
            count=len(units),
        )
        flash(message, "success")
        return redirect(url_for("par.round_detail", round_id=par_round.id))
    status = 400 if form.errors or request.method == "POST" else 200
    return render_template("par/rounds/new.html", form=form, levels=LEVELS), status


def _unit_rows(par_round: ParRound) -> list[dict]:
    """Each unit the user may see: its assessment, the step its case is at, who holds it and the survey total."""
    assessments = db.session.scalars(
        select(ParAssessment)
        .join(Case, Case.id == ParAssessment.case_id)
        .where(ParAssessment.round_id == par_round.id, Case.visible_to(current_user))
        .options(joinedload(ParAssessment.unit), joinedload(ParAssessment.case))
    ).all()
    tasks = defaultdict(list)
    for task in db.session.scalars(
        select(HumanTask)
        .where(HumanTask.case_id.in_([a.case_id for a in assessments]), HumanTask.state == TaskState.READY)
        .options(joinedload(HumanTask.claimed_by))
        .order_by(HumanTask.id)
    ):
        tasks[task.case_id].append(task)
    surveys: dict[int, Decimal] = defaultdict(Decimal)
    for unit_id, score in db.session.execute(
        select(SurveyScore.unit_id, SurveyScore.score).where(SurveyScore.round_id == par_round.id)
    ):
        surveys[unit_id] += score
    candidates = candidates_of([open_tasks[0] for open_tasks in tasks.values()])
    rows = []
    for a in sorted(assessments, key=lambda a: (LEVELS.index(a.unit.level), a.unit.name)):
        open_tasks = tasks[a.case_id]
        step = APPROVED if a.is_approved else (open_tasks[0].bpmn_id if open_tasks else None)
        rows.append(
            {
                "assessment": a,
                "step": step,
                "task": open_tasks[0] if open_tasks else None,
                "due_at": open_tasks[0].due_at if open_tasks else None,
                "due_date": _step_due(par_round, step) if open_tasks else None,
                "holders": _holders(open_tasks[0], candidates) if open_tasks else [],
                "survey": surveys.get(a.unit_id),
            }
        )
    return rows


def _step_due(par_round: ParRound, step: str | None):
    """The round's date for a step whose task has no deadline of its own."""
    return {
        ParStep.SELF_ASSESSMENT: par_round.self_assessment_due,
        ParStep.FIRST_APPRAISAL: par_round.first_appraisal_due,
        ParStep.EXPLANATION: par_round.explanation_due,
        ParStep.SECOND_APPRAISAL: par_round.second_appraisal_due,
        ParStep.CONSOLIDATION: par_round.approval_due,
        ParStep.APPROVAL: par_round.approval_due,
    }.get(step)


def _holders(task: HumanTask, candidates: dict[int, list[User]]) -> list[str]:
    if task.claimed_by is not None:
        return [task.claimed_by.full_name]
    return [u.full_name for u in candidates[task.id]]


def _render_round(par_round: ParRound, survey_form: SurveyImportForm, survey_errors=(), status: int = 200):
    rows = _unit_rows(par_round)
    return render_template(
        "par/rounds/detail.html",
        round=par_round,
        rows=rows,
        counts=Counter(row["step"] for row in rows),
        steps=STEPS,
        step_labels=STEP_LABELS,
        approved=APPROVED,
        levels=levels_of(par_round),
        survey_form=survey_form,
        survey_errors=survey_errors,
        may_import=par_round.can_import_survey(current_user),
        may_close=par_round.can_close(current_user) and par_round.status == RoundStatus.PUBLISHED,
    ), status


@bp.route("/rounds/<int:round_id>")
@roles_required(*ROUND_VIEWERS)
def round_detail(round_id: int):
    """A round's units: the step each is at, who holds it, its deadline and where its self-assessment stands."""
    return _render_round(round_or_404(round_id), SurveyImportForm())


@bp.route("/rounds/<int:round_id>/survey", methods=["POST"])
@roles_required(*ROUND_VIEWERS)
def import_survey(round_id: int):
    """The admin uploads the survey scores; a file with any bad line is refused whole, every bad line named."""
    par_round = round_or_404(round_id, check="can_import_survey")
    form = SurveyImportForm()
    if not form.validate_on_submit():
        return _render_round(par_round, form, status=400)
    on_refusal_render(lambda refusal: _render_round(par_round, form, refusal.errors.get("file", []))[0])
    totals = survey.import_survey(par_round, form.file.data.read(), actor=current_user)
    flash(
        _("Survey scores imported for %(count)d units; their earlier survey scores were replaced.", count=len(totals)),
        "success",
    )
    return redirect(url_for("par.round_detail", round_id=par_round.id))


@bp.route("/rounds/<int:round_id>/close", methods=["GET", "POST"])
@roles_required(*ROUND_VIEWERS)
def close_round(round_id: int):
    """Closing a published round, after a confirmation page: its results are final from then on."""
    par_round = round_or_404(round_id, check="can_close")
    form = RoundCloseForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("par/rounds/close.html", round=par_round, form=form), status
    on_refusal_redirect(url_for("par.round_detail", round_id=par_round.id))
    services.close_round(par_round, actor=current_user)
    flash(_("%(name)s is closed: its results are final.", name=par_round.name), "success")
    return redirect(url_for("par.round_detail", round_id=par_round.id))


@bp.route("/assessments/<int:case_id>/adjustments", methods=["POST"])
@login_required
def add_adjustment(case_id: int):
    """The appraisal lead adds bonus or penalty points while consolidating, citing a finding about the unit."""
    case = assessment_case_or_404(case_id, check="can_adjust")
    par = case.par
    back = url_for("par.assessment", case_id=case.id, _anchor="adjustments")
    form = AdjustmentForm()
    if not form.validate_on_submit():
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "error")
        return redirect(back), 303
    on_refusal_redirect(back)
    points = form.points.data
    finding = db.session.get(Finding, form.finding.data) if form.finding.data else None
    if form.finding.data and finding is None:
        raise InvalidInput(_("The finding must be about this unit."), {"finding": [str(form.finding.data)]})
    services.add_adjustment(par, actor=current_user, points=points, reason=form.reason.data.strip(), finding=finding)
    flash(_("Bonus or penalty points added."), "success")
    return redirect(back)


def levels_of(par_round: ParRound) -> list[OrgLevel]:
    """The levels a round has a criteria set for, in the usual order."""
    return [level for level in LEVELS if par_round.set_for(level) is not None]
