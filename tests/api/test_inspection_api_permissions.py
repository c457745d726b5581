"""Who gets what from the inspection calls: one table of (user, call) → status, by bearer token; anonymous sends none.

The case is on site (lead and inspector), about officer's district; inspector2 is not on its team, officer2 works
elsewhere: both get 404. The photo goes on the inspector's own draft finding."""

import io

import pytest
from sqlalchemy import select

from inspect_app.core.extensions import db
from inspect_app.models import Finding
from tests.api.conftest import documented
from tests.api.test_inspections_api import PEOPLE, build_field, decision, finding_body, image, open_on_site
from tests.helpers import fresh_browser

EVERYONE = [*PEOPLE, "anonymous"]
HIDDEN = {"inspector2": 404, "officer2": 404, "anonymous": 401}
REFUSED = dict.fromkeys(PEOPLE, 403)

# (method, OpenAPI path, body: JSON or multipart, expected status by user; users not named get 200)
CALLS = {
    "open inspection": ("post", "/api/v1/cases", "decision", {**REFUSED, "director": 201, "anonymous": 401}),
    "list findings": ("get", "/api/v1/cases/{reference}/findings", None, HIDDEN),
    "raise finding": (
        "post",
        "/api/v1/cases/{reference}/findings",
        "finding",
        {**REFUSED, "lead": 201, "inspector": 201, **HIDDEN},
    ),
    # Only its author adds photos to a draft on site; the lead may once the minutes are being written.
    "add photo": ("post", "/api/v1/findings/{finding_id}/photos", "photo", {**REFUSED, "inspector": 201, **HIDDEN}),
}


@pytest.fixture
def world(create_unit, create_user, deploy, api):
    field = build_field(create_unit, create_user, deploy)
    case = open_on_site(api, field)
    raised = api(field["inspector"]).post(f"/api/v1/cases/{case.reference}/findings", json=finding_body("mine"))
    assert raised.status_code == 201
    return {"users": field, "targets": {"reference": case.reference, "finding_id": raised.get_json()["id"]}}


def request_kwargs(body: str | None) -> dict:
    if body == "decision":
        return {"json": decision(client_id="tablet-1")}
    if body == "finding":
        return {"json": finding_body("tablet-1")}
    if body == "photo":
        return {"data": {"file": (io.BytesIO(image()), "photo.jpg"), "client_id": "tablet-1"}}
    return {}


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("call", CALLS)
def test_inspection_api_permissions(client, api, world, call, who):
    method, path, body, expected = CALLS[call]
    url = path.format(**world["targets"])
    if who == "anonymous":
        fresh_browser(client)
        response = getattr(client, method)(url, **request_kwargs(body))
    else:
        caller = api(world["users"][who])
        response = getattr(caller, method)(url, **request_kwargs(body))
    assert response.status_code == expected.get(who, 200), response.get_json()
    documented(response, path, method)


def test_a_refused_finding_creates_nothing(api, world):
    for who in ("director", "officer", "auditor", "inspector2"):
        api(world["users"][who]).post(
            f"/api/v1/cases/{world['targets']['reference']}/findings", json=finding_body(f"by-{who}")
        )
    assert list(db.session.scalars(select(Finding.client_id).order_by(Finding.id))) == ["mine"]
