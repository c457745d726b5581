"""Time in one place: the app's clock ("now": real time, unless a test or a dry run installs another), and
the user's wall-clock time ("today", form inputs read in their time zone)."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import get_timezone

from inspect_app.core.sqltypes import utc_now

EXTENSION_KEY = "inspect.clock"


def now() -> datetime:
    """The current time, aware UTC, from the clock installed on the app (real time by default)."""
    clock: Callable[[], datetime] = current_app.extensions.get(EXTENSION_KEY, utc_now)
    return clock()


def user_zone() -> ZoneInfo:
    """The user's time zone as a zoneinfo zone (Flask-Babel's pytz zone must not be used with replace())."""
    return ZoneInfo(str(get_timezone()))


def from_local_input(value: datetime) -> datetime:
    """A naive datetime typed by the user (datetime-local input), read in their time zone, as aware UTC."""
    return value.replace(tzinfo=user_zone()).astimezone(UTC)


def today() -> date:
    """Today's date where the user is."""
    return now().astimezone(user_zone()).date()
