"""Reading the survey CSV file into its lines, without judging their cells (`schemas.SurveyRow` does).

The file has a header `unit_code,component,score` and one line per unit and component, UTF-8 with or without a BOM,
separated by commas or semicolons (as spreadsheet programs save it in a Vietnamese locale)."""

import csv
import io

from flask_babel import gettext as _

from inspect_app.core.schemas import FileUnreadable
from inspect_app.par.schemas import HEADER, line_name

MAX_BYTES = 1_000_000


def _unreadable(line: int, message: str) -> FileUnreadable:
    return FileUnreadable(f"{line_name(line)}: {message}")


def _text(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise FileUnreadable(_("The file is larger than %(size)d kB.", size=MAX_BYTES // 1000))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise _unreadable(line, _("the file is not UTF-8 text; save it as CSV UTF-8.")) from None


def _trimmed(row: list[str]) -> list[str]:
    """The row without the empty cells a spreadsheet adds at its end."""
    while len(row) > len(HEADER) and not row[-1].strip():
        row = row[:-1]
    return row


def read_survey_csv(data: bytes) -> list[dict]:
    """Each line after the header that has something in it, as {"line": number, "cells": [text, ...]};
    FileUnreadable when the file is not UTF-8 text, has no such header, or has no line after it."""
    text = _text(data)
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=";" if first.count(";") > first.count(",") else ",")
    rows = [{"line": reader.line_num, "cells": _trimmed(cells)} for cells in reader]
    if not rows or tuple(cell.strip().lower() for cell in rows[0]["cells"]) != HEADER:
        raise _unreadable(1, _("the first line must be the header unit_code,component,score."))
    lines = [row for row in rows[1:] if any(cell.strip() for cell in row["cells"])]
    if not lines:
        raise _unreadable(2, _("the file has no scores after the header."))
    return lines
