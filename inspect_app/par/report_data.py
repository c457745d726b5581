"""PAR report data: a round's ranking per level and a unit's scorecard, built for the report pages, the files and
the API alike (no routes here). The arithmetic is scoring.py's, through results.py."""

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from inspect_app.core.extensions import db
from inspect_app.core.labels import label
from inspect_app.models import (
    Case,
    CaseStatus,
    CriteriaSet,
    Criterion,
    HumanTask,
    ItemScore,
    OrgLevel,
    ParAssessment,
    ParRound,
    SurveyScore,
    TaskState,
    User,
)
from inspect_app.par.results import (
    approved_results,
    assessment_results,
    previous_assessment,
    previous_round,
    round_ranking,
    year_on_year,
)
from inspect_app.par.scoring import UnitResult, round2

# How the announcing decision's appendix heads each level's table.
LEVEL_HEADINGS = {
    OrgLevel.PROVINCE: _l("Provincial level"),
    OrgLevel.DEPARTMENT: _l("Provincial departments and agencies"),
    OrgLevel.DISTRICT: _l("District-level People's Committees"),
    OrgLevel.COMMUNE: _l("Commune-level People's Committees"),
}
STAGES = ("self", "first", "final")


def round_levels(par_round: ParRound) -> list[OrgLevel]:
    """The levels taking part in the round, in the order of the organisation (departments before districts)."""
    present = {link.level for link in par_round.criteria_sets}
    return [level for level in OrgLevel if level in present]


def level_arg(value: str | None) -> OrgLevel | None:
    """The ?level= filter: None for every level; ValueError for a value that is not a level."""
    if value is None or value == "":
        return None
    return OrgLevel(value)


# --- the ranking --------------------------------------------------------------------------------------------------


@dataclass
class RankedUnit:
    """A row of a level's ranking: the final result, where the unit's case stands, and last year's result."""

    result: UnitResult
    par: ParAssessment
    status: str
    scored: int  # sub-criteria with a final score
    items: int
    previous: UnitResult | None = None
    change: Decimal | None = None  # index points since last year
    can_open: bool = False  # whether the reader may open the unit's scorecard


@dataclass
class LevelTable:
    """One level's ranking (empty when no unit of that level takes part)."""

    level: OrgLevel
    criteria_set: CriteriaSet | None
    units: list[RankedUnit] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return str(LEVEL_HEADINGS[self.level])

    @property
    def fields(self) -> list[Criterion]:
        return self.criteria_set.fields if self.criteria_set is not None else []

    @property
    def approved(self) -> int:
        return sum(1 for row in self.units if row.par.is_approved)


def _statuses(assessments: list[ParAssessment]) -> dict[int, str]:
    """Where each case stands: approved, closed or cancelled, or the titles of its open steps."""
    open_steps: dict[int, list[str]] = {}
    for task in db.session.scalars(
        select(HumanTask)
        .where(HumanTask.case_id.in_([a.case_id for a in assessments]), HumanTask.state == TaskState.READY)
        .order_by(HumanTask.id)
    ):
        open_steps.setdefault(task.case_id, []).append(task.display_title)
    statuses = {}
    for par in assessments:
        if par.is_approved:
            text = _("Approved")
        elif par.case.status != CaseStatus.OPEN:
            text = label(par.case.status)
        else:
            text = ", ".join(open_steps.get(par.case_id, [])) or _("In progress")
        if par.locked_at is not None:
            text += " · " + _("self-assessment locked (late)")
        statuses[par.case_id] = text
    return statuses


