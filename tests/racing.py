"""Requests sent at the same moment from several signed-in clients, each in its own thread (and session)."""

import threading

from tests.helpers import PASSWORD, csrf_token

THREAD_TIMEOUT = 60  # seconds; only guards against a hang, never asserted as a time


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
    barrier = threading.Barrier(len(posts))
    responses, errors = {}, []

    def submit(name):
        path, form = posts[name]
        try:
            barrier.wait(timeout=THREAD_TIMEOUT)
            responses[name] = clients[name].post(path, data={"csrf_token": tokens[name], **form})
        except Exception as exc:  # reported below, so a failure in a thread fails the test
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=(name,), daemon=True) for name in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=THREAD_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a submission hung"
    assert not errors, errors
    return responses
