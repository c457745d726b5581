"""Proving every case's history intact: one streamed pass over all events in chain order, in constant memory.

Each event's hash is computed again from the row as stored (times as the ISO text `history._iso` makes, written by
the database; details as their stored JSON text) with orjson, which for what the app stores gives the very bytes that
`history.compute_hash` hashes, several times faster. An event that does not match at once is hashed again exactly as
`record_event` did before it is called altered, so the verdicts are compute_hash's. On PostgreSQL the rows come from
`cursor.stream()`: the server keeps sending while Python hashes, so the two work on two cores at once (a server-side
cursor, FETCH by FETCH, leaves the server idle while Python works and Python idle while the server does)."""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from hashlib import sha256
from itertools import groupby
from operator import itemgetter

from orjson import OPT_SORT_KEYS, JSONDecodeError, JSONEncodeError, dumps, loads

from inspect_app.core.extensions import db
from inspect_app.history import GENESIS_HASH, compute_hash
from inspect_app.models import CaseEvent

STREAM_CHUNK = 2000  # rows PostgreSQL sends at a time; memory stays the same however long the history
PROGRESS_EVERY = 50_000  # events between two calls of the progress callback

CASES_SQL = "SELECT id, reference, history_count, history_head FROM cases ORDER BY id"
# What an event's hash covers, as HistoryCheck._check unpacks it, then its id and stored hash.
EVENTS_SQL = (
    "SELECT case_id, seq, {at}, actor_id, action, CAST(details AS TEXT), {captured_at}, prev_hash, id, hash "
    "FROM case_events ORDER BY case_id, seq"
)
ISO_TEXT = {  # a timestamp column as the text history._iso makes of it (NULL stays NULL)
    "postgresql": "to_char(timezone('UTC', {0}), 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')",
    "sqlite": "replace({0}, ' ', 'T') || '+00:00'",  # SQLite keeps UTC as 'YYYY-MM-DD HH:MM:SS.ffffff'
}


@dataclass(frozen=True)
class ChainBreak:
    case_reference: str
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"event {self.seq}" if self.seq is not None else "chain"
        return f"{self.case_reference} {where}: {self.problem}"


@dataclass
class HistoryCheck:
    """One pass over every case's chain: iterate `breaks()`, then read how many cases and events it checked.

    `progress`, if given, is called with the number of events checked so far every PROGRESS_EVERY events or so."""

    progress: Callable[[int], None] | None = None
    cases: int = 0
    events: int = 0

    def breaks(self) -> Iterator[ChainBreak]:
        """The first break of each broken chain, in case id order."""
        with _streams() as (cases, events):
            yield from self._breaks(cases, events)

    def _breaks(self, cases: Iterable[tuple], events: Iterable[tuple]) -> Iterator[ChainBreak]:
        # Both streams are in case id order: walk them side by side, one case at a time.
        cases = iter(cases)
        case = next(cases, None)
        reported = 0
        for case_id, rows in groupby(events, key=itemgetter(0)):
            while case is not None and case[0] < case_id:  # a case with no events at all
                if problem := self._check(case, ()):
                    yield problem
                case = next(cases, None)
            if case is None or case[0] != case_id:
                continue  # events of no case, which the foreign key forbids
            if problem := self._check(case, rows):
                yield problem
            case = next(cases, None)
            if self.progress is not None and self.events - reported >= PROGRESS_EVERY:
                reported = self.events
                self.progress(reported)
        while case is not None:
            if problem := self._check(case, ()):
                yield problem
            case = next(cases, None)

    def _check(self, case: tuple, rows: Iterable[tuple]) -> ChainBreak | None:
        """The first break in one case's chain of event rows (in seq order), or None."""
        _id, reference, count, head = case
        self.cases += 1
        expected_prev, position = GENESIS_HASH, 0
        problem = None
        for position, row in enumerate(rows, start=1):  # noqa: B007 (how many were read counts after the loop)
            case_id, seq, at, actor_id, action, details, captured_at, prev_hash, event_id, stored_hash = row
            if seq != position:
                problem = ChainBreak(reference, position, f"missing or re-ordered (found seq {seq})")
                break
            if prev_hash != expected_prev:
                problem = ChainBreak(reference, seq, "does not follow the previous event (deleted or re-ordered)")
                break
            # The quick hash (see the module's docstring), written out here rather than called since it runs for
            # every event there is; orjson sorts the keys at every level. Where orjson writes a number otherwise than
            # json does (an exponent, one too long for it), the hashes differ or orjson fails, and _hash_as_recorded
            # decides: equal texts are equal JSON, so this passes nothing that compute_hash would fail.
            try:
                payload = {
                    "action": action,
                    "actor_id": actor_id,
                    "at": at,
                    "captured_at": captured_at,
                    "case_id": case_id,
                    "details": loads(details),
                    "prev_hash": prev_hash,
                    "seq": seq,
                }
                quick = sha256(dumps(payload, option=OPT_SORT_KEYS)).hexdigest()
            except (JSONDecodeError, JSONEncodeError, TypeError):
                quick = None
            if quick != stored_hash and _hash_as_recorded(event_id) != stored_hash:
                problem = ChainBreak(reference, seq, "content altered (hash mismatch)")
                break
            expected_prev = stored_hash
        self.events += position
        if problem is None and (position != count or (position and head != expected_prev)):
            ends = f"chain ends at {position} events but the case records {count}"
            problem = ChainBreak(reference, position + 1, ends)
        return problem


def _hash_as_recorded(event_id: int) -> str:
    """The event's hash computed as `record_event` computed it, from the event as the app reads it."""
    event = db.session.get(CaseEvent, event_id)
    try:
        return compute_hash(event)
    finally:
        db.session.expunge(event)


def _events_sql(dialect: str) -> str:
    iso = ISO_TEXT[dialect]
    return EVENTS_SQL.format(at=iso.format("at"), captured_at=iso.format("captured_at"))


@contextmanager
def _streams() -> Iterator[tuple[Iterable[tuple], Iterable[tuple]]]:
    """Every case and every event as plain tuples in case id order: rows straight from the driver, since the ORM's
    row handling would cost more than the checking."""
    if db.engine.dialect.name == "postgresql":
        with _postgres_streams() as streams:
            yield streams
    else:
        connection = db.session.connection().connection.driver_connection
        yield connection.execute(CASES_SQL), connection.execute(_events_sql(db.engine.dialect.name))


@contextmanager
def _postgres_streams() -> Iterator[tuple[Iterable[tuple], Iterable[tuple]]]:
    """Cases and events streamed on two connections that read one snapshot (as pg_dump's parallel jobs do), so that
    a case's recorded head and its events agree however busy the database is."""
    from psycopg import sql  # only PostgreSQL set-ups install psycopg

    repeatable = {"isolation_level": "REPEATABLE READ"}
    with (
        db.engine.connect().execution_options(**repeatable) as first,
        db.engine.connect().execution_options(**repeatable) as second,
    ):
        cases_connection = first.connection.driver_connection
        events_connection = second.connection.driver_connection
        [snapshot] = cases_connection.execute("SELECT pg_export_snapshot()").fetchone()
        events_connection.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
        cases = cases_connection.cursor().stream(CASES_SQL, size=STREAM_CHUNK)
        events = events_connection.cursor().stream(_events_sql("postgresql"), size=STREAM_CHUNK)
        try:
            yield cases, events
        finally:
            # Closing a stream part-way cancels the rest of its query instead of reading it to the end.
            events.close()
            cases.close()
