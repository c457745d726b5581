"""PAR reports: a round's ranking per level and a unit's scorecard, as pages with charts and as files.

Who sees what: a round's ranking is for administrators, directors, auditors, and the leads and inspectors on the
round's appraisal teams; once the council has approved every unit of the round the ranking is published, and every
signed-in user sees it. A scorecard is seen by whoever sees the unit's case (a unit officer: their own unit's).
Everything else gets 404, as if it did not exist. The data comes from report_data.py: units still without every
final score are listed apart, unranked, on every page and file."""

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from inspect_app.access.loaders import assessment_case_or_404, round_or_404
from inspect_app.models import ParRound
from inspect_app.par import bp, charts, exports
from inspect_app.par.report_data import (
    LevelTable,
    Scorecard,
    build_scorecard,
    level_arg,
    ranking_tables,
    round_levels,
)
from inspect_app.par.results import bands_of, is_published, mean_field_shares


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
    par_round = round_or_404(round_id)
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
    from inspect_app.par import workbooks  # here: openpyxl's import would slow every process's start-up

    par_round, level, tables = _ranking_request(round_id)
    return exports.xlsx_response(workbooks.ranking_workbook(par_round, tables), exports.ranking_name(par_round, level))


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
    case = assessment_case_or_404(case_id)
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
        can_view_ranking=card.par.round.can_view(current_user),
        findings_visible=findings_visible,
        **formatting(),
    )


@bp.route("/assessments/<int:case_id>/scorecard.xlsx")
@login_required
def scorecard_xlsx(case_id: int):
    """The scorecard as a workbook: the fields, and every sub-criterion."""
    from inspect_app.par import workbooks  # here: openpyxl's import would slow every process's start-up

    card = _scorecard_request(case_id)
    return exports.xlsx_response(workbooks.scorecard_workbook(card), exports.scorecard_name(card.par))
