"""PAR index appraisal: criteria sets, rounds, one assessment per unit per round, and its scores."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint, exists, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.core.extensions import db
from inspect_app.core.sqltypes import utc_now
from inspect_app.models.cases import Case, CaseTeamMember
from inspect_app.models.enums import CriterionKind, OrgLevel, Role, RoundStatus, enum_column_type
from inspect_app.models.org import OrgUnit
from inspect_app.models.users import User

# Points keep two decimals (criteria are worth 0.5, 1.5 ...); the index is rounded to two decimals.
Points = Numeric(7, 2)


class CriteriaSet(db.Model):
    """The criteria for one year and one unit level (departments, districts, communes)."""

    __tablename__ = "criteria_sets"
    __table_args__ = (UniqueConstraint("code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    year: Mapped[int]
    level: Mapped[OrgLevel] = mapped_column(enum_column_type(OrgLevel))
    is_sample: Mapped[bool] = mapped_column(default=False)
    survey_max: Mapped[Decimal] = mapped_column(Points, default=Decimal(0))
    bonus_cap: Mapped[Decimal] = mapped_column(Points, default=Decimal(0))
    penalty_cap: Mapped[Decimal] = mapped_column(Points, default=Decimal(0))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="criteria_set", cascade="all, delete-orphan", order_by="Criterion.position"
    )

    @property
    def fields(self) -> list["Criterion"]:
        return [c for c in self.criteria if c.kind == CriterionKind.FIELD]

    @property
    def sub_criteria(self) -> list["Criterion"]:
        return [c for c in self.criteria if c.kind == CriterionKind.SUB]


class Criterion(db.Model):
    """A node of the criteria tree; only sub-criteria are scored, fields and criteria add them up."""

    __tablename__ = "criteria"
    __table_args__ = (UniqueConstraint("set_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("criteria_sets.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CriterionKind] = mapped_column(enum_column_type(CriterionKind))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(500))
    max_points: Mapped[Decimal] = mapped_column(Points)
    guidance: Mapped[str] = mapped_column(Text, default="")
    evidence_required: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    criteria_set: Mapped[CriteriaSet] = relationship(back_populates="criteria")
    parent: Mapped["Criterion | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Criterion"]] = relationship(back_populates="parent", order_by="Criterion.position")

    def field(self) -> "Criterion":
        """The field (lĩnh vực) this node belongs to."""
        node = self
        while node.parent is not None:
            node = node.parent
        return node


class ParRound(db.Model):
    """One year's PAR index determination: criteria set per level, the dates, the bands, the units taking part."""

    __tablename__ = "par_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(300))
    self_assessment_due: Mapped[date]
    first_appraisal_due: Mapped[date]
    explanation_due: Mapped[date]
    second_appraisal_due: Mapped[date]
    approval_due: Mapped[date]
    # Bands, best first: [{"name": "Tốt", "min_index": 90, "min_field_share": 80}, ...]
    bands: Mapped[list] = mapped_column(JSON)
    opened_at: Mapped[datetime] = mapped_column(default=utc_now)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Set once, by the explicit close (par/services.py close_round), after publication.
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    criteria_sets: Mapped[list["RoundCriteriaSet"]] = relationship(back_populates="round", cascade="all, delete-orphan")
    assessments: Mapped[list["ParAssessment"]] = relationship(back_populates="round", order_by="ParAssessment.case_id")

    @classmethod
    def has_on_team(cls, user: User):
        """A WHERE clause: the round has a case whose appraisal team includes `user`."""
        return exists(
            select(CaseTeamMember.id)
            .join(ParAssessment, ParAssessment.case_id == CaseTeamMember.case_id)
            .where(ParAssessment.round_id == cls.id, CaseTeamMember.user_id == user.id)
        )

    @classmethod
    def published(cls):
        """A WHERE clause: the round has units, and the council approved every one of them."""
        of_round = ParAssessment.round_id == cls.id
        return exists().where(of_round) & ~exists().where(of_round, ParAssessment.approved_at.is_(None))

    @property
    def is_published(self) -> bool:
        """Whether the council approved every unit of the round (and it has units): its results are published."""
        return bool(db.session.scalar(select(exists().where(ParRound.id == self.id, ParRound.published()))))

    @property
    def status(self) -> RoundStatus:
        """The one place a round's state comes from: closed once closed, published once every unit is approved,
        open before that."""
        if self.closed_at is not None:
            return RoundStatus.CLOSED
        return RoundStatus.PUBLISHED if self.is_published else RoundStatus.OPEN

    def can_view(self, user: User) -> bool:
        """Whether the user may see the round (others get 404); see access/visibility.py."""
        from inspect_app.access.visibility import can_view_round  # access/ builds on the models

        return can_view_round(self, user)

    def can_import_survey(self, user: User) -> bool:
        """Administrators import the survey scores, until the round is closed."""
        return user.has_role(Role.ADMIN) and self.closed_at is None

    def can_close(self, user: User) -> bool:
        """Who may close the round (access/roles.py CLOSES_ROUNDS); it closes only once published."""
        from inspect_app.access.roles import may_close_rounds  # access/ builds on the models

        return may_close_rounds(user)

    def set_for(self, level: OrgLevel) -> CriteriaSet | None:
        """The criteria set this round uses for units of `level`."""
        return next((link.criteria_set for link in self.criteria_sets if link.level == level), None)


