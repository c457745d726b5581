"""API tokens: issue and revoke them, and find the user a bearer token names."""

from datetime import timedelta
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from inspect_app.core import clock
from inspect_app.core.extensions import db
from inspect_app.core.unit_of_work import unit_of_work
from inspect_app.models import ApiToken, User
from inspect_app.models.tokens import TOKEN_PREFIX, hash_token

# last_used_at is rewritten at most this often, so that a busy client does not write a row on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


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


@cache
def _token_query():
    # The user and their roles come with the token, in one statement: every request that carries one needs them.
    # Built once: SQLAlchemy keeps a statement's cache key on the statement, so each request only binds the hash.
    query = select(ApiToken).where(ApiToken.token_hash == bindparam("token_hash"))
    return query.options(joinedload(ApiToken.user).joinedload(User.role_assignments))


def token_user(header: str | None) -> User | None:
    """The active user whose unrevoked token the Authorization header carries, or None; notes when it was used."""
    scheme, _space, value = (header or "").strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value.startswith(TOKEN_PREFIX):
        return None
    row = db.session.scalars(_token_query(), {"token_hash": hash_token(value)}).unique().one_or_none()
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    now = clock.now()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
        # Its own small unit of work, done before the request's: a refused request still counts as a use.
        with unit_of_work():
            row.last_used_at = now
    return row.user
