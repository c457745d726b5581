"""What each user may see: cases (and with them their tasks, findings, scores and files), PAR rounds and
notifications, each as a Python predicate for one object and as a SQL clause for lists.

A round's two forms are one definition (the predicate runs the clause). A case's and a notification's are written
twice, for speed on pages that ask about many objects; tests/permissions/test_sql_agrees_with_python.py checks
that each pair agrees for generated users, units, teams and cases."""

from sqlalchemy import exists, false, or_, select, true

from inspect_app.access.roles import SEES_ALL_CASES, TEAM_ROLES
from inspect_app.core.extensions import db
from inspect_app.models import Case, CaseTeamMember, Notification, OrgUnit, ParRound, Role, User

# --- cases ----------------------------------------------------------------------------------------------------------


def can_view_case(case: Case, user: User) -> bool:
    """Whether the user may see the case at all (others get 404): every case for admins, directors and auditors,
    those whose team they are on for leads and inspectors, those about their unit or below it for unit officers."""
    if not user.is_authenticated:
        return False
    if user.has_role(*SEES_ALL_CASES):
        return True
    if user.has_role(*TEAM_ROLES) and case.team_role_of(user) is not None:
        return True
    if user.has_role(Role.UNIT_OFFICER) and user.unit_id is not None:
        return case.subject_unit_id in set(db.session.scalars(OrgUnit.subtree_ids(user.unit_id)))
    return False


def cases_visible_to(user: User):
    """A WHERE clause selecting the cases `user` may see (the SQL form of `can_view_case`)."""
    if not user.is_authenticated:
        return false()
    if user.has_role(*SEES_ALL_CASES):
        return true()
    clauses = []
    if user.has_role(*TEAM_ROLES):
        clauses.append(Case.id.in_(select(CaseTeamMember.case_id).where(CaseTeamMember.user_id == user.id)))
    if user.has_role(Role.UNIT_OFFICER) and user.unit_id is not None:
        clauses.append(Case.subject_unit_id.in_(OrgUnit.subtree_ids(user.unit_id)))
    return or_(false(), *clauses)


# --- PAR rounds -----------------------------------------------------------------------------------------------------


def rounds_visible_to(user: User):
    """A WHERE clause selecting the PAR rounds `user` may see: every round for admins, directors and auditors, those
    a lead or inspector appraises, and, once the council approved all its units (published), every round."""
    if not user.is_authenticated:
        return false()
    if user.has_role(*SEES_ALL_CASES):
        return true()
    clauses = [ParRound.published()]
    if user.has_role(*TEAM_ROLES):
        clauses.append(ParRound.has_on_team(user))
    return or_(*clauses)


def can_view_round(par_round: ParRound, user: User) -> bool:
    """Whether the user may see the round (others get 404); the same rule as `rounds_visible_to`, run for one."""
    query = select(exists().where(ParRound.id == par_round.id, rounds_visible_to(user)))
    return bool(db.session.scalar(query))


# --- notifications --------------------------------------------------------------------------------------------------


def can_view_notification(notification: Notification, user: User) -> bool:
    """Whether the notification is the user's own (everyone else's are 404)."""
    return user.is_authenticated and notification.user_id == user.id


def notifications_visible_to(user: User):
    """A WHERE clause selecting the user's own notifications (the SQL form of `can_view_notification`)."""
    return Notification.user_id == user.id if user.is_authenticated else false()
