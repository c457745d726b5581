"""Read-only task queries for inboxes and dashboards: the projection only, never a workflow."""

from sqlalchemy import or_, select

from inspect_app.core import clock
from inspect_app.models import Case, HumanTask, TaskState, User
from inspect_app.models.workflow import human_task_candidates


def inbox_query(user: User, *, search: str | None = None, overdue_only: bool = False):
    """The user's open tasks (those the lane names them for, not claimed by someone else), soonest due first."""
    mine = select(human_task_candidates.c.human_task_id).where(human_task_candidates.c.user_id == user.id)
    query = (
        select(HumanTask)
        .join(HumanTask.case)
        .where(
            HumanTask.state == TaskState.READY,
            HumanTask.id.in_(mine),
            or_(HumanTask.claimed_by_id.is_(None), HumanTask.claimed_by_id == user.id),
        )
    )
    if search:
        pattern = f"%{search.strip()}%"
        query = query.where(
            or_(Case.reference.ilike(pattern), Case.title.ilike(pattern), HumanTask.title.ilike(pattern))
        )
    if overdue_only:
        query = query.where(HumanTask.due_at < clock.now())
    # Tasks without a due date come after those with one, on every database.
    return query.order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at, HumanTask.id)
