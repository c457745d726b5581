"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json.

Keep it in step with views.py and schemas.py: tests check every route against `paths` (both ways) and every answer
the tests get against its documented schema."""

from copy import deepcopy

from inspect_app.api.schemas import CLIENT_ID_MAX, MAX_PER_PAGE
from inspect_app.models import ContentArea, FindingState, Severity
from inspect_app.tasks.schemas import FIELD_TYPES

PREFIX = "/api/v1"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {**schema, "type": [schema["type"], "null"]}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict:
    return _json(_ref("Error"), description)


DATE_TIME = {"type": "string", "format": "date-time", "description": "ISO 8601, UTC, with offset"}
STRING = {"type": "string"}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "The HTTP status name, e.g. Conflict"},
            "message": {"type": "string", "description": "What went wrong, in the user's language"},
            "errors": {
                "type": "object",
                "description": "Messages for each field (or query parameter) that was refused",
                "additionalProperties": {"type": "array", "items": STRING},
            },
        },
    },
    "Choice": {
        "type": "object",
        "required": ["value", "label"],
        "properties": {"value": STRING, "label": STRING},
    },
    "Field": {
        "type": "object",
        "required": ["name", "type", "label", "required"],
        "properties": {
            "name": STRING,
            "type": {"type": "string", "enum": list(FIELD_TYPES)},
            "label": STRING,
            "required": {
                "type": "boolean",
                "description": "Always required (some fields are required only "
                "for some answers to other fields: the 422 answer names them)",
            },
            "choices": {"type": "array", "items": _ref("Choice"), "description": "Only for type choice"},
        },
    },
    "Task": {
        "type": "object",
        "required": [
            "id",
            "case_reference",
            "case_title",
            "bpmn_id",
            "title",
            "lane",
            "due_at",
            "claimed_by",
            "can_complete",
            "form",
            "fields",
        ],
        "properties": {
            "id": {"type": "integer"},
            "case_reference": {"type": "string", "examples": ["KT-2026-0001"]},
            "case_title": STRING,
            "bpmn_id": {"type": "string", "description": "The BPMN user task's id"},
            "title": STRING,
            "lane": _nullable({"type": "string", "description": "The BPMN lane that names who may do the task"}),
            "due_at": _nullable(DATE_TIME),
            "claimed_by": _nullable({"type": "string", "description": "Username of whoever has taken the task"}),
            "can_complete": {"type": "boolean", "description": "Whether the caller may complete it now"},
            "form": _nullable(STRING),
            "fields": {"type": "array", "items": _ref("Field")},
        },
    },
    "TaskPage": {
        "type": "object",
        "required": ["tasks", "page", "per_page", "total", "pages"],
        "properties": {
            "tasks": {"type": "array", "items": _ref("Task")},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "total": {"type": "integer", "minimum": 0},
            "pages": {"type": "integer", "minimum": 0},
        },
    },
    "CaseSummary": {
        "type": "object",
        "required": ["reference", "status", "workflow_status"],
        "properties": {
            "reference": STRING,
            "status": {"type": "string", "enum": ["open", "closed", "cancelled"]},
            "workflow_status": _nullable(STRING),
        },
    },
    "Answers": {
        "type": "object",
        "description": "The form's fields by name (see Task.fields); a list gives a field several values",
        "additionalProperties": {
            "anyOf": [
                {"type": ["string", "number", "boolean", "null"]},
                {"type": "array", "items": {"type": ["string", "number", "boolean", "null"]}},
            ]
        },
    },
    "CompleteResult": {
        "type": "object",
        "required": ["task", "case", "next_tasks"],
        "properties": {
            "task": {
                "type": "object",
                "required": ["id", "state", "completed_at", "completed_by"],
                "properties": {
                    "id": {"type": "integer"},
                    "state": {"type": "string", "enum": ["completed"]},
                    "completed_at": DATE_TIME,
                    "completed_by": STRING,
                },
            },
            "case": _ref("CaseSummary"),
            "next_tasks": {"type": "array", "items": _ref("Task"), "description": "The case's open tasks now"},
        },
    },
    "ClaimResult": {"type": "object", "required": ["task"], "properties": {"task": _ref("Task")}},
    "TeamMember": {
        "type": "object",
        "required": ["username", "full_name", "role"],
        "properties": {"username": STRING, "full_name": STRING, "role": {"type": "string", "enum": ["lead", "member"]}},
    },
    "Case": {
        "allOf": [
            _ref("CaseSummary"),
            {
                "type": "object",
                "required": [
                    "title",
                    "case_type",
                    "subject_unit",
                    "created_at",
                    "closed_at",
                    "process",
                    "tasks",
                    "team",
                ],
                "properties": {
                    "title": STRING,
                    "case_type": STRING,
                    "subject_unit": {
                        "type": "object",
                        "required": ["code", "name"],
                        "properties": {"code": STRING, "name": STRING},
                    },
                    "created_at": DATE_TIME,
                    "closed_at": _nullable(DATE_TIME),
                    "process": {
                        "type": ["object", "null"],
                        "required": ["process_id", "version", "name"],
                        "properties": {"process_id": STRING, "version": {"type": "integer"}, "name": STRING},
                    },
                    "tasks": {"type": "array", "items": _ref("Task"), "description": "Open tasks"},
                    "team": {"type": "array", "items": _ref("TeamMember")},
                },
            },
        ]
    },
    "Event": {
        "type": "object",
        "description": "hash = SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of every field but hash",
        "required": ["case_id", "seq", "at", "actor_id", "action", "details", "captured_at", "prev_hash", "hash"],
        "properties": {
            "case_id": {"type": "integer"},
            "seq": {"type": "integer", "minimum": 1},
            "at": DATE_TIME,
            "actor_id": {"type": ["integer", "null"]},
            "action": STRING,
            "details": {"type": "object"},
            "captured_at": _nullable(DATE_TIME),
            "prev_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "The previous event's hash"},
            "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        },
    },
    "History": {
        "type": "object",
        "required": ["case", "chain_head", "event_count", "events"],
        "properties": {
            "case": STRING,
            "chain_head": {"type": ["string", "null"], "description": "The last event's hash"},
            "event_count": {"type": "integer", "minimum": 0},
            "events": {"type": "array", "items": _ref("Event")},
        },
    },
}

UNAUTHORIZED = _error("No signed-in session and no valid token (unknown, revoked, or its user is inactive)")
NOT_FOUND = _error("No such thing, or the caller may not see it")
TASK_ID = {"name": "task_id", "in": "path", "required": True, "schema": {"type": "integer"}}
REFERENCE = {"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}
NOT_JSON = {
    "400": _error("The body is not valid JSON, or not a JSON object"),
    "415": _error("The body is not JSON (Content-Type must be application/json)"),
}

PATHS = {
    "/openapi.json": {
        "get": {
            "operationId": "getOpenApi",
            "summary": "This document",
            "security": [],
            "responses": {"200": _json({"type": "object"}, "The OpenAPI document")},
        }
    },
    "/tasks": {
        "get": {
            "operationId": "listTasks",
            "summary": "My open tasks (those my lanes name me for, not taken by someone else), soonest due first",
            "parameters": [
                {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
                {
                    "name": "per_page",
                    "in": "query",
                    "description": f"Capped at {MAX_PER_PAGE}",
                    "schema": {"type": "integer", "minimum": 1},
                },
            ],
            "responses": {
                "200": _json(_ref("TaskPage"), "One page of tasks, with the total"),
                "400": _error("page or per_page is not a whole number of 1 or more"),
                "401": UNAUTHORIZED,
            },
        }
    },
    "/tasks/{task_id}/complete": {
        "post": {
            "operationId": "completeTask",
            "summary": "Complete a task with its form's answers",
            "parameters": [TASK_ID],
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Answers")}}},
            "responses": {
                "200": _json(_ref("CompleteResult"), "Done; the case's open tasks now"),
                **NOT_JSON,
                "401": UNAUTHORIZED,
                "403": _error("The caller sees the case, but the task's lane does not name them"),
                "404": NOT_FOUND,
                "409": _error("Someone else completed the task first (the message names who and when)"),
                "422": _error("Some answers were refused; errors names each field. Nothing was changed"),
            },
        }
    },
    "/tasks/{task_id}/claim": {
        "post": {
            "operationId": "claimTask",
            "summary": "Take an open task, so that other candidates leave it alone",
            "parameters": [TASK_ID],
            "requestBody": {
                "required": False,
                "content": {"application/json": {"schema": {"type": "object", "maxProperties": 0}}},
            },
            "responses": {
                "200": _json(_ref("ClaimResult"), "The task, now the caller's"),
                **NOT_JSON,
                "401": UNAUTHORIZED,
                "403": _error("The task's lane does not name the caller"),
                "404": NOT_FOUND,
                "409": _error("Someone else has taken or completed the task"),
                "422": _error("The body has fields; claiming takes none"),
            },
        }
    },
    "/cases/{reference}": {
        "get": {
            "operationId": "getCase",
            "summary": "A case: status, process, open tasks and team",
            "parameters": [REFERENCE],
            "responses": {"200": _json(_ref("Case"), "The case"), "401": UNAUTHORIZED, "404": NOT_FOUND},
        }
    },
    "/cases/{reference}/history": {
        "get": {
            "operationId": "getCaseHistory",
            "summary": "A case's tamper-evident history: its events in chain order, each with its hash",
            "parameters": [REFERENCE],
            "responses": {"200": _json(_ref("History"), "The events"), "401": UNAUTHORIZED, "404": NOT_FOUND},
        }
    },
}

# --- inspections (api/inspections.py) -------------------------------------------------------------------------------

DATE = {"type": "string", "format": "date", "examples": ["2026-12-01"]}
CLIENT_ID = {
    "type": "string",
    "minLength": 1,
    "maxLength": CLIENT_ID_MAX,
    "description": "Made by the device (a UUID, say); a retry with the same id creates nothing and answers 200",
}
DEVICE_TIME = {
    "type": "string",
    "format": "date-time",
    "description": "When the device captured it: ISO 8601 with its UTC offset",
}
SCHEMAS.update(
    {
        "InspectionDecision": {
            "type": "object",
            "description": "The inspection decision (quyết định kiểm tra); things are named by code or username",
            "required": [
                "type",
                "decision_number",
                "decision_date",
                "unit",
                "title",
                "scope",
                "planned_start",
                "planned_end",
                "is_announced",
                "lead",
                "checklist",
            ],
            "additionalProperties": False,
            "properties": {
                "type": {"type": "string", "enum": ["inspection"]},
                "decision_number": {"type": "string", "maxLength": 64, "examples": ["123/QĐ-SNV"]},
                "decision_date": DATE,
                "unit": {"type": "string", "description": "Code of the inspected unit"},
                "title": {"type": "string", "maxLength": 300},
                "scope": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": "string", "enum": [area.value for area in ContentArea]},
                },
                "planned_start": DATE,
                "planned_end": {**DATE, "description": "Not before planned_start"},
                "is_announced": {"type": "boolean", "description": "Whether the unit is told beforehand"},
                "lead": {"type": "string", "description": "Username of a user with the lead role"},
                "members": {
                    "type": "array",
                    "items": STRING,
                    "description": "Usernames of inspectors (or leads); the lead is on the team anyway",
                },
                "checklist": {"type": "string", "description": "Code of an active checklist template"},
                "follow_up_of": _nullable(
                    {"type": "string", "description": "Reference of a closed inspection: only its failed items"}
                ),
                "client_id": _nullable(CLIENT_ID),
            },
        },
        "NewFinding": {
            "type": "object",
            "required": ["client_id", "title", "severity", "area"],
            "additionalProperties": False,
            "properties": {
                "client_id": CLIENT_ID,
                "title": {"type": "string", "maxLength": 300},
                "description": {"type": ["string", "null"], "maxLength": 4000},
                "severity": {"type": "string", "enum": [severity.value for severity in Severity]},
                "area": {
                    "type": "string",
                    "enum": [area.value for area in ContentArea],
                    "description": "The item's area wins when an item is given",
                },
                "item": {"type": ["string", "null"], "description": "Code of an item on the case's checklist"},
                "remediation_required": {
                    "type": ["string", "null"],
                    "maxLength": 4000,
                    "description": "Empty when the unit needs to do nothing (an observation)",
                },
                "captured_at": _nullable(DEVICE_TIME),
            },
        },
        "Photo": {
            "type": "object",
            "description": "A stored file (JPEG, PNG or PDF, the type read from its content), named by its SHA-256",
            "required": [
                "id",
                "client_id",
                "sha256",
                "content_type",
                "size",
                "filename",
                "captured_at",
                "received_at",
                "latitude",
                "longitude",
                "url",
            ],
            "properties": {
                "id": {"type": "integer"},
                "client_id": _nullable(STRING),
                "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "content_type": {"type": "string", "enum": ["image/jpeg", "image/png", "application/pdf"]},
                "size": {"type": "integer", "minimum": 1},
                "filename": STRING,
                "captured_at": _nullable(DATE_TIME),
                "received_at": {**DATE_TIME, "description": "When the server received it (UTC)"},
                "latitude": {"type": ["number", "null"]},
                "longitude": {"type": ["number", "null"]},
                "url": {"type": "string", "description": "Where the file is served (to who may see the case)"},
            },
        },
        "RemediationReport": {
            "type": "object",
            "required": [
                "id",
                "text",
                "submitted_by",
                "submitted_at",
                "verdict",
                "verdict_reason",
                "verdict_by",
                "verdict_at",
                "photos",
            ],
            "properties": {
                "id": {"type": "integer"},
                "text": STRING,
                "submitted_by": STRING,
                "submitted_at": DATE_TIME,
                "verdict": {"type": ["string", "null"], "enum": ["accepted", "rejected", None]},
                "verdict_reason": _nullable(STRING),
                "verdict_by": _nullable(STRING),
                "verdict_at": _nullable(DATE_TIME),
                "photos": {"type": "array", "items": _ref("Photo")},
            },
        },
        "Finding": {
            "type": "object",
            "required": [
                "id",
                "client_id",
                "case_reference",
                "title",
                "description",
                "severity",
                "area",
                "item",
                "remediation_required",
                "state",
                "owner",
                "deadline",
                "raised_by",
                "created_at",
                "captured_at",
                "photos",
                "latest_report",
            ],
            "properties": {
                "id": {"type": "integer"},
                "client_id": _nullable(STRING),
                "case_reference": STRING,
                "title": STRING,
                "description": STRING,
                "severity": {"type": "string", "enum": [severity.value for severity in Severity]},
                "area": {"type": "string", "enum": [area.value for area in ContentArea]},
                "item": {"type": ["string", "null"], "description": "The checklist item's code"},
                "remediation_required": STRING,
                "state": {"type": "string", "enum": [state.value for state in FindingState]},
                "owner": {"type": ["string", "null"], "description": "Who at the unit must remediate"},
                "deadline": _nullable(DATE),
                "raised_by": {"type": "string", "description": "Username"},
                "created_at": {**DATE_TIME, "description": "When the server recorded it (UTC)"},
                "captured_at": _nullable(DATE_TIME),
                "photos": {"type": "array", "items": _ref("Photo")},
                "latest_report": {"anyOf": [_ref("RemediationReport"), {"type": "null"}]},
            },
        },
        "FindingList": {
            "type": "object",
            "required": ["case", "findings"],
            "properties": {"case": STRING, "findings": {"type": "array", "items": _ref("Finding")}},
        },
    }
)
FINDING_ID = {"name": "finding_id", "in": "path", "required": True, "schema": {"type": "integer"}}
INVALID = _error("Some fields were refused; errors names each one. Nothing was created")
PATHS.update(
    {
        "/cases": {
            "post": {
                "operationId": "openInspection",
                "summary": "Decide an inspection (directors): open the case, name the team, start the process",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("InspectionDecision")}},
                },
                "responses": {
                    "200": _json(_ref("Case"), "A retry: the case this client_id opened before; nothing created"),
                    "201": _json(_ref("Case"), "The new case, with its open tasks"),
                    **NOT_JSON,
                    "401": UNAUTHORIZED,
                    "403": _error("Only directors decide inspections"),
                    "422": INVALID,
                },
            }
        },
        "/cases/{reference}/findings": {
            "get": {
                "operationId": "listFindings",
                "summary": "An inspection's findings, with their photos and latest remediation report",
                "parameters": [REFERENCE],
                "responses": {
                    "200": _json(_ref("FindingList"), "The findings, oldest first"),
                    "401": UNAUTHORIZED,
                    "404": NOT_FOUND,
                },
            },
            "post": {
                "operationId": "raiseFinding",
                "summary": "Raise a finding (a draft until the minutes): the team on site, or the lead writing them",
                "parameters": [REFERENCE],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("NewFinding")}}},
                "responses": {
                    "200": _json(_ref("Finding"), "A retry: the finding this client_id raised before; nothing changed"),
                    "201": _json(_ref("Finding"), "The new finding"),
                    **NOT_JSON,
                    "401": UNAUTHORIZED,
                    "403": _error("The caller sees the case but is not doing its on-site inspection or minutes"),
                    "404": NOT_FOUND,
                    "409": _error("This client_id is already used on another case, or the case changed at once"),
                    "422": INVALID,
                },
            },
        },
        "/findings/{finding_id}/photos": {
            "post": {
                "operationId": "addFindingPhoto",
                "summary": "Add a photo (or PDF) to a finding; the one call whose body is multipart/form-data",
                "description": "A browser session must send its CSRF token (X-CSRFToken header); a token need not.",
                "parameters": [FINDING_ID],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file", "client_id"],
                                "additionalProperties": False,
                                "properties": {
                                    "file": {
                                        "type": "string",
                                        "contentMediaType": "application/octet-stream",
                                        "description": "JPEG, PNG or PDF (read from the content, not the name)",
                                    },
                                    "client_id": CLIENT_ID,
                                    "captured_at": DEVICE_TIME,
                                    "latitude": {"type": "number", "minimum": -90, "maximum": 90},
                                    "longitude": {"type": "number", "minimum": -180, "maximum": 180},
                                    "sha256": {
                                        "type": "string",
                                        "pattern": "^[0-9a-fA-F]{64}$",
                                        "description": "The file's SHA-256 as the device computed it: checked",
                                    },
                                    "csrf_token": {"type": "string", "description": "Or the X-CSRFToken header"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(_ref("Photo"), "A retry: the file this client_id stored before; nothing stored"),
                    "201": _json(_ref("Photo"), "The stored file"),
                    "400": _error("A browser session sent no valid CSRF token"),
                    "401": UNAUTHORIZED,
                    "403": _error("The caller sees the case but may not add files to this finding now"),
                    "404": NOT_FOUND,
                    "409": _error("This client_id is already used on another case, or the case changed at once"),
                    "413": _error("The request is larger than the server accepts"),
                    "415": _error("The body is not multipart/form-data"),
                    "422": _error(
                        "A field was refused (errors names it): the file is empty, too large, not JPEG, PNG or PDF "
                        "by its content, or does not match sha256. Nothing was stored"
                    ),
                },
            }
        },
    }
)

# --- PAR results (api/par.py) ---------------------------------------------------------------------------------------

POINTS = {"type": "number", "description": "Points, two decimals at most"}
NULLABLE_POINTS = {"type": ["number", "null"]}
PAR_LEVELS = ["province", "department", "district", "commune"]
SCHEMAS.update(
    {
        "ParStageResult": {
            "type": "object",
            "description": "A unit's result from one stage's scores, as scoring.py computes it",
            "required": ["total", "maximum", "index", "band", "fields", "survey", "bonus", "penalty"],
            "properties": {
                "total": POINTS,
                "maximum": POINTS,
                "index": {"type": "number", "description": "total / maximum x 100, rounded half up to 2 decimals"},
                "band": {"type": "string", "examples": ["Tốt", "Khá", "Trung bình", "Yếu"]},
                "fields": {
                    "type": "object",
                    "description": "Points per field, by the field's code",
                    "additionalProperties": {"type": "number"},
                },
                "survey": POINTS,
                "bonus": {**POINTS, "description": "Bonus points counted (capped)"},
                "penalty": {**POINTS, "description": "Penalty points taken off (capped), as a positive number"},
            },
        },
        "ParRankedUnit": {
            "allOf": [
                _ref("ParStageResult"),
                {
                    "type": "object",
                    "required": ["unit", "case_reference", "rank", "approved", "change_from_last_year"],
                    "properties": {
                        "unit": {
                            "type": "object",
                            "required": ["code", "name"],
                            "properties": {"code": STRING, "name": STRING},
                        },
                        "case_reference": {"type": "string", "examples": ["CS-2026-0001"]},
                        "rank": {"type": "integer", "minimum": 1, "description": "Equal indexes share a rank"},
                        "approved": {"type": "boolean", "description": "Whether the council approved the index"},
                        "change_from_last_year": {
                            "type": ["number", "null"],
                            "description": "Index points since the unit's approved index of the year before",
                        },
                    },
                },
            ]
        },
        "ParRoundResults": {
            "type": "object",
            "required": ["round", "levels"],
            "properties": {
                "round": {
                    "type": "object",
                    "required": ["id", "year", "name", "published"],
                    "properties": {
                        "id": {"type": "integer"},
                        "year": {"type": "integer"},
                        "name": STRING,
                        "published": {"type": "boolean", "description": "Every unit of the round is approved"},
                    },
                },
                "levels": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["level", "criteria_set", "fields", "survey_max", "units"],
                        "properties": {
                            "level": {"type": "string", "enum": PAR_LEVELS},
                            "criteria_set": {
                                "type": ["object", "null"],
                                "required": ["code", "name"],
                                "properties": {"code": STRING, "name": STRING},
                            },
                            "fields": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["code", "name", "max_points"],
                                    "properties": {"code": STRING, "name": STRING, "max_points": POINTS},
                                },
                            },
                            "survey_max": NULLABLE_POINTS,
                            "units": {
                                "type": "array",
                                "items": _ref("ParRankedUnit"),
                                "description": "Best first, by the final index",
                            },
                        },
                    },
                },
            },
        },
        "ParScorecard": {
            "type": "object",
            "required": [
                "case_reference",
                "round",
                "unit",
                "approved_at",
                "stages",
                "fields",
                "survey",
                "adjustments",
                "rank",
                "units_in_level",
                "last_year",
            ],
            "properties": {
                "case_reference": STRING,
                "round": {
                    "type": "object",
                    "required": ["id", "year", "name"],
                    "properties": {"id": {"type": "integer"}, "year": {"type": "integer"}, "name": STRING},
                },
                "unit": {
                    "type": "object",
                    "required": ["code", "name", "level"],
                    "properties": {"code": STRING, "name": STRING, "level": {"type": "string", "enum": PAR_LEVELS}},
                },
                "approved_at": _nullable(DATE_TIME),
                "stages": {
                    "type": "object",
                    "description": "As self-assessed, as appraised in round 1, and final",
                    "required": ["self", "first", "final"],
                    "properties": {
                        "self": _ref("ParStageResult"),
                        "first": _ref("ParStageResult"),
                        "final": _ref("ParStageResult"),
                    },
                },
                "fields": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": [
                            "code",
                            "name",
                            "max_points",
                            "self",
                            "first",
                            "final",
                            "share",
                            "last_year",
                            "change",
                        ],
                        "properties": {
                            "code": STRING,
                            "name": STRING,
                            "max_points": POINTS,
                            "self": POINTS,
                            "first": POINTS,
                            "final": POINTS,
                            "share": {"type": "number", "description": "Final points as a percentage of the maximum"},
                            "last_year": NULLABLE_POINTS,
                            "change": {**NULLABLE_POINTS, "description": "Points since last year"},
                        },
                    },
                },
                "survey": {
                    "type": "object",
                    "required": ["max_points", "points", "components"],
                    "properties": {
                        "max_points": POINTS,
                        "points": {**POINTS, "description": "Counted (capped at max_points)"},
                        "components": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["component", "points"],
                                "properties": {"component": STRING, "points": POINTS},
                            },
                        },
                    },
                },
                "adjustments": {
                    "type": "array",
                    "description": "Bonus (positive) and penalty (negative) points with their reasons",
                    "items": {
                        "type": "object",
                        "required": ["points", "reason", "finding"],
                        "properties": {
                            "points": POINTS,
                            "reason": STRING,
                            "finding": {
                                "type": ["object", "null"],
                                "description": "The inspection finding the points cite",
                                "required": ["case_reference", "title"],
                                "properties": {"case_reference": STRING, "title": STRING},
                            },
                        },
                    },
                },
                "rank": {
                    "type": ["integer", "null"],
                    "description": "In the unit's level; null for a caller who may not see the round's ranking",
                },
                "units_in_level": {"type": ["integer", "null"]},
                "last_year": {
                    "type": ["object", "null"],
                    "description": "The unit's approved result of the year before, if there is one",
                    "required": ["year", "case_reference", "rank", "index", "band", "total", "change"],
                    "properties": {
                        "year": {"type": "integer"},
                        "case_reference": STRING,
                        "rank": {"type": "integer", "description": "In that round's ranking of the unit's level"},
                        "index": POINTS,
                        "band": STRING,
                        "total": POINTS,
                        "change": {
                            "type": "object",
                            "required": ["survey", "total", "index"],
                            "properties": {"survey": POINTS, "total": POINTS, "index": POINTS},
                        },
                    },
                },
            },
        },
    }
)
PATHS.update(
    {
        "/par/rounds/{round_id}/results": {
            "get": {
                "operationId": "getParRoundResults",
                "summary": "A PAR round's results per level: each unit's rank, index, band, total and field points",
                "description": (
                    "For administrators, directors, auditors, and the leads and inspectors of the round's appraisal "
                    "teams; once every unit is approved (published), for every signed-in user."
                ),
                "parameters": [
                    {"name": "round_id", "in": "path", "required": True, "schema": {"type": "integer"}},
                    {
                        "name": "level",
                        "in": "query",
                        "description": "Only this level (every level of the round when left out)",
                        "schema": {"type": "string", "enum": PAR_LEVELS},
                    },
                ],
                "responses": {
                    "200": _json(_ref("ParRoundResults"), "The results, best first within each level"),
                    "400": _error("level is not one of the levels"),
                    "401": UNAUTHORIZED,
                    "404": NOT_FOUND,
                },
            }
        },
        "/cases/{reference}/scorecard": {
            "get": {
                "operationId": "getParScorecard",
                "summary": "A PAR appraisal case's scorecard: each field at each stage, survey, adjustments, last year",
                "description": "For whoever may see the case; 404 for a case that is not a PAR appraisal.",
                "parameters": [REFERENCE],
                "responses": {
                    "200": _json(_ref("ParScorecard"), "The scorecard"),
                    "401": UNAUTHORIZED,
                    "404": NOT_FOUND,
                },
            }
        },
    }
)

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "Inspect API",
        "version": "1",
        "description": (
            "For the tablet client and for integrations. Authenticate with `Authorization: Bearer insp_...` "
            "(a token from the profile page or `flask --app wsgi inspect create-token USER`), or a signed-in "
            "browser session. POST bodies must be JSON (photo uploads alone are multipart/form-data). Errors are "
            "JSON objects with `error` and `message` (and `errors` by field). Times are ISO 8601 in UTC."
        ),
    },
    "servers": [{"url": "/"}],
    "security": [{"bearerToken": []}, {"session": []}],
    "paths": {PREFIX + path: item for path, item in PATHS.items()},
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {
            "bearerToken": {"type": "http", "scheme": "bearer", "description": "An API token, insp_..."},
            "session": {"type": "apiKey", "in": "cookie", "name": "session", "description": "A signed-in browser"},
        },
    },
}


def openapi_document() -> dict:
    """The OpenAPI document (a copy: callers may change it)."""
    return deepcopy(DOCUMENT)
