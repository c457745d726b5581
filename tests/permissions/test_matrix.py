"""Who gets what on every page so far: one table of (user, page, expected status)."""

import pytest

from inspect_app.cases.services import close_case
from inspect_app.core.extensions import db
from inspect_app.models import Case
from tests.permissions.conftest import EVERYONE, request_as

# Each user's own notifications, the newest and an older page (each role's marking read: tests/notifications).
SIGNED_IN_PAGES = [
    "/",
    "/profile",
    "/cases/",
    "/notifications/",
    "/notifications/?before=2026-11-30T08:00:00%2B00:00,1",
]
CASE_VIEW = {
    "admin": 200,
    "director": 200,
    "lead": 200,
    "inspector": 200,
    "inspector2": 404,
    "officer": 200,
    "officer2": 404,
    "auditor": 200,
    "anonymous": 302,
}
CASE_PAGES = ["/cases/{case}", "/cases/{case}/history", "/cases/{case}/history.json", "/cases/{case}/history.csv"]
# The history search across cases, and its download.
SEARCH_PAGES = ["/audit/", "/audit/history.csv"]
SEARCH = {
    "admin": 200,
    "director": 200,
    "lead": 404,
    "inspector": 404,
    "inspector2": 404,
    "officer": 404,
    "officer2": 404,
    "auditor": 200,
    "anonymous": 302,
}


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("page", SIGNED_IN_PAGES)
def test_signed_in_pages(client, sign_in, world, who, page):
    response = request_as(client, sign_in, who, page)
    if who == "anonymous":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("who", EVERYONE)
def test_login_page(client, sign_in, world, who):
    response = request_as(client, sign_in, who, "/login")
    assert response.status_code == (200 if who == "anonymous" else 302)


@pytest.mark.parametrize("who", EVERYONE)
def test_health_check_needs_no_sign_in(client, sign_in, world, who):
    response = request_as(client, sign_in, who, "/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("who", EVERYONE)
def test_the_icon_needs_no_sign_in(client, sign_in, world, who):
    response = request_as(client, sign_in, who, "/favicon.ico")
    assert response.status_code == 200
    assert response.data.startswith(b"\x00\x00\x01\x00")  # an ICO file


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("page", CASE_PAGES)
def test_case_pages(client, sign_in, world, who, page):
    response = request_as(client, sign_in, who, page.format(case=world["case"].id))
    assert response.status_code == CASE_VIEW[who]


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("page", SEARCH_PAGES)
def test_history_search_pages(client, sign_in, world, who, page):
    response = request_as(client, sign_in, who, page)
    assert response.status_code == SEARCH[who]


@pytest.mark.parametrize("who", EVERYONE)
def test_a_missing_case_is_404_for_everyone_signed_in(client, sign_in, world, who):
    response = request_as(client, sign_in, who, "/cases/999999")
    assert response.status_code == (302 if who == "anonymous" else 404)


@pytest.mark.parametrize(
    ("who", "sees_district_case", "sees_commune_case"),
    [
        ("admin", True, True),
        ("director", True, True),
        ("auditor", True, True),
        ("lead", True, False),
        ("inspector", True, False),
        ("inspector2", False, False),
        ("officer", True, True),
        ("officer2", False, False),
    ],
)
def test_case_list_shows_exactly_the_visible_cases(client, sign_in, world, who, sees_district_case, sees_commune_case):
    page = request_as(client, sign_in, who, "/cases/").get_data(as_text=True)
    assert (world["case"].reference in page) == sees_district_case
    assert (world["commune_case"].reference in page) == sees_commune_case


def test_visible_to_and_can_view_agree(world):
    cases = db.session.scalars(db.select(Case)).all()
    for user in world["users"].values():
        listed = set(db.session.scalars(db.select(Case.id).where(Case.visible_to(user))))
        assert listed == {case.id for case in cases if case.can_view(user)}, user.username


@pytest.mark.parametrize(
    ("who", "may_edit"),
    [
        ("admin", False),
        ("director", True),
        ("lead", True),
        ("inspector", False),
        ("inspector2", False),
        ("officer", False),
        ("officer2", False),
        ("auditor", False),
    ],
)
def test_who_may_edit_an_open_case_and_nobody_a_closed_one(world, who, may_edit):
    user, case = world["users"][who], world["case"]
    assert case.can_edit(user) is may_edit
    close_case(case, actor=world["users"]["director"], reason="Hoàn thành")
    db.session.commit()
    assert case.can_edit(user) is False
