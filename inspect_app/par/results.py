"""PAR results from the tables: feeds the scoring arithmetic with each stage's scores, per unit and per round."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from inspect_app.core.extensions import db
from inspect_app.models import (
    CriteriaSet,
    Criterion,
    CriterionKind,
    ItemScore,
    OrgLevel,
    OrgUnit,
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


def _score_unit(
    par: ParAssessment, scores: Mapping[str, Decimal], fields, survey: Decimal, adjustments: list[Decimal]
) -> UnitResult:
    bonus = sum((p for p in adjustments if p > 0), Decimal(0))
    penalty = -sum((p for p in adjustments if p < 0), Decimal(0))
    unit = UnitInput(par.unit.code, scores, survey, bonus, penalty)
    s = par.criteria_set
    return score_unit(fields, s.survey_max, unit, bands_of(par.round), s.bonus_cap, s.penalty_cap)


def _stage_scores(par: ParAssessment, stage: str) -> dict[str, Decimal]:
    column = STAGE_COLUMNS[stage]
    return {s.criterion.code: getattr(s, column) for s in par.scores if getattr(s, column) is not None}


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
    return {stage: _score_unit(par, _stage_scores(par, stage), fields, survey, adjustments) for stage in STAGE_COLUMNS}


@dataclass
class LevelResults:
    """A level's units from one stage's scores: the ranked ones, best first (ties share a rank), and those with no
    result yet (a sub-criterion still without its score), listed apart by name, with how far their scoring got."""

    ranked: list[tuple[UnitResult, ParAssessment]] = field(default_factory=list)
    pending: list[tuple[UnitResult, ParAssessment]] = field(default_factory=list)
    scored: dict[int, tuple[int, int]] = field(default_factory=dict)  # case id -> (items with a score, items)


def round_results(par_round: ParRound, level: OrgLevel, stage: str = "final") -> LevelResults:
    """The round's units of one level at `stage`: those whose every sub-criterion has its score, ranked by their
    index; the others apart. Every report (page, scorecard, API, files) reads this one query.

    A round may have hundreds of units with a hundred scores each: scores are read as plain columns in one query."""
    criteria_set = par_round.set_for(level)
    if criteria_set is None:
        return LevelResults()
    assessments = list(
        db.session.scalars(
            select(ParAssessment)
            .join(ParAssessment.unit)
            .where(ParAssessment.round_id == par_round.id, OrgUnit.level == level)
            .options(joinedload(ParAssessment.unit))
        )
    )
    if not assessments:
        return LevelResults()
    case_ids = [a.case_id for a in assessments]
    fields = field_maxima(criteria_set)
    surveys: dict[int, Decimal] = defaultdict(Decimal)
    for unit_id, score in db.session.execute(
        select(SurveyScore.unit_id, SurveyScore.score).where(SurveyScore.round_id == par_round.id)
    ):
        surveys[unit_id] += score
    adjustments: dict[int, list[Decimal]] = defaultdict(list)
    for case_id, points in db.session.execute(
        select(ScoreAdjustment.case_id, ScoreAdjustment.points).where(ScoreAdjustment.case_id.in_(case_ids))
    ):
        adjustments[case_id].append(points)
    column = getattr(ItemScore, STAGE_COLUMNS[stage])
    scores: dict[int, dict[str, Decimal]] = defaultdict(dict)
    items: dict[int, int] = defaultdict(int)
    for case_id, code, points in db.session.execute(
        select(ItemScore.case_id, Criterion.code, column)
        .join(Criterion, ItemScore.criterion_id == Criterion.id)
        .where(ItemScore.case_id.in_(case_ids))
    ):
        items[case_id] += 1
        if points is not None:
            scores[case_id][code] = points
    by_unit = {a.unit.code: a for a in assessments}
    results = [
        _score_unit(a, scores[a.case_id], fields, surveys[a.unit_id], adjustments[a.case_id]) for a in assessments
    ]
    pending = sorted(
        ((result, by_unit[result.unit]) for result in results if not result.has_result),
        key=lambda pair: (pair[1].unit.name, pair[1].unit.code),
    )
    return LevelResults(
        ranked=[(result, by_unit[result.unit]) for result in rank_units(results)],
        pending=pending,
        scored={a.case_id: (len(scores[a.case_id]), items[a.case_id]) for a in assessments},
    )


def round_ranking(par_round: ParRound, level: OrgLevel, stage: str = "final") -> list[tuple[UnitResult, ParAssessment]]:
    """The round's ranked units of one level at `stage`, best first (units with no result yet left out)."""
    return round_results(par_round, level, stage).ranked


# --- reports: publication, last year's results, changes -------------------------------------------------------------


def is_published(par_round: ParRound) -> bool:
    """Whether the round's results are published: it has units, and the council approved every one of them."""
    return par_round.is_published


def previous_round(par_round: ParRound) -> ParRound | None:
    """The round of the year before (the latest opened, should there be several)."""
    return db.session.scalar(
        select(ParRound).where(ParRound.year == par_round.year - 1).order_by(ParRound.id.desc()).limit(1)
    )


def previous_assessment(par: ParAssessment) -> ParAssessment | None:
    """The same unit's approved assessment in the round of the year before, if there is one."""
    earlier = previous_round(par.round)
    if earlier is None:
        return None
    return db.session.scalar(
        select(ParAssessment).where(
            ParAssessment.round_id == earlier.id,
            ParAssessment.unit_id == par.unit_id,
            ParAssessment.approved_at.is_not(None),
        )
    )


def approved_results(par_round: ParRound, level: OrgLevel) -> dict[int, UnitResult]:
    """Final results by unit id of a level's approved assessments, each with its rank in the level's ranking."""
    return {par.unit_id: result for result, par in round_ranking(par_round, level) if par.is_approved}


def year_on_year(current: UnitResult, previous: UnitResult) -> dict:
    """Change since last year, in points: per field present both years, the survey, the total and the index."""
    return {
        "fields": {
            code: points - previous.fields[code] for code, points in current.fields.items() if code in previous.fields
        },
        "survey": current.survey - previous.survey,
        "total": current.total - previous.total,
        "index": current.index - previous.index,
    }


def mean_field_shares(results: Iterable[UnitResult]) -> dict[str, Decimal]:
    """Each field's share of its maximum, averaged over the units (percent, unrounded): the level's weak fields."""
    results = list(results)
    if not results:
        return {}
    return {
        code: sum((r.field_shares[code] for r in results), Decimal(0)) / len(results)
        for code in results[0].field_shares
    }
