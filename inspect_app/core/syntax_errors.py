"""What a YAML or JSON parser found wrong in an uploaded file, in the reader's language.

The parsers word their problems in English ("mapping values are not allowed here"); the usual ones are said here in
words a person who edits the file can act on, and any other is named as unreadable text at its position."""

import json
import re
from collections.abc import Callable

import yaml
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

_YAML_PROBLEMS: list[tuple[re.Pattern, Callable[[re.Match], str]]] = [
    (
        re.compile(r"mapping values are not allowed here"),
        lambda m: _("a “key: value” cannot start here: check the indentation, or put the text in quotes"),
    ),
    (
        re.compile(r"found character '(.*)' that cannot start any token"),
        lambda m: (
            _("a tab cannot indent a line: indent with spaces")
            if m.group(1) == "\\t"
            else _("the character %(char)s cannot start a value: put the text in quotes", char=m.group(1))
        ),
    ),
    (re.compile(r"expected ',' or '\]'"), lambda m: _("a list opened with “[” is not closed with “]”")),
    (re.compile(r"expected ',' or '\}'"), lambda m: _("a mapping opened with “{” is not closed with “}”")),
    (re.compile(r"found undefined alias '(.*)'"), lambda m: _("*%(name)s names no anchor", name=m.group(1))),
    (re.compile(r"found unexpected end of stream"), lambda m: _("a quoted text is not closed")),
    (
        re.compile(r"expected <block end>, but found"),
        lambda m: _("this line does not line up with the lines above it: check the indentation"),
    ),
    (re.compile(r"could not find expected ':'"), lambda m: _("a “:” is missing after a key")),
]
_JSON_PROBLEMS = {
    "Expecting property name enclosed in double quotes": _l("a key in double quotes is expected"),
    "Expecting ',' delimiter": _l("a comma is missing"),
    "Expecting ':' delimiter": _l("a colon is missing"),
    "Expecting value": _l("a value is expected"),
    "Unterminated string starting at": _l("a text in quotes is not closed"),
    "Extra data": _l("there is more after the end of the document"),
    "Invalid control character at": _l("a text holds a control character (a line break or tab inside quotes)"),
}


def unreadable() -> str:
    return _("the text cannot be read here")


def yaml_problem(error: yaml.MarkedYAMLError) -> str:
    """The parser's problem, in words for the reader."""
    found = " ".join(part for part in (error.problem, error.context) if part)
    for pattern, say in _YAML_PROBLEMS:
        match = pattern.search(found)
        if match:
            return say(match)
    return unreadable()


def json_problem(error: json.JSONDecodeError) -> str:
    """The parser's problem, in words for the reader."""
    return str(_JSON_PROBLEMS.get(error.msg, unreadable()))
