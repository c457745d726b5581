"""Two people submitting the same task at once: exactly one wins, the other gets a 409 naming the winner."""

import threading
from collections import Counter

import pytest
from sqlalchemy import select

from inspect_app.core.extensions import db
from inspect_app.history import case_events
from inspect_app.models import HumanTask, Role, TaskState
from inspect_app.tasks import services
from inspect_app.tasks.schemas import StepInput
from inspect_app.tasks.steps import NoteInput
from tests.conftest import POSTGRES_URL
from tests.helpers import THREAD_TIMEOUT, csrf_token
from tests.racing import race, signed_in_client

ROUNDS = 50


@pytest.fixture
def people(create_user):
    return {
        "director_a": create_user("director_a", Role.DIRECTOR, full_name="Nguyễn Văn An", language="en"),
        "director_b": create_user("director_b", Role.DIRECTOR, full_name="Trần Thị Bình", language="en"),
        "lead": create_user("lead", Role.LEAD, Role.INSPECTOR, full_name="Lê Minh Châu", language="en"),
        "inspector": create_user("inspector", Role.INSPECTOR, full_name="Phạm Thu Dung", language="en"),
    }


def ready_tasks(case, bpmn_id=None) -> list[HumanTask]:
    db.session.expire_all()
    return [t for t in case.human_tasks if t.state == TaskState.READY and (bpmn_id is None or t.bpmn_id == bpmn_id)]


def complete(task: HumanTask, user, data: StepInput) -> None:
    """Complete a task through the service and commit, as a request would."""
    services.complete_task(task, actor=user, data=data)
    db.session.commit()


def case_at_review(start_case, people):
    """A case whose review task (lane director: both directors may do it) is open."""
    case = start_case(lead=people["lead"], members=[people["inspector"]], actor=people["director_a"])
    [visit] = ready_tasks(case, "visit")
    complete(visit, people["inspector"], NoteInput(note="Đã kiểm tra"))
    [report] = ready_tasks(case, "report")
    complete(report, people["lead"], NoteInput(note="Báo cáo"))
    return case


@pytest.mark.postgres
def test_two_directors_submitting_the_same_review_at_once(app, start_case, people):
    case = case_at_review(start_case, people)
    clients = {name: signed_in_client(app, name) for name in ("director_a", "director_b")}
    winners = Counter()
    for round_number in range(1, ROUNDS + 1):
        [review] = ready_tasks(case, "review")
        events_before = len(case_events(case))
        comment = f"Vòng {round_number}: bổ sung số liệu"

        form = {"decision": "return", "comment": comment}
        responses = race(clients, {name: (f"/tasks/{review.id}", form) for name in clients})

        statuses = sorted(response.status_code for response in responses.values())
        assert statuses == [302, 409], f"round {round_number}: {statuses}"
        [winner] = [name for name, response in responses.items() if response.status_code == 302]
        [loser] = [name for name, response in responses.items() if response.status_code == 409]
        winners[winner] += 1
        page = responses[loser].get_data(as_text=True)
        assert f"{people[winner].full_name} already completed this task" in page, f"round {round_number}"

        db.session.expire_all()
        done = db.session.get(HumanTask, review.id)
        assert (done.state, done.completed_by.username) == (TaskState.COMPLETED, winner)
        assert done.submission == {"decision": "return", "comment": comment}
        new_events = case_events(case)[events_before:]
        assert [e.action for e in new_events] == ["task.completed"], f"round {round_number}: done once"
        assert new_events[0].actor_id == people[winner].id
        assert new_events[0].details["opened"] == ["Viết báo cáo"], "the next task opened once"
        assert no_duplicate_ready_rows(case)
        [report] = ready_tasks(case)
        assert report.bpmn_id == "report"
        complete(report, people["lead"], NoteInput(note=f"Báo cáo lần {round_number + 1}"))

    db.session.expire_all()
    reviews = [t for t in case.human_tasks if t.bpmn_id == "review"]
    assert [t.state for t in reviews].count(TaskState.COMPLETED) == ROUNDS
    assert len([e for e in case_events(case) if e.details.get("bpmn_id") == "review"]) == ROUNDS
    assert sum(winners.values()) == ROUNDS
    result = app.test_cli_runner().invoke(args=["inspect", "verify-history"])
    assert result.exit_code == 0, result.output


