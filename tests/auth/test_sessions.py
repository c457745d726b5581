"""Sessions end for good: cookies copied before signing out, a new password or deactivation open nothing after;
signing in starts a new session with a new CSRF token. API tokens are not sessions and are kept."""

import pytest

from inspect_app.auth.tokens import issue_token
from inspect_app.core.extensions import db
from inspect_app.models import Role
from tests.helpers import PASSWORD, csrf_token, post_login

COOKIES = ("session", "remember_token")


@pytest.fixture
def lan(create_user):
    return create_user("lan", Role.LEAD, full_name="Trần Thị Lan")


def signed_in(app, user, remember: bool = False):
    """A browser of its own on which `user` signed in (ticking "keep me signed in" if `remember`)."""
    browser = app.test_client()
    response = post_login(browser, user.username, PASSWORD, **({"remember": "y"} if remember else {}))
    assert response.status_code == 302, f"{user.username} could not sign in"
    return browser


def copy_of(app, browser, *names: str):
    """Another browser holding copies of `browser`'s cookies (all of them, or those named)."""
    thief = app.test_client()
    for name in names or COOKIES:
        cookie = browser.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


def is_signed_in(browser, user) -> bool:
    response = browser.get("/")
    return response.status_code == 200 and user.full_name in response.get_data(as_text=True)


def sign_out(browser) -> None:
    assert browser.post("/logout", data={"csrf_token": csrf_token(browser, "/")}).status_code == 302


def test_a_session_cookie_copied_before_signing_out_opens_nothing_after(app, lan):
    browser = signed_in(app, lan)
    copy = copy_of(app, browser, "session")
    assert is_signed_in(copy, lan), "the copy works while the session lasts"

    sign_out(browser)

    assert not is_signed_in(copy, lan)
    assert not is_signed_in(copy_of(app, copy), lan)


def test_a_remember_me_cookie_copied_before_signing_out_opens_nothing_after(app, lan):
    browser = signed_in(app, lan, remember=True)
    copy = copy_of(app, browser, "remember_token")
    assert is_signed_in(copy, lan), "the remember-me cookie alone signs in"

    sign_out(browser)

    assert not is_signed_in(copy_of(app, browser, "remember_token"), lan)
    assert not is_signed_in(copy, lan), "nor the session it started"


def test_signing_out_on_one_device_signs_out_every_device(app, lan):
    laptop, tablet = signed_in(app, lan, remember=True), signed_in(app, lan, remember=True)

    sign_out(laptop)

    assert not is_signed_in(tablet, lan)
    assert is_signed_in(signed_in(app, lan), lan), "signing in again works"


def test_a_new_password_ends_every_session_and_remember_me_cookie(app, lan):
    browser = signed_in(app, lan, remember=True)
    copies = [copy_of(app, browser, name) for name in COOKIES]

    lan.set_password("a new password")
    db.session.commit()

    assert not any(is_signed_in(copy, lan) for copy in [browser, *copies])
    assert post_login(app.test_client(), "lan", "a new password").status_code == 302


def test_deactivating_ends_every_session_for_good_even_after_reactivating(app, lan):
    browser = signed_in(app, lan, remember=True)
    copies = [copy_of(app, browser, name) for name in COOKIES]

    lan.is_active = False
    db.session.commit()
    assert not any(is_signed_in(copy, lan) for copy in [browser, *copies])

    lan.is_active = True
    db.session.commit()
    assert not any(is_signed_in(copy, lan) for copy in [browser, *copies]), "old cookies stay dead"
    assert is_signed_in(signed_in(app, lan), lan)


def test_saving_a_user_without_changing_password_or_activity_keeps_their_sessions(app, lan):
    browser = signed_in(app, lan, remember=True)
    lan.is_active = True
    lan.full_name = "Trần Thị Lan (Thanh tra tỉnh)"
    db.session.commit()
    assert is_signed_in(browser, lan)


def test_signing_out_keeps_the_users_api_tokens(app, client, lan):
    _row, token = issue_token(lan, "tablet")
    db.session.commit()
    sign_out(signed_in(app, lan))
    assert client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_signing_in_starts_a_new_session_with_a_new_csrf_token(app, lan):
    browser = app.test_client()
    token_before = csrf_token(browser)
    cookie_before = browser.get_cookie("session").value
    form = {"username": "lan", "password": PASSWORD, "csrf_token": token_before}
    assert browser.post("/login", data=form).status_code == 302

    token_after = csrf_token(browser, "/")
    assert token_after != token_before
    assert browser.get_cookie("session").value != cookie_before
    assert browser.post("/logout", data={"csrf_token": token_before}).status_code == 400
    assert is_signed_in(browser, lan), "the form with the old token did nothing"
    planted = app.test_client()
    planted.set_cookie("session", cookie_before)
    assert not is_signed_in(planted, lan), "the session from before signing in did not become signed in"
    assert browser.post("/logout", data={"csrf_token": token_after}).status_code == 302


def test_the_language_chosen_before_signing_in_is_kept(app, lan):
    browser = app.test_client()
    form = {"language": "en", "next": "/login", "csrf_token": csrf_token(browser)}
    assert browser.post("/language", data=form).status_code == 302
    form = {"username": "lan", "password": PASSWORD, "csrf_token": csrf_token(browser)}
    assert browser.post("/login", data=form).status_code == 302
    assert '<html lang="en">' in browser.get("/").get_data(as_text=True)
