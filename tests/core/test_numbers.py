"""One reader for numbers people type: `8,5` and `8.5` alike, in a page's field and in a JSON body; anything that is
not a plain number (`abc`, `1e0`, `1.000,5`, `NaN`) is refused with the same message."""

import re
from decimal import Decimal as D

import pytest
from flask_wtf import FlaskForm
from pydantic import BaseModel, ValidationError
from werkzeug.datastructures import MultiDict

from inspect_app.core.numbers import DecimalText, NotAPlainNumber, PlainDecimal, parse_decimal

# In the default language, Vietnamese.
MESSAGE = "Hãy nhập một số, ví dụ 8,5 hoặc 8.5."
PLAIN = [("8,5", D("8.5")), ("8.5", D("8.5")), (" 7 ", D(7)), ("-0,25", D("-0.25")), ("+3", D(3)), (",5", D("0.5"))]
NOT_PLAIN = ["abc", "1e0", "1E2", "1.000,5", "1,000.5", "8,5,1", "NaN", "Infinity", "", " ", "٣", "8 5", "0x10"]


@pytest.mark.parametrize(("text", "number"), PLAIN)
def test_a_decimal_comma_and_a_decimal_point_read_the_same(text, number):
    assert parse_decimal(text) == number


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_anything_else_is_not_a_plain_number(app, text):
    with app.test_request_context(), pytest.raises(NotAPlainNumber, match=re.escape(MESSAGE)):
        parse_decimal(text)


class Body(BaseModel):
    points: PlainDecimal


@pytest.mark.parametrize(("value", "number"), [("8,5", D("8.5")), ("8.5", D("8.5")), (8.5, D("8.5")), (8, D(8))])
def test_a_json_body_takes_numbers_and_plain_text_alike(app, value, number):
    with app.test_request_context():
        assert Body(points=value).points == number


@pytest.mark.parametrize("value", ["1e0", "abc", True, None, float("nan"), [8]])
def test_a_json_body_refuses_anything_else(app, value):
    with app.test_request_context(), pytest.raises(ValidationError) as refused:
        Body(points=value)
    [error] = refused.value.errors()
    assert error["loc"] == ("points",) and error["msg"] == MESSAGE


class ScoreForm(FlaskForm):
    points = DecimalText("Score")


def form_with(app, typed: str) -> ScoreForm:
    with app.test_request_context(method="POST"):
        form = ScoreForm(formdata=MultiDict({"points": typed}), meta={"csrf": False})
        form.validate()
        return form


def test_a_page_field_reads_8_5_either_way_and_keeps_what_was_typed(app):
    for typed in ("8,5", "8.5"):
        form = form_with(app, typed)
        assert form.points.data == D("8.5") and not form.points.errors
        assert form.points._value() == typed, "the input shows what the user typed"


def test_a_page_field_refuses_1e0_at_the_field_keeping_the_text(app):
    form = form_with(app, "1e0")
    assert form.points.data is None
    assert form.points.errors == [MESSAGE]
    assert form.points._value() == "1e0"
    assert 'inputmode="decimal"' in str(form.points())


def test_an_empty_page_field_is_no_number(app):
    form = form_with(app, "  ")
    assert form.points.data is None and not form.points.errors
