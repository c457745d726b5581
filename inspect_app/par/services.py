"""PAR appraisal operations: opening a round (one case per unit), scoring at each stage, adjustments, approval.

Each flushes and records history; the entry point commits once."""

from datetime import date, timedelta
from decimal import Decimal

from flask_babel import format_datetime, format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from inspect_app.access.roles import may_join_team, may_lead_team
from inspect_app.cases.services import add_team_member, create_case
from inspect_app.core import clock
from inspect_app.core.exceptions import Conflict, Forbidden, InvalidInput
from inspect_app.core.extensions import db
from inspect_app.core.formats import local_time
from inspect_app.history import record_event
from inspect_app.inspections.services import deadline_moment
from inspect_app.models import (
    CaseEvent,
    CaseType,
    CriteriaSet,
    Finding,
    ItemScore,
    OrgLevel,
    OrgUnit,
    ParAssessment,
    ParRound,
    ParStep,
    RoundCriteriaSet,
    RoundStatus,
    ScoreAdjustment,
    TeamRole,
    User,
)
from inspect_app.notifications.services import notify_self_assessment_locked
from inspect_app.par.scoring import DEFAULT_BANDS
from inspect_app.tasks.services import start_case_workflow

PROCESS_ID = "par_appraisal"
SCORE_ACTIONS = ("par.self_scored", "par.appraised", "par.finally_appraised", "par.explained")
# Sample values of the data open_assessment starts the process with, for the trial start when a process is deployed.
START_SAMPLES = {
    "self_assessment_due": lambda: deadline_moment(clock.today() + timedelta(days=30)).isoformat(),
    "explanation_due": lambda: deadline_moment(clock.today() + timedelta(days=60)).isoformat(),
}


def open_round(
    *,
    actor: User,
    year: int,
    name: str,
    sets: dict[OrgLevel, CriteriaSet],
    units: list[OrgUnit],
    lead: User,
    appraisers: list[User],
    self_assessment_due: date,
    first_appraisal_due: date,
    explanation_due: date,
    second_appraisal_due: date,
    approval_due: date,
    bands: list[dict] | None = None,
) -> ParRound:
    """Open a round and one appraisal case per unit, each on its level's criteria set."""
    dates = [self_assessment_due, first_appraisal_due, explanation_due, second_appraisal_due, approval_due]
    if dates != sorted(dates):
        raise InvalidInput(_("The round's dates must follow each other in order."), {"dates": [str(d) for d in dates]})
    missing = sorted({unit.level.value for unit in units if unit.level not in sets})
    if missing:
        raise InvalidInput(_("Choose a criteria set for every level taking part."), {"sets": missing})
    if not may_lead_team(lead):
        raise InvalidInput(_("The appraisal lead must be an active team lead."), {"lead": [lead.username]})
    outsiders = [appraiser.username for appraiser in appraisers if not may_join_team(appraiser)]
    if outsiders:
        message = _("Appraisers must be active inspectors or team leads: %(names)s.", names=", ".join(outsiders))
        raise InvalidInput(message, {"appraisers": outsiders})
    par_round = ParRound(
        year=year,
        name=name,
        opened_by=actor,
        opened_at=clock.now(),
        bands=bands or list(DEFAULT_BANDS),
        self_assessment_due=self_assessment_due,
        first_appraisal_due=first_appraisal_due,
        explanation_due=explanation_due,
        second_appraisal_due=second_appraisal_due,
        approval_due=approval_due,
    )
    par_round.criteria_sets = [RoundCriteriaSet(level=level, criteria_set=s) for level, s in sets.items()]
    db.session.add(par_round)
    db.session.flush()
    for unit in units:
        open_assessment(par_round, unit, actor=actor, lead=lead, appraisers=appraisers)
    return par_round


def open_assessment(par_round: ParRound, unit: OrgUnit, *, actor: User, lead: User, appraisers: list[User]):
    """One unit's appraisal case: its scores to fill in, the appraisal team, and the process started."""
    criteria_set = par_round.set_for(unit.level)
    case = create_case(
        case_type=CaseType.PAR_APPRAISAL,
        title=_("PAR index %(year)d: %(unit)s", year=par_round.year, unit=unit.name),
        subject_unit=unit,
        actor=actor,
        year=par_round.year,
    )
    assessment = ParAssessment(case=case, round=par_round, unit=unit, criteria_set=criteria_set)
    db.session.add(assessment)
    assessment.scores = [ItemScore(criterion=criterion) for criterion in criteria_set.sub_criteria]
    record_event(
        case,
        "par.opened",
        actor=actor,
        details={"round": par_round.id, "year": par_round.year, "criteria_set": criteria_set.code, "unit": unit.code},
    )
    add_team_member(case, lead, TeamRole.LEAD, actor=actor)
    for appraiser in appraisers:
        if appraiser.id != lead.id:
            add_team_member(case, appraiser, TeamRole.MEMBER, actor=actor)
    start_case_workflow(
        case,
        PROCESS_ID,
        actor=actor,
        data={
            "self_assessment_due": deadline_moment(par_round.self_assessment_due).isoformat(),
            "explanation_due": deadline_moment(par_round.explanation_due).isoformat(),
        },
    )
    return assessment


