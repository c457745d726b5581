"""Fixtures: one migrated database per run (SQLite, or PostgreSQL when INSPECT_TEST_DATABASE_URL is set),
emptied before every test; factories that return callables; a sign-in helper that really switches users."""

import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text
from werkzeug.serving import make_server

from inspect_app import create_app
from inspect_app.cases import services as case_services
from inspect_app.core.clock import EXTENSION_KEY
from inspect_app.core.config import TestConfig
from inspect_app.core.extensions import db
from inspect_app.core.migrations import upgrade
from inspect_app.models import CaseType, OrgLevel, OrgUnit, Role, TeamRole, User
from inspect_app.models.users import hash_password
from inspect_app.processes.services import deploy_bpmn
from inspect_app.tasks.services import start_case_workflow
from tests.helpers import PASSWORD, MovableClock, post_login
from tests.snapshots import Snapshot, built_once_per_run, empty_all_tables

POSTGRES_URL = os.environ.get("INSPECT_TEST_DATABASE_URL")


def pytest_collection_modifyitems(config, items):
    # pytest-xdist hands out whole files in this order: the long ones go first, and the rest fill in around them,
    # instead of one worker starting a 30-second file when the others have finished.
    items.sort(key=lambda item: item.get_closest_marker("long") is None)
    if POSTGRES_URL:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set INSPECT_TEST_DATABASE_URL (postgresql+psycopg://...)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def make_config(database_url: str, upload_dir: str) -> type[TestConfig]:
    """A TestConfig subclass pointed at one database and upload folder."""
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "UPLOAD_DIR": upload_dir}
    if database_url.startswith("postgresql"):
        # A commit need not wait for the disk here (a crash loses only a test database); what other connections see
        # and when is unchanged. The suite commits tens of thousands of times: 1.7 ms each becomes 0.3 ms.
        options = {"connect_args": {"options": "-c synchronous_commit=off"}}
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = TestConfig.SQLALCHEMY_ENGINE_OPTIONS | options
    return type("SuiteConfig", (TestConfig,), settings)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id) -> Iterator[str]:
    """The run's database: one per pytest-xdist worker (a file for SQLite, a database made anew for PostgreSQL)."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'suite.sqlite3'}"
        return
    if worker_id == "master":  # not distributed: the database INSPECT_TEST_DATABASE_URL names
        yield POSTGRES_URL
        return
    url = make_url(POSTGRES_URL)
    url = url.set(database=f"{url.database}_{worker_id}")
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    yield url.render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    server.dispose()


class FreshGlobalsClient(FlaskClient):
    """A test client whose every request starts with an empty `g`, as in production.

    pytest-flask pushes one request context per test, so a test's requests would otherwise share `g`, and with it
    Flask-Login's user, Flask-WTF's CSRF token and Flask-Babel's locale and time zone (see CONVENTIONS.md)."""

    def open(self, *args, **kwargs):
        if has_app_context():  # a client used from another thread has no shared context to clear
            g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app(make_config(database_url, str(tmp_path_factory.mktemp("uploads"))))
    app.test_client_class = FreshGlobalsClient
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="session")
def server_url(app):
    """The app served over HTTP on a free loopback port for the whole run."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(autouse=True)
def _empty_database(request):
    """Every test starts from empty tables (the schema stays, built once by the migrations)."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        empty_all_tables()
    yield
    with app.app_context():
        db.session.remove()


@pytest.fixture(scope="session")
def demo_snapshot(app, tmp_path_factory, worker_id) -> Snapshot:
    """The demo province (`inspect demo`: organisation, users, inspections, PAR rounds), loaded once per run: the
    first pytest-xdist worker to need it builds it, and leaves its rows for the others (a minute's work on
    PostgreSQL, done once instead of once per worker)."""

    def build() -> Snapshot:
        with app.app_context():
            empty_all_tables()  # the test that asked first may follow others that left their rows
            result = app.test_cli_runner().invoke(args=["inspect", "demo"])
            assert result.exit_code == 0, result.output
            snapshot = Snapshot()
            db.session.remove()
        return snapshot

    if worker_id == "master":  # not distributed: nobody to share with
        return build()
    # The workers' temporary folders share a parent made for this run only.
    return built_once_per_run(tmp_path_factory.getbasetemp().parent / "demo-snapshot.pickle", build)


