"""What each inspection task page shows beside its form (see tasks/context.py): the checklist on site, the findings
to consolidate, the minutes and findings behind a conclusion, the findings to answer with their report forms, and each
reported finding beside the unit's report and evidence.

The reader may see the task's case (the task page loads it with `task_or_404`), and with it everything shown here;
each action is offered only by the predicate its own page checks."""

from inspect_app.inspections.answers import answers_by_item, assignees, checklist_progress
from inspect_app.inspections.documents import checklist_summary, findings_in_minutes
from inspect_app.inspections.steps import reported_findings
from inspect_app.models import ContentArea, Finding, FindingState, HumanTask, Role, User
from inspect_app.models.inspections import AWAITING_UNIT
from inspect_app.tasks.context import TaskContext

# The order a lead consolidates in: what still needs a decision first.
CONSOLIDATION_ORDER = (FindingState.DRAFT, FindingState.KEPT, FindingState.MERGED, FindingState.DROPPED)


def on_site(task: HumanTask, reader: User) -> TaskContext:
    """The items given to the member with the team's answers, the team's progress, the member's findings, and the way
    onto the on-site screen."""
    case = task.case
    member = task.claimed_by or reader
    answers = answers_by_item(case)
    people = assignees(case)
    items = [item for item in case.inspection.checklist_items if people[item.id].id == member.id]
    areas: dict[ContentArea, list] = {}
    for item in items:
        areas.setdefault(item.area, []).append((item, answers.get(item.id)))
    may_go_on_site = reader.has_role(Role.INSPECTOR, Role.LEAD) and case.inspection.can_record_on_site(reader)
    return TaskContext(
        "tasks/_context_onsite.html",
        {
            "member": member,
            "areas": areas,
            "answered": sum(1 for item in items if item.id in answers),
            "total": len(items),
            "team": checklist_progress(case),
            "findings": [finding for finding in case.findings if finding.raised_by_id == member.id],
            "may_go_on_site": may_go_on_site,
        },
    )


def minutes(task: HumanTask, reader: User) -> TaskContext:
    """The findings to consolidate (drafts first) and what the checklist found, area by area."""
    findings = sorted(task.case.findings, key=_consolidation_rank)
    return TaskContext(
        "tasks/_context_minutes.html",
        {
            "findings": findings,
            "drafts": sum(1 for finding in findings if finding.state == FindingState.DRAFT),
            "summary": checklist_summary(task.case),
        },
    )


def _consolidation_rank(finding: Finding) -> tuple[int, int]:
    state = finding.state
    return (CONSOLIDATION_ORDER.index(state) if state in CONSOLIDATION_ORDER else len(CONSOLIDATION_ORDER), finding.id)


def conclusion(task: HumanTask, reader: User) -> TaskContext:
    """The minutes, the findings they record with their severity, and the draft notice to preview."""
    inspection = task.case.inspection
    return TaskContext(
        "tasks/_context_conclusion.html",
        {
            "inspection": inspection,
            "findings": findings_in_minutes(task.case),
            "may_preview": inspection.can_preview_conclusion(reader),
        },
    )


def remediation(task: HumanTask, reader: User) -> TaskContext:
    """The findings the unit must answer, each with its report form, and those already reported."""
    findings = task.case.findings
    return TaskContext(
        "tasks/_context_remediation.html",
        {
            "to_answer": [finding for finding in findings if finding.state == FindingState.OPEN],
            "reported": [finding for finding in findings if finding.state == FindingState.REPORTED],
        },
    )


def verification(task: HumanTask, reader: User) -> TaskContext | None:
    """Each reported finding beside the unit's report and its evidence; the verdict fields go beside each."""
    findings = reported_findings(task)
    if not findings:
        return None
    return TaskContext("tasks/_context_verification.html", {"findings": findings}, holds_fields=True)


def findings_overview(task: HumanTask, reader: User) -> TaskContext:
    """Where each finding of the conclusion stands (a follow-up, an escalation or the closure decides on them)."""
    findings = findings_in_minutes(task.case)
    return TaskContext(
        "tasks/_context_findings.html",
        {"findings": findings, "open": [finding for finding in findings if finding.state in AWAITING_UNIT]},
    )


CONTEXTS = {
    "onsite_inspection": on_site,
    "minutes": minutes,
    "conclusion": conclusion,
    "remediation": remediation,
    "verification": verification,
    "remediation_follow_up": findings_overview,
    "escalation": findings_overview,
    "closure": findings_overview,
}
