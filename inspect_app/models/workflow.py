"""Process definitions (versioned BPMN), the human-task projection and the timer table."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, and_, or_, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.core.extensions import db
from inspect_app.core.sqltypes import utc_now
from inspect_app.models.enums import Role, TaskState, TeamRole, TimerState, enum_column_type
from inspect_app.models.users import User


class ProcessDefinition(db.Model):
    """One deployed version of a BPMN process; its parsed spec is stored here once, not in every case."""

    __tablename__ = "process_definitions"
    __table_args__ = (UniqueConstraint("process_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    # The file and its parsed spec are large and read only to run or draw a case: lists that show names skip them.
    bpmn_xml: Mapped[str] = mapped_column(Text, deferred=True)
    spec: Mapped[dict] = mapped_column(JSON, deferred=True)
    # Display names of the process and its elements in each language: {element id or "lane:<role>": {"vi": ...}},
    # read from the file at deploy (workflows/names.py); shown through inspect_app/core/names.py.
    names: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    serializer_version: Mapped[str] = mapped_column(String(16))
    deployed_at: Mapped[datetime] = mapped_column(default=utc_now)
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    deployed_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ProcessDefinition {self.process_id} v{self.version}>"

    @property
    def label(self) -> str:
        """The process's name in the reader's language, with the version."""
        from inspect_app.core.names import display_name  # the reader's language is the app's, not the model's

        return f"{display_name(self)} v{self.version}"


class HumanTask(db.Model):
    """A user task of a case's workflow, projected from the engine so that inboxes never load workflows."""

    __tablename__ = "human_tasks"
    __table_args__ = (
        UniqueConstraint("case_id", "task_id"),
        Index("ix_human_tasks_state_due_at", "state", "due_at"),
        # The inbox's order (tasks/queries.py INBOX_ORDER), so that a page reads its rows in order.
        Index(
            "ix_human_tasks_inbox_order",
            "state",
            text("(due_at IS NULL)"),
            text("coalesce(due_at, created_at)"),
            "created_at",
            "id",
        ),
        # A lane's open tasks (counted from the index alone), and one case's open tasks of a lane (team lanes).
        Index("ix_human_tasks_state_lane_case_id", "state", "lane", "case_id", "claimed_by_id"),
        Index("ix_human_tasks_case_id_state_lane", "case_id", "state", "lane", "claimed_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    task_id: Mapped[str] = mapped_column(String(36))  # the engine's task id (a UUID)
    bpmn_id: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str | None] = mapped_column(String(32))
    form: Mapped[str | None] = mapped_column(String(64))
    # The multi-instance item this task is for (a user id, a unit id ...), if any.
    item: Mapped[dict | list | int | str | None] = mapped_column(JSON)
    state: Mapped[TaskState] = mapped_column(enum_column_type(TaskState), default=TaskState.READY)
    due_at: Mapped[datetime | None]
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # What the user submitted, validated; the workflow itself only receives the decisions.
    submission: Mapped[dict | None] = mapped_column(JSON)

    case: Mapped["Case"] = relationship(back_populates="human_tasks")  # noqa: F821
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])

    def __repr__(self) -> str:
        return f"<HumanTask {self.bpmn_id} of case {self.case_id} ({self.state})>"

    @property
    def display_title(self) -> str:
        """The task's name in the reader's language, from its case's own process version."""
        from inspect_app.core.names import task_title  # the reader's language is the app's, not the model's

        return task_title(self)

    @property
    def is_ready(self) -> bool:
        return self.state == TaskState.READY and not self.case.is_closed

    @property
    def candidates(self) -> list[User]:
        """The users the task's lane names on its case now, by name; see access/lanes.py."""
        from inspect_app.access.lanes import lane_members  # access/ builds on the models

        return lane_members(self.lane, self.case)

    def is_candidate(self, user: User) -> bool:
        """Whether the task's lane names the user on its case now; see access/lanes.py."""
        from inspect_app.access.lanes import names  # access/ builds on the models

        return names(self.lane, self.case, user)

    def can_view(self, user: User) -> bool:
        """Whoever may see the case may see its tasks."""
        return self.case.can_view(user)

    def can_complete(self, user: User) -> bool:
        """A candidate may do a ready task unless someone else has claimed it."""
        return self.is_ready and self.is_candidate(user) and self.claimed_by_id in (None, user.id)

    def can_claim(self, user: User) -> bool:
        """A candidate may take an unclaimed ready task for themselves."""
        return self.is_ready and self.is_candidate(user) and self.claimed_by_id is None

    def can_reassign(self, user: User) -> bool:
        """Supervisors (the case's team lead, directors) may hand a ready task to another candidate."""
        if not self.is_ready or not self.case.can_view(user):
            return False
        return user.has_role(Role.DIRECTOR) or self.case.team_role_of(user) == TeamRole.LEAD


class WorkflowTimer(db.Model):
    """A timer event waiting in a case's workflow; workers claim due rows (FOR UPDATE SKIP LOCKED)."""

    __tablename__ = "workflow_timers"
    __table_args__ = (
        UniqueConstraint("case_id", "task_id"),
        Index("ix_workflow_timers_state_due_at", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(100))
    due_at: Mapped[datetime]
    state: Mapped[TimerState] = mapped_column(enum_column_type(TimerState), default=TimerState.WAITING)
    fired_at: Mapped[datetime | None]
    # Failed attempts to fire; after each the next waits longer, and after INSPECT_TIMER_MAX_ATTEMPTS the row fails.
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(500))
    next_attempt_at: Mapped[datetime | None]

    case: Mapped["Case"] = relationship()  # noqa: F821

    # States of rows the engine may still be waiting on (waiting, retrying or failed), as opposed to finished ones.
    MAY_WAIT = (TimerState.WAITING, TimerState.FAILED)

    @classmethod
    def engine_may_wait_on(cls):
        """SQL: rows the engine may still be waiting on (waiting, retrying or failed), as opposed to finished ones."""
        return cls.state.in_(cls.MAY_WAIT)

    @classmethod
    def needs_attention(cls):
        """SQL: rows marked failed, and rows waiting to be tried again after a failed attempt."""
        return or_(cls.state == TimerState.FAILED, and_(cls.state == TimerState.WAITING, cls.attempts > 0))

    @property
    def is_retrying(self) -> bool:
        """Waiting again after a failed attempt."""
        return self.state == TimerState.WAITING and self.attempts > 0
