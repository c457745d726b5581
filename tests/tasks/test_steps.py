"""Step handlers: one input model per step, whichever door the answers come through (task page or API), and the
API's description of a task's fields read from that model."""

import pytest

from inspect_app.core.extensions import db
from inspect_app.history import case_events
from inspect_app.models import HumanTask, Role, TaskState
from inspect_app.tasks import registry
from inspect_app.tasks.forms import NoteForm, ReviewForm
from inspect_app.tasks.services import complete_task
from inspect_app.tasks.steps import STEPS, NoteInput, StepHandler
from tests.helpers import csrf_token, fresh_browser


@pytest.fixture
def people(create_user):
    return {
        "director": create_user("director", Role.DIRECTOR, full_name="Nguyễn Văn Hùng", language="en"),
        "lead": create_user("lead", Role.LEAD, Role.INSPECTOR, full_name="Trần Thị Lan", language="en"),
        "inspector": create_user("inspector", Role.INSPECTOR, full_name="Lê Minh Tuấn", language="en"),
    }


@pytest.fixture
def follow_up(app, start_case, people, clock) -> HumanTask:
    """The lead's follow-up of a late report (step extend_or_escalate): the report's 10 days have passed."""
    case = start_case(lead=people["lead"], members=[people["inspector"]], actor=people["director"])
    [visit] = open_tasks(case, "visit")
    complete_task(visit, actor=people["inspector"], data=NoteInput(note="xong"))
    db.session.commit()
    clock.advance(days=10, minutes=1)
    assert "Fired 1 timer(s)" in app.test_cli_runner().invoke(args=["inspect", "run-timers"]).output
    [task] = open_tasks(case, "follow_up")
    return task


def open_tasks(case, bpmn_id):
    db.session.expire_all()
    return [t for t in case.human_tasks if t.state == TaskState.READY and t.bpmn_id == bpmn_id]


def api_post(client, token_for, user, task, answers):
    fresh_browser(client)
    headers = {"Authorization": f"Bearer {token_for(user)}"}
    return client.post(f"/api/v1/tasks/{task.id}/complete", json=answers, headers=headers)


@pytest.fixture
def token_for(app):
    from inspect_app.models import ApiToken

    def make(user) -> str:
        row, token = ApiToken.issue(user, "tablet")
        db.session.add(row)
        db.session.commit()
        return token

    return make


def unchanged(task, history_before):
    db.session.expire_all()
    return db.session.get(HumanTask, task.id).state == TaskState.READY and len(case_events(task.case)) == history_before


def test_a_refused_answer_is_shown_beside_its_field_and_changes_nothing(client, sign_in, follow_up):
    history_before = len(case_events(follow_up.case))
    sign_in("lead")
    token = csrf_token(client, f"/tasks/{follow_up.id}")
    answers = {"csrf_token": token, "decision": "extend", "extra_days": "", "reason": "Đơn vị xin thêm"}

    response = client.post(f"/tasks/{follow_up.id}", data=answers)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert '<p class="field-error" id="extra_days-error">Extra days: required</p>' in page
    assert 'name="reason"' in page and "Đơn vị xin thêm" in page, "the answers are shown again"
    assert unchanged(follow_up, history_before)


def test_the_api_refuses_the_same_answer_naming_the_field(client, token_for, people, follow_up):
    history_before = len(case_events(follow_up.case))
    lead = people["lead"]

    missing = api_post(client, token_for, lead, follow_up, {"decision": "extend", "reason": "Đơn vị xin thêm"})
    too_many = api_post(client, token_for, lead, follow_up, {"decision": "extend", "extra_days": 400, "reason": "x"})
    no_reason = api_post(client, token_for, lead, follow_up, {"decision": "escalate", "reason": "  ", "days": 3})

    assert missing.status_code == 422
    assert missing.get_json()["errors"] == {"extra_days": ["required"]}
    assert too_many.get_json()["errors"] == {"extra_days": ["must be at most 365"]}
    assert no_reason.get_json()["errors"] == {"reason": ["required"], "days": ["unknown field"]}
    assert unchanged(follow_up, history_before)


