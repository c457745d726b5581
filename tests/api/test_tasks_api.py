"""The tablet's door to tasks: list my tasks with their forms, complete and claim them, and every refusal in JSON."""

from datetime import timedelta

from inspect_app.core.extensions import db
from inspect_app.history import case_events
from inspect_app.models import CaseStatus, HumanTask, TaskState
from inspect_app.tasks.api_schemas import MAX_PAGE
from tests.api.conftest import documented, task_for

COMPLETE = "/api/v1/tasks/{task_id}/complete"
CLAIM = "/api/v1/tasks/{task_id}/claim"


def complete(api, user, task, **answers):
    return api(user).post(f"/api/v1/tasks/{task.id}/complete", json=answers)


def finish_visits(api, people, case):
    for name in ("inspector", "inspector2"):
        assert complete(api, people[name], task_for(case, "visit", name), note="xong").status_code == 200


def test_my_tasks_carry_the_case_the_lane_the_due_date_and_the_form_fields(api, people, case, clock):
    body = documented(api(people["inspector"]).get("/api/v1/tasks"), "/api/v1/tasks")
    [visit] = body["tasks"]
    assert (body["total"], body["page"], body["pages"]) == (1, 1, 1)
    assert visit["id"] == task_for(case, "visit", "inspector").id
    assert (visit["case_reference"], visit["bpmn_id"], visit["title"]) == (
        case.reference,
        "visit",
        "Làm việc tại đơn vị",
    )
    assert (visit["lane"], visit["due_at"], visit["claimed_by"], visit["can_complete"]) == (
        "inspector",
        None,
        "inspector",
        True,
    )
    assert visit["fields"] == [{"name": "note", "type": "text", "label": "Note", "required": False}]

    finish_visits(api, people, case)
    [report] = documented(api(people["lead"]).get("/api/v1/tasks"), "/api/v1/tasks")["tasks"]
    assert report["bpmn_id"] == "report"
    assert report["due_at"] == (clock.now + timedelta(days=10)).isoformat()
    assert report["due_at"].endswith("+00:00")


def test_a_choice_field_lists_its_choices_and_which_fields_are_required(api, people, case):
    finish_visits(api, people, case)
    assert complete(api, people["lead"], task_for(case, "report"), note="Báo cáo").status_code == 200
    [review] = documented(api(people["director"]).get("/api/v1/tasks"), "/api/v1/tasks")["tasks"]
    assert review["form"] == "review"
    assert review["fields"] == [
        {
            "name": "decision",
            "type": "choice",
            "label": "Decision",
            "required": True,
            "choices": [{"value": "approve", "label": "Approve"}, {"value": "return", "label": "Return for changes"}],
        },
        {"name": "comment", "type": "text", "label": "Comment", "required": False},
    ]


def test_the_list_is_paged_with_the_total_and_per_page_is_capped(api, people, start_case):
    for _ in range(3):
        start_case(lead=people["lead"], members=[people["inspector"]], actor=people["director"])
    caller = api(people["inspector"])
    first = documented(caller.get("/api/v1/tasks?per_page=2"), "/api/v1/tasks")
    second = documented(caller.get("/api/v1/tasks?per_page=2&page=2"), "/api/v1/tasks")
    assert (first["total"], first["pages"], len(first["tasks"]), len(second["tasks"])) == (3, 2, 2, 1)
    assert {t["id"] for t in first["tasks"]}.isdisjoint(t["id"] for t in second["tasks"])
    assert documented(caller.get("/api/v1/tasks?per_page=100000"), "/api/v1/tasks")["per_page"] == 100
    assert documented(caller.get("/api/v1/tasks?page=9"), "/api/v1/tasks")["tasks"] == []


