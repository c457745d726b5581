"""Forms posted at the same moment from several signed-in clients, each in its own thread (and session)."""

from functools import partial

from tests.helpers import PASSWORD, at_once, csrf_token


def signed_in_client(app, username: str, password: str = PASSWORD):
    """A client of its own (its own cookies, and its own session when used from another thread), signed in."""
    client = app.test_client()
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302, f"{username} could not sign in"
    return client


def race(clients: dict, posts: dict, form_page: str | None = None) -> dict:
    """Post `posts[name]` (a path and a form) from each named client at the same moment; return each response.

    The CSRF token comes from `form_page`, or from the path itself when it is a page with the form."""
    tokens = {name: csrf_token(clients[name], form_page or path) for name, (path, _form) in posts.items()}
    calls = [
        partial(clients[name].post, path, data={"csrf_token": tokens[name], **form})
        for name, (path, form) in posts.items()
    ]
    return dict(zip(posts, at_once(*calls), strict=True))
