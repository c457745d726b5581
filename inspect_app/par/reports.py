"""PAR reports: a round's ranking per level and a unit's scorecard, as pages with charts and as files.

Who sees what: a round's ranking is for administrators, directors, auditors, and the leads and inspectors on the
round's appraisal teams; once the council has approved every unit of the round the ranking is published, and every
signed-in user sees it. A scorecard is seen by whoever sees the unit's case (a unit officer: their own unit's).
Everything else gets 404, as if it did not exist. The arithmetic is scoring.py's, through results.py."""

from dataclasses import dataclass, field
from decimal import Decimal

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
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
    Role,
    SurveyScore,
    TaskState,
    User,
)
from inspect_app.models.cases import SEES_ALL_CASES
from inspect_app.par import bp, charts, exports
from inspect_app.par.results import (
    approved_results,
    assessment_results,
    bands_of,
    is_published,
    mean_field_shares,
    previous_assessment,
    previous_round,
    round_ranking,
    year_on_year,
)
from inspect_app.par.scoring import UnitResult, round2
from inspect_app.par.views import get_assessment_case_or_404

# How the announcing decision's appendix heads each level's table.
LEVEL_HEADINGS = {
    OrgLevel.PROVINCE: _l("Provincial level"),
    OrgLevel.DEPARTMENT: _l("Provincial departments and agencies"),
    OrgLevel.DISTRICT: _l("District-level People's Committees"),
    OrgLevel.COMMUNE: _l("Commune-level People's Committees"),
}
STAGES = ("self", "first", "final")


# --- who may see ------------------------------------------------------------------------------------------------------


def can_view_round(par_round: ParRound, user: User) -> bool:
    """Whether the user may see the round's ranking (see the module's docstring)."""
    if not user.is_authenticated:
        return False
    if user.has_role(*SEES_ALL_CASES):
        return True
    if user.has_role(Role.LEAD, Role.INSPECTOR) and par_round.is_on_team(user):
        return True
    return is_published(par_round)


def get_ranking_round_or_404(round_id: int) -> ParRound:
    """A round whose ranking the current user may see, or 404."""
    par_round = db.session.get(ParRound, round_id)
    if par_round is None or not can_view_round(par_round, current_user):
        abort(404)
    return par_round


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
    for case_id, title in db.session.execute(
        select(HumanTask.case_id, HumanTask.title)
        .where(HumanTask.case_id.in_([a.case_id for a in assessments]), HumanTask.state == TaskState.READY)
        .order_by(HumanTask.id)
    ):
        open_steps.setdefault(case_id, []).append(title)
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


def ranking_charts(par_round: ParRound, table: LevelTable) -> list[charts.Chart]:
    """The level's ranking as bars, and its average score by field."""
    if not table.units:
        return []
    bands = bands_of(par_round)
    means = mean_field_shares(row.result for row in table.units)
    return [
        charts.ranking_chart(
            f"ranking-{table.level.value}", [(row.result, row.par.unit.name) for row in table.units], bands
        ),
        charts.field_chart(
            f"fields-{table.level.value}",
            [(f.code, f.name, means[f.code]) for f in table.fields],
            bands,
            title=_("Average score by field, as a share of its maximum"),
        ),
    ]


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
    if can_view_round(par.round, user):
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


def scorecard_charts(card: Scorecard) -> list[charts.Chart]:
    bands = bands_of(card.par.round)
    previous = dict(card.previous.field_shares) if card.previous is not None else None
    found = [
        charts.field_chart(
            "fields", [(line.criterion.code, line.criterion.name, line.share) for line in card.fields], bands, previous
        )
    ]
    if card.ranking:
        found.append(charts.ranking_chart("ranking", card.ranking, bands, highlight=card.par.unit.code))
    return found


def formatting() -> dict:
    """The number formats the report templates use."""
    return {"number": charts.number, "share": charts.share, "signed": exports.signed}


# --- pages and files ------------------------------------------------------------------------------------------------


def _ranking_request(round_id: int):
    par_round = get_ranking_round_or_404(round_id)
    try:
        level = level_arg(request.args.get("level"))
    except ValueError:
        abort(404)
    return par_round, level, ranking_tables(par_round, current_user, level)


@bp.route("/rounds/<int:round_id>/ranking")
@login_required
def ranking(round_id: int):
    """The round's ranking per level, with charts and links to each unit's scorecard."""
    par_round, level, tables = _ranking_request(round_id)
    return render_template(
        "par/reports/ranking.html",
        par_round=par_round,
        level=level,
        levels=round_levels(par_round),
        tables=tables,
        charts={table.level: ranking_charts(par_round, table) for table in tables},
        published=is_published(par_round),
        **formatting(),
    )


@bp.route("/rounds/<int:round_id>/ranking.xlsx")
@login_required
def ranking_xlsx(round_id: int):
    """The ranking as a workbook, one sheet per level."""
    par_round, level, tables = _ranking_request(round_id)
    return exports.xlsx_response(exports.ranking_workbook(par_round, tables), exports.ranking_name(par_round, level))


@bp.route("/rounds/<int:round_id>/ranking.csv")
@login_required
def ranking_csv(round_id: int):
    """The ranking as CSV (UTF-8), one row per unit."""
    par_round, level, tables = _ranking_request(round_id)
    return exports.csv_response(exports.ranking_csv(tables), exports.ranking_name(par_round, level))


@bp.route("/rounds/<int:round_id>/ranking.pdf")
@login_required
def ranking_pdf(round_id: int):
    """The appendix of results for the announcing decision, as PDF."""
    par_round, level, tables = _ranking_request(round_id)
    pdf = exports.appendix_pdf(par_round, tables, published=is_published(par_round), formats=formatting())
    return exports.pdf_response(pdf, exports.appendix_name(par_round, level))


def _scorecard_request(case_id: int) -> Scorecard:
    case = get_assessment_case_or_404(case_id)
    return build_scorecard(case.par, current_user)


@bp.route("/assessments/<int:case_id>/scorecard")
@login_required
def scorecard(case_id: int):
    """A unit's scorecard: per field at each stage, the survey, bonus and penalty, index and band, and last year."""
    card = _scorecard_request(case_id)
    findings_visible = {
        a.finding_id for a in card.par.adjustments if a.finding is not None and a.finding.case.can_view(current_user)
    }
    return render_template(
        "par/reports/scorecard.html",
        card=card,
        par=card.par,
        charts=scorecard_charts(card),
        can_view_ranking=card.rank is not None,
        findings_visible=findings_visible,
        **formatting(),
    )


@bp.route("/assessments/<int:case_id>/scorecard.xlsx")
@login_required
def scorecard_xlsx(case_id: int):
    """The scorecard as a workbook: the fields, and every sub-criterion."""
    card = _scorecard_request(case_id)
    return exports.xlsx_response(exports.scorecard_workbook(card), exports.scorecard_name(card.par))
