"""Inspection pages: the decision that opens a case, the on-site screen, findings and remediation reports."""

from datetime import UTC, datetime
from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from inspect_app.access.loaders import finding_or_404, inspection_case_or_404
from inspect_app.access.roles import roles_required
from inspect_app.core.clock import today
from inspect_app.core.exceptions import InvalidInput
from inspect_app.core.extensions import db
from inspect_app.core.labels import label
from inspect_app.core.redirects import safe_next_url
from inspect_app.core.refusals import on_refusal_redirect, on_refusal_render
from inspect_app.core.requests import version_seen
from inspect_app.core.schemas import parse
from inspect_app.evidence.schemas import Location
from inspect_app.evidence.services import add_evidence
from inspect_app.inspections import answers, bp, services
from inspect_app.inspections.forms import (
    DropFindingForm,
    FindingConsolidationForm,
    FindingForm,
    InspectionDecisionForm,
    MergeFindingForm,
    RemediationReportForm,
)
from inspect_app.inspections.schemas import LONG_TEXT_MAX_LENGTH
from inspect_app.models import (
    Answer,
    Case,
    ChecklistItem,
    ChecklistTemplate,
    ContentArea,
    Finding,
    FindingState,
    OrgUnit,
    Role,
    Severity,
    User,
)
from inspect_app.models.inspections import InspectionStep


def device_time(name: str = "captured_at") -> datetime | None:
    """A capture time the device sent (ISO 8601); a missing or unreadable one is simply not recorded."""
    try:
        value = datetime.fromisoformat(request.form.get(name, ""))
    except ValueError:
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def device_location() -> dict:
    """The coordinates the device sent with a file (none when it sent none); 422 naming a field out of range, nan
    or inf, by the same rule as the API."""
    sent = {name: request.form[name] for name in ("latitude", "longitude") if request.form.get(name, "").strip()}
    return parse(Location, sent).model_dump()


# --- the decision --------------------------------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.DIRECTOR)
def new():
    form = InspectionDecisionForm()
    form.fill_choices()
    follow_up_of = _follow_up_source()
    if request.method == "GET":
        # A decision is usually entered the day it is signed: the date is filled in, for the director to change.
        form.decision_date.data = today()
    if request.method == "GET" and follow_up_of is not None:
        original = follow_up_of.inspection
        form.title.data = _("Follow-up: %(title)s", title=follow_up_of.title)
        form.unit.data, form.scope.data = follow_up_of.subject_unit_id, original.scope
        form.template.data = original.checklist_template_id
        form.lead.data = follow_up_of.lead.id if follow_up_of.lead else None
    if form.validate_on_submit():
        users = {
            u.id: u for u in db.session.scalars(select(User).where(User.id.in_([form.lead.data, *form.members.data])))
        }
        case = services.open_inspection(
            actor=current_user,
            unit=db.session.get(OrgUnit, form.unit.data),
            title=form.title.data,
            decision_number=form.decision_number.data,
            decision_date=form.decision_date.data,
            scope=[ContentArea(area) for area in form.scope.data],
            planned_start=form.planned_start.data,
            planned_end=form.planned_end.data,
            is_announced=form.is_announced.data,
            template=db.session.get(ChecklistTemplate, form.template.data),
            lead=users[form.lead.data],
            members=[users[i] for i in form.members.data if i in users],
            follow_up_of=follow_up_of,
            item_ids=services.failed_item_ids(follow_up_of) if follow_up_of else None,
        )
        flash(_("Inspection %(ref)s is open; the team lead has the first task.", ref=case.reference), "success")
        return redirect(url_for("cases.detail", case_id=case.id))
    status = 400 if form.errors else 200
    return render_template("inspections/new.html", form=form, follow_up_of=follow_up_of), status


def _follow_up_source() -> Case | None:
    case_id = request.args.get("follow_up_of", type=int)
    if case_id is None:
        return None
    case = inspection_case_or_404(case_id)
    if not case.is_closed:
        abort(404)
    return case


# --- on site -------------------------------------------------------------------------------------------------------


