"""Doing a case's tasks through the web pages: lanes decide who acts, every step is recorded."""

from datetime import timedelta

import pytest

from inspect_app.core.extensions import db
from inspect_app.history import case_events
from inspect_app.models import CaseStatus, HumanTask, Role, TaskState, TimerState, WorkflowTimer
from tests.helpers import csrf_token


@pytest.fixture
def people(create_user):
    return {
        "director": create_user("director", Role.DIRECTOR, full_name="Nguyễn Văn Hùng", language="en"),
        "lead": create_user("lead", Role.LEAD, Role.INSPECTOR, full_name="Trần Thị Lan", language="en"),
        "inspector": create_user("inspector", Role.INSPECTOR, full_name="Lê Minh Tuấn", language="en"),
        "inspector2": create_user("inspector2", Role.INSPECTOR, full_name="Phạm Thu Hà", language="en"),
        "auditor": create_user("auditor", Role.AUDITOR, language="en"),
    }


@pytest.fixture
def case(start_case, people):
    return start_case(
        lead=people["lead"], members=[people["inspector"], people["inspector2"]], actor=people["director"]
    )


def open_tasks(case, bpmn_id=None):
    db.session.expire_all()
    return [t for t in case.human_tasks if t.state == TaskState.READY and (bpmn_id is None or t.bpmn_id == bpmn_id)]


def submit(client, task, **data):
    token = csrf_token(client, f"/tasks/{task.id}")
    return client.post(f"/tasks/{task.id}", data={"csrf_token": token, **data})


def test_each_member_gets_their_own_visit_task(case, people):
    visits = open_tasks(case, "visit")
    assert sorted(t.claimed_by.username for t in visits) == ["inspector", "inspector2"]
    assert {t.title for t in visits} == {"Làm việc tại đơn vị"}


def test_the_inbox_shows_a_user_their_tasks_only(client, sign_in, case):
    sign_in("inspector")
    page = client.get("/tasks/").get_data(as_text=True)
    assert "Làm việc tại đơn vị" in page and case.reference in page
    assert "1 task" in page
    sign_in("director")
    assert "You have no open tasks" in client.get("/tasks/").get_data(as_text=True)


def test_a_full_round_with_a_return_loop(client, sign_in, case, people):
    for name in ("inspector", "inspector2"):
        sign_in(name)
        [visit] = [t for t in open_tasks(case, "visit") if t.claimed_by.username == name]
        assert submit(client, visit, note="Đã kiểm tra").status_code == 302

    sign_in("lead")
    [report] = open_tasks(case, "report")
    assert submit(client, report, note="Báo cáo").status_code == 302
    sign_in("director")
    [review] = open_tasks(case, "review")
    response = submit(client, review, decision="return")
    assert response.status_code == 422, "a return needs a comment"
    assert "Say what must change." in response.get_data(as_text=True)
    assert submit(client, review, decision="return", comment="Bổ sung số liệu").status_code == 302

    sign_in("lead")
    [report] = open_tasks(case, "report")
    submit(client, report, note="Báo cáo đã bổ sung")
    sign_in("director")
    [review] = open_tasks(case, "review")
    submit(client, review, decision="approve")

    db.session.expire_all()
    assert case.status == CaseStatus.CLOSED
    actions = [e.action for e in case_events(case)]
    assert actions.count("task.completed") == 6
    assert actions[-1] == "case.closed"
    returned = [e for e in case_events(case) if e.details.get("decisions") == {"decision": "return"}]
    assert returned and returned[0].details["opened"] == ["Viết báo cáo"]
    assert db.session.get(HumanTask, review.id).submission == {"decision": "approve", "comment": None}


def test_a_user_outside_the_lane_gets_403_and_nothing_changes(client, sign_in, case):
    sign_in("director")
    [visit] = open_tasks(case, "visit")[:1]
    token = csrf_token(client, f"/tasks/{visit.id}")
    assert client.post(f"/tasks/{visit.id}", data={"csrf_token": token, "note": "x"}).status_code == 403
    assert len(open_tasks(case, "visit")) == 2
    assert [e.action for e in case_events(case)][-1] == "workflow.started"


def test_the_second_submission_is_told_who_completed_the_task(client, sign_in, case, people):
    sign_in("inspector")
    [visit] = [t for t in open_tasks(case, "visit") if t.claimed_by.username == "inspector"]
    token = csrf_token(client, f"/tasks/{visit.id}")
    assert client.post(f"/tasks/{visit.id}", data={"csrf_token": token, "note": "một"}).status_code == 302
    again = client.post(f"/tasks/{visit.id}", data={"csrf_token": token, "note": "hai"})
    assert again.status_code == 409
    assert "Lê Minh Tuấn already completed this task" in again.get_data(as_text=True)
    assert db.session.get(HumanTask, visit.id).submission["note"] == "một"


def test_a_supervisor_reassigns_and_the_history_says_so(client, sign_in, case, people):
    [visit] = [t for t in open_tasks(case, "visit") if t.claimed_by.username == "inspector"]
    sign_in("inspector")
    token = csrf_token(client, f"/tasks/{visit.id}")
    assert (
        client.post(
            f"/tasks/{visit.id}/reassign", data={"csrf_token": token, "user_id": people["inspector2"].id}
        ).status_code
        == 403
    )
    sign_in("lead")
    token = csrf_token(client, f"/tasks/{visit.id}")
    client.post(f"/tasks/{visit.id}/reassign", data={"csrf_token": token, "user_id": people["inspector2"].id})
    db.session.expire_all()
    assert db.session.get(HumanTask, visit.id).claimed_by.username == "inspector2"
    event = case_events(case)[-1]
    assert (event.action, event.details["from"], event.details["to"]) == ("task.reassigned", "inspector", "inspector2")


def test_a_deadline_passing_opens_the_follow_up(app, client, sign_in, clock, start_case, people):
    case = start_case(lead=people["lead"], members=[people["inspector"]], actor=people["director"])
    sign_in("inspector")
    [visit] = open_tasks(case, "visit")
    submit(client, visit, note="xong")
    [report] = open_tasks(case, "report")
    assert report.due_at == clock.now + timedelta(days=10)
    clock.advance(days=10, minutes=1)
    result = app.test_cli_runner().invoke(args=["inspect", "run-timers"])
    assert "Fired 1 timer(s)" in result.output
    assert [t.bpmn_id for t in open_tasks(case)] == ["follow_up"]
    assert db.session.scalar(db.select(WorkflowTimer.state)) == TimerState.FIRED
    assert case_events(case)[-1].action == "timer.fired"
    again = app.test_cli_runner().invoke(args=["inspect", "run-timers"])
    assert "Fired 0 timer(s)" in again.output
