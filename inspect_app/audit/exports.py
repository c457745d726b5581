"""History downloads, streamed, so that a history of any length starts downloading at once and never sits whole in
memory.

CSV for spreadsheets: UTF-8 with a byte-order mark (so that Excel reads Vietnamese), one row per event in the reader's
words and time zone, with each person's full name beside their username. JSON, one case's events exactly as their
hashes cover them: the one to verify the hash chain with (the CSV carries each event's hash too)."""

import csv
import io
from collections.abc import Iterable, Iterator

from flask import Response, current_app, stream_with_context
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _

from inspect_app.audit.describe import describe
from inspect_app.audit.lookups import Lookups
from inspect_app.audit.queries import EventFilter, case_history, each_event
from inspect_app.core.clock import user_zone
from inspect_app.history import event_payload
from inspect_app.models import Case, CaseEvent

BOM = "\ufeff"
CHUNK_ROWS = 100  # rows sent at a time
# A cell starting with one of these is a formula to a spreadsheet: such text is written with a quote mark first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_response(events: Iterable[CaseEvent], filename: str) -> Response:
    """A streamed CSV download of `events`, in the order given."""
    # The rows are written after the request's own database session has closed (Flask pushes the request's contexts
    # again around the stream): settle the reader's language and zone now, while the signed-in user can be read.
    get_locale()
    get_timezone()
    response = Response(stream_with_context(_lines(events)), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def json_response(case: Case, filename: str) -> Response:
    """A streamed JSON download of the case's whole history in chain order, each event with its hash, ending at the
    chain head."""
    # The head and count are read once, now: events written while the download runs are left out, so that the
    # events sent always end at the chain head sent.
    count = case.history_count
    opening = _compact({"case": case.reference, "chain_head": case.history_head, "event_count": count})
    events = each_event(case_history(case, EventFilter()).where(CaseEvent.seq <= count), CaseEvent.seq)

    def pieces() -> Iterator[str]:
        yield opening.removesuffix("}") + ',"events":['
        separator, chunk = "", []
        for event in events:
            chunk.append(_compact({**event_payload(event), "hash": event.hash}))
            if len(chunk) == CHUNK_ROWS:
                yield separator + ",".join(chunk)
                separator, chunk = ",", []
        yield (separator if chunk else "") + ",".join(chunk) + "]}"

    response = Response(stream_with_context(pieces()), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def refused(form) -> tuple[str, int, dict]:
    """The answer to a download asked with bad filters: what is wrong, field by field, as plain text."""
    lines = [f"{form[name].label.text}: {message}" for name, messages in form.errors.items() for message in messages]
    return "\n".join(lines) + "\n", 400, {"Content-Type": "text/plain; charset=utf-8"}


def header() -> list[str]:
    return [
        _("Case"),
        _("Unit"),
        _("No."),
        _("Time (%(zone)s)", zone=str(get_timezone())),
        _("Person"),
        _("Username"),
        _("Kind"),
        _("Event"),
        _("Details"),
        _("Captured on the device at"),
        _("Hash (SHA-256)"),
    ]


def row(event: CaseEvent, lookups: Lookups) -> list[str]:
    """One event as the columns of `header`."""
    described = describe(event, lookups)
    actor = event.actor
    return [
        event.case.reference,
        event.case.subject_unit.name,
        str(event.seq),
        _local(event.at),
        actor.full_name if actor is not None else _("System"),
        actor.username if actor is not None else "",
        described.group_label,
        described.summary,
        "\n".join(f"{detail.label}: {detail.value}" for detail in described.details),
        _local(event.captured_at),
        event.hash,
    ]


def _lines(events: Iterable[CaseEvent]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells: list[str]) -> bytes:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_safe(cell) for cell in cells])
        return buffer.getvalue().encode("utf-8")

    yield BOM.encode("utf-8") + line(header())
    lookups, chunk = Lookups(), []
    for event in events:
        chunk.append(line(row(event, lookups)))
        if len(chunk) == CHUNK_ROWS:
            yield b"".join(chunk)
            chunk = []
    yield b"".join(chunk)


def _compact(value: dict) -> str:
    """JSON as the app writes it (keys sorted), without spaces."""
    return current_app.json.dumps(value, separators=(",", ":"))


def _local(moment) -> str:
    """A time in the reader's zone, as spreadsheets read dates: 2026-11-29 14:05:31."""
    return "" if moment is None else moment.astimezone(user_zone()).strftime("%Y-%m-%d %H:%M:%S")


def _safe(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell
