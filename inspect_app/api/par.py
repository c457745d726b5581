"""PAR results through the API: a round's results per level, and a unit's scorecard. The same loaders, visibility
rules and numbers as the report pages (par/reports.py)."""

from flask import abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from inspect_app.api import bp
from inspect_app.api.schemas import BadRequest, par_results_json, scorecard_json
from inspect_app.models import OrgLevel
from inspect_app.par.report_data import build_scorecard, level_arg, ranking_tables
from inspect_app.par.reports import get_ranking_round_or_404
from inspect_app.par.results import is_published
from inspect_app.permissions import get_case_by_reference_or_404


@bp.get("/par/rounds/<int:round_id>/results")
def par_round_results(round_id: int):
    par_round = get_ranking_round_or_404(round_id)
    try:
        level = level_arg(request.args.get("level"))
    except ValueError:
        choices = ", ".join(level.value for level in OrgLevel)
        raise BadRequest(
            _("Some query parameters are not valid."), {"level": [_("Give one of: %(levels)s.", levels=choices)]}
        ) from None
    tables = ranking_tables(par_round, current_user, level)
    return jsonify(par_results_json(par_round, tables, published=is_published(par_round)))


@bp.get("/cases/<reference>/scorecard")
def case_scorecard(reference: str):
    case = get_case_by_reference_or_404(reference)
    if case.par is None:
        abort(404)
    return jsonify(scorecard_json(build_scorecard(case.par, current_user)))
