"""Profile, API token and language forms."""

from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length

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


class TokenCreateForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[DataRequired(), Length(max=100)],
    )


class TokenRevokeForm(FlaskForm):
    """Only the CSRF token: revoking takes no input."""


class LanguageForm(FlaskForm):
    language = HiddenField(validators=[AnyOf([code for code, _name in LANGUAGE_CHOICES])])
    next = HiddenField()
