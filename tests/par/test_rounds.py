"""Opening a round through the page, its validation, and the progress pages."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from inspect_app.core.exceptions import InvalidInput
from inspect_app.core.extensions import db
from inspect_app.models import Case, CriteriaSet, OrgLevel, ParRound, RoundStatus
from inspect_app.par import services
from inspect_app.par.steps import SelfAssessmentInput
from inspect_app.tasks.services import complete_task
from tests.par.conftest import build_set


@pytest.fixture
def district_set(app, par_people):
    criteria_set = build_set(code="districts-2027", year=2027)
    db.session.commit()
    return criteria_set


def round_data(people, criteria_set, **overrides) -> dict:
    """What an admin fills in to open a 2027 round for both districts."""
    data = {
        "year": "2027",
        "name": "Chỉ số CCHC năm 2027",
        "set_district": str(criteria_set.id),
        "units": [str(people["ns"].id), str(people["ng"].id)],
        "lead": str(people["lead"].id),
        "appraisers": [str(people["appraiser"].id)],
        "self_assessment_due": "2027-12-15",
        "first_appraisal_due": "2027-12-22",
        "explanation_due": "2027-12-29",
        "second_appraisal_due": "2028-01-05",
        "approval_due": "2028-01-12",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def open_by_form(act, data):
    return act("admin", "/par/rounds/new", data, page="/par/rounds/new")


def nothing_created():
    return (
        db.session.scalar(select(func.count(ParRound.id))) == 0 and db.session.scalar(select(func.count(Case.id))) == 0
    )


def test_opening_a_round_starts_one_case_per_unit_with_the_officers_first_task(act, par_people, district_set):
    response = open_by_form(act, round_data(par_people, district_set))
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    par_round = db.session.scalar(select(ParRound))
    assert response.headers["Location"].endswith(f"/par/rounds/{par_round.id}")
    assert (par_round.year, par_round.name, par_round.set_for(OrgLevel.DISTRICT)) == (
        2027,
        "Chỉ số CCHC năm 2027",
        district_set,
    )
    assert sorted(a.unit.code for a in par_round.assessments) == ["HD-NG", "HD-NS"]
    officers = {"HD-NS": par_people["officer"], "HD-NG": par_people["officer2"]}
    for assessment in par_round.assessments:
        assert sorted(s.criterion.code for s in assessment.scores) == ["1.1.1", "1.1.2", "2.1.1"]
        [task] = assessment.case.open_tasks
        assert task.bpmn_id == "self_assessment"
        assert [u.username for u in task.candidates] == [officers[assessment.unit.code].username]
        assert {m.user.username: m.role.value for m in assessment.case.team} == {"lead": "lead", "appraiser": "member"}


def test_the_all_districts_shortcut_takes_every_district(act, par_people, district_set, create_unit):
    create_unit("Huyện Thanh Hà", OrgLevel.DISTRICT, code="HD-TH")
    response = open_by_form(act, round_data(par_people, district_set, units=[], all_districts="y"))
    assert response.status_code == 302
    assert sorted(a.unit.code for a in db.session.scalar(select(ParRound)).assessments) == ["HD-NG", "HD-NS", "HD-TH"]


def field_errors(response) -> str:
    return " ".join(re.findall(r'class="field-error"[^>]*>([^<]+)<', response.get_data(as_text=True)))


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"explanation_due": "2027-12-20"}, "Explanation deadline", "cannot come before First appraisal by"),
        ({"approval_due": "2027-01-01"}, "Approval by", "cannot come before Second appraisal by"),
        ({"units": []}, "Units taking part", "Choose at least one unit"),
        ({"set_district": ""}, "Criteria set for districts", "choose their criteria set"),
        ({"appraisers": []}, "Appraisers", "at least one appraiser besides the lead"),
        ({"lead": ""}, "Appraisal lead", "This field is required"),
        ({"name": ""}, "Name", "This field is required"),
    ],
)
def test_a_refused_round_names_the_field_and_changes_nothing(act, par_people, district_set, overrides, field, message):
    response = open_by_form(act, round_data(par_people, district_set, **overrides))
    assert response.status_code == 400
    assert f"{field}: " in field_errors(response) and message in field_errors(response)
    assert nothing_created()


def test_a_level_without_a_criteria_set_is_refused(act, par_people, district_set, create_unit):
    department = create_unit("Sở Giao thông vận tải", OrgLevel.DEPARTMENT, code="HD-SGTVT")
    units = [str(par_people["ns"].id), str(department.id)]
    response = open_by_form(act, round_data(par_people, district_set, units=units))
    assert response.status_code == 400
    assert "Criteria set for departments: Units of this level take part" in field_errors(response)
    assert nothing_created()


def test_a_unit_already_in_a_round_of_the_year_is_refused(act, par_people, district_set):
    assert open_by_form(act, round_data(par_people, district_set)).status_code == 302
    response = open_by_form(act, round_data(par_people, district_set, name="Lần hai"))
    assert response.status_code == 400
    assert "Already in a round for this year: Huyện Nam Sách, Huyện Ninh Giang" in field_errors(response)
    assert db.session.scalar(select(func.count(ParRound.id))) == 1


def open_through_the_service(people, criteria_set, *, lead, appraisers):
    """Open the 2027 round as the CLI or the demo would, past the page's lists of people to choose from."""
    return services.open_round(
        actor=people["admin"],
        year=2027,
        name="Chỉ số CCHC năm 2027",
        sets={OrgLevel.DISTRICT: criteria_set},
        units=[people["ns"]],
        lead=lead,
        appraisers=appraisers,
        self_assessment_due=date(2027, 12, 15),
        first_appraisal_due=date(2027, 12, 22),
        explanation_due=date(2027, 12, 29),
        second_appraisal_due=date(2028, 1, 5),
        approval_due=date(2028, 1, 12),
    )


