"""All models, imported here so that Alembic sees every table."""

from inspect_app.models.cases import Case, CaseTeamMember
from inspect_app.models.enums import (
    Answer,
    CaseStatus,
    CaseType,
    ContentArea,
    CriterionKind,
    FindingState,
    Lane,
    OrgLevel,
    Role,
    RoundStatus,
    Severity,
    TaskState,
    TeamRole,
    TimerState,
    Verdict,
    WorkflowState,
)
from inspect_app.models.history import CaseEvent
from inspect_app.models.inspections import (
    ChecklistAnswer,
    ChecklistItem,
    ChecklistTemplate,
    EvidenceFile,
    Finding,
    Inspection,
    RemediationReport,
)
from inspect_app.models.notifications import Notification
from inspect_app.models.org import OrgUnit
from inspect_app.models.par import (
    CriteriaSet,
    Criterion,
    ItemScore,
    ParAssessment,
    ParRound,
    ParStep,
    RoundCriteriaSet,
    ScoreAdjustment,
    SurveyScore,
)
from inspect_app.models.tokens import ApiToken
from inspect_app.models.users import LoginAttempt, RoleAssignment, User
from inspect_app.models.workflow import HumanTask, ProcessDefinition, WorkflowTimer

__all__ = [
    "CriteriaSet",
    "Criterion",
    "CriterionKind",
    "ItemScore",
    "ParAssessment",
    "ParRound",
    "ParStep",
    "RoundCriteriaSet",
    "RoundStatus",
    "ScoreAdjustment",
    "SurveyScore",
    "Answer",
    "ChecklistAnswer",
    "ChecklistItem",
    "ChecklistTemplate",
    "ContentArea",
    "EvidenceFile",
    "Finding",
    "FindingState",
    "Inspection",
    "Notification",
    "RemediationReport",
    "Severity",
    "Verdict",
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
