"""Checklist templates: admin pages to manage them, JSON export and import, and the shipped sample."""

from flask import Blueprint

bp = Blueprint("checklists", __name__, url_prefix="/admin/checklists")

from inspect_app.checklists import views  # noqa: E402,F401
