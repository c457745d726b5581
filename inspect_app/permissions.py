"""Role checks and loaders that answer 404 for anything the user may not see."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from inspect_app.core.extensions import db
from inspect_app.models import Case, Role


def get_case_or_404(case_id: int, check: str = "can_view") -> Case:
    """Load a case, or 404 when it does not exist or the user fails `check` (a `can_<verb>` predicate)."""
    case = db.session.get(Case, case_id)
    if case is None or not case.can_view(current_user) or not getattr(case, check)(current_user):
        abort(404)
    return case


def get_case_by_reference_or_404(reference: str, check: str = "can_view") -> Case:
    """Like `get_case_or_404`, by the case's reference (e.g. KT-2022-0001)."""
    case = db.session.scalar(db.select(Case).where(Case.reference == reference))
    return get_case_or_404(case.id if case else -1, check=check)


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
