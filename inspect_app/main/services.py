"""What each role's dashboard shows: read from domain tables only."""

from sqlalchemy import func, select

from inspect_app.audit.describe import described
from inspect_app.core.clock import today
from inspect_app.core.extensions import db
from inspect_app.models import (
    Case,
    CaseEvent,
    CaseStatus,
    CaseTeamMember,
    Finding,
    FindingState,
    Inspection,
    OrgUnit,
    Role,
    TeamRole,
    User,
)
from inspect_app.par.dashboard import par_section
from inspect_app.tasks.queries import inbox_query

DASHBOARD_ROWS = 8


def _open_cases(*where):
    query = select(Case).where(Case.status == CaseStatus.OPEN, *where).order_by(Case.created_at.desc())
    return list(db.session.scalars(query.limit(DASHBOARD_ROWS)))


def dashboard_sections(user: User) -> list[dict]:
    """The user's open tasks, then one section per role the user holds, each with its rows (possibly none)."""
    sections = []
    if user.roles and not user.has_role(Role.DIRECTOR):  # a director's tasks are the approvals section below
        sections.append({"key": "tasks", "tasks": list(db.session.scalars(inbox_query(user).limit(DASHBOARD_ROWS)))})
    if user.has_role(Role.ADMIN):
        counts = {
            "units": db.session.scalar(select(func.count(OrgUnit.id))),
            "users": db.session.scalar(select(func.count(User.id))),
            "cases": db.session.scalar(select(func.count(Case.id))),
        }
        sections.append({"key": "admin", "counts": counts})
    if user.has_role(Role.DIRECTOR):
        approvals = inbox_query(user)
        sections.append(
            {
                "key": "director",
                "approvals": list(db.session.scalars(approvals.limit(DASHBOARD_ROWS))),
                "cases": _open_cases(),
            }
        )
    if user.has_role(Role.LEAD):
        led = select(CaseTeamMember.case_id).where(
            CaseTeamMember.user_id == user.id, CaseTeamMember.role == TeamRole.LEAD
        )
        sections.append({"key": "lead", "cases": _open_cases(Case.id.in_(led))})
    if user.has_role(Role.INSPECTOR):
        member = select(CaseTeamMember.case_id).where(CaseTeamMember.user_id == user.id)
        day = today()
        on_site_today = (
            select(Case)
            .join(Inspection, Inspection.case_id == Case.id)
            .where(
                Case.id.in_(member),
                Case.status == CaseStatus.OPEN,
                Inspection.planned_start <= day,
                Inspection.planned_end >= day,
            )
            .order_by(Inspection.planned_start, Case.id)
        )
        sections.append(
            {
                "key": "inspector",
                "today": list(db.session.scalars(on_site_today.limit(DASHBOARD_ROWS))),
                "cases": _open_cases(Case.id.in_(member)),
            }
        )
    if user.has_role(Role.UNIT_OFFICER) and user.unit_id is not None:
        about_my_unit = Case.subject_unit_id.in_(OrgUnit.subtree_ids(user.unit_id))
        requests = (
            select(Finding)
            .join(Finding.case)
            .where(about_my_unit, Finding.state == FindingState.OPEN)
            .order_by(Finding.deadline, Finding.id)
        )
        sections.append(
            {
                "key": "unit_officer",
                "remediation": list(db.session.scalars(requests.limit(DASHBOARD_ROWS))),
                "today": today(),
                "cases": _open_cases(about_my_unit),
            }
        )
    if user.has_role(Role.AUDITOR):
        events = db.session.scalars(select(CaseEvent).order_by(CaseEvent.id.desc()).limit(DASHBOARD_ROWS))
        sections.append({"key": "auditor", "events": described(events)})
    par = par_section(user)
    if par is not None:
        sections.append(par)
    return sections
