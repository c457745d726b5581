"""The field device's door to inspections: open one, raise findings, add photos, and read the findings back.

Thin entry points over the inspection pages' forms, permission predicates and services. Whatever a device creates
carries the device's own id (client_id), so that a retried request creates nothing twice and answers 200."""

import hashlib
import math

from flask import abort, g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from inspect_app.api import bp
from inspect_app.api.auth import bearer_user
from inspect_app.api.schemas import (
    SHA256,
    UnsupportedMediaType,
    case_json,
    device_moment,
    field_errors,
    finding_json,
    moment_message,
    photo_json,
)
from inspect_app.core.exceptions import Conflict, Forbidden, InvalidInput
from inspect_app.core.extensions import csrf, db
from inspect_app.evidence.services import add_evidence
from inspect_app.inspections import services
from inspect_app.inspections.forms import FindingForm, InspectionDecisionForm
from inspect_app.inspections.views import get_finding_or_404
from inspect_app.models import Case, CaseType, ChecklistTemplate, ContentArea, OrgUnit, Role, User
from inspect_app.permissions import get_case_by_reference_or_404
from inspect_app.tasks.forms import json_to_formdata

DECISION_FIELDS = {
    "type": "text",
    "decision_number": "text",
    "decision_date": "text",
    "unit": "text",
    "title": "text",
    "scope": "texts",
    "planned_start": "text",
    "planned_end": "text",
    "is_announced": "boolean",
    "lead": "text",
    "members": "texts",
    "checklist": "text",
    "follow_up_of": "text",
    "client_id": "text",
}
DECISION_REQUIRED = tuple(name for name in DECISION_FIELDS if name not in ("members", "follow_up_of", "client_id"))
# Fields the decision form checks as they come (the others name things by code and are looked up first).
DECISION_FORM_FIELDS = ("title", "decision_number", "decision_date", "scope", "planned_start", "planned_end")
FINDING_FIELDS = dict.fromkeys(
    ("client_id", "title", "description", "severity", "area", "item", "remediation_required", "captured_at"), "text"
)
FINDING_REQUIRED = ("client_id", "title", "severity", "area")
FINDING_FORM_FIELDS = ("title", "description", "severity", "area", "remediation_required")
PHOTO_FIELDS = dict.fromkeys(("client_id", "captured_at", "latitude", "longitude", "sha256", "csrf_token"), "text")
PHOTO_LIMITS = {"latitude": 90, "longitude": 180}


def get_inspection_by_reference_or_404(reference: str) -> Case:
    """A visible case that is an inspection, by its reference, or 404."""
    case = get_case_by_reference_or_404(reference)
    if case.inspection is None:
        abort(404)
    return case


def refuse_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise InvalidInput(_("Some answers need attention."), errors)


def save(operation):
    """Run `operation` and commit once. A concurrent request that won a race (the same client id, or the same case's
    history) makes this one fail at the database: run it once more, and it finds the winner's row or builds on it."""
    try:
        result = operation()
        db.session.commit()
        return result
    except (IntegrityError, StaleDataError):
        db.session.rollback()
    try:
        result = operation()
        db.session.commit()
        return result
    except StaleDataError:
        db.session.rollback()
        raise Conflict(_("Someone else changed this case at the same moment. Nothing was saved; try again.")) from None


# --- the decision --------------------------------------------------------------------------------------------------


def _active_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username, User.is_active.is_(True)))


