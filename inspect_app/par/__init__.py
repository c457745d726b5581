"""PAR index appraisal: the unit's self-assessment, two appraisal rounds, explanations and approval."""

from flask import Blueprint

bp = Blueprint("par", __name__, url_prefix="/par")

from inspect_app.par import reports, rounds, views  # noqa: E402,F401
