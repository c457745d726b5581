"""The field device's door to inspections: open one, answer the checklist, raise findings, add photos, and read the
findings back.

Thin entry points over the inspection pages' permission predicates and services, each in one unit of work. What a
device creates carries the device's own id (client_id), so that a retried request creates nothing twice and answers
200; those calls run once more if they lose a race, and the second run finds the winner's row."""

import hashlib

from flask import abort, g, request
from flask_babel import gettext as _
from flask_login import current_user

from inspect_app.access.loaders import finding_or_404, inspection_by_reference_or_404
from inspect_app.api import bp
from inspect_app.api.auth import bearer_user
from inspect_app.api.schemas import UnsupportedMediaType, answer
from inspect_app.cases.schemas import CaseDetail
from inspect_app.core.exceptions import Forbidden, InvalidInput
from inspect_app.core.extensions import csrf
from inspect_app.core.schemas import parse
from inspect_app.core.unit_of_work import transactional
from inspect_app.evidence.schemas import Photo, PhotoUpload
from inspect_app.evidence.services import add_evidence
from inspect_app.inspections import answers, services
from inspect_app.inspections.schemas import (
    ChecklistAnswerInput,
    FindingList,
    FindingOut,
    InspectionDecision,
    NewFinding,
    SavedAnswer,
)
from inspect_app.models import Role

# --- the decision --------------------------------------------------------------------------------------------------


@bp.post("/cases")
@transactional(retry=True)
def open_inspection():
    if not current_user.has_role(Role.DIRECTOR):
        raise Forbidden(_("Only directors decide inspections."))
    decision = parse(InspectionDecision, g.api_body, actor=current_user)
    if decision.client_id and (earlier := services.inspection_for_client_id(decision.client_id)) is not None:
        return answer(CaseDetail.of(earlier, current_user))
    case = services.open_inspection(
        actor=current_user,
        title=decision.title,
        decision_number=decision.decision_number,
        decision_date=decision.decision_date,
        scope=decision.scope,
        planned_start=decision.planned_start,
        planned_end=decision.planned_end,
        is_announced=decision.is_announced,
        **services.resolve_decision(decision, actor=current_user),
        client_id=decision.client_id,
    )
    return answer(CaseDetail.of(case, current_user), 201)


# --- on site -------------------------------------------------------------------------------------------------------


@bp.put("/cases/<reference>/answers/<item>")
@transactional(retry=True)
def save_checklist_answer(reference: str, item: str):
    case = inspection_by_reference_or_404(reference)
    try:
        checklist_item = services.item_by_code(case, item)
    except services.NotNamed:
        abort(404)
    data = parse(ChecklistAnswerInput, g.api_body)
    row = answers.save_answer(
        case,
        checklist_item,
        actor=current_user,
        answer=data.answer,
        note=data.note,
        based_on=data.based_on,
        captured_at=data.captured_at,
        client_id=data.client_id,
    )
    return answer(SavedAnswer.of(row))


# --- findings ------------------------------------------------------------------------------------------------------


@bp.get("/cases/<reference>/findings")
def list_findings(reference: str):
    case = inspection_by_reference_or_404(reference)
    return answer(FindingList(case=case.reference, findings=[FindingOut.of(finding) for finding in case.findings]))


@bp.post("/cases/<reference>/findings")
@transactional(retry=True)
def raise_finding(reference: str):
    case = inspection_by_reference_or_404(reference)
    data = parse(NewFinding, g.api_body, case=case)
    finding, created = services.raise_finding(
        case,
        actor=current_user,
        title=data.title,
        description=data.description or "",
        severity=data.severity,
        area=data.area,
        remediation_required=data.remediation_required or "",
        item=services.item_by_code(case, data.item) if data.item else None,
        client_id=data.client_id,
        captured_at=data.captured_at,
    )
    return answer(FindingOut.of(finding), 201 if created else 200)


# --- photos --------------------------------------------------------------------------------------------------------


def check_multipart() -> None:
    """415 unless the body is multipart/form-data. A browser session must send its CSRF token (X-CSRFToken):
    unlike JSON, such a body can come from another site's HTML form."""
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType(_('Send the file as multipart/form-data, in the field "file".'))
    if bearer_user() is None:
        csrf.protect()


def _upload() -> tuple[PhotoUpload, bytes, str]:
    """The upload's fields, the file's bytes and its name; 422 naming each refused field."""
    form, files = request.form, request.files
    errors = {name: [_("unknown field")] for name in files if name != "file"}
    errors |= {name: [_("Send this field once.")] for name in form if len(form.getlist(name)) > 1}
    uploads = files.getlist("file")
    if len(uploads) != 1:
        errors["file"] = [_("required") if not uploads else _("Send one file per request.")]
    fields = {name: value for name, value in form.to_dict().items() if value != ""}
    try:
        upload = parse(PhotoUpload, fields)
    except InvalidInput as refusal:
        errors = refusal.errors | errors
    if len(uploads) == 1:
        uploads[0].seek(0)  # a second run (after a lost race) reads it again
    data = uploads[0].read() if len(uploads) == 1 else b""
    if not errors and upload.sha256 and hashlib.sha256(data).hexdigest() != upload.sha256.lower():
        errors["sha256"] = [_("The file received does not have this SHA-256; send it again.")]
    if errors:
        raise InvalidInput(_("Some answers need attention."), errors)
    return upload, data, uploads[0].filename or ""


@bp.post("/findings/<int:finding_id>/photos")
@transactional(retry=True)
def add_finding_photo(finding_id: int):
    check_multipart()
    finding = finding_or_404(finding_id, check="can_add_file")
    upload, data, filename = _upload()
    # As on the finding's page: the unit's files, once it has reported, go with its latest report.
    report = finding.latest_report if finding.can_report(current_user) else None
    evidence, created = add_evidence(
        finding.case,
        data,
        filename,
        actor=current_user,
        finding=None if report else finding,
        report=report,
        client_id=upload.client_id,
        captured_at=upload.captured_at,
        latitude=upload.latitude,
        longitude=upload.longitude,
        field="file",
    )
    return answer(Photo.of(evidence), 201 if created else 200)
