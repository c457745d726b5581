"""How many SQL statements one task completion through the API costs, the whole request counted (sign-in, loading,
the lock, the step, history, notifications, the answer). The count is the measure, not a time: each statement is a
round trip to PostgreSQL, and these were 25 or 26 before the completion path was cut down (issue 15)."""

from collections import Counter
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, inspect, select

from inspect_app.auth.tokens import issue_token
from inspect_app.core.extensions import db
from inspect_app.models import (
    Case,
    CaseEvent,
    CaseStatus,
    HumanTask,
    Notification,
    Role,
    TaskState,
    TimerState,
    WorkflowTimer,
)
from tests.helpers import chain_bpmn, fresh_browser


@contextmanager
def counted_statements():
    """Every statement sent to the database inside the block (SQLAlchemy's before_cursor_execute)."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


class Api:
    """Completions through the API with each user's token. A token is used once before anything is counted, and
    the clock stands still: a token's use is noted once a minute, which is not part of a completion."""

    def __init__(self, client):
        self.client, self.headers = client, {}

    def sign_in(self, *users) -> None:
        fresh_browser(self.client)  # a browser's session would speak for the caller instead of the token
        for user in users:
            _row, token = issue_token(user, "tablet")
            db.session.commit()
            self.headers[user.id] = {"Authorization": f"Bearer {token}"}
            assert self.client.get("/api/v1/tasks", headers=self.headers[user.id]).status_code == 200

    def complete(self, user, task_id: int, body: dict) -> dict:
        # The user's id from the identity map's key: reading `user.id` could reload the user, and be counted.
        headers = self.headers[inspect(user).identity[0]]
        response = self.client.post(f"/api/v1/tasks/{task_id}/complete", json=body, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()


@pytest.fixture
def api(client, clock) -> Api:
    return Api(client)


@pytest.fixture
def loop_people(create_user):
    return {
        "lead": create_user("lead", Role.LEAD, Role.INSPECTOR),
        "director": create_user("director", Role.DIRECTOR),
    }


def ready(case_id: int, bpmn_id: str) -> int:
    db.session.expire_all()
    query = select(HumanTask.id).where(
        HumanTask.case_id == case_id, HumanTask.bpmn_id == bpmn_id, HumanTask.state == TaskState.READY
    )
    return db.session.scalar(query)


def test_a_step_of_a_small_process_takes_eight_statements(start_case, deploy, loop_people, api):
    """A → B, both the lead's, no timer."""
    deploy("chain.bpmn", xml=chain_bpmn(["user", "user"], lane="lead", form="note"))
    case = start_case("chain", lead=loop_people["lead"], actor=loop_people["director"])
    api.sign_in(loop_people["lead"])
    first = ready(case.id, "step_0")

    with counted_statements() as statements:
        answer = api.complete(loop_people["lead"], first, {"note": "Xong bước đầu"})

    # The sign-in (token, user, roles); the task with its case, team and process version (the 404 check); the case
    # locked and read with its team, ready tasks and timers; then the writes: the task done, the case (its state and
    # history head), the event, the new task, its notifications (none here: the lead is the actor).
    assert len(statements) == 8, "\n".join(statements)
    assert [task["bpmn_id"] for task in answer["next_tasks"]] == ["step_1"]


def test_a_loop_with_a_deadline_timer_takes_nine_statements_a_step_at_every_pass(start_case, loop_people, api):
    """app_review: the lead's report carries a 10-day timer; each pass cancels one timer row and writes another."""
    case = start_case(lead=loop_people["lead"], members=[], actor=loop_people["director"])
    api.sign_in(loop_people["lead"], loop_people["director"])
    task_id = ready(case.id, "report")
    counts = []
    for _pass in range(3):
        with counted_statements() as statements:
            answer = api.complete(loop_people["lead"], task_id, {"note": "Báo cáo"})
        counts.append(len(statements))
        [task_id] = [task["id"] for task in answer["next_tasks"] if task["bpmn_id"] == "review"]
        with counted_statements() as statements:
            answer = api.complete(loop_people["director"], task_id, {"decision": "return", "comment": "Bổ sung"})
        counts.append(len(statements))
        [task_id] = [task["id"] for task in answer["next_tasks"] if task["bpmn_id"] == "report"]

    # As above, and the timer row: cancelled by the report, written anew when the report opens again.
    assert counts == [9] * 6, counts
    # And the steps did what they always did: recorded, notified, projected.
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count()).where(CaseEvent.case_id == case.id, CaseEvent.action == "task.completed")
        )
        == 6
    )
    notified = db.session.scalars(select(Notification.user_id).where(Notification.case_id == case.id)).all()
    # Each review for the director, each report for the lead (one more: the report opened when the case started).
    assert Counter(notified) == {loop_people["director"].id: 3, loop_people["lead"].id: 4}


def test_a_step_that_ends_the_process_takes_ten_statements(start_case, loop_people, api):
    """app_review, the report approved: the step's end event closes the case in the same request."""
    case = start_case(lead=loop_people["lead"], members=[], actor=loop_people["director"])
    api.sign_in(loop_people["lead"], loop_people["director"])
    answer = api.complete(loop_people["lead"], ready(case.id, "report"), {"note": "Báo cáo"})
    [review] = [task["id"] for task in answer["next_tasks"] if task["bpmn_id"] == "review"]

    with counted_statements() as statements:
        answer = api.complete(loop_people["director"], review, {"decision": "approve"})

    # The three reads and the step's writes, as above (no task opened, so no notification); then the closing: what
    # is still open read (tasks, timers), and the case (its status with its history head) and its event written.
    assert len(statements) == 10, "\n".join(statements)
    assert answer["next_tasks"] == []
    assert answer["case"]["status"] == "closed"
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == CaseStatus.CLOSED
    actions = db.session.scalars(select(CaseEvent.action).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq))
    assert list(actions)[-2:] == ["task.completed", "case.closed"]
    assert (
        db.session.scalar(select(func.count()).where(HumanTask.case_id == case.id, HumanTask.state == TaskState.READY))
        == 0
    )
    timers = db.session.scalars(select(WorkflowTimer.state).where(WorkflowTimer.case_id == case.id)).all()
    assert TimerState.WAITING not in timers
