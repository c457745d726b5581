"""Sign-in, sign-out, CSRF, throttling and the absence of account enumeration."""

from datetime import timedelta

from inspect_app.core.extensions import db
from inspect_app.demo.organisation import DEMO_PASSWORD, USERS, load_demo
from inspect_app.models import LoginAttempt, Role
from tests.helpers import PASSWORD, csrf_token, error_flash, fresh_browser, post_login


def test_every_demo_user_can_sign_in(client, sign_in):
    load_demo()
    db.session.commit()
    for username, full_name, _roles, _unit in USERS:
        assert sign_in(username, DEMO_PASSWORD).status_code == 302, username
        assert full_name in client.get("/").get_data(as_text=True)


def test_sign_in_lands_on_the_dashboard_and_sign_out_ends_the_session(client, create_user, sign_in):
    create_user("lan", Role.LEAD, full_name="Trần Thị Lan")
    assert sign_in("lan").headers["Location"] == "/"
    assert "Trần Thị Lan" in client.get("/").get_data(as_text=True)
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_usernames_are_matched_without_case_or_spaces(client, create_user):
    create_user("lan", Role.LEAD)
    assert post_login(client, "  LAN ", PASSWORD).status_code == 302


def test_a_post_without_csrf_token_is_refused(client, create_user):
    create_user("lan", Role.LEAD)
    client.get("/login")
    response = client.post("/login", data={"username": "lan", "password": PASSWORD})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True) or "hết hạn" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302, "nobody was signed in"


def test_sign_out_needs_a_post_with_csrf(client, create_user, sign_in):
    create_user("lan", Role.LEAD)
    sign_in("lan")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200, "still signed in"


def test_wrong_password_and_unknown_user_get_the_same_answer(client, create_user):
    create_user("lan", Role.LEAD)
    wrong = post_login(client, "lan", "not the password", language="en")
    unknown = post_login(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert error_flash(wrong) == error_flash(unknown)


def test_five_failures_in_a_row_lock_the_username_even_for_the_right_password(client, create_user, app):
    create_user("lan", Role.LEAD)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert post_login(client, "lan", "guess").status_code == 401
    locked = post_login(client, "lan", PASSWORD)
    assert locked.status_code == 429
    assert "15" in error_flash(locked)
    assert client.get("/").status_code == 302, "the right password did not get in while locked"


def test_lockout_does_not_reveal_whether_the_username_exists(client, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        post_login(client, "ghost", "guess")
    assert post_login(client, "ghost", "guess").status_code == 429


def test_a_success_resets_the_failure_count(client, create_user, app, sign_in):
    create_user("lan", Role.LEAD)
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        post_login(client, "lan", "guess")
    assert sign_in("lan").status_code == 302
    assert post_login(client, "lan", "guess").status_code == 401


def test_lockout_ends_after_the_window(client, create_user, app):
    create_user("lan", Role.LEAD)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        post_login(client, "lan", "guess")
    for attempt in db.session.scalars(db.select(LoginAttempt)):
        attempt.at -= timedelta(minutes=app.config["LOGIN_LOCKOUT_MINUTES"] + 1)
    db.session.commit()
    assert post_login(client, "lan", PASSWORD).status_code == 302


def test_an_inactive_user_cannot_sign_in(client, create_user):
    create_user("gone", Role.INSPECTOR, is_active=False)
    assert post_login(client, "gone", PASSWORD).status_code == 401


def test_next_goes_only_to_paths_on_this_site(client, create_user):
    create_user("lan", Role.LEAD)
    for target, expected in [("/cases/", "/cases/"), ("https://evil.example/", "/"), ("//evil.example/", "/")]:
        fresh_browser(client)
        token = csrf_token(client)
        response = client.post(
            f"/login?next={target}", data={"username": "lan", "password": PASSWORD, "csrf_token": token}
        )
        assert response.headers["Location"] == expected


def test_session_cookie_is_http_only_and_same_site(client, create_user, sign_in):
    create_user("lan", Role.LEAD)
    response = sign_in("lan")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
