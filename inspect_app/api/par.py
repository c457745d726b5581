"""PAR results through the API: a round's results per level, and a unit's scorecard. The same loaders, visibility
rules and numbers as the report pages (par/reports.py)."""

from flask import abort
from flask_login import current_user

from inspect_app.api import bp
from inspect_app.api.schemas import answer, query
from inspect_app.par.api_schemas import ParResultsQuery, ParRoundResults, ParScorecard
from inspect_app.par.reports import build_scorecard, get_ranking_round_or_404, ranking_tables
from inspect_app.par.results import is_published
from inspect_app.permissions import get_case_by_reference_or_404


@bp.get("/par/rounds/<int:round_id>/results")
def par_round_results(round_id: int):
    par_round = get_ranking_round_or_404(round_id)
    level = query(ParResultsQuery).level
    tables = ranking_tables(par_round, current_user, level)
    return answer(ParRoundResults.of(par_round, tables, published=is_published(par_round)))


@bp.get("/cases/<reference>/scorecard")
def case_scorecard(reference: str):
    case = get_case_by_reference_or_404(reference)
    if case.par is None:
        abort(404)
    return answer(ParScorecard.of(build_scorecard(case.par, current_user)))