def test_the_list_is_paged_by_cursor_missing_no_task_when_tasks_go(api, people, start_case):
    for _ in range(5):
        start_case(lead=people["lead"], members=[people["inspector"]], actor=people["director"])
    caller = api(people["inspector"])
    by_number = [t["id"] for t in documented(caller.get("/api/v1/tasks?page=1"), "/api/v1/tasks")["tasks"]]
    first = documented(caller.get("/api/v1/tasks?per_page=2"), "/api/v1/tasks")
    assert (first["page"], first["pages"], first["total"]) == (1, 3, 5)
    shown = [t["id"] for t in first["tasks"]]
    # A task already read is done before the next page is asked for: paging by number would now skip one.
    done = db.session.get(HumanTask, shown[0])
    assert complete(api, people["inspector"], done, note="xong").status_code == 200
    cursor = first["next_cursor"]
    while cursor:
        body = documented(caller.get("/api/v1/tasks", query_string={"per_page": 2, "cursor": cursor}), "/api/v1/tasks")
        assert body["page"] is None and body["total"] == 4
        shown += [t["id"] for t in body["tasks"]]
        cursor = body["next_cursor"]
    assert shown == by_number, "every task once, in the list's order"


def test_a_bad_cursor_is_refused_naming_it(api, people, case):
    caller = api(people["inspector"])
    for asked in ("cursor=abc", "cursor=1,2", f"cursor=0,{'9' * 30},x,1", "cursor=1&page=1"):
        response = caller.get(f"/api/v1/tasks?{asked}")
        assert response.status_code == 422, asked
        assert set(documented(response, "/api/v1/tasks")["errors"]) == {"cursor"}, asked


def test_a_bad_page_number_is_refused_naming_the_parameter(api, people, case):
    response = api(people["inspector"]).get("/api/v1/tasks?page=abc&per_page=0")
    assert response.status_code == 400
    body = documented(response, "/api/v1/tasks")
    assert set(body["errors"]) == {"page", "per_page"}


def test_a_page_number_past_the_documented_limit_is_400_naming_it(api, people, case):
    caller = api(people["inspector"])
    assert documented(caller.get(f"/api/v1/tasks?page={MAX_PAGE}"), "/api/v1/tasks")["tasks"] == []
    response = caller.get(f"/api/v1/tasks?page={10**20}")
    assert response.status_code == 400, "the database's OFFSET cannot hold it: not a 500"
    assert documented(response, "/api/v1/tasks")["errors"] == {"page": [f"must be at most {MAX_PAGE:,}"]}


def test_completing_a_task_returns_the_cases_next_tasks(api, people, case):
    visit = task_for(case, "visit", "inspector")
    response = complete(api, people["inspector"], visit, note="Đã kiểm tra")
    body = documented(response, COMPLETE, "post")
    assert body["task"]["id"] == visit.id and body["task"]["state"] == "completed"
    assert body["task"]["completed_by"] == "inspector" and body["task"]["completed_at"].endswith("+00:00")
    assert body["case"] == {"reference": case.reference, "status": "open", "workflow_status": "running"}
    [other_visit] = body["next_tasks"]
    assert (other_visit["claimed_by"], other_visit["can_complete"]) == ("inspector2", False)
    assert db.session.get(HumanTask, visit.id).submission == {"note": "Đã kiểm tra"}
    event = case_events(case)[-1]
    assert (event.action, event.actor_id, event.details["bpmn_id"]) == (
        "task.completed",
        people["inspector"].id,
        "visit",
    )

    last = complete(api, people["inspector2"], task_for(case, "visit", "inspector2"))
    assert [t["bpmn_id"] for t in documented(last, COMPLETE, "post")["next_tasks"]] == ["report"]


def test_the_last_task_closes_the_case(api, people, case):
    finish_visits(api, people, case)
    complete(api, people["lead"], task_for(case, "report"), note="ok")
    body = documented(complete(api, people["director"], task_for(case, "review"), decision="approve"), COMPLETE, "post")
    assert body["next_tasks"] == [] and body["case"]["status"] == "closed"
    db.session.expire_all()
    assert case.status == CaseStatus.CLOSED


def test_a_user_the_lane_does_not_name_gets_403_and_nothing_changes(api, people, case):
    visit = task_for(case, "visit", "inspector")
    before = case.history_count
    for who in ("director", "auditor", "inspector2"):
        response = complete(api, people[who], visit, note="x")
        assert response.status_code == 403, who
        assert documented(response, COMPLETE, "post")["message"]
    assert task_for(case, "visit", "inspector").state == TaskState.READY
    assert len(case_events(case)) == before


