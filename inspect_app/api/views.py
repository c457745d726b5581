"""The API's calls: thin entry points over the same loaders, permission checks and services as the task pages."""

from flask import g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from inspect_app.api import bp
from inspect_app.api.auth import require_user
from inspect_app.api.openapi import openapi_document
from inspect_app.api.schemas import (
    MAX_PER_PAGE,
    case_json,
    completed_json,
    history_json,
    json_body,
    page_args,
    task_json,
)
from inspect_app.core.exceptions import InvalidInput
from inspect_app.core.extensions import db
from inspect_app.models import HumanTask
from inspect_app.permissions import get_case_by_reference_or_404
from inspect_app.tasks import services
from inspect_app.tasks.queries import inbox_query
from inspect_app.tasks.steps import validate_input
from inspect_app.tasks.views import get_task_or_404

PUBLIC_ENDPOINTS = {"api.openapi"}
# The one POST that is not JSON (a file upload); it reads its own body and checks CSRF itself (see inspections.py).
MULTIPART_ENDPOINTS = {"api.add_finding_photo"}


@bp.before_request
def check_request():
    """Every call but the document needs a user (401); every other POST needs a JSON object as its body (415, 400)."""
    if request.endpoint not in PUBLIC_ENDPOINTS:
        require_user()
    if request.method == "POST" and request.endpoint not in MULTIPART_ENDPOINTS:
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
    page_number, per_page = page_args()
    page = db.paginate(
        inbox_query(current_user), page=page_number, per_page=per_page, max_per_page=MAX_PER_PAGE, error_out=False
    )
    return jsonify(
        tasks=[task_json(task, current_user) for task in page.items],
        page=page.page,
        per_page=page.per_page,
        total=page.total,
        pages=page.pages,
    )


@bp.post("/tasks/<int:task_id>/complete")
def complete_task(task_id: int):
    task = get_task_or_404(task_id)
    services.check_can_complete(task, current_user)
    services.complete_task(task, actor=current_user, data=validate_input(task, g.api_body))
    return jsonify(completed_json(db.session.get(HumanTask, task_id), current_user))


@bp.post("/tasks/<int:task_id>/claim")
def claim_task(task_id: int):
    task = get_task_or_404(task_id)
    if g.api_body:
        raise InvalidInput(
            _("Claiming a task takes no fields; send an empty object."),
            {name: [_("This form has no such field.")] for name in g.api_body},
        )
    services.claim_task(task, actor=current_user)
    return jsonify(task=task_json(db.session.get(HumanTask, task_id), current_user))


@bp.get("/cases/<reference>")
def case_detail(reference: str):
    return jsonify(case_json(get_case_by_reference_or_404(reference), current_user))


@bp.get("/cases/<reference>/history")
def case_history(reference: str):
    return jsonify(history_json(get_case_by_reference_or_404(reference)))
