"""The schema layer's shared parts: base models, shared types, and errors as `{field: [messages]}` for the user.

Every payload that crosses the boundary (an import document, a request body) is a pydantic model on `Schema`. A
validation error becomes the app's `{field: [messages]}` through `errors_by_field` and nothing else: pydantic's own
error types are worded here through Flask-Babel, with their context (`le`, `max_length` ...); a custom validator
raises a message that is already translated (a ValueError or a PydanticCustomError)."""

import re
import typing
from collections.abc import Callable, Iterable
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, ClassVar, TypeVar

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError
from pydantic_core.core_schema import ErrorType

from inspect_app.core.exceptions import InvalidInput

Loc = tuple[str | int, ...]

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class FileUnreadable(Exception):
    """An uploaded file cannot be read as its document at all; `problems` say why."""

    def __init__(self, *problems: str):
        super().__init__(*problems)
        self.problems = list(problems)


# --- base models --------------------------------------------------------------------------------------------------


class Schema(BaseModel):
    """A payload crossing the boundary: unknown fields are refused, text is stripped of surrounding blanks."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class FileDocument(Schema):
    """A mapping read from an uploaded file: a blank value (an empty cell, `key:` in YAML, null) means "not given"."""

    not_a_mapping: ClassVar[str] = _l("must be an object")

    @model_validator(mode="before")
    @classmethod
    def _blank_is_not_given(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise PydanticCustomError("not_a_mapping", str(cls.not_a_mapping))
        return {key: value for key, value in data.items() if not _is_blank(value)}


# --- shared types -------------------------------------------------------------------------------------------------


def code_message() -> str:
    return _("use only letters, digits, “.”, “-” and “_”, starting with a letter or digit")


NOT_BLANK = r"\S"
"""What text that must say something matches: a character other than a blank (the server strips blanks first)."""

NotBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, pattern=NOT_BLANK)]
"""Required text: blanks alone are "required", as an empty string is; the schema says so with its pattern."""

Code = Annotated[str, StringConstraints(min_length=1, pattern=CODE_PATTERN)]
"""A code as people type it into files and forms: letters, digits, ".", "-" and "_"; give its length with Field."""


def without_null(schema: dict) -> dict:
    """The JSON schema of an optional field's value: `X | None` (anyOf X, null; null by default) becomes X, merged
    with the field's own keys (title, description)."""
    kinds = [kind for kind in schema.get("anyOf", ()) if kind.get("type") != "null"]
    if len(kinds) != 1:
        return schema
    own = {key: value for key, value in schema.items() if key != "anyOf" and not (key == "default" and value is None)}
    return {**own, **kinds[0]}


def one_of(choices: Iterable[Enum], unknown: Callable[[Any, str], str]) -> BeforeValidator:
    """Accept only the values of `choices`; `unknown(value, "a, b, c")` words the refusal of anything else."""
    by_value = {choice.value: choice for choice in choices}

    def check(value: Any) -> Enum:
        choice = next((choice for known, choice in by_value.items() if known == value), None)
        if choice is None:
            raise PydanticCustomError("unknown_choice", unknown(value, ", ".join(by_value)))
        return choice

    return BeforeValidator(check)


# --- errors in the user's language --------------------------------------------------------------------------------

_BUILT_IN = set(typing.get_args(ErrorType))
_MESSAGES = {
    "missing": _l("required"),
    "extra_forbidden": _l("unknown field"),
    "string_type": _l("must be text"),
    "string_too_short": _l("at least %(min_length)s characters"),
    "string_too_long": _l("longer than %(max_length)s characters"),
    "string_pattern_mismatch": _l("not in the expected form"),
    "greater_than": _l("must be more than %(gt)s"),
    "greater_than_equal": _l("must be at least %(ge)s"),
    "less_than": _l("must be less than %(lt)s"),
    "less_than_equal": _l("must be at most %(le)s"),
    "int_type": _l("must be a whole number"),
    "int_parsing": _l("must be a whole number"),
    "int_from_float": _l("must be a whole number"),
    "float_type": _l("must be a number"),
    "float_parsing": _l("must be a number"),
    "decimal_type": _l("must be a number"),
    "decimal_parsing": _l("must be a number"),
    "decimal_max_places": _l("at most %(decimal_places)s decimals"),
    "decimal_max_digits": _l("at most %(max_digits)s digits"),
    "bool_type": _l("must be true or false"),
    "bool_parsing": _l("must be true or false"),
    "date_type": _l("must be a date, such as 2026-12-31"),
    "date_parsing": _l("must be a date, such as 2026-12-31"),
    "date_from_datetime_parsing": _l("must be a date, such as 2026-12-31"),
    "date_from_datetime_inexact": _l("must be a date, such as 2026-12-31"),
    "datetime_type": _l("must be a date and time, such as 2026-12-31T09:30:00+07:00"),
    "datetime_parsing": _l("must be a date and time, such as 2026-12-31T09:30:00+07:00"),
    "datetime_from_date_parsing": _l("must be a date and time, such as 2026-12-31T09:30:00+07:00"),
    "list_type": _l("must be a list"),
    "dict_type": _l("must be an object"),
    "model_type": _l("must be an object"),
    "model_attributes_type": _l("must be an object"),
    "too_short": _l("at least %(min_length)s items"),
    "too_long": _l("at most %(max_length)s items"),
}


