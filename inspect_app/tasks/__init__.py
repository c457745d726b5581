"""The task inbox and task pages: doing, claiming and reassigning workflow tasks."""

from flask import Blueprint

bp = Blueprint("tasks", __name__, url_prefix="/tasks")

from inspect_app.tasks import views  # noqa: E402,F401
