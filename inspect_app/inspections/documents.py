"""Printable inspection documents: the minutes (biên bản kiểm tra) and the conclusion notice (thông báo kết luận
kiểm tra), as HTML and as PDF rendered by WeasyPrint from the same templates."""

from collections import Counter
from datetime import date, datetime
from io import BytesIO

from flask import abort, current_app, redirect, render_template, request, send_file, url_for
from flask_babel import format_date, format_datetime, get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from inspect_app.access.loaders import inspection_case_or_404
from inspect_app.core import clock
from inspect_app.core.extensions import db
from inspect_app.core.redirects import safe_next_url
from inspect_app.inspections import bp
from inspect_app.models import Case, ChecklistAnswer, ContentArea, Finding, OrgUnit
from inspect_app.models.inspections import IN_MINUTES

# The slug in each document's PDF file name, e.g. KT-2026-0001-bien-ban.pdf.
MINUTES_SLUG = "bien-ban"
CONCLUSION_SLUG = "ket-luan"


# --- dates in the style of the user's language ---------------------------------------------------------------------


def _is_vietnamese() -> bool:
    return get_locale() is not None and get_locale().language == "vi"


def document_date(value: date | datetime | None) -> str:
    """A date as administrative documents write it: "ngày 02 tháng 12 năm 2026" in Vietnamese,
    "December 2, 2026" in English. Days below 10 and the months January and February take a leading zero
    (Decree 30/2020/ND-CP)."""
    if value is None:
        return ""
    if not _is_vietnamese():
        return format_date(value, "long")
    month = value.astimezone(get_timezone()).month if isinstance(value, datetime) else value.month
    return format_date(value, "'ngày' dd 'tháng' " + ("MM" if month < 3 else "M") + " 'năm' y")


def document_time(value: datetime | None) -> str:
    """A moment with its hour: "16 giờ 30 ngày 02 tháng 12 năm 2026", or "4:30 PM, December 2, 2026"."""
    if value is None:
        return ""
    if not _is_vietnamese():
        return format_datetime(value, "h:mm a, MMMM d, y")
    return format_datetime(value, "H 'giờ' mm ") + document_date(value)


# --- what the documents show ---------------------------------------------------------------------------------------


def findings_in_minutes(case: Case) -> list[Finding]:
    """The findings the minutes record (kept, and whatever became of them since), in the order raised."""
    return [finding for finding in case.findings if finding.state in IN_MINUTES]


def checklist_summary(case: Case) -> list[tuple[ContentArea, Counter]]:
    """Per content area, how many checklist items the team found compliant, not compliant or not applicable (each
    item has one answer); items nobody answered are left out."""
    answers = dict(
        db.session.execute(
            select(ChecklistAnswer.item_id, ChecklistAnswer.answer).where(ChecklistAnswer.case_id == case.id)
        ).all()
    )
    counts: dict[ContentArea, Counter] = {}
    for item in case.inspection.checklist_items:
        if item.id in answers:
            counts.setdefault(item.area, Counter())[answers[item.id]] += 1
    return [(area, counts[area]) for area in ContentArea if area in counts]


def issuing_unit(case: Case) -> OrgUnit | None:
    """The agency that issues the documents: the unit of the director who concluded, else of whoever decided."""
    inspection = case.inspection
    for person in (inspection.concluded_by, case.created_by):
        if person is not None and person.unit is not None:
            return person.unit
    return None


def _context(case: Case, for_pdf: bool) -> dict:
    unit = issuing_unit(case)
    return {
        "case": case,
        "inspection": case.inspection,
        "issuing_unit": unit,
        "governing_unit": unit.parent if unit is not None else None,
        "findings": findings_in_minutes(case),
        "scope": [ContentArea(area) for area in case.inspection.scope],
        "for_pdf": for_pdf,
        "document_date": document_date,
        "document_time": document_time,
        "place": current_app.config.get("DOCUMENT_PLACE", ""),
    }


# --- PDF -----------------------------------------------------------------------------------------------------------


def _pdf_response(html: str, case: Case, slug: str):
    # Imported here: WeasyPrint takes ~0.4 s to import, which every process (web, CLI, worker) would pay at start-up.
    from inspect_app.core.pdf import render_pdf

    return send_file(
        BytesIO(render_pdf(html)),
        mimetype="application/pdf",
        download_name=f"{case.reference}-{slug}.pdf",
        max_age=0,
    )


def _not_written(message: str):
    return render_template("error.html", code=404, message=message), 404


# --- routes --------------------------------------------------------------------------------------------------------


def _minutes(case_id: int, as_pdf: bool):
    case = inspection_case_or_404(case_id)
    if case.inspection.minutes_at is None:
        return _not_written(_("The minutes of %(reference)s are not written yet.", reference=case.reference))
    html = render_template(
        "inspections/documents/minutes.html", summary=checklist_summary(case), **_context(case, as_pdf)
    )
    return _pdf_response(html, case, MINUTES_SLUG) if as_pdf else html


def _conclusion(case_id: int, as_pdf: bool):
    case = inspection_case_or_404(case_id)
    if case.inspection.concluded_at is None:
        return _not_written(_("The conclusion notice of %(reference)s is not issued yet.", reference=case.reference))
    html = render_template("inspections/documents/conclusion.html", **_context(case, as_pdf))
    return _pdf_response(html, case, CONCLUSION_SLUG) if as_pdf else html


@bp.route("/<int:case_id>/minutes")
@login_required
def minutes(case_id: int):
    """The minutes as a page to read or print."""
    return _minutes(case_id, as_pdf=False)


@bp.route("/<int:case_id>/minutes.pdf")
@login_required
def minutes_pdf(case_id: int):
    """The minutes as a PDF."""
    return _minutes(case_id, as_pdf=True)


@bp.route("/<int:case_id>/conclusion")
@login_required
def conclusion(case_id: int):
    """The conclusion notice as a page to read or print."""
    return _conclusion(case_id, as_pdf=False)


@bp.route("/<int:case_id>/conclusion/draft")
@login_required
def conclusion_draft(case_id: int):
    """The conclusion notice as approving it now would issue it, for the director deciding and the team lead; a
    draft nobody else may see (404), and the notice itself once it is issued."""
    case = inspection_case_or_404(case_id)
    if case.inspection.concluded_at is not None:
        return redirect(url_for("inspections.conclusion", case_id=case.id))
    if not case.inspection.can_preview_conclusion(current_user):
        abort(404)
    back = request.args.get("back")
    return render_template(
        "inspections/documents/conclusion.html",
        is_draft=True,
        draft_date=clock.now(),
        back_url=safe_next_url(back) if back else None,
        **_context(case, for_pdf=False),
    )


@bp.route("/<int:case_id>/conclusion.pdf")
@login_required
def conclusion_pdf(case_id: int):
    """The conclusion notice as a PDF."""
    return _conclusion(case_id, as_pdf=True)
