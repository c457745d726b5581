"""Who hears about what. A notification is stored as a kind and its parameters, never as text: it is worded when
read (in the reader's language) or mailed (in the recipient's). Functions here flush at most; the entry point commits,
and e-mail goes out later (see mail.py), never inside the change's transaction."""

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import bindparam, func, insert, literal, select, union_all, update
from sqlalchemy.dialects import postgresql, sqlite

from inspect_app.access.lanes import LANE_RULES, lane_members, lane_pairs_of
from inspect_app.access.visibility import notifications_visible_to
from inspect_app.core import clock
from inspect_app.core.extensions import db
from inspect_app.core.formats import calendar_date
from inspect_app.models import Case, CaseStatus, Finding, FindingState, HumanTask, Lane, Notification, User


class Kind(enum.StrEnum):
    """What a notification is about; each kind has its own parameters and wording (see `describe`)."""

    TASK_ASSIGNED = "task_assigned"
    REMEDIATION_DUE = "remediation_due"
    REMEDIATION_OVERDUE = "remediation_overdue"
    REMEDIATION_REJECTED = "remediation_rejected"
    SELF_ASSESSMENT_LOCKED = "self_assessment_locked"


# The boundary timer on the remediation task (bpmn/public_service_inspection.bpmn) that fires at the deadline.
OVERDUE_TIMER = "remediation_overdue"
# The unit is reminded once a finding's deadline is this many days away or fewer.
REMIND_DAYS_BEFORE = 3


def notify(users, kind: Kind, *, case: Case | None, params: dict) -> list[Notification]:
    """Write one notification of `kind` for each distinct user, in the caller's transaction."""
    now, rows, seen = clock.now(), [], set()
    for user in users:
        if user.id in seen:
            continue
        seen.add(user.id)
        row = Notification(
            user_id=user.id, case_id=case.id if case else None, kind=kind, params=dict(params), created_at=now
        )
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    return rows


def notify_step(case: Case, step, *, actor: User | None) -> None:
    """After an engine step: tell who may do each task it opened (never the actor), and, when the remediation
    deadline passed, the unit's officers and the directors."""
    notify_assigned(case, step.opened, actor=actor)
    if OVERDUE_TIMER in step.fired:
        notify_overdue(case)


def notify_assigned(case: Case, tasks: list[HumanTask], *, actor: User | None) -> None:
    """Tell each candidate of each task (its lane's people; only the claimant of a claimed task; never the actor)
    that the task is theirs to do: one notification per person and task, written by one INSERT ... SELECT."""
    tasks = [task for task in tasks if task.lane in LANE_RULES]
    if not tasks:
        return
    db.session.flush()  # the tasks' ids, named in the notifications
    values = {"case_id": case.id, "created_at": clock.now(), "actor_id": actor.id if actor is not None else None}
    for number, task in enumerate(tasks):
        values[f"params_{number}"] = {"task_id": task.id, "task": task.title, "case": case.reference}
        values[f"claimed_by_{number}"] = task.claimed_by_id
    shape = tuple((task.lane, task.claimed_by_id is not None) for task in tasks)
    db.session.execute(_assignment_insert(shape, actor is not None), values)


@lru_cache(maxsize=64)
def _assignment_insert(tasks: tuple[tuple[str, bool], ...], has_actor: bool):
    """The INSERT ... SELECT of notify_assigned for tasks of these (lane, claimed) kinds, built once per kind: each
    call only binds its values (SQLAlchemy keeps a statement's cache key on the statement)."""
    columns = Notification.__table__.c
    case_id = bindparam("case_id", type_=columns.case_id.type)
    selects = []
    for number, (lane, claimed) in enumerate(tasks):
        pairs = lane_pairs_of(lane, case_id)
        query = select(
            pairs.c.user_id,
            case_id,
            literal(Kind.TASK_ASSIGNED.value, columns.kind.type),
            bindparam(f"params_{number}", type_=columns.params.type),
            bindparam("created_at", type_=columns.created_at.type),
        )
        if claimed:
            query = query.where(pairs.c.user_id == bindparam(f"claimed_by_{number}"))
        if has_actor:
            query = query.where(pairs.c.user_id != bindparam("actor_id"))
        selects.append(query.order_by(pairs.c.full_name, pairs.c.user_id))
    source = selects[0] if len(selects) == 1 else union_all(*(each.subquery().select() for each in selects))
    # The table, not the class: given a dict, an ORM insert would take it for rows to insert (bulk mode).
    return insert(Notification.__table__).from_select(["user_id", "case_id", "kind", "params", "created_at"], source)


def notify_overdue(case: Case) -> None:
    """Tell the unit's officers and the directors that the case's remediation deadline has passed."""
    waiting = list(
        db.session.scalars(select(Finding).where(Finding.case_id == case.id, Finding.state == FindingState.OPEN))
    )
    deadline = min((f.deadline for f in waiting if f.deadline), default=None)
    params = {"case": case.reference, "count": len(waiting), "deadline": deadline.isoformat() if deadline else None}
    recipients = lane_members(Lane.UNIT, case) + lane_members(Lane.DIRECTOR, case)
    notify(recipients, Kind.REMEDIATION_OVERDUE, case=case, params=params)


def notify_rejected(finding: Finding, *, reason: str) -> None:
    """Tell the unit's officers that the remediation they reported on a finding was rejected."""
    params = {
        "finding_id": finding.id,
        "finding": finding.title,
        "case": finding.case.reference,
        "reason": reason,
        "deadline": finding.deadline.isoformat() if finding.deadline else None,
    }
    notify(lane_members(Lane.UNIT, finding.case), Kind.REMEDIATION_REJECTED, case=finding.case, params=params)


