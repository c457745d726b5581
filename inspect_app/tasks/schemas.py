"""Step inputs: what a user answers to complete a BPMN user task, as pydantic models on the shared `Schema`.

A step's input is validated the same way whichever door it comes through (the HTML form or the API's JSON), and its
JSON schema, written in the user's language when it is generated, describes the step's fields to API clients."""

from collections.abc import Mapping
from copy import deepcopy
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Any, Self

from flask_babel import get_locale
from flask_babel import gettext as _
from pydantic import AfterValidator, Field
from pydantic_core import PydanticUndefined

from inspect_app.core.clock import from_local_input
from inspect_app.core.schemas import Schema, problem, raise_problems, without_null

# How API clients are told to show each field (the `type` of a field description).
FIELD_TYPES = ("string", "text", "choice", "boolean", "date", "datetime", "integer", "number")
_MULTILINE = "x-multiline"


class StepInput(Schema):
    """What completing one kind of user task takes; the whole input is kept as the task's submission."""

    @classmethod
    def model_for(cls, task) -> type[Self]:
        """The input model for `task`; steps whose fields depend on the case (one verdict per finding) override it."""
        return cls

    @classmethod
    def model_for_submission(cls, task, submission: dict) -> type[Self]:
        """The model whose fields label a stored submission of `task` (the input model, unless the fields it had
        when the task was completed can no longer be made from the case, like verification's)."""
        return cls.model_for(task)

    def require(self, *names: str, message: str | None = None) -> None:
        """Refuse the input, naming each of `names` left empty (for fields that some answers make required)."""
        empty = [name for name in names if getattr(self, name) in (None, "")]
        raise_problems([problem((name,), message or _("required")) for name in empty], type(self).__name__)


def answer(
    title,
    default: Any = PydanticUndefined,
    *,
    choices: Mapping[str, Any] | None = None,
    multiline: bool = False,
    **constraints,
) -> Any:
    """A field of a step input: its label (and its choices' labels) are put into the JSON schema in the user's
    language each time the schema is generated. Without a default, the field is required."""

    def in_user_language(schema: dict) -> None:
        schema["title"] = str(title)
        if multiline:
            schema[_MULTILINE] = True
        if choices is not None:
            # A choice of one value (a team of one) is a `const`, not an `enum`.
            values = next(part for part in (schema, *schema.get("anyOf", ())) if "enum" in part or "const" in part)
            options = values.pop("enum", None) or [values.pop("const")]
            values["oneOf"] = [{"const": value, "title": str(choices[value])} for value in options]

    return Field(default, json_schema_extra=in_user_language, **constraints)


def _must_be_ticked(value: bool) -> bool:
    if not value:
        raise ValueError(_("required"))
    return value


def _as_utc(moment: datetime) -> datetime:
    return from_local_input(moment) if moment.tzinfo is None else moment.astimezone(UTC)


Confirmed = Annotated[bool, AfterValidator(_must_be_ticked)]
"""A box the user must tick to complete the step."""

LocalDateTime = Annotated[datetime, AfterValidator(_as_utc)]
"""A date and time; without a UTC offset it is read in the user's time zone (as a datetime-local input sends it)."""


# --- the fields as API clients see them ---------------------------------------------------------------------------


def describe(model: type[StepInput]) -> list[dict]:
    """The model's fields from its JSON schema: name, type, label, required and (for choices) choices."""
    return deepcopy(_described(model, str(get_locale())))


@lru_cache(maxsize=256)
def _described(model: type[StepInput], locale: str) -> list[dict]:
    # Making a JSON schema takes milliseconds, and every task in every API answer is described: keep each model's
    # description per language (models made per task, like verification's, fall out of the cache as they come).
    schema = model.model_json_schema()
    required = set(schema.get("required", ()))
    return [_field(name, prop, name in required) for name, prop in schema["properties"].items()]


def _field(name: str, prop: dict, required: bool) -> dict:
    value = without_null(prop)
    entry = {"name": name, "type": _field_type(value), "label": prop.get("title", name), "required": required}
    if "oneOf" in value or "enum" in value:
        options = value.get("oneOf") or [{"const": option} for option in value["enum"]]
        entry["choices"] = [{"value": o["const"], "label": o.get("title", str(o["const"]))} for o in options]
    return entry


_FORMATS = {"date": "date", "date-time": "datetime"}


def _field_type(value: dict) -> str:
    if "oneOf" in value or "enum" in value:
        return "choice"
    kind = value.get("type")
    if kind == "string":
        return _FORMATS.get(value.get("format"), "text" if value.get(_MULTILINE) else "string")
    return kind if kind in ("boolean", "integer", "number") else "string"
