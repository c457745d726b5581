"""Cases (inspections and PAR appraisals), their teams, and who may see or change them."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, and_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from inspect_app.core.extensions import db
from inspect_app.core.search import searchable
from inspect_app.core.sqltypes import utc_now
from inspect_app.models.enums import CaseStatus, CaseType, Role, TaskState, TeamRole, WorkflowState, enum_column_type
from inspect_app.models.org import OrgUnit
from inspect_app.models.users import User
from inspect_app.models.workflow import HumanTask, WorkflowTimer

REFERENCE_PREFIX = {CaseType.INSPECTION: "KT", CaseType.PAR_APPRAISAL: "CS"}


class Case(db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        # Answers the case search's LIKE '%...%' on PostgreSQL (pg_trgm); on SQLite an ordinary, unused index.
        Index(
            "ix_cases_search_text",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
        # The case list filtered by type and status, in its order (newest first), and its count.
        Index("ix_cases_case_type_status_created_at", "case_type", "status", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    # Made by the device that opened the case through the API, so that a retried request opens nothing twice.
    client_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    case_type: Mapped[CaseType] = mapped_column(enum_column_type(CaseType), index=True)
    title: Mapped[str] = mapped_column(String(300))
    # The reference and title as searched: lower case, without diacritics (core/search.py); kept by `_searchable`.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    subject_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    status: Mapped[CaseStatus] = mapped_column(enum_column_type(CaseStatus), default=CaseStatus.OPEN, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)
    closed_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Count and hash of the last history event: a deleted tail of the chain shows against these.
    history_count: Mapped[int] = mapped_column(default=0)
    history_head: Mapped[str | None] = mapped_column(String(64))
    # The process version the case runs on, to the end, and its engine state (without the spec).
    definition_id: Mapped[int | None] = mapped_column(ForeignKey("process_definitions.id"), index=True)
    # Stored out of the row on PostgreSQL (toast_tuple_target, migration 4c8d1f6a2b97): lists never read it.
    workflow_state: Mapped[dict | None] = mapped_column(JSON)
    workflow_status: Mapped[WorkflowState | None] = mapped_column(enum_column_type(WorkflowState))
    # Bumped by every UPDATE; a writer holding an older number lost a race (StaleDataError becomes 409).
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    subject_unit: Mapped[OrgUnit] = relationship()
    definition: Mapped["ProcessDefinition | None"] = relationship()  # noqa: F821
    human_tasks: Mapped[list[HumanTask]] = relationship(back_populates="case", order_by="HumanTask.id")
    # The engine's projections as an engine step reads them, loaded with the case's lock (tasks/services.py) or
    # when first read: the ready tasks, and the timer rows the engine may still be waiting on. Read-only here: the
    # bridge writes the rows themselves; it also marks these stale when it changes them.
    ready_task_rows: Mapped[list[HumanTask]] = relationship(
        primaryjoin=lambda: and_(HumanTask.case_id == Case.id, HumanTask.state == TaskState.READY),
        order_by=lambda: HumanTask.id,
        viewonly=True,
    )
    waiting_timer_rows: Mapped[list[WorkflowTimer]] = relationship(
        primaryjoin=lambda: and_(WorkflowTimer.case_id == Case.id, WorkflowTimer.state.in_(WorkflowTimer.MAY_WAIT)),
        order_by=lambda: WorkflowTimer.id,
        viewonly=True,
    )
    created_by: Mapped[User | None] = relationship()
    team: Mapped[list["CaseTeamMember"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseTeamMember.role, CaseTeamMember.id"
    )
    # What the case is about, by its type: an inspection, or one unit's PAR appraisal (models/inspections.py, par.py).
    inspection: Mapped["Inspection | None"] = relationship(  # noqa: F821
        back_populates="case", foreign_keys="Inspection.case_id"
    )
    findings: Mapped[list["Finding"]] = relationship(back_populates="case", order_by="Finding.id")  # noqa: F821
    par: Mapped["ParAssessment | None"] = relationship(back_populates="case")  # noqa: F821

    def __repr__(self) -> str:
        return f"<Case {self.reference}>"

    @validates("reference", "title")
    def _searchable(self, key: str, value: str) -> str:
        parts = {"reference": self.reference, "title": self.title, key: value}
        self.search_text = searchable(parts["reference"], parts["title"])
        return value

    @property
    def is_closed(self) -> bool:
        return self.status != CaseStatus.OPEN

    @property
    def open_tasks(self) -> list[HumanTask]:
        """The case's ready tasks, queried (a long-running case has many finished ones)."""
        query = select(HumanTask).where(HumanTask.case_id == self.id, HumanTask.state == TaskState.READY)
        return list(db.session.scalars(query.order_by(HumanTask.id)))

    def has_open_step(self, bpmn_id: str, user: User | None = None) -> bool:
        """Whether the case has a ready task of this BPMN step (that `user` may do, when given)."""
        return not self.is_closed and any(
            task.bpmn_id == bpmn_id and (user is None or task.can_complete(user)) for task in self.open_tasks
        )

    @property
    def lead(self) -> User | None:
        return next((m.user for m in self.team if m.role == TeamRole.LEAD), None)

    def team_role_of(self, user: User) -> TeamRole | None:
        """The user's role on this case's team, or None."""
        return next((m.role for m in self.team if m.user_id == user.id), None)

    @classmethod
    def visible_to(cls, user: User):
        """A WHERE clause selecting the cases `user` may see; see access/visibility.py."""
        from inspect_app.access.visibility import cases_visible_to  # access/ builds on the models

        return cases_visible_to(user)

    def can_view(self, user: User) -> bool:
        """Whether the user may see this case at all (others get 404); see access/visibility.py."""
        from inspect_app.access.visibility import can_view_case  # access/ builds on the models

        return can_view_case(self, user)

    def can_edit(self, user: User) -> bool:
        """Whether the user may change the case itself (its team, title); never once closed."""
        if self.is_closed or not self.can_view(user):
            return False
        return user.has_role(Role.DIRECTOR) or self.team_role_of(user) == TeamRole.LEAD


class ReferenceCounter(db.Model):
    """The last number given to a case of one type in one year (KT-2026-0041 is the 41st inspection of 2026).

    The next case takes the row (locked until its transaction ends) and the number after, so numbers follow each
    other without gaps or repeats however many cases open at once, and go on past 9999."""

    __tablename__ = "reference_counters"

    case_type: Mapped[CaseType] = mapped_column(enum_column_type(CaseType), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int]


class CaseTeamMember(db.Model):
    __tablename__ = "case_team_members"
    __table_args__ = (
        UniqueConstraint("case_id", "user_id"),
        # The cases a user is on the team of (in a role), from the index alone: inboxes, dashboards, visibility.
        Index("ix_case_team_members_user_id_role", "user_id", "role", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[TeamRole] = mapped_column(enum_column_type(TeamRole))

    case: Mapped[Case] = relationship(back_populates="team")
    user: Mapped[User] = relationship()
