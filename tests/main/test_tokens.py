"""API tokens on the profile page: made by name and shown once, listed, revoked with a confirmed POST."""

import re

import pytest

from inspect_app.core.extensions import db
from inspect_app.models import ApiToken, Role
from tests.helpers import csrf_token

TOKEN = re.compile(r'<code id="new-token">(insp_[^<]+)</code>')


@pytest.fixture
def users(create_user):
    return {
        "hoa": create_user("hoa", Role.INSPECTOR, language="en"),
        "nam": create_user("nam", Role.INSPECTOR, language="en"),
    }


def create(client, name="Tablet"):
    return client.post("/profile/tokens", data={"name": name, "csrf_token": csrf_token(client, "/profile")})


def test_a_new_token_is_shown_once_and_works(client, sign_in, users):
    sign_in("hoa")
    response = create(client, "  Máy tính bảng  ")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    [token] = TOKEN.findall(page)
    assert "it is not shown again" in page
    row = db.session.scalar(db.select(ApiToken))
    assert (row.name, row.user.username, row.revoked_at) == ("Máy tính bảng", "hoa", None)
    assert token not in row.token_hash

    again = client.get("/profile").get_data(as_text=True)
    assert token not in again and "Máy tính bảng" in again and "Never" in again
    client.delete_cookie("session")
    assert client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    sign_in("hoa")
    assert "Never" not in client.get("/profile").get_data(as_text=True), "last used is shown"


def test_a_token_needs_a_name(client, sign_in, users):
    sign_in("hoa")
    response = create(client, "   ")
    assert response.status_code == 400
    assert "Token name: This field is required." in response.get_data(as_text=True)
    assert create(client, "x" * 101).status_code == 400
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 0


def test_creating_needs_the_csrf_token(client, sign_in, users):
    sign_in("hoa")
    assert client.post("/profile/tokens", data={"name": "Tablet"}).status_code == 400
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 0


def test_revoking_is_a_confirmed_post_with_csrf(client, sign_in, users):
    sign_in("hoa")
    [token] = TOKEN.findall(create(client).get_data(as_text=True))
    row = db.session.scalar(db.select(ApiToken))
    url = f"/profile/tokens/{row.id}/revoke"
    page = client.get("/profile").get_data(as_text=True)
    assert f'action="{url}"' in page and 'data-confirm="Revoke the token Tablet?' in page
    assert 'src="/static/js/confirm.js?v=' in page, (
        "the page asks before revoking (a script file: the CSP forbids inline)"
    )

    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 400, "no CSRF token"
    db.session.expire_all()
    assert row.revoked_at is None

    response = client.post(url, data={"csrf_token": csrf_token(client, "/profile")}, follow_redirects=True)
    assert response.status_code == 200 and "The token Tablet is revoked" in response.get_data(as_text=True)
    db.session.expire_all()
    assert row.revoked_at is not None
    assert url not in response.get_data(as_text=True), "revoked tokens leave the list"
    client.delete_cookie("session")
    assert client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_another_users_token_is_404_and_stays(client, sign_in, users):
    sign_in("nam")
    create(client, "Nam's tablet")
    row = db.session.scalar(db.select(ApiToken))
    sign_in("hoa")
    page = client.get("/profile").get_data(as_text=True)
    assert "Nam&#39;s tablet" not in page and "Nam's tablet" not in page
    token = csrf_token(client, "/profile")
    assert client.post(f"/profile/tokens/{row.id}/revoke", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/profile/tokens/{row.id + 99}/revoke", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert row.revoked_at is None


def test_signed_out_visitors_are_sent_to_sign_in(client, users):
    response = client.post("/profile/tokens", data={"name": "x", "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 0
