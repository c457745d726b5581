"""Who may see and do what on the rounds pages, the survey import and bonus or penalty points (others: 404)."""

import io

import pytest
from sqlalchemy import func, select

from inspect_app.core.extensions import db
from inspect_app.models import ParRound, Role, ScoreAdjustment, SurveyScore
from tests.helpers import csrf_token, fresh_browser
from tests.par.test_adjustments import assessment_of, drive_to
from tests.par.test_rounds import round_data

# officer works at Nam Sách (in the round), officer2 at Ninh Giang (the other unit); inspector2 is on no team.
EVERYONE = ["admin", "director", "lead", "appraiser", "inspector2", "officer", "officer2", "auditor", "anonymous"]
SEES_THE_ROUND = {"admin", "director", "auditor", "lead", "appraiser"}


@pytest.fixture
def world(par_round, create_user):
    create_user("inspector2", Role.INSPECTOR, language="en")
    return par_round


def get_as(client, sign_in, who, url):
    fresh_browser(client)
    if who != "anonymous":
        sign_in(who)
    return client.get(url)


def post_as(client, sign_in, who, url, data, **kwargs):
    fresh_browser(client)
    if who != "anonymous":
        sign_in(who)
    token = csrf_token(client, "/login" if who == "anonymous" else "/")
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def anonymous_or(who, expected):
    return 302 if who == "anonymous" else expected


@pytest.mark.parametrize("who", EVERYONE)
def test_the_rounds_list(client, sign_in, world, who):
    expected = 200 if who in SEES_THE_ROUND | {"inspector2"} else 404
    response = get_as(client, sign_in, who, "/par/rounds")
    assert response.status_code == anonymous_or(who, expected)
    if response.status_code == 200:
        assert ("Chỉ số CCHC năm 2026" in response.get_data(as_text=True)) == (who in SEES_THE_ROUND)


@pytest.mark.parametrize("who", EVERYONE)
def test_the_round_page(client, sign_in, world, who):
    response = get_as(client, sign_in, who, f"/par/rounds/{world.id}")
    assert response.status_code == anonymous_or(who, 200 if who in SEES_THE_ROUND else 404)
    if response.status_code == 200:
        assert ('id="survey"' in response.get_data(as_text=True)) == (who == "admin")


@pytest.mark.parametrize("who", EVERYONE)
def test_the_new_round_page(client, sign_in, world, who):
    assert get_as(client, sign_in, who, "/par/rounds/new").status_code == anonymous_or(
        who, 200 if who == "admin" else 404
    )


@pytest.mark.parametrize("who", EVERYONE)
def test_opening_a_round(client, sign_in, world, par_people, who):
    criteria_set = world.set_for(world.assessments[0].unit.level)
    response = post_as(client, sign_in, who, "/par/rounds/new", round_data(par_people, criteria_set))
    assert response.status_code == anonymous_or(who, 302 if who == "admin" else 404)
    assert db.session.scalar(select(func.count(ParRound.id))) == (2 if who == "admin" else 1)


@pytest.mark.parametrize("who", EVERYONE)
def test_importing_the_survey(client, sign_in, world, who):
    data = {"file": (io.BytesIO(b"unit_code,component,score\nHD-NS,SIPAS,18\n"), "khao-sat.csv")}
    response = post_as(client, sign_in, who, f"/par/rounds/{world.id}/survey", data, content_type="multipart/form-data")
    expected = 302 if who == "admin" else 403 if who in SEES_THE_ROUND else 404
    assert response.status_code == anonymous_or(who, expected)
    assert db.session.scalar(select(func.count(SurveyScore.id))) == (1 if who == "admin" else 0)


# Nam Sách's case is seen by those who see every case, its team (lead, appraiser) and its officer.
SEES_THE_CASE = {"admin", "director", "auditor", "lead", "appraiser", "officer"}


@pytest.mark.parametrize("who", EVERYONE)
def test_adding_bonus_or_penalty_points(client, sign_in, world, par_people, who):
    par = drive_to(assessment_of(world, "HD-NS"), par_people, "consolidation")
    data = {"points": "0.5", "reason": "Sáng kiến CCHC"}
    response = post_as(client, sign_in, who, f"/par/assessments/{par.case_id}/adjustments", data)
    expected = 302 if who == "lead" else 403 if who in SEES_THE_CASE else 404
    assert response.status_code == anonymous_or(who, expected)
    assert db.session.scalar(select(func.count(ScoreAdjustment.id))) == (1 if who == "lead" else 0)


@pytest.mark.parametrize("who", EVERYONE)
def test_the_assessment_page(client, sign_in, world, who):
    par = assessment_of(world, "HD-NS")
    response = get_as(client, sign_in, who, f"/par/assessments/{par.case_id}")
    assert response.status_code == anonymous_or(who, 200 if who in SEES_THE_CASE else 404)


@pytest.mark.parametrize("who", EVERYONE)
def test_self_scoring_is_for_the_units_officers(client, sign_in, world, who):
    par = assessment_of(world, "HD-NS")
    score = next(s for s in par.scores if s.criterion.code == "1.1.2")
    response = post_as(client, sign_in, who, f"/par/scores/{score.id}/self", {"points": "2", "note": ""})
    expected = 302 if who == "officer" else 403 if who in SEES_THE_CASE else 404
    assert response.status_code == anonymous_or(who, expected)
    db.session.expire_all()
    assert (score.self_score is not None) == (who == "officer")


@pytest.mark.parametrize("who", EVERYONE)
def test_first_round_scoring_is_for_the_appraisal_team(client, sign_in, world, par_people, who):
    par = drive_to(assessment_of(world, "HD-NS"), par_people, "first_appraisal")
    score = next(s for s in par.scores if s.criterion.code == "1.1.2")
    response = post_as(client, sign_in, who, f"/par/scores/{score.id}/first", {"points": "2", "comment": ""})
    # The appraisal task's lane (appraiser) names the team's members, not its lead.
    expected = 302 if who == "appraiser" else 403 if who in SEES_THE_CASE else 404
    assert response.status_code == anonymous_or(who, expected)
