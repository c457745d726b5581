"""Attaching evidence files to a case and its findings, answers and remediation reports."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.utils import secure_filename

from inspect_app.core import clock
from inspect_app.core.exceptions import Conflict
from inspect_app.core.extensions import db
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
    """Check and store a file and record it; a retry with the same client id returns the first (created=False).

    The caller checks who may attach to what; the bytes are written before the row, named by hash, so a rolled
    back request leaves at most an unreferenced file, never a row without its bytes."""
    if client_id:
        existing = db.session.scalar(select(EvidenceFile).where(EvidenceFile.client_id == client_id))
        if existing is not None:
            if existing.case_id != case.id:
                raise Conflict(_("This file id is already used on another case."))
            return existing, False
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
