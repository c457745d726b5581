"""Notification e-mail: through a real SMTP server, in the recipient's language, once; to the log without a host."""

import logging
from datetime import date
from email import message_from_bytes, policy

from babel.dates import format_date
from flask_babel import force_locale
from flask_babel import gettext as _

from inspect_app.core.extensions import db
from inspect_app.notifications import services
from inspect_app.notifications.mail import send_pending_emails

DEADLINE = date(2026, 12, 31)


def notify_due(people, create_case, *usernames):
    """A "remediation due" notification for each named user, on a case with a Vietnamese title."""
    case = create_case(title="Kiểm tra công vụ Huyện Nam Sách", unit=people["district"])
    params = {"finding_id": 7, "finding": "Thiếu phiếu xin lỗi", "case": case.reference, "deadline": "2026-12-31"}
    rows = services.notify(
        [people[name] for name in usernames], services.Kind.REMEDIATION_DUE, case=case, params=params
    )
    db.session.commit()
    return case, rows


def test_email_goes_through_smtp_in_the_recipients_language(people, create_case, smtp_server):
    people["officer"].language, people["officer"].email = None, "can.bo@namsach.example.vn"
    people["lead"].email = "lead@sonoivu.example.vn"  # language "en"
    case, rows = notify_due(people, create_case, "officer", "lead", "inspector")  # the inspector has no address

    assert send_pending_emails() == 2
    received = {tuple(e.rcpt_tos): message_from_bytes(e.content, policy=policy.default) for e in smtp_server.envelopes}
    assert set(received) == {("can.bo@namsach.example.vn",), ("lead@sonoivu.example.vn",)}

    vietnamese = received[("can.bo@namsach.example.vn",)]
    with force_locale("vi"):
        title = _("Remediation due soon")
    assert vietnamese["Subject"] == f"{title} – {case.reference}"
    assert vietnamese["To"] == "Người officer <can.bo@namsach.example.vn>"
    assert vietnamese.get_content_charset() == "utf-8"
    body = vietnamese.get_content()
    assert "Người officer" in body and "“Thiếu phiếu xin lỗi”" in body and "Kiểm tra công vụ Huyện Nam Sách" in body
    assert f"{DEADLINE:%d/%m/%Y}" in body, "a user without a language reads Vietnamese, dates day first"
    assert "http://localhost:5000/inspections/findings/7" in body

    english = received[("lead@sonoivu.example.vn",)].get_content()
    assert format_date(DEADLINE, locale="en") in english and "is due on" in english

    assert send_pending_emails() == 0, "each e-mail is sent once"
    assert len(smtp_server.envelopes) == 2
    db.session.expire_all()
    assert [row.emailed_at is not None for row in rows] == [True, True, False]


def test_an_smtp_failure_leaves_the_email_for_the_next_run(app, people, create_case, monkeypatch, caplog):
    people["officer"].email = "can.bo@namsach.example.vn"
    _case, [row] = notify_due(people, create_case, "officer")
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", 9)  # nothing listens there
    monkeypatch.setitem(app.config, "SMTP_SECURITY", "none")
    with caplog.at_level(logging.ERROR):
        assert send_pending_emails() == 0
    assert "tried again next time" in caplog.text
    db.session.expire_all()
    assert row.emailed_at is None


def test_without_an_smtp_host_the_email_is_written_to_the_log(app, people, create_case, caplog):
    assert not app.config["SMTP_HOST"]
    people["officer"].language, people["officer"].email = "vi", "can.bo@namsach.example.vn"
    _case, [row] = notify_due(people, create_case, "officer")
    with caplog.at_level(logging.WARNING):
        assert send_pending_emails() == 1
    assert "can.bo@namsach.example.vn" in caplog.text and "Thiếu phiếu xin lỗi" in caplog.text
    db.session.expire_all()
    assert row.emailed_at is not None
    assert send_pending_emails() == 0


def test_the_worker_and_send_mail_send_what_is_pending(app, people, create_case):
    people["officer"].email = "can.bo@namsach.example.vn"
    notify_due(people, create_case, "officer")
    output = app.test_cli_runner().invoke(args=["inspect", "worker", "--max-loops", "1", "--interval", "0"]).output
    assert "wrote 0 reminder(s), sent 1 e-mail(s)" in output
    notify_due(people, create_case, "officer")
    assert "Sent 1 e-mail(s)." in app.test_cli_runner().invoke(args=["inspect", "send-mail"]).output
