"""Case list, case page, its history (filtered, a page at a time) and history downloads."""

from flask import abort, current_app, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from inspect_app import workflow_bridge
from inspect_app.access.loaders import case_or_404
from inspect_app.audit.describe import described
from inspect_app.audit.exports import csv_response, json_response, refused
from inspect_app.audit.forms import HistoryFilterForm, people_on_case
from inspect_app.audit.queries import case_history, each_event, event_page
from inspect_app.cases import bp
from inspect_app.cases.forms import CaseFilterForm
from inspect_app.cases.queries import cases_matching
from inspect_app.core.extensions import db
from inspect_app.core.keyset import Page, count_rows, requested_page
from inspect_app.history import case_events
from inspect_app.models import Case, CaseEvent, CaseStatus, CaseType, OrgUnit

# The case page shows the latest events; the whole history, with its filters, is one click (and every download) away.
TIMELINE_EVENTS = 40
# Newest first, a page at a time by keyset (core/keyset.py).
CASE_LIST_ORDER = (Case.created_at, Case.id)


@bp.route("/")
@login_required
def index():
    form = CaseFilterForm(request.args)
    # Plain (code, name) rows: a province has hundreds of units, and the list needs no more of them.
    units = db.session.execute(select(OrgUnit.code, OrgUnit.name).order_by(OrgUnit.name))
    form.unit.choices += [SelectChoice(code, name) for code, name in units]
    query = select(Case).where(Case.visible_to(current_user))
    if form.validate():
        if form.q.data and form.q.data.strip():
            query = query.where(cases_matching(form.q.data))
        if form.case_type.data:
            query = query.where(Case.case_type == CaseType(form.case_type.data))
        if form.status.data:
            query = query.where(Case.status == CaseStatus(form.status.data))
        if form.unit.data:
            query = query.join(Case.subject_unit).where(OrgUnit.code == form.unit.data)
    page = requested_page(query, CASE_LIST_ORDER, size=current_app.config["PAGE_SIZE"], descending=True)
    filtered = any(request.args.get(name) for name in ("q", "case_type", "status", "unit"))
    return render_template("cases/index.html", form=form, page=page, total=count_rows(query), filtered=filtered)


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
        page = render_template("cases/history.html", case=case, form=form, page=Page(), events=[], total=0)
        return page, 400
    query = case_history(case, form.event_filter())
    page = event_page(query, CaseEvent.seq, size=current_app.config["PAGE_SIZE"])
    return render_template(
        "cases/history.html", case=case, form=form, page=page, events=described(page.items), total=count_rows(query)
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
    return json_response(case, f"{case.reference}-history.json")
