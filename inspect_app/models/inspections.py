"""Public-service inspections: checklist templates, the inspection's own facts, answers, findings, remediation."""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.core.extensions import db
from inspect_app.core.sqltypes import utc_now
from inspect_app.models.cases import Case
from inspect_app.models.enums import (
    Answer,
    ContentArea,
    FindingState,
    Severity,
    TeamRole,
    Verdict,
    enum_column_type,
)
from inspect_app.models.users import User


class InspectionStep(enum.StrEnum):
    """Ids of the user tasks in bpmn/public_service_inspection.bpmn that the domain rules look at."""

    PLAN = "plan"
    ONSITE = "onsite"
    MINUTES = "minutes"
    CONCLUSION = "conclusion"
    REMEDIATION = "remediation"
    VERIFICATION = "verification"
    CLOSURE = "closure"


# Findings in these states still wait for the unit to remediate.
AWAITING_UNIT = (FindingState.OPEN,)
# States a finding can be in while the lead consolidates the minutes.
CONSOLIDATING = (FindingState.DRAFT, FindingState.KEPT, FindingState.DROPPED, FindingState.MERGED)
# Findings in these states belong in the minutes and the conclusion.
IN_MINUTES = (
    FindingState.KEPT,
    FindingState.OPEN,
    FindingState.NOTED,
    FindingState.REPORTED,
    FindingState.ACCEPTED,
    FindingState.UNRESOLVED,
)


class ChecklistTemplate(db.Model):
    """A reusable checklist, managed by admins; items are grouped by content area."""

    __tablename__ = "checklist_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    items: Mapped[list["ChecklistItem"]] = relationship(
        back_populates="template", cascade="all, delete-orphan", order_by="ChecklistItem.position"
    )


