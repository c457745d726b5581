"""The API's calls about tasks and cases: thin entry points over the same loaders, permission checks and services
as the task pages, each in one unit of work."""

from flask import g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from inspect_app.access.loaders import case_by_reference_or_404, task_or_404
from inspect_app.api import bp
from inspect_app.api.auth import require_user
from inspect_app.api.openapi import openapi_document
from inspect_app.api.schemas import answer, cursor_page, json_body, page_size, query
from inspect_app.audit.queries import EventFilter
from inspect_app.audit.queries import case_history as events_of_case
from inspect_app.cases.schemas import HISTORY_ORDER, CaseDetail, History, HistoryQuery
from inspect_app.core.exceptions import InvalidInput
from inspect_app.core.extensions import db
from inspect_app.core.schemas import parse
from inspect_app.core.unit_of_work import transactional
from inspect_app.models import HumanTask
from inspect_app.tasks import services
from inspect_app.tasks.api_schemas import (
    ClaimInput,
    ClaimResult,
    CompleteResult,
    Task,
    TaskListQuery,
    TaskPage,
)
from inspect_app.tasks.queries import INBOX_ORDER, inbox_count, inbox_query
from inspect_app.tasks.steps import validate_input

PUBLIC_ENDPOINTS = {"api.openapi"}
# The one POST that is not JSON (a file upload); it reads its own body and checks CSRF itself (see inspections.py).
MULTIPART_ENDPOINTS = {"api.add_finding_photo"}


@bp.before_request
def check_request():
    """Every call but the document needs a user (401); every other POST or PUT needs a JSON object (415, 400)."""
    if request.endpoint not in PUBLIC_ENDPOINTS:
        require_user()
    if request.method in ("POST", "PUT") and request.endpoint not in MULTIPART_ENDPOINTS:
        g.api_body = json_body()


@bp.after_request
def api_headers(response):
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="Inspect API"'
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/tasks")
def list_tasks():
    asked = query(TaskListQuery)
    per_page = page_size(asked)
    if asked.page is None:
        return answer(_tasks_after_cursor(asked, per_page))
    if asked.cursor is not None:
        raise InvalidInput(_("Some query parameters are not valid."), {"cursor": [_("Give a cursor or a page.")]})
    page = db.paginate(inbox_query(current_user), page=asked.page, per_page=per_page, error_out=False)
    tasks = [Task.of(task, current_user) for task in page.items]
    return answer(TaskPage(tasks=tasks, page=page.page, per_page=per_page, total=page.total, pages=page.pages))


def _tasks_after_cursor(asked: TaskListQuery, per_page: int) -> TaskPage:
    """The caller's tasks after the cursor (the first ones without), read by keyset, with the next page's cursor."""
    tasks = inbox_query(current_user)
    listed = cursor_page(tasks, INBOX_ORDER, asked)
    total = inbox_count(current_user)
    return TaskPage(
        tasks=[Task.of(task, current_user) for task in listed.items],
        page=1 if asked.cursor is None else None,
        per_page=per_page,
        total=total,
        pages=-(-total // per_page),
        next_cursor=listed.next_keys,
    )


@bp.post("/tasks/<int:task_id>/complete")
@transactional
def complete_task(task_id: int):
    task = task_or_404(task_id)
    services.check_can_complete(task, current_user)
    step = services.complete_task(task, actor=current_user, data=validate_input(task, g.api_body))
    return answer(CompleteResult.of(db.session.get(HumanTask, task_id), current_user, open_tasks=step.open))


@bp.post("/tasks/<int:task_id>/claim")
@transactional
def claim_task(task_id: int):
    task = task_or_404(task_id)
    parse(ClaimInput, g.api_body)
    services.claim_task(task, actor=current_user)
    return answer(ClaimResult(task=Task.of(db.session.get(HumanTask, task_id), current_user)))


@bp.get("/cases/<reference>")
def case_detail(reference: str):
    return answer(CaseDetail.of(case_by_reference_or_404(reference), current_user))


@bp.get("/cases/<reference>/history")
def case_history(reference: str):
    case = case_by_reference_or_404(reference)
    asked = query(HistoryQuery)
    events = cursor_page(events_of_case(case, EventFilter()), HISTORY_ORDER, asked)
    return answer(History.of(case, events, per_page=page_size(asked)))