def _check_points(score: ItemScore, points: Decimal | None) -> None:
    """A score from 0 to the item's maximum with at most two decimals; the refusal names the item and says what is
    wrong (negative, or which maximum)."""
    criterion = score.criterion
    if points is None:
        return
    if points < 0:
        message = _("%(code)s: a score cannot be negative.", code=criterion.code)
        raise InvalidInput(message, {"points": [message]})
    if points != points.quantize(Decimal("0.01")):
        message = _("%(code)s: use at most two decimals.", code=criterion.code)
        raise InvalidInput(message, {"points": [message]})
    if points > criterion.max_points:
        message = _(
            "%(code)s is worth at most %(max)s points.", code=criterion.code, max=format_decimal(criterion.max_points)
        )
        raise InvalidInput(message, {"points": [message]})


def _record(score: ItemScore, action: str, actor: User, seen: int | None, **changes) -> None:
    """Change the score's fields and record what changed; `seen` is the version the user's form showed."""
    # Locked and read afresh, so that the history's "from" is what a request saved a moment before this one.
    db.session.refresh(score, with_for_update=True)
    if seen is not None and seen != score.lock_version:
        raise _saved_meanwhile(score)
    diff = {}
    for name, value in changes.items():
        old = getattr(score, name)
        if old != value:
            diff[name] = [_json(old), _json(value)]
            setattr(score, name, value)
    if diff:
        record_event(score.assessment.case, action, actor=actor, details={"criterion": score.criterion.code, **diff})


def _saved_meanwhile(score: ItemScore) -> Conflict:
    """Who saved the score after the user's page showed it, and when."""
    events = select(CaseEvent).where(CaseEvent.case_id == score.case_id, CaseEvent.action.in_(SCORE_ACTIONS))
    code = score.criterion.code
    last = next(
        (e for e in db.session.scalars(events.order_by(CaseEvent.seq.desc())) if e.details.get("criterion") == code),
        None,
    )
    who = last.actor.full_name if last is not None and last.actor is not None else _("Someone else")
    return Conflict(
        _(
            "%(user)s saved %(code)s at %(time)s, after this page was opened. Your change was not saved: "
            "look at the score now and enter yours again.",
            user=who,
            code=code,
            time=local_time(last.at) if last is not None else "",
        )
    )


def _json(value):
    return str(value) if isinstance(value, Decimal) else value


def save_self_score(
    score: ItemScore, *, actor: User, points: Decimal | None, note: str, seen: int | None = None
) -> None:
    """The unit's own score (never above the maximum) and how it scored where evidence is missing."""
    if not score.assessment.can_self_assess(actor):
        raise Forbidden(_("Only the unit's officers score it, while the self-assessment is open."))
    _check_points(score, points)
    _record(score, "par.self_scored", actor, seen, self_score=points, self_note=note)


def save_appraisal(
    score: ItemScore,
    step: ParStep,
    *,
    actor: User,
    points: Decimal | None,
    comment: str,
    needs_explanation: bool = False,
    seen: int | None = None,
) -> None:
    """An appraiser's score and comment in round 1 (with the explanation flag) or round 2 (the final score)."""
    if not score.assessment.can_appraise(actor, step):
        raise Forbidden(_("Only the appraisal team scores, while that appraisal round is open."))
    _check_points(score, points)
    if step == ParStep.FIRST_APPRAISAL:
        _record(
            score,
            "par.appraised",
            actor,
            seen,
            first_score=points,
            first_comment=comment,
            needs_explanation=needs_explanation,
        )
    else:
        _record(score, "par.finally_appraised", actor, seen, final_score=points, final_comment=comment)


def save_explanation(score: ItemScore, *, actor: User, text: str, seen: int | None = None) -> None:
    """The unit explains an item the appraisers flagged."""
    if not score.assessment.can_explain(actor) or not score.needs_explanation:
        raise Forbidden(_("Only flagged items are explained, by the unit, while the explanation is open."))
    _record(score, "par.explained", actor, seen, explanation=text)


