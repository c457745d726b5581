"""All models, imported here so that Alembic sees every table."""

from inspect_app.models.cases import Case, CaseTeamMember
from inspect_app.models.enums import CaseStatus, CaseType, OrgLevel, Role, TeamRole
from inspect_app.models.history import CaseEvent
from inspect_app.models.org import OrgUnit
from inspect_app.models.users import LoginAttempt, RoleAssignment, User

__all__ = [
    "Case",
    "CaseEvent",
    "CaseStatus",
    "CaseTeamMember",
    "CaseType",
    "LoginAttempt",
    "OrgLevel",
    "OrgUnit",
    "Role",
    "RoleAssignment",
    "TeamRole",
    "User",
]
