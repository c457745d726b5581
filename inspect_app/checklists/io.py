"""Checklist files: the JSON text read into plain data, without judging it (`schemas.ChecklistDocument` does)."""

import json
from typing import Any

from flask_babel import gettext as _

from inspect_app.core.schemas import FileUnreadable
from inspect_app.core.syntax_errors import json_problem


def read_json(raw: bytes) -> Any:
    """The JSON file's content as Python data; FileUnreadable when it is not UTF-8 JSON."""
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise FileUnreadable(_("The file is not UTF-8 text.")) from None
    except json.JSONDecodeError as error:
        raise FileUnreadable(
            _(
                "The file is not valid JSON: line %(line)d, column %(column)d: %(reason)s",
                line=error.lineno,
                column=error.colno,
                reason=json_problem(error),
            )
        ) from None
