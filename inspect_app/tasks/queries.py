"""Read-only task queries for inboxes and dashboards: the projection only, never a workflow."""

from sqlalchemy import func, or_, select, tuple_

from inspect_app import workflow_bridge
from inspect_app.access.lanes import tasks_naming
from inspect_app.cases.queries import cases_matching
from inspect_app.core import clock
from inspect_app.core.extensions import db
from inspect_app.core.search import matches
from inspect_app.models import Case, HumanTask, ProcessDefinition, TaskState, User

# Soonest due first; tasks without a due date after those with one (on every database), by age. No key is ever NULL,
# so that the list can be paged by keyset (core/keyset.py).
INBOX_ORDER = (
    HumanTask.due_at.is_(None),
    func.coalesce(HumanTask.due_at, HumanTask.created_at),
    HumanTask.created_at,
    HumanTask.id,
)


def inbox_query(user: User, *, search: str | None = None, overdue_only: bool = False):
    """The user's open tasks (those the lane names them for, not claimed by someone else), soonest due first."""
    query = (
        select(HumanTask)
        .join(HumanTask.case)
        .where(
            HumanTask.state == TaskState.READY,
            tasks_naming(user),
            or_(HumanTask.claimed_by_id.is_(None), HumanTask.claimed_by_id == user.id),
        )
    )
    if search and search.strip():
        named = _tasks_named(search)
        query = query.where(or_(cases_matching(search), tuple_(Case.definition_id, HumanTask.bpmn_id).in_(named)))
    if overdue_only:
        query = query.where(HumanTask.due_at < clock.now())
    return query.order_by(*INBOX_ORDER)


def _tasks_named(asked: str) -> list[tuple[int, str]]:
    """(process version, element id) of each task whose name, as the inbox shows it, contains the phrase `asked`."""
    return [
        (definition.id, element_id)
        for definition in db.session.scalars(select(ProcessDefinition))
        for element_id, name in workflow_bridge.element_names(definition).items()
        if matches(name, asked)
    ]
