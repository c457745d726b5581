"""Worlds built once per test module and restored for each of its tests.

Building a world through the services and pages (a demo province, a scored round, an inspection at its conclusion)
takes seconds; putting its rows back takes milliseconds. Each test still changes its world as it likes: the next
test gets it back as built. Restoring is exact: every table's rows with their ids, and the test clock's time."""

import fcntl
import inspect
import pickle
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select, text

from inspect_app.core.extensions import db


def empty_all_tables() -> None:
    """Delete every row of every table (the schema stays), start the ids again at 1, and commit."""
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        # DELETE, not TRUNCATE: TRUNCATE makes new files for every table and index, half a second per test, while
        # deleting the few rows a test leaves takes milliseconds. One round trip for all of it. The history refuses
        # DELETE from the app; the suite connects as the tables' owner, who, like whoever runs the migrations, may
        # switch the trigger off: here within the one transaction that empties the tables, so no other connection
        # ever sees the history unguarded.
        statements = [
            "ALTER TABLE case_events DISABLE TRIGGER case_events_append_only",
            *(f"DELETE FROM {table.name}" for table in tables),
            "ALTER TABLE case_events ENABLE TRIGGER case_events_append_only",
            "SELECT " + ", ".join(f"setval({_id_sequence(table)}, 1, false)" for table in _tables_with_generated_ids()),
        ]
        db.session.connection().exec_driver_sql("; ".join(statements))
    else:
        for table in tables:
            db.session.execute(text(f"DELETE FROM {table.name}"))
    db.session.commit()


def _tables_with_generated_ids() -> list:
    return [
        table
        for table in db.metadata.sorted_tables
        if "id" in table.columns and table.columns["id"].autoincrement in (True, "auto")
    ]


def _id_sequence(table) -> str:
    """The sequence behind a table's generated id, as an SQL expression."""
    return f"pg_get_serial_sequence('{table.name}', 'id')"


class Snapshot:
    """The rows of every table at one moment."""

    def __init__(self):
        db.session.flush()
        self.rows = {
            table.name: [dict(row._mapping) for row in db.session.execute(table.select().order_by(*table.primary_key))]
            for table in db.metadata.sorted_tables
        }

    def restore(self) -> None:
        """Replace every table's rows with the snapshot's."""
        empty_all_tables()
        for table in db.metadata.sorted_tables:
            if self.rows[table.name]:
                db.session.execute(table.insert(), self.rows[table.name])
        if db.engine.dialect.name == "postgresql":
            # Rows came back with their ids: move each id sequence past them, as if they had been inserted anew.
            moves = [
                f"setval({_id_sequence(table)}, {max(row['id'] for row in rows)})"
                for table in _tables_with_generated_ids()
                if (rows := self.rows[table.name])
            ]
            if moves:
                db.session.execute(text("SELECT " + ", ".join(moves)))
        db.session.commit()
        db.session.expire_all()


def built_once_per_run(path: Path, build: Callable[[], Snapshot]) -> Snapshot:
    """The snapshot stored at `path` by whichever worker process built it first; built here (and stored) if none
    has. Workers asking at the same moment wait for the one building."""
    with path.with_suffix(".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if path.exists():
            return pickle.loads(path.read_bytes())
        snapshot = build()
        path.write_bytes(pickle.dumps(snapshot))
        return snapshot


def _fingerprint() -> tuple:
    """Which rows exist (a count and the largest id per table): a world built on other rows is another world."""
    parts = []
    for table in db.metadata.sorted_tables:
        largest = func.max(table.columns["id"]) if "id" in table.columns else func.count()
        parts.append(tuple(db.session.execute(select(func.count(), largest).select_from(table)).one()))
    return tuple(parts)


class _Stored:
    """An ORM object in a cached world's value, kept as its class and primary key."""

    def __init__(self, instance):
        self.model, self.key = type(instance), db.inspect(instance).identity


def _dehydrate(value):
    if isinstance(value, db.Model):
        return _Stored(value)
    if isinstance(value, dict):
        return {key: _dehydrate(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_dehydrate(item) for item in value)
    return value


def _rehydrate(value):
    if isinstance(value, _Stored):
        return db.session.get(value.model, value.key)
    if isinstance(value, dict):
        return {key: _rehydrate(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_rehydrate(item) for item in value)
    return value


def world(build):
    """Make `build` (a fixture function that writes rows) build once per test module, and restore for each test.

    The fixture's own fixtures are still set up for every test (they are cheap, or worlds themselves); only the
    body runs once. Its value may hold ORM objects, in dicts, lists and tuples: each test gets them fresh."""
    names = list(inspect.signature(build).parameters)

    def fixture(request):
        values = {name: request.getfixturevalue(name) for name in names}
        worlds = request.module.__dict__.setdefault("_built_worlds", {})
        key = (build.__qualname__, _fingerprint())
        clock = values.get("clock")
        if key in worlds:
            snapshot, value, moment = worlds[key]
            snapshot.restore()
            if clock is not None:
                clock.now = moment
            return _rehydrate(value)
        value = build(**values)
        worlds[key] = (Snapshot(), _dehydrate(value), clock.now if clock is not None else None)
        db.session.commit()
        return value

    fixture.__name__, fixture.__qualname__, fixture.__doc__ = build.__name__, build.__qualname__, build.__doc__
    fixture.__module__ = build.__module__
    return fixture
