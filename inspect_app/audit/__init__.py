"""The history as readers see it: events described in words (describe.py and each feature's event_kinds.py),
filters, the search across cases, and CSV exports."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")

from inspect_app.audit import views  # noqa: E402,F401
