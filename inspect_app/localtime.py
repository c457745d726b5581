"""Converting between stored UTC times and the user's wall-clock time (form inputs)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask_babel import get_timezone

from inspect_app import clock


def user_zone() -> ZoneInfo:
    """The user's time zone as a zoneinfo zone (Flask-Babel's pytz zone must not be used with replace())."""
    return ZoneInfo(str(get_timezone()))


def from_local_input(value: datetime) -> datetime:
    """A naive datetime typed by the user (datetime-local input), read in their time zone, as aware UTC."""
    return value.replace(tzinfo=user_zone()).astimezone(UTC)


def today() -> date:
    """Today's date where the user is."""
    return clock.now().astimezone(user_zone()).date()
