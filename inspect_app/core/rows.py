"""One-row UPDATEs by id with Core statements built once, for the hot paths where flushing an object through the
unit of work costs several times its statement (issue 15). Callers keep their objects in step (set_committed_value)."""

from functools import lru_cache

from sqlalchemy import Table, bindparam, update

from inspect_app.core.extensions import db


def update_row(table: Table, row_id: int, values: dict, *, version: tuple[str, int] | None = None) -> int:
    """Set `values` (by column name) on the row of `table` with id `row_id`; with `version` (a column and the value
    read), only while the row still has that value. How many rows changed: 1, or 0 when the row or version is gone.

    Pending changes of the session are not flushed first (they go out with the next flush, as they would have)."""
    parameters = {f"new_{key}": value for key, value in values.items()}
    parameters["row_id"] = row_id
    if version is not None:
        parameters["seen_version"] = version[1]
    statement = _update(table, tuple(sorted(values)), version[0] if version is not None else None)
    with db.session.no_autoflush:
        return db.session.execute(statement, parameters).rowcount


@lru_cache(maxsize=256)
def _update(table: Table, keys: tuple[str, ...], version_column: str | None):
    # One statement per table and set of columns: SQLAlchemy keeps its cache key on it, so each call only binds values.
    where = [table.c.id == bindparam("row_id")]
    if version_column is not None:
        where.append(table.c[version_column] == bindparam("seen_version"))
    return update(table).where(*where).values({table.c[key]: bindparam(f"new_{key}") for key in keys})