@pytest.fixture
def demo(app, demo_snapshot) -> None:
    """The demo province, as `inspect demo` leaves it."""
    demo_snapshot.restore()


@pytest.fixture(scope="session")
def password_hash(app) -> str:
    # Hashed once, and cheaply (TestConfig): every factory user shares the password, and sign-ins check it.
    with app.app_context():
        return hash_password(PASSWORD)


@pytest.fixture
def create_unit(app):
    counter = iter(range(1, 10_000))

    def create(
        name: str | None = None, level: OrgLevel = OrgLevel.DEPARTMENT, parent: OrgUnit | None = None, code=None
    ):
        number = next(counter)
        unit = OrgUnit(code=code or f"U{number:03d}", name=name or f"Đơn vị {number}", level=level, parent=parent)
        db.session.add(unit)
        db.session.commit()
        return unit

    return create


@pytest.fixture
def create_user(app, password_hash, create_unit):
    def create(username: str | None = None, *roles: Role, unit: OrgUnit | None = None, **fields) -> User:
        username = username or f"user{db.session.query(User).count() + 1}"
        user = User(username=username, full_name=fields.pop("full_name", username.title()), unit=unit, **fields)
        user.password_hash = password_hash
        for role in roles:
            user.grant(role)
        db.session.add(user)
        db.session.commit()
        return user

    return create


@pytest.fixture
def people(create_user):
    """A director, a team lead and an inspector (English pages); files that need others define their own."""
    return {
        "director": create_user("director", Role.DIRECTOR, language="en"),
        "lead": create_user("lead", Role.LEAD, Role.INSPECTOR, language="en"),
        "inspector": create_user("inspector", Role.INSPECTOR, language="en"),
    }


@pytest.fixture
def admin(create_user, sign_in) -> User:
    """An administrator, signed in (English pages)."""
    user = create_user("admin", Role.ADMIN, full_name="Quản trị viên", language="en")
    sign_in(user)
    return user


@pytest.fixture
def create_case(app, create_unit):
    def create(
        title="Kiểm tra công vụ",
        unit: OrgUnit | None = None,
        case_type=CaseType.INSPECTION,
        lead: User | None = None,
        members=(),
        actor: User | None = None,
        year: int | None = None,
    ):
        case = case_services.create_case(
            case_type=case_type, title=title, subject_unit=unit or create_unit(), actor=actor, year=year
        )
        if lead is not None:
            case_services.add_team_member(case, lead, TeamRole.LEAD, actor=actor)
        for member in members:
            case_services.add_team_member(case, member, TeamRole.MEMBER, actor=actor)
        db.session.commit()
        return case

    return create


@pytest.fixture
def sign_in(client):
    """Sign `user` in on the shared test client, replacing whoever was signed in before."""

    def do(user: User | str, password: str = PASSWORD):
        return post_login(client, user if isinstance(user, str) else user.username, password)

    return do


APP_BPMN = Path(__file__).resolve().parent / "data" / "bpmn" / "app"


@pytest.fixture
def clock(app):
    """Install a movable clock on the app (engine timers, due dates, history) for one test."""
    moving = MovableClock(datetime.now(UTC).replace(microsecond=0))
    app.extensions[EXTENSION_KEY] = moving
    yield moving
    app.extensions.pop(EXTENSION_KEY, None)


@pytest.fixture
def deploy(app):
    """Deploy a BPMN file from tests/data/bpmn/app (or given bytes) and return its definition."""

    def do(name: str = "app_review.bpmn", xml: bytes | None = None, actor: User | None = None):
        definition, _created = deploy_bpmn(xml or (APP_BPMN / name).read_bytes(), name, actor=actor)
        db.session.commit()
        return definition

    return do


@pytest.fixture
def start_case(create_case, deploy):
    """A case with a team, running the given process (deployed on first use)."""

    def start(process_id: str = "app_review", lead=None, members=(), data=None, **case_fields):
        from inspect_app.workflow_bridge import latest_definition

        if latest_definition(process_id) is None:
            deploy(f"{process_id}.bpmn")
        case = create_case(lead=lead, members=members, **case_fields)
        team_ids = [user.id for user in members]
        start_case_workflow(
            case, process_id, actor=case_fields.get("actor"), data={"members": team_ids, **(data or {})}
        )
        db.session.commit()
        return case

    return start
