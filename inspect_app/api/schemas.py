"""Reading API requests: JSON bodies, paging, validating a body into its schema; and the error answer's shape.

The payloads themselves are described with their features (tasks/, cases/, inspections/, evidence/, par/)."""

import json
from collections.abc import Sequence
from typing import Any, TypeVar

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import ColumnElement, Select

from inspect_app.core.exceptions import InvalidInput, ServiceError
from inspect_app.core.keyset import MAX_PER_PAGE, CursorQuery, Page, decode_keys, keyset_page
from inspect_app.core.schemas import errors_by_field, field_name

M = TypeVar("M", bound=BaseModel)


class BadRequest(InvalidInput):
    """The request itself is malformed (not the answers in it)."""

    status_code = 400


class UnsupportedMediaType(ServiceError):
    """A POST whose body is not JSON; this also keeps cross-site HTML form posts out, as the API has no CSRF token."""

    status_code = 415


def json_body() -> dict:
    """The request's JSON object (an empty body is an empty object); 415 if it is not JSON, 400 if it is malformed."""
    if not request.is_json:
        raise UnsupportedMediaType(_("Send the request body as JSON, with the header Content-Type: application/json."))
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise BadRequest(_("The request body is not valid JSON."), {}) from None
    if not isinstance(data, dict):
        raise BadRequest(_("The request body must be a JSON object."), {})
    return data


def query(model: type[M]) -> M:
    """The query string validated into `model`; 400 naming each bad parameter."""
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise BadRequest(_("Some query parameters are not valid."), errors_by_field(error, field_name)) from None


def page_size(asked: CursorQuery) -> int:
    """The rows a page holds: as many as asked, up to the most a page may hold; the server's size when not asked."""
    return min(asked.per_page or current_app.config["PAGE_SIZE"], MAX_PER_PAGE)


def cursor_page(rows: Select, keys: Sequence[ColumnElement], asked: CursorQuery) -> Page:
    """The page of `rows` (in the order of `keys`) after the asked cursor, or the first; 422 naming a cursor that is
    well formed but not one this list gives (its keys do not decode as `keys`)."""
    after = decode_keys(asked.cursor, keys)
    if asked.cursor is not None and after is None:
        raise InvalidInput(
            _("Some query parameters are not valid."), {"cursor": [_("Not a cursor this list gave; start again.")]}
        )
    return keyset_page(rows, keys, size=page_size(asked), after=after)


def answer(model: BaseModel, status: int = 200):
    """A JSON answer from a response model."""
    return jsonify(model.model_dump(mode="json")), status


class Error(BaseModel):
    """Every refusal and failure of the API."""

    error: str = Field(description="The HTTP status name, e.g. Conflict")
    message: str = Field(description="What went wrong, in the user's language")
    errors: dict[str, list[str]] = Field(
        default_factory=dict, description="Messages for each field (or query parameter) that was refused"
    )
    existing: dict[str, Any] | None = Field(
        None,
        description="With a 409 for a client_id sent before for something else of the same case: what it made, as "
        "its own answer shows it (absent when it was another case's)",
    )
