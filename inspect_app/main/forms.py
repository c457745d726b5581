"""Profile and language forms."""

from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired

LANGUAGE_CHOICES = [("vi", "Tiếng Việt"), ("en", "English")]
COMMON_TIMEZONES = ["Asia/Ho_Chi_Minh", "Asia/Bangkok", "Asia/Singapore", "Asia/Tokyo", "Europe/Paris", "UTC"]


class ProfileForm(FlaskForm):
    language = SelectField(
        _l("Language"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGE_CHOICES],
        validators=[DataRequired()],
    )
    timezone = SelectField(
        _l("Time zone"),
        choices=[SelectChoice(tz, tz) for tz in COMMON_TIMEZONES],
        validators=[DataRequired(), AnyOf(sorted(available_timezones() | {"UTC"}))],
    )


class LanguageForm(FlaskForm):
    language = HiddenField(validators=[AnyOf([code for code, _name in LANGUAGE_CHOICES])])
    next = HiddenField()
