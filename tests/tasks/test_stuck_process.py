"""A process that cannot go on (a gateway with no matching branch) refuses the step, names the element, and saves
nothing: never a 500, never a half-done case."""

import pytest

from inspect_app.core.extensions import db
from inspect_app.history import case_events
from inspect_app.models import HumanTask, Role, TaskState
from tests.helpers import chain_bpmn, csrf_token, error_flash


@pytest.fixture
def director(create_user):
    return create_user("director", Role.DIRECTOR, language="en")


@pytest.fixture
def review(start_case, director) -> HumanTask:
    case = start_case("dead_end", actor=director)
    [task] = [t for t in case.human_tasks if t.state == TaskState.READY]
    return task


def test_no_matching_branch_is_a_refusal_naming_the_gateway(client, sign_in, director, review):
    events_before = len(case_events(review.case))
    sign_in(director)
    token = csrf_token(client, f"/tasks/{review.id}")
    response = client.post(f"/tasks/{review.id}", data={"csrf_token": token, "decision": "return", "comment": "Sửa"})

    assert response.status_code == 422
    assert "route" in error_flash(response) and "Nothing was saved" in error_flash(response)
    db.session.expire_all()
    assert db.session.get(HumanTask, review.id).state == TaskState.READY
    assert len(case_events(review.case)) == events_before


def test_the_api_answers_the_same_refusal_as_json(client, sign_in, director, review):
    sign_in(director)
    response = client.post(f"/api/v1/tasks/{review.id}/complete", json={"decision": "return", "comment": "Sửa"})
    assert response.status_code == 422
    assert "route" in response.get_json()["errors"]


def test_a_step_removed_from_the_code_since_deployment_is_a_refusal_too(app, client, sign_in, director, review):
    from inspect_app.tasks import registry

    hooks = registry.current()
    with pytest.MonkeyPatch.context() as patch:
        patch.delitem(hooks.steps, "review")
        patch.delitem(hooks.forms, "review")
        sign_in(director)
        page = client.get(f"/tasks/{review.id}")
        api = client.post(f"/api/v1/tasks/{review.id}/complete", json={"decision": "approve"})
    assert page.status_code == 422 and "review" in page.get_data(as_text=True)
    assert api.status_code == 422 and "review" in api.get_json()["errors"]
    db.session.expire_all()
    assert db.session.get(HumanTask, review.id).state == TaskState.READY


def test_a_script_building_a_huge_value_after_the_first_wait_is_a_refusal_naming_it(
    client, sign_in, director, deploy, start_case
):
    # The trial start on deploy reaches only the first task; the hostile script comes after it.
    hostile = chain_bpmn(["user", "script"], lane="director", form="note")
    deploy("chain.bpmn", xml=hostile.replace(b"count = count + 1", b"summary = 'x' * 99999999999"))
    case = start_case("chain", actor=director)
    [task] = [t for t in case.human_tasks if t.state == TaskState.READY]
    events_before = len(case_events(case))

    sign_in(director)
    response = client.post(f"/tasks/{task.id}", data={"csrf_token": csrf_token(client, f"/tasks/{task.id}")})

    assert response.status_code == 422
    assert "step_1" in error_flash(response) and "the repetition would hold at least" in error_flash(response)
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).state == TaskState.READY
    assert len(case_events(case)) == events_before
