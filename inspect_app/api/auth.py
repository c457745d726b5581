"""Who is calling the API: a bearer token (`Authorization: Bearer insp_...`) or the browser's session.

Tokens go through Flask-Login's request loader, so `current_user` works the same for both doors."""

from flask import g, request
from flask_babel import gettext as _
from flask_login import current_user

from inspect_app.api import bp
from inspect_app.auth.tokens import token_user
from inspect_app.core.exceptions import NotAuthenticated
from inspect_app.core.extensions import login_manager
from inspect_app.models import User


def bearer_user() -> User | None:
    """The user the request's bearer token names (looked up once per request), or None."""
    if "api_token_user" not in g:
        g.api_token_user = token_user(request.headers.get("Authorization"))
    return g.api_token_user


@login_manager.request_loader
def load_user_from_token(req) -> User | None:
    """Tokens open the API only, never the HTML pages; a signed-in session is looked at first."""
    if req.blueprint != bp.name or "Authorization" not in req.headers:
        return None
    return bearer_user()


def require_user() -> None:
    """Refuse with 401 unless someone is signed in or sent a valid token; a token, once sent, must be valid."""
    if "Authorization" in request.headers and bearer_user() is None:
        raise NotAuthenticated(_("This API token is not valid, or it has been revoked."))
    if not current_user.is_authenticated:
        raise NotAuthenticated(_("Sign in, or send an API token in the Authorization header (Bearer insp_...)."))
