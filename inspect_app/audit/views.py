"""The history search across cases, for auditors, directors and administrators (others get 404)."""

from flask import current_app, render_template, request
from flask_login import current_user

from inspect_app.access.roles import SEARCHES_HISTORY, roles_required
from inspect_app.audit import bp
from inspect_app.audit.describe import described
from inspect_app.audit.exports import csv_response, refused
from inspect_app.audit.forms import HistorySearchForm, all_units, everyone
from inspect_app.audit.queries import each_event, event_page, visible_history
from inspect_app.core.clock import today
from inspect_app.core.keyset import Page
from inspect_app.models import CaseEvent


def _search_form() -> HistorySearchForm:
    return HistorySearchForm(request.args, people=everyone(), units=all_units())


@bp.route("/")
@roles_required(*SEARCHES_HISTORY)
def search():
    form = _search_form()
    if not form.validate():
        return render_template("audit/search.html", form=form, page=Page(), events=[]), 400
    page = event_page(
        visible_history(current_user, form.event_filter()), CaseEvent.id, size=current_app.config["PAGE_SIZE"]
    )
    return render_template("audit/search.html", form=form, page=page, events=described(page.items))


@bp.route("/history.csv")
@roles_required(*SEARCHES_HISTORY)
def export():
    form = _search_form()
    if not form.validate():
        return refused(form)
    events = each_event(visible_history(current_user, form.event_filter()), CaseEvent.id)
    return csv_response(events, f"history-{today().isoformat()}.csv")
