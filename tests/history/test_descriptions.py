"""Every kind of history event reads in words: what happened to which task or object, with its details as labelled
values (field labels, choice labels, dates and people) and never a stored key, enum value or JSON."""

import html
import io
import re

import pytest
from PIL import Image

from inspect_app.audit.describe import EventKind, EventKindError, describe, install, kinds
from inspect_app.audit.lookups import Lookups
from inspect_app.core.extensions import db
from inspect_app.core.formats import calendar_date
from inspect_app.core.labels import ACTION_LABELS
from inspect_app.evidence.services import add_evidence
from inspect_app.history import case_events
from inspect_app.inspections.services import drop_finding, edit_finding, keep_finding, merge_finding
from inspect_app.models import (
    Answer,
    CaseEvent,
    CaseStatus,
    CaseType,
    ContentArea,
    FindingState,
    Role,
    Severity,
    TaskState,
    TeamRole,
    TimerState,
    Verdict,
    WorkflowState,
    WorkflowTimer,
)
from inspect_app.tasks.services import claim_task, reassign_task
from inspect_app.tasks.timers import record_failure, retry_timer
from tests.inspections.conftest import open_task
from tests.inspections.test_paths import answer_mine, minutes, plan, raise_finding

# The actions the demo province records (every PAR action among them) and those the walk below adds.
DEMO_ACTIONS = {
    "case.created",
    "case.closed",
    "team.added",
    "workflow.started",
    "task.completed",
    "timer.fired",
    "inspection.decided",
    "unit.notified",
    "checklist.assigned",
    "checklist.answered",
    "finding.raised",
    "finding.edited",
    "finding.kept",
    "minutes.written",
    "conclusion.issued",
    "remediation.reported",
    "remediation.verified",
    "inspection.closing",
    "par.opened",
    "par.self_scored",
    "par.submitted",
    "par.locked",
    "par.appraised",
    "par.explained",
    "par.finally_appraised",
    "par.adjusted",
    "par.survey_imported",
    "par.approved",
    "par.round_closed",
}
WALK_ACTIONS = {
    "task.claimed",
    "task.reassigned",
    "timer.retried",
    "finding.dropped",
    "finding.merged",
    "finding.deadline_extended",
    "evidence.added",
    "finding.edited",
    "remediation.verified",
}
# Stored values a reader must never see as such: enum values, decisions, engine states.
RAW_VALUES = (
    {
        member.value
        for enum in (
            Answer,
            CaseStatus,
            CaseType,
            ContentArea,
            FindingState,
            Role,
            Severity,
            TaskState,
            TeamRole,
            Verdict,
        )
        for member in enum
    }
    | {state.value for state in WorkflowState}
    | {"approve", "return", "extend", "escalate", "close"}
)
PARTS = re.compile(r" → |; |, |\n")


def stored_keys(details: dict, prefix: str = "") -> set[str]:
    keys = set()
    for key, value in details.items():
        keys.add(f"{prefix}{key}")
        keys.add(key)
        if isinstance(value, dict):
            keys |= stored_keys(value, f"{prefix}{key}.")
    return keys


def raw_bits(event: CaseEvent, lookups: Lookups) -> list[str]:
    """What of the event's description reads like storage rather than words."""
    text = describe(event, lookups)
    problems = []
    if text.group is None:
        problems.append(f"{event.action}: no event kind")
    keys = stored_keys(event.details or {})
    for detail in text.details:
        if detail.label in keys or re.fullmatch(r"[a-z_.]+", detail.label):
            problems.append(f"{event.action}: label {detail.label!r}")
        for part in PARTS.split(detail.value):
            if part.strip() in RAW_VALUES or part.strip() in ("True", "False", "None") or part.startswith(("{", "[")):
                problems.append(f"{event.action}: {detail.label} = {detail.value!r}")
    if text.subject is not None and (text.subject in RAW_VALUES or text.subject.startswith(("{", "["))):
        problems.append(f"{event.action}: subject {text.subject!r}")
    return problems


def test_every_action_has_a_kind_and_the_two_worlds_below_record_them_all(app):
    assert set(ACTION_LABELS) <= set(kinds()), "an action without an event kind reads by its stored keys"
    assert set(ACTION_LABELS) == DEMO_ACTIONS | WALK_ACTIONS


def test_a_kind_declared_twice_or_in_no_group_is_refused(app):
    from flask import Flask

    with pytest.raises(EventKindError, match="declared twice: case.closed"):
        install(Flask("x"), [{"case.closed": EventKind("case")}, {"case.closed": EventKind("case")}])
    with pytest.raises(EventKindError, match="no known group: note.added"):
        install(Flask("x"), [{"note.added": EventKind("notes")}])


