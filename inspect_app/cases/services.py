"""Case operations; each flushes and records history, and the caller commits."""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from inspect_app.core import clock
from inspect_app.core.extensions import db
from inspect_app.history import record_event
from inspect_app.models import (
    Case,
    CaseStatus,
    CaseTeamMember,
    CaseType,
    OrgUnit,
    ReferenceCounter,
    TaskState,
    TeamRole,
    TimerState,
    User,
    WorkflowTimer,
)
from inspect_app.models.cases import REFERENCE_PREFIX


def next_reference(case_type: CaseType, year: int) -> str:
    """The next reference for the type and year, e.g. KT-2022-0007 (and KT-2022-10000 after KT-2022-9999)."""
    return f"{REFERENCE_PREFIX[case_type]}-{year}-{_take_number(case_type, year):04d}"


def _take_number(case_type: CaseType, year: int) -> int:
    """The type's next number in the year. The counter row stays locked until this transaction ends: cases opened at
    the same moment take turns, and a rolled-back opening gives its number back."""
    counter = (ReferenceCounter.case_type == case_type) & (ReferenceCounter.year == year)
    take = (
        update(ReferenceCounter)
        .where(counter)
        .values(last_number=ReferenceCounter.last_number + 1)
        .returning(ReferenceCounter.last_number)
    )
    number = db.session.execute(take, execution_options={"synchronize_session": False}).scalar()
    if number is None:  # the type's first case of the year
        _start_counter(case_type, year)
        number = db.session.execute(take, execution_options={"synchronize_session": False}).scalar_one()
    return number


def _start_counter(case_type: CaseType, year: int) -> None:
    """Make the year's counter row, at the highest number already given (none, unless cases came some other way).

    Of several transactions starting it at once, one inserts and the others wait for it, then find it."""
    prefix = f"{REFERENCE_PREFIX[case_type]}-{year}-"
    given = db.session.scalars(select(Case.reference).where(Case.reference.startswith(prefix, autoescape=True)))
    last = max((int(tail) for ref in given if (tail := ref.removeprefix(prefix)).isdigit()), default=0)
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    start = dialect.insert(ReferenceCounter).values(case_type=case_type, year=year, last_number=last)
    db.session.execute(start.on_conflict_do_nothing())


def create_case(
    *,
    case_type: CaseType,
    title: str,
    subject_unit: OrgUnit,
    actor: User | None,
    year: int | None = None,
    client_id: str | None = None,
) -> Case:
    """Open a case with a fresh reference and record its creation."""
    now = clock.now()
    case = Case(
        client_id=client_id,
        reference=next_reference(case_type, year or now.year),
        case_type=case_type,
        title=title,
        subject_unit=subject_unit,
        created_by=actor,
        created_at=now,
    )
    db.session.add(case)
    db.session.flush()
    record_event(
        case,
        "case.created",
        actor=actor,
        details={"reference": case.reference, "type": case_type.value, "title": title, "unit": subject_unit.code},
    )
    return case


def add_team_member(case: Case, user: User, role: TeamRole, *, actor: User | None) -> CaseTeamMember:
    """Put a user on the case's team (one lead per case) and record it."""
    if role == TeamRole.LEAD and case.lead is not None:
        raise ValueError(f"{case.reference} already has a team lead")
    member = CaseTeamMember(user=user, role=role)
    case.team.append(member)
    db.session.flush()
    record_event(case, "team.added", actor=actor, details={"user": user.username, "role": role.value})
    return member


def close_case(case: Case, *, actor: User | None, reason: str, at: datetime | None = None) -> None:
    """Close the case; it becomes read-only, and whatever task or timer was still open is cancelled."""
    # Read what is still open before changing the case: a change made first would be flushed by these reads, on its
    # own UPDATE, instead of going out with the event's (history.record_event).
    open_tasks = case.open_tasks
    waiting_timers = db.session.scalars(
        select(WorkflowTimer).where(WorkflowTimer.case_id == case.id, WorkflowTimer.engine_may_wait_on())
    ).all()
    old = case.status
    case.status = CaseStatus.CLOSED
    case.closed_at = at or clock.now()
    for task in open_tasks:
        task.state = TaskState.CANCELLED
    for timer in waiting_timers:
        timer.state = TimerState.CANCELLED
    record_event(case, "case.closed", actor=actor, details={"status": [old.value, case.status.value], "reason": reason})