class RoundCriteriaSet(db.Model):
    __tablename__ = "round_criteria_sets"
    __table_args__ = (UniqueConstraint("round_id", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("par_rounds.id", ondelete="CASCADE"))
    level: Mapped[OrgLevel] = mapped_column(enum_column_type(OrgLevel))
    set_id: Mapped[int] = mapped_column(ForeignKey("criteria_sets.id"))

    round: Mapped[ParRound] = relationship(back_populates="criteria_sets")
    criteria_set: Mapped[CriteriaSet] = relationship()


class ParStep(enum.StrEnum):
    """Ids of the user tasks in bpmn/par_appraisal.bpmn that the scoring rules look at."""

    SELF_ASSESSMENT = "self_assessment"
    FIRST_APPRAISAL = "first_appraisal"
    EXPLANATION = "explanation"
    SECOND_APPRAISAL = "second_appraisal"
    CONSOLIDATION = "consolidation"
    APPROVAL = "approval"


class ParAssessment(db.Model):
    """What a PAR appraisal case adds to the case: the round, the unit, its criteria set and its extra points."""

    __tablename__ = "par_assessments"
    __table_args__ = (UniqueConstraint("round_id", "unit_id"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("par_rounds.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    set_id: Mapped[int] = mapped_column(ForeignKey("criteria_sets.id"))
    submitted_at: Mapped[datetime | None]
    locked_at: Mapped[datetime | None]  # the self-assessment deadline passed before it was submitted
    approved_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship(back_populates="par")
    round: Mapped[ParRound] = relationship(back_populates="assessments")
    unit: Mapped[OrgUnit] = relationship()
    criteria_set: Mapped[CriteriaSet] = relationship()
    scores: Mapped[list["ItemScore"]] = relationship(back_populates="assessment", cascade="all, delete-orphan")
    adjustments: Mapped[list["ScoreAdjustment"]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="ScoreAdjustment.id"
    )

    def can_self_assess(self, user: User) -> bool:
        """The unit's officers score their unit while the self-assessment task is open."""
        return self.case.has_open_step(ParStep.SELF_ASSESSMENT, user)

    def can_appraise(self, user: User, step: "ParStep") -> bool:
        """The appraisal team scores in round 1 or round 2 while that task is open."""
        return self.case.has_open_step(step, user)

    def can_explain(self, user: User) -> bool:
        """The unit's officers explain flagged items while the explanation task is open."""
        return self.case.has_open_step(ParStep.EXPLANATION, user)

    def can_adjust(self, user: User) -> bool:
        """The appraisal lead adds bonus and penalty points while consolidating."""
        return self.case.has_open_step(ParStep.CONSOLIDATION, user)

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class ItemScore(db.Model):
    """One sub-criterion of one assessment: the unit's score, both appraisal rounds and the explanation between."""

    __tablename__ = "item_scores"
    __table_args__ = (UniqueConstraint("case_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("par_assessments.case_id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"))
    self_score: Mapped[Decimal | None] = mapped_column(Points)
    self_note: Mapped[str] = mapped_column(Text, default="")  # how it scored where evidence is missing
    first_score: Mapped[Decimal | None] = mapped_column(Points)
    first_comment: Mapped[str] = mapped_column(Text, default="")
    needs_explanation: Mapped[bool] = mapped_column(default=False)
    explanation: Mapped[str] = mapped_column(Text, default="")
    final_score: Mapped[Decimal | None] = mapped_column(Points)
    final_comment: Mapped[str] = mapped_column(Text, default="")
    # Bumped by every change: a form carries the number it showed, so that a second appraiser's save made after the
    # page opened is not overwritten unseen.
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    assessment: Mapped[ParAssessment] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()
    files: Mapped[list["EvidenceFile"]] = relationship(back_populates="score", order_by="EvidenceFile.id")  # noqa: F821

    def can_add_file(self, user: User) -> bool:
        """Evidence comes from the unit: while it assesses itself, and for flagged items while it explains."""
        par = self.assessment
        return par.can_self_assess(user) or (self.needs_explanation and par.can_explain(user))


class SurveyScore(db.Model):
    """A survey component's score for a unit in a round (imported from CSV: unit code, component, score)."""

    __tablename__ = "survey_scores"
    __table_args__ = (UniqueConstraint("round_id", "unit_id", "component"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("par_rounds.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    component: Mapped[str] = mapped_column(String(100))
    score: Mapped[Decimal] = mapped_column(Points)

    unit: Mapped[OrgUnit] = relationship()


class ScoreAdjustment(db.Model):
    """Bonus (positive) or penalty (negative) points, possibly citing an inspection finding about the unit."""

    __tablename__ = "score_adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("par_assessments.case_id", ondelete="CASCADE"), index=True)
    points: Mapped[Decimal] = mapped_column(Points)
    reason: Mapped[str] = mapped_column(Text)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    assessment: Mapped[ParAssessment] = relationship(back_populates="adjustments")
    finding: Mapped["Finding | None"] = relationship()  # noqa: F821
    created_by: Mapped[User] = relationship()
