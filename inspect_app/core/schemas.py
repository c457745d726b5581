"""The shared base of every schema (API payloads, step inputs, import documents) and the one translation of
pydantic's validation errors into `{field: [messages]}` in the user's language.

PROVISIONAL copy on branch wip-api: the shared version is being written on wip-imports and replaces this file."""

from typing import Annotated

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError


class Schema(BaseModel):
    """A payload that crosses the boundary: unknown fields are refused, text is trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


def _message(error: dict) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("This form has no such field.")
    if kind in ("string_type", "string_sub_type"):
        return _("Send text.")
    if kind in ("bool_type", "bool_parsing"):
        return _("Send true or false.")
    if kind in ("list_type", "tuple_type"):
        return _("Send a list.")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _("Give a whole number.")
    if kind in ("float_type", "float_parsing", "finite_number"):
        return _("Give a number.")
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"):
        return _("Give a date as YYYY-MM-DD.")
    if kind in ("datetime_type", "datetime_parsing", "datetime_from_date_parsing"):
        return _("Give a date and time in ISO 8601.")
    if kind == "string_too_long":
        return _("Use at most %(count)d characters.", count=ctx["max_length"])
    if kind == "too_short":
        return _("Give at least %(count)d.", count=ctx["min_length"])
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return _("This number is out of range.")
    if kind in ("enum", "literal_error"):
        return _("Choose one of: %(choices)s.", choices=ctx.get("expected", ""))
    if kind == "string_pattern_mismatch":
        return _("This value does not have the expected form.")
    if kind == "model_type" or kind == "dict_type":
        return _("Send an object.")
    # Our own validators raise PydanticCustomError with a message already in the user's language.
    return error["msg"]


def errors_by_field(error: ValidationError) -> dict[str, list[str]]:
    """Each refused field's messages, in the user's language (an element of a list counts for its list)."""
    errors: dict[str, list[str]] = {}
    for problem in error.errors(include_url=False):
        location = problem["loc"]
        name = str(location[0]) if location else "__root__"
        message = _message(problem)
        if message not in errors.setdefault(name, []):
            errors[name].append(message)
    return errors
