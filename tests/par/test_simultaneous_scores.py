"""Two appraisers scoring one unit's PAR appraisal at the same moment, on the demo case in its first appraisal.

Scores of different criteria never conflict. Two saves of the same criterion from pages showing the same version
are a real conflict: one is stored, the other is refused with a message naming who saved first; nothing is lost
unseen, and the history, replayed, gives exactly what is stored."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from inspect_app.core.extensions import db
from inspect_app.demo.organisation import DEMO_PASSWORD
from inspect_app.history import case_events
from inspect_app.models import ItemScore, OrgUnit, ParAssessment, ParStep
from tests.helpers import csrf_token, error_flash
from tests.racing import race, signed_in_client

ROUNDS = 15
APPRAISERS = ("inspector", "inspector2")


def first_appraisal_case():
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "HD-TPHD"))
    assessments = db.session.scalars(select(ParAssessment).where(ParAssessment.unit_id == unit.id))
    [par] = [par for par in assessments if par.case.has_open_step(ParStep.FIRST_APPRAISAL)]
    return par


def score_form(score: ItemScore, points: Decimal, comment: str) -> tuple[str, dict]:
    form = {"points": str(points), "comment": comment, "version": str(score.lock_version)}
    return f"/par/scores/{score.id}/first", form


def replayed_first_scores(par: ParAssessment) -> dict:
    """criterion code -> first-round score, from the history alone; each change starts where the last ended."""
    state = {}
    for event in case_events(par.case):
        if event.action != "par.appraised" or "first_score" not in event.details:
            continue
        code = event.details["criterion"]
        old, new = event.details["first_score"]
        assert old == state.get(code), f"event {event.seq} does not start from the stored score"
        state[code] = new
    return state


@pytest.mark.postgres
def test_two_appraisers_scoring_at_once_lose_nothing_unseen(app, demo):
    par = first_appraisal_case()
    names = {member.user.username: member.user.full_name for member in par.case.team}
    clients = {name: signed_in_client(app, name, DEMO_PASSWORD) for name in APPRAISERS}
    scores = sorted(par.scores, key=lambda score: score.criterion.code)
    kept, refused = {}, 0
    for round_number in range(ROUNDS):
        db.session.expire_all()
        # Different criteria at the same moment: both are stored.
        mine, theirs = scores[2 * round_number], scores[2 * round_number + 1]
        posts = {
            "inspector": score_form(mine, mine.criterion.max_points, f"Vòng {round_number + 1}"),
            "inspector2": score_form(theirs, Decimal(0), f"Vòng {round_number + 1}"),
        }
        responses = race(clients, posts, form_page=f"/par/assessments/{par.case_id}")
        assert [responses[name].status_code for name in APPRAISERS] == [302, 302], f"round {round_number + 1}"
        kept[mine.criterion.code] = mine.criterion.max_points
        kept[theirs.criterion.code] = Decimal(0)

        # The same criterion, from two pages showing the same version: one is stored, the other refused.
        shared = scores[-1 - round_number]
        points = {"inspector": Decimal(0), "inspector2": shared.criterion.max_points}
        posts = {name: score_form(shared, points[name], f"{name}, vòng {round_number + 1}") for name in APPRAISERS}
        responses = race(clients, posts, form_page=f"/par/assessments/{par.case_id}")
        statuses = {name: response.status_code for name, response in responses.items()}
        assert sorted(statuses.values()) == [302, 303], f"round {round_number + 1}: {statuses}"
        [winner] = [name for name, status in statuses.items() if status == 302]
        [loser] = [name for name, status in statuses.items() if status == 303]
        page = clients[loser].get(responses[loser].headers["Location"])
        message = error_flash(page)
        assert f"{names[winner]} đã lưu {shared.criterion.code}" in message, message
        assert "Thay đổi của bạn chưa được lưu" in message
        kept[shared.criterion.code] = points[winner]
        refused += 1

    db.session.expire_all()
    stored = {score.criterion.code: score.first_score for score in par.scores}
    assert {code: stored[code] for code in kept} == kept, "every save that was not refused is the one stored"
    replayed = {
        code: Decimal(value) if value is not None else None for code, value in replayed_first_scores(par).items()
    }
    assert replayed == {code: value for code, value in stored.items() if code in replayed}
    assert set(replayed) >= set(kept)
    assert refused == ROUNDS
    result = app.test_cli_runner().invoke(args=["inspect", "verify-history"])
    assert result.exit_code == 0, result.output


def test_a_save_from_a_page_older_than_the_last_save_is_refused_naming_who_saved(app, demo):
    par = first_appraisal_case()
    score = min(par.scores, key=lambda score: score.criterion.code)
    clients = {name: signed_in_client(app, name, DEMO_PASSWORD) for name in APPRAISERS}
    page = f"/par/assessments/{par.case_id}"
    opened = score_form(score, Decimal(0), "Ý kiến của tôi")  # the first appraiser's page shows this version

    path, form = score_form(score, score.criterion.max_points, "Đủ minh chứng")
    saved = clients["inspector2"].post(path, data={"csrf_token": csrf_token(clients["inspector2"], page), **form})
    assert saved.status_code == 302
    path, form = opened
    late = clients["inspector"].post(path, data={"csrf_token": csrf_token(clients["inspector"], page), **form})

    assert late.status_code == 303
    message = error_flash(clients["inspector"].get(late.headers["Location"]))
    assert f"Phạm Thu Hà đã lưu {score.criterion.code}" in message, message
    db.session.expire_all()
    assert (score.first_score, score.first_comment) == (score.criterion.max_points, "Đủ minh chứng")


def test_a_version_that_is_not_a_number_is_refused_and_changes_nothing(app, demo):
    par = first_appraisal_case()
    score = min(par.scores, key=lambda score: score.criterion.code)
    before = (score.first_score, score.first_comment, len(case_events(par.case)))
    client = signed_in_client(app, "inspector", DEMO_PASSWORD)
    path, form = score_form(score, Decimal(0), "Sửa")
    token = csrf_token(client, f"/par/assessments/{par.case_id}")
    response = client.post(path, data={"csrf_token": token, **form, "version": "x"})

    assert response.status_code == 303
    assert "số phiên bản không phải là số" in error_flash(client.get(response.headers["Location"]))
    db.session.expire_all()
    assert (score.first_score, score.first_comment, len(case_events(par.case))) == before
