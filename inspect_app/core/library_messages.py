"""The messages WTForms, Flask-WTF and Flask-Login write themselves ("This field is required."), in the reader's
language from our own catalog.

WTForms ships no Vietnamese catalog, and Flask-WTF looks for one only among WTForms' own files. So the messages are
listed here, where `make extract-messages` finds them and our translators translate them, and every form reads its
messages from our catalog through WTForms' documented hook for translations (Meta.get_translations)."""

from flask import Flask
from flask_babel import get_translations, gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from inspect_app.core.extensions import login_manager

# WTForms' validators and fields (wtforms/locale/wtforms.pot) and Flask-WTF's file validators.
FORM_MESSAGES = (
    _l("Invalid field name '%s'."),
    _l("Field must be equal to %(other_name)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Date must be at least %(min)s."),
    _l("Date must be at most %(max)s."),
    _l("Date must be between %(min)s and %(max)s."),
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid IP address."),
    _l("Invalid Mac address."),
    _l("Invalid URL."),
    _l("Invalid UUID."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Invalid value, can't be any of: %(values)s."),
    _l("This field cannot be edited."),
    _l("This field is disabled and cannot have a value."),
    _l("Invalid CSRF Token."),
    _l("CSRF token missing."),
    _l("CSRF failed."),
    _l("CSRF token expired."),
    _l("Invalid Choice: could not coerce."),
    _l("Choices cannot be None."),
    _l("Not a valid choice."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid week value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
    _l("File does not have an approved extension."),
    _l("File does not have an approved extension: {extensions}"),
)
# Flask-Login's flashes (Flask-Login translates them with gettext when it flashes them).
LOGIN_MESSAGE = "Please log in to access this page."
REFRESH_MESSAGE = "Please reauthenticate to access this page."


def _mark_for_extraction() -> None:
    """Never called: marks Flask-Login's messages and WTForms' messages with a plural for `make extract-messages`."""
    gettext("Please log in to access this page.")
    gettext("Please reauthenticate to access this page.")
    ngettext("Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long.", 1)
    ngettext("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters.", 1)
    ngettext("Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long.", 1)
    ngettext(
        "'%(value)s' is not a valid choice for this field.", "'%(value)s' are not valid choices for this field.", 1
    )


class CatalogTranslations:
    """WTForms' translations interface (gettext, ngettext) over our catalog in the reader's language.

    WTForms fills in the placeholders itself, so the message is looked up and returned as it is."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


TRANSLATIONS = CatalogTranslations()


def install(app: Flask) -> None:
    """Every form and Flask-Login's flashes speak the reader's language."""
    FlaskForm.Meta.get_translations = lambda meta, form: TRANSLATIONS
    login_manager.login_message = LOGIN_MESSAGE
    login_manager.needs_refresh_message = REFRESH_MESSAGE
    login_manager.localize_callback = gettext
