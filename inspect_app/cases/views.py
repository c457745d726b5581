"""Case list, case page and history downloads."""

import csv
import io

from flask import Response, abort, current_app, jsonify, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from wtforms.fields.choices import SelectChoice

from inspect_app import workflow_bridge
from inspect_app.cases import bp
from inspect_app.cases.forms import CaseFilterForm
from inspect_app.core.extensions import db
from inspect_app.history import case_events, event_payload
from inspect_app.models import Case, CaseStatus, CaseType, OrgUnit
from inspect_app.permissions import get_case_or_404

# The case page shows the latest events; the whole history is one click (and every download) away.
TIMELINE_EVENTS = 40


@bp.route("/")
@login_required
def index():
    form = CaseFilterForm(request.args)
    form.unit.choices += [
        SelectChoice(u.code, u.name) for u in db.session.scalars(select(OrgUnit).order_by(OrgUnit.name))
    ]
    query = select(Case).where(Case.visible_to(current_user))
    if form.validate():
        if form.q.data:
            pattern = f"%{form.q.data.strip()}%"
            query = query.where(or_(Case.reference.ilike(pattern), Case.title.ilike(pattern)))
        if form.case_type.data:
            query = query.where(Case.case_type == CaseType(form.case_type.data))
        if form.status.data:
            query = query.where(Case.status == CaseStatus(form.status.data))
        if form.unit.data:
            query = query.join(Case.subject_unit).where(OrgUnit.code == form.unit.data)
    page = db.paginate(
        query.order_by(Case.created_at.desc(), Case.id.desc()),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    filtered = any(request.args.get(name) for name in ("q", "case_type", "status", "unit"))
    return render_template("cases/index.html", form=form, page=page, filtered=filtered)


@bp.route("/<int:case_id>")
@login_required
def detail(case_id: int):
    case = get_case_or_404(case_id)
    open_tasks = case.open_tasks
    diagram = workflow_bridge.case_diagram(case) if case.definition is not None else None
    return render_template(
        "cases/detail.html",
        case=case,
        events=case_events(case, latest=None if request.args.get("history") == "all" else TIMELINE_EVENTS),
        open_tasks=open_tasks,
        diagram=diagram,
    )


@bp.route("/<int:case_id>/history.<fmt>")
@login_required
def history_export(case_id: int, fmt: str):
    case = get_case_or_404(case_id)
    events = case_events(case)
    filename = f"{case.reference}-history.{fmt}"
    if fmt == "json":
        response = jsonify(
            case=case.reference,
            chain_head=case.history_head,
            event_count=case.history_count,
            events=[{**event_payload(e), "hash": e.hash} for e in events],
        )
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["# case", case.reference, "chain_head", case.history_head or ""])
        columns = ["seq", "at", "actor_id", "action", "details", "captured_at", "prev_hash", "hash"]
        writer.writerow(columns)
        for event in events:
            payload = {**event_payload(event), "hash": event.hash}
            payload["details"] = current_app.json.dumps(payload["details"])
            writer.writerow([payload[column] for column in columns])
        response = Response(buffer.getvalue(), mimetype="text/csv; charset=utf-8")
    else:
        abort(404)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
