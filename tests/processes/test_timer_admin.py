"""Administrators see the timers whose process step failed, and may ask for one more attempt."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from inspect_app.core.extensions import db
from inspect_app.core.templating import local_time
from inspect_app.history import case_events
from inspect_app.models import Role, TimerState, WorkflowTimer
from tests.helpers import csrf_token, error_flash

PAGE = "/admin/processes/timers"
ROUTE_ERROR = "route_late: No conditions satisfied for route_late"


@pytest.fixture
def lead(create_user):
    return create_user("lead", Role.LEAD, Role.INSPECTOR, language="en")


@pytest.fixture
def late_case(start_case, lead):
    """Start a late_routing case; severity "medium" finds no branch when the report is late, so its timer fails."""
    return lambda severity="medium": start_case("late_routing", lead=lead, data={"severity": severity})


def run_timers(app) -> str:
    result = app.test_cli_runner().invoke(args=["inspect", "run-timers"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def timer_of(case) -> WorkflowTimer:
    db.session.expire_all()
    return db.session.scalars(select(WorkflowTimer).where(WorkflowTimer.case_id == case.id)).one()


def retry(client, timer: WorkflowTimer):
    return client.post(f"{PAGE}/{timer.id}/retry", data={"csrf_token": csrf_token(client, PAGE)})


def row_of(page: str, reference: str) -> str:
    [row] = [row for row in re.findall(r"<tr>.*?</tr>", page, re.S) if reference in row]
    return html.unescape(row)


def test_the_page_says_so_when_no_timer_has_failed(client, admin, app, clock, late_case):
    late_case("low")
    clock.advance(days=10, minutes=1)
    run_timers(app)

    page = client.get(PAGE).get_data(as_text=True)

    assert "No timer has failed: every deadline that passed ran its process step." in page
    assert "<table" not in page


def test_the_processes_page_links_to_the_timers(client, admin):
    assert f'href="{PAGE}"' in client.get("/admin/processes/").get_data(as_text=True)


def test_failed_and_retrying_timers_are_listed_with_what_went_wrong(client, admin, app, clock, late_case, monkeypatch):
    monkeypatch.setitem(app.config, "TIMER_MAX_ATTEMPTS", 2)
    failed, fired = late_case(), late_case("low")
    clock.advance(days=5)
    retrying = late_case()
    clock.advance(days=5, minutes=1)
    run_timers(app)  # failed: attempt 1; fired fires; retrying is not due yet
    clock.advance(days=5)
    run_timers(app)  # failed: attempt 2 of 2, marked failed; retrying: attempt 1, next in a minute

    page = client.get(PAGE).get_data(as_text=True)

    assert fired.reference not in page
    failed_row, retrying_row = row_of(page, failed.reference), row_of(page, retrying.reference)
    assert page.index(failed.reference) < page.index(retrying.reference), "failed timers come first"
    assert f'href="/cases/{failed.id}"' in failed_row
    for row in (failed_row, retrying_row):
        assert "report_late" in row and ROUTE_ERROR in row and "Retry now" in row
    assert "Failed" in failed_row and "2 of 2" in failed_row and "None: marked failed" in failed_row
    assert "Retrying" in retrying_row and "1 of 2" in retrying_row
    next_attempt = timer_of(retrying).next_attempt_at
    assert next_attempt == clock.now + timedelta(minutes=1)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert local_time(next_attempt) in retrying_row


def test_retry_now_queues_one_more_attempt_and_records_it_in_the_case_history(
    client, admin, app, clock, late_case, monkeypatch
):
    monkeypatch.setitem(app.config, "TIMER_MAX_ATTEMPTS", 1)
    case = late_case()
    clock.advance(days=10, minutes=1)
    run_timers(app)
    timer = timer_of(case)
    assert timer.state == TimerState.FAILED

    response = retry(client, timer)

    assert response.status_code == 303
    assert response.headers["Location"] == PAGE
    page = client.get(PAGE).get_data(as_text=True)
    assert f"Timer report_late of {case.reference} will be tried again on the worker&#39;s next run." in page
    timer = timer_of(case)
    assert (timer.state, timer.next_attempt_at, timer.attempts) == (TimerState.WAITING, clock.now, 1)
    [event] = [e for e in case_events(case) if e.action == "timer.retried"]
    assert event.actor_id == admin.id
    assert event.details == {"timer": "report_late", "attempts": 1, "error": ROUTE_ERROR}
    # The worker tries once more; the process still has no branch for the case, so the timer fails again at once.
    output = run_timers(app)
    assert f"{case.reference}: timer report_late failed (attempt 2, marked failed): {ROUTE_ERROR}" in output
    assert (timer_of(case).state, timer_of(case).attempts) == (TimerState.FAILED, 2)


def test_a_timer_that_has_moved_on_cannot_be_retried(client, admin, app, clock, late_case):
    case = late_case("low")
    clock.advance(days=10, minutes=1)
    run_timers(app)
    timer = timer_of(case)
    assert timer.state == TimerState.FIRED

    response = retry(client, timer)

    assert response.status_code == 303
    assert error_flash(client.get(response.headers["Location"])) == (
        "This timer is no longer waiting to be retried: the case has moved on."
    )
    assert timer_of(case).state == TimerState.FIRED
    assert "timer.retried" not in [e.action for e in case_events(case)]


def test_retry_needs_the_form_s_csrf_token_and_an_existing_timer(client, admin, app, clock, late_case, monkeypatch):
    monkeypatch.setitem(app.config, "TIMER_MAX_ATTEMPTS", 1)
    case = late_case()
    clock.advance(days=10, minutes=1)
    run_timers(app)
    timer = timer_of(case)

    assert client.post(f"{PAGE}/{timer.id}/retry").status_code == 400
    assert client.post(f"{PAGE}/999999/retry", data={"csrf_token": csrf_token(client, PAGE)}).status_code == 404
    assert timer_of(case).state == TimerState.FAILED
