"""Who may do what at each step of an inspection: only the lane's users act; the other unit cannot even see it."""

import io

import pytest

from inspect_app.core.extensions import db
from inspect_app.models import EvidenceFile, Finding
from tests.helpers import csrf_token, fresh_browser
from tests.inspections.conftest import PEOPLE, open_task
from tests.inspections.test_hostile_input import jpeg
from tests.inspections.test_paths import keep_all, minutes, plan, raise_finding, visit
from tests.snapshots import world

EVERYONE = [*PEOPLE, "anonymous"]
SEES_THE_CASE = {"admin", "director", "lead", "inspector", "officer", "auditor"}


def get_as(client, sign_in, who, url):
    fresh_browser(client)
    if who != "anonymous":
        sign_in(who)
    return client.get(url)


def post_as(client, sign_in, who, url, data):
    fresh_browser(client)
    if who != "anonymous":
        sign_in(who)
    return client.post(url, data={"csrf_token": csrf_token(client, "/login" if who == "anonymous" else "/"), **data})


def expected_view(who):
    return 302 if who == "anonymous" else 200 if who in SEES_THE_CASE else 404


@pytest.fixture
@world
def on_site(decide, do_task):
    """A case whose team (lead, inspector) is on site."""
    case = decide()
    plan(do_task, case)
    return case


@pytest.mark.parametrize("who", EVERYONE)
def test_only_directors_open_the_decision_page(client, sign_in, people, who):
    expected = {"director": 200, "anonymous": 302}.get(who, 404)
    assert get_as(client, sign_in, who, "/inspections/new").status_code == expected


@pytest.mark.parametrize("who", EVERYONE)
def test_the_findings_page(client, sign_in, on_site, who):
    assert get_as(client, sign_in, who, f"/inspections/{on_site.id}/findings").status_code == expected_view(who)


# The on-site screen is for inspectors and leads (others: 404, like any page not meant for them); of those, only the
# team members doing the visit may use it (inspector2 is not on this case's team: 404 too).
ON_SITE = {"lead": 200, "inspector": 200, "anonymous": 302}


@pytest.mark.parametrize("who", EVERYONE)
def test_the_on_site_screen_is_for_the_team_on_site(client, sign_in, on_site, who):
    status = get_as(client, sign_in, who, f"/inspections/{on_site.id}/onsite").status_code
    assert status == ON_SITE.get(who, 404)


@pytest.mark.parametrize("who", EVERYONE)
def test_answering_the_checklist(client, sign_in, on_site, who):
    item = on_site.inspection.checklist_items[0]
    response = post_as(client, sign_in, who, f"/inspections/{on_site.id}/answers/{item.id}", {"answer": "compliant"})
    assert response.status_code == {"lead": 302, "inspector": 302, "anonymous": 302}.get(who, 404)


@pytest.mark.parametrize("who", EVERYONE)
def test_raising_a_finding(client, sign_in, on_site, who):
    data = {"title": "Thiếu thẻ công chức", "severity": "minor", "area": "civil_service"}
    response = post_as(client, sign_in, who, f"/inspections/{on_site.id}/findings", data)
    expected = {"lead": 302, "inspector": 302, "anonymous": 302}.get(who, 403 if who in SEES_THE_CASE else 404)
    assert response.status_code == expected
    created = db.session.scalar(db.select(db.func.count(Finding.id)))
    assert created == (1 if expected == 302 and who != "anonymous" else 0)


# The concluded case's team is the lead alone.
SEES_CONCLUDED = SEES_THE_CASE - {"inspector"}


@pytest.fixture
@world
def concluded(act, decide, do_task, people):
    """A concluded case with one finding awaiting the unit's remediation."""
    case = decide(members=())
    plan(do_task, case)
    [finding] = visit(act, do_task, people, case, "lead", ["Không niêm yết thủ tục"])
    keep_all(act, case)
    minutes(do_task, case)
    do_task(case, "conclusion", "director", {"decision": "approve", "summary": "Cần khắc phục"})
    return case, finding


@pytest.mark.parametrize("who", EVERYONE)
def test_only_the_units_officers_report_remediation(client, sign_in, concluded, who):
    case, finding = concluded
    response = post_as(client, sign_in, who, f"/inspections/findings/{finding.id}/report", {"text": "Đã làm"})
    expected = {"officer": 302, "anonymous": 302}.get(who, 403 if who in SEES_CONCLUDED else 404)
    assert response.status_code == expected