@pytest.mark.parametrize(
    ("lead", "appraiser", "deactivated", "errors"),
    [
        ("appraiser", "lead", None, {"lead": ["appraiser"]}),  # an inspector who does not hold the lead role
        ("lead", "appraiser", "lead", {"lead": ["lead"]}),
        ("lead", "officer", None, {"appraisers": ["officer"]}),
        ("lead", "appraiser", "appraiser", {"appraisers": ["appraiser"]}),
    ],
)
def test_the_lead_and_appraisers_must_be_allowed_to_take_the_job(
    par_people, district_set, lead, appraiser, deactivated, errors
):
    if deactivated:
        par_people[deactivated].is_active = False
    with pytest.raises(InvalidInput) as refusal:
        open_through_the_service(par_people, district_set, lead=par_people[lead], appraisers=[par_people[appraiser]])
    assert refusal.value.errors == errors
    db.session.rollback()
    assert nothing_created()


def test_the_criteria_set_choices_are_filtered_by_level(client, sign_in, par_people, district_set):
    sign_in("admin")
    db.session.add(CriteriaSet(code="dept-2027", name="Bộ tiêu chí cấp sở", year=2027, level=OrgLevel.DEPARTMENT))
    db.session.commit()
    html = client.get("/par/rounds/new").get_data(as_text=True)
    district_select = re.search(r'<select id="set_district".*?</select>', html, re.S).group(0)
    department_select = re.search(r'<select id="set_department".*?</select>', html, re.S).group(0)
    assert "Bộ tiêu chí cấp huyện" in district_select and "Bộ tiêu chí cấp sở" not in district_select
    assert "Bộ tiêu chí cấp sở" in department_select and "Bộ tiêu chí cấp huyện" not in department_select


# --- progress -------------------------------------------------------------------------------------------------------


def submit_self_assessment(par, officer):
    for score in par.scores:
        services.save_self_score(score, actor=officer, points=score.criterion.max_points, note="Có văn bản kèm theo")
    [task] = par.case.open_tasks
    complete_task(task, actor=officer, data=SelfAssessmentInput(confirmed=True))
    db.session.commit()


