"""Step handlers of the inspection process (bpmn/public_service_inspection.bpmn): plan, visit, minutes, conclusion,
remediation and its verification, follow-up, escalation and closure."""

from datetime import date
from typing import Literal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import ConfigDict, create_model, field_validator, model_validator
from pydantic_core import PydanticCustomError

from inspect_app.core.exceptions import InvalidInput
from inspect_app.core.labels import CONTENT_AREA_LABELS
from inspect_app.core.schemas import NOT_BLANK
from inspect_app.inspections import answers, services
from inspect_app.models import Case, Finding, FindingState, HumanTask, User, Verdict
from inspect_app.tasks.schemas import Confirmed, LocalDateTime, StepInput, answer
from inspect_app.tasks.steps import ExtendOrEscalateInput, StepHandler

CONCLUSION_DECISIONS = {"approve": _l("Approve and issue the conclusion"), "return": _l("Return to the team lead")}
ESCALATION_DECISIONS = {"extend": _l("Give more time"), "close": _l("Close the case now")}
VERDICTS = {Verdict.ACCEPTED.value: _l("Accept"), Verdict.REJECTED.value: _l("Reject")}


class PlanInput(StepInput):
    """The lead's plan: the schedule (announcing notifies the unit), and who answers which checklist items.

    Each content area of the checklist goes to a team member, `area_<area>` (a username); left out, the proposal
    stands (areas spread over the team). `items` gives single items (by code) to someone else than their area's."""

    # Its area fields are made per case (model_for); the document describes them by their names' pattern.
    model_config = ConfigDict(
        json_schema_extra={
            "patternProperties": {
                "^area_[a-z_]+$": {"type": "string", "description": "Username of the member who answers the area"}
            }
        }
    )

    schedule_note: str = answer(_l("Schedule"), multiline=True, min_length=1, max_length=4000, pattern=NOT_BLANK)
    items: dict[str, str] | None = answer(
        _l("Single items given to someone else"),
        None,
        description="Item code -> username, for items answered by someone other than their area's member",
    )

    @classmethod
    def model_for(cls, task: HumanTask) -> type["PlanInput"]:
        """A model with one field per content area of the case's checklist, the proposal as its default."""
        case = task.case
        people = {person.username: person.full_name for person in answers.team_in_order(case)}
        codes = {item.code for item in case.inspection.checklist_items}
        proposal = answers.propose_assignment(case)
        fields = {
            f"area_{area.value}": (
                Literal[tuple(people)],
                answer(CONTENT_AREA_LABELS[area], proposal[area].username, choices=people),
            )
            for area in answers.items_by_area(case)
        }

        def on_the_team(value: dict[str, str] | None) -> dict[str, str] | None:
            for code, username in (value or {}).items():
                if code not in codes:
                    raise PydanticCustomError("not_named", _("%(code)s is not on the checklist.", code=code))
                if username not in people:
                    raise PydanticCustomError("not_named", _("%(username)s is not on the team.", username=username))
            return value

        validators = {"_items_on_the_team": field_validator("items")(on_the_team)}
        return create_model(cls.__name__, __base__=cls, __validators__=validators, **fields)


def planned_assignment(case: Case, data: PlanInput) -> dict[int, User]:
    """Each checklist item's member (by item id) as the plan says: its area's, unless given singly to another."""
    people = {person.username: person for person in answers.team_in_order(case)}
    proposal = answers.propose_assignment(case)
    singly = data.items or {}
    assignment = {}
    for area, items in answers.items_by_area(case).items():
        by_area = people.get(getattr(data, f"area_{area.value}", None) or "", proposal[area])
        for item in items:
            assignment[item.id] = people.get(singly.get(item.code) or "", by_area)
    return assignment


def record_plan(task: HumanTask, actor: User, data: PlanInput) -> dict:
    services.record_plan(task.case, actor=actor, schedule_note=data.schedule_note)
    answers.assign_checklist(task.case, actor=actor, assignment=planned_assignment(task.case, data))
    return {}


