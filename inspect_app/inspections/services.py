"""Inspection operations: the decision that opens a case, on-site answers and findings, minutes, conclusion,
remediation and its verification, closure. Each flushes and records history; the entry point commits once."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from inspect_app.cases.services import add_team_member, create_case
from inspect_app.core import clock
from inspect_app.core.exceptions import Conflict, Forbidden, InvalidInput
from inspect_app.core.extensions import db
from inspect_app.history import record_event
from inspect_app.models import (
    Case,
    CaseType,
    ChecklistItem,
    ChecklistTemplate,
    ContentArea,
    Finding,
    FindingState,
    Inspection,
    OrgUnit,
    RemediationReport,
    Role,
    Severity,
    TeamRole,
    User,
    Verdict,
)
from inspect_app.notifications.services import notify_rejected
from inspect_app.tasks.services import start_case_workflow

PROCESS_ID = "public_service_inspection"
# Sample values of the data open_inspection starts the process with, for the trial start when a process is deployed.
START_SAMPLES = {"members": lambda: [1, 2], "announced": lambda: False}


def open_inspection(
    *,
    actor: User,
    unit: OrgUnit,
    title: str,
    decision_number: str,
    decision_date: date,
    scope: list[ContentArea],
    planned_start: date,
    planned_end: date,
    is_announced: bool,
    template: ChecklistTemplate,
    lead: User,
    members: list[User],
    follow_up_of: Case | None = None,
    item_ids: list[int] | None = None,
    client_id: str | None = None,
) -> Case:
    """The inspection decision: open the case, name the team, and start the process on its latest version.

    The lead must hold the lead role and every member must be an inspector (or a lead)."""
    refusals = {"lead": [message] if (message := lead_refusal(lead)) else []}
    refusals["members"] = [message for member in members if (message := member_refusal(member))]
    if refusals := {name: messages for name, messages in refusals.items() if messages}:
        raise InvalidInput(_("Some answers need attention."), refusals)
    case = create_case(
        case_type=CaseType.INSPECTION,
        title=title,
        subject_unit=unit,
        actor=actor,
        year=decision_date.year,
        client_id=client_id,
    )
    inspection = Inspection(
        case=case,
        decision_number=decision_number,
        decision_date=decision_date,
        scope=[area.value for area in scope],
        planned_start=planned_start,
        planned_end=planned_end,
        is_announced=is_announced,
        checklist_template=template,
        follow_up_of=follow_up_of,
        item_ids=item_ids,
    )
    db.session.add(inspection)
    record_event(
        case,
        "inspection.decided",
        actor=actor,
        details={
            "decision": decision_number,
            "decision_date": decision_date.isoformat(),
            "scope": inspection.scope,
            "planned": [planned_start.isoformat(), planned_end.isoformat()],
            "announced": is_announced,
            "checklist": template.code,
            **({"follow_up_of": follow_up_of.reference} if follow_up_of else {}),
            **({"client_id": client_id} if client_id else {}),
        },
    )
    add_team_member(case, lead, TeamRole.LEAD, actor=actor)
    for member in members:
        if member.id != lead.id:
            add_team_member(case, member, TeamRole.MEMBER, actor=actor)
    team_ids = [lead.id] + [member.id for member in members if member.id != lead.id]
    start_case_workflow(case, PROCESS_ID, actor=actor, data={"members": team_ids, "announced": is_announced})
    return case


def lead_refusal(user: User) -> str | None:
    """Why `user` may not lead an inspection team, or None."""
    return None if user.has_role(Role.LEAD) else _("This user is not a team lead.")


def member_refusal(user: User) -> str | None:
    """Why `user` may not be on an inspection team, or None."""
    if user.has_role(Role.INSPECTOR, Role.LEAD):
        return None
    return _("%(username)s is not an inspector.", username=user.username)


# --- what a request names by code (the API's schemas validate with these; see inspections/schemas.py) ---------


class NotNamed(LookupError):
    """A code or username that names nothing the request may use; the message says which and why."""


def _active_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username, User.is_active.is_(True)))


def unit_by_code(code: str) -> OrgUnit:
    """The unit with this code."""
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        raise NotNamed(_("No unit has this code."))
    return unit


def lead_by_username(username: str) -> User:
    """The active user with this username, who holds the lead role."""
    user = _active_user(username)
    if user is None:
        raise NotNamed(_("No active user has this username."))
    if message := lead_refusal(user):
        raise NotNamed(message)
    return user


def member_by_username(username: str) -> User:
    """The active inspector (or lead) with this username."""
    user = _active_user(username)
    if user is None:
        raise NotNamed(_("No active user has the username %(username)s.", username=username))
    if message := member_refusal(user):
        raise NotNamed(message)
    return user


def checklist_by_code(code: str) -> ChecklistTemplate:
    """The active checklist template with this code."""
    template = db.session.scalar(
        select(ChecklistTemplate).where(ChecklistTemplate.code == code, ChecklistTemplate.is_active.is_(True))
    )
    if template is None:
        raise NotNamed(_("No active checklist has this code."))
    return template


def closed_inspection_by_reference(reference: str, *, actor: User) -> Case:
    """A closed inspection `actor` may see, by its reference: what a follow-up inspection checks again."""
    case = db.session.scalar(select(Case).where(Case.reference == reference))
    if case is None or not case.can_view(actor) or case.inspection is None or not case.is_closed:
        raise NotNamed(_("No closed inspection has this reference."))
    return case


def item_by_code(case: Case, code: str) -> ChecklistItem:
    """The item with this code on the case's checklist."""
    item = next((item for item in case.inspection.checklist_items if item.code == code), None)
    if item is None:
        raise NotNamed(_("This item is not on the case's checklist."))
    return item


