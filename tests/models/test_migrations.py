"""The migrations build the schema the models describe, on an empty SQLite and an empty PostgreSQL database."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from inspect_app import create_app
from inspect_app.core.extensions import db
from tests.conftest import POSTGRES_URL, make_config


def schema_differences(app) -> list:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def migrate_and_compare(database_url: str, upload_dir: str) -> None:
    app = create_app(make_config(database_url, upload_dir))
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
    assert {"cases", "case_events", "users", "org_units", "alembic_version"} <= tables
    assert schema_differences(app) == []
    with app.app_context():
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_upgrade_on_empty_sqlite_matches_the_models(tmp_path):
    migrate_and_compare(f"sqlite:///{tmp_path / 'empty.sqlite3'}", str(tmp_path / "uploads"))


@pytest.mark.postgres
def test_upgrade_on_empty_postgres_matches_the_models(tmp_path):
    name = f"inspect_migrations_{uuid.uuid4().hex[:8]}"
    server = create_engine(make_url(POSTGRES_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        migrate_and_compare(make_url(POSTGRES_URL).set(database=name).render_as_string(False), str(tmp_path))
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        server.dispose()
