"""PAR results as files: CSV, the PDF appendix of results that goes with the decision announcing them (WeasyPrint,
through core/pdf.py like the inspection documents), and the responses that send them and the workbooks (workbooks.py).

CSV is UTF-8 with a byte order mark (spreadsheet programs then read the Vietnamese correctly) and points with a
decimal point. Text that a spreadsheet would take for a formula is kept as text."""

import csv
import io
from decimal import Decimal

from flask import render_template, send_file
from flask_babel import format_decimal
from flask_babel import gettext as _

from inspect_app.models import OrgLevel, ParAssessment, ParRound
from inspect_app.par.report_data import LevelTable

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell starting with one of these is a formula to a spreadsheet program (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def signed(value: Decimal | None) -> str:
    """A change in points with its sign (+1.25, -0.50; 0.00 for none), in the reader's language."""
    if value is None:
        return ""
    return format_decimal(value, "#,##0.00") if value == 0 else format_decimal(value, "+#,##0.00;-#,##0.00")


# --- file names and responses ---------------------------------------------------------------------------------------


def ranking_name(par_round: ParRound, level: OrgLevel | None) -> str:
    return f"chi-so-cchc-{par_round.year}-xep-hang" + (f"-{level.value}" if level else "")


def appendix_name(par_round: ParRound, level: OrgLevel | None) -> str:
    return f"chi-so-cchc-{par_round.year}-phu-luc" + (f"-{level.value}" if level else "")


def scorecard_name(par: ParAssessment) -> str:
    return f"{par.case.reference}-phieu-diem"


def _send(data: bytes, mimetype: str, name: str):
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)


def xlsx_response(data: bytes, stem: str):
    return _send(data, XLSX_MIMETYPE, f"{stem}.xlsx")


def csv_response(data: bytes, stem: str):
    return _send(data, "text/csv", f"{stem}.csv")


def pdf_response(data: bytes, stem: str):
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=f"{stem}.pdf", max_age=0)


# --- CSV ------------------------------------------------------------------------------------------------------------


def _csv_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_number(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def ranking_csv(tables: list[LevelTable]) -> bytes:
    """One row per unit of every level, best first within each level, then the level's units with no result yet
    (no rank, no points, "no result yet" in the band's column); a column per field code of any level."""
    codes: list[str] = []
    for table in tables:
        codes += [f.code for f in table.fields if f.code not in codes]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [_("Level"), _("Rank"), _("Unit code"), _("Unit")]
        + [_("Field %(code)s", code=code) for code in codes]
        + [_("Survey"), _("Bonus"), _("Penalty"), _("Total"), _("Maximum"), _("Index"), _("Band"), _("Approved on")]
    )
    for table in tables:
        for unit in table.units:
            r = unit.result
            approved = unit.par.approved_at
            writer.writerow(
                [table.level.value, r.rank, _csv_text(unit.par.unit.code), _csv_text(unit.par.unit.name)]
                + [_csv_number(r.fields.get(code)) for code in codes]
                + [_csv_number(value) for value in (r.survey, r.bonus, r.penalty, r.total, r.maximum, r.index)]
                + [_csv_text(r.band), approved.date().isoformat() if approved else ""]
            )
        # Apart, after the ranked units: no rank, no points, and in the band's column, why.
        for unit in table.pending:
            writer.writerow(
                [table.level.value, "", _csv_text(unit.par.unit.code), _csv_text(unit.par.unit.name)]
                + [""] * (len(codes) + 6)
                + [_("no result yet"), ""]
            )
    return buffer.getvalue().encode("utf-8-sig")


# --- the PDF appendix -----------------------------------------------------------------------------------------------


def appendix_pdf(par_round: ParRound, tables: list[LevelTable], *, published: bool, formats: dict) -> bytes:
    """The appendix of results (per level: No., unit, total, index, band, rank) as PDF."""
    # Imported here: WeasyPrint takes ~0.4 s to import, which every process (web, CLI, worker) would pay at start-up.
    from inspect_app.core.pdf import render_pdf

    html = render_template(
        "par/reports/appendix.html", par_round=par_round, tables=tables, published=published, **formats
    )
    return render_pdf(html)