def _look_up_decision(data: dict, errors: dict) -> dict:
    """What the decision names by code (unit, lead, members, checklist, earlier case); errors for what is not there."""
    found = {"members": []}
    if "type" not in errors and data["type"] != CaseType.INSPECTION.value:
        errors["type"] = [_('Only inspections start here: send "inspection".')]
    if "unit" not in errors:
        found["unit"] = db.session.scalar(select(OrgUnit).where(OrgUnit.code == data["unit"]))
        if found["unit"] is None:
            errors["unit"] = [_("No unit has this code.")]
    if "lead" not in errors:
        found["lead"] = _active_user(data["lead"])
        if found["lead"] is None:
            errors["lead"] = [_("No active user has this username.")]
        elif not found["lead"].has_role(Role.LEAD):
            errors["lead"] = [_("This user is not a team lead.")]
    if "members" not in errors:
        for username in dict.fromkeys(data.get("members") or []):
            member = _active_user(username)
            if member is None:
                errors.setdefault("members", []).append(
                    _("No active user has the username %(username)s.", username=username)
                )
            elif not member.has_role(Role.INSPECTOR, Role.LEAD):
                errors.setdefault("members", []).append(_("%(username)s is not an inspector.", username=username))
            found["members"].append(member)
    if "checklist" not in errors:
        found["template"] = db.session.scalar(
            select(ChecklistTemplate).where(
                ChecklistTemplate.code == data["checklist"], ChecklistTemplate.is_active.is_(True)
            )
        )
        if found["template"] is None:
            errors["checklist"] = [_("No active checklist has this code.")]
    found["follow_up_of"] = None
    if data.get("follow_up_of") and "follow_up_of" not in errors:
        earlier = db.session.scalar(select(Case).where(Case.reference == data["follow_up_of"]))
        if earlier is None or not earlier.can_view(current_user) or earlier.inspection is None or not earlier.is_closed:
            errors["follow_up_of"] = [_("No closed inspection has this reference.")]
        found["follow_up_of"] = earlier
    return found


def _decision_form(data: dict, errors: dict, found: dict) -> InspectionDecisionForm:
    """The decision page's form, filled with the request's values (things named by code, by their ids)."""
    values = {name: data[name] for name in DECISION_FORM_FIELDS if name in data and name not in errors}
    values["is_announced"] = data.get("is_announced") is True
    for name in ("unit", "lead", "template"):
        values[name] = found[name].id if found.get(name) is not None else None
    values["members"] = [member.id for member in found["members"] if member is not None]
    form = InspectionDecisionForm(formdata=json_to_formdata(values), meta={"csrf": False})
    form.fill_choices()
    if not form.validate():
        for name, messages in form.errors.items():
            errors.setdefault("checklist" if name == "template" else name, messages)
    return form


@bp.post("/cases")
def open_inspection():
    if not current_user.has_role(Role.DIRECTOR):
        raise Forbidden(_("Only directors decide inspections."))
    data = g.api_body
    errors = field_errors(data, DECISION_FIELDS, DECISION_REQUIRED)
    client_id = (data.get("client_id") if "client_id" not in errors else None) or None
    if client_id and (earlier := services.inspection_for_client_id(client_id)) is not None:
        return jsonify(case_json(earlier, current_user)), 200
    found = _look_up_decision(data, errors)
    form = _decision_form(data, errors, found)
    refuse_if(errors)
    follow_up_of = found["follow_up_of"]

    def operation():
        # A retry racing this request may have opened the case meanwhile: its client id then names it.
        earlier = services.inspection_for_client_id(client_id) if client_id else None
        if earlier is not None:
            return earlier, False
        case = services.open_inspection(
            actor=current_user,
            unit=found["unit"],
            title=form.title.data,
            decision_number=form.decision_number.data,
            decision_date=form.decision_date.data,
            scope=[ContentArea(area) for area in form.scope.data],
            planned_start=form.planned_start.data,
            planned_end=form.planned_end.data,
            is_announced=form.is_announced.data,
            template=found["template"],
            lead=found["lead"],
            members=found["members"],
            follow_up_of=follow_up_of,
            item_ids=services.failed_item_ids(follow_up_of) if follow_up_of else None,
            client_id=client_id,
        )
        return case, True

    case, created = save(operation)
    return jsonify(case_json(case, current_user)), 201 if created else 200


# --- findings ------------------------------------------------------------------------------------------------------


@bp.get("/cases/<reference>/findings")
def list_findings(reference: str):
    case = get_inspection_by_reference_or_404(reference)
    return jsonify(case=case.reference, findings=[finding_json(finding) for finding in case.findings])


