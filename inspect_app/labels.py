"""Human, translatable labels for every stored enum value and history action."""

from flask_babel import lazy_gettext as _l

from inspect_app.models import CaseStatus, CaseType, Lane, OrgLevel, Role, TaskState, TeamRole

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.DIRECTOR: _l("Director"),
    Role.LEAD: _l("Team lead"),
    Role.INSPECTOR: _l("Inspector"),
    Role.UNIT_OFFICER: _l("Unit officer"),
    Role.AUDITOR: _l("Auditor"),
}
TEAM_ROLE_LABELS = {TeamRole.LEAD: _l("Team lead"), TeamRole.MEMBER: _l("Team member")}
CASE_TYPE_LABELS = {CaseType.INSPECTION: _l("Inspection"), CaseType.PAR_APPRAISAL: _l("PAR appraisal")}
CASE_STATUS_LABELS = {
    CaseStatus.OPEN: _l("Open"),
    CaseStatus.CLOSED: _l("Closed"),
    CaseStatus.CANCELLED: _l("Cancelled"),
}
ORG_LEVEL_LABELS = {
    OrgLevel.PROVINCE: _l("Province"),
    OrgLevel.DEPARTMENT: _l("Department"),
    OrgLevel.DISTRICT: _l("District"),
    OrgLevel.COMMUNE: _l("Commune"),
}
LANE_LABELS = {
    Lane.DIRECTOR: _l("Director"),
    Lane.LEAD: _l("Team lead"),
    Lane.INSPECTOR: _l("Inspection team"),
    Lane.UNIT: _l("Inspected unit"),
    Lane.APPRAISER: _l("Appraisal team"),
    Lane.COUNCIL: _l("Appraisal council"),
}
TASK_STATE_LABELS = {TaskState.READY: _l("Open"), TaskState.COMPLETED: _l("Done"), TaskState.CANCELLED: _l("Cancelled")}
ACTION_LABELS = {
    "case.created": _l("Case opened"),
    "case.closed": _l("Case closed"),
    "team.added": _l("Added to the team"),
    "workflow.started": _l("Process started"),
    "task.completed": _l("Task completed"),
    "task.claimed": _l("Task taken"),
    "task.reassigned": _l("Task reassigned"),
    "timer.fired": _l("Deadline passed"),
}

_ALL = {
    **ROLE_LABELS,
    **CASE_TYPE_LABELS,
    **CASE_STATUS_LABELS,
    **ORG_LEVEL_LABELS,
    **TASK_STATE_LABELS,
    **ACTION_LABELS,
}


def label(value, kind: dict | None = None) -> str:
    """The label of an enum value or action name; the raw value when none is defined."""
    return (kind or _ALL).get(value, value)
