"""Forms for PAR rounds: opening a round, importing the survey, and bonus or penalty points."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import BooleanField, DateField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from inspect_app.access.roles import JOINS_TEAMS, LEADS_TEAMS, active_users_with
from inspect_app.core.extensions import db
from inspect_app.core.labels import ORG_LEVEL_LABELS
from inspect_app.core.numbers import DecimalText
from inspect_app.models import CriteriaSet, OrgLevel, OrgUnit, ParAssessment, ParRound

# The levels a round may take part at, each with its criteria-set field.
LEVELS = (OrgLevel.DEPARTMENT, OrgLevel.DISTRICT, OrgLevel.COMMUNE)
DATE_FIELDS = ("self_assessment_due", "first_appraisal_due", "explanation_due", "second_appraisal_due", "approval_due")


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class RoundOpenForm(FlaskForm):
    """A year's round: the criteria set per level, the units taking part, the appraisal team and the dates."""

    year = IntegerField(_l("Year assessed"), validators=[InputRequired(), NumberRange(min=2000, max=2100)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=300)])
    set_department = SelectField(_l("Criteria set for departments"), coerce=_optional_int, validators=[Optional()])
    set_district = SelectField(_l("Criteria set for districts"), coerce=_optional_int, validators=[Optional()])
    set_commune = SelectField(_l("Criteria set for communes"), coerce=_optional_int, validators=[Optional()])
    all_departments = BooleanField(_l("All departments"))
    all_districts = BooleanField(_l("All districts"))
    units = SelectMultipleField(_l("Units taking part"), coerce=int, validators=[Optional()])
    lead = SelectField(_l("Appraisal lead"), coerce=_optional_int, validators=[DataRequired()])
    appraisers = SelectMultipleField(_l("Appraisers"), coerce=int, validators=[Optional()])
    self_assessment_due = DateField(_l("Self-assessment deadline"), validators=[DataRequired()])
    first_appraisal_due = DateField(_l("First appraisal by"), validators=[DataRequired()])
    explanation_due = DateField(_l("Explanation deadline"), validators=[DataRequired()])
    second_appraisal_due = DateField(_l("Second appraisal by"), validators=[DataRequired()])
    approval_due = DateField(_l("Approval by"), validators=[DataRequired()])

    def fill_choices(self) -> None:
        """Criteria sets per level, the units by level, and the people who may appraise."""
        sets = db.session.scalars(select(CriteriaSet).order_by(CriteriaSet.year.desc(), CriteriaSet.name))
        by_level = {level: [SelectChoice("", _l("— none —"))] for level in LEVELS}
        for s in sets:
            if s.level in by_level:
                by_level[s.level].append(SelectChoice(s.id, f"{s.name} ({s.year})"))
        for level in LEVELS:
            self.set_field(level).choices = by_level[level]
        units = db.session.scalars(select(OrgUnit).where(OrgUnit.level.in_(LEVELS)).order_by(OrgUnit.name))
        ordered = sorted(units, key=lambda u: LEVELS.index(u.level))
        self.units.choices = [SelectChoice(u.id, u.name, optgroup=str(ORG_LEVEL_LABELS[u.level])) for u in ordered]
        self.lead.choices = [SelectChoice("", _l("— choose —"))] + [
            SelectChoice(u.id, u.full_name) for u in active_users_with(*LEADS_TEAMS)
        ]
        self.appraisers.choices = [SelectChoice(u.id, u.full_name) for u in active_users_with(*JOINS_TEAMS)]

    def set_field(self, level: OrgLevel) -> SelectField:
        return self[f"set_{level.value}"]

    def chosen_units(self) -> list[OrgUnit]:
        """The units ticked, plus every department or district when the shortcut is ticked."""
        levels = [
            lvl
            for lvl, box in ((OrgLevel.DEPARTMENT, self.all_departments), (OrgLevel.DISTRICT, self.all_districts))
            if box.data
        ]
        query = select(OrgUnit).where(OrgUnit.id.in_(self.units.data or []) | OrgUnit.level.in_(levels))
        return sorted(db.session.scalars(query), key=lambda u: (LEVELS.index(u.level), u.name))

    def chosen_sets(self) -> dict[OrgLevel, CriteriaSet]:
        """The criteria set chosen for each level (levels left empty are not in the dict)."""
        chosen = {level: self.set_field(level).data for level in LEVELS if self.set_field(level).data}
        sets = {s.id: s for s in db.session.scalars(select(CriteriaSet).where(CriteriaSet.id.in_(chosen.values())))}
        return {level: sets[set_id] for level, set_id in chosen.items()}

    def validate(self, extra_validators=None) -> bool:
        """Field checks first, then the checks across fields, each error put on the field to correct."""
        valid = super().validate(extra_validators)
        units = self.chosen_units()
        if not units:
            self.units.errors.append(_l("Choose at least one unit, or tick all departments or all districts."))
        for level in sorted({u.level for u in units}, key=LEVELS.index):
            if not self.set_field(level).data:
                self.set_field(level).errors.append(_l("Units of this level take part: choose their criteria set."))
        if self.lead.data and not [i for i in self.appraisers.data or [] if i != self.lead.data]:
            self.appraisers.errors.append(_l("Choose at least one appraiser besides the lead."))
        previous = None
        for name in DATE_FIELDS:
            field = self[name]
            if field.data and previous is not None and field.data < previous.data:
                field.errors.append(_l("This date cannot come before %(field)s.", field=previous.label.text))
            if field.data:
                previous = field
        if self.year.data and units:
            taken = db.session.scalars(
                select(OrgUnit.name)
                .join(ParAssessment, ParAssessment.unit_id == OrgUnit.id)
                .join(ParRound, ParRound.id == ParAssessment.round_id)
                .where(ParRound.year == self.year.data, OrgUnit.id.in_([u.id for u in units]))
            ).all()
            if taken:
                self.units.errors.append(
                    _l("Already in a round for this year: %(units)s.", units=", ".join(sorted(taken)))
                )
        return valid and not any(f.errors for f in self)


class RoundCloseForm(FlaskForm):
    """The confirmation page's button that closes a round (nothing to fill in)."""


class SurveyImportForm(FlaskForm):
    file = FileField(_l("Survey scores (CSV: unit_code, component, score)"), validators=[FileRequired()])


class AdjustmentForm(FlaskForm):
    """Bonus (positive) or penalty (negative) points, with the reason and, optionally, the finding they rest on."""

    points = DecimalText(
        _l("Points"),
        validators=[InputRequired()],
        description=_l("Positive for a bonus, negative for a penalty, at most two decimals (e.g. -0.5)."),
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=4000)])
    # Checked by the service (the finding must be about the unit), not against the offered choices.
    finding = SelectField(_l("Inspection finding cited"), coerce=_optional_int, validate_choice=False)
