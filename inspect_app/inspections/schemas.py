"""Inspections through the API: the decision that opens one, on-site answers, findings and their reports.

Things named by code (a unit, people, a checklist, a case, an item) are checked by the validators below when the
validation context carries what they need: `actor` (the caller) for the decision, `case` for answers and findings.
So one answer names every refused field at once, whether its shape or what it names is wrong."""

from datetime import date
from typing import Annotated, Literal

from flask_babel import gettext as _
from pydantic import AfterValidator, BaseModel, Field, StringConstraints, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from inspect_app.core.schemas import Code, NotBlank, Schema
from inspect_app.evidence.schemas import ClientId, DeviceTime, Photo, UtcTime
from inspect_app.inspections import services
from inspect_app.models import Answer, ChecklistAnswer, ContentArea, Finding, FindingState, RemediationReport, Severity


def _names(find, needs: str):
    """A validator: with `needs` in the validation context, the value must name something `find` finds."""

    def check(value, info: ValidationInfo):
        context = info.context or {}
        if value and needs in context:
            try:
                find(value, context[needs])
            except services.NotNamed as refusal:
                raise PydanticCustomError("not_named", str(refusal)) from None
        return value

    return AfterValidator(check)


Username = Annotated[NotBlank, StringConstraints(max_length=64)]
LONG_TEXT_MAX_LENGTH = 4000
"""The longest finding description, remediation required or checklist note: in the API, the forms and the pages."""
LongText = Annotated[str, StringConstraints(max_length=LONG_TEXT_MAX_LENGTH)]


class InspectionDecision(Schema):
    """The inspection decision (quyết định kiểm tra); things are named by code or username."""

    type: Literal["inspection"]
    decision_number: Annotated[NotBlank, StringConstraints(max_length=64)] = Field(examples=["123/QĐ-SNV"])
    decision_date: date = Field(examples=["2026-11-20"])
    unit: Annotated[Code, _names(lambda code, actor: services.unit_by_code(code), "actor")] = Field(
        description="Code of the inspected unit"
    )
    title: Annotated[NotBlank, StringConstraints(max_length=300)]
    scope: list[ContentArea] = Field(min_length=1)
    planned_start: date
    planned_end: date = Field(description="Not before planned_start")
    is_announced: bool = Field(strict=True, description="Whether the unit is told beforehand")
    lead: Annotated[Username, _names(lambda name, actor: services.lead_by_username(name), "actor")] = Field(
        description="Username of a user with the lead role"
    )
    members: list[Annotated[Username, _names(lambda name, actor: services.member_by_username(name), "actor")]] = Field(
        [], description="Usernames of inspectors (or leads); the lead is on the team anyway"
    )
    checklist: Annotated[Code, _names(lambda code, actor: services.checklist_by_code(code), "actor")] = Field(
        description="Code of an active checklist template"
    )
    follow_up_of: (
        Annotated[str, _names(lambda ref, actor: services.closed_inspection_by_reference(ref, actor=actor), "actor")]
        | None
    ) = Field(None, description="Reference of a closed inspection: only its failed items are checked again")
    client_id: ClientId | None = None

    @field_validator("planned_end")
    @classmethod
    def _not_before_start(cls, end: date, info: ValidationInfo) -> date:
        start = info.data.get("planned_start")
        if start is not None and end < start:
            raise PydanticCustomError("date_order", _("The end cannot come before the start."))
        return end


ItemCode = Annotated[Code, _names(lambda code, case: services.item_by_code(case, code), "case")]


class NewFinding(Schema):
    """A finding raised on site (a draft until the minutes)."""

    client_id: ClientId
    title: Annotated[NotBlank, StringConstraints(max_length=300)]
    description: LongText | None = None
    severity: Severity
    area: ContentArea = Field(description="The item's area wins when an item is given")
    item: ItemCode | None = Field(None, description="Code of an item on the case's checklist")
    remediation_required: LongText | None = Field(
        None, description="Empty when the unit needs to do nothing (an observation)"
    )
    captured_at: DeviceTime | None = None


