"""Filters of the case list (a GET form: nothing to protect with CSRF)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from inspect_app.core.labels import CASE_STATUS_LABELS, CASE_TYPE_LABELS


class CaseFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    case_type = SelectField(
        _l("Type"),
        default="",
        choices=[SelectChoice("", _l("All types"))]
        + [SelectChoice(t.value, label) for t, label in CASE_TYPE_LABELS.items()],
    )
    status = SelectField(
        _l("Status"),
        default="",
        choices=[SelectChoice("", _l("All statuses"))]
        + [SelectChoice(s.value, label) for s, label in CASE_STATUS_LABELS.items()],
    )
    unit = SelectField(_l("Unit"), choices=[SelectChoice("", _l("All units"))], default="")
