"""Three team members saving on-site answers at the same moment, on the demo's inspection that is on site today.

Answers to different items, or to the same item by different people, never conflict: every one is stored, and the
history, replayed, gives exactly what is stored."""

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
    """(inspector id, item code) -> (answer, note), from the history alone; each change starts where the last ended."""
    state = {}
    for event in case_events(case):
        if event.action != "checklist.answered":
            continue
        key = (event.actor_id, event.details["item"])
        old, new = event.details["answer"]
        assert old == state.get(key, (None, None))[0], f"event {event.seq} does not start from the stored answer"
        state[key] = (new, event.details["note"])
    return state


def stored_answers(case: Case) -> dict:
    rows = db.session.scalars(select(ChecklistAnswer).where(ChecklistAnswer.case_id == case.id))
    return {(row.inspector_id, row.item.code): (row.answer.value, row.note) for row in rows}


@pytest.mark.postgres
def test_three_team_members_saving_at_once_lose_no_answer(app, demo):
    case = db.session.scalar(select(Case).where(Case.title == ON_SITE_TODAY))
    items = case.inspection.checklist_items
    clients = {name: signed_in_client(app, name, DEMO_PASSWORD) for name in MEMBERS}
    users = {member.user.username: member.user for member in case.team}
    sent = {}
    for round_number in range(ROUNDS):
        posts = {}
        for position, name in enumerate(MEMBERS):
            # Even rounds: everyone answers the same item; odd rounds: each a different one.
            item = items[round_number % len(items) if round_number % 2 == 0 else (round_number + position) % len(items)]
            answer = list(Answer)[(round_number + position) % len(Answer)].value
            note = f"Vòng {round_number + 1}: {name}"
            posts[name] = (f"/inspections/{case.id}/answers/{item.id}", {"answer": answer, "note": note})
            sent[(users[name].id, item.code)] = (answer, note)

        responses = race(clients, posts, form_page=f"/inspections/{case.id}/onsite")

        problems = {
            name: error_flash(clients[name].get(response.headers["Location"]))
            for name, response in responses.items()
            if response.status_code != 302
        }
        assert not problems, f"round {round_number + 1}: {problems}"

    db.session.expire_all()
    stored = stored_answers(case)
    assert {key: stored[key] for key in sent} == sent, "every answer sent is the one stored"
    assert replayed_answers(case) == stored, "the history, replayed, is what is stored"
    result = app.test_cli_runner().invoke(args=["inspect", "verify-history"])
    assert result.exit_code == 0, result.output
