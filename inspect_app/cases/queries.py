"""Read-only case queries: the text search shared by the case list and the inbox."""

from sqlalchemy import ColumnElement, or_, select

from inspect_app.core.extensions import db
from inspect_app.core.search import contains, matches
from inspect_app.models import Case, OrgUnit


def cases_matching(asked: str) -> ColumnElement:
    """A WHERE clause: the case's reference or title, or its unit's name, contains the phrase `asked`, with or
    without diacritics ("nam sach" finds "Huyện Nam Sách")."""
    clause = contains(Case.search_text, asked)
    # A few hundred units, matched here: the cases then come by their unit's index, beside the text's own index.
    units = db.session.execute(select(OrgUnit.id, OrgUnit.name))
    unit_ids = [unit_id for unit_id, name in units if matches(name, asked)]
    return or_(clause, Case.subject_unit_id.in_(unit_ids)) if unit_ids else clause
