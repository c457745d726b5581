"""Converting between stored UTC times and the user's wall-clock time (form inputs)."""

from datetime import UTC, date, datetime

from flask_babel import get_timezone

from inspect_app import clock


def from_local_input(value: datetime) -> datetime:
    """A naive datetime typed by the user (datetime-local input), read in their time zone, as aware UTC."""
    return value.replace(tzinfo=get_timezone()).astimezone(UTC)


def to_local_input(value: datetime) -> datetime:
    """An aware datetime as the naive wall-clock time a datetime-local input shows the user."""
    return value.astimezone(get_timezone()).replace(tzinfo=None)


def today() -> date:
    """Today's date where the user is."""
    return clock.now().astimezone(get_timezone()).date()
