"""A line of the survey CSV file (see par/io.py), and how problems name a line and its column."""

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import AfterValidator, BeforeValidator, model_validator
from pydantic_core import PydanticCustomError

from inspect_app.core.numbers import NotAPlainNumber, parse_decimal
from inspect_app.core.schemas import Loc, Schema

HEADER = ("unit_code", "component", "score")
MAX_COMPONENT_LENGTH = 100
CENTS = Decimal("0.01")


def line_name(line: int, column: str | None = None) -> str:
    """How problems name a line of the file, or one of its columns: "Line 4, column score"."""
    if column is None:
        return _("Line %(line)d", line=line)
    return _("Line %(line)d, column %(column)s", line=line, column=column)


def problem_names(line: int) -> Callable[[Loc], str]:
    """How problems name an error's location in the row of `line`: "Line 2, column score", or "Line 2"."""
    return lambda loc: line_name(line, str(loc[0]) if loc else None)


def _unit_code(code: str) -> str:
    if not code:
        raise PydanticCustomError("empty", _("the unit code is empty."))
    return code


def _component(component: str) -> str:
    if not component:
        raise PydanticCustomError("empty", _("the component is empty."))
    if len(component) > MAX_COMPONENT_LENGTH:
        raise PydanticCustomError("too_long", _("at most %(count)d characters.", count=MAX_COMPONENT_LENGTH))
    return component


def _score(text: str) -> Decimal:
    """A score as spreadsheets write it in a Vietnamese locale too (18,5), a plain number (core/numbers.py): at least
    0, at most two decimals."""
    try:
        value = parse_decimal(text)
    except NotAPlainNumber:
        raise PydanticCustomError(
            "score", _("%(value)s is not a number.", value=text.strip() or _("(empty)"))
        ) from None
    if value < 0:
        raise PydanticCustomError("score", _("the score cannot be negative."))
    if value != value.quantize(CENTS):
        raise PydanticCustomError("score", _("use at most two decimals."))
    return value.quantize(CENTS)


class SurveyRow(Schema):
    """One line of the file: a unit's score for one survey component (SIPAS, leaders and civil servants ...)."""

    line: int
    unit_code: Annotated[str, AfterValidator(_unit_code)]
    component: Annotated[str, AfterValidator(_component)]
    score: Annotated[Decimal, BeforeValidator(_score)]

    @model_validator(mode="before")
    @classmethod
    def _three_columns(cls, row: Any) -> Any:
        """The line as the file has it ({"line", "cells"}), its cells named by the header's columns."""
        cells = row["cells"]
        if len(cells) != len(HEADER):
            raise PydanticCustomError("columns", _("expected 3 columns, found %(count)d.", count=len(cells)))
        return {"line": row["line"], **dict(zip(HEADER, cells, strict=True))}
