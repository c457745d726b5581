"""One format per context: a deadline reads the same on a task and on its finding, numbers have a decimal comma in
Vietnamese, dates are day first."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask_babel import force_locale

from inspect_app.core.formats import calendar_date, deadline, local_time, number
from inspect_app.inspections.services import deadline_moment


def test_a_deadline_stored_as_the_moment_it_passes_reads_as_its_last_day(app):
    with force_locale("vi"):
        # A finding due on 29 December passes at midnight at the end of that day, in Hanoi: 17:00 UTC.
        moment = deadline_moment(date(2026, 12, 29))
        assert moment == datetime(2026, 12, 29, 17, 0, tzinfo=UTC)
        assert deadline(moment) == deadline(date(2026, 12, 29)) == "29/12/2026"
        assert local_time(moment) == "00:00 30/12/2026", "read as a moment, it is the start of the next day"


def test_a_deadline_at_another_time_keeps_its_time(app):
    with force_locale("vi"):
        assert deadline(datetime(2026, 12, 29, 9, 30, tzinfo=UTC)) == "16:30 29/12/2026"


def test_dates_and_moments_are_written_the_readers_way(app):
    with force_locale("vi"):
        assert calendar_date(date(2026, 3, 5)) == "05/03/2026"
    with force_locale("en"):
        assert calendar_date(date(2026, 3, 5)) == "Mar 5, 2026"


@pytest.mark.parametrize(
    ("value", "places", "vi", "en"),
    [
        (Decimal("8.5"), None, "8,5", "8.5"),
        (Decimal("8.50"), 2, "8,50", "8.50"),
        (Decimal("1234.25"), None, "1.234,25", "1,234.25"),
        (Decimal("10.00"), None, "10", "10"),
        (-0.5, 2, "-0,50", "-0.50"),
    ],
)
def test_numbers_have_a_decimal_comma_in_vietnamese(app, value, places, vi, en):
    with force_locale("vi"):
        assert number(value, places) == vi
    with force_locale("en"):
        assert number(value, places) == en
