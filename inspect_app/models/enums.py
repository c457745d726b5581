"""State and role enums; their lowercase values are what the database stores."""

import enum

from sqlalchemy import Enum


class Role(enum.StrEnum):
    ADMIN = "admin"
    DIRECTOR = "director"
    LEAD = "lead"
    INSPECTOR = "inspector"
    UNIT_OFFICER = "unit_officer"
    AUDITOR = "auditor"


class OrgLevel(enum.StrEnum):
    PROVINCE = "province"
    DEPARTMENT = "department"
    DISTRICT = "district"
    COMMUNE = "commune"


class CaseType(enum.StrEnum):
    INSPECTION = "inspection"
    PAR_APPRAISAL = "par_appraisal"


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class TeamRole(enum.StrEnum):
    LEAD = "lead"
    MEMBER = "member"


def enum_column_type(enum_cls: type[enum.Enum]) -> Enum:
    """A portable enum column: stored as its value, guarded by a named check constraint."""
    return Enum(
        enum_cls,
        name=enum_cls.__name__.lower(),
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class WorkflowState(enum.StrEnum):
    """A case's workflow as the engine last reported it (mirrors workflows.WorkflowStatus)."""

    RUNNING = "running"
    WAITING = "waiting"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    ERROR = "error"


class TaskState(enum.StrEnum):
    READY = "ready"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class TimerState(enum.StrEnum):
    """waiting (and, after a failed attempt, retrying) -> fired | cancelled, or failed once its attempts run out."""

    WAITING = "waiting"
    FIRED = "fired"
    CANCELLED = "cancelled"
    FAILED = "failed"


class Lane(enum.StrEnum):
    """BPMN lane names the app knows; each names who may do the lane's tasks."""

    DIRECTOR = "director"
    LEAD = "lead"
    INSPECTOR = "inspector"
    UNIT = "unit"
    APPRAISER = "appraiser"
    COUNCIL = "council"


class ContentArea(enum.StrEnum):
    """The PAR content areas an inspection's scope and checklist items belong to."""

    DIRECTION = "direction"
    INSTITUTIONS = "institutions"
    PROCEDURES = "procedures"
    ORGANISATION = "organisation"
    CIVIL_SERVICE = "civil_service"
    PUBLIC_FINANCE = "public_finance"
    E_GOVERNMENT = "e_government"


class Answer(enum.StrEnum):
    COMPLIANT = "compliant"
    NOT_COMPLIANT = "not_compliant"
    NOT_APPLICABLE = "not_applicable"


class Severity(enum.StrEnum):
    OBSERVATION = "observation"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"


class FindingState(enum.StrEnum):
    """draft (on site) -> kept | dropped | merged (minutes) -> open | noted (conclusion) -> reported -> accepted,
    or back to open when a report is rejected; open findings left at closure become unresolved."""

    DRAFT = "draft"
    KEPT = "kept"
    DROPPED = "dropped"
    MERGED = "merged"
    OPEN = "open"
    NOTED = "noted"
    REPORTED = "reported"
    ACCEPTED = "accepted"
    UNRESOLVED = "unresolved"


class Verdict(enum.StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class CriterionKind(enum.StrEnum):
    """Levels of a PAR criteria tree: field (lĩnh vực) > criterion (tiêu chí) > sub-criterion (tiêu chí thành phần)."""

    FIELD = "field"
    CRITERION = "criterion"
    SUB = "sub"


class RoundStatus(enum.StrEnum):
    """Where a PAR round stands (ParRound.status): open while units are being appraised, published once the council
    approved every unit, closed once an authorised user closed it. Derived, never stored (see ParRound.status)."""

    OPEN = "open"
    PUBLISHED = "published"
    CLOSED = "closed"
