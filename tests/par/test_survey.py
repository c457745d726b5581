"""Importing the survey component from CSV: good files in the shapes spreadsheets save, and every kind of bad line."""

import io
import re
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from inspect_app.core.extensions import db
from inspect_app.history import case_events
from inspect_app.models import OrgLevel, SurveyScore
from inspect_app.par.results import assessment_results, survey_total


def upload(act, par_round, content: bytes | str, who="admin"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return act(
        who,
        f"/par/rounds/{par_round.id}/survey",
        {"file": (io.BytesIO(data), "khao-sat.csv")},
        page=f"/par/rounds/{par_round.id}",
        content_type="multipart/form-data",
    )


def stored(par_round) -> dict[tuple[str, str], D]:
    db.session.expire_all()
    rows = db.session.scalars(select(SurveyScore).where(SurveyScore.round_id == par_round.id))
    return {(row.unit.code, row.component): row.score for row in rows}


def problems(response) -> list[str]:
    html = response.get_data(as_text=True)
    block = re.search(r'<ul class="field-error survey-errors"[^>]*>(.*?)</ul>', html, re.S)
    assert block, "no list of bad lines shown"
    return [p.replace("&#39;", "'") for p in re.findall(r"<li>([^<]*)</li>", block.group(1))]


def assessment_of(par_round, code):
    return next(a for a in par_round.assessments if a.unit.code == code)


GOOD = "unit_code,component,score\nHD-NS,SIPAS,18.5\nHD-NS,Lãnh đạo và công chức,8\nHD-NG,SIPAS,15.25\n"


def test_a_good_file_stores_the_scores_and_records_history(act, par_round):
    response = upload(act, par_round, GOOD)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert stored(par_round) == {
        ("HD-NS", "SIPAS"): D("18.5"),
        ("HD-NS", "Lãnh đạo và công chức"): D(8),
        ("HD-NG", "SIPAS"): D("15.25"),
    }
    ns = assessment_of(par_round, "HD-NS")
    assert survey_total(par_round, ns.unit_id) == D("26.5")
    assert assessment_results(ns)["final"].survey == D("26.5")
    [event] = [e for e in case_events(ns.case) if e.action == "par.survey_imported"]
    assert event.details["total"] == "26.50" and event.details["previous_total"] == "0.00"


def test_bom_semicolons_and_decimal_commas_as_spreadsheets_save_them(act, par_round):
    content = "\ufeffunit_code;component;score\r\nHD-NS;SIPAS;18,25\r\nHD-NG;SIPAS;12\r\n;;\r\n"
    assert upload(act, par_round, content).status_code == 302
    assert stored(par_round) == {("HD-NS", "SIPAS"): D("18.25"), ("HD-NG", "SIPAS"): D(12)}


def test_a_new_file_replaces_only_the_units_it_names(act, par_round):
    upload(act, par_round, GOOD)
    assert upload(act, par_round, "unit_code,component,score\nHD-NS,SIPAS,20\n").status_code == 302
    assert stored(par_round) == {("HD-NS", "SIPAS"): D(20), ("HD-NG", "SIPAS"): D("15.25")}
    ns = assessment_of(par_round, "HD-NS")
    assert [e.details["previous_total"] for e in case_events(ns.case) if e.action == "par.survey_imported"] == [
        "0.00",
        "26.50",
    ]


BAD_LINES = [
    ("HD-XX,SIPAS,10", "Line 2, column unit_code: no unit has the code HD-XX."),
    ("HD-TH,SIPAS,10", "Line 2, column unit_code: Huyện Thanh Hà does not take part in this round."),
    (",SIPAS,10", "Line 2, column unit_code: the unit code is empty."),
    ("HD-NS,,10", "Line 2, column component: the component is empty."),
    ("HD-NS,SIPAS,mười", "Line 2, column score: mười is not a number."),
    ("HD-NS,SIPAS,1e1", "Line 2, column score: 1e1 is not a number."),
    ("HD-NS,SIPAS,", "Line 2, column score: (empty) is not a number."),
    ("HD-NS,SIPAS,-1", "Line 2, column score: the score cannot be negative."),
    ("HD-NS,SIPAS,7.125", "Line 2, column score: use at most two decimals."),
    ("HD-NS,SIPAS,7,5", "Line 2: expected 3 columns, found 4."),
]


@pytest.mark.parametrize(("line", "message"), BAD_LINES)
def test_each_kind_of_bad_line_is_named_and_nothing_is_stored(act, par_round, create_unit, line, message):
    create_unit("Huyện Thanh Hà", OrgLevel.DISTRICT, code="HD-TH")
    upload(act, par_round, GOOD)
    before = stored(par_round)
    response = upload(act, par_round, f"unit_code,component,score\n{line}\nHD-NG,SIPAS,1\n")
    assert response.status_code == 422
    assert problems(response) == [message]
    assert "nothing was changed" in response.get_data(as_text=True)
    assert stored(par_round) == before


def test_every_bad_line_is_reported_at_once(act, par_round):
    content = "unit_code,component,score\nHD-NS,SIPAS,abc\nHD-NG,SIPAS,10\nHD-NG,sipas,5\nHD-XX,SIPAS,1\n"
    response = upload(act, par_round, content)
    assert problems(response) == [
        "Line 2, column score: abc is not a number.",
        "Line 4, column component: HD-NG / sipas is already on line 3.",
        "Line 5, column unit_code: no unit has the code HD-XX.",
    ]
    assert stored(par_round) == {}


def test_a_units_total_may_not_exceed_the_survey_maximum(act, par_round):
    response = upload(
        act, par_round, "unit_code,component,score\nHD-NS,SIPAS,20\nHD-NG,SIPAS,5\nHD-NS,Lãnh đạo,10.01\n"
    )
    assert problems(response) == [
        "Line 4, column score: the scores of HD-NS (lines 2, 4) add up to 30.01, more than the survey's maximum 30.00."
    ]
    assert stored(par_round) == {}
    assert upload(act, par_round, "unit_code,component,score\nHD-NS,SIPAS,20\nHD-NS,Lãnh đạo,10\n").status_code == 302
    assert assessment_results(assessment_of(par_round, "HD-NS"))["final"].survey == D(30)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("code,score\nHD-NS,10\n", "Line 1: the first line must be the header unit_code,component,score."),
        ("", "Line 1: the first line must be the header unit_code,component,score."),
        ("unit_code,component,score\n", "Line 2: the file has no scores after the header."),
        (
            "unit_code,component,score\nHD-NS,Kh\xe1o s\xe1t,10\n".encode("latin-1"),
            "Line 2: the file is not UTF-8 text",
        ),
    ],
)
def test_a_file_of_the_wrong_shape_is_refused(act, par_round, content, message):
    response = upload(act, par_round, content)
    assert response.status_code == 422
    assert problems(response)[0].startswith(message)
    assert stored(par_round) == {}


def test_no_file_at_all(act, par_round):
    response = act("admin", f"/par/rounds/{par_round.id}/survey", {}, page=f"/par/rounds/{par_round.id}")
    assert response.status_code == 400
    assert stored(par_round) == {}