def step_cells(html: str) -> dict[str, str]:
    return dict(re.findall(r'<td data-step="(\w+)">([^<]*)</td>', html))


def test_progress_shows_each_unit_at_its_step(client, sign_in, par_people, par_round):
    ns = next(a for a in par_round.assessments if a.unit.code == "HD-NS")
    submit_self_assessment(ns, par_people["officer"])
    sign_in("director")
    listing = client.get("/par/rounds").get_data(as_text=True)
    assert "Chỉ số CCHC năm 2026" in listing
    cells = step_cells(listing)
    assert cells["self_assessment"] == "1" and cells["first_appraisal"] == "1" and cells["approved"] == "—"

    html = client.get(f"/par/rounds/{par_round.id}").get_data(as_text=True)
    ns_row = re.search(r'<tr id="unit-HD-NS" data-step="first_appraisal">(.*?)</tr>', html, re.S).group(1)
    assert "Appraisal, round 1" in ns_row and "Appraiser" in ns_row and "submitted" in ns_row
    assert f"/par/assessments/{ns.case_id}" in ns_row
    ng_row = re.search(r'<tr id="unit-HD-NG" data-step="self_assessment">(.*?)</tr>', html, re.S).group(1)
    assert "Self-assessment" in ng_row and "Officer2" in ng_row


def test_an_inspector_sees_only_rounds_whose_team_they_are_on(client, sign_in, create_user, par_round):
    from inspect_app.models import Role

    create_user("inspector2", Role.INSPECTOR, language="en")
    sign_in("inspector2")
    assert "Chỉ số CCHC năm 2026" not in client.get("/par/rounds").get_data(as_text=True)
    assert client.get(f"/par/rounds/{par_round.id}").status_code == 404


# --- the demo -------------------------------------------------------------------------------------------------------


def test_the_demo_has_last_years_round_ranked_and_this_years_in_progress(app, demo):
    from decimal import Decimal as D

    from inspect_app.core.sqltypes import utc_now
    from inspect_app.demo.par import load_demo_par
    from inspect_app.history_verify import HistoryCheck
    from inspect_app.par.results import round_ranking

    assert load_demo_par() == 0, "a second run adds nothing"
    previous, current = db.session.scalars(select(ParRound).order_by(ParRound.year)).all()
    assert (previous.year, current.year) == (utc_now().year - 1, utc_now().year)

    assert len(previous.assessments) == 30 and all(a.is_approved and a.case.is_closed for a in previous.assessments)
    assert (previous.status, current.status) == (RoundStatus.CLOSED, RoundStatus.OPEN)
    assert previous.closed_by.username == "director"
    departments = round_ranking(previous, OrgLevel.DEPARTMENT)
    assert [(r.rank, r.unit, r.index, r.band) for r, _a in departments[:2]] == [
        (1, "HD-SGTVT", D("91.53"), "Tốt"),
        (2, "HD-SKHCN", D("90.33"), "Tốt"),
    ]
    districts = round_ranking(previous, OrgLevel.DISTRICT)
    assert sorted((r.rank, r.unit, r.index) for r, _a in districts[:2]) == [
        (1, "HD-NS", D("85.86")),
        (1, "HD-TPHD", D("85.86")),
    ]
    assert districts[-1][0].unit == "HD-NG" and len(districts) == 12
    assert len({r.index for r, _a in departments}) == 18, "varied scores, no accidental ties"

    steps = {a.unit.code: [t.bpmn_id for t in a.case.open_tasks] for a in current.assessments}
    assert sorted(step for [step] in steps.values()) == sorted(
        [
            "self_assessment",
            "self_assessment",
            "first_appraisal",
            "explanation",
            "second_appraisal",
            "consolidation",
            "approval",
        ]
    )
    [self_assessment] = next(a for a in current.assessments if a.unit.code == "HD-NS").case.open_tasks
    assert "officer" in [u.username for u in self_assessment.candidates]
    assert list(HistoryCheck().breaks()) == []
