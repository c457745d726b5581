"""Who gets what from every API call: one table of (user, call) → status, by bearer token; anonymous sends none.

A user who may not see a case gets 404 for it and its tasks; one who sees it but whom the lane does not name, 403."""

import pytest

from inspect_app.models import OrgLevel, Role
from tests.api.conftest import documented, task_for
from tests.helpers import fresh_browser

USERS = {
    "admin": [Role.ADMIN],
    "director": [Role.DIRECTOR],
    "lead": [Role.LEAD, Role.INSPECTOR],
    "inspector": [Role.INSPECTOR],
    "inspector2": [Role.INSPECTOR],
    "officer": [Role.UNIT_OFFICER],
    "officer2": [Role.UNIT_OFFICER],
    "auditor": [Role.AUDITOR],
}
EVERYONE = [*USERS, "anonymous"]

SEES_CASE = {"inspector2": 404, "officer2": 404, "anonymous": 401}
# (method, OpenAPI path and query, how to fill it in, JSON body, expected status by user; missing users get 200)
CALLS = {
    "openapi": ("get", "/api/v1/openapi.json", None, None, {}),
    "list tasks": ("get", "/api/v1/tasks", None, None, {"anonymous": 401}),
    "case": ("get", "/api/v1/cases/{reference}", "case", None, SEES_CASE),
    "history": ("get", "/api/v1/cases/{reference}/history", "case", None, SEES_CASE),
    "history after a cursor": ("get", "/api/v1/cases/{reference}/history?cursor=2&per_page=2", "case", None, SEES_CASE),
    # The visit is the inspector's: the lane names lead and inspector, and it is claimed for inspector.
    "complete visit": (
        "post",
        "/api/v1/tasks/{task_id}/complete",
        "visit",
        {"note": "xong"},
        {**{who: 403 for who in USERS}, "inspector": 200, **SEES_CASE},
    ),
    # The report (of the second case, whose visit is done) is the lead's lane's, and nobody has taken it yet.
    "claim report": (
        "post",
        "/api/v1/tasks/{task_id}/claim",
        "report",
        {},
        {**{who: 403 for who in USERS}, "lead": 200, **SEES_CASE},
    ),
}


@pytest.fixture
def world(create_unit, create_user, start_case, api):
    """The demo roles, two running cases about a district (one past its visit), another department's officer."""
    district = create_unit("Huyện Nam Sách", OrgLevel.DISTRICT)
    department = create_unit("Sở Giao thông vận tải")
    units = {"officer": district, "officer2": department}
    users = {name: create_user(name, *roles, unit=units.get(name)) for name, roles in USERS.items()}
    team = {"lead": users["lead"], "members": [users["inspector"]], "actor": users["director"], "unit": district}
    case, later = start_case(**team), start_case(**team)
    visit = task_for(later, "visit")
    assert api(users["inspector"]).post(f"/api/v1/tasks/{visit.id}/complete", json={}).status_code == 200
    targets = {
        "case": {"reference": case.reference},
        "visit": {"task_id": task_for(case, "visit").id},
        "report": {"task_id": task_for(later, "report").id},
    }
    return {"users": users, "targets": targets}


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("call", CALLS)
def test_api_permissions(client, api, world, call, who):
    method, path, target, body, expected = CALLS[call]
    url = path.format(**world["targets"][target]) if target else path
    if who == "anonymous":
        fresh_browser(client)
        kwargs = {"json": body} if method == "post" else {}
        response = getattr(client, method)(url, **kwargs)
    else:
        caller = api(world["users"][who])
        response = caller.post(url, json=body) if method == "post" else caller.get(url)
    assert response.status_code == expected.get(who, 200)
    documented(response, path.partition("?")[0], method)
