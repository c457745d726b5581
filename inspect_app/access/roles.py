"""The role policy: what each global role may see and do, the people a form may offer for a job, and the decorator
that keeps a page to some roles."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import select

from inspect_app.core.extensions import db
from inspect_app.models import Role, RoleAssignment, User

# Roles that see every case and every PAR round; the auditor among them only reads.
SEES_ALL_CASES = (Role.ADMIN, Role.DIRECTOR, Role.AUDITOR)
# Roles that see the cases, and the PAR rounds, whose teams they are on.
TEAM_ROLES = (Role.LEAD, Role.INSPECTOR)
# Roles that use the PAR rounds pages.
ROUND_VIEWERS = (*SEES_ALL_CASES, *TEAM_ROLES)
# Roles that search the history across cases (the auditor's daily work); they see every case already.
SEARCHES_HISTORY = (Role.ADMIN, Role.DIRECTOR, Role.AUDITOR)
# Who closes a published PAR round: the administrator who runs the rounds, and the director for the council.
CLOSES_ROUNDS = (Role.ADMIN, Role.DIRECTOR)
# Who may lead an inspection or appraisal team, and who may be on one.
LEADS_TEAMS = (Role.LEAD,)
JOINS_TEAMS = (Role.INSPECTOR, Role.LEAD)


def roles_required(*roles: Role):
    """Restrict a view to signed-in users holding one of `roles`; anyone else gets 404, as if it did not exist."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def may_search_history(user: User) -> bool:
    """Whether the user may search the history across cases (others get 404 there)."""
    return user.is_authenticated and user.has_role(*SEARCHES_HISTORY)


def may_lead_team(user: User) -> bool:
    """Whether the user may lead an inspection or appraisal team."""
    return user.is_active and user.has_role(*LEADS_TEAMS)


def may_join_team(user: User) -> bool:
    """Whether the user may be a member of an inspection or appraisal team."""
    return user.is_active and user.has_role(*JOINS_TEAMS)


def active_users_with(*roles: Role) -> list[User]:
    """The active users holding any of `roles`, by name (the people a form offers)."""
    holders = select(RoleAssignment.user_id).where(RoleAssignment.role.in_(roles))
    query = select(User).where(User.is_active.is_(True), User.id.in_(holders))
    return list(db.session.scalars(query.order_by(User.full_name, User.id)))


def may_close_rounds(user: User) -> bool:
    """Whether the user may close a published PAR round."""
    return user.is_authenticated and user.is_active and user.has_role(*CLOSES_ROUNDS)
