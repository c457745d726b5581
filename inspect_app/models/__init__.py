"""All models, imported here so that Alembic sees every table."""

from inspect_app.models.cases import Case, CaseTeamMember
from inspect_app.models.enums import (
    CaseStatus,
    CaseType,
    Lane,
    OrgLevel,
    Role,
    TaskState,
    TeamRole,
    TimerState,
    WorkflowState,
)
from inspect_app.models.history import CaseEvent
from inspect_app.models.org import OrgUnit
from inspect_app.models.tokens import ApiToken
from inspect_app.models.users import LoginAttempt, RoleAssignment, User
from inspect_app.models.workflow import HumanTask, ProcessDefinition, WorkflowTimer

__all__ = [
    "ApiToken",
    "HumanTask",
    "Lane",
    "ProcessDefinition",
    "TaskState",
    "TimerState",
    "WorkflowState",
    "WorkflowTimer",
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
