"""Criteria set files: YAML and XLSX to and from a plain "document" (the shape of the YAML file).

Reading gives the document as written (plain dicts and lists), without judging it; `schemas.CriteriaSetDocument`
checks it. Writing takes the document `services.export_document` builds, so both formats carry the same content and a
round trip loses nothing.

YAML (``.yaml``/``.yml``) is one mapping::

    format: inspect-criteria/1
    code: departments-2026          # unique across sets
    name: Bộ tiêu chí cấp sở năm 2026
    year: 2026
    level: department               # department | district | commune
    is_sample: false
    survey_max: 30                  # the survey component's maximum
    bonus_cap: 3                    # the most bonus points a unit can get
    penalty_cap: 3                  # the most penalty points a unit can lose
    criteria:                       # fields > criteria > sub-criteria; only sub-criteria are scored
      - code: "1"
        kind: field                 # field | criterion | sub
        name: Chỉ đạo, điều hành
        max_points: 10              # at most two decimals; a parent's maximum is the sum of its children's
        evidence_required: false
        guidance: ""
        children:
          - code: "1.1"
            kind: criterion
            ...

XLSX (``.xlsx``) is a workbook with two sheets:

- ``set``: one key/value row per set attribute (code, name, year, level, survey_max, bonus_cap, penalty_cap,
  is_sample), after an optional header row ``key | value``;
- ``criteria``: a header row ``code | kind | parent | name | max_points | evidence_required | guidance``, then one
  row per node in tree order: ``parent`` holds the code of the node's parent on a row above, empty for a field.
"""

import io
import warnings
from decimal import Decimal
from typing import Any

import yaml
from flask_babel import gettext as _

from inspect_app.core.schemas import FileUnreadable
from inspect_app.core.syntax_errors import yaml_problem
from inspect_app.criteria.schemas import MAX_NODES, ROW_KEY

SET_KEYS = ["code", "name", "year", "level", "survey_max", "bonus_cap", "penalty_cap", "is_sample"]
NODE_COLUMNS = ["code", "kind", "parent", "name", "max_points", "evidence_required", "guidance"]
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def problem(where: str, field: str | None, message: str) -> str:
    """One line of a refusal: which node (or "set", "criteria"), which field, what is wrong."""
    return f"{where}: {field}: {message}" if field else f"{where}: {message}"


# --- YAML ---------------------------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Points as plain numbers (10, 1.5), text kept readable (Vietnamese is not escaped)."""


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    if value == value.to_integral_value():
        return dumper.represent_int(int(value))
    return dumper.represent_float(float(value))  # two decimals at most: float's repr gives them back exactly


_Dumper.add_representer(Decimal, _represent_decimal)


def write_yaml(document: dict[str, Any]) -> str:
    """The document as YAML text, keys in the document's order."""
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)


