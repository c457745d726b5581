"""Every path through a public-service inspection, walked through the web pages as the real users."""

from datetime import UTC, datetime, timedelta

import pytest

from inspect_app.core.exceptions import InvalidInput
from inspect_app.core.extensions import db
from inspect_app.history import case_events
from inspect_app.inspections.answers import assignees
from inspect_app.inspections.steps import VerificationInput
from inspect_app.models import Case, CaseStatus, FindingState, Verdict
from inspect_app.tasks.services import complete_task
from tests.inspections.conftest import open_task


def answer_mine(act, case, who, answer="compliant"):
    """`who` answers the checklist items the plan gave them (each item has one answer for the whole team)."""
    people = assignees(case)
    for item in case.inspection.checklist_items:
        if people[item.id].username != who:
            continue
        response = act(
            who,
            f"/inspections/{case.id}/answers/{item.id}",
            {"answer": answer, "note": ""},
            page=f"/inspections/{case.id}/onsite",
        )
        assert response.status_code == 302


def raise_finding(act, case, who, title, remediation="Khắc phục ngay", item=None, severity="major"):
    data = {
        "title": title,
        "description": "Thấy tại chỗ",
        "severity": severity,
        "area": "procedures",
        "remediation_required": remediation,
        "item": str(item.id) if item else "",
    }
    response = act(who, f"/inspections/{case.id}/findings", data, page=f"/inspections/{case.id}/onsite")
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    db.session.expire_all()
    return [f for f in case.findings if f.title == title][0]


def visit(act, do_task, people, case, who, findings=()):
    answer_mine(act, case, who)
    raised = [raise_finding(act, case, who, title) for title in findings]
    do_task(case, "onsite", who, {"confirmed": "y"}, user=people[who])
    return raised


def minutes(do_task, case):
    do_task(
        case,
        "minutes",
        "lead",
        {"unit_comments": "Đơn vị nhất trí", "unit_head_name": "Ông Trưởng", "acknowledged_at": "2026-12-02T16:30"},
    )


def plan(do_task, case, **areas):
    """The lead's plan; `areas` gives content areas to members by username (the proposal stands for the others)."""
    assignment = {f"area_{area}": who for area, who in areas.items()}
    do_task(case, "plan", "lead", {"schedule_note": "Sáng 1/12 làm việc tại bộ phận một cửa", **assignment})


def keep_all(act, case):
    for finding in case.findings:
        assert (
            act(
                "lead", f"/inspections/findings/{finding.id}/keep", page=f"/inspections/findings/{finding.id}"
            ).status_code
            == 302
        )


def test_an_inspection_without_findings_goes_from_conclusion_to_closure(act, do_task, decide, people):
    case = decide()
    plan(do_task, case)
    assert case.inspection.notified_at is not None, "an announced inspection notifies the unit"
    visit(act, do_task, people, case, "lead")
    visit(act, do_task, people, case, "inspector")
    minutes(do_task, case)
    signed = case.inspection.unit_head_acknowledged_at
    assert signed == datetime(2026, 12, 2, 9, 30, tzinfo=UTC), "16:30 typed in Hanoi is 09:30 UTC"
    do_task(case, "conclusion", "director", {"decision": "approve", "summary": "Đơn vị thực hiện tốt"})
    assert [t.bpmn_id for t in case.open_tasks] == ["closure"]
    do_task(case, "closure", "director", {"reason": ""})
    db.session.expire_all()
    assert case.status == CaseStatus.CLOSED
    actions = [e.action for e in case_events(case)]
    assert "conclusion.issued" in actions and actions[-1] == "case.closed"


def test_findings_remediated_and_accepted(act, do_task, decide, people):
    case = decide()
    plan(do_task, case)
    visit(act, do_task, people, case, "lead")
    [finding] = visit(act, do_task, people, case, "inspector", ["Chưa niêm yết thủ tục"])
    assert finding.state == FindingState.DRAFT
    keep_all(act, case)
    minutes(do_task, case)
    do_task(case, "conclusion", "director", {"decision": "approve", "summary": "Cần khắc phục"})
    db.session.expire_all()
    assert finding.state == FindingState.OPEN and finding.deadline is not None
    assert [t.bpmn_id for t in case.open_tasks] == ["remediation"]

    assert (
        act(
            "officer",
            f"/inspections/findings/{finding.id}/report",
            {"text": "Đã niêm yết đầy đủ"},
            page=f"/inspections/findings/{finding.id}",
        ).status_code
        == 302
    )
    do_task(case, "remediation", "officer", {"confirmed": "y"})
    do_task(case, "verification", "lead", {f"verdict_{finding.id}": "accepted"})
    db.session.expire_all()
    assert finding.state == FindingState.ACCEPTED
    do_task(case, "closure", "director", {})
    db.session.expire_all()
    assert case.status == CaseStatus.CLOSED


