"""PAR results through the API: a round's results per level, and a unit's scorecard. The same loaders, visibility
rules and numbers as the report pages (par/reports.py)."""

from flask_login import current_user

from inspect_app.access.loaders import assessment_by_reference_or_404, round_or_404
from inspect_app.api import bp
from inspect_app.api.schemas import answer, query
from inspect_app.par.api_schemas import ParResultsQuery, ParRoundResults, ParScorecard
from inspect_app.par.report_data import build_scorecard, ranking_tables
from inspect_app.par.results import is_published


@bp.get("/par/rounds/<int:round_id>/results")
def par_round_results(round_id: int):
    par_round = round_or_404(round_id)
    level = query(ParResultsQuery).level
    tables = ranking_tables(par_round, current_user, level)
    return answer(ParRoundResults.of(par_round, tables, published=is_published(par_round)))


@bp.get("/cases/<reference>/scorecard")
def case_scorecard(reference: str):
    case = assessment_by_reference_or_404(reference)
    return answer(ParScorecard.of(build_scorecard(case.par, current_user)))
