"""Upload of a BPMN file as a new process version."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired


class ProcessUploadForm(FlaskForm):
    bpmn_file = FileField(
        _l("BPMN file"),
        validators=[FileRequired(_l("Choose a .bpmn file.")), FileAllowed(["bpmn", "xml"], _l("Only .bpmn files."))],
    )
