"""Each role's dashboard shows what that role acts on next."""

from datetime import UTC, datetime

from tests.inspections.test_paths import keep_all, minutes, plan, visit


def dashboard(client, sign_in, who) -> str:
    sign_in(who)
    return client.get("/").get_data(as_text=True)


def test_the_inspector_sees_todays_inspection_with_its_checklist(client, sign_in, decide, clock, do_task):
    clock.now = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 09:00 in Hanoi, the first planned day
    case = decide()
    plan(do_task, case)
    page = dashboard(client, sign_in, "inspector")
    assert "On site today" in page and case.reference in page
    assert f"/inspections/{case.id}/onsite" in page
    clock.now = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    assert "No inspection is planned for today." in dashboard(client, sign_in, "inspector")


def test_the_director_sees_what_awaits_approval(client, sign_in, act, decide, do_task, people):
    case = decide(members=())
    assert "Nothing waits for your approval." in dashboard(client, sign_in, "director")
    plan(do_task, case)
    visit(act, do_task, people, case, "lead")
    minutes(do_task, case)
    page = dashboard(client, sign_in, "director")
    assert "Approve the conclusion" in page and case.reference in page


def test_the_unit_officer_sees_remediation_requests_with_deadlines(client, sign_in, act, decide, do_task, people):
    case = decide(members=())
    plan(do_task, case)
    [finding] = visit(act, do_task, people, case, "lead", ["Chưa niêm yết lịch tiếp dân"])
    keep_all(act, case)
    minutes(do_task, case)
    do_task(case, "conclusion", "director", {"decision": "approve", "summary": "Cần khắc phục"})
    page = dashboard(client, sign_in, "officer")
    assert "Chưa niêm yết lịch tiếp dân" in page and "deadline" in page
    assert "Chưa niêm yết lịch tiếp dân" not in dashboard(client, sign_in, "officer2")
