"""The JSON API (/api/v1) for the tablet client and for integrations: bearer tokens or a browser session."""

from flask import Blueprint

from inspect_app.core.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# No CSRF tokens here: every POST must carry a JSON body, which a cross-site HTML form cannot send (see schemas.py).
csrf.exempt(bp)

from inspect_app.api import auth, inspections, par, views  # noqa: E402,F401