def test_the_demo_histories_read_in_words(demo):
    lookups, seen = Lookups(), set()
    problems = []
    for action in sorted(ACTION_LABELS):
        # A sample of each action: the demo records thousands of scores.
        sample = db.session.scalars(db.select(CaseEvent).where(CaseEvent.action == action).limit(25))
        for event in sample:
            seen.add(action)
            problems += raw_bits(event, lookups)
    assert problems == []
    assert seen >= DEMO_ACTIONS


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "JPEG")
    return buffer.getvalue()


def text_of(page: str) -> str:
    """A page's text as a reader sees it: no tags, single spaces."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).replace(" :", ":")


def whole_history(client, case) -> str:
    """The text of every page of the case's history, following "Older" from the newest."""
    url, pages = f"/cases/{case.id}/history", []
    while url:
        page = client.get(url).get_data(as_text=True)
        pages.append(text_of(page))
        older = re.search(r'rel="next" href="([^"]+)"', page)
        url = older and html.unescape(older.group(1))
    return " ".join(pages)


def test_an_inspection_walked_through_its_rare_turns_reads_in_words(
    app, client, sign_in, act, do_task, decide, people, clock
):
    case = decide(members=())
    lead, director, admin = people["lead"], people["director"], people["admin"]

    claim_task(open_task(case, "plan"), actor=lead)
    reassign_task(open_task(case, "plan"), to=lead, actor=director)
    db.session.commit()
    plan(do_task, case)
    answer_mine(act, case, "lead")
    kept = raise_finding(act, case, "lead", "Chưa niêm yết thủ tục hành chính")
    dropped = raise_finding(act, case, "lead", "Trùng lặp", severity="minor")
    merged = raise_finding(act, case, "lead", "Thiếu bảng niêm yết")
    add_evidence(case, jpeg(), "bang-niem-yet.jpg", actor=lead, finding=kept, latitude=20.9373, longitude=106.3146)
    db.session.commit()
    do_task(case, "onsite", "lead", {"confirmed": "y"}, user=lead)

    edit_finding(kept, actor=lead, severity=Severity.CRITICAL, owner="Chánh Văn phòng")
    drop_finding(dropped, actor=lead, reason="Trùng với phát hiện khác")
    merge_finding(merged, kept, actor=lead)
    keep_finding(kept, actor=lead)
    db.session.commit()
    minutes(do_task, case)
    do_task(case, "conclusion", "director", {"decision": "approve", "summary": "Cần khắc phục"})
    db.session.refresh(kept)
    deadline_at_conclusion = kept.deadline

    clock.advance(days=31)
    app.test_cli_runner().invoke(args=["inspect", "run-timers"])
    do_task(case, "follow_up", "lead", {"decision": "extend", "extra_days": "10", "reason": "Đơn vị xin thêm"})
    waiting = db.select(WorkflowTimer).where(
        WorkflowTimer.case_id == case.id, WorkflowTimer.state == TimerState.WAITING
    )
    timer = db.session.scalars(waiting).one()
    record_failure(timer.id, attempts_before=0, error="Máy chủ không phản hồi")
    retry_timer(timer, actor=admin)
    db.session.commit()
    report_page = f"/inspections/findings/{kept.id}"
    act("officer", f"{report_page}/report", {"text": "Đã niêm yết đầy đủ"}, page=report_page)
    do_task(case, "remediation", "officer", {"confirmed": "y"})
    do_task(case, "verification", "lead", {f"verdict_{kept.id}": "rejected", f"reason_{kept.id}": "Thiếu ảnh"})

    events = case_events(case)
    assert {event.action for event in events} >= WALK_ACTIONS
    lookups = Lookups()
    assert [problem for event in events for problem in raw_bits(event, lookups)] == []

    sign_in("auditor")  # reads English
    page = whole_history(client, case)
    assert "Task completed: Verify the remediation" in page
    assert "Task reassigned: Plan the inspection and notify the unit Held by Người lead (lead)" in page
    assert "Finding raised: Chưa niêm yết thủ tục hành chính Severity Major" in page
    assert "Finding changed: Chưa niêm yết thủ tục hành chính Severity Major → Critical" in page
    assert "Findings merged: Thiếu bảng niêm yết Merged into Chưa niêm yết thủ tục hành chính" in page
    assert "Evidence added: bang-niem-yet.jpg File type JPEG photo" in page
    assert "Remediation verified: Chưa niêm yết thủ tục hành chính Verdict Rejected Reason Thiếu ảnh" in page
    assert "Failed timer retried: Deadline passed Failed attempts 1 Last error Máy chủ không phản hồi" in page
    # The conclusion's deadline reads as the finding's: one day, however it is stored (a date, or the moment after it).
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert f"Next remediation deadline {calendar_date(deadline_at_conclusion)}" in page

    people["auditor"].language = "vi"
    db.session.commit()
    page = whole_history(client, case)
    assert "Hoàn thành nhiệm vụ: Thẩm tra kết quả khắc phục" in page
    assert "Ghi nhận phát hiện: Chưa niêm yết thủ tục hành chính Mức độ Nghiêm trọng" in page
