"""Evidence files: stored by content hash, type checked from the content, served only to who may see the case."""

from flask import Blueprint

bp = Blueprint("evidence", __name__, url_prefix="/files")

from inspect_app.evidence import views  # noqa: E402,F401
