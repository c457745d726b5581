"""Password checks and throttling of repeated failed sign-ins, kept in the database.

Failures are counted per username and client address, and per client address whatever the username: an outsider
who fails again and again locks out only themselves, never the account's owner signing in from elsewhere."""

import ipaddress
import math
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from inspect_app.core import clock
from inspect_app.core.exceptions import NotAuthenticated, TooManyRequests
from inspect_app.core.extensions import db
from inspect_app.core.locks import take_turns
from inspect_app.models import LoginAttempt, User


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("no such user", method=method)


def normalise_username(username: str) -> str:
    """Usernames are compared trimmed and lower-case."""
    return username.strip().lower()


def client_address(remote_addr: str | None) -> str:
    """The address sign-ins are counted by: the client's IP address, or an IPv6 client's /64 network.

    One IPv6 client usually holds a whole /64, and would otherwise try from a new address each time."""
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return (remote_addr or "unknown")[:64]
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is 192.0.2.1
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))


def count_attempt(username: str, remote_addr: str | None) -> LoginAttempt:
    """Record a sign-in attempt as failed, unless too many failed before (429); flushes.

    Attempts from one client address take turns here: of many at once, no more are let through than the limits
    allow. The entry point commits the attempt before the password is checked, so that none waits for another's
    check, and a failure counts whatever the rest of the request does."""
    address = client_address(remote_addr)
    take_turns(f"sign-in:{address}")
    attempt = LoginAttempt(username=normalise_username(username), remote_addr=address, succeeded=False, at=clock.now())
    db.session.add(attempt)
    db.session.flush()  # on SQLite, this first write makes the others wait until the commit
    _refuse_while_locked_out(attempt)
    return attempt


def authenticate(attempt: LoginAttempt, password: str) -> User:
    """The active user `attempt` names, if the password is theirs (the attempt then succeeded); else 401."""
    user = db.session.scalar(select(User).where(User.username == attempt.username))
    if user is None:
        # Checked against a hash all the same, so that an unknown username takes as long as a known one.
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
    if user is None or not user.check_password(password) or not user.is_active:
        raise NotAuthenticated(_("Wrong username or password."))
    attempt.succeeded = True
    db.session.flush()
    return user


def _refuse_while_locked_out(attempt: LoginAttempt) -> None:
    """Refuse if, before `attempt`, too many sign-ins failed for its username from its address, or from its address."""
    config = current_app.config
    earlier = LoginAttempt.remote_addr == attempt.remote_addr, LoginAttempt.id != attempt.id
    # A success ends the count for its username; failures under other usernames count until they age out.
    minutes = _minutes_locked(config["LOGIN_MAX_FAILURES"], *earlier, LoginAttempt.username == attempt.username)
    if minutes:
        raise TooManyRequests(
            _(
                "Too many failed sign-in attempts for this username. Try again in %(minutes)d minutes.",
                minutes=minutes,
            )
        )
    minutes = _minutes_locked(config["LOGIN_MAX_FAILURES_PER_ADDRESS"], *earlier, LoginAttempt.succeeded.is_(False))
    if minutes:
        raise TooManyRequests(
            _("Too many failed sign-in attempts from your network. Try again in %(minutes)d minutes.", minutes=minutes)
        )


def _minutes_locked(limit: int, *conditions: ColumnElement[bool]) -> int:
    """Minutes left while the last `limit` attempts meeting `conditions` in the window all failed; else 0."""
    now = clock.now()
    window = timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
    recent = db.session.execute(
        select(LoginAttempt.at, LoginAttempt.succeeded)
        .where(*conditions, LoginAttempt.at > now - window)
        .order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc())
        .limit(limit)
    ).all()
    if len(recent) < limit or any(succeeded for _at, succeeded in recent):
        return 0
    # The oldest of them leaves the window first; then one more attempt is let through.
    return max(1, math.ceil((recent[-1].at + window - now).total_seconds() / 60))


def prune_login_attempts(now: datetime) -> int:
    """Delete the sign-in attempts older than LOGIN_ATTEMPTS_KEEP_HOURS; return how many (flushes)."""
    config = current_app.config
    # Never the attempts that still count: those within the lock-out window.
    keep = max(timedelta(hours=config["LOGIN_ATTEMPTS_KEEP_HOURS"]), timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"]))
    return db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - keep)).rowcount