def test_the_step_gives_the_process_its_decisions_and_keeps_the_input_as_the_submission(client, sign_in, follow_up):
    sign_in("lead")
    token = csrf_token(client, f"/tasks/{follow_up.id}")
    answers = {"csrf_token": token, "decision": "extend", "extra_days": "5", "reason": " Đơn vị xin thêm "}

    assert client.post(f"/tasks/{follow_up.id}", data=answers).status_code == 302

    db.session.expire_all()
    done = db.session.get(HumanTask, follow_up.id)
    assert done.submission == {"decision": "extend", "extra_days": 5, "reason": "Đơn vị xin thêm"}
    [event] = [e for e in case_events(follow_up.case) if e.details.get("bpmn_id") == "follow_up"]
    assert (event.action, event.details["decisions"]) == ("task.completed", {"decision": "extend", "extra_days": 5})


def test_the_api_describes_a_step_from_its_input_model(client, token_for, people, follow_up):
    headers = {"Authorization": f"Bearer {token_for(people['lead'])}"}
    [task] = client.get("/api/v1/tasks", headers=headers).get_json()["tasks"]

    assert (task["form"], task["fields"]) == (
        "extend_or_escalate",
        [
            {
                "name": "decision",
                "type": "choice",
                "label": "Decision",
                "required": True,
                "choices": [
                    {"value": "extend", "label": "Extend the deadline"},
                    {"value": "escalate", "label": "Escalate"},
                ],
            },
            {"name": "extra_days", "type": "integer", "label": "Extra days", "required": False},
            {"name": "reason", "type": "text", "label": "Reason", "required": True},
        ],
    )


def test_the_description_is_in_the_users_language(client, token_for, people, follow_up):
    people["lead"].language = "vi"
    db.session.commit()
    headers = {"Authorization": f"Bearer {token_for(people['lead'])}"}
    [task] = client.get("/api/v1/tasks", headers=headers).get_json()["tasks"]

    decision, extra_days, reason = task["fields"]
    assert (decision["label"], extra_days["label"], reason["label"]) == ("Quyết định", "Số ngày gia hạn", "Lý do")
    assert [choice["label"] for choice in decision["choices"]] == ["Gia hạn", "Báo cáo lãnh đạo"]


def test_someone_elses_or_a_finished_task_is_refused_as_such_whatever_was_answered(
    client, sign_in, token_for, people, follow_up
):
    lead, inspector = people["lead"], people["inspector"]
    assert api_post(client, token_for, inspector, follow_up, {"decision": "maybe"}).status_code == 403
    sign_in("inspector")
    page = client.post(f"/tasks/{follow_up.id}", data={"csrf_token": csrf_token(client, f"/tasks/{follow_up.id}")})
    assert page.status_code == 403

    assert (
        api_post(client, token_for, lead, follow_up, {"decision": "escalate", "reason": "Quá hạn"}).status_code == 200
    )
    again = api_post(client, token_for, lead, follow_up, {"decision": "maybe"})
    assert again.status_code == 409
    assert "Trần Thị Lan already completed this task" in again.get_json()["message"]


# --- the registry ---------------------------------------------------------------------------------------------------


def test_every_step_has_its_form_and_a_step_named_twice_or_without_a_form_is_refused(app):
    with app.app_context():
        assert set(registry.current().steps) == set(registry.current().forms)
    with pytest.raises(registry.RegistryError, match="step registered twice: note"):
        registry.install(app, steps=[STEPS, {"note": StepHandler(NoteInput)}], forms=[], timer_handlers=[])
    with pytest.raises(registry.RegistryError, match="unpaired: review"):
        forms = {"note": NoteForm, "review": ReviewForm}
        registry.install(app, steps=[{"note": StepHandler(NoteInput)}], forms=[forms], timer_handlers=[])
