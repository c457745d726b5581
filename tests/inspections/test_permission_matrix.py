"""Who may do what at each step of an inspection: only the lane's users act; the other unit cannot even see it."""

import pytest

from inspect_app.core.extensions import db
from inspect_app.models import Finding
from tests.helpers import csrf_token, fresh_browser
from tests.inspections.conftest import PEOPLE, open_task
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
