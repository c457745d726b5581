"""How the history reads the events of inspections: the decision, the checklist, findings, minutes, conclusion,
remediation and closure (see audit/describe.py)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from inspect_app.audit.describe import EventKind, Field
from inspect_app.audit.formats import (
    changed,
    choice,
    day,
    finding,
    item,
    listed,
    moment,
    person,
    subject,
    unit,
    yes_no,
)
from inspect_app.core.labels import (
    ANSWER_LABELS,
    CONTENT_AREA_LABELS,
    FINDING_STATE_LABELS,
    SEVERITY_LABELS,
    VERDICT_LABELS,
)

REPORT_EXCERPT = 300  # characters of a remediation report the history quotes


def period(value, event, lookups) -> str:
    """A stored [first day, last day]."""
    return " – ".join(day(side, event, lookups) for side in value)


def checklist(value, event, lookups) -> str:
    """The checklist template's code as its name (the template the case uses)."""
    inspection = event.case.inspection
    template = inspection.checklist_template if inspection is not None else None
    return template.name if template is not None and template.code == value else str(value)


def assignment(value, event, lookups) -> str:
    """Checklist item codes by member's username, as "Full Name (username): A1, A2; …"."""
    return "; ".join(f"{person(username, event, lookups)}: {', '.join(codes)}" for username, codes in value.items())


def deadlines(value, event, lookups) -> str:
    """Findings opened for remediation, each with its deadline."""
    return "; ".join(
        _(
            "%(finding)s (deadline %(date)s)",
            finding=finding(entry["finding"], event, lookups),
            date=day(entry["deadline"], event, lookups),
        )
        for entry in value
    )


def report(value, event, lookups) -> str:
    """A remediation report, quoted."""
    found = lookups.report(value)
    if found is None:
        return _("report no. %(id)s", id=value)
    text = found.text.strip()
    return text if len(text) <= REPORT_EXCERPT else text[:REPORT_EXCERPT].rstrip() + "…"


DEVICE_RECORD = Field("client_id", _l("Record made on the device"))
FINDING_SUBJECT = subject("finding", finding)
# The fields of a finding a lead may change (inspections/services.py FINDING_FIELDS), each as "old → new".
FINDING_CHANGES = (
    Field("title", _l("Title"), changed()),
    Field("description", _l("Description"), changed()),
    Field("severity", _l("Severity"), changed(choice(SEVERITY_LABELS))),
    Field("area", _l("Content area"), changed(choice(CONTENT_AREA_LABELS))),
    Field("remediation_required", _l("Remediation required"), changed()),
    Field("owner", _l("Responsible"), changed()),
    Field("deadline", _l("Deadline"), changed(day)),
)

EVENT_KINDS = {
    "inspection.decided": EventKind(
        "case",
        subject=subject("decision"),
        fields=(
            Field("decision_date", _l("Decision date"), day),
            Field("scope", _l("Scope"), listed(choice(CONTENT_AREA_LABELS), ", ")),
            Field("planned", _l("On site"), period),
            Field("announced", _l("Announced to the unit"), yes_no),
            Field("checklist", _l("Checklist"), checklist),
            Field("follow_up_of", _l("Follow-up of")),
            DEVICE_RECORD,
        ),
        hidden=frozenset({"decision"}),
    ),
    "unit.notified": EventKind("case", subject=subject("unit", unit), hidden=frozenset({"unit"})),
    "checklist.assigned": EventKind(
        "checklist",
        fields=(
            Field("assignment", _l("Items by member"), assignment),
            Field("previous", _l("Before"), assignment),
        ),
    ),
    "checklist.answered": EventKind(
        "checklist",
        subject=subject("item", item),
        fields=(
            Field("answer", _l("Answer"), changed(choice(ANSWER_LABELS))),
            Field("note", _l("Note")),
            Field("replaced", _l("Replaced the answer of"), person),
            DEVICE_RECORD,
        ),
        hidden=frozenset({"item", "version"}),
    ),
    "finding.raised": EventKind(
        "findings",
        subject=subject("title"),
        fields=(
            Field("severity", _l("Severity"), choice(SEVERITY_LABELS)),
            Field("item", _l("Checklist item"), item),
        ),
        hidden=frozenset({"title", "finding"}),
    ),
    "finding.edited": EventKind(
        "findings", subject=FINDING_SUBJECT, fields=FINDING_CHANGES, hidden=frozenset({"finding"})
    ),
    "finding.dropped": EventKind(
        "findings", subject=FINDING_SUBJECT, fields=(Field("reason", _l("Reason")),), hidden=frozenset({"finding"})
    ),
    "finding.kept": EventKind(
        "findings",
        subject=FINDING_SUBJECT,
        fields=(Field("state", _l("State"), changed(choice(FINDING_STATE_LABELS))),),
        hidden=frozenset({"finding"}),
    ),
    "finding.merged": EventKind(
        "findings",
        subject=FINDING_SUBJECT,
        fields=(Field("into", _l("Merged into"), finding),),
        hidden=frozenset({"finding"}),
    ),
    "finding.deadline_extended": EventKind(
        "remediation",
        subject=FINDING_SUBJECT,
        fields=(Field("deadline", _l("Deadline"), changed(day)), Field("reason", _l("Reason"))),
        hidden=frozenset({"finding"}),
    ),
    "minutes.written": EventKind(
        "findings",
        fields=(
            Field("findings", _l("Findings in the minutes"), listed(finding)),
            Field("unit_head", _l("Unit head who signed")),
            Field("acknowledged_at", _l("Signed at"), moment),
        ),
    ),
    "conclusion.issued": EventKind(
        "findings",
        fields=(
            Field("open", _l("To remediate"), deadlines),
            Field("noted", _l("Noted only"), listed(finding)),
        ),
    ),
    "remediation.reported": EventKind(
        "remediation",
        subject=FINDING_SUBJECT,
        fields=(Field("report", _l("Report"), report),),
        hidden=frozenset({"finding"}),
    ),
    "remediation.verified": EventKind(
        "remediation",
        subject=FINDING_SUBJECT,
        fields=(
            Field("verdict", _l("Verdict"), choice(VERDICT_LABELS)),
            Field("reason", _l("Reason")),
            Field("deadline", _l("New deadline"), day),
        ),
        hidden=frozenset({"finding"}),
    ),
    "inspection.closing": EventKind(
        "case",
        fields=(
            Field("unresolved", _l("Findings left unresolved"), listed(finding)),
            Field("reason", _l("Closing note")),
        ),
    ),
}
