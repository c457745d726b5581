"""The case history: one hash chain per case that `verify-history` checks, and PostgreSQL refuses to change."""

import hashlib
import json

import pytest
import sqlalchemy.exc
from sqlalchemy import text

from inspect_app import cli, history_verify
from inspect_app.core.extensions import db
from inspect_app.history import GENESIS_HASH, case_events, compute_hash, event_payload, record_event
from inspect_app.models import Role


@pytest.fixture
def chained_cases(create_case, create_user):
    """Two cases, each with a chain of five events."""
    director = create_user("director", Role.DIRECTOR)
    cases = []
    for title in ("Kiểm tra Sở Y tế", "Kiểm tra Huyện Nam Sách"):
        case = create_case(title=title, actor=director)
        for number in range(4):
            record_event(case, "note.added", actor=director, details={"note": f"ghi chú {number}"})
        cases.append(case)
    db.session.commit()
    return cases


def run_verify(app):
    return app.test_cli_runner().invoke(args=["inspect", "verify-history"])


def tamper(sql: str, **params) -> None:
    """Change rows the way someone with direct database access would, bypassing the app (and the trigger)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ALTER TABLE case_events DISABLE TRIGGER case_events_append_only"))
    db.session.execute(text(sql), params)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ALTER TABLE case_events ENABLE TRIGGER case_events_append_only"))
    db.session.commit()
    db.session.expire_all()


def test_intact_chains_verify(app, chained_cases):
    result = run_verify(app)
    assert result.exit_code == 0, result.output
    assert "OK: 2 case histories, 10 events" in result.output


def test_each_event_links_to_the_previous_one(chained_cases):
    case = chained_cases[0]
    events = case_events(case)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:], strict=False))
    assert case.history_head == events[-1].hash


def test_numbers_of_every_kind_verify(app, create_case):
    """The quick check writes some numbers its own way (1e-07, integers past 64 bits); such events are checked again
    the way they were recorded, and pass."""
    case = create_case(title="Kiểm tra số liệu")
    record_event(case, "note.added", actor=None, details={"tiny": 1e-07, "huge": 10**30, "share": 0.1, "big": 2e22})
    db.session.commit()
    result = run_verify(app)
    assert result.exit_code == 0, result.output
    assert "OK: 1 case histories, 2 events" in result.output


def test_an_altered_event_is_named(app, chained_cases):
    case = chained_cases[1]
    tamper(
        "UPDATE case_events SET details = :details WHERE case_id = :case AND seq = 3",
        details=json.dumps({"note": "sửa lén"}),
        case=case.id,
    )
    result = run_verify(app)
    assert result.exit_code == 1
    assert f"{case.reference} event 3: content altered" in result.output


def test_an_altered_time_or_actor_is_caught(app, chained_cases, create_user):
    other = create_user("other", Role.INSPECTOR)
    case = chained_cases[0]
    tamper("UPDATE case_events SET actor_id = :other WHERE case_id = :case AND seq = 2", other=other.id, case=case.id)
    result = run_verify(app)
    assert result.exit_code == 1
    assert f"{case.reference} event 2" in result.output


def test_each_broken_chain_is_named_and_only_those(app, chained_cases, create_case):
    """The chains are read one after the other in one pass: a break in one stops neither the next one's check nor
    lets its events count for the next case."""
    first, second = chained_cases
    untouched = create_case(title="Kiểm tra Sở Tài chính")
    for case, seq in ((first, 2), (second, 5)):
        tamper(
            "UPDATE case_events SET details = :details WHERE case_id = :case AND seq = :seq",
            details=json.dumps({"note": "sửa lén"}),
            case=case.id,
            seq=seq,
        )
    result = run_verify(app)
    assert result.exit_code == 1
    assert f"BROKEN {first.reference} event 2: content altered" in result.output
    assert f"BROKEN {second.reference} event 5: content altered" in result.output
    assert untouched.reference not in result.output
    assert "2 of 3 case histories are broken" in result.output


def test_a_deleted_event_is_named(app, chained_cases):
    case = chained_cases[0]
    tamper("DELETE FROM case_events WHERE case_id = :case AND seq = 2", case=case.id)
    result = run_verify(app)
    assert result.exit_code == 1
    assert f"{case.reference} event 2: missing or re-ordered" in result.output


def test_a_deleted_last_event_is_caught(app, chained_cases):
    case = chained_cases[0]
    tamper("DELETE FROM case_events WHERE case_id = :case AND seq = 5", case=case.id)
    result = run_verify(app)
    assert result.exit_code == 1
    assert f"{case.reference} event 5: chain ends at 4 events but the case records 5" in result.output


def test_a_case_whose_events_are_all_gone_is_named_and_the_next_one_still_checked(app, chained_cases):
    """The cases and their events are read side by side: a case with no events left breaks, and the case after it
    is matched to its own events."""
    first, second = chained_cases
    tamper("DELETE FROM case_events WHERE case_id = :case", case=first.id)
    result = run_verify(app)
    assert result.exit_code == 1
    assert f"BROKEN {first.reference} event 1: chain ends at 0 events but the case records 5" in result.output
    assert second.reference not in result.output
    assert "1 of 2 case histories are broken" in result.output


def test_a_long_check_shows_its_progress(app, chained_cases, monkeypatch):
    """How many events are checked, and how fast, goes to stderr as the check runs; the summary stays the same."""
    monkeypatch.setattr(history_verify, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(cli._EventsMeter, "EVERY_SECONDS", 0)
    result = run_verify(app)
    assert result.exit_code == 0, result.output
    assert "5 of 10 events checked (50%)" in result.stderr
    assert "Checked 10 events in" in result.stderr
    assert result.stdout == "OK: 2 case histories, 10 events, every chain intact.\n"


def test_re_ordered_events_are_caught(app, chained_cases):
    case = chained_cases[0]
    tamper("UPDATE case_events SET seq = 100 WHERE case_id = :case AND seq = 2", case=case.id)
    tamper("UPDATE case_events SET seq = 2 WHERE case_id = :case AND seq = 4", case=case.id)
    tamper("UPDATE case_events SET seq = 4 WHERE case_id = :case AND seq = 100", case=case.id)
    result = run_verify(app)
    assert result.exit_code == 1
    assert f"{case.reference} event 2: does not follow the previous event" in result.output


def test_a_rehashed_forgery_still_breaks_the_next_link(app, chained_cases):
    """Someone who rewrites an event and recomputes its hash still breaks the link the next event holds."""
    case = chained_cases[0]
    event = case_events(case)[1]
    event.details = {"note": "giả mạo"}
    forged = compute_hash(event)
    db.session.rollback()
    tamper(
        "UPDATE case_events SET details = :details, hash = :hash WHERE id = :id",
        details=json.dumps({"note": "giả mạo"}),
        hash=forged,
        id=event.id,
    )
    result = run_verify(app)
    assert result.exit_code == 1
    assert f"{case.reference} event 3: does not follow the previous event" in result.output


def test_the_hash_is_sha256_of_canonical_json(chained_cases):
    event = case_events(chained_cases[0])[0]
    canonical = json.dumps(event_payload(event), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(canonical.encode()).hexdigest() == event.hash


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE case_events SET action = 'x' WHERE seq = 1",
        "DELETE FROM case_events WHERE seq = 1",
        "TRUNCATE case_events",
        "TRUNCATE cases CASCADE",
    ],
    ids=["update", "delete", "truncate", "truncate-cases-cascade"],
)
def test_postgres_refuses_to_change_history(app, chained_cases, statement):
    with pytest.raises(sqlalchemy.exc.DBAPIError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()
    assert db.session.scalar(text("SELECT count(*) FROM case_events")) == 10
    assert run_verify(app).exit_code == 0


APP_ROLE = "inspect_app_role_test"


@pytest.mark.postgres
def test_the_documented_app_role_may_not_truncate_the_history(app, chained_cases):
    """The README's PostgreSQL setup: the app's role is not the tables' owner and has no TRUNCATE on case_events,
    so it cannot even switch the trigger off. The role lives only in this transaction."""
    for statement in (
        f"CREATE ROLE {APP_ROLE} NOLOGIN",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON case_events FROM {APP_ROLE}",
        f"SET LOCAL ROLE {APP_ROLE}",
    ):
        db.session.execute(text(statement))
    assert db.session.scalar(text("SELECT count(*) FROM case_events")) == 10
    for statement in ("TRUNCATE case_events", "ALTER TABLE case_events DISABLE TRIGGER case_events_no_truncate"):
        with pytest.raises(sqlalchemy.exc.DBAPIError, match="permission denied|owner"), db.session.begin_nested():
            db.session.execute(text(statement))
    db.session.rollback()
    assert db.session.scalar(text("SELECT count(*) FROM case_events")) == 10
    assert run_verify(app).exit_code == 0