def test_a_remediation_rejected_then_accepted(act, do_task, decide, people):
    case = decide(members=())
    plan(do_task, case)
    [finding] = visit(act, do_task, people, case, "lead", ["Thiếu phiếu xin lỗi"])
    keep_all(act, case)
    minutes(do_task, case)
    do_task(case, "conclusion", "director", {"decision": "approve", "summary": "Cần khắc phục"})
    act(
        "officer",
        f"/inspections/findings/{finding.id}/report",
        {"text": "Lần 1"},
        page=f"/inspections/findings/{finding.id}",
    )
    do_task(case, "remediation", "officer", {"confirmed": "y"})
    response = do_task(case, "verification", "lead", {f"verdict_{finding.id}": "rejected"}, expect=422)
    assert "Say why the report is rejected." in response.get_data(as_text=True)
    do_task(case, "verification", "lead", {f"verdict_{finding.id}": "rejected", f"reason_{finding.id}": "Chưa đủ"})
    db.session.expire_all()
    assert finding.state == FindingState.OPEN
    assert finding.reports[0].verdict == Verdict.REJECTED
    assert [t.bpmn_id for t in case.open_tasks] == ["remediation"]

    act(
        "officer",
        f"/inspections/findings/{finding.id}/report",
        {"text": "Lần 2, đầy đủ"},
        page=f"/inspections/findings/{finding.id}",
    )
    do_task(case, "remediation", "officer", {"confirmed": "y"})
    do_task(case, "verification", "lead", {f"verdict_{finding.id}": "accepted"})
    db.session.expire_all()
    assert finding.state == FindingState.ACCEPTED and len(finding.reports) == 2
    assert [t.bpmn_id for t in case.open_tasks] == ["closure"]


def test_verdicts_that_leave_out_a_reported_finding_are_refused_naming_it(act, do_task, decide, people):
    case = decide(members=())
    plan(do_task, case)
    [finding] = visit(act, do_task, people, case, "lead", ["Thiếu phiếu xin lỗi"])
    keep_all(act, case)
    minutes(do_task, case)
    do_task(case, "conclusion", "director", {"decision": "approve", "summary": "Cần khắc phục"})
    page = f"/inspections/findings/{finding.id}"
    act("officer", f"/inspections/findings/{finding.id}/report", {"text": "Đã làm"}, page=page)
    do_task(case, "remediation", "officer", {"confirmed": "y"})
    task = open_task(case, "verification")
    stale = VerificationInput()  # the input of a verification page read before the finding was reported

    with pytest.raises(InvalidInput) as refused:
        complete_task(task, actor=people["lead"], data=stale)

    assert refused.value.errors == {f"verdict_{finding.id}": ["required"]}


def test_a_conclusion_returned_then_approved(act, do_task, decide, people):
    case = decide(members=())
    plan(do_task, case)
    visit(act, do_task, people, case, "lead")
    minutes(do_task, case)
    response = do_task(case, "conclusion", "director", {"decision": "return"}, expect=422)
    assert "Say what must change." in response.get_data(as_text=True)
    do_task(case, "conclusion", "director", {"decision": "return", "comment": "Bổ sung ý kiến đơn vị"})
    assert [t.bpmn_id for t in case.open_tasks] == ["minutes"]
    minutes(do_task, case)
    do_task(case, "conclusion", "director", {"decision": "approve", "summary": "Tốt"})
    assert [t.bpmn_id for t in case.open_tasks] == ["closure"]