def resolve_decision(decision, *, actor: User) -> dict:
    """The things a validated InspectionDecision names, as `open_inspection` takes them (with a follow-up's items);
    InvalidInput names each field that names nothing (its validators said so already, when given the actor)."""
    finders = {
        "unit": lambda: unit_by_code(decision.unit),
        "lead": lambda: lead_by_username(decision.lead),
        "members": lambda: [member_by_username(name) for name in dict.fromkeys(decision.members)],
        "template": lambda: checklist_by_code(decision.checklist),
        "follow_up_of": lambda: (
            closed_inspection_by_reference(decision.follow_up_of, actor=actor) if decision.follow_up_of else None
        ),
    }
    found, errors = {}, {}
    for name, find in finders.items():
        try:
            found[name] = find()
        except NotNamed as refusal:
            errors["checklist" if name == "template" else name] = [str(refusal)]
    if errors:
        raise InvalidInput(_("Some answers need attention."), errors)
    follow_up_of = found["follow_up_of"]
    return {**found, "item_ids": failed_item_ids(follow_up_of) if follow_up_of else None}


def inspection_for_client_id(client_id: str) -> Case | None:
    """The case a device already opened with this client id, or None."""
    return db.session.scalar(select(Case).where(Case.client_id == client_id))


def failed_item_ids(case: Case) -> list[int]:
    """Checklist items behind the findings a case left unresolved: what a follow-up inspection checks again."""
    return sorted(
        {f.checklist_item_id for f in case.findings if f.checklist_item_id and f.state == FindingState.UNRESOLVED}
    )


# --- on site (answers: answers.py) ----------------------------------------------------------------------------------


def raise_finding(
    case: Case,
    *,
    actor: User,
    title: str,
    description: str,
    severity: Severity,
    area: ContentArea,
    remediation_required: str = "",
    item: ChecklistItem | None = None,
    client_id: str | None = None,
    captured_at: datetime | None = None,
) -> tuple[Finding, bool]:
    """Raise a finding (a draft until the minutes); a retried request with the same client id returns the first."""
    if client_id:
        existing = db.session.scalar(select(Finding).where(Finding.client_id == client_id))
        if existing is not None:
            if existing.case_id != case.id:
                raise Conflict(_("This finding id is already used on another case."))
            return existing, False
    if not case.inspection.can_raise_finding(actor):
        raise Forbidden(_("Findings are raised by the team on site, or by the lead while writing the minutes."))
    if item is not None and item not in case.inspection.checklist_items:
        raise InvalidInput(_("This item is not on the case's checklist."), {"item": [str(item.id)]})
    finding = Finding(
        case=case,
        raised_by=actor,
        checklist_item=item,
        area=item.area if item else area,
        title=title,
        description=description,
        severity=severity,
        remediation_required=remediation_required,
        client_id=client_id,
        captured_at=captured_at,
        created_at=clock.now(),
    )
    db.session.add(finding)
    db.session.flush()
    record_event(
        case,
        "finding.raised",
        actor=actor,
        details={
            "finding": finding.id,
            "title": title,
            "severity": severity.value,
            "item": item.code if item else None,
        },
        captured_at=captured_at,
    )
    return finding, True


FINDING_FIELDS = ("title", "description", "severity", "area", "remediation_required", "owner", "deadline")


