"""The OpenAPI 3.1 document of /api/v1, generated from the features' schemas and this table of operations.

Tests check every route against the table (both ways) and every answer the tests get against its schema."""

from copy import deepcopy
from functools import cache

from flask_babel import force_locale

from inspect_app.api.document import DocumentBuilder, Operation
from inspect_app.cases.schemas import CaseDetail, History, HistoryQuery
from inspect_app.evidence.schemas import Photo, PhotoForm
from inspect_app.inspections.schemas import (
    ChecklistAnswerInput,
    FindingList,
    FindingOut,
    InspectionDecision,
    NewFinding,
    SavedAnswer,
)
from inspect_app.par.api_schemas import ParResultsQuery, ParRoundResults, ParScorecard
from inspect_app.tasks.api_schemas import (
    MAX_PAGE,
    ClaimInput,
    ClaimResult,
    CompleteResult,
    TaskListQuery,
    TaskPage,
    step_inputs,
)

PREFIX = "/api/v1"
NOT_JSON = {400: "The body is not valid JSON, or not a JSON object", 415: "The body is not JSON"}
NOT_FOUND = {404: "No such thing, or the caller may not see it"}
RETRY = {200: "A retry: what this client_id made before; nothing changed"}
CLIENT = {409: "This client_id is already used on another case, or the case changed at once"}


# fmt: off
OPERATIONS = [
    Operation("get", "/openapi.json", "getOpenApi", "This document", None, {}),
    Operation("get", "/tasks", "listTasks", "My open tasks (those my lanes name me for, not taken by someone else), "
              "soonest due first", TaskPage,
              {400: f"page is not a whole number from 1 to {MAX_PAGE}, or per_page is not one of 1 or more",
               422: "cursor is not one this list gave, or comes with page"},
              query=TaskListQuery),
    Operation("post", "/tasks/{task_id}/complete", "completeTask", "Complete a task with its form's answers",
              CompleteResult, {**NOT_JSON, 403: "The task's lane does not name the caller", **NOT_FOUND,
                               409: "Someone else completed the task first (the message names who and when)",
                               422: "Some answers were refused; errors names each field. Nothing was changed"},
              request="answers"),
    Operation("post", "/tasks/{task_id}/claim", "claimTask", "Take an open task, so that other candidates leave it "
              "alone", ClaimResult, {**NOT_JSON, 403: "The task's lane does not name the caller", **NOT_FOUND,
                                     409: "Someone else has taken or completed the task",
                                     422: "The body has fields; claiming takes none"}, request=ClaimInput),
    Operation("post", "/cases", "openInspection", "Decide an inspection (directors): open the case, name the team, "
              "start the process", CaseDetail, {**RETRY, **NOT_JSON, 403: "Only directors decide inspections",
                                                 422: "Some fields were refused; errors names each one"},
              request=InspectionDecision, created="The new case, with its open tasks"),
    Operation("get", "/cases/{reference}", "getCase", "A case: status, process, open tasks and team", CaseDetail,
              NOT_FOUND),
    Operation("get", "/cases/{reference}/history", "getCaseHistory", "A case's tamper-evident history, a page at a "
              "time: its events in chain order, each with its hash", History,
              {400: "cursor is not an event's number, or per_page is not one of 1 or more", **NOT_FOUND},
              query=HistoryQuery),
    Operation("get", "/cases/{reference}/findings", "listFindings", "An inspection's findings, with their photos "
              "and latest remediation report", FindingList, NOT_FOUND),
    Operation("post", "/cases/{reference}/findings", "raiseFinding", "Raise a finding (a draft until the minutes): "
              "the team on site, or the lead writing them", FindingOut,
              {**RETRY, **NOT_JSON, 403: "The caller is not doing the case's on-site inspection or minutes",
               **NOT_FOUND, **CLIENT, 422: "Some fields were refused; errors names each one. Nothing was created"},
              request=NewFinding, created="The new finding"),
    Operation("put", "/cases/{reference}/answers/{item}", "saveChecklistAnswer", "Answer a checklist item on site "
              "(the team's one answer to the item; sending it again changes nothing)", SavedAnswer,
              {**NOT_JSON, 403: "The caller is not doing the case's on-site inspection",
               404: "No such case or item on its checklist, or the caller may not see the case",
               409: "Another member answered the item after the version this change was made on (based_on): the "
                    "message names who and when, and existing is their answer. Nothing was saved",
               422: "Some fields were refused; errors names each one. Nothing was saved"},
              request=ChecklistAnswerInput),
    Operation("post", "/findings/{finding_id}/photos", "addFindingPhoto", "Add a photo (or PDF) to a finding: "
              "multipart/form-data; a browser session sends its CSRF token (X-CSRFToken)", Photo,
              {**RETRY, 400: "A browser session sent no valid CSRF token",
               403: "The caller may not add files to this finding now", **NOT_FOUND,
               409: "This client_id was already used for another file (existing is that file, if it is on the same "
                    "case), or the case changed at once. Nothing was stored",
               413: "The request is larger than the server accepts", 415: "The body is not multipart/form-data",
               422: "A field was refused (errors names it): the file is empty, too large, not JPEG, PNG or PDF by "
                    "its content, a PDF that does not parse or holds scripts or attached files, or does not match "
                    "sha256. Nothing was stored"},
              request=PhotoForm, created="The stored file"),
    Operation("get", "/par/rounds/{round_id}/results", "getParRoundResults", "A PAR round's results per level "
              "(to appraisers, directors and auditors; to everyone once published)", ParRoundResults,
              {400: "level is not one of the levels", **NOT_FOUND}, query=ParResultsQuery),
    Operation("get", "/cases/{reference}/scorecard", "getParScorecard", "A PAR appraisal case's scorecard: each "
              "field at each stage, survey, adjustments, last year", ParScorecard, NOT_FOUND),
]
# fmt: on
INFO = {
    "title": "Inspect API",
    "version": "1",
    "description": (
        "For the tablet client and for integrations. Authenticate with `Authorization: Bearer insp_...` (a token "
        "from the profile page or `flask --app wsgi inspect create-token USER`), or a signed-in browser session. "
        "Request bodies are JSON (photo uploads alone are multipart/form-data). Errors are JSON objects with `error` "
        "and `message` (and `errors` by field). Times are ISO 8601 in UTC."
    ),
}
SECURITY = {
    "bearerToken": {"type": "http", "scheme": "bearer", "description": "An API token, insp_..."},
    "session": {"type": "apiKey", "in": "cookie", "name": "session", "description": "A signed-in browser"},
}


@cache
def _document() -> dict:
    # Written once, in English, whoever asks first: step inputs put their labels in the reader's language.
    with force_locale("en"):
        builder = DocumentBuilder(OPERATIONS, step_inputs())
        return {
            "openapi": "3.1.0",
            "info": INFO,
            "servers": [{"url": "/"}],
            "security": [{"bearerToken": []}, {"session": []}],
            "paths": builder.paths(OPERATIONS, PREFIX),
            "components": {"schemas": builder.schemas, "securitySchemes": SECURITY},
        }


def openapi_document() -> dict:
    """The OpenAPI document (a copy: callers may change it)."""
    return deepcopy(_document())
