"""Forms of the criteria set admin pages: an import, a copy for another year, and a bare confirmation."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from inspect_app.core.schemas import CODE_PATTERN
from inspect_app.criteria.schemas import SET_CODE_MAX, SET_NAME_MAX, YEARS

CODE_MESSAGE = _l("Use only letters, digits, “.”, “-” and “_”, starting with a letter or digit.")


def _code_field(label, *, required: bool = True) -> StringField:
    presence = DataRequired() if required else Optional()
    return StringField(
        label,
        validators=[presence, Length(max=SET_CODE_MAX), Regexp(CODE_PATTERN, message=CODE_MESSAGE)],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )


class CriteriaImportForm(FlaskForm):
    criteria_file = FileField(
        _l("Criteria set file (YAML or XLSX)"),
        validators=[
            FileRequired(_l("Choose a .yaml or .xlsx file.")),
            FileAllowed(["yaml", "yml", "xlsx"], _l("Only .yaml, .yml and .xlsx files.")),
        ],
    )
    code = _code_field(_l("New code (leave empty to keep the file's code)"), required=False)


class CriteriaDuplicateForm(FlaskForm):
    code = _code_field(_l("Code of the copy"))
    name = StringField(_l("Name of the copy"), validators=[DataRequired(), Length(max=SET_NAME_MAX)])
    year = IntegerField(
        _l("Year"),
        validators=[
            InputRequired(),
            NumberRange(min=YEARS[0], max=YEARS[-1], message=_l("Enter a year from 2000 to 2100.")),
        ],
    )
    is_sample = BooleanField(_l("Sample set (for demonstrations, not an official set)"))


class ConfirmForm(FlaskForm):
    """Only the CSRF token: for the delete button."""
