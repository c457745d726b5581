"""Formatters for event details: each turns one stored value into text in the reader's language and time zone.

A formatter is called as `show(value, event, lookups)`; the factories here (`choice`, `changed`, `listed`) build
formatters from labels or other formatters. Stored values are JSON: ISO dates and times, enum values, ids and codes."""

from collections import Counter
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import format_decimal
from flask_babel import gettext as _

from inspect_app.audit import names
from inspect_app.audit.describe import Formatter, plain
from inspect_app.audit.lookups import Lookups
from inspect_app.core.formats import calendar_date, deadline, local_time
from inspect_app.models import CaseEvent

EMPTY = "—"
ARROW = " → "


def number(value, event: CaseEvent, lookups: Lookups) -> str:
    """A count or a score, in the reader's number format (8,5)."""
    try:
        return format_decimal(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def yes_no(value, event: CaseEvent, lookups: Lookups) -> str:
    return _("yes") if value else _("no")


def day(value, event: CaseEvent, lookups: Lookups) -> str:
    """An ISO calendar date (a deadline, a decision date)."""
    try:
        return calendar_date(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def due(value, event: CaseEvent, lookups: Lookups) -> str:
    """A deadline stored as the ISO moment it passes, as the day to meet it by (the way every page shows it)."""
    try:
        return deadline(datetime.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def moment(value, event: CaseEvent, lookups: Lookups) -> str:
    """An ISO date and time, in the reader's time zone."""
    try:
        return local_time(datetime.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def choice(labels: dict) -> Formatter:
    """A stored enum value by its label (the value itself when the labels do not know it)."""

    def show(value, event: CaseEvent, lookups: Lookups) -> str:
        return str(labels.get(value, value))

    return show


def changed(show: Formatter = plain) -> Formatter:
    """A stored [old, new] pair as "old → new" (an empty side as a dash)."""

    def show_change(value, event: CaseEvent, lookups: Lookups) -> str:
        if not isinstance(value, list) or len(value) != 2:
            return show(value, event, lookups)
        return ARROW.join(EMPTY if side in (None, "") else show(side, event, lookups) for side in value)

    return show_change


def listed(show: Formatter = plain, separator: str = "; ") -> Formatter:
    """A stored list, each item shown by `show`; repeated items once, with their count."""

    def show_list(value, event: CaseEvent, lookups: Lookups) -> str:
        items = value if isinstance(value, list) else [value]
        counted = Counter(show(item, event, lookups) for item in items)
        return separator.join(text if count == 1 else f"{text} ({count})" for text, count in counted.items())

    return show_list


def person(value, event: CaseEvent, lookups: Lookups) -> str:
    """A username as "Full Name (username)"."""
    user = lookups.user(str(value))
    return f"{user.full_name} ({user.username})" if user is not None else str(value)


def unit(value, event: CaseEvent, lookups: Lookups) -> str:
    """An organisation unit's code as its name."""
    found = lookups.unit(str(value))
    return found.name if found is not None else str(value)


def finding(value, event: CaseEvent, lookups: Lookups) -> str:
    """A finding's id as its title."""
    found = lookups.finding(event.case, value)
    if found is None:
        return _("finding no. %(id)s", id=value)
    return found.title if found.case_id == event.case_id else f"{found.title} ({found.case.reference})"


def item(value, event: CaseEvent, lookups: Lookups) -> str:
    """A checklist item's code as "code · text"."""
    found = lookups.item(event.case, str(value))
    return f"{found.code} · {found.text}" if found is not None else str(value)


def criterion(value, event: CaseEvent, lookups: Lookups) -> str:
    """A PAR criterion's code as "code · name"."""
    found = lookups.criterion(event.case, str(value))
    return f"{found.code} · {found.name}" if found is not None else str(value)


def task(value, event: CaseEvent, lookups: Lookups) -> str:
    """A task's stored title as its name in the reader's language."""
    return names.task_name(event.case, str(value))


def element(value, event: CaseEvent, lookups: Lookups) -> str:
    """A BPMN element's id (a timer) as its name."""
    return lookups.element(event.case, str(value))


def file_size(value, event: CaseEvent, lookups: Lookups) -> str:
    size = float(value)
    for unit_name in ("B", "KB", "MB"):
        if size < 1024 or unit_name == "MB":
            return f"{format_decimal(round(size, 1))} {unit_name}"
        size /= 1024
    return str(value)


def coordinates(value, event: CaseEvent, lookups: Lookups) -> str:
    """A device's [latitude, longitude], written as maps take it."""
    latitude, longitude = value
    return f"{float(latitude):.5f}, {float(longitude):.5f}"


# --- subjects: what an event was done to ------------------------------------------------------------------------


def subject(key: str, show: Formatter = plain):
    """A subject read from one stored detail."""

    def read(event: CaseEvent, lookups: Lookups) -> str | None:
        value = (event.details or {}).get(key)
        return None if value in (None, "") else show(value, event, lookups)

    return read
