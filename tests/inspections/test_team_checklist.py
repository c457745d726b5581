"""A team answers a checklist once: the lead assigns it at planning, each member answers their own items on the
on-site screen, everyone sees the team's progress, a member's visit ends when their items are answered, and two
members answering one item meet a conflict they resolve, never a silent overwrite."""

import re

import pytest
from sqlalchemy import select

from inspect_app.core.extensions import db
from inspect_app.history import case_events
from inspect_app.models import Answer, ChecklistAnswer, ChecklistAssignment
from tests.helpers import error_flash
from tests.inspections.conftest import open_task
from tests.inspections.test_paths import plan

SCHEDULE = {"schedule_note": "Sáng 1/12 làm việc tại bộ phận một cửa"}


def assigned(case) -> dict[str, str]:
    db.session.expire_all()
    rows = db.session.scalars(select(ChecklistAssignment).where(ChecklistAssignment.case_id == case.id))
    return {row.item.code: row.assignee.username for row in rows}


def stored(case) -> dict[str, tuple]:
    db.session.expire_all()
    rows = db.session.scalars(select(ChecklistAnswer).where(ChecklistAnswer.case_id == case.id))
    return {row.item.code: (row.answer.value, row.answered_by.username, row.lock_version) for row in rows}


def item(checklist, code):
    return next(i for i in checklist.items if i.code == code)


def answer(act, case, who, checklist_item, value, version="", note=""):
    return act(
        who,
        f"/inspections/{case.id}/answers/{checklist_item.id}",
        {"answer": value, "note": note, "version": version},
        page=f"/inspections/{case.id}/onsite",
    )


def selected(html: str, name: str) -> str:
    """The value chosen in the page's select called `name` ("" for none)."""
    options = re.search(rf'<select[^>]* name="{name}">(.*?)</select>', html, re.S).group(1)
    chosen = re.search(r'<option value="([^"]*)" selected>', options)
    return chosen.group(1) if chosen else ""


def team_progress(html: str) -> dict[str, str]:
    """Each member's name on the on-site screen's team progress, and their count of answered items."""
    rows = re.findall(r'<span class="member-name">(.*?)</span>\s*<span class="member-count">(.*?)</span>', html, re.S)
    return {" ".join(re.sub(r"<[^>]+>", "", name).split()): count for name, count in rows}


def items_in_page_order(html: str) -> list[str]:
    return re.findall(r'<span class="item-code">([^<]+)</span>', html)


# --- planning ------------------------------------------------------------------------------------------------------


def test_the_plan_proposes_an_assignment_the_lead_accepts_as_it_is(client, sign_in, act, decide, do_task):
    case = decide(members=("inspector",))
    task = open_task(case, "plan")
    sign_in("lead")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    # The larger area (procedures: A2, A3) to the member, the other to the lead; each item "with its area".
    assert (selected(page, "area_procedures"), selected(page, "area_civil_service")) == ("inspector", "lead")
    assert [selected(page, f"item_{i.id}") for i in case.inspection.checklist_items] == ["", "", ""]

    do_task(case, "plan", "lead", SCHEDULE)

    assert assigned(case) == {"A1": "lead", "A2": "inspector", "A3": "inspector"}
    [event] = [e for e in case_events(case) if e.action == "checklist.assigned"]
    assert event.details == {"assignment": {"lead": ["A1"], "inspector": ["A2", "A3"]}}
    assert event.actor.username == "lead"


def test_the_lead_gives_areas_and_single_items_to_members(act, decide, do_task, checklist):
    case = decide(members=("inspector", "inspector2"))
    a3 = item(checklist, "A3")
    form = {**SCHEDULE, "area_civil_service": "inspector2", "area_procedures": "lead", f"item_{a3.id}": "inspector"}
    do_task(case, "plan", "lead", form)
    assert assigned(case) == {"A1": "inspector2", "A2": "lead", "A3": "inspector"}


def test_an_assignment_to_someone_off_the_team_is_refused_and_nothing_is_stored(act, decide, do_task):
    case = decide(members=("inspector",))
    response = do_task(case, "plan", "lead", {**SCHEDULE, "area_procedures": "inspector2"}, expect=422)
    assert "Choose members of the team." in response.get_data(as_text=True)
    assert assigned(case) == {}
    assert open_task(case, "plan") is not None


# --- on site -------------------------------------------------------------------------------------------------------


def test_two_members_answer_one_checklist(client, sign_in, act, decide, do_task, people, checklist):
    """The lead gives procedures to the inspector and keeps civil service; each answers their own items, sees the
    team's progress, and finishes only when their own items are answered. The lead changing an item the inspector
    changed after the lead's page opened is refused, naming the inspector; the lead looks again and keeps theirs."""
    people["lead"].language = "vi"
    db.session.commit()
    case = decide(members=("inspector",))
    plan(do_task, case, civil_service="lead", procedures="inspector")
    a1, a2, a3 = (item(checklist, code) for code in ("A1", "A2", "A3"))
    onsite = f"/inspections/{case.id}/onsite"

    sign_in("inspector")
    page = client.get(onsite).get_data(as_text=True)
    assert items_in_page_order(page) == ["A2", "A3", "A1"], "the inspector's own items first, then the lead's"
    assert page.index("Your items") < page.index("Items of Người lead")
    for checklist_item in (a2, a3):
        assert answer(act, case, "inspector", checklist_item, "compliant").status_code == 302

    sign_in("lead")
    page = client.get(onsite).get_data(as_text=True)
    assert items_in_page_order(page) == ["A1", "A2", "A3"], "the lead's own item first"
    assert team_progress(page) == {"Người inspector": "2/2", "Bạn (Trưởng đoàn)": "0/1"}
    assert "Đã trả lời 2/3 mục" in page, "the whole team's progress"
    assert "Người inspector trả lời" in page, "each answer says who gave it"

    refused = do_task(case, "onsite", "lead", {"confirmed": "y"}, expect=422, user=people["lead"])
    assert "Còn 1 mục được giao cho bạn chưa được trả lời: A1." in refused.get_data(as_text=True)

    # The lead's page shows A2 at version 1; the inspector changes it (their own answer: no conflict) to version 2.
    assert answer(act, case, "inspector", a2, "not_compliant", version="1", note="Thiếu 2 thủ tục").status_code == 302
    late = answer(act, case, "lead", a2, "compliant", version="1")
    assert late.status_code == 303 and late.headers["Location"].endswith(f"#item-{a2.id}")
    message = error_flash(client.get(late.headers["Location"]))
    assert message.startswith("Người inspector đã trả lời A2 lúc") and "(Không đạt)" in message, message
    assert "Câu trả lời của bạn chưa được lưu" in message
    assert stored(case)["A2"] == ("not_compliant", "inspector", 2), "nothing of the lead's replaced it unseen"

    # Having seen both, the lead keeps theirs: a change made on version 2 replaces the inspector's answer.
    assert answer(act, case, "lead", a2, "compliant", version="2").status_code == 302
    assert stored(case)["A2"] == ("compliant", "lead", 3)
    assert answer(act, case, "lead", a1, "compliant").status_code == 302
    do_task(case, "onsite", "lead", {"confirmed": "y"}, user=people["lead"])
    do_task(case, "onsite", "inspector", {"confirmed": "y"}, user=people["inspector"])
    assert [task.bpmn_id for task in case.open_tasks] == ["minutes"]

    answered = [e for e in case_events(case) if e.action == "checklist.answered"]
    changes = [(e.actor.username, e.details["item"], e.details["answer"], e.details.get("replaced")) for e in answered]
    assert changes == [
        ("inspector", "A2", [None, "compliant"], None),
        ("inspector", "A3", [None, "compliant"], None),
        ("inspector", "A2", ["compliant", "not_compliant"], None),
        ("lead", "A2", ["not_compliant", "compliant"], "inspector"),
        ("lead", "A1", [None, "compliant"], None),
    ]
    assert [e.details["version"] for e in answered] == [1, 1, 2, 3, 1]


def test_a_member_with_no_items_finishes_the_visit_without_answering(act, decide, do_task, people):
    case = decide(members=("inspector", "inspector2"))
    plan(do_task, case, civil_service="inspector", procedures="inspector")
    do_task(case, "onsite", "inspector2", {"confirmed": "y"}, user=people["inspector2"])
    do_task(case, "onsite", "lead", {"confirmed": "y"}, user=people["lead"])
    refused = do_task(case, "onsite", "inspector", {"confirmed": "y"}, expect=422, user=people["inspector"])
    assert "3 of your checklist items are not answered yet: A1, A2, A3." in refused.get_data(as_text=True)


def test_the_on_site_screen_leads_each_member_to_their_own_visit_task(client, sign_in, decide, do_task, people):
    case = decide(members=("inspector",))
    plan(do_task, case, civil_service="inspector", procedures="inspector")
    lead_visit = open_task(case, "onsite", people["lead"])
    inspector_visit = open_task(case, "onsite", people["inspector"])

    sign_in("inspector")
    page = client.get(f"/inspections/{case.id}/onsite").get_data(as_text=True)
    assert f'href="/tasks/{inspector_visit.id}">Finish my visit</a>' in page
    assert f'href="/tasks/{lead_visit.id}"' not in page

    do_task(case, "onsite", "lead", {"confirmed": "y"}, user=people["lead"])
    sign_in("lead")
    page = client.get(f"/inspections/{case.id}/onsite").get_data(as_text=True)
    assert "Finish my visit" not in page, "the lead's visit is done; the inspector's is not theirs to finish"


def test_an_item_nobody_is_given_falls_to_the_lead(client, sign_in, act, decide, do_task, people, checklist):
    """A case planned before assignments existed (or an item of a member who left the team) is the lead's."""
    case = decide(members=("inspector",))
    plan(do_task, case, civil_service="inspector", procedures="inspector")
    db.session.execute(
        ChecklistAssignment.__table__.delete().where(ChecklistAssignment.item_id == item(checklist, "A3").id)
    )
    db.session.commit()
    refused = do_task(case, "onsite", "lead", {"confirmed": "y"}, expect=422, user=people["lead"])
    assert "1 of your checklist items are not answered yet: A3." in refused.get_data(as_text=True)


@pytest.mark.parametrize("version", ["abc", "1.5"])
def test_a_version_that_is_not_a_number_is_refused_naming_it_and_nothing_is_stored(
    client, act, decide, do_task, checklist, version
):
    case = decide(members=("inspector",))
    plan(do_task, case, civil_service="inspector", procedures="inspector")
    response = answer(act, case, "inspector", item(checklist, "A1"), "compliant", version=version)
    assert response.status_code == 303
    assert "The page sent a version that is not a number" in error_flash(client.get(response.headers["Location"]))
    assert stored(case) == {}


def test_the_same_answer_again_from_another_member_changes_nothing_and_is_not_refused(act, decide, do_task, checklist):
    case = decide(members=("inspector",))
    plan(do_task, case, civil_service="inspector", procedures="inspector")
    a1 = item(checklist, "A1")
    assert answer(act, case, "inspector", a1, Answer.COMPLIANT.value).status_code == 302
    assert answer(act, case, "lead", a1, Answer.COMPLIANT.value).status_code == 302
    assert stored(case) == {"A1": ("compliant", "inspector", 1)}
