"""Process definitions: deploying BPMN versions (CLI and admin pages)."""

from flask import Blueprint

bp = Blueprint("processes", __name__, url_prefix="/admin/processes")

from inspect_app.processes import views  # noqa: E402,F401
