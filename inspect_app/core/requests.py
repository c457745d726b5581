"""The app's request class: form fields with line breaks as they were typed.

HTML sends every line break of a text area as CRLF, but the browser counts it as one character (maxlength, and the
counter of static/js/text_limit.js). Read as LF, a text within the limit in the browser is within the same limit
(the form's Length validator) here, and is stored as it was typed."""

from flask import Request
from werkzeug.formparser import FormDataParser


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
