"""One unit of work per entry point: each request, CLI command and worker item commits once, here and nowhere else.

Services only flush. Any exception rolls everything back, so a refused or failed step leaves nothing half-written,
not even a success message. A lost race (a row another transaction changed first, caught by its version counter)
becomes a Conflict that names the winner; endpoints that carry a device's client_id may run once more, and the
second run finds the winner's row or builds on it."""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps

from flask import Flask, has_request_context, session
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from inspect_app.core.exceptions import Conflict, DatabaseUnavailable
from inspect_app.core.extensions import db

logger = logging.getLogger(__name__)
_EXPLAIN_CONFLICT = "inspect.explain_conflict"
# PostgreSQL's deadlock and serialization failures, and SQLite's busy database: the other side went first.
_LOST_RACE_SQLSTATES = {"40P01", "40001"}


def _is_lost_race(error: BaseException) -> bool:
    if isinstance(error, StaleDataError):
        return True
    if not isinstance(error, DBAPIError) or isinstance(error, IntegrityError):
        return False
    return getattr(error.orig, "sqlstate", None) in _LOST_RACE_SQLSTATES or "database is locked" in str(error.orig)


def explain_conflict(explain: Callable[[], Conflict]) -> None:
    """Name who won, should this unit of work lose a race; `explain` runs after the rollback, on fresh data."""
    db.session.info[_EXPLAIN_CONFLICT] = explain


def _lost_race() -> Conflict:
    explain = db.session.info.pop(_EXPLAIN_CONFLICT, None)
    if explain is not None:
        return explain()
    return Conflict(_("Someone else changed this at the same moment. Nothing was saved; try again."))


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit once when the block ends; roll back on any exception; a lost race raises a Conflict naming who won."""
    flashed = list(session.get("_flashes", [])) if has_request_context() else None
    try:
        yield
        db.session.commit()
    except BaseException as error:
        db.session.rollback()
        if flashed is not None and session.get("_flashes", []) != flashed:
            session["_flashes"] = flashed
        if _is_lost_race(error):
            raise _lost_race() from None
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            logger.warning("database connection lost: %s", error.orig)
            raise DatabaseUnavailable(
                _("The connection to the database was lost. Nothing was saved; try again in a moment.")
            ) from None
        raise
    finally:
        db.session.info.pop(_EXPLAIN_CONFLICT, None)


def run_in_unit_of_work(operation: Callable, *, retry: bool = False):
    """Run `operation` in a unit of work and return its result.

    With `retry`, a lost race (a duplicate client_id or a stale row) or a lost database connection runs it once
    more, after the rollback: for idempotent device requests, whose second run finds the winner's row or builds on
    it."""
    if retry:
        try:
            with unit_of_work():
                return operation()
        except (Conflict, DatabaseUnavailable, IntegrityError):
            pass
    try:
        with unit_of_work():
            return operation()
    except IntegrityError:
        raise _lost_race() from None


def transactional(view=None, *, retry: bool = False):
    """Run a view in its own unit of work (every view gets one through `install`; use this to ask for `retry`)."""

    def decorate(function):
        @wraps(function)
        def wrapped(*args, **kwargs):
            return run_in_unit_of_work(lambda: function(*args, **kwargs), retry=retry)

        wrapped.runs_in_unit_of_work = True
        return wrapped

    return decorate(view) if view is not None else decorate


def install(app: Flask) -> None:
    """Give every view of the app a unit of work, so that no entry point can forget to commit or roll back."""
    for endpoint, view in app.view_functions.items():
        if endpoint != "static" and not getattr(view, "runs_in_unit_of_work", False):
            app.view_functions[endpoint] = transactional(view)