def notify_self_assessment_locked(case: Case) -> None:
    """Tell the unit's officers and the appraisal lead that the deadline locked a self-assessment."""
    recipients = [*lane_members(Lane.UNIT, case), *lane_members(Lane.LEAD, case)]
    notify(recipients, Kind.SELF_ASSESSMENT_LOCKED, case=case, params={"case": case.reference})


def send_due_reminders(now: datetime) -> int:
    """Remind the unit's officers of every open finding due within 3 days, once per finding and deadline.

    A rerun, or another worker at the same moment, sends nothing twice: each reminder carries a dedupe key and is
    inserted with ON CONFLICT DO NOTHING. Returns how many were written (the caller commits)."""
    today = now.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()
    query = (
        select(Finding)
        .join(Case, Finding.case_id == Case.id)
        .where(
            Finding.state == FindingState.OPEN,
            Case.status == CaseStatus.OPEN,
            Finding.deadline >= today,
            Finding.deadline <= today + timedelta(days=REMIND_DAYS_BEFORE),
        )
        .order_by(Finding.id)
    )
    written = 0
    for finding in db.session.scalars(query):
        deadline = finding.deadline.isoformat()
        params = {"finding_id": finding.id, "finding": finding.title, "case": finding.case.reference}
        for user in lane_members(Lane.UNIT, finding.case):
            written += _insert_once(
                user_id=user.id,
                case_id=finding.case_id,
                kind=Kind.REMEDIATION_DUE.value,
                params={**params, "deadline": deadline},
                dedupe_key=f"{Kind.REMEDIATION_DUE}:{finding.id}:{deadline}:{user.id}",
                created_at=now,
            )
    return written


def _insert_once(**values) -> int:
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(Notification)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(Notification.id)
    )
    # RETURNING, not rowcount: psycopg reports -1 rows for an INSERT ... ON CONFLICT DO NOTHING.
    return len(db.session.execute(statement).all())


# --- reading ------------------------------------------------------------------------------------------------------


# Newest first, a page at a time by keyset (core/keyset.py): the id orders notifications written at the same moment.
NEWEST_FIRST = (Notification.created_at, Notification.id)


def notifications_for(user: User):
    """The user's own notifications (a query to page through by `NEWEST_FIRST`)."""
    return select(Notification).where(notifications_visible_to(user))


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread (one COUNT query)."""
    # count(*): the partial index of unread notifications answers it alone (counting ids would read every row).
    query = select(func.count()).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    return db.session.scalar(query)


def mark_read(notification: Notification, *, now: datetime) -> None:
    """Mark one notification read (again is harmless)."""
    if notification.read_at is None:
        notification.read_at = now


def mark_all_read(user: User, *, now: datetime) -> int:
    """Mark every unread notification of the user read; returns how many."""
    statement = (
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(statement).rowcount


@dataclass(frozen=True)
class Notice:
    """A notification worded in the current language, and the page it leads to."""

    title: str
    text: str
    endpoint: str
    values: dict = field(default_factory=dict)


def describe(notification: Notification) -> Notice:
    """Word the notification in the current locale (the reader's, or the one forced for an e-mail)."""
    p = notification.params
    if notification.kind == Kind.TASK_ASSIGNED:
        text = _("You have a new task in %(case)s: %(task)s.", case=p["case"], task=_task_title(p))
        return Notice(_("New task"), text, "tasks.detail", {"task_id": p["task_id"]})
    if notification.kind == Kind.REMEDIATION_DUE:
        text = _(
            "The remediation of “%(finding)s” (%(case)s) is due on %(deadline)s.",
            finding=p["finding"],
            case=p["case"],
            deadline=_date(p["deadline"]),
        )
        return Notice(_("Remediation due soon"), text, "inspections.finding", {"finding_id": p["finding_id"]})
    if notification.kind == Kind.REMEDIATION_OVERDUE:
        text = ngettext(
            "The remediation deadline of %(case)s (%(deadline)s) has passed; %(num)d finding is still open.",
            "The remediation deadline of %(case)s (%(deadline)s) has passed; %(num)d findings are still open.",
            p["count"],
            case=p["case"],
            deadline=_date(p["deadline"]),
        )
        return Notice(_("Remediation overdue"), text, "cases.detail", {"case_id": notification.case_id})
    if notification.kind == Kind.REMEDIATION_REJECTED:
        text = _(
            "The remediation report on “%(finding)s” (%(case)s) was rejected: %(reason)s. New deadline: %(deadline)s.",
            finding=p["finding"],
            case=p["case"],
            reason=p["reason"],
            deadline=_date(p["deadline"]),
        )
        return Notice(_("Remediation rejected"), text, "inspections.finding", {"finding_id": p["finding_id"]})
    if notification.kind == Kind.SELF_ASSESSMENT_LOCKED:
        text = _(
            "The self-assessment deadline of %(case)s passed before it was submitted; its scores are locked.",
            case=p["case"],
        )
        return Notice(_("Self-assessment locked"), text, "cases.detail", {"case_id": notification.case_id})
    return Notice(notification.kind, "", "notifications.index")


def _task_title(params: dict) -> str:
    """The task's name in the reader's language (stored as an id: the notification is worded when read)."""
    task = db.session.get(HumanTask, params["task_id"])
    return task.display_title if task is not None else params["task"]


def _date(value: str | None) -> str:
    return calendar_date(date.fromisoformat(value)) if value else "–"
