"""The migrations build the schema the models describe, on an empty SQLite and an empty PostgreSQL database."""

import uuid
from contextlib import contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from inspect_app import create_app
from inspect_app.core.extensions import db
from inspect_app.core.migrations import downgrade, upgrade
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


@contextmanager
def fresh_postgres_database():
    """The URL of a new, empty PostgreSQL database, dropped afterwards."""
    name = f"inspect_migrations_{uuid.uuid4().hex[:8]}"
    server = create_engine(make_url(POSTGRES_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.mark.postgres
def test_upgrade_on_empty_postgres_matches_the_models(tmp_path):
    with fresh_postgres_database() as url:
        migrate_and_compare(url, str(tmp_path))


# --- one checklist answer per item (d5a7e3c1b9f2) ------------------------------------------------------------------

ONE_ANSWER_PER_ITEM = "d5a7e3c1b9f2"
BEFORE = [
    # (id, inspector, item, answer, answered_at): two inspectors answered item 1; only the lead answered item 2.
    (1, 1, 1, "compliant", "2026-11-20 08:00:00"),
    (2, 2, 1, "not_compliant", "2026-11-20 09:00:00"),
    (3, 1, 2, "not_applicable", "2026-11-20 08:30:00"),
]


def per_inspector_answers(connection) -> None:
    """A case whose checklist two inspectors answered the old way (one row each), with a photo on the older one."""
    run = lambda sql, **values: connection.execute(text(sql), values)  # noqa: E731
    now = "2026-11-20 07:00:00"
    for user_id, username in ((1, "lead"), (2, "inspector")):
        run(
            "INSERT INTO users (id, username, full_name, password_hash, is_active, created_at) "
            "VALUES (:id, :name, :name, 'x', true, :now)",
            id=user_id,
            name=username,
            now=now,
        )
    run("INSERT INTO org_units (id, code, name, level) VALUES (1, 'HD-NS', 'Nam Sách', 'district')")
    run(
        "INSERT INTO cases (id, reference, case_type, title, subject_unit_id, status, created_at, updated_at, "
        "history_count) VALUES (1, 'KT-2026-0001', 'inspection', 'Kiểm tra', 1, 'open', :now, :now, 0)",
        now=now,
    )
    run(
        "INSERT INTO checklist_templates (id, code, name, description, is_active, created_at) "
        "VALUES (1, 'one-stop', 'Một cửa', '', true, :now)",
        now=now,
    )
    for item_id in (1, 2):
        run(
            "INSERT INTO checklist_items (id, template_id, code, area, position, text, guidance) "
            "VALUES (:id, 1, :code, 'procedures', :id, 'Mục', '')",
            id=item_id,
            code=f"A{item_id}",
        )
    for answer_id, inspector, item, answer, at in BEFORE:
        run(
            "INSERT INTO checklist_answers (id, case_id, item_id, inspector_id, answer, note, answered_at) "
            "VALUES (:id, 1, :item, :inspector, :answer, '', :at)",
            id=answer_id,
            item=item,
            inspector=inspector,
            answer=answer,
            at=at,
        )
    run(
        "INSERT INTO evidence_files (id, case_id, answer_id, sha256, content_type, size, filename, uploaded_by_id, "
        "received_at) VALUES (1, 1, 1, :sha, 'image/jpeg', 10, 'a.jpg', 1, :now)",
        sha="0" * 64,
        now=now,
    )


def migrate_answers_and_check(database_url: str, upload_dir: str) -> None:
    app = create_app(make_config(database_url, upload_dir))
    with app.app_context():
        upgrade(revision=f"{ONE_ANSWER_PER_ITEM}-1")
        with db.engine.begin() as connection:
            per_inspector_answers(connection)
        upgrade(revision=ONE_ANSWER_PER_ITEM)
        with db.engine.connect() as connection:
            answers = connection.execute(
                text("SELECT id, item_id, answered_by_id, answer, lock_version FROM checklist_answers ORDER BY id")
            ).all()
            photo_answer = connection.execute(text("SELECT answer_id FROM evidence_files")).scalar()
        assert [tuple(row) for row in answers] == [(2, 1, 2, "not_compliant", 1), (3, 2, 1, "not_applicable", 1)], (
            "each item keeps its latest answer, with who gave it"
        )
        assert photo_answer == 2, "the photo of the answer that went follows the item's answer"
        downgrade(revision=f"{ONE_ANSWER_PER_ITEM}-1")
        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT id, inspector_id FROM checklist_answers ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [(2, 2), (3, 1)]
        db.engine.dispose()


def test_per_inspector_answers_become_one_answer_per_item_on_sqlite(tmp_path):
    migrate_answers_and_check(f"sqlite:///{tmp_path / 'answers.sqlite3'}", str(tmp_path / "uploads"))


@pytest.mark.postgres
def test_per_inspector_answers_become_one_answer_per_item_on_postgres(tmp_path):
    with fresh_postgres_database() as url:
        migrate_answers_and_check(url, str(tmp_path))


# --- reference counters and case search text (7b3e9f2a6c14) ---------------------------------------------------------

COUNTERS_AND_SEARCH = "7b3e9f2a6c14"


def migrate_counters_and_check(database_url: str, upload_dir: str) -> None:
    """Cases numbered the old way, past 9999 (where the text maximum went wrong): each counter starts at the
    highest number, compared as a number; each case gets its search text."""
    app = create_app(make_config(database_url, upload_dir))
    with app.app_context():
        upgrade(revision=f"{COUNTERS_AND_SEARCH}-1")
        with db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO org_units (id, code, name, level) VALUES (1, 'HD-NS', 'Nam Sách', 'district')")
            )
            for number, (reference, case_type, title) in enumerate(
                [
                    ("KT-2026-9999", "inspection", "Kiểm tra Huyện Nam Sách"),
                    ("KT-2026-10000", "inspection", "Kiểm tra Đông Hưng"),
                    ("KT-2025-0042", "inspection", "Kiểm tra"),
                    ("CS-2026-0003", "par_appraisal", "Chỉ số CCHC"),
                ],
                start=1,
            ):
                connection.execute(
                    text(
                        "INSERT INTO cases (id, reference, case_type, title, subject_unit_id, status, created_at, "
                        "updated_at, history_count, lock_version) VALUES (:id, :reference, :case_type, :title, 1, "
                        "'open', '2026-11-20 07:00:00', '2026-11-20 07:00:00', 0, 1)"
                    ),
                    {"id": number, "reference": reference, "case_type": case_type, "title": title},
                )
        upgrade(revision=COUNTERS_AND_SEARCH)
        with db.engine.connect() as connection:
            counters = connection.execute(
                text("SELECT case_type, year, last_number FROM reference_counters ORDER BY case_type, year")
            ).all()
            texts = connection.execute(text("SELECT search_text FROM cases ORDER BY id")).scalars().all()
        assert [tuple(row) for row in counters] == [
            ("inspection", 2025, 42),
            ("inspection", 2026, 10000),
            ("par_appraisal", 2026, 3),
        ]
        assert texts == [
            "kt-2026-9999 kiem tra huyen nam sach",
            "kt-2026-10000 kiem tra dong hung",
            "kt-2025-0042 kiem tra",
            "cs-2026-0003 chi so cchc",
        ]
        downgrade(revision=f"{COUNTERS_AND_SEARCH}-1")
        assert "reference_counters" not in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_reference_counters_start_at_the_highest_number_on_sqlite(tmp_path):
    migrate_counters_and_check(f"sqlite:///{tmp_path / 'counters.sqlite3'}", str(tmp_path / "uploads"))


@pytest.mark.postgres
def test_reference_counters_start_at_the_highest_number_on_postgres(tmp_path):
    with fresh_postgres_database() as url:
        migrate_counters_and_check(url, str(tmp_path))
