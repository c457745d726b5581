"""The app's request class (form fields with line breaks as they were typed), and values every form reads alike.

HTML sends every line break of a text area as CRLF, but the browser counts it as one character (maxlength, and the
counter of static/js/text_limit.js). Read as LF, a text within the limit in the browser is within the same limit
(the form's Length validator) here, and is stored as it was typed."""

from flask import Request, request
from flask_babel import gettext as _
from werkzeug.formparser import FormDataParser

from inspect_app.core.exceptions import InvalidInput


class LineBreaksAsTypedParser(FormDataParser):
    """Form data with every CRLF (and lone CR) in a field's value read as LF."""

    def parse(self, *args, **kwargs):
        stream, form, files = super().parse(*args, **kwargs)
        if any("\r" in value for _key, value in form.items(multi=True)):
            form = self.cls(
                (key, value.replace("\r\n", "\n").replace("\r", "\n")) for key, value in form.items(multi=True)
            )
        return stream, form, files


class AppRequest(Request):
    form_data_parser_class = LineBreaksAsTypedParser


def version_seen() -> int | None:
    """The version of the row the page showed (its form's hidden `version`; None: it showed none), so that a save
    based on an older one is refused instead of silently replacing what someone saved meanwhile."""
    value = request.form.get("version")
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        message = _("The page sent a version that is not a number; reload the page.")
        raise InvalidInput(message, {"version": [message]}) from None