@pytest.mark.parametrize("who", EVERYONE)
def test_each_task_page_only_accepts_its_lane(client, sign_in, concluded, who):
    case, _finding = concluded
    task = open_task(case, "remediation")
    response = post_as(client, sign_in, who, f"/tasks/{task.id}", {"confirmed": "y"})
    # The officer may act but has not reported yet: a clear 422, not a 403.
    expected = {"officer": 422, "anonymous": 302}.get(who, 403 if who in SEES_CONCLUDED else 404)
    assert response.status_code == expected


@pytest.mark.parametrize("who", EVERYONE)
def test_the_finding_page(client, sign_in, concluded, who):
    _case, finding = concluded
    expected = 302 if who == "anonymous" else 200 if who in SEES_CONCLUDED else 404
    assert get_as(client, sign_in, who, f"/inspections/findings/{finding.id}").status_code == expected


@pytest.mark.parametrize("who", ["auditor", "officer", "inspector", "director"])
def test_nobody_but_the_lead_consolidates(client, sign_in, act, decide, do_task, people, who):
    case = decide()
    plan(do_task, case)
    finding = raise_finding(act, case, "inspector", "Bàn làm việc thiếu biển tên")
    response = post_as(client, sign_in, who, f"/inspections/findings/{finding.id}/drop", {"reason": "trùng"})
    assert response.status_code == 403


@pytest.fixture
@world
def deciding(act, decide, do_task, people):
    """A case whose conclusion waits for the director (its team: the lead and the inspector)."""
    case = decide()
    plan(do_task, case)
    visit(act, do_task, people, case, "lead", ["Không niêm yết thủ tục"])
    visit(act, do_task, people, case, "inspector")
    keep_all(act, case)
    minutes(do_task, case)
    return case


# The draft conclusion notice is for the directors who approve it and the lead who wrote the minutes; to everyone
# else it does not exist (404), until it is issued.
DRAFT_CONCLUSION = {"director": 200, "lead": 200, "anonymous": 302}


@pytest.mark.parametrize("who", EVERYONE)
def test_the_draft_conclusion_notice_and_the_task_page_that_offers_it(client, sign_in, deciding, who):
    expected = DRAFT_CONCLUSION.get(who, 404)
    assert get_as(client, sign_in, who, f"/inspections/{deciding.id}/conclusion/draft").status_code == expected
    task_page = get_as(client, sign_in, who, f"/tasks/{open_task(deciding, 'conclusion').id}")
    assert task_page.status_code == expected_view(who)
    if task_page.status_code == 200:
        offered = f"/inspections/{deciding.id}/conclusion/draft" in task_page.get_data(as_text=True)
        assert offered == (expected == 200)


@pytest.fixture
@world
def verifying(act, decide, do_task, people):
    """The unit reported on its finding with a photo; the lead verifies."""
    case = decide(members=())
    plan(do_task, case)
    [finding] = visit(act, do_task, people, case, "lead", ["Không niêm yết thủ tục"])
    keep_all(act, case)
    minutes(do_task, case)
    do_task(case, "conclusion", "director", {"decision": "approve", "summary": "Cần khắc phục"})
    data = {"text": "Đã niêm yết", "files": (io.BytesIO(jpeg()), "anh.jpg")}
    act("officer", f"/inspections/findings/{finding.id}/report", data, page=f"/inspections/findings/{finding.id}")
    do_task(case, "remediation", "officer", {"confirmed": "y"})
    return case, db.session.scalars(db.select(EvidenceFile)).one()


@pytest.mark.parametrize("who", EVERYONE)
def test_the_verification_page_and_the_evidence_it_shows(client, sign_in, verifying, who):
    case, photo = verifying
    expected = 302 if who == "anonymous" else 200 if who in SEES_CONCLUDED else 404
    page = get_as(client, sign_in, who, f"/tasks/{open_task(case, 'verification').id}")
    assert page.status_code == expected
    assert get_as(client, sign_in, who, f"/files/{photo.id}").status_code == expected
    if expected == 200:
        text = page.get_data(as_text=True)
        assert f'<img src="/files/{photo.id}"' in text
        assert ('name="verdict_' in text) == (who == "lead"), "only the lead gets the verdicts"
