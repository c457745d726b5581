"""Template filters and globals: times, dates and numbers as the reader writes them, labels for enums, and the
process's names in the reader's language."""

from flask import Flask
from flask_babel import get_locale

from inspect_app.access.roles import may_search_history
from inspect_app.core import names
from inspect_app.core.formats import calendar_date, deadline, local_time, number
from inspect_app.core.labels import CONTENT_AREA_LABELS, LANE_LABELS, label
from inspect_app.main.forms import LANGUAGE_CHOICES, LanguageForm
from inspect_app.models import Role


def register(app: Flask) -> None:
    """Add the filters and globals every template may use."""
    # One format per context (core/formats.py): a moment, a calendar date, a deadline, a number.
    app.add_template_filter(local_time)
    app.add_template_filter(calendar_date, "format_date")
    app.add_template_filter(deadline)
    app.add_template_filter(number)
    app.add_template_filter(label)
    app.add_template_filter(lambda value: label(value, LANE_LABELS), "lane_label")
    app.add_template_filter(lambda value: label(value, CONTENT_AREA_LABELS), "area_label")
    # Process names (tasks, lanes, the process, any element) come from the case's own version: core/names.py.
    app.add_template_filter(names.task_title, "task_title")
    app.add_template_filter(names.task_lane, "task_lane")
    app.add_template_filter(names.display_name, "process_name")
    app.add_template_global(names.display_name, "element_name")

    @app.context_processor
    def globals_for_templates():
        return {
            "current_locale": str(get_locale()),
            "language_choices": LANGUAGE_CHOICES,
            "language_form": LanguageForm,
            "Role": Role,
            "may_search_history": may_search_history,
        }