def read_yaml(raw: bytes) -> Any:
    """The YAML file's content as Python data (safe types only)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileUnreadable(_("The file is not UTF-8 text.")) from None
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = (
            _("line %(line)d, column %(column)d", line=mark.line + 1, column=mark.column + 1) if mark else _("unknown")
        )
        raise FileUnreadable(
            _("The file is not valid YAML: %(where)s: %(reason)s", where=where, reason=yaml_problem(error))
        ) from None
    except yaml.YAMLError:
        raise FileUnreadable(_("The file is not valid YAML.")) from None


# --- XLSX ---------------------------------------------------------------------------------------------------------


def _cell(sheet, row: int, column: int, value: Any) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text that looks like a formula stays text: no formula injection, nothing lost


def _flatten(nodes: list[dict], parent: str, rows: list[list[Any]]) -> None:
    for node in nodes:
        rows.append([node.get(column) if column != "parent" else parent for column in NODE_COLUMNS])
        _flatten(node.get("children") or [], node["code"], rows)


def write_xlsx(document: dict[str, Any]) -> bytes:
    """The document as an XLSX workbook with the sheets "set" and "criteria"."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    set_sheet = workbook.active
    set_sheet.title = "set"
    for row, values in enumerate([["key", "value"], *([key, document.get(key)] for key in SET_KEYS)], 1):
        for column, value in enumerate(values, 1):
            _cell(set_sheet, row, column, value)
    set_sheet["A1"].font = set_sheet["B1"].font = Font(bold=True)
    set_sheet.column_dimensions["A"].width = 16
    set_sheet.column_dimensions["B"].width = 80

    sheet = workbook.create_sheet("criteria")
    rows: list[list[Any]] = []
    _flatten(document.get("criteria") or [], "", rows)
    for row, values in enumerate([NODE_COLUMNS, *rows], 1):
        for column, value in enumerate(values, 1):
            _cell(sheet, row, column, value if value != "" else None)
    for column, width in zip("ABCDEFG", [12, 10, 12, 60, 12, 18, 80], strict=True):
        sheet.column_dimensions[column].width = width
        sheet[f"{column}1"].font = Font(bold=True)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells[:3]:
            cell.number_format = "@"  # codes stay text when edited in a spreadsheet ("1.10" is not 1.1)
        for cell in (cells[3], cells[6]):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _text_cell(value: Any) -> Any:
    """A cell holding a code or text: numbers a spreadsheet made of it become text again, blanks become None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _sheet_rows(sheet) -> list[tuple[int, tuple]]:
    """(row number, values) of every row with something in it."""
    return [
        (number, values)
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1)
        if any(value is not None and value != "" for value in values)
    ]


def read_xlsx(raw: bytes) -> tuple[dict[str, Any], list[str]]:
    """The workbook as a document, and the problems found putting the tree together (unknown parents, columns);
    FileUnreadable when it is not a workbook with the two sheets, or the criteria sheet lacks a column."""
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about spreadsheet features it skips; they do not matter
            workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # an uploaded file: openpyxl raises many kinds of errors on what is not a workbook
        raise FileUnreadable(_("The file is not an XLSX workbook.")) from None
    try:
        missing = [name for name in ("set", "criteria") if name not in workbook.sheetnames]
        if missing:
            raise FileUnreadable(
                _("The workbook has no sheet “%(sheet)s”; it needs the sheets “set” and “criteria”.", sheet=missing[0])
            )
        problems: list[str] = []
        document = _read_set_sheet(workbook["set"], problems)
        document["criteria"] = _read_criteria_sheet(workbook["criteria"], problems)
    finally:
        workbook.close()
    return document, problems


def _read_set_sheet(sheet, problems: list[str]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for index, (_number, values) in enumerate(_sheet_rows(sheet)):
        key = _text_cell(values[0] if values else None)
        value = values[1] if len(values) > 1 else None
        if index == 0 and key == "key":
            continue
        if key is None:
            problems.append(problem("set", None, _("a row has a value but no key")))
            continue
        key = str(key).strip()
        if key in document:
            problems.append(problem("set", key, _("given twice")))
            continue
        if key in ("code", "name", "level"):
            value = _text_cell(value)
        elif isinstance(value, float) and value.is_integer() and key == "year":
            value = int(value)
        document[key] = value
    return document


def _read_criteria_sheet(sheet, problems: list[str]) -> list[dict[str, Any]]:
    rows = _sheet_rows(sheet)
    if not rows:
        return []
    _header_row, header = rows[0]
    columns = [str(_text_cell(value) or "").strip() for value in header]
    missing = [name for name in NODE_COLUMNS if name not in columns]
    if missing:
        raise FileUnreadable(*(problem("criteria", name, _("no such column in the header row")) for name in missing))
    for name in columns:
        if name and name not in NODE_COLUMNS:
            problems.append(problem("criteria", name, _("unknown column")))
    index = {name: columns.index(name) for name in NODE_COLUMNS}

    roots: list[dict[str, Any]] = []
    by_code: dict[str, dict[str, Any]] = {}
    for count, (number, values) in enumerate(rows[1:], 1):
        if count > MAX_NODES:
            problems.append(problem("criteria", None, _("more than %(max)d rows", max=MAX_NODES)))
            break
        cells = {name: values[position] if position < len(values) else None for name, position in index.items()}
        node: dict[str, Any] = {ROW_KEY: number}
        for name in ("code", "kind", "name", "max_points", "evidence_required", "guidance"):
            node[name] = _text_cell(cells[name]) if name in ("code", "kind", "name", "guidance") else cells[name]
        if isinstance(node["code"], str):
            node["code"] = node["code"].strip()
        parent = _text_cell(cells["parent"])
        parent = parent.strip() if isinstance(parent, str) else parent
        if parent is None:
            roots.append(node)
        elif parent in by_code:
            by_code[parent].setdefault("children", []).append(node)
        else:
            where = node["code"] or _("row %(number)d", number=number)
            problems.append(problem(where, "parent", _("no row above has the code %(code)s", code=parent)))
        if isinstance(node["code"], str) and node["code"] not in by_code:
            by_code[node["code"]] = node
    return roots
