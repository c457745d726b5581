"""Public-service inspections: the decision, the on-site screen, findings, remediation and printable documents."""

from flask import Blueprint

bp = Blueprint("inspections", __name__, url_prefix="/inspections")

from inspect_app.inspections import documents, views  # noqa: E402,F401
