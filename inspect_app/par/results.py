"""PAR results from the tables: feeds the scoring arithmetic with each stage's scores, per unit and per round."""

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import (
    CriteriaSet,
    CriterionKind,
    ItemScore,
    OrgLevel,
    ParAssessment,
    ParRound,
    ScoreAdjustment,
    SurveyScore,
)
from inspect_app.par.scoring import Band, FieldMax, UnitInput, UnitResult, rank_units, score_unit

# Which column holds each stage's points.
STAGE_COLUMNS = {"self": "self_score", "first": "first_score", "final": "final_score"}


def field_maxima(criteria_set: CriteriaSet) -> list[FieldMax]:
    """Each field of the set with its maximum and the codes of the sub-criteria under it."""
    subs_by_field: dict[int, list[str]] = defaultdict(list)
    for criterion in criteria_set.criteria:
        if criterion.kind == CriterionKind.SUB:
            subs_by_field[criterion.field().id].append(criterion.code)
    return [FieldMax(f.code, f.max_points, tuple(subs_by_field[f.id])) for f in criteria_set.fields]


def bands_of(par_round: ParRound) -> list[Band]:
    return [Band.from_dict(band) for band in par_round.bands]


def _score_unit(par: ParAssessment, stage: str, fields, survey: Decimal, adjustments: list[Decimal]) -> UnitResult:
    column = STAGE_COLUMNS[stage]
    scores = {s.criterion.code: getattr(s, column) for s in par.scores if getattr(s, column) is not None}
    bonus = sum((p for p in adjustments if p > 0), Decimal(0))
    penalty = -sum((p for p in adjustments if p < 0), Decimal(0))
    unit = UnitInput(par.unit.code, scores, survey, bonus, penalty)
    s = par.criteria_set
    return score_unit(fields, s.survey_max, unit, bands_of(par.round), s.bonus_cap, s.penalty_cap)


def survey_total(par_round: ParRound, unit_id: int) -> Decimal:
    """The unit's survey points in the round (the sum of its components)."""
    rows = db.session.scalars(
        select(SurveyScore.score).where(SurveyScore.round_id == par_round.id, SurveyScore.unit_id == unit_id)
    )
    return sum(rows, Decimal(0))


def assessment_results(par: ParAssessment) -> dict[str, UnitResult]:
    """One unit's result at each stage: as self-assessed, as appraised in round 1, and final."""
    fields = field_maxima(par.criteria_set)
    survey = survey_total(par.round, par.unit_id)
    adjustments = [a.points for a in par.adjustments]
    return {stage: _score_unit(par, stage, fields, survey, adjustments) for stage in STAGE_COLUMNS}


def round_ranking(par_round: ParRound, level: OrgLevel, stage: str = "final") -> list[tuple[UnitResult, ParAssessment]]:
    """The round's units of one level, ranked by their index at `stage` (ties share a rank)."""
    assessments = [a for a in par_round.assessments if a.unit.level == level]
    if not assessments:
        return []
    fields = field_maxima(par_round.set_for(level))
    surveys: dict[int, Decimal] = defaultdict(Decimal)
    for unit_id, score in db.session.execute(
        select(SurveyScore.unit_id, SurveyScore.score).where(SurveyScore.round_id == par_round.id)
    ):
        surveys[unit_id] += score
    adjustments: dict[int, list[Decimal]] = defaultdict(list)
    for case_id, points in db.session.execute(
        select(ScoreAdjustment.case_id, ScoreAdjustment.points).where(
            ScoreAdjustment.case_id.in_([a.case_id for a in assessments])
        )
    ):
        adjustments[case_id].append(points)
    # Load every score of the round in one query rather than one per unit.
    db.session.scalars(select(ItemScore).where(ItemScore.case_id.in_([a.case_id for a in assessments]))).all()
    by_unit = {a.unit.code: a for a in assessments}
    results = [_score_unit(a, stage, fields, surveys[a.unit_id], adjustments[a.case_id]) for a in assessments]
    return [(result, by_unit[result.unit]) for result in rank_units(results)]
