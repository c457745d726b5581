"""Who gets what on the task pages and the admin process pages."""

import pytest
from sqlalchemy import select

from inspect_app.core.extensions import db
from inspect_app.models import TaskState, TimerState, WorkflowTimer
from inspect_app.tasks import registry, timers
from inspect_app.tasks.services import complete_task
from inspect_app.tasks.steps import NoteInput
from tests.helpers import csrf_token, fresh_browser
from tests.permissions.conftest import EVERYONE, USERS, request_as

# The case's first task is the member's visit: the lane (inspector) names lead and inspector, and it is for inspector.
VIEW_TASK = {
    "admin": 200,
    "director": 200,
    "lead": 200,
    "inspector": 200,
    "inspector2": 404,
    "officer": 200,
    "officer2": 404,
    "auditor": 200,
    "anonymous": 302,
}
COMPLETE_TASK = {**{who: 403 for who in USERS}, "inspector": 302, "inspector2": 404, "officer2": 404}
REASSIGN_TASK = {**{who: 403 for who in USERS}, "lead": 302, "director": 302, "inspector2": 404, "officer2": 404}


def visit_task(world):
    [task] = [t for t in world["case"].human_tasks if t.bpmn_id == "visit" and t.state == TaskState.READY]
    return task


def post_as(client, sign_in, who, page, url, data):
    fresh_browser(client)
    if who == "anonymous":
        return client.post(url, data={"csrf_token": csrf_token(client, "/login"), **data})
    sign_in(who)
    token_page = page if client.get(page).status_code == 200 else "/"
    return client.post(url, data={"csrf_token": csrf_token(client, token_page), **data})


@pytest.mark.parametrize("who", EVERYONE)
def test_inbox(client, sign_in, world, who):
    assert request_as(client, sign_in, who, "/tasks/").status_code == (302 if who == "anonymous" else 200)


@pytest.mark.parametrize("who", EVERYONE)
def test_task_page(client, sign_in, world, who):
    assert request_as(client, sign_in, who, f"/tasks/{visit_task(world).id}").status_code == VIEW_TASK[who]


@pytest.mark.parametrize("who", EVERYONE)
def test_completing_a_task(client, sign_in, world, who):
    task = visit_task(world)
    response = post_as(client, sign_in, who, f"/tasks/{task.id}", f"/tasks/{task.id}", {"note": "xong"})
    expected = 302 if who == "anonymous" else COMPLETE_TASK[who]
    assert response.status_code == expected
    if who == "anonymous":
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("who", EVERYONE)
def test_reassigning_a_task(client, sign_in, world, who):
    task = visit_task(world)
    lead = world["users"]["lead"]
    response = post_as(client, sign_in, who, f"/tasks/{task.id}", f"/tasks/{task.id}/reassign", {"user_id": lead.id})
    assert response.status_code == (302 if who == "anonymous" else REASSIGN_TASK[who])


@pytest.mark.parametrize("who", EVERYONE)
def test_admin_process_pages(client, sign_in, world, who):
    definition_id = world["case"].definition_id
    for url in ("/admin/processes/", f"/admin/processes/{definition_id}", f"/admin/processes/{definition_id}/bpmn"):
        expected = {"admin": 200, "anonymous": 302}.get(who, 404)
        assert request_as(client, sign_in, who, url).status_code == expected, url


@pytest.fixture
def failed_timer(app, world, clock, monkeypatch):
    """The world case's report deadline passed and its timer's step failed once, with one attempt allowed."""
    monkeypatch.setitem(app.config, "TIMER_MAX_ATTEMPTS", 1)

    def outage(case):
        raise ConnectionError("mail relay unreachable")

    monkeypatch.setitem(registry.current().timer_handlers, "report_late", outage)
    complete_task(visit_task(world), actor=world["users"]["inspector"], data=NoteInput(note="xong"))
    db.session.commit()
    clock.advance(days=10, minutes=1)
    [run] = timers.run_due_timers(clock.now)
    assert run.state == TimerState.FAILED
    return db.session.scalars(select(WorkflowTimer)).one()


@pytest.mark.parametrize("who", EVERYONE)
def test_admin_timer_page(client, sign_in, failed_timer, who):
    expected = {"admin": 200, "anonymous": 302}.get(who, 404)
    assert request_as(client, sign_in, who, "/admin/processes/timers").status_code == expected


@pytest.mark.parametrize("who", EVERYONE)
def test_retrying_a_failed_timer(client, sign_in, failed_timer, who):
    url = f"/admin/processes/timers/{failed_timer.id}/retry"
    response = post_as(client, sign_in, who, "/admin/processes/timers", url, {})
    assert response.status_code == {"admin": 303, "anonymous": 302}.get(who, 404)
    db.session.expire_all()
    assert failed_timer.state == (TimerState.WAITING if who == "admin" else TimerState.FAILED)
