"""Writing a case's row with one Core UPDATE instead of through the unit of work (used by history.record_event).

Flushing a changed case costs several times its statement: the unit of work checks every relationship of the case
for changes to cascade (about 0.3 ms of a 5 ms task completion, issue 15). When only the row's own columns changed,
which is what an engine step or a status change does, one UPDATE says the same; the object is then marked saved, so
that the next flush leaves it alone. Anything else (a relationship set, such as the process version at the start)
is left to the unit of work."""

from functools import cache

from sqlalchemy import inspect
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from inspect_app.core.extensions import db
from inspect_app.core.rows import update_row
from inspect_app.core.sqltypes import utc_now
from inspect_app.models import Case


def pending_columns(case: Case) -> dict | None:
    """The case's changed columns and their new values ({} when none changed), or None when more changed with them
    (a relationship, or its version counter): only the unit of work writes those. A collection changed on its own
    (a team member added) is left to the next flush, as history.record_event always did."""
    state, columns, collections = inspect(case), _column_keys(), _collection_keys()
    changed, collection_changed = {}, False
    for key in state.committed_state:
        if not state.attrs[key].history.has_changes():  # set again to the value it had: no change (is_modified)
            continue
        if key in collections:
            collection_changed = True
        elif key not in columns or key == "lock_version":
            return None
        else:
            changed[key] = getattr(case, key)
    return None if changed and collection_changed else changed


def write_case(case: Case, changed: dict, values: dict) -> None:
    """UPDATE the case row with `values` and its `changed` columns (pending_columns), in one statement.

    With changes, the row must still have the version the case was read at, and gets the next one (as the unit of
    work does with the version counter): a case another transaction changed first is a lost race (StaleDataError,
    a Conflict for the user). Without, `values` are written alone and the version stays as it is."""
    values = dict(values)
    if changed:
        # As the model's onupdate would, unless the change sets it.
        values = {"updated_at": utc_now(), **changed, **values, "lock_version": case.lock_version + 1}
    version = ("lock_version", case.lock_version) if changed else None
    written = update_row(Case.__table__, case.id, values, version=version)
    if changed:
        if written != 1:
            raise StaleDataError(f"case {case.id} was changed by another transaction (version {case.lock_version})")
        # Saved as it is now: what the unit of work does after its own UPDATE (no public API says it).
        state = inspect(case)
        state._commit_all(state.dict, db.session.identity_map)
    for key, value in values.items():
        set_committed_value(case, key, value)


@cache
def _column_keys() -> frozenset[str]:
    return frozenset(attribute.key for attribute in inspect(Case).column_attrs)


@cache
def _collection_keys() -> frozenset[str]:
    return frozenset(relationship.key for relationship in inspect(Case).relationships if relationship.uselist)
