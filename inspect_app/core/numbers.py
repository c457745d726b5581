"""Numbers as people type them: `8,5` (the Vietnamese decimal comma) and `8.5` alike, and nothing else.

One reader for every score or points input, in a page's form field (`DecimalText`), in a JSON body or an imported
file (`PlainDecimal`, a pydantic type). A plain number is an optional sign, digits, and at most one decimal mark;
a thousands separator, an exponent (`1e0`), `NaN`, `Infinity` or digits of another script are refused: a person
scoring does not write them, and a comma that could be either mark is ambiguous."""

import re
from decimal import Decimal
from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError
from wtforms import StringField

PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")


class NotAPlainNumber(ValueError):
    """The text is not a plain number; the message says how to write one."""


def not_a_number_message() -> str:
    return _("Write a plain number, such as 8,5 or 8.5.")


def parse_decimal(text: str) -> Decimal:
    """`text` as a number: "8,5", "8.5", "-0,25", " 7 "; NotAPlainNumber for anything else ("abc", "1e0", "1.000,5")."""
    stripped = text.strip()
    if not PLAIN_NUMBER.fullmatch(stripped):
        raise NotAPlainNumber(not_a_number_message())
    return Decimal(stripped.replace(",", "."))


def _plain_decimal(value: Any) -> Decimal:
    """A JSON number, or text holding a plain number; PydanticCustomError otherwise."""
    if isinstance(value, bool):
        raise PydanticCustomError("plain_number", not_a_number_message())
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise PydanticCustomError("plain_number", not_a_number_message())
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise PydanticCustomError("plain_number", not_a_number_message())
        return value
    if isinstance(value, str):
        try:
            return parse_decimal(value)
        except NotAPlainNumber as problem:
            raise PydanticCustomError("plain_number", str(problem)) from None
    raise PydanticCustomError("plain_number", not_a_number_message())


PlainDecimal = Annotated[Decimal, BeforeValidator(_plain_decimal)]
"""A number in a JSON body or a file: a JSON number, or text such as "8,5" or "8.5" (never "1e0")."""


class DecimalText(StringField):
    """A text input for a number (`inputmode="decimal"`), read with `parse_decimal`: `data` is a Decimal or None
    (left empty). The typed text stays in the input when the form is shown again with an error."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {}).setdefault("inputmode", "decimal")
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            self.data = parse_decimal(valuelist[0])
        except NotAPlainNumber as problem:
            raise ValueError(str(problem)) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:f}"
