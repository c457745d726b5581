"""Template filters and globals: times in the user's zone, labels for enums."""

from datetime import date, datetime

from flask import Flask
from flask_babel import format_date, format_datetime, get_locale

from inspect_app.access.roles import may_search_history
from inspect_app.core.labels import CONTENT_AREA_LABELS, LANE_LABELS, TASK_TITLES, label
from inspect_app.main.forms import LANGUAGE_CHOICES, LanguageForm
from inspect_app.models import Role


def local_time(value: datetime | None, fmt: str = "short") -> str:
    """An aware UTC datetime shown in the user's time zone and language."""
    return "" if value is None else format_datetime(value, fmt)


def calendar_date(value: date | None, fmt: str = "medium") -> str:
    """A calendar date (a deadline, a decision date) in the user's language."""
    return "" if value is None else format_date(value, fmt)


def register(app: Flask) -> None:
    """Add the filters and globals every template may use."""
    app.add_template_filter(local_time)
    app.add_template_filter(calendar_date, "format_date")
    app.add_template_filter(label)
    app.add_template_filter(lambda value: label(value, LANE_LABELS), "lane_label")
    app.add_template_filter(lambda value: label(value, CONTENT_AREA_LABELS), "area_label")
    app.add_template_filter(lambda task: label(task.title, TASK_TITLES), "task_title")

    @app.context_processor
    def globals_for_templates():
        return {
            "current_locale": str(get_locale()),
            "language_choices": LANGUAGE_CHOICES,
            "language_form": LanguageForm,
            "Role": Role,
            "may_search_history": may_search_history,
        }