@bp.route("/<int:case_id>/onsite")
@roles_required(Role.INSPECTOR, Role.LEAD)
def onsite(case_id: int):
    case = inspection_case_or_404(case_id, check="can_record_on_site")
    findings = [f for f in case.findings if f.raised_by_id == current_user.id]
    finding_form = FindingForm()
    _fill_item_choices(finding_form, case)
    return render_template(
        "inspections/onsite.html",
        case=case,
        groups=answers.checklist_groups(case, current_user),
        answers=answers.answers_by_item(case),
        progress=answers.checklist_progress(case),
        findings=findings,
        finding_form=finding_form,
        my_visit=_my_visit(case),
        Answer=Answer,
        answer_labels={value.value: str(label(value)) for value in Answer},
        note_max_length=LONG_TEXT_MAX_LENGTH,
    )


def _my_visit(case: Case):
    """The reader's own on-site task on this case, if open: the screen leads back to it to finish the visit."""
    visits = (task for task in case.open_tasks if task.bpmn_id == InspectionStep.ONSITE)
    return next((task for task in visits if task.can_complete(current_user)), None)


@bp.route("/<int:case_id>/answers/<int:item_id>", methods=["POST"])
@roles_required(Role.INSPECTOR, Role.LEAD)
def answer(case_id: int, item_id: int):
    case = inspection_case_or_404(case_id)
    item = db.session.get(ChecklistItem, item_id) or abort(404)
    on_refusal_redirect(url_for("inspections.onsite", case_id=case_id, _anchor=f"item-{item_id}"))
    try:
        value = Answer(request.form.get("answer", ""))
    except ValueError:
        message = _("Choose compliant, not compliant or not applicable.")
        raise InvalidInput(message, {"answer": [message]}) from None
    note = request.form.get("note", "")
    if len(note) > LONG_TEXT_MAX_LENGTH:  # the API's limit too: refused, never cut short and called saved
        message = _(
            "The note has %(count)s characters; at most %(max)s can be saved. Nothing was saved.",
            count=format_decimal(len(note)),
            max=format_decimal(LONG_TEXT_MAX_LENGTH),
        )
        raise InvalidInput(message, {"note": [message]})
    answers.save_answer(
        case,
        item,
        actor=current_user,
        answer=value,
        note=note,
        based_on=version_seen(),
        captured_at=device_time(),
    )
    return redirect(url_for("inspections.onsite", case_id=case_id, _anchor=f"item-{item.id}"))


@bp.route("/<int:case_id>/findings", methods=["GET", "POST"])
@login_required
def findings(case_id: int):
    case = inspection_case_or_404(case_id)
    form = FindingForm()
    _fill_item_choices(form, case)
    page = partial(render_template, "inspections/findings.html", case=case, form=form)
    if request.method == "POST":
        on_refusal_render(page, form)
        if not form.validate_on_submit():
            raise InvalidInput(_("Some answers need attention."), form.errors)
        item = db.session.get(ChecklistItem, form.item.data) if form.item.data else None
        captured_at, location = device_time(), device_location()
        finding, _created = services.raise_finding(
            case,
            actor=current_user,
            **form.finding_values(),
            item=item,
            client_id=request.form.get("client_id") or None,
            captured_at=captured_at,
        )
        for upload in request.files.getlist("photos"):
            if upload and upload.filename:
                add_evidence(
                    case,
                    upload.read(),
                    upload.filename,
                    actor=current_user,
                    finding=finding,
                    captured_at=captured_at,
                    **location,
                    field="photos",
                )
        flash(_("Finding recorded: %(title)s.", title=finding.title), "success")
        return redirect(safe_next_url(request.form.get("next") or url_for("inspections.findings", case_id=case_id)))
    return page()


def _fill_item_choices(form: FindingForm, case: Case) -> None:
    form.item.choices = [SelectChoice("", _("None: a finding of its own"))] + [
        SelectChoice(item.id, f"{item.code} {item.text}") for item in case.inspection.checklist_items
    ]


# --- one finding ---------------------------------------------------------------------------------------------------


@bp.route("/findings/<int:finding_id>", methods=["GET", "POST"])
@login_required
def finding(finding_id: int):
    finding = finding_or_404(finding_id)
    case = finding.case
    form = FindingConsolidationForm(obj=finding) if finding.can_consolidate(current_user) else FindingForm(obj=finding)
    _fill_item_choices(form, case)
    if request.method == "GET":
        form.item.data = finding.checklist_item_id
    page = _finding_page(finding, form)
    if request.method == "POST":
        if not finding.can_edit(current_user):
            abort(403)
        if form.validate_on_submit():
            on_refusal_render(page, form)
            changes = {name: form[name].data for name in services.FINDING_FIELDS if name in form}
            changes["severity"], changes["area"] = Severity(changes["severity"]), ContentArea(changes["area"])
            changes["description"] = changes["description"] or ""
            changes["remediation_required"] = changes["remediation_required"] or ""
            services.edit_finding(finding, actor=current_user, **changes)
            flash(_("Finding saved."), "success")
            return redirect(url_for("inspections.finding", finding_id=finding.id))
    return page(), 422 if form.errors else 200


