"""Notifications: in the app (unread count, list) and by e-mail."""

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

from inspect_app.notifications import views  # noqa: E402,F401
