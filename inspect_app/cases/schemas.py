"""A case and its tamper-evident history as the API shows them."""

from pydantic import BaseModel, Field

from inspect_app.core.names import display_name
from inspect_app.evidence.schemas import UtcTime
from inspect_app.history import case_events, event_payload
from inspect_app.models import Case, CaseStatus, TeamRole, User

HASH = r"^[0-9a-f]{64}$"


class CaseSummary(BaseModel):
    """A case's reference and where it stands."""

    reference: str
    status: CaseStatus
    workflow_status: str | None

    @classmethod
    def of(cls, case: Case) -> "CaseSummary":
        """Where `case` stands."""
        return cls(**_summary(case))


def _summary(case: Case) -> dict:
    return {
        "reference": case.reference,
        "status": case.status,
        "workflow_status": case.workflow_status.value if case.workflow_status else None,
    }


class UnitRef(BaseModel):
    code: str
    name: str


class ProcessRef(BaseModel):
    process_id: str
    version: int
    name: str


class TeamMember(BaseModel):
    username: str
    full_name: str
    role: TeamRole


class CaseDetail(CaseSummary):
    """A case: status, process, open tasks and team."""

    title: str
    case_type: str
    subject_unit: UnitRef
    created_at: UtcTime
    closed_at: UtcTime | None
    process: ProcessRef | None
    tasks: list["Task"] = Field(description="Open tasks")
    team: list[TeamMember]

    @classmethod
    def of(cls, case: Case, user: User) -> "CaseDetail":
        """`case` as `user` sees it (whether they may complete each open task)."""
        definition = case.definition
        return cls(
            **_summary(case),
            title=case.title,
            case_type=case.case_type.value,
            subject_unit=UnitRef(code=case.subject_unit.code, name=case.subject_unit.name),
            created_at=case.created_at,
            closed_at=case.closed_at,
            process=(
                ProcessRef(process_id=definition.process_id, version=definition.version, name=display_name(definition))
                if definition
                else None
            ),
            tasks=[Task.of(task, user) for task in case.open_tasks],
            team=[
                TeamMember(username=member.user.username, full_name=member.user.full_name, role=member.role)
                for member in case.team
            ],
        )


class Event(BaseModel):
    """hash = SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of every field but hash."""

    case_id: int
    seq: int = Field(ge=1)
    # Exactly the text the hash covers (history.event_payload), so the times stay strings here.
    at: str = Field(json_schema_extra={"format": "date-time"})
    actor_id: int | None
    action: str
    details: dict
    captured_at: str | None = Field(json_schema_extra={"format": "date-time"})
    prev_hash: str = Field(pattern=HASH, description="The previous event's hash")
    hash: str = Field(pattern=HASH)


class History(BaseModel):
    """A case's events in chain order, each with exactly the fields its hash covers plus the hash."""

    case: str
    chain_head: str | None = Field(description="The last event's hash")
    event_count: int = Field(ge=0)
    events: list[Event]

    @classmethod
    def of(cls, case: Case) -> "History":
        """The whole history of `case`."""
        return cls(
            case=case.reference,
            chain_head=case.history_head,
            event_count=case.history_count,
            events=[Event(**event_payload(event), hash=event.hash) for event in case_events(case)],
        )


from inspect_app.tasks.api_schemas import Task  # noqa: E402  (a case lists its tasks; a task's answer, its case)

CaseDetail.model_rebuild()