class OnsiteInput(StepInput):
    """Finishing one member's visit: every checklist item assigned to them must be answered (by anyone)."""

    confirmed: Confirmed = answer(_l("My checklist and findings are complete"))


def finish_visit(task: HumanTask, actor: User, data: OnsiteInput) -> dict:
    answers.check_checklist_done(task.case, actor)
    return {}


class MinutesInput(StepInput):
    """The minutes (biên bản): the unit's comments and the unit head's acknowledgement."""

    unit_comments: str | None = answer(_l("The unit's comments"), None, multiline=True, max_length=8000)
    unit_head_name: str = answer(_l("Unit head who signed"), min_length=1, max_length=200, pattern=NOT_BLANK)
    acknowledged_at: LocalDateTime = answer(_l("Signed at"))


def write_minutes(task: HumanTask, actor: User, data: MinutesInput) -> dict:
    services.write_minutes(
        task.case,
        actor=actor,
        unit_comments=data.unit_comments or "",
        unit_head_name=data.unit_head_name,
        acknowledged_at=data.acknowledged_at,
    )
    return {}


class ConclusionInput(StepInput):
    """The director approves the conclusion notice, or returns the minutes to the lead."""

    decision: Literal["approve", "return"] = answer(_l("Decision"), choices=CONCLUSION_DECISIONS)
    summary: str | None = answer(_l("Conclusion"), None, multiline=True, max_length=8000)
    comment: str | None = answer(_l("Comment for the lead"), None, multiline=True, max_length=4000)

    @model_validator(mode="after")
    def _what_the_decision_needs(self):
        if self.decision == "approve":
            self.require("summary")
        else:
            self.require("comment", message=_("Say what must change."))
        return self


def conclude(task: HumanTask, actor: User, data: ConclusionInput) -> dict:
    if data.decision != "approve":
        return {"decision": data.decision}
    return {"decision": data.decision, **services.issue_conclusion(task.case, actor=actor, summary=data.summary)}


class RemediationInput(StepInput):
    """The unit sends its reports (one per open finding) for verification."""

    confirmed: Confirmed = answer(_l("We have reported on every finding"))


def send_for_verification(task: HumanTask, actor: User, data: RemediationInput) -> dict:
    services.check_all_reported(task.case)
    return {}


def reported_findings(task: HumanTask) -> list[Finding]:
    """The findings whose latest report waits for the lead's verdict."""
    return [finding for finding in task.case.findings if finding.state == FindingState.REPORTED]


class VerificationInput(StepInput):
    """The lead accepts or rejects each reported finding: `verdict_<id>`, `reason_<id>` and `deadline_<id>`."""

    # Its fields are made per reported finding (model_for); the document describes them by their names' pattern.
    model_config = ConfigDict(
        json_schema_extra={
            "patternProperties": {
                "^verdict_[0-9]+$": {"enum": ["accepted", "rejected"]},
                "^reason_[0-9]+$": {"type": ["string", "null"], "maxLength": 4000},
                "^deadline_[0-9]+$": {"type": ["string", "null"], "format": "date"},
            }
        }
    )

    @classmethod
    def model_for(cls, task: HumanTask) -> type["VerificationInput"]:
        """A model with the three fields of each finding reported in the task's case."""
        return cls._model_with(reported_findings(task))

    @classmethod
    def model_for_submission(cls, task: HumanTask, submission: dict) -> type["VerificationInput"]:
        """The model of a verification already submitted: the findings it gave verdicts on (no longer reported)."""
        ids = {name.removeprefix("verdict_") for name in submission if name.startswith("verdict_")}
        return cls._model_with([finding for finding in task.case.findings if str(finding.id) in ids])

    @classmethod
    def _model_with(cls, findings: list[Finding]) -> type["VerificationInput"]:
        fields = {}
        for finding in findings:
            fields[f"verdict_{finding.id}"] = (Literal["accepted", "rejected"], answer(finding.title, choices=VERDICTS))
            fields[f"reason_{finding.id}"] = (str | None, answer(_l("Reason"), None, multiline=True, max_length=4000))
            fields[f"deadline_{finding.id}"] = (date | None, answer(_l("New deadline"), None))
        return create_model(cls.__name__, __base__=cls, **fields)

    @model_validator(mode="after")
    def _reason_when_rejected(self):
        rejected = [name for name, value in self if name.startswith("verdict_") and value == Verdict.REJECTED.value]
        for name in rejected:
            self.require(name.replace("verdict_", "reason_"), message=_("Say why the report is rejected."))
        return self

    def verdicts(self) -> dict[int, tuple[Verdict, str, date | None]]:
        """Each finding's verdict, reason and new deadline, by finding id."""
        verdicts = {}
        for name, value in self:
            if name.startswith("verdict_"):
                finding_id = name.removeprefix("verdict_")
                reason, deadline = getattr(self, f"reason_{finding_id}"), getattr(self, f"deadline_{finding_id}")
                verdicts[int(finding_id)] = (Verdict(value), reason or "", deadline)
        return verdicts


