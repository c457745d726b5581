"""Case list, case page, its history (filtered, a page at a time) and history downloads."""

from flask import abort, current_app, jsonify, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from wtforms.fields.choices import SelectChoice

from inspect_app import workflow_bridge
from inspect_app.access.loaders import case_or_404
from inspect_app.audit.describe import described
from inspect_app.audit.exports import csv_response, refused
from inspect_app.audit.forms import HistoryFilterForm, people_on_case
from inspect_app.audit.queries import EventPage, case_history, count, each_event, keyset_page
from inspect_app.cases import bp
from inspect_app.cases.forms import CaseFilterForm
from inspect_app.core.extensions import db
from inspect_app.history import case_events, event_payload
from inspect_app.models import Case, CaseEvent, CaseStatus, CaseType, OrgUnit

# The case page shows the latest events; the whole history, with its filters, is one click (and every download) away.
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
    case = case_or_404(case_id)
    open_tasks = case.open_tasks
    diagram = workflow_bridge.case_diagram(case) if case.definition is not None else None
    return render_template(
        "cases/detail.html",
        case=case,
        events=described(reversed(case_events(case, latest=TIMELINE_EVENTS))),
        open_tasks=open_tasks,
        diagram=diagram,
    )


@bp.route("/<int:case_id>/history")
@login_required
def history(case_id: int):
    case = case_or_404(case_id)
    form = HistoryFilterForm(request.args, people=people_on_case(case))
    if not form.validate():
        page = render_template("cases/history.html", case=case, form=form, page=EventPage(), events=[], total=0)
        return page, 400
    query = case_history(case, form.event_filter())
    page = keyset_page(
        query,
        CaseEvent.seq,
        size=current_app.config["PAGE_SIZE"],
        before=request.args.get("before", type=int),
        after=request.args.get("after", type=int),
    )
    return render_template(
        "cases/history.html", case=case, form=form, page=page, events=described(page.events), total=count(query)
    )


@bp.route("/<int:case_id>/history.<fmt>")
@login_required
def history_export(case_id: int, fmt: str):
    case = case_or_404(case_id)
    if fmt == "csv":
        form = HistoryFilterForm(request.args, people=people_on_case(case))
        if not form.validate():
            return refused(form)
        return csv_response(
            each_event(case_history(case, form.event_filter()), CaseEvent.seq), f"{case.reference}-history.csv"
        )
    if fmt != "json":
        abort(404)
    response = jsonify(
        case=case.reference,
        chain_head=case.history_head,
        event_count=case.history_count,
        events=[{**event_payload(e), "hash": e.hash} for e in case_events(case)],
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{case.reference}-history.json"'
    return response
