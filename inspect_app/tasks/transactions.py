"""One way for every entry point (task pages, JSON API) to commit a task step and report a lost race."""

from flask import abort
from sqlalchemy.orm.exc import StaleDataError

from inspect_app.exceptions import Forbidden, ServiceError
from inspect_app.extensions import db
from inspect_app.tasks import services


def run_step(task_id: int, operation) -> ServiceError | None:
    """Run a task operation and commit once; return the refusal (after rolling back) instead of raising it.

    A concurrent change to the same case shows at commit as a StaleDataError: it becomes a Conflict naming who won.
    A Forbidden refusal aborts with 403 at once."""
    try:
        operation()
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return services.conflict_for(task_id)
    except ServiceError as refusal:
        db.session.rollback()
        if isinstance(refusal, Forbidden):
            abort(403)
        return refusal
    return None
