"""How the history reads a stored evidence file (see audit/describe.py)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from inspect_app.audit.describe import EventKind, Field
from inspect_app.audit.formats import choice, coordinates, criterion, file_size, finding
from inspect_app.evidence.storage import IMAGE_TYPES, PDF_TYPE

FILE_TYPE_LABELS = {
    IMAGE_TYPES["JPEG"]: _l("JPEG photo"),
    IMAGE_TYPES["PNG"]: _l("PNG image"),
    PDF_TYPE: _l("PDF document"),
}


def file_subject(event, lookups) -> str | None:
    file_id = (event.details or {}).get("file")
    if file_id is None:
        return None
    found = lookups.evidence(event.case, file_id)
    return found.filename if found is not None else _("file no. %(id)s", id=file_id)


def report_on(value, event, lookups) -> str:
    """A remediation report, by the finding it answers."""
    found = lookups.report(value)
    if found is None:
        return _("report no. %(id)s", id=value)
    return _("Report on: %(finding)s", finding=finding(found.finding_id, event, lookups))


EVENT_KINDS = {
    "evidence.added": EventKind(
        "evidence",
        subject=file_subject,
        fields=(
            Field("type", _l("File type"), choice(FILE_TYPE_LABELS)),
            Field("size", _l("Size"), file_size),
            Field("finding", _l("Finding"), finding),
            Field("report", _l("Remediation report"), report_on),
            Field("criterion", _l("Criterion"), criterion),
            Field("location", _l("Taken at (latitude, longitude)"), coordinates),
            Field("sha256", _l("SHA-256 fingerprint")),
        ),
        hidden=frozenset({"file"}),
    ),
}
