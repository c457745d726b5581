"""Reading API requests (JSON bodies, paging) and writing the JSON shapes that openapi.py documents."""

import json
import re
from datetime import UTC, datetime

from flask import current_app, request, url_for
from flask_babel import gettext as _

from inspect_app.core.exceptions import InvalidInput, ServiceError
from inspect_app.history import case_events, event_payload
from inspect_app.models import Case, EvidenceFile, Finding, HumanTask, RemediationReport, User
from inspect_app.tasks.steps import step_fields

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


def iso(value: datetime | None) -> str | None:
    """An aware datetime as ISO 8601 in UTC with its offset (2026-11-28T08:30:00+00:00)."""
    return None if value is None else value.astimezone(UTC).isoformat()


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
        "fields": step_fields(task),
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


# --- inspections: checking the fields of a request, and the shapes of findings and their files --------------------

CLIENT_ID_MAX = 64
SHA256 = re.compile(r"[0-9a-fA-F]{64}")


def _kind_message(kind: str) -> str:
    return {
        "text": _("Send text."),
        "texts": _("Send a list of texts."),
        "boolean": _("Send true or false."),
    }[kind]


def _is_kind(value, kind: str) -> bool:
    if kind == "texts":
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    return isinstance(value, bool if kind == "boolean" else str)


