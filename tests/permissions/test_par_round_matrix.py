"""Who gets what on a published PAR round: its page, its ranking and files, and closing it (admin and director only,
access/roles.py CLOSES_ROUNDS). The round appraises the world's district, with lead leading and inspector on the
appraisal team; inspector2 is on no team, and sees the round only because it is published."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from inspect_app.core.extensions import db
from inspect_app.models import OrgLevel, RoundStatus
from inspect_app.par import services
from tests.par.conftest import build_set
from tests.permissions.conftest import EVERYONE, USERS, request_as
from tests.permissions.test_task_matrix import post_as

BPMN = Path(__file__).resolve().parents[2] / "bpmn" / "par_appraisal.bpmn"

# Round pages are for the roles that work on rounds (access/roles.py ROUND_VIEWERS); unit officers read the ranking.
ROUND_PAGE = {**{who: 200 for who in USERS}, "officer": 404, "officer2": 404, "anonymous": 302}
RANKING = {**{who: 200 for who in USERS}, "anonymous": 302}
CLOSE_PAGE = {
    **{who: 403 for who in USERS},
    "admin": 200,
    "director": 200,
    "officer": 404,
    "officer2": 404,
    "anonymous": 302,
}
CLOSE = {**{who: 403 for who in USERS}, "admin": 302, "director": 302, "officer": 404, "officer2": 404}


@pytest.fixture
def published_round(world, deploy):
    deploy("par_appraisal.bpmn", xml=BPMN.read_bytes())
    users = world["users"]
    par_round = services.open_round(
        actor=users["admin"],
        year=2026,
        name="Chỉ số CCHC năm 2026",
        sets={OrgLevel.DISTRICT: build_set()},
        units=[world["case"].subject_unit],
        lead=users["lead"],
        appraisers=[users["inspector"]],
        self_assessment_due=date(2026, 12, 15),
        first_appraisal_due=date(2026, 12, 22),
        explanation_due=date(2026, 12, 29),
        second_appraisal_due=date(2027, 1, 5),
        approval_due=date(2027, 1, 12),
    )
    for par in par_round.assessments:
        par.approved_at = datetime(2027, 1, 10, 3, tzinfo=UTC)
    db.session.commit()
    assert par_round.status == RoundStatus.PUBLISHED
    return par_round


@pytest.mark.parametrize("who", EVERYONE)
def test_the_round_page(client, sign_in, published_round, who):
    assert request_as(client, sign_in, who, f"/par/rounds/{published_round.id}").status_code == ROUND_PAGE[who]


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("page", ["ranking", "ranking.xlsx", "ranking.csv", "ranking.pdf"])
def test_the_ranking_and_its_files(client, sign_in, published_round, who, page):
    response = request_as(client, sign_in, who, f"/par/rounds/{published_round.id}/{page}")
    assert response.status_code == RANKING[who]


@pytest.mark.parametrize("who", EVERYONE)
def test_the_close_confirmation_page(client, sign_in, published_round, who):
    assert request_as(client, sign_in, who, f"/par/rounds/{published_round.id}/close").status_code == CLOSE_PAGE[who]


@pytest.mark.parametrize("who", EVERYONE)
def test_closing_the_round(client, sign_in, published_round, who):
    url = f"/par/rounds/{published_round.id}/close"
    response = post_as(client, sign_in, who, url, url, {})
    assert response.status_code == (302 if who == "anonymous" else CLOSE[who])
    if who == "anonymous":
        assert "/login" in response.headers["Location"]
    db.session.expire_all()
    assert (published_round.status == RoundStatus.CLOSED) == (who in ("admin", "director"))
