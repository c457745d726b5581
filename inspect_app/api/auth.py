"""Who is calling the API: a bearer token (`Authorization: Bearer insp_...`) or the browser's session.

Tokens go through Flask-Login's request loader, so `current_user` works the same for both doors."""

from datetime import timedelta

from flask import g, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from inspect_app.api import bp
from inspect_app.core import clock
from inspect_app.core.exceptions import ServiceError
from inspect_app.core.extensions import db, login_manager
from inspect_app.models import ApiToken, User
from inspect_app.models.tokens import TOKEN_PREFIX, hash_token

# last_used_at is rewritten at most this often, so that a busy client does not write a row on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


class NotAuthenticated(ServiceError):
    """No signed-in session and no valid token: answered with 401 and a Bearer challenge."""

    status_code = 401


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a named token for `user`: the row, and the token itself, which is shown once and never stored."""
    row, token = ApiToken.issue(user, name)
    db.session.add(row)
    db.session.flush()
    return row, token


def revoke_token(token: ApiToken, *, actor: User) -> None:
    """Revoke a token now; requests carrying it get 401 from then on."""
    if not token.can_revoke(actor):
        raise ValueError("only the token's owner revokes an unrevoked token")
    token.revoked_at = clock.now()
    db.session.flush()


def token_user(header: str | None) -> User | None:
    """The active user whose unrevoked token the Authorization header carries, or None; notes when it was used."""
    scheme, _space, value = (header or "").strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value.startswith(TOKEN_PREFIX):
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(value)))
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    now = clock.now()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
        row.last_used_at = now
        # Its own small unit of work, done before the request's: a refused request still counts as a use.
        db.session.commit()
    return row.user


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
