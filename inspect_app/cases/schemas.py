"""A case and its tamper-evident history as the API shows them."""

from pydantic import BaseModel, Field

from inspect_app.core.keyset import MAX_PER_PAGE, CursorQuery, Page
from inspect_app.core.names import display_name
from inspect_app.evidence.schemas import UtcTime
from inspect_app.history import event_payload
from inspect_app.models import Case, CaseEvent, CaseStatus, TeamRole, User

HASH = r"^[0-9a-f]{64}$"
# The history's pages follow the chain: a cursor is the number (seq) of the last event the reader has.
HISTORY_ORDER = (CaseEvent.seq,)


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


class HistoryQuery(CursorQuery):
    """Which events: the first page of the chain, or the page after a cursor (next_cursor of the page before)."""

    # An event's number, so that a cursor that could not be one is refused like any malformed parameter.
    cursor: str | None = Field(
        None,
        pattern=r"^[0-9]{1,18}$",
        description="Where the page starts: the next_cursor of the page before (leave out for the first page)",
    )


class History(BaseModel):
    """A page of a case's events in chain order, each with exactly the fields its hash covers plus the hash. The
    chain goes on from page to page: the first event of a page names the last of the page before as prev_hash."""

    case: str
    chain_head: str | None = Field(description="The last event's hash")
    event_count: int = Field(ge=0, description="How many events the whole history has")
    events: list[Event]
    per_page: int = Field(ge=1, le=MAX_PER_PAGE)
    next_cursor: str | None = Field(description="Ask for the next page with cursor=this; null on the last page")

    @classmethod
    def of(cls, case: Case, events: Page, *, per_page: int) -> "History":
        """A page of the history of `case`: `events`, read in chain order."""
        return cls(
            case=case.reference,
            chain_head=case.history_head,
            event_count=case.history_count,
            events=[Event(**event_payload(event), hash=event.hash) for event in events.items],
            per_page=per_page,
            next_cursor=events.next_keys,
        )


from inspect_app.tasks.api_schemas import Task  # noqa: E402  (a case lists its tasks; a task's answer, its case)

CaseDetail.model_rebuild()
