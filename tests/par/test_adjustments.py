"""Bonus and penalty points: added by the appraisal lead while consolidating, citing findings about the unit only,
capped in the index."""

import re
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from inspect_app.core.extensions import db
from inspect_app.history import case_events
from inspect_app.models import CaseType, ContentArea, Finding, FindingState, ParStep, ScoreAdjustment, Severity
from inspect_app.par import services
from inspect_app.par.results import assessment_results
from inspect_app.par.steps import ConsolidationInput, FirstAppraisalInput, SecondAppraisalInput, SelfAssessmentInput
from inspect_app.tasks.services import complete_task
from tests.helpers import error_flash

STEPS = ("self_assessment", "first_appraisal", "second_appraisal", "consolidation")
APPRAISALS = {"first_appraisal": FirstAppraisalInput, "second_appraisal": SecondAppraisalInput}


def complete(par, bpmn_id, actor, data):
    db.session.expire_all()
    [task] = [t for t in par.case.open_tasks if t.bpmn_id == bpmn_id]
    complete_task(task, actor=actor, data=data)


def drive_to(par, people, step: str):
    """Take the assessment through every step before `step`, with the services, as its real users."""
    officer = people["officer"] if par.unit.code == "HD-NS" else people["officer2"]
    for done in STEPS[: STEPS.index(step)]:
        if done == "self_assessment":
            for score in par.scores:
                services.save_self_score(score, actor=officer, points=score.criterion.max_points, note="Có văn bản")
            complete(par, done, officer, SelfAssessmentInput(confirmed=True))
        elif done in ("first_appraisal", "second_appraisal"):
            stage = ParStep(done)
            for score in par.scores:
                services.save_appraisal(
                    score, stage, actor=people["appraiser"], points=score.criterion.max_points - 1, comment=""
                )
            complete(par, done, people["appraiser"], APPRAISALS[done](confirmed=True))
    db.session.commit()
    assert [t.bpmn_id for t in par.case.open_tasks] == [step]
    return par


def assessment_of(par_round, code):
    return next(a for a in par_round.assessments if a.unit.code == code)


@pytest.fixture
def finding_about(create_case, par_people):
    """A concluded inspection finding about the unit with `code`."""

    def make(code: str, title="Hồ sơ trễ hạn chưa có phiếu xin lỗi") -> Finding:
        case = create_case(
            title=f"Kiểm tra công vụ {code}", unit=par_people[code.removeprefix("HD-").lower()], lead=par_people["lead"]
        )
        assert case.case_type == CaseType.INSPECTION
        finding = Finding(
            case=case,
            raised_by=par_people["lead"],
            area=ContentArea.PROCEDURES,
            title=title,
            severity=Severity.MAJOR,
            state=FindingState.OPEN,
        )
        db.session.add(finding)
        db.session.commit()
        return finding

    return make


@pytest.fixture
def consolidating(par_round, par_people):
    """Nam Sách's assessment waiting for the lead's consolidation."""
    return drive_to(assessment_of(par_round, "HD-NS"), par_people, "consolidation")


def adjust(act, par, who="lead", **fields):
    page = f"/par/assessments/{par.case_id}" if who not in ("officer2",) else "/"
    return act(who, f"/par/assessments/{par.case_id}/adjustments", fields, page=page)


def stored(par):
    return db.session.scalars(select(ScoreAdjustment).where(ScoreAdjustment.case_id == par.case_id)).all()


def test_bonus_and_penalty_points_count_in_the_index_within_the_caps(act, client, consolidating, finding_about):
    par = consolidating
    finding = finding_about("HD-NS")
    assert adjust(act, par, points="1.5", reason="Sáng kiến CCHC được công nhận").status_code == 302
    response = adjust(act, par, points="-2,5", reason="Chưa khắc phục kết luận kiểm tra", finding=str(finding.id))
    assert response.status_code == 302
    db.session.expire_all()
    assert [(a.points, a.finding_id) for a in stored(par)] == [(D("1.5"), None), (D("-2.5"), finding.id)]
    final = assessment_results(par)["final"]
    # 67 appraised points (6 + 4 + 60, one off each), +1.5 bonus, -2 penalty (capped at 2): 66.5 of 100.
    assert (final.bonus, final.penalty, final.total, final.index) == (D("1.5"), D(2), D("66.5"), D("66.50"))
    assert adjust(act, par, points="2", reason="Giải thưởng").status_code == 302
    db.session.expire_all()
    assert assessment_results(par)["final"].bonus == D(3), "a bonus beyond the cap counts as the cap"

    html = client.get(f"/par/assessments/{par.case_id}").get_data(as_text=True)
    section = re.search(r'<section class="card" id="adjustments">(.*?)</section>', html, re.S).group(1)
    assert "+1.50" in section and "-2.50" in section and "Chưa khắc phục kết luận kiểm tra" in section
    assert f'href="/inspections/findings/{finding.id}"' in section and "Hồ sơ trễ hạn chưa có phiếu xin lỗi" in section
    assert [e.action for e in case_events(par.case)].count("par.adjusted") == 3


def test_the_form_offers_the_units_findings_only(client, sign_in, consolidating, finding_about):
    ours, theirs = finding_about("HD-NS", "Thiếu biển tên"), finding_about("HD-NG", "Không niêm yết thủ tục")
    sign_in("lead")
    html = client.get(f"/par/assessments/{consolidating.case_id}").get_data(as_text=True)
    select_html = re.search(r'<select id="adjustment-finding".*?</select>', html, re.S).group(0)
    assert f'value="{ours.id}"' in select_html and f'value="{theirs.id}"' not in select_html


def test_a_finding_about_another_unit_is_refused(act, client, consolidating, finding_about):
    finding = finding_about("HD-NG")
    response = adjust(act, consolidating, points="-1", reason="Vi phạm", finding=str(finding.id))
    assert response.status_code == 303
    assert error_flash(client.get(response.headers["Location"])) == "The finding must be about this unit."
    assert stored(consolidating) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"points": "1.234", "reason": "x"}, "Use at most two decimals."),
        ({"points": "một", "reason": "x"}, "Write a plain number, such as 8,5 or 8.5."),
        ({"points": "1e0", "reason": "x"}, "Write a plain number, such as 8,5 or 8.5."),
        ({"points": "0", "reason": "x"}, "not zero"),
        ({"points": "1", "reason": ""}, "Reason: This field is required."),
        ({"points": "", "reason": "x"}, "Points: This field is required."),
        ({"points": "-1", "reason": "x", "finding": "999"}, "The finding must be about this unit."),
    ],
)
def test_bad_points_are_refused_and_nothing_is_stored(act, client, consolidating, fields, message):
    response = adjust(act, consolidating, **fields)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert message in page.replace("&#39;", "'")
    assert stored(consolidating) == []


def test_only_the_lead_while_consolidating(act, par_round, par_people):
    par = assessment_of(par_round, "HD-NS")
    assert adjust(act, par, points="1", reason="Sớm").status_code == 403, "not before consolidation"
    drive_to(par, par_people, "consolidation")
    for who in ("appraiser", "director", "admin", "officer", "auditor"):
        assert adjust(act, par, who=who, points="1", reason="x").status_code == 403, who
    assert adjust(act, par, who="officer2", points="1", reason="x").status_code == 404
    complete(par, "consolidation", par_people["lead"], ConsolidationInput(note=""))
    db.session.commit()
    assert adjust(act, par, points="1", reason="Muộn").status_code == 403, "not once sent for approval"
    assert db.session.scalar(select(func.count(ScoreAdjustment.id))) == 0