def test_unknown_tasks_and_tasks_of_hidden_cases_are_404(api, people, case):
    visit = task_for(case, "visit", "inspector")
    for who, task_id in (("inspector", visit.id + 1000), ("outsider", visit.id)):
        response = api(people[who]).post(f"/api/v1/tasks/{task_id}/complete", json={"note": "x"})
        assert response.status_code == 404
        assert documented(response, COMPLETE, "post")["error"] == "Not Found"
    assert task_for(case, "visit", "inspector").state == TaskState.READY


def test_the_second_completion_is_told_who_completed_the_task(api, people, case):
    visit = task_for(case, "visit", "inspector")
    assert complete(api, people["inspector"], visit, note="một").status_code == 200
    again = complete(api, people["inspector"], visit, note="hai")
    assert again.status_code == 409
    assert "Lê Minh Tuấn already completed this task" in documented(again, COMPLETE, "post")["message"]
    assert db.session.get(HumanTask, visit.id).submission == {"note": "một"}


def test_invalid_answers_get_422_per_field_and_change_nothing(api, people, case):
    finish_visits(api, people, case)
    complete(api, people["lead"], task_for(case, "report"), note="ok")
    review = task_for(case, "review")
    history = [(e.seq, e.hash) for e in case_events(case)]

    response = complete(api, people["director"], review, decision="return")
    assert response.status_code == 422
    assert documented(response, COMPLETE, "post")["errors"] == {"comment": ["Say what must change."]}
    response = complete(api, people["director"], review, decision="maybe", comment="x" * 4001)
    assert set(documented(response, COMPLETE, "post")["errors"]) == {"decision", "comment"}
    response = complete(api, people["director"], review, decision="approve", commment="typo", extra={"a": 1})
    assert response.status_code == 422
    assert set(documented(response, COMPLETE, "post")["errors"]) == {"commment", "extra"}

    assert [(e.seq, e.hash) for e in case_events(case)] == history
    assert task_for(case, "review").id == review.id
    assert db.session.get(HumanTask, review.id).submission is None


def test_a_body_that_is_not_json_is_415_and_malformed_json_is_400(api, people, case):
    visit = task_for(case, "visit", "inspector")
    caller = api(people["inspector"])
    url = f"/api/v1/tasks/{visit.id}/complete"
    form_post = caller.post(url, data={"note": "x"})
    assert form_post.status_code == 415
    assert "application/json" in documented(form_post, COMPLETE, "post")["message"]
    assert caller.post(url, data="note=x", content_type="text/plain").status_code == 415
    malformed = caller.post(url, data="{note: x", content_type="application/json")
    assert malformed.status_code == 400
    assert documented(malformed, COMPLETE, "post")["message"] == "The request body is not valid JSON."
    assert caller.post(url, json=["note", "x"]).status_code == 400
    assert caller.post(CLAIM.format(task_id=visit.id)).status_code == 415
    assert task_for(case, "visit", "inspector").state == TaskState.READY
    assert case_events(case)[-1].action == "workflow.started"


def test_claiming_an_open_task(api, people, case):
    finish_visits(api, people, case)
    report = task_for(case, "report")
    assert report.claimed_by is None
    refused = api(people["inspector"]).post(CLAIM.format(task_id=report.id), json={})
    assert refused.status_code == 403
    documented(refused, CLAIM, "post")
    response = api(people["lead"]).post(CLAIM.format(task_id=report.id), json={})
    body = documented(response, CLAIM, "post")
    assert (body["task"]["id"], body["task"]["claimed_by"]) == (report.id, "lead")
    assert case_events(case)[-1].action == "task.claimed"
    again = api(people["lead"]).post(CLAIM.format(task_id=report.id))
    assert again.status_code == 415, "even an empty claim says it is JSON"
    again = api(people["lead"]).post(CLAIM.format(task_id=report.id), data="", content_type="application/json")
    assert again.status_code == 409
    assert documented(again, CLAIM, "post")["message"] == "This task is already taken."
    with_fields = api(people["lead"]).post(CLAIM.format(task_id=report.id), json={"user": "inspector"})
    assert with_fields.status_code == 422 and "user" in with_fields.get_json()["errors"]