def edit_finding(finding: Finding, *, actor: User, **changes) -> None:
    """Change a finding's text, severity, owner or deadline; the history keeps old and new values."""
    if not finding.can_edit(actor):
        raise Forbidden(_("This finding can no longer be changed by you."))
    diff = {}
    for name, value in changes.items():
        if name not in FINDING_FIELDS:
            raise ValueError(name)
        old = getattr(finding, name)
        if old != value:
            diff[name] = [_plain(old), _plain(value)]
            setattr(finding, name, value)
    if diff:
        record_event(finding.case, "finding.edited", actor=actor, details={"finding": finding.id, **diff})


def drop_finding(finding: Finding, *, actor: User, reason: str) -> None:
    """Leave a finding out of the minutes, saying why."""
    if not finding.can_consolidate(actor):
        raise Forbidden(_("Only the team lead drops findings, while writing the minutes."))
    finding.state, finding.drop_reason = FindingState.DROPPED, reason
    record_event(finding.case, "finding.dropped", actor=actor, details={"finding": finding.id, "reason": reason})


def keep_finding(finding: Finding, *, actor: User) -> None:
    """Put a finding (back) into the minutes."""
    if not finding.can_consolidate(actor):
        raise Forbidden(_("Only the team lead consolidates findings, while writing the minutes."))
    old = finding.state
    finding.state, finding.drop_reason, finding.merged_into = FindingState.KEPT, None, None
    record_event(
        finding.case, "finding.kept", actor=actor, details={"finding": finding.id, "state": [old.value, "kept"]}
    )


def merge_finding(finding: Finding, into: Finding, *, actor: User) -> None:
    """Fold a duplicate finding into another one of the same case; its photos move along."""
    if not finding.can_consolidate(actor) or into.case_id != finding.case_id or into.id == finding.id:
        raise InvalidInput(_("Choose another finding of the same case."), {"into": [str(into.id)]})
    if into.state in (FindingState.DROPPED, FindingState.MERGED):
        raise InvalidInput(
            _("A finding can only be merged into one that stays in the minutes."), {"into": [str(into.id)]}
        )
    finding.state, finding.merged_into = FindingState.MERGED, into
    for file in finding.files:
        file.finding = into
    if into.state == FindingState.DRAFT:
        into.state = FindingState.KEPT
    record_event(finding.case, "finding.merged", actor=actor, details={"finding": finding.id, "into": into.id})


# --- task steps (called by the task forms' apply) ---------------------------------------------------------------


def record_plan(case: Case, *, actor: User, schedule_note: str) -> None:
    """Keep the lead's schedule; the unit is notified unless the inspection is unannounced."""
    inspection = case.inspection
    inspection.schedule_note = schedule_note
    if inspection.is_announced:
        inspection.notified_at = clock.now()
        record_event(case, "unit.notified", actor=actor, details={"unit": case.subject_unit.code})


def write_minutes(
    case: Case, *, actor: User, unit_comments: str, unit_head_name: str, acknowledged_at: datetime
) -> None:
    """Close the consolidation: every draft finding must be kept, dropped or merged first."""
    drafts = [f for f in case.findings if f.state == FindingState.DRAFT]
    if drafts:
        raise InvalidInput(
            _("Keep, drop or merge every finding first: %(titles)s.", titles="; ".join(f.title for f in drafts)),
            {"findings": [str(f.id) for f in drafts]},
        )
    inspection = case.inspection
    inspection.unit_comments, inspection.unit_head_name = unit_comments, unit_head_name
    inspection.unit_head_acknowledged_at, inspection.minutes_at = acknowledged_at, clock.now()
    record_event(
        case,
        "minutes.written",
        actor=actor,
        details={
            "findings": [f.id for f in case.findings if f.state == FindingState.KEPT],
            "unit_head": unit_head_name,
            "acknowledged_at": acknowledged_at.isoformat(),
        },
    )


def issue_conclusion(case: Case, *, actor: User, summary: str) -> dict:
    """Approve the conclusion: findings needing remediation open with their deadlines; returns gateway data."""
    inspection = case.inspection
    now = clock.now()
    inspection.conclusion_summary, inspection.concluded_at, inspection.concluded_by = summary, now, actor
    default_deadline = local_date(now) + timedelta(days=current_app.config["REMEDIATION_DAYS"])
    opened = []
    for finding in case.findings:
        if finding.state != FindingState.KEPT:
            continue
        if finding.needs_remediation:
            finding.state = FindingState.OPEN
            finding.deadline = finding.deadline or default_deadline
            opened.append(finding)
        else:
            finding.state = FindingState.NOTED
    record_event(
        case,
        "conclusion.issued",
        actor=actor,
        details={
            "open": [{"finding": f.id, "deadline": f.deadline.isoformat()} for f in opened],
            "noted": [f.id for f in case.findings if f.state == FindingState.NOTED],
        },
    )
    return remediation_gateway_data(case)


