"""Who gets what on every criteria set admin page: admins only; everyone else 404, anonymous visitors to sign-in."""

import io

import pytest
import yaml

from inspect_app.models import Role
from tests.criteria.conftest import BASE, good_document
from tests.helpers import csrf_token, fresh_browser
from tests.permissions.conftest import EVERYONE, USERS

GET_PAGES = ["/", "/import", "/{s}", "/{s}/export.yaml", "/{s}/export.xlsx", "/{s}/duplicate", "/{s}/delete"]
# page, form data, what an admin gets
POSTS = [
    ("/import", {"criteria_file": yaml.safe_dump(good_document()).encode()}, 302),
    ("/{s}/duplicate", {"code": "ban-sao", "name": "Bản sao", "year": "2027"}, 302),
    ("/{s}/delete", {}, 302),
]


@pytest.fixture
def people(create_user):
    return {name: create_user(name, *roles, language="en") for name, roles in USERS.items()}


def as_user(client, sign_in, who):
    fresh_browser(client)
    if who != "anonymous":
        sign_in(who)


def url(path, criteria_set):
    return BASE + path.format(s=criteria_set.id)


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("page", GET_PAGES)
def test_pages(client, sign_in, people, criteria_set, who, page):
    as_user(client, sign_in, who)

    response = client.get(url(page, criteria_set))

    if who == "anonymous":
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == (200 if Role.ADMIN in USERS[who] else 404)


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize(("page", "data", "admin_gets"), POSTS)
def test_actions(client, sign_in, people, criteria_set, who, page, data, admin_gets):
    as_user(client, sign_in, who)
    token = csrf_token(client, "/login" if who == "anonymous" else "/")
    data = {key: (io.BytesIO(value), "c.yaml") if isinstance(value, bytes) else value for key, value in data.items()}

    response = client.post(
        url(page, criteria_set), data={"csrf_token": token, **data}, content_type="multipart/form-data"
    )

    if who == "anonymous":
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == (admin_gets if Role.ADMIN in USERS[who] else 404)


@pytest.mark.parametrize("who", [name for name in USERS if Role.ADMIN not in USERS[name]])
def test_the_nav_link_is_for_admins_only(client, sign_in, people, who):
    as_user(client, sign_in, who)
    assert f'href="{BASE}/"' not in client.get("/").get_data(as_text=True)
