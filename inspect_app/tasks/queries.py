"""Read-only task queries for inboxes and dashboards: the projection only, never a workflow."""

from sqlalchemy import func, or_, select, tuple_

from inspect_app import workflow_bridge
from inspect_app.access.lanes import lanes_naming, tasks_naming
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
    found = _InboxFilter(user, search, overdue_only)
    return found.applied(select(HumanTask), tasks_naming(user)).order_by(*INBOX_ORDER)


def inbox_count(user: User, *, search: str | None = None, overdue_only: bool = False) -> int:
    """How many tasks `inbox_query` lists, in one statement.

    A task is in one lane, so the count is the sum of each lane's count, and each lane is counted through its own
    index (a director's lanes by name, a team lane from the user's team): one test of every open task against every
    lane took most of a long inbox's page."""
    found = _InboxFilter(user, search, overdue_only)
    counts = [
        found.applied(select(func.count()).select_from(HumanTask), lane).scalar_subquery()
        for lane in lanes_naming(user)
    ]
    return db.session.scalar(select(sum(counts[1:], counts[0]))) if counts else 0


class _InboxFilter:
    """What narrows an inbox besides the lanes: open, not claimed by another, and the reader's search and filter."""

    def __init__(self, user: User, search: str | None, overdue_only: bool):
        self.where = [
            HumanTask.state == TaskState.READY,
            or_(HumanTask.claimed_by_id.is_(None), HumanTask.claimed_by_id == user.id),
        ]
        if overdue_only:
            self.where.append(HumanTask.due_at < clock.now())
        self.search = None
        if search and search.strip():
            named = _tasks_named(search)
            self.search = or_(cases_matching(search), tuple_(Case.definition_id, HumanTask.bpmn_id).in_(named))

    def applied(self, query, naming):
        """`query` narrowed to the tasks `naming` (lanes) selects and the rest of the filter."""
        query = query.where(*self.where, naming)
        # Only a search reads the case (every task has one): a long inbox is then listed and counted without it.
        return query if self.search is None else query.join(HumanTask.case).where(self.search)


def _tasks_named(asked: str) -> list[tuple[int, str]]:
    """(process version, element id) of each task whose name, as the inbox shows it, contains the phrase `asked`."""
    return [
        (definition.id, element_id)
        for definition in db.session.scalars(select(ProcessDefinition))
        for element_id, name in workflow_bridge.element_names(definition).items()
        if matches(name, asked)
    ]
