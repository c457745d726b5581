"""Who hears about what: each trigger notifies exactly the right people, and reminders are never sent twice."""

from datetime import timedelta

from flask_babel import force_locale

from inspect_app.core import clock as app_clock
from inspect_app.core.extensions import db
from inspect_app.models import Notification
from inspect_app.notifications.services import Kind, describe, send_due_reminders
from tests.inspections.test_paths import keep_all, minutes, plan, visit
from tests.notifications.conftest import last_id, notified


def to_remediation(act, do_task, decide, people):
    """An inspection whose one finding waits for the unit, with the default 30-day deadline."""
    case = decide(members=())
    plan(do_task, case)
    [finding] = visit(act, do_task, people, case, "lead", ["Thiếu phiếu xin lỗi"])
    keep_all(act, case)
    minutes(do_task, case)
    do_task(case, "conclusion", "director", {"decision": "approve", "summary": "Cần khắc phục"})
    return case, finding


def run_timers(app) -> str:
    return app.test_cli_runner().invoke(args=["inspect", "run-timers"]).output


def test_an_opened_task_is_notified_to_who_may_do_it_never_to_the_actor(act, do_task, decide, people):
    case = decide(members=("inspector",))
    assert notified(Kind.TASK_ASSIGNED) == ["lead"], "the plan is the lead's; the director who decided hears nothing"

    mark = last_id()
    plan(do_task, case)
    assert notified(Kind.TASK_ASSIGNED, since=mark) == ["inspector"], "the lead's own on-site task is not news to him"

    mark = last_id()
    visit(act, do_task, people, case, "lead")
    assert notified(Kind.TASK_ASSIGNED, since=mark) == [], "nothing opens while the inspector is still on site"
    visit(act, do_task, people, case, "inspector")
    assert notified(Kind.TASK_ASSIGNED, since=mark) == ["lead"]

    mark = last_id()
    minutes(do_task, case)
    assert notified(Kind.TASK_ASSIGNED, since=mark) == ["director"]
    notification = db.session.scalars(db.select(Notification).where(Notification.id > mark)).one()
    assert notification.case_id == case.id
    with force_locale("vi"):
        assert describe(notification).text.endswith(": Phê duyệt kết luận kiểm tra."), "worded in the reader's language"
    with force_locale("en"):
        assert describe(notification).text.endswith(": Approve the conclusion.")


def test_a_rejected_remediation_is_notified_to_the_units_officers(act, do_task, decide, people):
    case, finding = to_remediation(act, do_task, decide, people)
    act(
        "officer",
        f"/inspections/findings/{finding.id}/report",
        {"text": "Lần 1"},
        page=f"/inspections/findings/{finding.id}",
    )
    do_task(case, "remediation", "officer", {"confirmed": "y"})

    mark = last_id()
    do_task(case, "verification", "lead", {f"verdict_{finding.id}": "rejected", f"reason_{finding.id}": "Chưa đủ"})
    assert notified(Kind.REMEDIATION_REJECTED, since=mark) == ["officer"], "not officer2, who works elsewhere"
    assert notified(Kind.TASK_ASSIGNED, since=mark) == ["officer"], "the remediation task is back with the unit"
    rejected = db.session.scalars(db.select(Notification).where(Notification.kind == Kind.REMEDIATION_REJECTED)).one()
    db.session.refresh(finding)
    assert rejected.params["reason"] == "Chưa đủ" and rejected.params["deadline"] == finding.deadline.isoformat()


def test_due_in_3_days_reminds_the_units_officers_once(app, act, do_task, decide, people, clock):
    case, finding = to_remediation(act, do_task, decide, people)
    clock.advance(days=26)
    assert "Wrote 0 reminder(s)" in run_timers(app), "four days before the deadline is too early"
    assert notified(Kind.REMEDIATION_DUE) == []

    clock.advance(days=1)
    assert "Wrote 1 reminder(s)" in run_timers(app)
    assert notified(Kind.REMEDIATION_DUE) == ["officer"]
    reminder = db.session.scalars(db.select(Notification).where(Notification.kind == Kind.REMEDIATION_DUE)).one()
    assert reminder.params == {
        "finding_id": finding.id,
        "finding": "Thiếu phiếu xin lỗi",
        "case": case.reference,
        "deadline": finding.deadline.isoformat(),
    }

    assert "Wrote 0 reminder(s)" in run_timers(app)
    clock.advance(days=2)
    assert "Wrote 0 reminder(s)" in run_timers(app)
    assert notified(Kind.REMEDIATION_DUE) == ["officer"], "one reminder per finding and deadline"


def test_a_new_deadline_earns_a_new_reminder(app, act, do_task, decide, people, clock):
    case, finding = to_remediation(act, do_task, decide, people)
    clock.advance(days=28)
    assert send_due_reminders(app_clock.now()) == 1
    assert send_due_reminders(app_clock.now()) == 0
    finding.deadline += timedelta(days=1)
    assert send_due_reminders(app_clock.now()) == 1
    db.session.commit()
    assert notified(Kind.REMEDIATION_DUE) == ["officer", "officer"]


def test_a_passed_deadline_is_notified_to_the_units_officers_and_the_directors(
    app, act, do_task, decide, people, clock
):
    case, finding = to_remediation(act, do_task, decide, people)
    mark = last_id()
    clock.advance(days=29)
    run_timers(app)
    assert notified(Kind.REMEDIATION_OVERDUE, since=mark) == [], "not before the deadline"

    clock.advance(days=2)
    assert "Fired 1 timer(s)" in run_timers(app)
    assert notified(Kind.REMEDIATION_OVERDUE, since=mark) == ["director", "officer"]
    assert notified(Kind.TASK_ASSIGNED, since=mark) == ["lead"], "the lead follows up"
    overdue = db.session.scalars(db.select(Notification).where(Notification.kind == Kind.REMEDIATION_OVERDUE)).first()
    assert overdue.params == {"case": case.reference, "count": 1, "deadline": finding.deadline.isoformat()}
    assert notified(Kind.REMEDIATION_DUE, since=mark) == ["officer"], "reminded once, the day before"
