"""PAR results as the API shows them: a round's results per level, and a unit's scorecard (see par/reports.py)."""

from typing import Annotated

from pydantic import BaseModel, Field

from inspect_app.evidence.schemas import UtcTime
from inspect_app.models import OrgLevel, RoundStatus

Points = Annotated[float, Field(description="Points, two decimals at most")]


class ParResultsQuery(BaseModel):
    """Which level's results."""

    level: OrgLevel | None = Field(None, description="Only this level (every level of the round when left out)")


class ParStageResult(BaseModel):
    """A unit's result from one stage's scores, as scoring.py computes it."""

    has_result: bool = Field(
        description="Whether every sub-criterion has its score at this stage; until then there is no index or band, "
        "and the points are the sums so far"
    )
    total: Points
    maximum: Points
    index: float | None = Field(description="total / maximum x 100, rounded half up to 2 decimals; null: no result yet")
    band: str | None = Field(examples=["Tốt", "Khá", "Trung bình", "Yếu"], description="null: no result yet")
    fields: dict[str, float] = Field(description="Points per field, by the field's code")
    survey: Points
    bonus: float = Field(description="Bonus points counted (capped)")
    penalty: float = Field(description="Penalty points taken off (capped), as a positive number")

    @classmethod
    def of(cls, result) -> "ParStageResult":
        """One stage's result (a scoring.UnitResult)."""
        return cls(**_stage(result))


def _stage(result) -> dict:
    return {
        "has_result": result.has_result,
        "total": result.total,
        "maximum": result.maximum,
        "index": result.index if result.has_result else None,
        "band": result.band if result.has_result else None,
        "fields": dict(result.fields),
        "survey": result.survey,
        "bonus": result.bonus,
        "penalty": result.penalty,
    }


class NamedCode(BaseModel):
    code: str
    name: str


class ParRankedUnit(ParStageResult):
    """A unit in its level's ranking."""

    unit: NamedCode
    case_reference: str = Field(examples=["CS-2026-0001"])
    rank: int = Field(ge=1, description="Equal indexes share a rank")
    approved: bool = Field(description="Whether the council approved the index")
    change_from_last_year: float | None = Field(
        description="Index points since the unit's approved index of the year before"
    )


class ParPendingUnit(BaseModel):
    """A unit with no result yet: a sub-criterion still lacks its final score, so it is not ranked."""

    unit: NamedCode
    case_reference: str = Field(examples=["CS-2026-0001"])
    items_scored: int = Field(ge=0, description="Sub-criteria with a final score")
    items: int = Field(ge=0, description="Sub-criteria in all")


class ParField(NamedCode):
    max_points: Points


class ParLevelResults(BaseModel):
    level: OrgLevel
    criteria_set: NamedCode | None
    fields: list[ParField]
    survey_max: float | None
    units: list[ParRankedUnit] = Field(description="Best first, by the final index")
    pending: list[ParPendingUnit] = Field(description="Units with no result yet, by name; not ranked")


class ParRound(BaseModel):
    id: int
    year: int
    name: str


class ParPublishedRound(ParRound):
    published: bool = Field(description="Every unit of the round is approved")
    status: RoundStatus = Field(
        description="open while units are appraised, published once every unit is approved, closed once closed"
    )


class ParRoundResults(BaseModel):
    """A round's results per level, best first, ties sharing a rank."""

    round: ParPublishedRound
    levels: list[ParLevelResults]

    @classmethod
    def of(cls, par_round, tables, *, published: bool) -> "ParRoundResults":
        """The results of `par_round` in `tables` (par/reports.py: ranking_tables)."""
        return cls(
            round=ParPublishedRound(
                id=par_round.id,
                year=par_round.year,
                name=par_round.name,
                published=published,
                status=par_round.status,
            ),
            levels=[
                ParLevelResults(
                    level=table.level,
                    criteria_set=(
                        NamedCode(code=table.criteria_set.code, name=table.criteria_set.name)
                        if table.criteria_set
                        else None
                    ),
                    fields=[ParField(code=f.code, name=f.name, max_points=f.max_points) for f in table.fields],
                    survey_max=table.criteria_set.survey_max if table.criteria_set else None,
                    units=[
                        ParRankedUnit(
                            unit=NamedCode(code=row.par.unit.code, name=row.par.unit.name),
                            case_reference=row.par.case.reference,
                            rank=row.result.rank,
                            approved=row.par.is_approved,
                            change_from_last_year=row.change,
                            **_stage(row.result),
                        )
                        for row in table.units
                    ],
                    pending=[
                        ParPendingUnit(
                            unit=NamedCode(code=row.par.unit.code, name=row.par.unit.name),
                            case_reference=row.par.case.reference,
                            items_scored=row.scored,
                            items=row.items,
                        )
                        for row in table.pending
                    ],
                )
                for table in tables
            ],
        )