def remediation_gateway_data(case: Case) -> dict:
    """What the process needs about remediation: how many findings wait for the unit, and the next deadline."""
    waiting = [f for f in case.findings if f.state == FindingState.OPEN]
    due = min((f.deadline for f in waiting), default=None)
    return {"open_findings": len(waiting), "remediation_due": deadline_moment(due).isoformat() if due else None}


def submit_report(finding: Finding, *, actor: User, text: str) -> RemediationReport:
    """The unit reports what it did about an open finding; it then waits for the lead's verification."""
    if not finding.can_report(actor):
        raise Forbidden(_("Only the unit's officers report remediation, while the remediation task is open."))
    if finding.state != FindingState.OPEN:
        raise Conflict(_("This finding is not waiting for a report."))
    report = RemediationReport(finding=finding, text=text, submitted_by=actor, submitted_at=clock.now())
    finding.state = FindingState.REPORTED
    db.session.add(report)
    db.session.flush()
    record_event(
        finding.case, "remediation.reported", actor=actor, details={"finding": finding.id, "report": report.id}
    )
    return report


def check_all_reported(case: Case) -> None:
    """Refuse to send the remediation for verification while an open finding has no report."""
    waiting = [f for f in case.findings if f.state == FindingState.OPEN]
    if waiting:
        raise InvalidInput(
            _("Report on every open finding first: %(titles)s.", titles="; ".join(f.title for f in waiting)),
            {"findings": [str(f.id) for f in waiting]},
        )


def verify_reports(case: Case, *, actor: User, verdicts: dict[int, tuple[Verdict, str, date | None]]) -> dict:
    """Accept or reject each reported finding's latest report; rejected findings go back to the unit."""
    now = clock.now()
    rejected = 0
    for finding in case.findings:
        if finding.state != FindingState.REPORTED:
            continue
        verdict, reason, new_deadline = verdicts[finding.id]
        report = finding.latest_report
        report.verdict, report.verdict_reason, report.verdict_by, report.verdict_at = verdict, reason, actor, now
        if verdict == Verdict.ACCEPTED:
            finding.state = FindingState.ACCEPTED
        else:
            rejected += 1
            finding.state = FindingState.OPEN
            finding.deadline = new_deadline or max(finding.deadline, local_date(now) + timedelta(days=15))
            notify_rejected(finding, reason=reason)
        record_event(
            case,
            "remediation.verified",
            actor=actor,
            details={
                "finding": finding.id,
                "verdict": verdict.value,
                "reason": reason,
                **({"deadline": finding.deadline.isoformat()} if verdict == Verdict.REJECTED else {}),
            },
        )
    return {"rejected_findings": rejected, **remediation_gateway_data(case)}


def extend_deadlines(case: Case, *, actor: User, days: int, reason: str) -> dict:
    """Give the unit more days on every open finding (after a missed deadline)."""
    today = local_date(clock.now())
    for finding in case.findings:
        if finding.state == FindingState.OPEN:
            old = finding.deadline
            finding.deadline = max(old, today) + timedelta(days=days)
            record_event(
                case,
                "finding.deadline_extended",
                actor=actor,
                details={
                    "finding": finding.id,
                    "deadline": [old.isoformat(), finding.deadline.isoformat()],
                    "reason": reason,
                },
            )
    return remediation_gateway_data(case)


def close_inspection(case: Case, *, actor: User, reason: str) -> None:
    """Closure: findings not accepted stay on record as unresolved, with the director's reason."""
    unresolved = [f for f in case.findings if f.state in (FindingState.OPEN, FindingState.REPORTED)]
    if unresolved and not reason.strip():
        raise InvalidInput(_("Say why the case closes with open findings."), {"reason": [_("This field is required.")]})
    for finding in unresolved:
        finding.state = FindingState.UNRESOLVED
    case.inspection.closure_reason = reason
    record_event(
        case, "inspection.closing", actor=actor, details={"unresolved": [f.id for f in unresolved], "reason": reason}
    )


# --- time -----------------------------------------------------------------------------------------------------------


def local_date(moment: datetime) -> date:
    """The calendar date of `moment` in the province's time zone."""
    return moment.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def deadline_moment(day: date) -> datetime:
    """A deadline date ends at midnight at the end of that day, in the province's time zone (as UTC)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else getattr(value, "value", value)