@pytest.mark.postgres
def test_two_inspectors_finishing_their_own_visits_at_once_both_count(app, start_case, people, create_user):
    """Different tasks of one case at the same moment: the lock makes the second wait and build on the first."""
    people["inspector2"] = create_user("inspector2", Role.INSPECTOR, full_name="Võ Thị Em", language="en")
    clients = {name: signed_in_client(app, name) for name in ("inspector", "inspector2")}
    for round_number in range(1, 11):
        case = start_case(lead=people["lead"], members=[people["inspector"], people["inspector2"]])
        paths = {task.claimed_by.username: f"/tasks/{task.id}" for task in ready_tasks(case, "visit")}

        responses = race(clients, {name: (path, {"note": f"Vòng {round_number}"}) for name, path in paths.items()})

        assert [responses[name].status_code for name in clients] == [302, 302], f"round {round_number}"
        db.session.expire_all()
        visits = [t for t in case.human_tasks if t.bpmn_id == "visit"]
        assert sorted((t.state, t.completed_by.username) for t in visits) == [
            (TaskState.COMPLETED, "inspector"),
            (TaskState.COMPLETED, "inspector2"),
        ]
        assert [t.bpmn_id for t in ready_tasks(case)] == ["report"], "the report opens once, after both visits"
        completed = [e for e in case_events(case) if e.action == "task.completed"]
        assert sorted(e.actor_id for e in completed) == sorted(people[name].id for name in clients)
        assert [e.details["opened"] for e in completed] == [[], ["Viết báo cáo"]]
    assert app.test_cli_runner().invoke(args=["inspect", "verify-history"]).exit_code == 0


def no_duplicate_ready_rows(case) -> bool:
    query = select(HumanTask.task_id).where(HumanTask.case_id == case.id, HumanTask.state == TaskState.READY)
    task_ids = list(db.session.scalars(query))
    return len(task_ids) == len(set(task_ids))


@pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite's path: PostgreSQL would make the winner wait on the row lock")
def test_sqlite_version_column_turns_a_lost_race_into_409(app, start_case, people, monkeypatch):
    """Both requests read the case and see the task open; the second to write finds the case's version moved on."""
    case = case_at_review(start_case, people)
    [review] = ready_tasks(case, "review")
    path = f"/tasks/{review.id}"
    clients = {name: signed_in_client(app, name) for name in ("director_a", "director_b")}
    tokens = {name: csrf_token(client, path) for name, client in clients.items()}
    real_step_for = services.step_for
    winner_response = []

    def step_for_after_the_other_director_wins(*args, **kwargs):
        # Director A has read the case (version n) and seen the task ready; now director B completes it first.
        if not winner_response:
            winner_response.append(None)
            other = threading.Thread(
                target=lambda: winner_response.append(
                    clients["director_b"].post(path, data={"csrf_token": tokens["director_b"], "decision": "approve"})
                )
            )
            other.start()
            other.join(timeout=THREAD_TIMEOUT)
            assert not other.is_alive(), "the winning submission hung"
        return real_step_for(*args, **kwargs)

    monkeypatch.setattr(services, "step_for", step_for_after_the_other_director_wins)
    stale_writes = []
    real_conflict_for = services.conflict_for
    monkeypatch.setattr(
        services, "conflict_for", lambda task_id: stale_writes.append(task_id) or real_conflict_for(task_id)
    )
    loser_response = []
    loser = threading.Thread(
        target=lambda: loser_response.append(
            clients["director_a"].post(
                path, data={"csrf_token": tokens["director_a"], "decision": "return", "comment": "Bổ sung"}
            )
        )
    )
    loser.start()
    loser.join(timeout=THREAD_TIMEOUT)
    assert not loser.is_alive(), "the losing submission hung"

    assert winner_response[1].status_code == 302
    assert loser_response[0].status_code == 409
    assert "Trần Thị Bình already completed this task" in loser_response[0].get_data(as_text=True)
    assert stale_writes == [review.id], "the refusal came from the case's version check at commit"
    db.session.expire_all()
    done = db.session.get(HumanTask, review.id)
    assert (done.completed_by.username, done.submission["decision"]) == ("director_b", "approve")
    completed = [e for e in case_events(case) if e.details.get("bpmn_id") == "review"]
    assert [(e.action, e.actor_id) for e in completed] == [("task.completed", people["director_b"].id)]
    assert case.is_closed, "the winner's approval closed the case; the loser's return was not applied"
    assert ready_tasks(case) == []
    assert app.test_cli_runner().invoke(args=["inspect", "verify-history"]).exit_code == 0
