"""A database connection cut in the middle of a step (pg_terminate_backend, as a failover or a restarted server does):
nothing of the step is kept, the caller is told that nothing was saved, and trying again completes it once."""

import pytest
from sqlalchemy import create_engine, text

from inspect_app.core.extensions import db
from inspect_app.history import case_events
from inspect_app.models import TaskState
from inspect_app.tasks import services
from tests.api.conftest import task_for


@pytest.fixture
def cut_connection_once(database_url, monkeypatch):
    """Terminate the request's database connection from outside just before it records the completed step."""
    killer = create_engine(database_url, isolation_level="AUTOCOMMIT")
    record_event, cut = services.record_event, []

    def cut_then_record(case, action, **kwargs):
        if action == "task.completed" and not cut:
            backend = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
            with killer.connect() as connection:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
            cut.append(backend)
        return record_event(case, action, **kwargs)

    monkeypatch.setattr(services, "record_event", cut_then_record)
    yield cut
    killer.dispose()


def completions(case) -> list[str]:
    return [event.details["bpmn_id"] for event in case_events(case) if event.action == "task.completed"]


@pytest.mark.postgres
def test_a_connection_cut_mid_completion_keeps_nothing_and_a_retry_completes_once(
    app, api, case, people, cut_connection_once
):
    task = task_for(case, "visit", "inspector")
    history_before = case.history_count
    inspector = api(people["inspector"])

    cut = inspector.post(f"/api/v1/tasks/{task.id}/complete", json={"note": "Đã kiểm tra"})

    assert cut_connection_once, "the connection was cut"
    assert cut.status_code == 503, "the database went away: the tablet's outbox tries again later"
    assert "Nothing was saved" in cut.get_json()["message"]
    db.session.rollback()
    db.session.expire_all()
    assert task.state == TaskState.READY
    assert case.history_count == history_before
    assert app.test_cli_runner().invoke(args=["inspect", "check-consistency"]).exit_code == 0

    retried = inspector.post(f"/api/v1/tasks/{task.id}/complete", json={"note": "Đã kiểm tra"})

    assert retried.status_code == 200, retried.get_json()
    db.session.expire_all()
    assert task.state == TaskState.COMPLETED
    assert completions(case) == ["visit"]
    for check in ("verify-history", "check-consistency"):
        result = app.test_cli_runner().invoke(args=["inspect", check])
        assert result.exit_code == 0, result.output
