"""PAR report data: a round's ranking per level and a unit's scorecard, built for the report pages, the files and
the API alike (no routes here). The arithmetic is scoring.py's, through results.py."""

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from inspect_app.core.extensions import db
from inspect_app.core.labels import label
from inspect_app.models import (
    Case,
    CaseStatus,
    CriteriaSet,
    Criterion,
    HumanTask,
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
    round_results,
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
    """A row of a level's ranking: the final result, where the unit's case stands, and last year's result.

    A unit with no result yet (a sub-criterion without its final score) is a `RankedUnit` too, in the level's
    `pending` list: its `result` is a sum so far, never shown as an index, a band, a rank or a change."""

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
    units: list[RankedUnit] = field(default_factory=list)  # ranked, best first
    pending: list[RankedUnit] = field(default_factory=list)  # no result yet, by name

    @property
    def heading(self) -> str:
        return str(LEVEL_HEADINGS[self.level])

    @property
    def size(self) -> int:
        """Every unit of the level taking part, ranked or not."""
        return len(self.units) + len(self.pending)

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
    index, and whether the user may open its scorecard; units with no result yet are listed apart."""
    levels = [level] if level is not None else round_levels(par_round)
    earlier = previous_round(par_round)
    return [_level_table(par_round, each, user, earlier) for each in levels]


def _level_table(par_round: ParRound, level: OrgLevel, user: User, earlier: ParRound | None) -> LevelTable:
    table = LevelTable(level, par_round.set_for(level))
    found = round_results(par_round, level)
    everyone = [par for _result, par in found.ranked + found.pending]
    if not everyone:
        return table
    statuses = _statuses(everyone)
    visible = set(
        db.session.scalars(select(Case.id).where(Case.id.in_([a.case_id for a in everyone]), Case.visible_to(user)))
    )
    last_year = approved_results(earlier, level) if earlier is not None and earlier.set_for(level) else {}

    def row(result: UnitResult, par: ParAssessment) -> RankedUnit:
        previous = last_year.get(par.unit_id)
        scored, items = found.scored[par.case_id]
        return RankedUnit(
            result=result,
            par=par,
            status=statuses[par.case_id],
            scored=scored,
            items=items,
            previous=previous,
            # A change compares two results: none for a unit with no result yet.
            change=year_on_year(result, previous)["index"] if previous is not None and result.has_result else None,
            can_open=par.case_id in visible,
        )

    table.units = [row(result, par) for result, par in found.ranked]
    table.pending = [row(result, par) for result, par in found.pending]
    return table


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
    rank: int | None  # in the level's ranking, for readers who may see the ranking; None with no result yet
    level_size: int | None  # the units ranked in the level
    ranking: list[tuple[UnitResult, str]] | None  # (result, unit name), for the ranking chart

    @property
    def final(self) -> UnitResult:
        return self.results["final"]

    @property
    def final_scored(self) -> tuple[int, int]:
        """(items with a final score, items): how far the appraisal got while there is no result yet."""
        return sum(1 for s in self.par.scores if s.final_score is not None), len(self.par.scores)


def build_scorecard(par: ParAssessment, user: User) -> Scorecard:
    """Everything the scorecard shows for one unit, as the user may see it."""
    results = assessment_results(par)
    final = results["final"]
    previous_par = previous_assessment(par)
    previous = None
    if previous_par is not None:
        previous = approved_results(previous_par.round, par.unit.level).get(par.unit_id)
    # A change from last year compares results: none while this year's final scores are incomplete.
    changes = year_on_year(final, previous) if previous is not None and final.has_result else None
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
        ranked = round_results(par.round, par.unit.level).ranked
        rank = next((result.rank for result, other in ranked if other.case_id == par.case_id), None)
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