@bp.post("/cases/<reference>/findings")
def raise_finding(reference: str):
    case = get_inspection_by_reference_or_404(reference)
    data = g.api_body
    errors = field_errors(data, FINDING_FIELDS, FINDING_REQUIRED)
    items = {item.code: item for item in case.inspection.checklist_items}
    item = captured_at = None
    if data.get("item") and "item" not in errors:
        item = items.get(data["item"])
        if item is None:
            errors["item"] = [_("This item is not on the case's checklist.")]
    if data.get("captured_at") and "captured_at" not in errors:
        captured_at = device_moment(data["captured_at"])
        if captured_at is None:
            errors["captured_at"] = [moment_message()]
    values = {name: data[name] for name in FINDING_FORM_FIELDS if name in data and name not in errors}
    form = FindingForm(formdata=json_to_formdata({**values, "item": item.id if item else None}), meta={"csrf": False})
    form.item.choices = [SelectChoice("", "")] + [SelectChoice(i.id, i.code) for i in items.values()]
    if not form.validate():
        for name, messages in form.errors.items():
            errors.setdefault(name, messages)
    refuse_if(errors)
    finding, created = save(
        lambda: services.raise_finding(
            case,
            actor=current_user,
            **form.finding_values(),
            item=item,
            client_id=data["client_id"],
            captured_at=captured_at,
        )
    )
    return jsonify(finding_json(finding)), 201 if created else 200


# --- photos --------------------------------------------------------------------------------------------------------


def check_multipart() -> None:
    """415 unless the body is multipart/form-data. A browser session must send its CSRF token (X-CSRFToken):
    unlike JSON, such a body can come from another site's HTML form."""
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType(_('Send the file as multipart/form-data, in the field "file".'))
    if bearer_user() is None:
        csrf.protect()


def _photo_fields() -> tuple[dict, dict]:
    """The upload's values (captured_at, latitude, longitude as read) and the errors, naming each field."""
    form = request.form
    errors = field_errors(form.to_dict(), PHOTO_FIELDS, ("client_id",))
    errors.update({name: [_("This form has no such field.")] for name in request.files if name != "file"})
    errors.update({name: [_("Send this field once.")] for name in PHOTO_FIELDS if len(form.getlist(name)) > 1})
    uploads = request.files.getlist("file")
    if len(uploads) != 1:
        errors["file"] = [_("This field is required.") if not uploads else _("Send one file per request.")]
    values = {"captured_at": None, "latitude": None, "longitude": None}
    if form.get("captured_at"):
        values["captured_at"] = device_moment(form["captured_at"])
        if values["captured_at"] is None:
            errors["captured_at"] = [moment_message()]
    for name, limit in PHOTO_LIMITS.items():
        if form.get(name):
            try:
                values[name] = float(form[name])
            except ValueError:
                values[name] = math.nan
            if not (math.isfinite(values[name]) and -limit <= values[name] <= limit):
                errors[name] = [_("Give a number from -%(limit)d to %(limit)d.", limit=limit)]
    if form.get("sha256") and not SHA256.fullmatch(form["sha256"]):
        errors["sha256"] = [_("Give the SHA-256 of the file as 64 hexadecimal digits.")]
    return values, errors


@bp.post("/findings/<int:finding_id>/photos")
def add_finding_photo(finding_id: int):
    check_multipart()
    finding = get_finding_or_404(finding_id)
    if not (finding.can_edit(current_user) or finding.can_report(current_user)):
        raise Forbidden(_("You may not add files to this finding now."))
    values, errors = _photo_fields()
    upload = request.files.get("file")
    data = upload.read() if upload is not None else b""
    expected = request.form.get("sha256", "").lower()
    if upload is not None and "sha256" not in errors and expected and hashlib.sha256(data).hexdigest() != expected:
        errors["sha256"] = [_("The file received does not have this SHA-256; send it again.")]
    refuse_if(errors)
    # As on the finding's page: the unit's files, once it has reported, go with its latest report.
    report = finding.latest_report if finding.can_report(current_user) else None
    evidence, created = save(
        lambda: add_evidence(
            finding.case,
            data,
            upload.filename or "",
            actor=current_user,
            finding=None if report else finding,
            report=report,
            client_id=request.form["client_id"],
            field="file",
            **values,
        )
    )
    return jsonify(photo_json(evidence)), 201 if created else 200
