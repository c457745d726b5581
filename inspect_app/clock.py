"""The app's clock: real time, unless a test or a dry run installs another one."""

from collections.abc import Callable
from datetime import datetime

from flask import current_app

from inspect_app.sqltypes import utc_now

EXTENSION_KEY = "inspect.clock"


def now() -> datetime:
    """The current time, aware UTC, from the clock installed on the app (real time by default)."""
    clock: Callable[[], datetime] = current_app.extensions.get(EXTENSION_KEY, utc_now)
    return clock()
