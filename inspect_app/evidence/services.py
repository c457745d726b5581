"""Attaching evidence files to a case and its findings, answers and remediation reports."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.utils import secure_filename

from inspect_app.core import clock
from inspect_app.core.exceptions import Conflict
from inspect_app.core.extensions import db
from inspect_app.evidence.schemas import Photo
from inspect_app.evidence.storage import check_content, write_once
from inspect_app.history import record_event
from inspect_app.models import Case, ChecklistAnswer, EvidenceFile, Finding, ItemScore, RemediationReport, User


def add_evidence(
    case: Case,
    data: bytes,
    filename: str,
    *,
    actor: User,
    finding: Finding | None = None,
    report: RemediationReport | None = None,
    answer: ChecklistAnswer | None = None,
    score: ItemScore | None = None,
    client_id: str | None = None,
    captured_at: datetime | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    field: str = "file",
) -> tuple[EvidenceFile, bool]:
    """Check and store a file and record it; a retry with the same client id for the same thing returns the first
    (created=False), and for anything else is a Conflict.

    The caller checks who may attach to what; the bytes are written before the row, named by hash, so a rolled
    back request leaves at most an unreferenced file, never a row without its bytes."""
    if client_id:
        existing = db.session.scalar(select(EvidenceFile).where(EvidenceFile.client_id == client_id))
        if existing is not None:
            first = _target(existing.case, existing.finding, existing.report, existing.answer, existing.score)
            if first == _target(case, finding, report, answer, score):
                return existing, False
            # Another file of this case is shown (the caller may see it); of another case, nothing at all.
            shown = Photo.of(existing) if existing.case_id == case.id else None
            raise Conflict(_("This client_id was already used for another file; this one was not stored."), shown)
    checked = check_content(data, field)
    write_once(data, checked.sha256)
    evidence = EvidenceFile(
        case=case,
        finding=finding,
        report=report,
        answer=answer,
        score=score,
        client_id=client_id,
        sha256=checked.sha256,
        content_type=checked.content_type,
        size=checked.size,
        filename=(secure_filename(filename) or "file")[:200],
        uploaded_by=actor,
        received_at=clock.now(),
        captured_at=captured_at,
        latitude=latitude,
        longitude=longitude,
    )
    db.session.add(evidence)
    db.session.flush()
    record_event(
        case,
        "evidence.added",
        actor=actor,
        details={
            "file": evidence.id,
            "sha256": checked.sha256,
            "type": checked.content_type,
            "size": checked.size,
            **({"finding": finding.id} if finding else {}),
            **({"report": report.id} if report else {}),
            **({"criterion": score.criterion.code} if score else {}),
            **({"location": [latitude, longitude]} if latitude is not None and longitude is not None else {}),
        },
        captured_at=captured_at,
    )
    return evidence, True


def _target(
    case: Case,
    finding: Finding | None,
    report: RemediationReport | None,
    answer: ChecklistAnswer | None,
    score: ItemScore | None,
) -> tuple:
    """What a file is attached to. A finding's files go with its latest report once the unit has reported, so a retry
    may name the report where the first request named the finding: both mean the finding."""
    return case, report.finding if report is not None else finding, answer, score