def ranking_tables(par_round: ParRound, user: User, level: OrgLevel | None = None) -> list[LevelTable]:
    """The round's ranking for each level taking part (or just `level`), with each unit's status, last year's
    index, and whether the user may open its scorecard."""
    levels = [level] if level is not None else round_levels(par_round)
    earlier = previous_round(par_round)
    tables = []
    for each in levels:
        table = LevelTable(each, par_round.set_for(each))
        ranked = round_ranking(par_round, each) if table.criteria_set is not None else []
        if ranked:
            assessments = [par for _result, par in ranked]
            statuses = _statuses(assessments)
            # Counted in one query: loading every unit's scores would cost a query per unit.
            counts = {
                case_id: (scored, items)
                for case_id, scored, items in db.session.execute(
                    select(ItemScore.case_id, func.count(ItemScore.final_score), func.count(ItemScore.id))
                    .where(ItemScore.case_id.in_([a.case_id for a in assessments]))
                    .group_by(ItemScore.case_id)
                )
            }
            visible = set(
                db.session.scalars(
                    select(Case.id).where(Case.id.in_([a.case_id for a in assessments]), Case.visible_to(user))
                )
            )
            last_year = approved_results(earlier, each) if earlier is not None and earlier.set_for(each) else {}
            for result, par in ranked:
                previous = last_year.get(par.unit_id)
                table.units.append(
                    RankedUnit(
                        result=result,
                        par=par,
                        status=statuses[par.case_id],
                        scored=counts.get(par.case_id, (0, 0))[0],
                        items=counts.get(par.case_id, (0, 0))[1],
                        previous=previous,
                        change=year_on_year(result, previous)["index"] if previous is not None else None,
                        can_open=par.case_id in visible,
                    )
                )
        tables.append(table)
    return tables


# --- the scorecard --------------------------------------------------------------------------------------------------


@dataclass
class FieldLine:
    """A field on the scorecard: its maximum, the points at each stage, the final share, last year and the change."""

    criterion: Criterion
    points: dict[str, Decimal]  # stage -> points
    share: Decimal
    last_year: Decimal | None
    change: Decimal | None

    @property
    def published_share(self) -> Decimal:
        """The share rounded as results are published (two decimals, half up)."""
        return round2(self.share)


@dataclass
class Scorecard:
    par: ParAssessment
    results: dict[str, UnitResult]  # stage -> result
    fields: list[FieldLine]
    survey_components: list[tuple[str, Decimal]]
    previous_par: ParAssessment | None
    previous: UnitResult | None  # last year's approved final result, with its rank in that year's ranking
    changes: dict | None  # year_on_year(final, previous)
    rank: int | None  # in the level's ranking, for readers who may see the ranking
    level_size: int | None
    ranking: list[tuple[UnitResult, str]] | None  # (result, unit name), for the ranking chart

    @property
    def final(self) -> UnitResult:
        return self.results["final"]


def build_scorecard(par: ParAssessment, user: User) -> Scorecard:
    """Everything the scorecard shows for one unit, as the user may see it."""
    results = assessment_results(par)
    final = results["final"]
    previous_par = previous_assessment(par)
    previous = None
    if previous_par is not None:
        previous = approved_results(previous_par.round, par.unit.level).get(par.unit_id)
    changes = year_on_year(final, previous) if previous is not None else None
    fields = [
        FieldLine(
            criterion=f,
            points={stage: results[stage].fields[f.code] for stage in STAGES},
            share=final.field_shares[f.code],
            last_year=previous.fields.get(f.code) if previous is not None else None,
            change=changes["fields"].get(f.code) if changes is not None else None,
        )
        for f in par.criteria_set.fields
    ]
    components = list(
        db.session.execute(
            select(SurveyScore.component, SurveyScore.score)
            .where(SurveyScore.round_id == par.round_id, SurveyScore.unit_id == par.unit_id)
            .order_by(SurveyScore.component)
        )
    )
    rank = level_size = ranking = None
    if par.round.can_view(user):
        ranked = round_ranking(par.round, par.unit.level)
        rank = next(result.rank for result, other in ranked if other.case_id == par.case_id)
        level_size = len(ranked)
        ranking = [(result, other.unit.name) for result, other in ranked]
    return Scorecard(
        par=par,
        results=results,
        fields=fields,
        survey_components=[(component, score) for component, score in components],
        previous_par=previous_par,
        previous=previous,
        changes=changes,
        rank=rank,
        level_size=level_size,
        ranking=ranking,
    )