def field_errors(data, kinds: dict[str, str], required: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Messages for each unknown field, missing required field, and value of the wrong kind (text, texts, boolean)."""
    errors = {name: [_("This form has no such field.")] for name in data if name not in kinds}
    for name, kind in kinds.items():
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if name in required:
                errors[name] = [_("This field is required.")]
        elif not _is_kind(value, kind):
            errors[name] = [_kind_message(kind)]
    client_id = data.get("client_id")
    if "client_id" not in errors and isinstance(client_id, str) and len(client_id) > CLIENT_ID_MAX:
        errors["client_id"] = [_("Use at most %(count)d characters.", count=CLIENT_ID_MAX)]
    return errors


def device_moment(value) -> datetime | None:
    """An ISO 8601 date and time with its UTC offset, as aware UTC; None if it is not one."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment.astimezone(UTC) if moment.tzinfo is not None else None


def moment_message() -> str:
    return _("Give a date and time in ISO 8601 with its UTC offset, e.g. 2026-12-01T09:30:00+07:00.")


def day(value) -> str | None:
    return None if value is None else value.isoformat()


def photo_json(file: EvidenceFile) -> dict:
    """An evidence file as the API shows it, with the address it is served from (to who may see the case)."""
    return {
        "id": file.id,
        "client_id": file.client_id,
        "sha256": file.sha256,
        "content_type": file.content_type,
        "size": file.size,
        "filename": file.filename,
        "captured_at": iso(file.captured_at),
        "received_at": iso(file.received_at),
        "latitude": file.latitude,
        "longitude": file.longitude,
        "url": url_for("evidence.download", file_id=file.id),
    }


def report_json(report: RemediationReport | None) -> dict | None:
    """A finding's remediation report and the verdict on it, if any."""
    if report is None:
        return None
    return {
        "id": report.id,
        "text": report.text,
        "submitted_by": report.submitted_by.username,
        "submitted_at": iso(report.submitted_at),
        "verdict": report.verdict.value if report.verdict else None,
        "verdict_reason": report.verdict_reason,
        "verdict_by": report.verdict_by.username if report.verdict_by else None,
        "verdict_at": iso(report.verdict_at),
        "photos": [photo_json(file) for file in report.files],
    }


def finding_json(finding: Finding) -> dict:
    """A finding: where it stands, its checklist item, deadline, owner, photos and latest report."""
    return {
        "id": finding.id,
        "client_id": finding.client_id,
        "case_reference": finding.case.reference,
        "title": finding.title,
        "description": finding.description,
        "severity": finding.severity.value,
        "area": finding.area.value,
        "item": finding.checklist_item.code if finding.checklist_item else None,
        "remediation_required": finding.remediation_required,
        "state": finding.state.value,
        "owner": finding.owner,
        "deadline": day(finding.deadline),
        "raised_by": finding.raised_by.username,
        "created_at": iso(finding.created_at),
        "captured_at": iso(finding.captured_at),
        "photos": [photo_json(file) for file in finding.files],
        "latest_report": report_json(finding.latest_report),
    }


# --- PAR results: a round's results per level and a unit's scorecard (api/par.py) ---------------------------------


def points(value) -> float | None:
    """Points, an index or a share as a JSON number (they carry two decimals at most, shares excepted)."""
    return None if value is None else float(value)


def _par_stage(result) -> dict:
    return {
        "total": points(result.total),
        "maximum": points(result.maximum),
        "index": points(result.index),
        "band": result.band,
        "fields": {code: points(value) for code, value in result.fields.items()},
        "survey": points(result.survey),
        "bonus": points(result.bonus),
        "penalty": points(result.penalty),
    }


def par_results_json(par_round, tables, *, published: bool) -> dict:
    """A round's results per level (see par/reports.py: ranking_tables), best first, ties sharing a rank."""
    return {
        "round": {"id": par_round.id, "year": par_round.year, "name": par_round.name, "published": published},
        "levels": [
            {
                "level": table.level.value,
                "criteria_set": (
                    {"code": table.criteria_set.code, "name": table.criteria_set.name} if table.criteria_set else None
                ),
                "fields": [{"code": f.code, "name": f.name, "max_points": points(f.max_points)} for f in table.fields],
                "survey_max": points(table.criteria_set.survey_max) if table.criteria_set else None,
                "units": [
                    {
                        "unit": {"code": row.par.unit.code, "name": row.par.unit.name},
                        "case_reference": row.par.case.reference,
                        "rank": row.result.rank,
                        "approved": row.par.is_approved,
                        "change_from_last_year": points(row.change),
                        **_par_stage(row.result),
                    }
                    for row in table.units
                ],
            }
            for table in tables
        ],
    }


def scorecard_json(card) -> dict:
    """A unit's scorecard (see par/reports.py: build_scorecard)."""
    par, previous = card.par, card.previous
    return {
        "case_reference": par.case.reference,
        "round": {"id": par.round.id, "year": par.round.year, "name": par.round.name},
        "unit": {"code": par.unit.code, "name": par.unit.name, "level": par.unit.level.value},
        "approved_at": iso(par.approved_at),
        "stages": {stage: _par_stage(result) for stage, result in card.results.items()},
        "fields": [
            {
                "code": line.criterion.code,
                "name": line.criterion.name,
                "max_points": points(line.criterion.max_points),
                "self": points(line.points["self"]),
                "first": points(line.points["first"]),
                "final": points(line.points["final"]),
                "share": points(line.published_share),
                "last_year": points(line.last_year),
                "change": points(line.change),
            }
            for line in card.fields
        ],
        "survey": {
            "max_points": points(par.criteria_set.survey_max),
            "points": points(card.final.survey),
            "components": [{"component": name, "points": points(score)} for name, score in card.survey_components],
        },
        "adjustments": [
            {
                "points": points(adjustment.points),
                "reason": adjustment.reason,
                "finding": (
                    {"case_reference": adjustment.finding.case.reference, "title": adjustment.finding.title}
                    if adjustment.finding
                    else None
                ),
            }
            for adjustment in par.adjustments
        ],
        "rank": card.rank,
        "units_in_level": card.level_size,
        "last_year": (
            {
                "year": card.previous_par.round.year,
                "case_reference": card.previous_par.case.reference,
                "rank": previous.rank,
                "index": points(previous.index),
                "band": previous.band,
                "total": points(previous.total),
                "change": {name: points(card.changes[name]) for name in ("survey", "total", "index")},
            }
            if previous is not None
            else None
        ),
    }
