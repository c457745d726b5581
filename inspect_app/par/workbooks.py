"""PAR results as workbooks (openpyxl): a round's ranking and a unit's scorecard.

Workbooks hold numbers as numbers (two decimals shown), so that they add up in a spreadsheet; text that a spreadsheet
would take for a formula is kept as text. Import this module where a workbook is made, not at the top of a module:
openpyxl takes ~0.05 s to import, which every process would pay at start-up for a rare download."""

import io
from collections.abc import Iterable
from decimal import Decimal

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from inspect_app.core.formats import number
from inspect_app.core.labels import label
from inspect_app.models import ParAssessment, ParRound
from inspect_app.par.report_data import LevelTable, Scorecard
from inspect_app.par.scoring import UnitResult, round2

POINTS = "0.00"
SIGNED_POINTS = "+0.00;-0.00;0.00"
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
WRAP = Alignment(wrap_text=True, vertical="top")
SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def _sheet_title(text: str, taken: set[str]) -> str:
    """A valid, unused sheet name (at most 31 characters, none of []:*?/\\)."""
    base = text.translate(SHEET_NAME_FORBIDDEN).strip()[:31] or "Sheet"
    title, number = base, 2
    while title.lower() in taken:
        suffix = f" ({number})"
        title, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(title.lower())
    return title


def _put(sheet: Worksheet, row: int, column: int, value, number_format: str | None = None, font: Font | None = None):
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula
    if number_format and isinstance(value, Decimal | int | float):
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    return cell


def _header(sheet: Worksheet, row: int, titles: list[str], widths: list[int]) -> None:
    for column, (title, width) in enumerate(zip(titles, widths, strict=True), start=1):
        cell = _put(sheet, row, column, title, font=BOLD)
        cell.alignment = WRAP
        sheet.column_dimensions[get_column_letter(column)].width = width


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ranking_workbook(par_round: ParRound, tables: list[LevelTable]) -> bytes:
    """One sheet per level: rank, unit, points per field, survey, bonus, penalty, total, index, band, change from
    last year and status, best first; below, apart, the units with no result yet."""
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for table in tables or []:
        sheet = book.create_sheet(_sheet_title(str(label(table.level)), taken))
        _put(sheet, 1, 1, f"{par_round.name}: {table.heading}", font=TITLE)
        _put(sheet, 2, 1, _("%(approved)d of %(units)d units approved", approved=table.approved, units=table.size))
        titles = [_("Rank"), _("Unit code"), _("Unit")]
        titles += [f"{f.code}. {f.name} ({number(f.max_points, 2)})" for f in table.fields]
        survey_max = table.criteria_set.survey_max if table.criteria_set is not None else Decimal(0)
        titles += [
            _("Survey (%(max)s)", max=number(survey_max, 2)),
            _("Bonus"),
            _("Penalty"),
            _("Total"),
            _("Index"),
            _("Band"),
            _("Change from last year"),
            _("Status"),
        ]
        widths = [8, 12, 30] + [14] * len(table.fields) + [12, 9, 9, 10, 10, 12, 12, 36]
        _header(sheet, 4, titles, widths)
        for row, unit in enumerate(table.units, start=5):
            r = unit.result
            values = [r.rank, unit.par.unit.code, unit.par.unit.name]
            values += [r.fields[f.code] for f in table.fields]
            values += [r.survey, r.bonus, r.penalty, r.total, r.index, r.band, unit.change, unit.status]
            for column, value in enumerate(values, start=1):
                fmt = SIGNED_POINTS if column == len(values) - 1 else POINTS
                _put(sheet, row, column, value, number_format=fmt)
        if table.units:
            sheet.freeze_panes = "D5"
            sheet.auto_filter.ref = f"A4:{get_column_letter(len(titles))}{4 + len(table.units)}"
        elif not table.pending:
            _put(sheet, 5, 1, _("No unit of this level takes part in the round."))
        if table.pending:
            _pending_rows(sheet, 6 + len(table.units), table, status_column=len(titles))
    if not book.worksheets:
        sheet = book.create_sheet(_sheet_title(_("Ranking"), taken))
        _put(sheet, 1, 1, par_round.name, font=TITLE)
        _put(sheet, 3, 1, _("No unit takes part in the round."))
    return _save(book)


def _pending_rows(sheet: Worksheet, first_row: int, table: LevelTable, status_column: int) -> None:
    """The units with no result yet, apart below the ranking: unranked, no points, how far their scoring got."""
    _put(sheet, first_row, 1, _("No result yet"), font=BOLD)
    for row, unit in enumerate(table.pending, start=first_row + 1):
        _put(sheet, row, 2, unit.par.unit.code)
        _put(sheet, row, 3, unit.par.unit.name)
        progress = _("%(scored)d of %(items)d items with a final score", scored=unit.scored, items=unit.items)
        _put(sheet, row, status_column - 2, _("no result yet"))
        _put(sheet, row, status_column, f"{unit.status} · {progress}")


