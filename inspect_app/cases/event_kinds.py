"""How the history reads the events of cases and their teams (see audit/describe.py)."""

from flask_babel import lazy_gettext as _l

from inspect_app.audit.describe import EventKind, Field
from inspect_app.audit.formats import changed, choice, person, subject, unit
from inspect_app.core.labels import CASE_STATUS_LABELS, CASE_TYPE_LABELS, REASON_LABELS, TEAM_ROLE_LABELS

# A reason the app records in words (the process ran to its end); a person's own reason as they wrote it.
closing_reason = choice(REASON_LABELS)


EVENT_KINDS = {
    "case.created": EventKind(
        "case",
        subject=subject("title"),
        fields=(
            Field("reference", _l("Reference")),
            Field("type", _l("Type"), choice(CASE_TYPE_LABELS)),
            Field("unit", _l("Subject unit"), unit),
        ),
        hidden=frozenset({"title"}),
    ),
    "case.closed": EventKind(
        "case",
        fields=(
            Field("status", _l("Status"), changed(choice(CASE_STATUS_LABELS))),
            Field("reason", _l("Reason"), closing_reason),
        ),
    ),
    "team.added": EventKind(
        "case",
        subject=subject("user", person),
        fields=(Field("role", _l("Role on the team"), choice(TEAM_ROLE_LABELS)),),
        hidden=frozenset({"user"}),
    ),
}
