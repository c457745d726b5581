"""Who gets what on every checklist admin page: admins only; everyone else 404, anonymous visitors to sign-in."""

import io

import pytest

from inspect_app.models import Role
from tests.checklists.conftest import BASE
from tests.helpers import csrf_token, fresh_browser
from tests.permissions.conftest import EVERYONE, USERS

GET_PAGES = [
    "/",
    "/new",
    "/{t}",
    "/{t}/edit",
    "/{t}/duplicate",
    "/{t}/export.json",
    "/import",
    "/{t}/items/{i}/edit",
    "/{t}/items/{i}/delete",
]
# page, form data, what an admin gets
POSTS = [
    ("/new", {"code": "moi", "name": "Mới"}, 302),
    ("/{t}/edit", {"name": "Đổi tên", "is_active": "y"}, 302),
    ("/{t}/duplicate", {"code": "ban-sao", "name": "Bản sao"}, 302),
    ("/{t}/deactivate", {}, 302),
    ("/import", {"checklist_file": b'{"code": "nhap", "name": "Nhap"}'}, 302),
    ("/{t}/items/new", {"code": "C1", "area": "e_government", "text": "Số hoá"}, 302),
    ("/{t}/items/{i}/edit", {"code": "A1", "area": "civil_service", "text": "Sửa"}, 302),
    ("/{t}/items/{i}/move/down", {}, 302),
    ("/{t}/items/{i}/delete", {}, 302),
]


@pytest.fixture
def people(create_user):
    return {name: create_user(name, *roles, language="en") for name, roles in USERS.items()}


def as_user(client, sign_in, who):
    fresh_browser(client)
    if who != "anonymous":
        sign_in(who)


def url(path, checklist):
    return BASE + path.format(t=checklist.id, i=checklist.items[0].id)


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("page", GET_PAGES)
def test_pages(client, sign_in, people, checklist, who, page):
    as_user(client, sign_in, who)

    response = client.get(url(page, checklist))

    if who == "anonymous":
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == (200 if Role.ADMIN in USERS[who] else 404)


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize(("page", "data", "admin_gets"), POSTS)
def test_actions(client, sign_in, people, checklist, who, page, data, admin_gets):
    as_user(client, sign_in, who)
    token = csrf_token(client, "/login" if who == "anonymous" else "/")
    data = {key: (io.BytesIO(value), "c.json") if isinstance(value, bytes) else value for key, value in data.items()}

    response = client.post(url(page, checklist), data={"csrf_token": token, **data}, content_type="multipart/form-data")

    if who == "anonymous":
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == (admin_gets if Role.ADMIN in USERS[who] else 404)


@pytest.mark.parametrize("who", [name for name in USERS if Role.ADMIN not in USERS[name]])
def test_the_nav_link_is_for_admins_only(client, sign_in, people, who):
    as_user(client, sign_in, who)
    assert f'href="{BASE}/"' not in client.get("/").get_data(as_text=True)
