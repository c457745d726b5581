"""Reading the history: one case's events or every visible case's, filtered by kind, person, period and unit, a page
at a time by keyset (a page is found by the last event the reader saw, not by counting rows past it)."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute, joinedload

from inspect_app.core.extensions import db
from inspect_app.core.keyset import Page, requested_page
from inspect_app.models import Case, CaseEvent, OrgUnit, User

EXPORT_BATCH = 500  # events read at a time while an export streams


@dataclass(frozen=True)
class EventFilter:
    """What a reader asked for; every part is optional. `by_system` keeps the events no person did (timers)."""

    actions: tuple[str, ...] | None = None
    actor_id: int | None = None
    by_system: bool = False
    start: datetime | None = None  # inclusive, UTC
    end: datetime | None = None  # exclusive, UTC
    unit_id: int | None = None  # the unit and every unit below it


def case_history(case: Case, wanted: EventFilter) -> Select:
    """The case's events that match (unordered)."""
    return _filtered(select(CaseEvent).where(CaseEvent.case_id == case.id), wanted)


def visible_history(user: User, wanted: EventFilter) -> Select:
    """The events of every case the user may see that match (unordered), with their cases, units and actors."""
    query = select(CaseEvent).join(CaseEvent.case).where(Case.visible_to(user))
    if wanted.unit_id is not None:
        query = query.where(Case.subject_unit_id.in_(OrgUnit.subtree_ids(wanted.unit_id)))
    return _filtered(query, wanted)


def _filtered(query: Select, wanted: EventFilter) -> Select:
    if wanted.actions is not None:
        query = query.where(CaseEvent.action.in_(wanted.actions))
    if wanted.by_system:
        query = query.where(CaseEvent.actor_id.is_(None))
    elif wanted.actor_id is not None:
        query = query.where(CaseEvent.actor_id == wanted.actor_id)
    if wanted.start is not None:
        query = query.where(CaseEvent.at >= wanted.start)
    if wanted.end is not None:
        query = query.where(CaseEvent.at < wanted.end)
    return query


def _with_readers(query: Select) -> Select:
    """The events with what a reader sees beside each: its case, the case's unit and the person who acted."""
    return query.options(joinedload(CaseEvent.case).joinedload(Case.subject_unit), joinedload(CaseEvent.actor))


def _rows(query: Select) -> list[CaseEvent]:
    return list(db.session.scalars(_with_readers(query)))


def event_page(query: Select, key: InstrumentedAttribute, *, size: int) -> Page:
    """The page of events, newest first, that the request's `before` or `after` (a `key` value) asks for."""
    return requested_page(_with_readers(query), [key], size=size, descending=True)


def each_event(query: Select, key: InstrumentedAttribute) -> Iterator[CaseEvent]:
    """Every event the query matches, oldest first, read a batch at a time (for exports of any length)."""
    last = None
    while True:
        batch_query = query if last is None else query.where(key > last)
        batch = _rows(batch_query.order_by(key.asc()).limit(EXPORT_BATCH))
        if not batch:
            return
        yield from batch
        last = getattr(batch[-1], key.key)
        for event in batch:  # the cases, people and names they refer to stay; the events themselves are done
            db.session.expunge(event)
