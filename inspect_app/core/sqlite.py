"""The embedded SQLite database in write-ahead-log mode.

In its default (rollback journal) mode SQLite syncs the disk at every commit, about 1 ms on a quiet machine and 9 ms
on a busy one, and a writer shuts out readers while it commits. With a write-ahead log (WAL), readers go on reading
while one writes, and synchronous=NORMAL syncs only when the log is copied back into the database file, not at each
commit (bench/task_completion.py, issue 15). The trade-off: after a power cut or an operating-system crash the last
commits before it may be lost; the database is never corrupted (SQLite's guarantee for WAL with NORMAL), and a crash
of the app alone loses nothing. PostgreSQL, the production database, is not affected."""

from flask import Flask
from sqlalchemy import event

from inspect_app.core.extensions import db


def use_write_ahead_log(app: Flask) -> None:
    """Set every new connection to the app's SQLite database to WAL, synchronous=NORMAL."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _write_ahead_log)


def _write_ahead_log(connection, _record) -> None:
    cursor = connection.cursor()
    # An in-memory database answers "memory" and stays as it is; a file keeps WAL once set.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
