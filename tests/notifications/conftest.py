"""The inspection world of tests/inspections, helpers to read who was notified, and a real SMTP server."""

import socket

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from inspect_app.core.extensions import db
from inspect_app.models import Notification, User
from inspect_app.notifications import services
from tests.inspections.conftest import act, checklist, decide, do_task, people  # noqa: F401 (fixtures reused)


def notified(kind: str, since: int = 0) -> list[str]:
    """Usernames notified of `kind` after notification `since`, sorted, once per notification (duplicates show)."""
    db.session.expire_all()
    query = (
        select(User.username)
        .join(Notification, Notification.user_id == User.id)
        .where(Notification.kind == kind, Notification.id > since)
    )
    return sorted(db.session.scalars(query))


def last_id() -> int:
    """The newest notification's id (0 when none), to look only at what comes after."""
    return db.session.scalar(select(db.func.max(Notification.id))) or 0


@pytest.fixture
def create_notification(create_case):
    """A "task assigned" notification for each user (one case for all), committed."""

    def create(*users, task="Kiểm tra tại chỗ", task_id=1, case=None):
        case = case or create_case()
        params = {"task_id": task_id, "task": task, "case": case.reference}
        rows = services.notify(users, services.Kind.TASK_ASSIGNED, case=case, params=params)
        db.session.commit()
        return rows[0] if len(rows) == 1 else rows

    return create


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(app, monkeypatch):
    """A real SMTP server on 127.0.0.1 in a thread, set as the app's mail server for one test; yields its inbox."""
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    for key, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_SECURITY": "none"}.items():
        monkeypatch.setitem(app.config, key, value)
    yield inbox
    controller.stop()