def _finding_page(finding: Finding, form: FindingForm | None = None, report_form: RemediationReportForm | None = None):
    """The finding's page, to render; a form given keeps what was typed and its errors, the others start afresh."""
    if form is None:
        form_class = FindingConsolidationForm if finding.can_consolidate(current_user) else FindingForm
        form = form_class(formdata=None, obj=finding)
        _fill_item_choices(form, finding.case)
        form.item.data = finding.checklist_item_id
    merge_form = MergeFindingForm()
    merge_form.into.choices = [
        SelectChoice(f.id, f.title)
        for f in finding.case.findings
        if f.id != finding.id and f.state not in (FindingState.DROPPED, FindingState.MERGED)
    ]
    return partial(
        render_template,
        "inspections/finding.html",
        finding=finding,
        form=form,
        drop_form=DropFindingForm(),
        merge_form=merge_form,
        report_form=report_form or RemediationReportForm(formdata=None),
    )


@bp.route("/findings/<int:finding_id>/<any(keep, drop, merge):action>", methods=["POST"])
@login_required
def consolidate(finding_id: int, action: str):
    finding = finding_or_404(finding_id, check="can_consolidate")
    findings_url = _back_to(url_for("inspections.findings", case_id=finding.case_id))
    on_refusal_redirect(findings_url)
    if action == "keep":
        services.keep_finding(finding, actor=current_user)
    elif action == "drop":
        form = DropFindingForm()
        if not form.validate_on_submit():
            flash(_("Say why the finding is dropped."), "error")
            return redirect(url_for("inspections.finding", finding_id=finding.id)), 303
        services.drop_finding(finding, actor=current_user, reason=form.reason.data)
    else:
        into = db.session.get(Finding, request.form.get("into", type=int) or 0)
        if into is None:
            abort(404)
        services.merge_finding(finding, into, actor=current_user)
    return redirect(findings_url)


@bp.route("/findings/<int:finding_id>/files", methods=["POST"])
@login_required
def add_file(finding_id: int):
    finding = finding_or_404(finding_id, check="can_add_file")
    upload = request.files.get("file")
    report = finding.latest_report if finding.can_report(current_user) and finding.latest_report else None
    on_refusal_redirect(url_for("inspections.finding", finding_id=finding.id))
    add_evidence(
        finding.case,
        upload.read() if upload else b"",
        upload.filename if upload else "",
        actor=current_user,
        finding=None if report else finding,
        report=report,
        client_id=request.form.get("client_id") or None,
        captured_at=device_time(),
        **device_location(),
    )
    flash(_("File added."), "success")
    return redirect(url_for("inspections.finding", finding_id=finding.id))


@bp.route("/findings/<int:finding_id>/report", methods=["POST"])
@login_required
def report(finding_id: int):
    finding = finding_or_404(finding_id, check="can_report")
    form = RemediationReportForm()
    # The report goes back to where it was written: the remediation task's page reports from beside its findings,
    # and names the finding a refusal is about; the finding's own page shows the report as typed, the reason beside it.
    back = _back_to(url_for("inspections.finding", finding_id=finding.id))
    if request.form.get("next"):
        on_refusal_redirect(back)
    else:
        on_refusal_render(_finding_page(finding, report_form=form), form)
    if not form.validate_on_submit():
        raise InvalidInput(_("Describe what was done: %(title)s.", title=finding.title), form.errors)
    new_report = services.submit_report(finding, actor=current_user, text=form.text.data)
    for upload in request.files.getlist("files"):
        if upload and upload.filename:
            add_evidence(
                finding.case, upload.read(), upload.filename, actor=current_user, report=new_report, field="files"
            )
    flash(_("Your report is saved; the team lead will verify it."), "success")
    return redirect(back)


def _back_to(default: str) -> str:
    """The page the form came from when it names one on this site (`next`), else `default`."""
    target = request.form.get("next")
    return safe_next_url(target) if target else default
