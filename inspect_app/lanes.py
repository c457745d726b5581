"""Who each BPMN lane names on a case: the candidates for the lane's tasks."""

from sqlalchemy import select

from inspect_app.core.extensions import db
from inspect_app.models import Case, Lane, Role, RoleAssignment, TeamRole, User


def _with_role(role: Role) -> list[User]:
    query = select(User).join(RoleAssignment).where(RoleAssignment.role == role, User.is_active.is_(True))
    return list(db.session.scalars(query.order_by(User.id)))


def _team(case: Case, *roles: TeamRole) -> list[User]:
    return [member.user for member in case.team if member.role in roles and member.user.is_active]


def _unit_officers(case: Case) -> list[User]:
    query = (
        select(User)
        .join(RoleAssignment)
        .where(RoleAssignment.role == Role.UNIT_OFFICER, User.unit_id == case.subject_unit_id, User.is_active.is_(True))
    )
    return list(db.session.scalars(query.order_by(User.id)))


LANES = {
    Lane.DIRECTOR: lambda case: _with_role(Role.DIRECTOR),
    Lane.LEAD: lambda case: _team(case, TeamRole.LEAD),
    Lane.INSPECTOR: lambda case: _team(case, TeamRole.LEAD, TeamRole.MEMBER),
    Lane.UNIT: _unit_officers,
    # PAR cases: the case team is the round's appraisal team; the council acts through users with the director role.
    Lane.APPRAISER: lambda case: _team(case, TeamRole.MEMBER),
    Lane.COUNCIL: lambda case: _with_role(Role.DIRECTOR),
}


def lane_candidates(lane: str | None, case: Case) -> list[User]:
    """The users the lane names on `case` (none for a lane the app does not know)."""
    return LANES[Lane(lane)](case) if lane in LANES else []
