"""Dashboard, profile, language choice and the health check."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from inspect_app.main import views  # noqa: E402,F401
