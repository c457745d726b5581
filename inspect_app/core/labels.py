"""Human, translatable labels for every stored enum value and history action."""

from flask_babel import lazy_gettext as _l

from inspect_app.models import (
    Answer,
    CaseStatus,
    CaseType,
    ContentArea,
    FindingState,
    Lane,
    OrgLevel,
    Role,
    RoundStatus,
    Severity,
    TaskState,
    TeamRole,
    Verdict,
    WorkflowState,
)

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
CONTENT_AREA_LABELS = {
    ContentArea.DIRECTION: _l("Direction and administration"),
    ContentArea.INSTITUTIONS: _l("Institutions"),
    ContentArea.PROCEDURES: _l("Administrative procedures"),
    ContentArea.ORGANISATION: _l("Organisation"),
    ContentArea.CIVIL_SERVICE: _l("Civil service"),
    ContentArea.PUBLIC_FINANCE: _l("Public finance"),
    ContentArea.E_GOVERNMENT: _l("E-government"),
}
ANSWER_LABELS = {
    Answer.COMPLIANT: _l("Compliant"),
    Answer.NOT_COMPLIANT: _l("Not compliant"),
    Answer.NOT_APPLICABLE: _l("Not applicable"),
}
SEVERITY_LABELS = {
    Severity.OBSERVATION: _l("Observation"),
    Severity.MINOR: _l("Minor"),
    Severity.MAJOR: _l("Major"),
    Severity.CRITICAL: _l("Critical"),
}
FINDING_STATE_LABELS = {
    FindingState.DRAFT: _l("Draft"),
    FindingState.KEPT: _l("In the minutes"),
    FindingState.DROPPED: _l("Dropped"),
    FindingState.MERGED: _l("Merged"),
    FindingState.OPEN: _l("Awaiting remediation"),
    FindingState.NOTED: _l("Noted"),
    FindingState.REPORTED: _l("Remediation reported"),
    FindingState.ACCEPTED: _l("Remediation accepted"),
    FindingState.UNRESOLVED: _l("Unresolved"),
}
VERDICT_LABELS = {Verdict.ACCEPTED: _l("Accepted"), Verdict.REJECTED: _l("Rejected")}
WORKFLOW_STATE_LABELS = {
    WorkflowState.RUNNING: _l("Running"),
    WorkflowState.WAITING: _l("Waiting"),
    WorkflowState.COMPLETED: _l("Finished"),
    WorkflowState.CANCELLED: _l("Cancelled"),
    WorkflowState.ERROR: _l("Stopped by an error"),
}
ROUND_STATUS_LABELS = {
    RoundStatus.OPEN: _l("Open"),
    RoundStatus.PUBLISHED: _l("Published"),
    RoundStatus.CLOSED: _l("Closed"),
}
ACTION_LABELS = {
    "case.created": _l("Case opened"),
    "case.closed": _l("Case closed"),
    "team.added": _l("Added to the team"),
    "workflow.started": _l("Process started"),
    "task.completed": _l("Task completed"),
    "task.claimed": _l("Task taken"),
    "task.reassigned": _l("Task reassigned"),
    "timer.fired": _l("Deadline passed"),
    "timer.retried": _l("Failed timer retried"),
    "inspection.decided": _l("Inspection decided"),
    "unit.notified": _l("Unit notified"),
    "checklist.assigned": _l("Checklist assigned to the team"),
    "checklist.answered": _l("Checklist answered"),
    "finding.raised": _l("Finding raised"),
    "finding.edited": _l("Finding changed"),
    "finding.dropped": _l("Finding dropped"),
    "finding.kept": _l("Finding kept"),
    "finding.merged": _l("Findings merged"),
    "finding.deadline_extended": _l("Deadline extended"),
    "minutes.written": _l("Minutes written"),
    "conclusion.issued": _l("Conclusion issued"),
    "remediation.reported": _l("Remediation reported"),
    "remediation.verified": _l("Remediation verified"),
    "inspection.closing": _l("Inspection closed"),
    "evidence.added": _l("Evidence added"),
    "par.opened": _l("PAR appraisal opened"),
    "par.self_scored": _l("Self-assessed"),
    "par.submitted": _l("Self-assessment submitted"),
    "par.locked": _l("Self-assessment locked at the deadline"),
    "par.appraised": _l("Appraised, round 1"),
    "par.explained": _l("Explained"),
    "par.finally_appraised": _l("Appraised, round 2"),
    "par.adjusted": _l("Bonus or penalty points"),
    "par.survey_imported": _l("Survey scores imported"),
    "par.approved": _l("Index approved"),
    "par.round_closed": _l("PAR round closed"),
}

# Reasons the app itself records for closing a case (a person's reason is their own text).
PROCESS_COMPLETED = "process completed"
REASON_LABELS = {PROCESS_COMPLETED: _l("The process ran to its end")}

# Looked up by the value's enum type: members of different enums may share a value ("open").
LABELS_BY_ENUM = {
    Role: ROLE_LABELS,
    TeamRole: TEAM_ROLE_LABELS,
    CaseType: CASE_TYPE_LABELS,
    CaseStatus: CASE_STATUS_LABELS,
    OrgLevel: ORG_LEVEL_LABELS,
    Lane: LANE_LABELS,
    TaskState: TASK_STATE_LABELS,
    ContentArea: CONTENT_AREA_LABELS,
    Answer: ANSWER_LABELS,
    Severity: SEVERITY_LABELS,
    FindingState: FINDING_STATE_LABELS,
    Verdict: VERDICT_LABELS,
    WorkflowState: WORKFLOW_STATE_LABELS,
    RoundStatus: ROUND_STATUS_LABELS,
}


def label(value, kind: dict | None = None) -> str:
    """The label of an enum member (by its type) or a history action name; the raw value when none is defined."""
    labels = kind if kind is not None else LABELS_BY_ENUM.get(type(value), ACTION_LABELS)
    return labels.get(value, value)
