"""errors_by_field: every validation error as {field: [messages]}, named as the payload's reader names it, in the
user's language."""

from decimal import Decimal
from enum import Enum
from typing import Annotated, Literal

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from pydantic import BaseModel, Field, ValidationError, field_validator

from inspect_app.core.exceptions import InvalidInput
from inspect_app.core.schemas import Code, FileDocument, Schema, errors_by_field, problem_lines
from inspect_app.criteria import services as criteria_services


class Colour(Enum):
    RED = "red"
    GREEN = "green"


class Item(Schema):
    code: Annotated[Code, Field(max_length=4)]
    weight: Decimal = Field(Decimal(1), ge=0, le=10)


class Body(Schema):
    """A request body, as the JSON API will validate it."""

    title: str = Field(max_length=10)
    kind: Literal["inspection"] = "inspection"
    colour: Colour = Colour.RED
    count: int = 0
    done: bool = False
    items: list[Item] = []
    note: str = ""

    @field_validator("note")
    @classmethod
    def _no_shouting(cls, note: str) -> str:
        if note.isupper():
            raise ValueError(_("Write the note in ordinary letters."))
        return note


def errors(model: type[BaseModel], data, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return errors_by_field(caught.value, **kwargs)


BAD_BODY = {
    "title": "  a title that is too long  ",
    "kind": "finding",
    "colour": "blue",
    "count": "many",
    "done": "perhaps",
    "items": [{"code": "A1", "weight": 11}, {"code": "A 1", "weight": -1}, {"weight": "x"}, "A4"],
    "note": "LOUD",
    "extra": 1,
}


def test_a_request_bodys_errors_are_under_its_plain_field_names_in_english(app):
    with force_locale("en"):
        assert errors(Body, BAD_BODY) == {
            "title": ["longer than 10 characters"],
            "kind": ["expected “inspection”"],
            "colour": ["use one of: red, green"],
            "count": ["must be a whole number"],
            "done": ["must be true or false"],
            "items.0.weight": ["must be at most 10"],
            "items.1.code": ["use only letters, digits, “.”, “-” and “_”, starting with a letter or digit"],
            "items.1.weight": ["must not be negative"],
            "items.2.code": ["required"],
            "items.2.weight": ["must be a number"],
            "items.3": ["must be an object"],
            "note": ["Write the note in ordinary letters."],
            "extra": ["unknown field"],
        }


def test_the_same_errors_in_vietnamese(app):
    with force_locale("vi"):
        found = errors(Body, BAD_BODY)

    assert found["title"] == ["dài quá 10 ký tự"]
    assert found["colour"] == ["dùng một trong: red, green"]
    assert found["items.0.weight"] == ["không được quá 10"]
    assert found["items.1.weight"] == ["không được âm"]
    assert found["items.2.code"] == ["bắt buộc"]
    assert found["extra"] == ["trường không xác định"]
    assert found["count"] == ["phải là số nguyên"]


def test_text_is_stripped_and_a_body_that_is_not_an_object_is_named_by_no_field(app):
    assert Body.model_validate({"title": "  Kiểm tra  "}).title == "Kiểm tra"
    with force_locale("en"):
        assert errors(Body, ["not", "an", "object"]) == {"": ["must be an object"]}
        assert problem_lines(errors(Body, ["x"])) == ["must be an object"]


def test_a_file_document_counts_a_blank_value_as_not_given(app):
    class Row(FileDocument):
        name: str
        note: str = "none"

    assert Row.model_validate({"name": "A", "note": None}).note == "none"
    with force_locale("en"):
        assert errors(Row, {"name": "   "}) == {"name": ["required"]}
        assert errors(Row, "A") == {"": ["must be an object"]}


def test_a_naming_function_writes_the_field_as_the_import_page_shows_it(app):
    def name(loc):
        return f"Item {loc[1] + 1}, {loc[2]}" if loc[0] == "items" else f"Body, {loc[0]}"

    with force_locale("en"):
        lines = problem_lines(errors(Body, {"items": [{"code": "A1"}, {"code": ""}]}, name=name))

    assert lines == ["Body, title: required", "Item 2, code: required"]


def criteria_problems(document: dict) -> list[str]:
    with pytest.raises(InvalidInput) as refused:
        criteria_services.parse_document(document)
    return refused.value.errors["criteria"]


def criteria_document(**changes) -> dict:
    sub = {"code": "1.1.1", "kind": "sub", "name": "Ban hành", "max_points": 10}
    criterion = {"code": "1.1", "kind": "criterion", "name": "Kế hoạch", "max_points": 10, "children": [sub]}
    field = {"code": "1", "kind": "field", "name": "Chỉ đạo", "max_points": 10, "children": [criterion]}
    document = {"code": "mau", "name": "Bộ mẫu", "year": 2026, "level": "district", "criteria": [field]}
    sub.update(changes)
    return document


def test_an_import_names_the_node_by_its_code_then_the_field_in_either_language(app):
    document = criteria_document(max_points=-10, name=None)

    with force_locale("en"):
        assert criteria_problems(document) == ["1.1.1: name: required", "1.1.1: max_points: must not be negative"]
    with force_locale("vi"):
        assert criteria_problems(document) == ["1.1.1: name: bắt buộc", "1.1.1: max_points: không được âm"]


def test_a_node_without_a_code_is_named_by_its_place(app):
    with force_locale("en"):
        assert criteria_problems(criteria_document(code=None)) == ["item 1 under 1.1: code: required"]
    with force_locale("vi"):
        [problem] = criteria_problems(criteria_document(code=None))
    assert problem.endswith(": code: bắt buộc") and "1.1" in problem