def test_a_deadline_passing_escalates(app, act, do_task, decide, people, clock):
    case = decide(members=())
    plan(do_task, case)
    [finding] = visit(act, do_task, people, case, "lead", ["Không có lịch tiếp dân"])
    keep_all(act, case)
    minutes(do_task, case)
    do_task(case, "conclusion", "director", {"decision": "approve", "summary": "Cần khắc phục"})
    db.session.expire_all()
    deadline = finding.deadline
    assert open_task(case, "remediation").due_at is not None

    clock.advance(days=29)
    assert "Fired 0 timer(s)" in app.test_cli_runner().invoke(args=["inspect", "run-timers"]).output
    clock.advance(days=2)
    assert "Fired 1 timer(s)" in app.test_cli_runner().invoke(args=["inspect", "run-timers"]).output
    assert [t.bpmn_id for t in case.open_tasks] == ["follow_up"]

    do_task(case, "follow_up", "lead", {"decision": "extend", "extra_days": "10", "reason": "Đơn vị xin thêm"})
    db.session.expire_all()
    assert finding.deadline > deadline
    assert [t.bpmn_id for t in case.open_tasks] == ["remediation"]
    clock.advance(days=11)
    app.test_cli_runner().invoke(args=["inspect", "run-timers"])
    do_task(case, "follow_up", "lead", {"decision": "escalate", "reason": "Không khắc phục"})
    assert [t.bpmn_id for t in case.open_tasks] == ["escalation"]
    do_task(case, "escalation", "director", {"decision": "close", "reason": "Chuyển xử lý kỷ luật"})
    assert [t.bpmn_id for t in case.open_tasks] == ["closure"]
    do_task(case, "closure", "director", {"reason": ""}, expect=422)
    do_task(case, "closure", "director", {"reason": "Đơn vị không khắc phục; chuyển thanh tra"})
    db.session.expire_all()
    assert finding.state == FindingState.UNRESOLVED and case.status == CaseStatus.CLOSED
    assert timedelta(days=10) <= finding.deadline - deadline


def close_with_the_finding_unresolved(app, do_task, case, clock):
    """The unit misses its deadline; the lead escalates and the director closes the case."""
    clock.advance(days=31)
    app.test_cli_runner().invoke(args=["inspect", "run-timers"])
    do_task(case, "follow_up", "lead", {"decision": "escalate", "reason": "Quá hạn"})
    do_task(case, "escalation", "director", {"decision": "close", "reason": "Kiểm tra lại"})
    do_task(case, "closure", "director", {"reason": "Còn tồn tại; sẽ kiểm tra lại"})


def test_a_follow_up_inspection_checks_only_the_failed_items(app, act, do_task, decide, people, checklist, clock):
    case = decide(members=())
    plan(do_task, case)
    answer_mine(act, case, "lead")
    item = checklist.items[1]
    raise_finding(act, case, "lead", "Chưa niêm yết", item=item)
    raise_finding(act, case, "lead", "Góp ý chung", remediation="", severity="observation")
    do_task(case, "onsite", "lead", {"confirmed": "y"})
    keep_all(act, case)
    minutes(do_task, case)
    do_task(case, "conclusion", "director", {"decision": "approve", "summary": "Cần khắc phục"})
    response = do_task(case, "remediation", "officer", {"confirmed": "y"}, expect=422)
    assert "Report on every open finding first" in response.get_data(as_text=True)
    close_with_the_finding_unresolved(app, do_task, case, clock)
    db.session.expire_all()
    assert case.status == CaseStatus.CLOSED
    assert [f.state for f in case.findings] == [FindingState.UNRESOLVED, FindingState.NOTED]

    response = act(
        "director",
        f"/inspections/new?follow_up_of={case.id}",
        {
            "title": "Kiểm tra lại",
            "decision_number": "200/QĐ",
            "decision_date": "2027-01-10",
            "unit": people["district"].id,
            "scope": ["procedures"],
            "planned_start": "2027-01-15",
            "planned_end": "2027-01-15",
            "lead": people["lead"].id,
            "template": checklist.id,
            "is_announced": "y",
        },
        page=f"/inspections/new?follow_up_of={case.id}",
    )
    assert response.status_code == 302
    follow_up = db.session.scalars(db.select(Case).order_by(Case.id.desc())).first()
    assert follow_up.inspection.follow_up_of_id == case.id
    assert [i.code for i in follow_up.inspection.checklist_items] == [item.code]
    assert case_events(follow_up)[1].details["follow_up_of"] == case.reference
