"""A unit's PAR appraisal through every step, as the real users, through the web pages."""

import io
from decimal import Decimal as D

from PIL import Image

from inspect_app.core.extensions import db
from inspect_app.history import case_events
from inspect_app.models import CaseStatus, Notification


def assessment_of(par_round, unit_code):
    return next(a for a in par_round.assessments if a.unit.code == unit_code)


def score(par, code):
    return next(s for s in par.scores if s.criterion.code == code)


def page(par):
    return f"/par/assessments/{par.case_id}"


def task(par, bpmn_id):
    db.session.expire_all()
    [t] = [t for t in par.case.open_tasks if t.bpmn_id == bpmn_id]
    return t


def do(act, par, bpmn_id, who, data=None, expect=302):
    t = task(par, bpmn_id)
    response = act(who, f"/tasks/{t.id}", data or {}, page=f"/tasks/{t.id}")
    assert response.status_code == expect, response.get_data(as_text=True)[-2500:]
    return response


def set_score(act, par, code, who, stage, expect=302, **fields):
    token_page = "/" if expect == 404 else page(par)  # someone who may not see the case reads a token elsewhere
    response = act(who, f"/par/scores/{score(par, code).id}/{stage}", fields, page=token_page)
    assert response.status_code == expect, response.get_data(as_text=True)[-1500:]
    return response


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "JPEG")
    return buffer.getvalue()


def test_a_unit_through_every_step_with_a_returned_approval(act, par_round):
    par = assessment_of(par_round, "HD-NS")
    set_score(act, par, "1.1.1", "officer", "self", points="6", note="")
    set_score(act, par, "1.1.2", "officer", "self", points="3,5", note="")
    set_score(act, par, "2.1.1", "officer", "self", points="58", note="")
    response = do(act, par, "self_assessment", "officer", {"confirmed": "y"}, expect=422)
    assert "1.1.1" in response.get_data(as_text=True), "missing required evidence is refused, naming the item"
    act(
        "officer",
        f"/par/scores/{score(par, '1.1.1').id}/files",
        {"file": (io.BytesIO(jpeg()), "ke-hoach.jpg")},
        page=page(par),
        content_type="multipart/form-data",
    )
    do(act, par, "self_assessment", "officer", {"confirmed": "y"})

    set_score(act, par, "1.1.1", "appraiser", "first", points="6", comment="")
    set_score(act, par, "1.1.2", "appraiser", "first", points="3", comment="Thiếu báo cáo quý", needs_explanation="y")
    set_score(act, par, "2.1.1", "appraiser", "first", points="55", comment="")
    do(act, par, "first_appraisal", "appraiser", {"confirmed": "y"})
    assert task(par, "explanation") is not None
    set_score(act, par, "1.1.2", "officer", "explanation", explanation="Báo cáo quý IV đã gửi ngày 5/1")
    do(act, par, "explanation", "officer", {"confirmed": "y"})

    for code, points in (("1.1.1", "6"), ("1.1.2", "3.5"), ("2.1.1", "55")):
        set_score(act, par, code, "appraiser", "final", points=points, comment="")
    do(act, par, "second_appraisal", "appraiser", {"confirmed": "y"})
    do(act, par, "consolidation", "lead", {"note": ""})
    do(act, par, "approval", "director", {"decision": "return", "comment": "Rà soát lại điểm khảo sát"})
    do(act, par, "consolidation", "lead", {"note": "Đã rà soát"})
    do(act, par, "approval", "director", {"decision": "approve"})

    db.session.expire_all()
    assert par.approved_at is not None and par.case.status == CaseStatus.CLOSED
    actions = [e.action for e in case_events(par.case)]
    assert actions.count("par.self_scored") == 3 and "par.explained" in actions and "par.approved" in actions
    # After approval nothing changes.
    set_score(act, par, "2.1.1", "appraiser", "final", points="60", comment="", expect=403)
    assert score(par, "2.1.1").final_score == D(55)


def test_appraisers_cannot_change_self_assessment_scores(act, par_round):
    par = assessment_of(par_round, "HD-NS")
    set_score(act, par, "1.1.2", "appraiser", "self", expect=403, points="2", note="")
    set_score(act, par, "1.1.2", "officer2", "self", expect=404, points="2", note="")


def test_a_late_self_assessment_is_locked_by_the_timer(app, act, par_round, par_people, clock):
    par = assessment_of(par_round, "HD-NG")
    set_score(act, par, "2.1.1", "officer2", "self", points="40", note="")
    clock.now = clock.now.replace(year=2026, month=12, day=16)
    assert "Fired 2 timer(s)" in app.test_cli_runner().invoke(args=["inspect", "run-timers"]).output
    db.session.expire_all()
    assert par.locked_at is not None
    assert [t.bpmn_id for t in par.case.open_tasks] == ["first_appraisal"]
    set_score(act, par, "2.1.1", "officer2", "self", expect=403, points="60", note="")
    assert score(par, "2.1.1").self_score == D(40)
    told = db.session.scalars(
        db.select(Notification.user_id).where(
            Notification.case_id == par.case_id, Notification.kind == "self_assessment_locked"
        )
    ).all()
    assert sorted(told) == sorted([par_people["officer2"].id, par_people["lead"].id]), "the unit and the lead are told"


def test_the_case_page_leads_to_the_assessment(client, sign_in, par_round):
    par = assessment_of(par_round, "HD-NS")
    sign_in("officer")
    page = client.get(f"/cases/{par.case_id}").get_data(as_text=True)
    assert "Chỉ số CCHC năm 2026" in page and page.count(f"/par/assessments/{par.case_id}") == 1
