"""The team's checklist on one case: who answers which item (the lead's assignment at planning), the one answer per
item with who gave it and when, and how far each member has got.

Each operation flushes and records history; the entry point commits once."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select

from inspect_app.core import clock
from inspect_app.core.exceptions import Conflict, Forbidden, InvalidInput
from inspect_app.core.extensions import db
from inspect_app.core.labels import label
from inspect_app.core.locks import take_turns
from inspect_app.core.unit_of_work import explain_conflict
from inspect_app.history import record_event
from inspect_app.inspections.schemas import SavedAnswer
from inspect_app.models import (
    Answer,
    Case,
    ChecklistAnswer,
    ChecklistAssignment,
    ChecklistItem,
    ContentArea,
    TeamRole,
    User,
)

# --- who answers what ----------------------------------------------------------------------------------------------


def team_in_order(case: Case) -> list[User]:
    """The team as the on-site screen lists it and the proposal fills it: members first, the lead last."""
    members = [member.user for member in case.team if member.role != TeamRole.LEAD]
    return members + ([case.lead] if case.lead is not None else [])


def items_by_area(case: Case) -> dict[ContentArea, list[ChecklistItem]]:
    """The case's checklist items by content area, areas and items in checklist order."""
    areas: dict[ContentArea, list[ChecklistItem]] = {}
    for item in case.inspection.checklist_items:
        areas.setdefault(item.area, []).append(item)
    return areas


def propose_assignment(case: Case) -> dict[ContentArea, User]:
    """A proposal the lead can accept as it is: whole content areas spread over the team, the largest area first,
    each to whoever has the fewest items so far (members before the lead when they have as many)."""
    people = team_in_order(case)
    load = {person.id: 0 for person in people}
    proposal = {}
    # sorted() keeps checklist order among areas of one size.
    for area, items in sorted(items_by_area(case).items(), key=lambda pair: -len(pair[1])):
        person = min(people, key=lambda p: load[p.id])
        proposal[area] = person
        load[person.id] += len(items)
    return proposal


def assignees(case: Case) -> dict[int, User]:
    """Each checklist item's member, by item id: as the lead assigned it; the lead for an item nobody has (not
    assigned, or assigned to someone no longer on the team)."""
    team = {member.user_id: member.user for member in case.team}
    rows = db.session.scalars(select(ChecklistAssignment).where(ChecklistAssignment.case_id == case.id))
    assigned = {row.item_id: row.assignee_id for row in rows}
    return {item.id: team.get(assigned.get(item.id)) or case.lead for item in case.inspection.checklist_items}


def assign_checklist(case: Case, *, actor: User, assignment: dict[int, User]) -> None:
    """Give each checklist item (by id) to a team member, replacing an earlier assignment; the history lists each
    member's items. Every item must be given, to someone on the team."""
    team = {member.user_id for member in case.team}
    items = case.inspection.checklist_items
    refused = [item.code for item in items if item.id not in assignment or assignment[item.id].id not in team]
    if refused:
        message = _("Give every checklist item to a member of the team: %(items)s.", items=", ".join(refused))
        raise InvalidInput(message, {"assignment": [message]})
    rows = {
        row.item_id: row
        for row in db.session.scalars(select(ChecklistAssignment).where(ChecklistAssignment.case_id == case.id))
    }
    before = {item_id: row.assignee for item_id, row in rows.items()}
    for item in items:
        person = assignment[item.id]
        if item.id not in rows:
            db.session.add(ChecklistAssignment(case_id=case.id, item=item, assignee=person))
        else:
            rows[item.id].assignee = person
    if all(item.id in before and before[item.id].id == assignment[item.id].id for item in items):
        return
    details = {"assignment": _codes_by_member(items, assignment)}
    if before:
        details["previous"] = _codes_by_member([item for item in items if item.id in before], before)
    record_event(case, "checklist.assigned", actor=actor, details=details)


def _codes_by_member(items: list[ChecklistItem], assignment: dict[int, User]) -> dict[str, list[str]]:
    codes: dict[str, list[str]] = {}
    for item in items:
        codes.setdefault(assignment[item.id].username, []).append(item.code)
    return codes


# --- answers -------------------------------------------------------------------------------------------------------


def answers_by_item(case: Case) -> dict[int, ChecklistAnswer]:
    """The case's answers, by item id."""
    rows = db.session.scalars(select(ChecklistAnswer).where(ChecklistAnswer.case_id == case.id))
    return {row.item_id: row for row in rows}


