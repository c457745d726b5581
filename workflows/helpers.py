"""Functions that BPMN conditions, scripts and timer expressions may call.

Dates travel as ISO 8601 strings so task data stays JSON and a timer expression can use the result directly.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def _as_date_or_datetime(value: object) -> date | datetime:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    raise TypeError(f"expected a date or an ISO 8601 string, got {type(value).__name__}")


def add_days(value: object, days: int) -> str:
    """Return `value` (a date or ISO string) moved by `days` calendar days, as an ISO string."""
    return (_as_date_or_datetime(value) + timedelta(days=int(days))).isoformat()


def _step_working_days(start: date | datetime, days: int) -> date | datetime:
    if days == 0:
        return start
    step = 1 if days > 0 else -1
    current = start
    # A weekend start counts from the working day behind it, so Saturday + 1 working day is Monday.
    while current.weekday() >= 5:
        current -= timedelta(days=step)
    # Whole weeks are always five working days, so only the remainder is walked (fast even for huge `days`).
    weeks, remainder = divmod(abs(days), 5)
    current += timedelta(weeks=weeks * step)
    for _ in range(remainder):
        current += timedelta(days=step)
        while current.weekday() >= 5:
            current += timedelta(days=step)
    return current


def add_working_days(value: object, days: int) -> str:
    """Return `value` moved by `days` working days (Monday to Friday), as an ISO string."""
    return _step_working_days(_as_date_or_datetime(value), int(days)).isoformat()


def parse_date(value: object) -> str:
    """Return the calendar date (YYYY-MM-DD) of a date, datetime or ISO string; aware times count in UTC."""
    parsed = _as_date_or_datetime(value)
    if isinstance(parsed, datetime):
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC)
        parsed = parsed.date()
    return parsed.isoformat()


def days_between(start: object, end: object) -> int:
    """Return the number of calendar days from `start` to `end` (negative if `end` is earlier)."""
    return (date.fromisoformat(parse_date(end)) - date.fromisoformat(parse_date(start))).days


def make_helpers(clock: Clock) -> dict[str, Callable]:
    """Return the whitelisted functions, with today() and now() reading `clock`."""

    def today() -> str:
        """Return today's date (UTC) on the clock as YYYY-MM-DD."""
        return clock().astimezone(UTC).date().isoformat()

    def now() -> str:
        """Return the clock's time as an ISO 8601 UTC string."""
        return clock().astimezone(UTC).isoformat()

    return {
        "add_days": add_days,
        "add_working_days": add_working_days,
        "days_between": days_between,
        "parse_date": parse_date,
        "today": today,
        "now": now,
        "len": len,
        "min": min,
        "max": max,
        "abs": abs,
        "round": round,
        "str": str,
        "int": int,
        "float": float,
        "bool": bool,
        "sum": sum,
        "any": any,
        "all": all,
    }


HELPER_NAMES = frozenset(make_helpers(utc_now))
