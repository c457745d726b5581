"""The only writer of case events (history_verify.py proves their hash chains intact)."""

import hashlib
import json
from datetime import UTC, datetime

from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from inspect_app.case_row import pending_columns, write_case
from inspect_app.core.extensions import db
from inspect_app.core.sqltypes import utc_now
from inspect_app.models import Case, CaseEvent, User

GENESIS_HASH = "0" * 64
# Ids of the cases whose rows this transaction has locked, with their history count and head read under the lock.
_LOCKED = "inspect.locked_case_ids"


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat(timespec="microseconds")


def event_payload(event: CaseEvent) -> dict:
    """Everything an event's hash covers, as plain JSON values."""
    return _payload(
        event.case_id,
        event.seq,
        event.at,
        event.actor_id,
        event.action,
        event.details,
        event.captured_at,
        event.prev_hash,
    )


def _payload(case_id, seq, at, actor_id, action, details, captured_at, prev_hash) -> dict:
    return {
        "case_id": case_id,
        "seq": seq,
        "at": _iso(at),
        "actor_id": actor_id,
        "action": action,
        "details": details,
        "captured_at": _iso(captured_at),
        "prev_hash": prev_hash,
    }


# The canonical JSON: sorted keys, no spaces, UTF-8 as is. One encoder, made once (json.dumps makes one per call).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _hash_of(payload: dict) -> str:
    return hashlib.sha256(_CANONICAL.encode(payload).encode("utf-8")).hexdigest()


def compute_hash(event: CaseEvent) -> str:
    """SHA-256 over the canonical JSON (sorted keys, no spaces, UTF-8) of the event's payload."""
    return _hash_of(event_payload(event))


def record_event(
    case: Case, action: str, *, actor: User | None, details: dict | None = None, captured_at: datetime | None = None
) -> None:
    """Append an event to the case's chain in the current transaction (flushes, never commits).

    When the case row is changing too (an engine step stored its state), the chain's new count and head go out in
    the same UPDATE, which bumps the version once as the step would anyway; otherwise they are written on their own,
    leaving the case's version alone (see _lock_chain_head). Both are one Core UPDATE (case_row.py) unless more than
    the row's columns changed. The event itself is one INSERT of its values, after the flush: nothing reads it back
    as an object in the transaction that writes it, and the unit of work would cost more than the statement."""
    count, head = _lock_chain_head(case)
    row = {
        "case_id": case.id,
        "seq": count + 1,
        # Microseconds are all both databases keep, so the hash is computed over what is stored.
        "at": utc_now(),
        "actor_id": actor.id if actor is not None else None,
        "action": action,
        "details": json.loads(json.dumps(details or {}, default=str)),
        "captured_at": captured_at,
        "prev_hash": head or GENESIS_HASH,
    }
    row["hash"] = _hash_of(_payload(**row))
    head = {"history_count": row["seq"], "history_head": row["hash"]}
    changed = pending_columns(case)
    if changed is None:  # more than the row changed: the unit of work writes it all, the head with it
        case.history_count, case.history_head = row["seq"], row["hash"]
    else:
        write_case(case, changed, head)
    db.session.flush()
    db.session.execute(_INSERT_EVENT, row)


# The table's, not the class's: given values, an ORM insert would take them for objects (bulk mode) and do more.
_INSERT_EVENT = insert(CaseEvent.__table__)


def note_locked(case: Case) -> None:
    """Tell record_event that this transaction holds the case's row lock and has just read the row (its history count
    and head included), so that appending need not lock and read it again."""
    db.session.info.setdefault(_LOCKED, set()).add(case.id)


@event.listens_for(Session, "after_transaction_end")
def _forget_locks(session: Session, transaction) -> None:
    # Locks end with the transaction, and a savepoint rolled back on PostgreSQL releases those taken inside it. (A
    # flush's own inner "subtransaction" ends nothing.)
    if transaction.parent is None or transaction.nested:
        session.info.pop(_LOCKED, None)


def _lock_chain_head(case: Case) -> tuple[int, str | None]:
    """The chain's length and last hash as committed, with the case row locked until the transaction ends.

    Appending is the one place where writers of different things on one case meet (answers to different items,
    scores of different criteria): they queue here for a moment instead of failing. The append leaves the case's
    version alone, so that a step or a status change still fails on a case another request changed first."""
    if case.id is None:
        db.session.flush()
    if case.id in db.session.info.get(_LOCKED, ()):
        # Locked and read by this transaction, and kept in step by each append since: the row cannot have changed.
        return case.history_count, case.history_head
    # FOR NO KEY UPDATE: rows just inserted for the case hold a key-share lock on it, which FOR UPDATE would wait on.
    query = select(Case.history_count, Case.history_head).where(Case.id == case.id).with_for_update(key_share=True)
    with db.session.no_autoflush:  # the case's own pending changes go out with the event (record_event)
        count, head = db.session.execute(query).one()
    note_locked(case)
    return count, head


def case_events(case: Case, latest: int | None = None) -> list[CaseEvent]:
    """The case's events in chain order (only the `latest` ones, when given)."""
    query = select(CaseEvent).where(CaseEvent.case_id == case.id)
    if latest is not None:
        query = query.where(CaseEvent.seq > case.history_count - latest)
    return list(db.session.scalars(query.order_by(CaseEvent.seq)))
