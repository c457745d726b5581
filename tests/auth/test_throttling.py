"""Sign-in throttling: by username and client address, and by address; counted exactly under parallel guesses;
the client address read from trusted proxies only; old attempts forgotten by the worker."""

from collections import Counter
from functools import partial

import pytest
from sqlalchemy import func, select

from inspect_app import create_app
from inspect_app.core.extensions import db
from inspect_app.models import LoginAttempt, Role
from tests.conftest import make_config
from tests.helpers import PASSWORD, at_once, csrf_token, error_flash, post_login

OUTSIDER = "203.0.113.66"
OWNER = "198.51.100.20"
PROXY = "10.0.0.2"


def browser_at(app, address: str):
    """A browser of its own (its own cookies, its own database session in another thread) calling from `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def attempts(**where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(LoginAttempt.id)).filter_by(**where))


def test_an_outsider_failing_from_one_address_does_not_lock_out_the_owner_elsewhere(app, create_user):
    create_user("director", Role.DIRECTOR)
    outsider = browser_at(app, OUTSIDER)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert post_login(outsider, "director", "guess").status_code == 401
    assert post_login(outsider, "director", PASSWORD).status_code == 429, "locked out where the guesses came from"

    assert post_login(browser_at(app, OWNER), "director", PASSWORD).status_code == 302


def test_one_address_failing_under_many_usernames_is_refused_for_all_of_them(app, create_user):
    create_user("lan", Role.LEAD)
    create_user("outsider", Role.INSPECTOR)
    sprayer = browser_at(app, OUTSIDER)
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    assert limit > app.config["LOGIN_MAX_FAILURES"]
    for number in range(limit - 1):
        assert post_login(sprayer, f"user{number}", "guess").status_code == 401
    # A success under one's own name does not clear the address's failures under other names.
    assert post_login(sprayer, "outsider", PASSWORD).status_code == 302
    assert post_login(sprayer, "someone", "guess").status_code == 401

    refused = post_login(sprayer, "lan", PASSWORD)
    assert refused.status_code == 429
    assert "15" in error_flash(refused)
    assert post_login(browser_at(app, OWNER), "lan", PASSWORD).status_code == 302, "other addresses sign in"


def test_an_ipv6_client_counts_as_its_whole_64_network(app, create_user):
    create_user("lan", Role.LEAD)
    for host in range(1, app.config["LOGIN_MAX_FAILURES"] + 1):
        assert post_login(browser_at(app, f"2001:db8:7:1::{host}"), "lan", "guess").status_code == 401
    assert post_login(browser_at(app, "2001:db8:7:1::ffff"), "lan", PASSWORD).status_code == 429
    assert post_login(browser_at(app, "2001:db8:7:2::1"), "lan", PASSWORD).status_code == 302


def guess_at_once(app, usernames: list[str], address: str = OUTSIDER) -> Counter:
    """Post a wrong password for each username at the same moment, each from its own browser; count the answers."""

    def guess(username: str):
        browser = browser_at(app, address)
        form = {"username": username, "password": "guess", "csrf_token": csrf_token(browser)}
        return partial(browser.post, "/login", data=form)

    responses = at_once(*(guess(username) for username in usernames))
    return Counter(response.status_code for response in responses)


def test_parallel_guesses_at_one_username_get_no_more_checks_than_the_limit(app, create_user):
    create_user("director", Role.DIRECTOR)
    limit = app.config["LOGIN_MAX_FAILURES"]

    statuses = guess_at_once(app, ["director"] * 30)

    assert statuses == {401: limit, 429: 30 - limit}
    assert attempts(username="director", remote_addr=OUTSIDER) == limit


def test_parallel_guesses_at_many_usernames_get_no_more_checks_than_the_address_limit(app, create_user):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]

    statuses = guess_at_once(app, [f"user{number}" for number in range(limit + 10)])

    assert statuses == {401: limit, 429: 10}
    assert attempts(remote_addr=OUTSIDER) == limit


@pytest.fixture(scope="module")
def app_behind_one_proxy(database_url, tmp_path_factory):
    config = type(
        "BehindProxy", (make_config(database_url, str(tmp_path_factory.mktemp("up"))),), {"TRUSTED_PROXIES": 1}
    )
    return create_app(config)


def test_behind_one_trusted_proxy_the_client_address_is_the_one_the_proxy_added(app, app_behind_one_proxy, create_user):
    create_user("director", Role.DIRECTOR)
    outsider, owner = browser_at(app_behind_one_proxy, PROXY), browser_at(app_behind_one_proxy, PROXY)
    # What the outsider writes in X-Forwarded-For comes before what the proxy appends, and is not believed.
    outsider.environ_base["HTTP_X_FORWARDED_FOR"] = f"{OWNER}, {OUTSIDER}"
    owner.environ_base["HTTP_X_FORWARDED_FOR"] = OWNER
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert post_login(outsider, "director", "guess").status_code == 401
    assert post_login(outsider, "director", PASSWORD).status_code == 429

    assert post_login(owner, "director", PASSWORD).status_code == 302
    assert attempts(remote_addr=OUTSIDER, succeeded=False) == app.config["LOGIN_MAX_FAILURES"]
    assert attempts(remote_addr=PROXY) == 0


def test_without_trusted_proxies_x_forwarded_for_is_ignored(app, create_user):
    create_user("director", Role.DIRECTOR)
    outsider = browser_at(app, OUTSIDER)
    for number in range(app.config["LOGIN_MAX_FAILURES"]):
        outsider.environ_base["HTTP_X_FORWARDED_FOR"] = f"192.0.2.{number}"
        assert post_login(outsider, "director", "guess").status_code == 401
    outsider.environ_base["HTTP_X_FORWARDED_FOR"] = OWNER
    assert post_login(outsider, "director", PASSWORD).status_code == 429, "a made-up address does not dodge the limit"
    assert attempts(remote_addr=OUTSIDER) == app.config["LOGIN_MAX_FAILURES"]


WORKER_ONCE = ["inspect", "worker", "--max-loops", "1", "--interval", "0"]


@pytest.mark.parametrize("command", [WORKER_ONCE, ["inspect", "run-timers"]], ids=["worker", "run-timers"])
def test_the_worker_forgets_sign_in_attempts_older_than_a_day(app, create_user, clock, command):
    create_user("lan", Role.LEAD)
    for password in ("guess", PASSWORD):
        post_login(browser_at(app, OUTSIDER), "lan", password)
    clock.advance(hours=app.config["LOGIN_ATTEMPTS_KEEP_HOURS"] - 1)
    post_login(browser_at(app, OWNER), "lan", "guess")
    clock.advance(hours=2)

    result = app.test_cli_runner().invoke(args=command)

    assert result.exit_code == 0, result.output
    assert attempts() == 1
    assert attempts(remote_addr=OWNER) == 1, "the attempt of less than a day ago is kept"


def test_attempts_within_the_lock_out_window_are_kept_however_short_the_keeping(app, create_user, clock, monkeypatch):
    create_user("lan", Role.LEAD)
    monkeypatch.setitem(app.config, "LOGIN_ATTEMPTS_KEEP_HOURS", 0)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        post_login(browser_at(app, OUTSIDER), "lan", "guess")
    clock.advance(minutes=app.config["LOGIN_LOCKOUT_MINUTES"] - 1)

    assert app.test_cli_runner().invoke(args=WORKER_ONCE).exit_code == 0

    assert post_login(browser_at(app, OUTSIDER), "lan", PASSWORD).status_code == 429
    clock.advance(minutes=2)
    assert post_login(browser_at(app, OUTSIDER), "lan", PASSWORD).status_code == 302
