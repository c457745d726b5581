"""What the dashboard shows about PAR: the rounds a user works on, and a unit officer's own unit's appraisals, each
with the way to its ranking and scorecard, so that nobody has to type an address."""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from inspect_app.access.roles import ROUND_VIEWERS
from inspect_app.access.visibility import rounds_visible_to
from inspect_app.core.extensions import db
from inspect_app.models import Case, CaseType, ParAssessment, ParRound, Role, User

DASHBOARD_ROUNDS = 4
DASHBOARD_APPRAISALS = 6


def par_section(user: User) -> dict | None:
    """The dashboard's PAR section for `user`, or None when there is nothing about PAR to show them."""
    rounds = _rounds(user) if user.has_role(*ROUND_VIEWERS) else []
    appraisals = _own_unit_appraisals(user) if user.has_role(Role.UNIT_OFFICER) else []
    if not rounds and not appraisals:
        return None
    return {"key": "par", "rounds": rounds, "appraisals": appraisals}


def _rounds(user: User) -> list[dict]:
    """The latest rounds the user may see, each with how many of its units are approved."""
    query = select(ParRound).where(rounds_visible_to(user)).order_by(ParRound.year.desc(), ParRound.id.desc())
    rounds = list(db.session.scalars(query.limit(DASHBOARD_ROUNDS)))
    counts = {
        round_id: (units, approved)
        for round_id, units, approved in db.session.execute(
            select(ParAssessment.round_id, func.count(), func.count(ParAssessment.approved_at))
            .where(ParAssessment.round_id.in_([r.id for r in rounds]))
            .group_by(ParAssessment.round_id)
        )
    }
    return [{"round": r, "units": counts.get(r.id, (0, 0))[0], "approved": counts.get(r.id, (0, 0))[1]} for r in rounds]


def _own_unit_appraisals(user: User) -> list[dict]:
    """The appraisals of the officer's unit (those they may see), latest round first, and whether its round's
    ranking is theirs to see (once published)."""
    query = (
        select(ParAssessment)
        .join(Case, Case.id == ParAssessment.case_id)
        .join(ParRound, ParRound.id == ParAssessment.round_id)
        .where(Case.case_type == CaseType.PAR_APPRAISAL, Case.visible_to(user))
        .options(joinedload(ParAssessment.round), joinedload(ParAssessment.unit), joinedload(ParAssessment.case))
        .order_by(ParRound.year.desc(), ParRound.id.desc(), ParAssessment.case_id)
    )
    found = list(db.session.scalars(query.limit(DASHBOARD_APPRAISALS)))
    return [{"par": par, "sees_ranking": par.round.can_view(user)} for par in found]
