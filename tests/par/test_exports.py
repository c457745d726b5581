"""The PAR results as files: the ranking as CSV and XLSX, the scorecard as XLSX, and the PDF appendix for the
announcing decision with its Vietnamese intact. The numbers are those worked by hand in test_reports.py."""

import csv
import io
from io import BytesIO

import pytest
from flask_babel import force_locale, gettext
from openpyxl import load_workbook
from pypdf import PdfReader

from inspect_app.core.extensions import db
from tests.par.test_reports import get_as, reports_world  # noqa: F401  (the fixture)

TITLE = "Appendix: Results of determining the Public Administration Reform Index for %(year)d"


def vietnamese(message: str, **values) -> str:
    """What the Vietnamese catalog makes of a message."""
    with force_locale("vi"):
        return gettext(message, **values)


def pdf_text(response) -> str:
    """The PDF's text, its whitespace collapsed (lines wrap anywhere)."""
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "application/pdf"
    reader = PdfReader(BytesIO(response.data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def download(client, sign_in, who, url, mimetype):
    response = get_as(client, sign_in, who, url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == mimetype
    return response


def test_the_ranking_as_csv(client, sign_in, reports_world):  # noqa: F811
    par_round = reports_world["round"]
    response = download(client, sign_in, "director", f"/par/rounds/{par_round.id}/ranking.csv", "text/csv")
    assert response.headers["Content-Disposition"] == "attachment; filename=chi-so-cchc-2026-xep-hang.csv"
    assert response.data.startswith(b"\xef\xbb\xbf"), "a byte order mark, for spreadsheet programs"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == [
        "Level",
        "Rank",
        "Unit code",
        "Unit",
        "Field 1",
        "Field 2",
        "Survey",
        "Bonus",
        "Penalty",
        "Total",
        "Maximum",
        "Index",
        "Band",
        "Approved on",
    ]
    assert [",".join(row) for row in rows[1:]] == [
        "district,1,HD-NS,Huyện Nam Sách,9.50,55.00,26.50,1.00,1.50,90.50,100.00,90.50,Tốt,",
        "district,2,HD-GL,Huyện Gia Lộc,8.00,50.00,27.00,0.00,0.00,85.00,100.00,85.00,Khá,",
        "district,2,HD-NG,Huyện Ninh Giang,8.00,50.00,27.00,0.00,0.00,85.00,100.00,85.00,Khá,",
        "district,4,HD-TK,Huyện Tứ Kỳ,3.00,30.00,20.00,0.00,0.00,53.00,100.00,53.00,Yếu,",
    ]
    last_year = reports_world["last_year"]
    rows = list(csv.reader(io.StringIO(client.get(f"/par/rounds/{last_year.id}/ranking.csv").data.decode("utf-8-sig"))))
    assert [row[2:4] + row[-3:] for row in rows[1:]] == [
        ["HD-NS", "Huyện Nam Sách", "83.00", "Khá", "2026-02-01"],
        ["HD-NG", "Huyện Ninh Giang", "70.00", "Trung bình", ""],
    ]


def test_text_a_spreadsheet_would_run_as_a_formula_stays_text(client, sign_in, reports_world):  # noqa: F811
    reports_world["tk"].unit.name = '=HYPERLINK("http://example.com","Tứ Kỳ")'
    db.session.commit()
    url = f"/par/rounds/{reports_world['round'].id}/ranking"
    rows = list(csv.reader(io.StringIO(get_as(client, sign_in, "director", url + ".csv").data.decode("utf-8-sig"))))
    assert rows[-1][3] == '\'=HYPERLINK("http://example.com","Tứ Kỳ")'
    sheet = load_workbook(BytesIO(client.get(url + ".xlsx").data))["District"]
    assert sheet["C8"].data_type == "s" and sheet["C8"].value.startswith("=HYPERLINK")


def test_the_ranking_as_a_workbook(client, sign_in, reports_world):  # noqa: F811
    par_round = reports_world["round"]
    response = download(
        client,
        sign_in,
        "lead",
        f"/par/rounds/{par_round.id}/ranking.xlsx?level=district",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    assert response.headers["Content-Disposition"].endswith("filename=chi-so-cchc-2026-xep-hang-district.xlsx")
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == ["District"]
    sheet = book["District"]
    assert sheet["A1"].value == "Chỉ số CCHC năm 2026: District-level People's Committees"
    assert sheet["A2"].value == "0 of 4 units approved"
    header = [cell.value for cell in sheet[4]]
    assert header[:5] == ["Rank", "Unit code", "Unit", "1. Chỉ đạo, điều hành (10.00)", "2. Thủ tục hành chính (60.00)"]
    assert header[5:] == [
        "Survey (30.00)",
        "Bonus",
        "Penalty",
        "Total",
        "Index",
        "Band",
        "Change from last year",
        "Status",
    ]
    values = [[cell.value for cell in row][:12] for row in sheet.iter_rows(min_row=5)]
    assert values == [
        [1, "HD-NS", "Huyện Nam Sách", 9.5, 55, 26.5, 1, 1.5, 90.5, 90.5, "Tốt", 7.5],
        [2, "HD-GL", "Huyện Gia Lộc", 8, 50, 27, 0, 0, 85, 85, "Khá", None],
        [2, "HD-NG", "Huyện Ninh Giang", 8, 50, 27, 0, 0, 85, 85, "Khá", None],
        [4, "HD-TK", "Huyện Tứ Kỳ", 3, 30, 20, 0, 0, 53, 53, "Yếu", None],
    ]
    assert sheet["I5"].data_type == "n" and sheet["I5"].number_format == "0.00"
    assert sheet["L5"].number_format == "+0.00;-0.00;0.00"
    assert sheet["M8"].value.startswith("Assess the unit")
    assert sheet.freeze_panes == "D5"


def test_the_scorecard_as_a_workbook(client, sign_in, reports_world):  # noqa: F811
    ns = reports_world["ns"]
    response = download(
        client,
        sign_in,
        "officer",
        f"/par/assessments/{ns.case_id}/scorecard.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    assert response.headers["Content-Disposition"].endswith(f"filename={ns.case.reference}-phieu-diem.xlsx")
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == ["Scorecard", "Sub-criteria"]
    sheet = book["Scorecard"]
    assert sheet["A1"].value == "Huyện Nam Sách" and sheet["A3"].value == "Not approved yet"
    rows = [[cell.value for cell in row][:8] for row in sheet.iter_rows(min_row=5, max_row=13)]
    assert rows == [
        ["Field", "Maximum", "Self-assessed", "Appraised, round 1", "Final", "Share of maximum (%)", "Last year",
         "Change from last year"],
        ["1. Chỉ đạo, điều hành", 10, 10, 9, 9.5, 95, 8, 1.5],
        ["2. Thủ tục hành chính", 60, 58, 55, 55, 91.67, 50, 5],
        ["Survey", 30, 26.5, 26.5, 26.5, None, 25, 1.5],
        ["Bonus", 3, 1, 1, 1, None, 0, None],
        ["Penalty", 2, 1.5, 1.5, 1.5, None, 0, None],
        ["Total", 100, 94, 90, 90.5, None, 83, 7.5],
        ["Index", 100, 94, 90, 90.5, None, 83, 7.5],
        ["Band", None, "Tốt", "Tốt", "Tốt", None, "Khá", None],
    ]  # fmt: skip
    adjustments = [[cell.value for cell in row][:3] for row in sheet.iter_rows(min_row=16, max_row=17)]
    finding = reports_world["finding"]
    assert adjustments == [
        ["Sáng kiến liên thông một cửa", 1, None],
        ["Hồ sơ trễ hạn không xin lỗi", -1.5, f"{finding.case.reference}: Hồ sơ trễ hạn chưa có phiếu xin lỗi"],
    ]
    items = [[cell.value for cell in row] for row in book["Sub-criteria"].iter_rows(min_row=2)]
    assert [(row[0], row[2], row[3], row[5], row[9]) for row in items] == [
        ("1.1.1", 6, 6, 6, 6),
        ("1.1.2", 4, 4, 3, 3.5),
        ("2.1.1", 60, 58, 55, 55),
    ]


def test_the_pdf_appendix_keeps_vietnamese_diacritics(client, sign_in, par_people, reports_world):  # noqa: F811
    par_people["director"].language = "vi"
    reports_world["round"].name = "Chỉ số cải cách hành chính năm 2026 của tỉnh Hải Dương"
    db.session.commit()
    response = get_as(client, sign_in, "director", f"/par/rounds/{reports_world['round'].id}/ranking.pdf")
    assert response.headers["Content-Disposition"].endswith("filename=chi-so-cchc-2026-phu-luc.pdf")
    text = pdf_text(response)
    assert vietnamese(TITLE, year=2026) in text
    assert "Chỉ số cải cách hành chính năm 2026 của tỉnh Hải Dương" in text
    assert vietnamese("District-level People's Committees") in text
    for name in ("Huyện Nam Sách", "Huyện Gia Lộc", "Huyện Ninh Giang", "Huyện Tứ Kỳ"):
        assert name in text
    # No., unit, total, index, band, rank: in Vietnamese with a decimal comma.
    assert "1 Huyện Nam Sách 90,50 90,50 Tốt 1" in text
    assert "2 Huyện Gia Lộc 85,00 85,00 Khá 2" in text and "3 Huyện Ninh Giang 85,00 85,00 Khá 2" in text
    assert "4 Huyện Tứ Kỳ 53,00 53,00 Yếu 4" in text
    assert vietnamese("DRAFT: not every unit's index is approved yet.") in text
    assert "1 / 1" in text, "page numbers in the footer"


def test_the_pdf_appendix_of_a_published_round_is_no_draft(client, sign_in, reports_world):  # noqa: F811
    for key in ("ns", "gl", "ng", "tk"):
        reports_world[key].approved_at = reports_world["last_year"].assessments[0].approved_at
    db.session.commit()
    text = pdf_text(get_as(client, sign_in, "auditor", f"/par/rounds/{reports_world['round'].id}/ranking.pdf"))
    assert "DRAFT" not in text and "1 Huyện Nam Sách 90.50 90.50 Tốt 1" in text


def test_the_vietnamese_appendix_title_once_translated(client, sign_in, par_people, reports_world):  # noqa: F811
    if vietnamese(TITLE, year=2026) == TITLE % {"year": 2026}:
        pytest.skip("vi/messages.po does not translate the report strings yet (see par_reports_vi.po)")
    par_people["director"].language = "vi"
    db.session.commit()
    text = pdf_text(get_as(client, sign_in, "director", f"/par/rounds/{reports_world['round'].id}/ranking.pdf"))
    assert "Phụ lục: Kết quả xác định Chỉ số cải cách hành chính năm 2026" in text
    assert "STT Đơn vị Tổng điểm Chỉ số Xếp loại Xếp hạng" in text


def test_a_vietnamese_reader_gets_the_ranking_in_vietnamese(client, sign_in, par_people, reports_world):  # noqa: F811
    par_people["director"].language = "vi"
    db.session.commit()
    url = f"/par/rounds/{reports_world['round'].id}/ranking"

    page = get_as(client, sign_in, "director", f"{url}?level=district").get_data(as_text=True)
    sheet = load_workbook(BytesIO(client.get(f"{url}.xlsx?level=district").data))["Cấp huyện"]

    where_tk_stands = "Tự đánh giá, chấm điểm và đính kèm tài liệu kiểm chứng"
    assert where_tk_stands in page and "Assess the unit" not in page
    assert sheet["M8"].value.startswith(where_tk_stands), "the status column names the step in Vietnamese"
    assert sheet["D4"].value == "1. Chỉ đạo, điều hành (10,00)", "numbers in text with a decimal comma"
    assert sheet["I5"].value == 90.5 and sheet["I5"].data_type == "n", "numbers stay numbers"
