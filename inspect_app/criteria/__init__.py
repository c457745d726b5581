"""PAR criteria sets: admin pages to list, view, import, export, duplicate and delete them, and the shipped samples."""

from flask import Blueprint

bp = Blueprint("criteria", __name__, url_prefix="/admin/criteria")

from inspect_app.criteria import views  # noqa: E402,F401
