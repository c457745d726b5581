"""The demo roles and one case about a district, shared by the permission-matrix tests."""

import pytest

from inspect_app.models import OrgLevel, Role
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


@pytest.fixture
def world(create_unit, create_user, create_case, start_case):
    """A district with a commune under it, another department, the demo roles, and one case about the district."""
    district = create_unit("Huyện Nam Sách", OrgLevel.DISTRICT)
    commune = create_unit("Xã An Lâm", OrgLevel.COMMUNE, parent=district)
    department = create_unit("Sở Giao thông vận tải")
    units = {"officer": district, "officer2": department}
    users = {name: create_user(name, *roles, unit=units.get(name)) for name, roles in USERS.items()}
    case = start_case(
        lead=users["lead"],
        members=[users["inspector"]],
        actor=users["director"],
        title="Kiểm tra công vụ Huyện Nam Sách",
        unit=district,
    )
    commune_case = create_case("Kiểm tra Xã An Lâm", unit=commune, actor=users["director"])
    return {"users": users, "case": case, "commune_case": commune_case}


def request_as(client, sign_in, who: str, url: str):
    fresh_browser(client)
    if who != "anonymous":
        sign_in(who)
    return client.get(url)
