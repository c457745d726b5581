"""Password checks and throttling of repeated failed sign-ins, kept in the database."""

import math
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from inspect_app.core.extensions import db
from inspect_app.core.sqltypes import utc_now
from inspect_app.models import LoginAttempt, User


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("no such user", method=method)


def normalise_username(username: str) -> str:
    """Usernames are compared trimmed and lower-case."""
    return username.strip().lower()


def lockout_minutes_left(username: str, now: datetime | None = None) -> int:
    """Minutes until the username may try again; 0 when it is not locked out."""
    now = now or utc_now()
    max_failures = current_app.config["LOGIN_MAX_FAILURES"]
    window = timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
    recent = list(
        db.session.scalars(
            select(LoginAttempt)
            .where(LoginAttempt.username == normalise_username(username), LoginAttempt.at > now - window)
            .order_by(LoginAttempt.at.desc())
            .limit(max_failures)
        )
    )
    if len(recent) < max_failures or any(attempt.succeeded for attempt in recent):
        return 0
    unlocked_at = recent[0].at + window
    return max(1, math.ceil((unlocked_at - now).total_seconds() / 60))


def authenticate(username: str, password: str, remote_addr: str | None) -> User | None:
    """The active user with these credentials, or None; every attempt is recorded (flushes)."""
    user = db.session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        # Checked against a hash all the same, so that an unknown username takes as long as a known one.
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        ok = False
    else:
        ok = user.check_password(password) and user.is_active
    db.session.add(LoginAttempt(username=normalise_username(username), succeeded=ok, remote_addr=remote_addr))
    db.session.flush()
    return user if ok else None