def add_adjustment(
    assessment: ParAssessment, *, actor: User, points: Decimal, reason: str, finding: Finding | None = None
) -> ScoreAdjustment:
    """Bonus (positive) or penalty (negative) points; a penalty may cite an inspection finding about the unit."""
    if not assessment.can_adjust(actor):
        raise Forbidden(_("Only the appraisal lead adds bonus or penalty points, while consolidating."))
    if points == 0:
        message = _("Give a bonus (positive) or a penalty (negative), not zero.")
        raise InvalidInput(message, {"points": [message]})
    if points != points.quantize(Decimal("0.01")):
        raise InvalidInput(_("Use at most two decimals."), {"points": [_("Use at most two decimals.")]})
    if finding is not None and finding.case.subject_unit_id != assessment.unit_id:
        raise InvalidInput(_("The finding must be about this unit."), {"finding": [str(finding.id)]})
    adjustment = ScoreAdjustment(
        assessment=assessment, points=points, reason=reason, finding=finding, created_by=actor, created_at=clock.now()
    )
    db.session.add(adjustment)
    db.session.flush()
    record_event(
        assessment.case,
        "par.adjusted",
        actor=actor,
        details={"points": str(points), "reason": reason, **({"finding": finding.id} if finding else {})},
    )
    return adjustment


# --- checks when a stage is sent on (called by the task forms' apply) ---------------------------------------------


def _refuse_if(codes: list[str], message: str, field: str) -> None:
    if codes:
        raise InvalidInput(message % {"codes": ", ".join(codes)}, {field: codes})


def check_self_assessment(assessment: ParAssessment) -> None:
    """Every sub-criterion scored; where evidence is required, evidence attached or an explanation given."""
    _refuse_if(
        [s.criterion.code for s in assessment.scores if s.self_score is None],
        _("Score every sub-criterion first: %(codes)s."),
        "self_score",
    )
    _refuse_if(
        [
            s.criterion.code
            for s in assessment.scores
            if s.criterion.evidence_required and not s.files and not s.self_note.strip()
        ],
        _("Attach evidence, or explain how you scored without it: %(codes)s."),
        "evidence",
    )


def submit_self_assessment(assessment: ParAssessment, *, actor: User) -> None:
    """The unit sends its self-assessment on."""
    check_self_assessment(assessment)
    assessment.submitted_at = clock.now()
    record_event(assessment.case, "par.submitted", actor=actor, details={})


def first_appraisal_done(assessment: ParAssessment) -> dict:
    """Round 1 needs a score for every item; the gateway learns how many items need an explanation."""
    _refuse_if(
        [s.criterion.code for s in assessment.scores if s.first_score is None],
        _("Appraise every sub-criterion first: %(codes)s."),
        "score",
    )
    return {"flagged_items": sum(1 for s in assessment.scores if s.needs_explanation)}


def explanations_done(assessment: ParAssessment) -> None:
    """Every flagged item explained."""
    _refuse_if(
        [s.criterion.code for s in assessment.scores if s.needs_explanation and not s.explanation.strip()],
        _("Explain every flagged item first: %(codes)s."),
        "explanation",
    )


def second_appraisal_done(assessment: ParAssessment) -> None:
    """Round 2 gives every item its final score."""
    _refuse_if(
        [s.criterion.code for s in assessment.scores if s.final_score is None],
        _("Give every sub-criterion its final score first: %(codes)s."),
        "score",
    )


def lock_late_self_assessment(case) -> None:
    """The self-assessment deadline passed before the unit submitted: its scores stay as they were, locked."""
    assessment = case.par
    assessment.locked_at = clock.now()
    record_event(
        case,
        "par.locked",
        actor=None,
        details={"unscored": [s.criterion.code for s in assessment.scores if s.self_score is None]},
    )
    notify_self_assessment_locked(case)


def close_round(par_round: ParRound, *, actor: User) -> None:
    """Close a published round: its results are final. Each unit's case records it in its history."""
    if not par_round.can_close(actor):
        raise Forbidden(_("Only an administrator or a director closes a PAR round."))
    # Locked and read afresh, so that two people closing at once close it once.
    db.session.flush()
    db.session.refresh(par_round, with_for_update=True)
    status = par_round.status
    if status == RoundStatus.CLOSED:
        raise Conflict(
            _(
                "%(user)s already closed this round at %(time)s.",
                user=par_round.closed_by.full_name if par_round.closed_by else _("Someone else"),
                time=format_datetime(par_round.closed_at, "short"),
            )
        )
    if status != RoundStatus.PUBLISHED:
        waiting = sum(1 for par in par_round.assessments if not par.is_approved)
        message = _(
            "A round closes once the council has approved every unit: %(count)d not approved yet.", count=waiting
        )
        raise InvalidInput(message, {"round": [message]})
    par_round.closed_at = clock.now()
    par_round.closed_by = actor
    for assessment in par_round.assessments:
        record_event(
            assessment.case,
            "par.round_closed",
            actor=actor,
            details={"round": par_round.id, "year": par_round.year, "name": par_round.name},
        )
    db.session.flush()


def approve(assessment: ParAssessment, *, actor: User) -> None:
    """The council approves the unit's index: from now on nothing about it changes."""
    second_appraisal_done(assessment)
    assessment.approved_at = clock.now()
    record_event(assessment.case, "par.approved", actor=actor, details={})
