"""Filters of a case's history and of the history search (GET forms: nothing to protect with CSRF)."""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from inspect_app.audit.describe import GROUPS, actions_in, kinds
from inspect_app.audit.queries import EventFilter
from inspect_app.core.clock import user_zone
from inspect_app.core.extensions import db
from inspect_app.core.labels import ACTION_LABELS
from inspect_app.models import Case, CaseEvent, OrgUnit, User

SYSTEM = "0"  # the person filter's value for events no person did (timers)
# The days a period may name: beyond them a day's start in UTC is no longer a date Python can hold.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)


def a_calendar_day(form, field) -> None:
    """Refuse a day the history cannot hold, rather than fail on it."""
    if field.data is not None and not FIRST_DAY <= field.data <= LAST_DAY:
        raise ValidationError(
            _("Choose a day between %(first)s and %(last)s.", first=FIRST_DAY.year, last=LAST_DAY.year)
        )


class HistoryFilterForm(FlaskForm):
    """Kind, person and period: the filters of one case's history."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Kind"), default="")
    person = SelectField(_l("Person"), default="")
    date_from = DateField(_l("From"), validators=[Optional(), a_calendar_day])
    date_to = DateField(_l("To"), validators=[Optional(), a_calendar_day])

    FILTERS = ("kind", "person", "date_from", "date_to")

    def __init__(self, formdata, people: list[User]):
        super().__init__(formdata)
        self.kind.choices = kind_choices()
        self.person.choices = [
            SelectChoice("", _l("Everyone")),
            SelectChoice(SYSTEM, _l("The system (deadlines, timers)")),
            *(SelectChoice(str(user.id), f"{user.full_name} ({user.username})") for user in people),
        ]

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_("The end of the period is before its start."))

    @property
    def is_filtered(self) -> bool:
        return any(getattr(self, name).raw_data and getattr(self, name).raw_data[0] for name in self.FILTERS)

    def event_filter(self) -> EventFilter:
        """The filters as a query asks for them (call after `validate`)."""
        person = self.person.data or ""
        return EventFilter(
            actions=actions_of(self.kind.data),
            actor_id=int(person) if person and person != SYSTEM else None,
            by_system=person == SYSTEM,
            start=_start_of(self.date_from.data),
            end=_start_of(self.date_to.data + timedelta(days=1)) if self.date_to.data else None,
        )


class HistorySearchForm(HistoryFilterForm):
    """The filters of the search across cases: the case's unit besides kind, person and period."""

    unit = SelectField(_l("Unit (and the units under it)"), default="")

    FILTERS = ("unit", *HistoryFilterForm.FILTERS)

    def __init__(self, formdata, people: list[User], units: list[OrgUnit]):
        super().__init__(formdata, people)
        self.unit.choices = [SelectChoice("", _l("All units")), *(SelectChoice(str(u.id), u.name) for u in units)]

    def event_filter(self) -> EventFilter:
        return replace(super().event_filter(), unit_id=int(self.unit.data) if self.unit.data else None)


def kind_choices() -> list[SelectChoice]:
    """Every kind: all of them, then each group (all its actions, then each action), grouped as the filter shows."""
    choices = [SelectChoice("", _l("All kinds"))]
    for group, group_label in GROUPS.items():
        actions = actions_in(group)
        if not actions:
            continue
        choices.append(SelectChoice(group, _l("All: %(group)s", group=group_label), optgroup=str(group_label)))
        choices += [SelectChoice(a, ACTION_LABELS.get(a, a), optgroup=str(group_label)) for a in actions]
    return choices


def actions_of(kind: str | None) -> tuple[str, ...] | None:
    """The actions a kind stands for: a group's, one action, or None for every kind."""
    if not kind:
        return None
    if kind in GROUPS:
        return tuple(actions_in(kind))
    return (kind,) if kind in kinds() else ()


def people_on_case(case: Case) -> list[User]:
    """The people who did something on the case, by name."""
    acted = select(CaseEvent.actor_id).where(CaseEvent.case_id == case.id, CaseEvent.actor_id.is_not(None))
    return list(db.session.scalars(select(User).where(User.id.in_(acted)).order_by(User.full_name, User.id)))


def everyone() -> list[User]:
    """Every user, by name (the search's person filter)."""
    return list(db.session.scalars(select(User).order_by(User.full_name, User.id)))


def all_units() -> list[OrgUnit]:
    return list(db.session.scalars(select(OrgUnit).order_by(OrgUnit.name, OrgUnit.id)))


def _start_of(day: date | None) -> datetime | None:
    """Midnight at the start of `day` where the reader is, in UTC."""
    return None if day is None else datetime.combine(day, time.min, tzinfo=user_zone()).astimezone(UTC)