def _choice_message(expected: str) -> str:
    """The message of a literal or enum error, from the values pydantic lists in it ("'a', 'b' or 'c'")."""
    choices = re.findall(r"'((?:[^'\\]|\\.)*)'", expected)
    if len(choices) == 1:
        return _("expected “%(value)s”", value=choices[0])
    return _("use one of: %(choices)s", choices=", ".join(choices))


def _context_text(value: Any) -> str:
    """A limit named in a message, as the reader writes numbers (4,5 in Vietnamese)."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return format_decimal(value)
    return str(value)


def message(detail: ErrorDetails) -> str:
    """One error's message in the user's language."""
    kind, context = detail["type"], detail.get("ctx") or {}
    if kind in ("value_error", "assertion_error"):
        return str(context.get("error", ""))
    if kind in ("literal_error", "enum"):
        return _choice_message(str(context.get("expected", "")))
    if kind == "string_pattern_mismatch" and context.get("pattern") == CODE_PATTERN:
        return code_message()
    if kind == "string_too_short" and context.get("min_length") == 1:
        return _("required")
    if kind == "greater_than_equal" and context.get("ge") == 0:
        return _("must not be negative")
    if kind in _MESSAGES:
        return str(_MESSAGES[kind]) % {name: _context_text(value) for name, value in context.items()}
    if kind in _BUILT_IN:
        return _("not valid")
    return detail["msg"]  # a custom validator's message, translated when it was raised


def dotted(loc: Loc) -> str:
    """A location as a request body's field name: "title", or "items.0.code" inside lists and objects."""
    return ".".join(str(part) for part in loc)


def errors_by_field(error: ValidationError, name: Callable[[Loc], str] = dotted) -> dict[str, list[str]]:
    """The errors as {field: [messages]} in the user's language; `name` writes each error's location as its field.

    Fields keep the order of their first error; an error that is about no field in particular is under ""."""
    errors: dict[str, list[str]] = {}
    for detail in error.errors(include_url=False):
        messages = errors.setdefault(name(detail["loc"]), [])
        text = message(detail)
        if text not in messages:
            messages.append(text)
    return errors


def problem_lines(errors: dict[str, list[str]]) -> list[str]:
    """Each message as one line "<field>: <message>", as the import pages list a refused file's problems."""
    return [f"{field}: {text}" if field else text for field, messages in errors.items() for text in messages]


# --- validators that find several problems at once ----------------------------------------------------------------


def problem(loc: Loc, text: str) -> InitErrorDetails:
    """An error at `loc` (inside what is being validated) whose message is already in the user's language."""
    return InitErrorDetails(type=PydanticCustomError("problem", text), loc=loc, input=None)


def details(error: ValidationError) -> list[InitErrorDetails]:
    """The errors of `error`, to raise again together with more (`raise_problems`); types and contexts are kept."""
    return [
        InitErrorDetails(
            type=PydanticCustomError(detail["type"], detail["msg"], detail.get("ctx")),
            loc=detail["loc"],
            input=detail["input"],
        )
        for detail in error.errors(include_url=False)
    ]


def raise_problems(found: list[InitErrorDetails], title: str = "document") -> None:
    """Raise `found` as one ValidationError (inside a validator: at its place in the document); nothing if empty."""
    if found:
        raise ValidationError.from_exception_data(title, found)


def field_rank(model: type[BaseModel]) -> Callable[[Loc], int]:
    """Where a location's field stands among `model`'s fields as declared (the model itself first, unknown last)."""
    order = {name: rank for rank, name in enumerate(model.model_fields)}
    return lambda loc: order.get(loc[0], len(order)) if loc else -1


M = TypeVar("M", bound=BaseModel)


def field_name(loc: Loc) -> str:
    """An error's field in a request body or form: its top-level field (an element of a list counts for its list)."""
    return str(loc[0]) if loc else ""


def parse(model: type[M], data, **context) -> M:
    """`data` validated into `model` (the context tells its validators what they need); 422 naming each field."""
    try:
        return model.model_validate(data, context=context or None)
    except ValidationError as error:
        raise InvalidInput(_("Some answers need attention."), errors_by_field(error, field_name)) from None
