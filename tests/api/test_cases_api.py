"""A case and its tamper-evident history, as the API shows them."""

import pytest

from inspect_app.core.extensions import db
from inspect_app.core.keyset import MAX_PER_PAGE
from inspect_app.history import GENESIS_HASH, case_events, compute_hash, record_event
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


def read_history(caller, reference: str, **asked) -> list[dict]:
    """Every page of the case's history, following next_cursor from the first; each page checked against the
    document."""
    pages, cursor = [], None
    while True:
        query = {**asked, **({"cursor": cursor} if cursor is not None else {})}
        pages.append(documented(caller.get(HISTORY.format(reference=reference), query_string=query), HISTORY))
        cursor = pages[-1]["next_cursor"]
        if cursor is None:
            return pages


def test_a_long_history_comes_a_page_at_a_time_and_chains_across_pages(api, people, case):
    for number in range(60):
        record_event(case, "note.added", actor=people["lead"], details={"reason": f"ghi chú {number}"})
    db.session.commit()
    caller = api(people["auditor"])
    pages = read_history(caller, case.reference, per_page=25)
    events = [event for page in pages for event in page["events"]]
    assert [len(page["events"]) for page in pages] == [25, 25, case.history_count - 50]
    assert all(page["per_page"] == 25 and page["event_count"] == case.history_count for page in pages)
    assert [e["seq"] for e in events] == list(range(1, case.history_count + 1)), "every event once, in chain order"
    assert events[0]["prev_hash"] == GENESIS_HASH
    for previous, event in zip(events, events[1:], strict=False):
        assert event["prev_hash"] == previous["hash"]
    assert events[-1]["hash"] == pages[-1]["chain_head"] == case.history_head

    # Events written while a reader pages on are on the pages still to come, not lost between them.
    first = documented(caller.get(HISTORY.format(reference=case.reference), query_string={"per_page": 40}), HISTORY)
    record_event(case, "note.added", actor=people["lead"], details={"reason": "ghi chú muộn"})
    db.session.commit()
    rest = read_history(caller, case.reference, per_page=40, cursor=first["next_cursor"])
    later = [e["seq"] for page in rest for e in page["events"]]
    assert [e["seq"] for e in first["events"]] + later == list(range(1, case.history_count + 1))
    assert rest[-1]["events"][-1]["details"] == {"reason": "ghi chú muộn"}


def test_the_history_page_size_has_a_default_and_a_most(app, api, people, case):
    for number in range(MAX_PER_PAGE + 5):
        record_event(case, "note.added", actor=people["lead"], details={"reason": f"ghi chú {number}"})
    db.session.commit()
    caller = api(people["lead"])
    url = HISTORY.format(reference=case.reference)
    default = documented(caller.get(url), HISTORY)
    assert len(default["events"]) == default["per_page"] == app.config["PAGE_SIZE"]
    most = documented(caller.get(url, query_string={"per_page": 100000}), HISTORY)
    assert len(most["events"]) == most["per_page"] == MAX_PER_PAGE and most["next_cursor"] is not None


@pytest.mark.parametrize(
    "asked, named",
    [
        ("cursor=abc", {"cursor"}),
        ("cursor=-1", {"cursor"}),
        ("cursor=1,2", {"cursor"}),
        ("cursor=", {"cursor"}),
        (f"cursor={'9' * 30}", {"cursor"}),
        ("per_page=0", {"per_page"}),
        ("per_page=abc", {"per_page"}),
        ("per_page=-5&cursor=x", {"cursor", "per_page"}),
    ],
)
def test_a_bad_history_cursor_or_page_size_is_400_naming_it(api, people, case, asked, named):
    response = api(people["lead"]).get(f"{HISTORY.format(reference=case.reference)}?{asked}")
    assert response.status_code == 400, asked
    assert set(documented(response, HISTORY)["errors"]) == named


def test_a_hidden_case_is_404_whatever_the_cursor(api, people, case):
    for asked in ("cursor=1", "cursor=abc", "per_page=0"):
        response = api(people["outsider"]).get(f"{HISTORY.format(reference=case.reference)}?{asked}")
        assert response.status_code == 404, asked