class ChecklistItem(db.Model):
    __tablename__ = "checklist_items"
    __table_args__ = (UniqueConstraint("template_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_templates.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    area: Mapped[ContentArea] = mapped_column(enum_column_type(ContentArea))
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(String(500))
    guidance: Mapped[str] = mapped_column(Text, default="")

    template: Mapped[ChecklistTemplate] = relationship(back_populates="items")


class Inspection(db.Model):
    """What an inspection case adds to the case: the decision, plan, minutes, conclusion and closure."""

    __tablename__ = "inspections"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    decision_number: Mapped[str] = mapped_column(String(64))
    decision_date: Mapped[date]
    scope: Mapped[list] = mapped_column(JSON)  # ContentArea values
    planned_start: Mapped[date]
    planned_end: Mapped[date] = mapped_column(index=True)  # who is on site today (the inspector's dashboard)
    is_announced: Mapped[bool] = mapped_column(default=True)
    checklist_template_id: Mapped[int] = mapped_column(ForeignKey("checklist_templates.id"))
    follow_up_of_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    # A follow-up inspection checks only these checklist items (None: the whole template).
    item_ids: Mapped[list | None] = mapped_column(JSON)
    # Plan and notify
    schedule_note: Mapped[str | None] = mapped_column(Text)
    notified_at: Mapped[datetime | None]
    # Minutes (bien ban)
    unit_comments: Mapped[str | None] = mapped_column(Text)
    unit_head_name: Mapped[str | None] = mapped_column(String(200))
    unit_head_acknowledged_at: Mapped[datetime | None]
    minutes_at: Mapped[datetime | None]
    # Conclusion notice (thong bao ket luan)
    conclusion_summary: Mapped[str | None] = mapped_column(Text)
    concluded_at: Mapped[datetime | None]
    concluded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closure_reason: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(foreign_keys=[case_id], back_populates="inspection")
    checklist_template: Mapped[ChecklistTemplate] = relationship()
    follow_up_of: Mapped[Case | None] = relationship(foreign_keys=[follow_up_of_id])
    concluded_by: Mapped[User | None] = relationship()

    def can_record_on_site(self, user: User) -> bool:
        """Team members answer the checklist while their own on-site task is open."""
        return self.case.has_open_step(InspectionStep.ONSITE, user)

    def can_raise_finding(self, user: User) -> bool:
        """Findings come from the team on site, or from the lead while consolidating the minutes."""
        return self.can_record_on_site(user) or self.case.has_open_step(InspectionStep.MINUTES, user)

    def can_preview_conclusion(self, user: User) -> bool:
        """Before it is issued, the draft notice is for the directors who may approve it and the lead who wrote the
        minutes (the unit reads the notice once it is issued)."""
        if self.concluded_at is not None:
            return False
        deciding = [task for task in self.case.open_tasks if task.bpmn_id == InspectionStep.CONCLUSION]
        if not deciding or self.case.is_closed:
            return False
        return self.case.team_role_of(user) == TeamRole.LEAD or any(task.is_candidate(user) for task in deciding)

    @property
    def checklist_items(self) -> list[ChecklistItem]:
        """The items this inspection checks, in template order."""
        items = self.checklist_template.items
        return items if self.item_ids is None else [item for item in items if item.id in set(self.item_ids)]


class ChecklistAssignment(db.Model):
    """Which team member answers one checklist item on one case, as the lead planned it (one row per item)."""

    __tablename__ = "checklist_assignments"
    __table_args__ = (UniqueConstraint("case_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_items.id"))
    assignee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    item: Mapped[ChecklistItem] = relationship()
    assignee: Mapped[User] = relationship()


class ChecklistAnswer(db.Model):
    """The team's one answer to one checklist item on one case: who gave it last, and when.

    Its version goes up with every change, and a save names the version it was based on: a team member's answer
    never silently replaces one another member saved after their page showed the item."""

    __tablename__ = "checklist_answers"
    __table_args__ = (UniqueConstraint("case_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_items.id"))
    answered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    answer: Mapped[Answer] = mapped_column(enum_column_type(Answer))
    note: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime] = mapped_column(default=utc_now)
    captured_at: Mapped[datetime | None]  # on the device
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    item: Mapped[ChecklistItem] = relationship()
    answered_by: Mapped[User] = relationship()
    files: Mapped[list["EvidenceFile"]] = relationship(back_populates="answer", order_by="EvidenceFile.id")


class Finding(db.Model):
    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Made by the device that raised the finding, so that a retried upload creates nothing twice.
    client_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    checklist_item_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_items.id"))
    area: Mapped[ContentArea] = mapped_column(enum_column_type(ContentArea))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[Severity] = mapped_column(enum_column_type(Severity))
    remediation_required: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[FindingState] = mapped_column(enum_column_type(FindingState), default=FindingState.DRAFT)
    owner: Mapped[str | None] = mapped_column(String(200))  # who at the unit must remediate
    deadline: Mapped[date | None]
    drop_reason: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    captured_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship(back_populates="findings")
    raised_by: Mapped[User] = relationship()
    checklist_item: Mapped[ChecklistItem | None] = relationship()
    merged_into: Mapped["Finding | None"] = relationship(remote_side=[id])
    reports: Mapped[list["RemediationReport"]] = relationship(
        back_populates="finding", order_by="RemediationReport.id", cascade="all, delete-orphan"
    )
    files: Mapped[list["EvidenceFile"]] = relationship(back_populates="finding", order_by="EvidenceFile.id")

    def can_edit(self, user: User) -> bool:
        """Its author edits a draft on site; the lead edits any finding while consolidating the minutes."""
        own_draft = self.state == FindingState.DRAFT and self.raised_by_id == user.id
        return (own_draft and self.case.inspection.can_record_on_site(user)) or self.can_consolidate(user)

    def can_consolidate(self, user: User) -> bool:
        """The lead keeps, drops or merges findings while the minutes task is open."""
        return self.state in CONSOLIDATING and self.case.has_open_step(InspectionStep.MINUTES, user)

    def can_report(self, user: User) -> bool:
        """The unit's officers report remediation while the remediation task is open."""
        return self.case.has_open_step(InspectionStep.REMEDIATION, user)

    def can_add_file(self, user: User) -> bool:
        """Files come from whoever may edit the finding, or from the unit's officers while they report on it."""
        return self.can_edit(user) or self.can_report(user)

    @property
    def needs_remediation(self) -> bool:
        return bool(self.remediation_required.strip())

    @property
    def latest_report(self) -> "RemediationReport | None":
        return self.reports[-1] if self.reports else None


class RemediationReport(db.Model):
    """What the unit did about a finding, and the lead's verdict on it."""

    __tablename__ = "remediation_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utc_now)
    verdict: Mapped[Verdict | None] = mapped_column(enum_column_type(Verdict))
    verdict_reason: Mapped[str | None] = mapped_column(Text)
    verdict_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verdict_at: Mapped[datetime | None]

    finding: Mapped[Finding] = relationship(back_populates="reports")
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    verdict_by: Mapped[User | None] = relationship(foreign_keys=[verdict_by_id])
    files: Mapped[list["EvidenceFile"]] = relationship(back_populates="report", order_by="EvidenceFile.id")


class EvidenceFile(db.Model):
    """A stored file (photo or document) attached to a case, a checklist answer, a finding or a remediation report.

    The bytes live under INSPECT_UPLOAD_DIR, named by their SHA-256; the type was checked from the content."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_answers.id"), index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("remediation_reports.id"), index=True)
    score_id: Mapped[int | None] = mapped_column(ForeignKey("item_scores.id"), index=True)  # PAR evidence
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    filename: Mapped[str] = mapped_column(String(200))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(default=utc_now)  # by the server
    captured_at: Mapped[datetime | None]  # by the device, as it says
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]

    case: Mapped[Case] = relationship()
    uploaded_by: Mapped[User] = relationship()
    finding: Mapped[Finding | None] = relationship(back_populates="files")
    report: Mapped[RemediationReport | None] = relationship(back_populates="files")
    answer: Mapped[ChecklistAnswer | None] = relationship(back_populates="files")
    score: Mapped["ItemScore | None"] = relationship(back_populates="files")  # noqa: F821

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