def unchosen_message(titles: list[str]) -> str:
    """The refusal of a verification that leaves findings without a verdict, naming them."""
    return _("Choose accept or reject for each finding: %(titles)s.", titles="; ".join(titles))


def verify(task: HumanTask, actor: User, data: VerificationInput) -> dict:
    # The input was checked against the findings reported when the page was read; one may have been reported since.
    verdicts = data.verdicts()
    missing = [finding for finding in reported_findings(task) if finding.id not in verdicts]
    if missing:
        raise InvalidInput(
            unchosen_message([finding.title for finding in missing]),
            {f"verdict_{finding.id}": [_("required")] for finding in missing},
        )
    return services.verify_reports(task.case, actor=actor, verdicts=verdicts)


def follow_up(task: HumanTask, actor: User, data: ExtendOrEscalateInput) -> dict:
    decisions = {"decision": data.decision, "extra_days": data.extra_days}
    if data.decision != "extend":
        return decisions
    return {**decisions, **services.extend_deadlines(task.case, actor=actor, days=data.extra_days, reason=data.reason)}


class EscalationInput(ExtendOrEscalateInput):
    """The director decides on an escalated remediation: more time, or close the case now (like a follow-up)."""

    decision: Literal["extend", "close"] = answer(_l("Decision"), choices=ESCALATION_DECISIONS)


def decide_escalation(task: HumanTask, actor: User, data: EscalationInput) -> dict:
    if data.decision != "extend":
        return {"decision": data.decision}
    extended = services.extend_deadlines(task.case, actor=actor, days=data.extra_days, reason=data.reason)
    return {"decision": data.decision, **extended}


class ClosureInput(StepInput):
    """The director closes the case; a reason is needed when findings are left open."""

    reason: str | None = answer(_l("Closing note"), None, multiline=True, max_length=4000)


def close(task: HumanTask, actor: User, data: ClosureInput) -> dict:
    services.close_inspection(task.case, actor=actor, reason=data.reason or "")
    return {}


STEPS = {
    "inspection_plan": StepHandler(PlanInput, record_plan),
    "onsite_inspection": StepHandler(OnsiteInput, finish_visit),
    "minutes": StepHandler(MinutesInput, write_minutes),
    "conclusion": StepHandler(ConclusionInput, conclude),
    "remediation": StepHandler(RemediationInput, send_for_verification),
    "verification": StepHandler(VerificationInput, verify),
    "remediation_follow_up": StepHandler(ExtendOrEscalateInput, follow_up),
    "escalation": StepHandler(EscalationInput, decide_escalation),
    "closure": StepHandler(ClosureInput, close),
}
