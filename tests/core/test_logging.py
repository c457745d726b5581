"""One logging configuration: plain lines or JSON lines on stderr naming the case, and Sentry only when asked."""

import importlib
import json
import sys
from datetime import UTC, datetime, timedelta

import pytest

import inspect_app.core.config as config_module
from inspect_app import ConfigurationError, create_app
from inspect_app.core.extensions import db
from inspect_app.core.logging import configure_logging
from inspect_app.models import Role, TaskState
from inspect_app.tasks import services, timers
from inspect_app.tasks.steps import NoteInput

DSN = "https://public-key@sentry.example.invalid/1"


@pytest.fixture
def configure(app, monkeypatch):
    """Re-configure logging with some settings changed; the suite's own configuration comes back afterwards."""

    def do(**settings):
        for key, value in settings.items():
            monkeypatch.setitem(app.config, key, value)
        configure_logging(app)

    yield do
    monkeypatch.undo()
    configure_logging(app)


@pytest.fixture
def people(create_user):
    return {
        "director": create_user("director", Role.DIRECTOR),
        "lead": create_user("lead", Role.LEAD, Role.INSPECTOR),
        "inspector": create_user("inspector", Role.INSPECTOR),
    }


def start_review(start_case, people):
    return start_case(lead=people["lead"], members=[people["inspector"]], actor=people["director"])


def ready(case, bpmn_id):
    db.session.expire_all()
    return [task for task in case.human_tasks if task.state == TaskState.READY and task.bpmn_id == bpmn_id]


def test_json_lines_name_the_case_at_every_engine_step(configure, clock, start_case, people, capsys):
    configure(LOG_FORMAT="json")
    case = start_review(start_case, people)
    [visit] = ready(case, "visit")
    services.complete_task(visit, actor=people["inspector"], data=NoteInput(note="Đã kiểm tra"))
    db.session.commit()
    clock.advance(days=10, minutes=1)
    timers.fire_timer(timers.claim_due_timer(clock()), clock())
    db.session.commit()

    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]  # every line is one JSON object
    steps = [line for line in lines if line["logger"] == "inspect.case"]
    assert [(s["message"], s["case"], s["status"]) for s in steps] == [
        ("workflow started", case.reference, "running"),
        ("task completed", case.reference, "running"),
        ("timers fired", case.reference, "running"),
    ]
    started, completed, fired = steps
    assert (started["process_id"], started["opened"]) == ("app_review", ["visit"])
    assert (completed["task"], completed["opened"]) == ("visit", ["report"])
    assert (fired["timers"], fired["opened"]) == (["report_late"], ["follow_up"])
    assert all(line["level"] == "INFO" for line in steps)
    logged_at = datetime.fromisoformat(started["time"])
    assert logged_at.utcoffset() == timedelta(0) and abs(datetime.now(UTC) - logged_at) < timedelta(minutes=1)


def test_lines_are_plain_and_readable_when_no_format_is_set(
    configure, monkeypatch, tmp_path, start_case, people, capsys
):
    monkeypatch.delenv("INSPECT_LOG_FORMAT", raising=False)
    monkeypatch.delenv("INSPECT_LOG_LEVEL", raising=False)
    defaults = importlib.reload(config_module)
    try:
        create_app(type("Defaults", (defaults.TestConfig,), {"UPLOAD_DIR": str(tmp_path)}))
    finally:
        importlib.reload(config_module)
    case = start_review(start_case, people)

    [line] = [line for line in capsys.readouterr().err.splitlines() if " inspect.case: " in line]
    fields = f"case={case.reference} process_id=app_review opened=['visit'] status=running"
    assert line.endswith(f" INFO inspect.case: workflow started {fields}")
    assert not line.startswith("{")


@pytest.mark.parametrize(("setting", "value"), [("LOG_LEVEL", "loud"), ("LOG_FORMAT", "xml")], ids=["level", "format"])
def test_an_unknown_level_or_format_refuses_to_start_and_names_the_setting(tmp_path, setting, value):
    with pytest.raises(ConfigurationError, match=f"INSPECT_{setting}.*{value}"):
        create_app({setting: value, "UPLOAD_DIR": str(tmp_path)})


@pytest.fixture
def sentry_inits(monkeypatch):
    """Every call of sentry_sdk.init, recorded instead of made (no network)."""
    import sentry_sdk

    calls = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **options: calls.append(options))
    return calls


def test_sentry_starts_only_when_a_dsn_is_set_and_sends_no_personal_data(configure, sentry_inits):
    configure(SENTRY_DSN="")
    assert sentry_inits == []

    configure(SENTRY_DSN=DSN)

    [options] = sentry_inits
    assert options["dsn"] == DSN
    assert [type(integration).__name__ for integration in options["integrations"]] == ["FlaskIntegration"]
    assert options["send_default_pii"] is False
    assert options["max_request_body_size"] == "never" and options["include_local_variables"] is False


def test_a_dsn_without_the_sentry_extra_refuses_to_start_and_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "sentry_sdk", None)  # as if sentry-sdk were not installed
    with pytest.raises(ConfigurationError, match=r"INSPECT_SENTRY_DSN.*inspect_app\[sentry\]"):
        create_app({"SENTRY_DSN": DSN, "UPLOAD_DIR": str(tmp_path)})
