"""The expression rules and the helpers BPMN authors may call."""

from datetime import UTC, datetime

import pytest

from workflows import UnsafeExpression, check_expression
from workflows.expressions import SafeEnvironment
from workflows.helpers import add_days, add_working_days, days_between, parse_date

ALLOWED = [
    ("findings > 0 and not closed", "eval"),
    ('decision in ("close", "reinspect")', "eval"),
    ('answers["fire"]["score"] >= 3', "eval"),
    ("max(scores) - min(scores) if scores else 0", "eval"),
    ('add_working_days(visit_date, 5) < "2030-02-01"', "eval"),
    ('f"{site} {round(score, 1)}"', "eval"),
    ("total = sum(scores)\nif total > 10:\n    grade = 'high'\nelse:\n    grade = 'low'", "exec"),
    ('answers["fire"] = {"score": 2}\ncount += 1', "exec"),
]

REFUSED = [
    ("__import__('os')", "eval", "'__import__'"),
    ("().__class__.__mro__", "eval", "attribute access"),
    ("open('/etc/passwd')", "eval", "'open'"),
    ("eval('1')", "eval", "'eval'"),
    ("getattr(x, 'y')", "eval", "'getattr'"),
    ("globals()", "eval", "'globals'"),
    ("(lambda: 1)()", "eval", "lambda"),
    ("[x for x in items]", "eval", "comprehensions"),
    ("2 ** 100000000", "eval", "**"),
    ("import os", "exec", "imports"),
    ("from os import system", "exec", "imports"),
    ("while True:\n    pass", "exec", "loops"),
    ("_secret", "eval", "'_secret'"),
    ("today = 1", "exec", "helper function"),
    ("x.y = 1", "exec", "attribute access"),
    ("items[0]()", "eval", "calling"),
    ("x ==", "eval", "syntax error"),
    ("", "eval", "empty"),
]


@pytest.mark.parametrize(("source", "mode"), ALLOWED)
def test_ordinary_conditions_and_scripts_are_allowed(source, mode):
    assert check_expression(source, mode) == []


@pytest.mark.parametrize(("source", "mode", "reason"), REFUSED)
def test_dangerous_or_unsupported_code_is_refused_with_a_reason(source, mode, reason):
    problems = check_expression(source, mode)

    assert problems
    assert reason in " ".join(problems)


def test_the_environment_refuses_unsafe_code_before_running_it():
    environment = SafeEnvironment()

    with pytest.raises(UnsafeExpression, match="__import__"):
        environment.evaluate("__import__('os').system('true')", {})


def test_task_data_cannot_smuggle_builtins_back_in():
    environment = SafeEnvironment()

    with pytest.raises(NameError):
        environment.evaluate("x if sorted else 0", {"x": 1, "__builtins__": __builtins__})


def test_scripts_write_assigned_names_back_to_task_data_but_not_the_helpers():
    data = {"visit_date": "2030-01-10"}

    SafeEnvironment().execute("reply_due = add_working_days(visit_date, 5)", data)

    assert data == {"visit_date": "2030-01-10", "reply_due": "2030-01-17"}


def test_today_and_now_read_the_injected_clock():
    environment = SafeEnvironment(lambda: datetime(2030, 3, 1, 23, 30, tzinfo=UTC))

    assert environment.evaluate("today()", {}) == "2030-03-01"
    assert environment.evaluate("now()", {}) == "2030-03-01T23:30:00+00:00"
    assert environment.evaluate("add_days(today(), 30)", {}) == "2030-03-31"


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        ("2030-01-10", 5, "2030-01-17"),  # Thursday + 5 working days skips a weekend
        ("2030-01-11", 1, "2030-01-14"),  # Friday + 1 is Monday
        ("2030-01-12", 1, "2030-01-14"),  # Saturday + 1 is Monday
        ("2030-01-14", -1, "2030-01-11"),  # Monday - 1 is Friday
        ("2030-01-07", 10, "2030-01-21"),
        ("2030-01-07T09:00:00+00:00", 5, "2030-01-14T09:00:00+00:00"),
    ],
)
def test_add_working_days_counts_monday_to_friday(start, days, expected):
    assert add_working_days(start, days) == expected


def test_date_helpers_keep_iso_strings():
    assert add_days("2030-01-31", 1) == "2030-02-01"
    assert parse_date("2030-01-31T23:30:00-02:00") == "2030-02-01"
    assert days_between("2030-01-01", "2030-01-31") == 30
