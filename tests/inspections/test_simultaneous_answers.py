"""Three team members saving on-site answers at the same moment, on the demo's inspection that is on site today.

Answers to different items never conflict: every one is stored. An item has one answer for the team, so three saves
of one item made on the same version are a real conflict: one is stored, the others are refused naming who answered;
nothing is replaced unseen, and the history, replayed, gives exactly what is stored."""

import pytest
from sqlalchemy import select

from inspect_app.core.extensions import db
from inspect_app.demo.organisation import DEMO_PASSWORD
from inspect_app.history import case_events
from inspect_app.models import Answer, Case, ChecklistAnswer
from tests.helpers import error_flash
from tests.racing import race, signed_in_client

ROUNDS = 15
MEMBERS = ("lead", "inspector", "inspector2")
ON_SITE_TODAY = "Kiểm tra công vụ tại Thị xã Kinh Môn"


def replayed_answers(case: Case) -> dict:
    """item code -> (answer, note, username), from the history alone; each change starts where the last ended and
    makes the next version."""
    state, versions = {}, {}
    for event in case_events(case):
        if event.action != "checklist.answered":
            continue
        code = event.details["item"]
        old, new = event.details["answer"]
        assert old == state.get(code, (None,))[0], f"event {event.seq} does not start from the stored answer"
        assert event.details["version"] == versions.get(code, 0) + 1, f"event {event.seq} skips a version"
        state[code], versions[code] = (new, event.details["note"], event.actor.username), event.details["version"]
    return state


def stored_answers(case: Case) -> dict:
    rows = db.session.scalars(select(ChecklistAnswer).where(ChecklistAnswer.case_id == case.id))
    return {row.item.code: (row.answer.value, row.note, row.answered_by.username) for row in rows}


def answer_form(case: Case, item, answer: str, note: str) -> tuple[str, dict]:
    """The form of the item as a page showing its current answer posts it."""
    current = db.session.scalar(
        select(ChecklistAnswer).where(ChecklistAnswer.case_id == case.id, ChecklistAnswer.item_id == item.id)
    )
    version = str(current.lock_version) if current is not None else ""
    return f"/inspections/{case.id}/answers/{item.id}", {"answer": answer, "note": note, "version": version}


@pytest.mark.postgres
def test_three_team_members_saving_at_once_lose_no_answer_unseen(app, demo):
    case = db.session.scalar(select(Case).where(Case.title == ON_SITE_TODAY))
    items = case.inspection.checklist_items
    clients = {name: signed_in_client(app, name, DEMO_PASSWORD) for name in MEMBERS}
    names = {member.user.username: member.user.full_name for member in case.team}
    kept = stored_answers(case)
    for round_number in range(ROUNDS):
        db.session.expire_all()
        posts, sent = {}, {}
        for position, name in enumerate(MEMBERS):
            # Even rounds: everyone answers the same item; odd rounds: each a different one.
            shared = round_number % 2 == 0
            item = items[round_number % len(items) if shared else (round_number + position) % len(items)]
            answer = list(Answer)[(round_number + position) % len(Answer)].value
            note = f"Vòng {round_number + 1}: {name}"
            posts[name] = answer_form(case, item, answer, note)
            sent[name] = (item.code, (answer, note, name))

        responses = race(clients, posts, form_page=f"/inspections/{case.id}/onsite")

        statuses = {name: response.status_code for name, response in responses.items()}
        if round_number % 2:
            assert set(statuses.values()) == {302}, f"round {round_number + 1}: {statuses}"
            kept.update(sent.values())
            continue
        assert sorted(statuses.values()) == [302, 303, 303], f"round {round_number + 1}: {statuses}"
        [winner] = [name for name, status in statuses.items() if status == 302]
        kept.update([sent[winner]])
        for loser in (name for name, status in statuses.items() if status == 303):
            message = error_flash(clients[loser].get(responses[loser].headers["Location"]))
            assert message.startswith(names[winner]), f"round {round_number + 1}: {message}"

    db.session.expire_all()
    stored = stored_answers(case)
    assert stored == kept, "every answer stored is one that was sent and not refused"
    assert replayed_answers(case) == stored, "the history, replayed, is what is stored"
    result = app.test_cli_runner().invoke(args=["inspect", "verify-history"])
    assert result.exit_code == 0, result.output
