"""Forms of the checklist admin pages: a template, an item, a copy, an import, and a bare confirmation."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from inspect_app.checklists.schemas import ITEM_CODE_MAX, NAME_MAX, TEMPLATE_CODE_MAX, TEXT_MAX
from inspect_app.core.labels import CONTENT_AREA_LABELS
from inspect_app.core.schemas import CODE_PATTERN

CODE_MESSAGE = _l("Use only letters, digits, “.”, “-” and “_”, starting with a letter or digit.")


def _code_field(label, max_length: int, *, required: bool = True) -> StringField:
    presence = DataRequired() if required else Optional()
    return StringField(
        label,
        validators=[presence, Length(max=max_length), Regexp(CODE_PATTERN, message=CODE_MESSAGE)],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )


class ChecklistCreateForm(FlaskForm):
    code = _code_field(_l("Code"), TEMPLATE_CODE_MAX)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=NAME_MAX)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])


class ChecklistEditForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=NAME_MAX)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    is_active = BooleanField(_l("Active: offered when deciding a new inspection"))


class ChecklistDuplicateForm(FlaskForm):
    code = _code_field(_l("Code of the copy"), TEMPLATE_CODE_MAX)
    name = StringField(_l("Name of the copy"), validators=[DataRequired(), Length(max=NAME_MAX)])


class ChecklistImportForm(FlaskForm):
    checklist_file = FileField(
        _l("Checklist file (JSON)"),
        validators=[FileRequired(_l("Choose a .json file.")), FileAllowed(["json"], _l("Only .json files."))],
    )
    code = _code_field(_l("New code (leave empty to keep the file's code)"), TEMPLATE_CODE_MAX, required=False)


class ItemEditForm(FlaskForm):
    code = _code_field(_l("Code"), ITEM_CODE_MAX)
    area = SelectField(
        _l("Content area"),
        choices=[SelectChoice(area.value, label) for area, label in CONTENT_AREA_LABELS.items()],
        validators=[InputRequired()],
    )
    text = TextAreaField(_l("What to check"), validators=[DataRequired(), Length(max=TEXT_MAX)])
    guidance = TextAreaField(
        _l("Guidance: what to look at, what counts as compliant"), validators=[Optional(), Length(max=4000)]
    )


class ConfirmForm(FlaskForm):
    """Only the CSRF token: for buttons that change something (move, delete)."""
