"""How the history reads the events of PAR appraisals (see audit/describe.py)."""

from flask_babel import lazy_gettext as _l

from inspect_app.audit.describe import EventKind, Field
from inspect_app.audit.formats import changed, criterion, finding, listed, number, subject, unit, yes_no


def round_subject(event, lookups) -> str | None:
    round_id = (event.details or {}).get("round")
    found = lookups.par_round(round_id) if round_id is not None else None
    return found.name if found is not None else None


def criteria_set(value, event, lookups) -> str:
    """The criteria set's code as its name (the set the case is scored on)."""
    par = event.case.par
    return par.criteria_set.name if par is not None and par.criteria_set.code == value else str(value)


def signed_points(value, event, lookups) -> str:
    """Bonus points with a plus sign, penalty points with a minus sign."""
    shown = number(value, event, lookups)
    return shown if shown.startswith(("-", "−")) else f"+{shown}"


def scores_by_component(value, event, lookups) -> str:
    """Survey scores, one per component: "SIPAS: 18,41; Leaders: 9,21"."""
    return "; ".join(f"{name}: {number(score, event, lookups)}" for name, score in value.items())


# The fields of a unit's score that the scoring actions change (par/services.py), each as "old → new".
SCORE_CHANGES = (
    Field("self_score", _l("Self-assessed score"), changed(number)),
    Field("self_note", _l("Unit's note"), changed()),
    Field("first_score", _l("Score, round 1"), changed(number)),
    Field("first_comment", _l("Comment, round 1"), changed()),
    Field("needs_explanation", _l("Explanation requested"), changed(yes_no)),
    Field("explanation", _l("Explanation"), changed()),
    Field("final_score", _l("Final score"), changed(number)),
    Field("final_comment", _l("Final comment"), changed()),
)
SCORE_KIND = {"subject": subject("criterion", criterion), "fields": SCORE_CHANGES, "hidden": frozenset({"criterion"})}

EVENT_KINDS = {
    "par.opened": EventKind(
        "par",
        subject=round_subject,
        fields=(
            Field("year", _l("Year")),
            Field("criteria_set", _l("Criteria set"), criteria_set),
            Field("unit", _l("Unit"), unit),
        ),
        hidden=frozenset({"round"}),
    ),
    "par.self_scored": EventKind("par", **SCORE_KIND),
    "par.submitted": EventKind("par"),
    "par.locked": EventKind(
        "par", fields=(Field("unscored", _l("Items left without a score"), listed(separator=", ")),)
    ),
    "par.appraised": EventKind("par", **SCORE_KIND),
    "par.explained": EventKind("par", **SCORE_KIND),
    "par.finally_appraised": EventKind("par", **SCORE_KIND),
    "par.adjusted": EventKind(
        "par",
        fields=(
            Field("points", _l("Points"), signed_points),
            Field("reason", _l("Reason")),
            Field("finding", _l("Finding"), finding),
        ),
    ),
    "par.survey_imported": EventKind(
        "par",
        fields=(
            Field("components", _l("Survey scores"), scores_by_component),
            Field("total", _l("Survey total"), number),
            Field("previous_total", _l("Previous survey total"), number),
        ),
    ),
    "par.approved": EventKind("par"),
    "par.round_closed": EventKind("par", subject=subject("name"), hidden=frozenset({"round", "year", "name"})),
}