def scorecard_workbook(card: Scorecard) -> bytes:
    """The scorecard's table (fields at each stage, survey, bonus, penalty, total, index, band, last year), its
    bonus and penalty points with their reasons, and a second sheet with every sub-criterion."""
    par, results = card.par, card.results
    book = Workbook()
    taken: set[str] = set()
    sheet = book.active
    sheet.title = _sheet_title(_("Scorecard"), taken)
    _put(sheet, 1, 1, par.unit.name, font=TITLE)
    _put(sheet, 2, 1, f"{par.round.name} · {par.case.reference}")
    _put(sheet, 3, 1, _("Approved") if par.is_approved else _("Not approved yet"))
    titles = [
        _("Field"),
        _("Maximum"),
        _("Self-assessed"),
        _("Appraised, round 1"),
        _("Final"),
        _("Share of maximum (%)"),
        _("Last year"),
        _("Change from last year"),
    ]
    _header(sheet, 5, titles, [44, 10, 13, 13, 10, 13, 11, 13])
    stages = ("self", "first", "final")
    row = 6
    for line in card.fields:
        values = [f"{line.criterion.code}. {line.criterion.name}", line.criterion.max_points]
        values += [line.points[stage] for stage in stages]
        values += [round2(line.share), line.last_year, line.change]
        _row(sheet, row, values)
        row += 1
    previous, changes = card.previous, card.changes or {}
    rows = [
        (_("Survey"), par.criteria_set.survey_max, "survey"),
        (_("Bonus"), par.criteria_set.bonus_cap, "bonus"),
        (_("Penalty"), par.criteria_set.penalty_cap, "penalty"),
        (_("Total"), card.final.maximum, "total"),
        (_("Index"), Decimal(100), "index"),
    ]
    for title, maximum, name in rows:
        values = [title, maximum] + [_stage_value(results[stage], name) for stage in stages] + [None]
        values += [getattr(previous, name) if previous else None, changes.get(name)]
        _row(sheet, row, values, font=BOLD if name in ("total", "index") else None)
        row += 1
    values = [_("Band"), None] + [_stage_value(results[stage], "band") for stage in stages]
    values += [None, previous.band if previous else None]
    _row(sheet, row, values, font=BOLD)
    row += 2
    if par.adjustments:
        _put(sheet, row, 1, _("Bonus and penalty points"), font=BOLD)
        row += 1
        for adjustment in par.adjustments:
            cited = adjustment.finding
            finding = f"{cited.case.reference}: {cited.title}" if cited is not None else ""
            _row(sheet, row, [adjustment.reason, adjustment.points, finding], signed_columns={2})
            row += 1
    _sub_criteria_sheet(book.create_sheet(_sheet_title(_("Sub-criteria"), taken)), par)
    return _save(book)


def _stage_value(result: UnitResult, name: str):
    """One figure of a stage's result; a stage with an item still unscored has no index or band yet."""
    if name in ("index", "band") and not result.has_result:
        return _("no result yet")
    return getattr(result, name)


def _row(sheet, row: int, values: Iterable, font: Font | None = None, signed_columns: set[int] = frozenset({8})):
    for column, value in enumerate(values, start=1):
        _put(sheet, row, column, value, number_format=SIGNED_POINTS if column in signed_columns else POINTS, font=font)


def _sub_criteria_sheet(sheet: Worksheet, par: ParAssessment) -> None:
    titles = [
        _("Code"),
        _("Sub-criterion"),
        _("Maximum"),
        _("Self-assessed"),
        _("How the unit scored"),
        _("Appraised, round 1"),
        _("Comment"),
        _("Explanation requested"),
        _("Explanation"),
        _("Final"),
        _("Comment"),
    ]
    _header(sheet, 1, titles, [10, 50, 10, 12, 30, 12, 30, 12, 30, 10, 30])
    scores = {score.criterion_id: score for score in par.scores}
    for row, criterion in enumerate(par.criteria_set.sub_criteria, start=2):
        score = scores.get(criterion.id)
        if score is None:
            continue
        values = [
            criterion.code,
            criterion.name,
            criterion.max_points,
            score.self_score,
            score.self_note,
            score.first_score,
            score.first_comment,
            _("yes") if score.needs_explanation else "",
            score.explanation,
            score.final_score,
            score.final_comment,
        ]
        _row(sheet, row, values, signed_columns=set())
    sheet.freeze_panes = "C2"
