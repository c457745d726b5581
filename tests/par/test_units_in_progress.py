"""Units still in progress: a unit ranks only once every sub-criterion has its final score. Until then it is listed
apart as "no result yet", with no rank, index, band or change from last year, in the ranking page, the scorecard,
the XLSX, CSV and PDF files (the API: tests/api/test_par_api.py), all from the one results query.

The world is test_reports.py's, changed so: Nam Sách (approved 83.00 in 2025) still lacks its final score for
2.1.1, and Gia Lộc has no final score at all. A missing score counted as 0 would have ranked Nam Sách 35.50 with
a change of -47.50 and Gia Lộc 27.00 "Yếu". The others rank among themselves: Ninh Giang 85.00 first, Tứ Kỳ
53.00 second."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from inspect_app.core.extensions import db
from inspect_app.models import OrgLevel, User
from inspect_app.par.report_data import ranking_tables
from inspect_app.par.results import round_results
from tests.par.test_exports import download, pdf_text
from tests.par.test_reports import get_as, html_of, ranking_rows, reports_world, row_of  # noqa: F401  (fixture)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def in_progress(reports_world):  # noqa: F811
    ns, gl = reports_world["ns"], reports_world["gl"]
    next(s for s in ns.scores if s.criterion.code == "2.1.1").final_score = None
    for score in gl.scores:
        score.final_score = None
    db.session.commit()
    return reports_world


def test_the_results_query_ranks_only_units_with_every_final_score(client, in_progress):
    found = round_results(in_progress["round"], OrgLevel.DISTRICT)
    assert [(result.unit, result.rank) for result, _par in found.ranked] == [("HD-NG", 1), ("HD-TK", 2)]
    assert [(result.unit, result.missing) for result, _par in found.pending] == [
        ("HD-GL", ("1.1.1", "1.1.2", "2.1.1")),
        ("HD-NS", ("2.1.1",)),
    ], "by name, each with what it still lacks"
    assert found.scored[in_progress["ns"].case_id] == (2, 3)


def test_the_ranking_page_lists_them_apart_with_no_rank_and_no_change(client, sign_in, in_progress):
    html = html_of(get_as(client, sign_in, "director", f"/par/rounds/{in_progress['round'].id}/ranking"))
    assert ranking_rows(html) == [("HD-NG", "1"), ("HD-TK", "2")]
    assert 'data-unit="HD-NS"' not in html and 'data-unit="HD-GL"' not in html
    assert row_of(html, 'data-pending="HD-NS"').startswith(
        "Huyện Nam Sách no result yet 2 of 3 items with a final score"
    )
    assert row_of(html, 'data-pending="HD-GL"').startswith(
        "Huyện Gia Lộc no result yet 0 of 3 items with a final score"
    )
    pending = html[html.index('id="pending-district"') :]
    assert "Yếu" not in pending and "35.50" not in pending and "-47.50" not in pending
    assert "0 of 4 units approved" in html, "every unit of the level is counted"
    assert f'href="/par/assessments/{in_progress["ns"].case_id}/scorecard"' in pending


def test_the_scorecard_of_a_unit_in_progress_shows_no_result_rank_or_change(client, sign_in, in_progress):
    html = html_of(get_as(client, sign_in, "director", f"/par/assessments/{in_progress['ns'].case_id}/scorecard"))
    summary = re.search(r'<dl class="stats scorecard-summary">(.*?)</dl>', html, re.S).group(1)
    text = " ".join(re.sub(r"<[^>]+>", " ", summary).split())
    assert "no result yet" in text and "2 of 3 items with a final score" in text
    assert "Rank" not in text and "Tốt" not in text
    assert "Last year (2025) 83.00 · Khá" in text and "(" not in text.split("Khá", 1)[1], "last year, but no change"
    assert row_of(html, 'data-field="index"').endswith("no result yet 83.00 · Khá —")
    assert f"/par/rounds/{in_progress['round'].id}/ranking?level=district" in html, "the ranking is still a tap away"


def test_the_workbook_lists_them_apart_below_the_ranking(client, sign_in, in_progress):
    url = f"/par/rounds/{in_progress['round'].id}/ranking.xlsx"
    book = load_workbook(
        io.BytesIO(
            download(
                client, sign_in, "director", url, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            ).data
        )
    )
    sheet = book.worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=5)]
    rows = [row for row in rows if any(value is not None for value in row)]
    assert [(row[0], row[1]) for row in rows[:2]] == [(1, "HD-NG"), (2, "HD-TK")]
    assert rows[2][0] == "No result yet"
    pending = {row[1]: row for row in rows[3:]}
    assert set(pending) == {"HD-NS", "HD-GL"}
    for row in pending.values():
        assert row[0] is None, "no rank"
        assert row[-3] == "no result yet" and row[-2] is None, "no band, no change"
        assert not any(isinstance(value, int | float) for value in row[3:-3]), "no points"
    assert pending["HD-NS"][-1].endswith("2 of 3 items with a final score")


def test_the_csv_gives_them_no_rank_and_no_points(client, sign_in, in_progress):
    url = f"/par/rounds/{in_progress['round'].id}/ranking.csv"
    rows = list(
        csv.reader(io.StringIO(download(client, sign_in, "director", url, "text/csv").data.decode("utf-8-sig")))
    )
    assert [(row[1], row[2]) for row in rows[1:]] == [("1", "HD-NG"), ("2", "HD-TK"), ("", "HD-GL"), ("", "HD-NS")]
    for row in rows[3:]:
        assert row[4:12] == [""] * 8 and row[12] == "no result yet" and row[13] == ""


def test_the_pdf_appendix_lists_them_apart(client, sign_in, in_progress):
    text = pdf_text(get_as(client, sign_in, "director", f"/par/rounds/{in_progress['round'].id}/ranking.pdf"))
    assert "1 Huyện Ninh Giang 85.00 85.00 Khá 1" in text and "2 Huyện Tứ Kỳ 53.00 53.00 Yếu 2" in text
    apart = text[text.index("No result yet (not ranked):") :]
    assert "Huyện Gia Lộc no result yet · 0 of 3 items with a final score" in apart
    assert "Huyện Nam Sách no result yet · 2 of 3 items with a final score" in apart
    assert "35.50" not in text and "27.00" not in text


def test_a_unit_ranks_as_soon_as_its_last_final_score_is_in(client, in_progress):
    next(s for s in in_progress["ns"].scores if s.criterion.code == "2.1.1").final_score = 55
    db.session.commit()
    director = db.session.scalar(db.select(User).where(User.username == "director"))
    [table] = ranking_tables(in_progress["round"], director)
    assert [(row.par.unit.code, row.result.rank, row.change) for row in table.units][0][:2] == ("HD-NS", 1)
    assert table.units[0].change is not None and [row.par.unit.code for row in table.pending] == ["HD-GL"]


def test_the_scorecard_workbook_gives_no_index_band_or_change_without_a_result(client, sign_in, in_progress):
    url = f"/par/assessments/{in_progress['ns'].case_id}/scorecard.xlsx"
    sheet = load_workbook(io.BytesIO(download(client, sign_in, "director", url, XLSX).data))["Scorecard"]
    rows = {row[0]: row[:8] for row in ([cell.value for cell in r] for r in sheet.iter_rows(min_row=6, max_row=13))}
    assert rows["Index"] == ["Index", 100, 94, 90, "no result yet", None, 83, None]
    assert rows["Band"] == ["Band", None, "Tốt", "Tốt", "no result yet", None, "Khá", None]
    assert rows["Total"][7] is None, "no change from last year"
