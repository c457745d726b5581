"""Long lists a page at a time by keyset: a page is found from the sort key of the last row the reader saw, not by
counting the rows before it (OFFSET), so the fortieth page costs what the first does.

A list is sorted by a tuple of keys, the last of them unique (an id). `before` asks for the rows whose keys come
before the given ones, `after` for those after; in the page's display order (`descending` or not) one of them is
"next" and the other "previous". Keys travel in links and API cursors as text (`encode_keys`)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import request
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, func, literal, select, tuple_
from sqlalchemy.types import TypeDecorator

from inspect_app.core.extensions import db

SEPARATOR = ","
MAX_PER_PAGE = 100  # the most rows one page of an API list holds, whatever is asked
MAX_CURSOR_LENGTH = 200  # a cursor is the sort keys of a row: a few numbers and times


class CursorQuery(BaseModel):
    """Which page of an API list paged by cursor: the first, or the one after a cursor (next_cursor of the page
    before), and how long."""

    cursor: str | None = Field(
        None,
        max_length=MAX_CURSOR_LENGTH,
        description="Where the page starts: the next_cursor of the page before (leave out for the first page)",
    )
    per_page: int | None = Field(
        None, ge=1, description=f"The server's page size when left out; more than {MAX_PER_PAGE} gets {MAX_PER_PAGE}"
    )


@dataclass(frozen=True)
class Page:
    """A page of rows in display order, with the keys of its first and last rows when there are rows beyond them."""

    items: list = field(default_factory=list)
    lower: tuple | None = None  # the smallest keys shown, when rows with smaller keys exist
    higher: tuple | None = None  # the largest keys shown, when rows with larger keys exist
    descending: bool = False

    @property
    def next_keys(self) -> str | None:
        """The text a link to the next page carries, or None on the last page."""
        keys = self.lower if self.descending else self.higher
        return None if keys is None else encode_keys(keys)

    @property
    def next_args(self) -> dict | None:
        """The query arguments of the next page, or None on the last page."""
        if self.next_keys is None:
            return None
        return (
            {"before": self.next_keys, "after": None} if self.descending else {"after": self.next_keys, "before": None}
        )

    @property
    def previous_args(self) -> dict | None:
        """The query arguments of the previous page, or None on the first page."""
        keys = self.higher if self.descending else self.lower
        if keys is None:
            return None
        return (
            {"after": encode_keys(keys), "before": None}
            if self.descending
            else {"before": encode_keys(keys), "after": None}
        )


def encode_keys(values: Sequence) -> str:
    """The keys of a row as text for a link: 17, or 0,2026-11-30T08:00:00+00:00,42."""
    return SEPARATOR.join(_encode(value) for value in values)


def _encode(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def decode_keys(text: str | None, keys: Sequence[ColumnElement]) -> tuple | None:
    """The keys `encode_keys` wrote, typed as the sort keys are; None when `text` is absent or not such keys."""
    if not text:
        return None
    parts = text.split(SEPARATOR)
    if len(parts) != len(keys):
        return None
    try:
        return tuple(_decode(part, _python_type(key)) for part, key in zip(parts, keys, strict=True))
    except (ValueError, OverflowError, NotImplementedError):
        return None


def _python_type(key: ColumnElement) -> type:
    kind = key.type
    return (kind.impl_instance if isinstance(kind, TypeDecorator) else kind).python_type


def _decode(text: str, kind: type):
    if kind is bool:
        if text not in ("0", "1"):
            raise ValueError(text)
        return text == "1"
    if kind is int:
        value = int(text)
        if not -(2**63) <= value < 2**63:  # what every database's integers hold
            raise ValueError(text)
        return value
    if kind is datetime:
        value = datetime.fromisoformat(text)
        if value.tzinfo is None:
            raise ValueError(text)
        return value.astimezone(UTC)
    raise ValueError(text)


def keyset_page(
    query: Select,
    keys: Sequence[ColumnElement],
    *,
    size: int,
    descending: bool = False,
    before: tuple | None = None,
    after: tuple | None = None,
) -> Page:
    """The `size` rows of the query (one entity, any order given is replaced) that follow `before` or `after`, or the
    first `size` rows in display order when neither is given."""
    key_tuple = tuple_(*keys)
    if after is not None:
        ascending, query_from = True, query.where(key_tuple > _bound(keys, after))
    elif before is not None:
        ascending, query_from = False, query.where(key_tuple < _bound(keys, before))
    else:
        ascending, query_from = not descending, query
    rows = _fetch(query_from, keys, ascending=ascending, limit=size + 1)
    more_ahead = len(rows) > size  # one row more than a page: there are rows beyond, the way it was read
    rows = rows[:size]
    if not rows:
        return Page(descending=descending)
    ends = (tuple(rows[0][1:]), tuple(rows[-1][1:]))
    lowest, highest = ends if ascending else ends[::-1]
    # Behind where the reading started there is nothing on a first page; after a cursor, ask.
    from_cursor = before is not None or after is not None
    if ascending:
        more_higher, more_lower = more_ahead, from_cursor and _exists_beyond(query, keys, lowest, below=True)
    else:
        more_lower, more_higher = more_ahead, from_cursor and _exists_beyond(query, keys, highest, below=False)
    if ascending == descending:  # read against the display order: turn the page round
        rows.reverse()
    return Page(
        [row[0] for row in rows],
        lower=lowest if more_lower else None,
        higher=highest if more_higher else None,
        descending=descending,
    )


def count_rows(query: Select) -> int:
    """How many rows the query matches (the total a paged list shows)."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def requested_page(query: Select, keys: Sequence[ColumnElement], *, size: int, descending: bool = False) -> Page:
    """The page the request's `before` or `after` argument asks for (the first page when neither is valid)."""
    return keyset_page(
        query,
        keys,
        size=size,
        descending=descending,
        before=decode_keys(request.args.get("before"), keys),
        after=decode_keys(request.args.get("after"), keys),
    )


def _bound(keys: Sequence[ColumnElement], values: tuple):
    return tuple_(*(literal(value, key.type) for key, value in zip(keys, values, strict=True)))


def _fetch(query: Select, keys: Sequence[ColumnElement], *, ascending: bool, limit: int) -> list:
    order = [key.asc() if ascending else key.desc() for key in keys]
    return list(db.session.execute(query.add_columns(*keys).order_by(None).order_by(*order).limit(limit)))


def _exists_beyond(query: Select, keys: Sequence[ColumnElement], edge: tuple, *, below: bool) -> bool:
    key_tuple, bound = tuple_(*keys), _bound(keys, edge)
    return db.session.scalar(
        select(query.order_by(None).where(key_tuple < bound if below else key_tuple > bound).exists())
    )
