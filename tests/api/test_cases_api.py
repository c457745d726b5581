"""A case and its tamper-evident history, as the API shows them."""

from inspect_app.core.extensions import db
from inspect_app.history import GENESIS_HASH, case_events, compute_hash
from tests.api.conftest import documented, task_for

CASE = "/api/v1/cases/{reference}"
HISTORY = "/api/v1/cases/{reference}/history"


def test_a_case_shows_its_status_process_open_tasks_and_team(api, people, case):
    body = documented(api(people["auditor"]).get(f"/api/v1/cases/{case.reference}"), CASE)
    assert (body["reference"], body["title"], body["status"], body["workflow_status"]) == (
        case.reference,
        case.title,
        "open",
        "running",
    )
    assert body["subject_unit"] == {"code": case.subject_unit.code, "name": case.subject_unit.name}
    assert body["process"]["process_id"] == "app_review" and body["process"]["version"] == 1
    assert body["created_at"].endswith("+00:00") and body["closed_at"] is None
    assert sorted((t["bpmn_id"], t["claimed_by"]) for t in body["tasks"]) == [
        ("visit", "inspector"),
        ("visit", "inspector2"),
    ]
    assert not any(t["can_complete"] for t in body["tasks"]), "the auditor only reads"
    assert body["team"] == [
        {"username": "lead", "full_name": "Trần Thị Lan", "role": "lead"},
        {"username": "inspector", "full_name": "Lê Minh Tuấn", "role": "member"},
        {"username": "inspector2", "full_name": "Phạm Thu Hà", "role": "member"},
    ]
    mine = documented(api(people["inspector"]).get(f"/api/v1/cases/{case.reference}"), CASE)["tasks"]
    assert [t["claimed_by"] for t in mine if t["can_complete"]] == ["inspector"]


def test_unknown_and_hidden_cases_are_404(api, people, case):
    for who, reference in (("director", "KT-1999-9999"), ("outsider", case.reference)):
        for path in (CASE, HISTORY):
            response = api(people[who]).get(path.format(reference=reference))
            assert response.status_code == 404, (who, path)
            documented(response, path)


def test_the_history_is_a_hash_chain_ending_at_the_case_head(api, people, case):
    api(people["inspector"]).post(f"/api/v1/tasks/{task_for(case, 'visit', 'inspector').id}/complete", json={})
    body = documented(api(people["lead"]).get(f"/api/v1/cases/{case.reference}/history"), HISTORY)
    db.session.expire_all()
    events = body["events"]
    assert body["case"] == case.reference and body["event_count"] == case.history_count == len(events)
    assert [e["action"] for e in events][-2:] == ["workflow.started", "task.completed"]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["prev_hash"] == GENESIS_HASH
    for previous, event in zip(events, events[1:], strict=False):
        assert event["prev_hash"] == previous["hash"]
    assert body["chain_head"] == events[-1]["hash"] == case.history_head
    stored = case_events(case)
    assert [e["hash"] for e in events] == [compute_hash(e) for e in stored]
    assert all(e["at"].endswith("+00:00") for e in events)
