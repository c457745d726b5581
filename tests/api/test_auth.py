"""Who may call the API: bearer tokens from the CLI or the profile page, or a signed-in browser; everyone else 401."""

from inspect_app.core.extensions import db
from inspect_app.models import ApiToken
from tests.api.conftest import documented
from tests.helpers import fresh_browser

TASKS = "/api/v1/tasks"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_the_last_line_of_create_token_is_a_working_bearer_token(app, client, people, case):
    result = app.test_cli_runner().invoke(args=["inspect", "create-token", "inspector", "--name", "tablet"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    response = client.get(TASKS, headers=bearer(token))
    assert response.status_code == 200
    assert [t["claimed_by"] for t in documented(response, TASKS)["tasks"]] == ["inspector"]
    assert "Set-Cookie" not in response.headers, "a token call starts no session"
    row = db.session.scalar(db.select(ApiToken))
    assert (row.name, row.user.username) == ("tablet", "inspector")
    assert row.last_used_at is not None and token not in row.token_hash


def test_last_used_is_noted_at_most_once_a_minute(client, people, token_for, clock):
    token = token_for(people["inspector"])
    client.get(TASKS, headers=bearer(token))
    first = db.session.scalar(db.select(ApiToken.last_used_at))
    assert first == clock.now
    clock.advance(seconds=30)
    client.get(TASKS, headers=bearer(token))
    assert db.session.scalar(db.select(ApiToken.last_used_at)) == first
    clock.advance(minutes=1)
    client.get(TASKS, headers=bearer(token))
    assert db.session.scalar(db.select(ApiToken.last_used_at)) == clock.now


def test_no_token_gets_401_json_with_a_bearer_challenge_not_a_sign_in_redirect(client, people):
    response = client.get(TASKS)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization" in documented(response, TASKS)["message"]


def test_bad_revoked_and_inactive_users_tokens_get_401(client, people, token_for):
    good = token_for(people["inspector"])
    assert client.get(TASKS, headers=bearer(good)).status_code == 200
    for header in (f"Bearer {good}x", "Bearer insp_nope", f"Token {good}", good, "Bearer "):
        response = client.get(TASKS, headers={"Authorization": header})
        assert response.status_code == 401, header
        documented(response, TASKS)

    row = db.session.scalar(db.select(ApiToken))
    row.revoked_at = row.created_at
    db.session.commit()
    assert client.get(TASKS, headers=bearer(good)).status_code == 401

    other = token_for(people["inspector2"])
    people["inspector2"].is_active = False
    db.session.commit()
    assert client.get(TASKS, headers=bearer(other)).status_code == 401


def test_a_signed_in_browser_may_call_the_api_too(client, sign_in, people, case):
    sign_in("inspector")
    response = client.get(TASKS)
    assert response.status_code == 200 and documented(response, TASKS)["total"] == 1
    fresh_browser(client)
    assert client.get(TASKS).status_code == 401


def test_a_bad_token_is_refused_even_beside_a_session(client, sign_in, people):
    sign_in("inspector")
    assert client.get(TASKS, headers=bearer("insp_forged")).status_code == 401


def test_a_token_does_not_open_the_html_pages(client, people, token_for):
    response = client.get("/tasks/", headers=bearer(token_for(people["inspector"])))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
