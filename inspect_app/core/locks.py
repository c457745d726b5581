"""Transactions that take turns on a name: for a count and the write that depends on it, done by many at once."""

from sqlalchemy import text

from inspect_app.core.extensions import db


def take_turns(name: str) -> None:
    """Until this transaction ends, make other transactions that take turns on `name` wait.

    PostgreSQL: a transaction-scoped advisory lock on the name's hash. SQLite lets one transaction write at a time:
    there, write before reading what the others wrote, and they wait for this one to end."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})