class ChecklistAnswerInput(Schema):
    """A team member's answer to one checklist item, sent again unchanged as often as needed."""

    answer: Answer
    note: LongText = ""
    based_on: int | None = Field(
        None,
        ge=1,
        description="The version of the item's answer this change was made on (the `version` the caller last read); "
        "null or left out when the caller saw no answer. A change made on another version than the current answer, "
        "when another member gave that answer, is refused (409, with that answer as `existing`); send it again with "
        "that answer's version to replace it.",
    )
    captured_at: DeviceTime | None = None
    client_id: ClientId | None = Field(None, description="The device's id of this change, kept in the history")


class SavedAnswer(BaseModel):
    """The team's answer to a checklist item on the case, as the server keeps it."""

    item: str = Field(description="The item's code")
    answer: Answer
    note: str
    version: int = Field(description="Goes up with every change; a change made on this answer sends it as based_on")
    answered_by: str = Field(description="Username of the member who gave the answer (its latest change)")
    answered_by_name: str = Field(description="That member's full name")
    saved_at: UtcTime = Field(description="When the server recorded it (UTC)")
    captured_at: UtcTime | None

    @classmethod
    def of(cls, row: ChecklistAnswer) -> "SavedAnswer":
        """The API's view of a saved answer."""
        return cls(
            item=row.item.code,
            answer=row.answer,
            note=row.note,
            version=row.lock_version,
            answered_by=row.answered_by.username,
            answered_by_name=row.answered_by.full_name,
            saved_at=row.answered_at,
            captured_at=row.captured_at,
        )


class RemediationReportOut(BaseModel):
    """A finding's remediation report and the verdict on it, if any."""

    id: int
    text: str
    submitted_by: str
    submitted_at: UtcTime
    verdict: Literal["accepted", "rejected"] | None
    verdict_reason: str | None
    verdict_by: str | None
    verdict_at: UtcTime | None
    photos: list[Photo]

    @classmethod
    def of(cls, report: RemediationReport) -> "RemediationReportOut":
        """The API's view of a report."""
        return cls(
            id=report.id,
            text=report.text,
            submitted_by=report.submitted_by.username,
            submitted_at=report.submitted_at,
            verdict=report.verdict.value if report.verdict else None,
            verdict_reason=report.verdict_reason,
            verdict_by=report.verdict_by.username if report.verdict_by else None,
            verdict_at=report.verdict_at,
            photos=[Photo.of(file) for file in report.files],
        )


class FindingOut(BaseModel):
    """A finding: where it stands, its checklist item, deadline, owner, photos and latest report."""

    id: int
    client_id: str | None
    case_reference: str
    title: str
    description: str
    severity: Severity
    area: ContentArea
    item: str | None = Field(description="The checklist item's code")
    remediation_required: str
    state: FindingState
    owner: str | None = Field(description="Who at the unit must remediate")
    deadline: date | None
    raised_by: str = Field(description="Username")
    created_at: UtcTime = Field(description="When the server recorded it (UTC)")
    captured_at: UtcTime | None
    photos: list[Photo]
    latest_report: RemediationReportOut | None

    @classmethod
    def of(cls, finding: Finding) -> "FindingOut":
        """The API's view of a finding."""
        return cls(
            id=finding.id,
            client_id=finding.client_id,
            case_reference=finding.case.reference,
            title=finding.title,
            description=finding.description,
            severity=finding.severity,
            area=finding.area,
            item=finding.checklist_item.code if finding.checklist_item else None,
            remediation_required=finding.remediation_required,
            state=finding.state,
            owner=finding.owner,
            deadline=finding.deadline,
            raised_by=finding.raised_by.username,
            created_at=finding.created_at,
            captured_at=finding.captured_at,
            photos=[Photo.of(file) for file in finding.files],
            latest_report=RemediationReportOut.of(finding.latest_report) if finding.latest_report else None,
        )


class FindingList(BaseModel):
    """An inspection's findings, oldest first."""

    case: str
    findings: list[FindingOut]