class ParUnit(NamedCode):
    level: OrgLevel


class ParStages(BaseModel):
    """As self-assessed, as appraised in round 1, and final."""

    self: ParStageResult
    first: ParStageResult
    final: ParStageResult


class ParFieldLine(NamedCode):
    max_points: Points
    self: Points
    first: Points
    final: Points
    share: float = Field(description="Final points as a percentage of the maximum")
    last_year: float | None
    change: float | None = Field(description="Points since last year")


class ParSurveyComponent(BaseModel):
    component: str
    points: Points


class ParSurvey(BaseModel):
    max_points: Points
    points: float = Field(description="Counted (capped at max_points)")
    components: list[ParSurveyComponent]


class CitedFinding(BaseModel):
    """The inspection finding the points cite."""

    case_reference: str
    title: str


class ParAdjustment(BaseModel):
    points: Points
    reason: str
    finding: CitedFinding | None


class ParChanges(BaseModel):
    survey: Points
    total: Points
    index: Points


class ParLastYear(BaseModel):
    """The unit's approved result of the year before."""

    year: int
    case_reference: str
    rank: int = Field(description="In that round's ranking of the unit's level")
    index: Points
    band: str
    total: Points
    change: ParChanges | None = Field(description="Since then; null while this year's result is not there yet")


class ParScorecard(BaseModel):
    """A unit's scorecard: each field at each stage, survey, adjustments, rank and last year."""

    case_reference: str
    round: ParRound
    unit: ParUnit
    approved_at: UtcTime | None
    stages: ParStages
    fields: list[ParFieldLine]
    survey: ParSurvey
    adjustments: list[ParAdjustment] = Field(
        description="Bonus (positive) and penalty (negative) points with their reasons"
    )
    rank: int | None = Field(
        description="In the unit's level; null for a caller who may not see the round's ranking, or with no result yet"
    )
    units_in_level: int | None
    last_year: ParLastYear | None = Field(description="The unit's approved result of the year before, if there is one")

    @classmethod
    def of(cls, card) -> "ParScorecard":
        """A unit's scorecard (par/reports.py: build_scorecard)."""
        par, previous = card.par, card.previous
        return cls(
            case_reference=par.case.reference,
            round=ParRound(id=par.round.id, year=par.round.year, name=par.round.name),
            unit=ParUnit(code=par.unit.code, name=par.unit.name, level=par.unit.level),
            approved_at=par.approved_at,
            stages=ParStages(**{stage: ParStageResult.of(result) for stage, result in card.results.items()}),
            fields=[
                ParFieldLine(
                    code=line.criterion.code,
                    name=line.criterion.name,
                    max_points=line.criterion.max_points,
                    self=line.points["self"],
                    first=line.points["first"],
                    final=line.points["final"],
                    share=line.published_share,
                    last_year=line.last_year,
                    change=line.change,
                )
                for line in card.fields
            ],
            survey=ParSurvey(
                max_points=par.criteria_set.survey_max,
                points=card.final.survey,
                components=[ParSurveyComponent(component=name, points=score) for name, score in card.survey_components],
            ),
            adjustments=[
                ParAdjustment(
                    points=adjustment.points,
                    reason=adjustment.reason,
                    finding=(
                        CitedFinding(case_reference=adjustment.finding.case.reference, title=adjustment.finding.title)
                        if adjustment.finding
                        else None
                    ),
                )
                for adjustment in par.adjustments
            ],
            rank=card.rank,
            units_in_level=card.level_size,
            last_year=(
                ParLastYear(
                    year=card.previous_par.round.year,
                    case_reference=card.previous_par.case.reference,
                    rank=previous.rank,
                    index=previous.index,
                    band=previous.band,
                    total=previous.total,
                    change=(
                        ParChanges(**{name: card.changes[name] for name in ("survey", "total", "index")})
                        if card.changes is not None
                        else None
                    ),
                )
                if previous is not None
                else None
            ),
        )
