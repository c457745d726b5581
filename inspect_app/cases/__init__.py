"""Case list, case page and history export."""

from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/cases")

from inspect_app.cases import views  # noqa: E402,F401
