"""Sign-in, sign-out and sign-in throttling."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from inspect_app.auth import views  # noqa: E402,F401
