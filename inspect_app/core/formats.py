"""Numbers, dates and times as the reader writes them, the same way on every page, message and export.

One format per context: a moment (an event, a submission) is a time and a date in the reader's time zone; a calendar
date (a finding's deadline, a decision date) is a date; a deadline is a date whichever way it is stored, because a
deadline that ends at midnight (a remediation task's "due at 00:00 on the 30th") is the day before it ("the 29th").
Vietnamese writes dates day first with four-digit years (30/12/2026) and numbers with a decimal comma (8,5)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask_babel import format_date, format_datetime, format_decimal, get_locale, get_timezone

# Per language: a calendar date, and a moment to the minute (short) or the second (medium). Languages not listed use
# their CLDR formats.
_PATTERNS = {
    "vi": {"date": "dd/MM/yyyy", "short": "HH:mm dd/MM/yyyy", "medium": "HH:mm:ss dd/MM/yyyy"},
}
_CLDR = {"date": "medium", "short": "short", "medium": "medium"}


def _pattern(kind: str) -> str:
    locale = get_locale()
    return _PATTERNS.get(locale.language if locale else "", _CLDR).get(kind, _CLDR.get(kind, kind))


def local_time(value: datetime | None, fmt: str = "short") -> str:
    """An aware UTC moment in the reader's time zone and language: 14:05 30/12/2026."""
    return "" if value is None else format_datetime(value, _pattern(fmt))


def calendar_date(value: date | None, fmt: str = "date") -> str:
    """A calendar date (a deadline, a decision date) in the reader's language: 30/12/2026."""
    return "" if value is None else format_date(value, _pattern(fmt))


def deadline(value: date | datetime | None) -> str:
    """A deadline, stored as a date or as the moment it passes: a moment at midnight in the reader's zone ends the
    day before, which is the day the reader must meet it by; any other moment keeps its time."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return calendar_date(value)
    local = value.astimezone(get_timezone())
    if local.time() == time.min:
        return calendar_date(local.date() - timedelta(days=1))
    return local_time(value)


def number(value: Decimal | float | int | None, places: int | None = None) -> str:
    """A number as the reader writes it (8,5 in Vietnamese; 1.234,5 with thousands); `places` fixes the decimals,
    otherwise up to two are shown."""
    if value is None:
        return ""
    pattern = "#,##0." + "0" * places if places else "#,##0" if places == 0 else "#,##0.##"
    return format_decimal(value, pattern)
