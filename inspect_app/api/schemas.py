"""Reading API requests (JSON bodies, paging) and writing the JSON shapes that openapi.py documents."""

import json
import re
from datetime import UTC, datetime

from flask import current_app, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from inspect_app.exceptions import InvalidInput, ServiceError
from inspect_app.history import case_events, event_payload
from inspect_app.models import Case, HumanTask, User
from inspect_app.tasks.forms import FORMS, build_form, json_to_formdata

MAX_PER_PAGE = 100
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


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


def page_args() -> tuple[int, int]:
    """`page` (from 1) and `per_page` (capped at MAX_PER_PAGE) from the query string; 400 naming a bad one."""
    defaults = {"page": 1, "per_page": current_app.config["PAGE_SIZE"]}
    values, errors = {}, {}
    for name, default in defaults.items():
        raw = request.args.get(name, "").strip()
        if not raw:
            values[name] = default
        elif WHOLE_NUMBER.fullmatch(raw) and int(raw) >= 1:
            values[name] = int(raw)
        else:
            errors[name] = [_("Give a whole number of 1 or more.")]
    if errors:
        raise BadRequest(_("Some query parameters are not valid."), errors)
    return values["page"], min(values["per_page"], MAX_PER_PAGE)


def _is_plain(value) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def form_answers(data: dict, fields: list[dict]) -> MultiDict:
    """JSON answers as form data for the task's form; 422 naming each unknown field or value of the wrong kind."""
    known = {field["name"] for field in fields}
    errors = {}
    for name, value in data.items():
        if name not in known:
            errors[name] = [_("This form has no such field.")]
        elif not (_is_plain(value) or (isinstance(value, list) and all(_is_plain(item) for item in value))):
            errors[name] = [_("Send text, a number, true or false, or a list of these.")]
    if errors:
        raise InvalidInput(_("Some answers need attention."), errors)
    return json_to_formdata(data)


def iso(value: datetime | None) -> str | None:
    """An aware datetime as ISO 8601 in UTC with its offset (2026-11-28T08:30:00+00:00)."""
    return None if value is None else value.astimezone(UTC).isoformat()


def form_fields(task: HumanTask) -> list[dict]:
    """The fields of the task's form: name, type, label, required and (for choices) choices."""
    return build_form(task.form, None, task).describe() if task.form in FORMS else []


def task_json(task: HumanTask, user: User) -> dict:
    """An open task as the API shows it, with its form's fields."""
    return {
        "id": task.id,
        "case_reference": task.case.reference,
        "case_title": task.case.title,
        "bpmn_id": task.bpmn_id,
        "title": task.title,
        "lane": task.lane,
        "due_at": iso(task.due_at),
        "claimed_by": task.claimed_by.username if task.claimed_by else None,
        "can_complete": task.can_complete(user),
        "form": task.form,
        "fields": form_fields(task),
    }


def open_tasks(case: Case) -> list[HumanTask]:
    """The case's open tasks, in the order they were opened."""
    return case.open_tasks


def case_summary(case: Case) -> dict:
    """A case's reference and where it stands."""
    return {
        "reference": case.reference,
        "status": case.status.value,
        "workflow_status": case.workflow_status.value if case.workflow_status else None,
    }


def completed_json(task: HumanTask, user: User) -> dict:
    """The result of completing a task: the task, its case, and the case's open tasks now."""
    return {
        "task": {
            "id": task.id,
            "state": task.state.value,
            "completed_at": iso(task.completed_at),
            "completed_by": task.completed_by.username if task.completed_by else None,
        },
        "case": case_summary(task.case),
        "next_tasks": [task_json(other, user) for other in open_tasks(task.case)],
    }


def case_json(case: Case, user: User) -> dict:
    """A case: status, process, open tasks and team."""
    definition = case.definition
    return {
        **case_summary(case),
        "title": case.title,
        "case_type": case.case_type.value,
        "subject_unit": {"code": case.subject_unit.code, "name": case.subject_unit.name},
        "created_at": iso(case.created_at),
        "closed_at": iso(case.closed_at),
        "process": (
            {"process_id": definition.process_id, "version": definition.version, "name": definition.name}
            if definition
            else None
        ),
        "tasks": [task_json(task, user) for task in open_tasks(case)],
        "team": [
            {"username": member.user.username, "full_name": member.user.full_name, "role": member.role.value}
            for member in case.team
        ],
    }


def history_json(case: Case) -> dict:
    """A case's events in chain order, each with exactly the fields its hash covers plus the hash."""
    return {
        "case": case.reference,
        "chain_head": case.history_head,
        "event_count": case.history_count,
        "events": [{**event_payload(event), "hash": event.hash} for event in case_events(case)],
    }