def save_answer(
    case: Case,
    item: ChecklistItem,
    *,
    actor: User,
    answer: Answer,
    note: str = "",
    based_on: int | None = None,
    captured_at: datetime | None = None,
    client_id: str | None = None,
) -> ChecklistAnswer:
    """Record (or change) the team's answer to one checklist item; the same answer again changes nothing.

    `based_on` is the version of the item's answer that the member's page or device showed (None: it showed none).
    A change based on another version than the current answer, when someone else gave that answer, is refused (409)
    naming who answered and when: the member looks at both and keeps theirs (saving again on the current version) or
    takes the other. A member's own answer is never in their way (their device may hold several changes to it)."""
    inspection = case.inspection
    if not inspection.can_record_on_site(actor):
        raise Forbidden(_("Only team members doing the on-site inspection may answer the checklist."))
    if item not in inspection.checklist_items:
        raise InvalidInput(_("This item is not on the case's checklist."), {"item": [str(item.id)]})
    # Saves of one item take turns, so that the second reads the first's answer (and may be refused), never nothing.
    take_turns(f"checklist-answer:{case.id}:{item.id}")
    explain_conflict(lambda: _conflict_after_lost_race(case.id, item.id))
    row = db.session.scalar(
        select(ChecklistAnswer)
        .where(ChecklistAnswer.case_id == case.id, ChecklistAnswer.item_id == item.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is not None and row.answer == answer and row.note == note:
        return row  # a retry, or the same answer as the team's: nothing to change, nothing to refuse
    if row is not None and row.answered_by_id != actor.id and based_on != row.lock_version:
        raise answered_meanwhile(row)
    old_answer, old_by = (row.answer.value, row.answered_by) if row is not None else (None, None)
    if row is None:
        row = ChecklistAnswer(case_id=case.id, item=item, answered_by=actor, answer=answer)
        db.session.add(row)
    row.answer, row.note, row.answered_by = answer, note, actor
    row.answered_at, row.captured_at = clock.now(), captured_at
    db.session.flush()  # the new version, for the history
    record_event(
        case,
        "checklist.answered",
        actor=actor,
        details={
            "item": item.code,
            "answer": [old_answer, answer.value],
            "note": note,
            "version": row.lock_version,
            **({"replaced": old_by.username} if old_by is not None and old_by.id != actor.id else {}),
            **({"client_id": client_id} if client_id else {}),
        },
        captured_at=captured_at,
    )
    return row


def answered_meanwhile(row: ChecklistAnswer) -> Conflict:
    """The refusal of a change based on an older answer: who answered the item since, when, and what (the API's
    `existing` is that answer, with its version to base an overwrite on)."""
    return Conflict(
        _(
            "%(user)s answered %(code)s at %(time)s (%(answer)s), after your page or tablet showed it. Your answer "
            "was not saved: look at both answers, then keep yours or take theirs.",
            user=row.answered_by.full_name,
            code=row.item.code,
            time=format_datetime(row.answered_at, "short"),
            answer=label(row.answer),
        ),
        SavedAnswer.of(row),
    )


def _conflict_after_lost_race(case_id: int, item_id: int) -> Conflict:
    row = db.session.scalar(
        select(ChecklistAnswer).where(ChecklistAnswer.case_id == case_id, ChecklistAnswer.item_id == item_id)
    )
    if row is None:
        return Conflict(_("Someone else changed this at the same moment. Nothing was saved; try again."))
    return answered_meanwhile(row)


# --- progress and completion ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberProgress:
    """How many of one member's items are answered (by anyone on the team)."""

    user: User
    item_ids: tuple[int, ...]
    answered: int

    @property
    def total(self) -> int:
        return len(self.item_ids)


def checklist_progress(case: Case) -> list[MemberProgress]:
    """Each team member's items and how many are answered, in team order (members first, the lead last)."""
    answered = set(answers_by_item(case))
    mine: dict[int, list[int]] = {person.id: [] for person in team_in_order(case)}
    for item_id, person in assignees(case).items():
        mine.setdefault(person.id, []).append(item_id)
    return [
        MemberProgress(person, tuple(mine[person.id]), sum(1 for item_id in mine[person.id] if item_id in answered))
        for person in team_in_order(case)
    ]


def check_checklist_done(case: Case, member: User) -> None:
    """Refuse to finish a member's visit while items assigned to them are unanswered (a member with none may)."""
    answered = set(answers_by_item(case))
    people = assignees(case)
    mine = [item for item in case.inspection.checklist_items if people[item.id].id == member.id]
    missing = [item.code for item in mine if item.id not in answered]
    if missing:
        raise InvalidInput(
            _(
                "%(count)d of your checklist items are not answered yet: %(items)s.",
                count=len(missing),
                items=", ".join(missing),
            ),
            {"checklist": missing},
        )


# --- the on-site screen --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemGroup:
    """One member's checklist items, by content area, as the on-site screen lists them."""

    member: User
    areas: dict[ContentArea, list[ChecklistItem]]

    @property
    def item_count(self) -> int:
        return sum(len(items) for items in self.areas.values())


def checklist_groups(case: Case, user: User) -> list[ItemGroup]:
    """The checklist as `user` sees it on site: their own items first, then each other member's (in team order);
    within a group, by content area in checklist order."""
    people = assignees(case)
    order = [user, *(person for person in team_in_order(case) if person.id != user.id)]
    groups = []
    for person in order:
        areas: dict[ContentArea, list[ChecklistItem]] = {}
        for item in case.inspection.checklist_items:
            if people[item.id].id == person.id:
                areas.setdefault(item.area, []).append(item)
        if areas or person.id == user.id:
            groups.append(ItemGroup(person, areas))
    return groups
