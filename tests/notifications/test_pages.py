"""The notification pages: the unread count in the top bar, the list, marking read, and who sees what."""

import re

import pytest

from inspect_app.core.extensions import db
from inspect_app.models import Notification, Role
from tests.helpers import csrf_token, fresh_browser

UNREAD_BADGE = re.compile(r'class="badge unread-count">(\d+)<')


def unread_badge(client) -> int | None:
    match = UNREAD_BADGE.search(client.get("/").get_data(as_text=True))
    return int(match.group(1)) if match else None


def post(client, url: str):
    return client.post(url, data={"csrf_token": csrf_token(client, "/notifications/")})


def test_the_top_bar_shows_the_unread_count(client, sign_in, create_user, create_notification):
    user, other = create_user("officer", Role.UNIT_OFFICER), create_user("other", Role.UNIT_OFFICER)
    create_notification(user, other)
    create_notification(user)
    sign_in(user)
    assert unread_badge(client) == 2
    assert post(client, "/notifications/read-all").status_code == 302
    assert unread_badge(client) is None
    assert 'href="/notifications/"' in client.get("/").get_data(as_text=True), "the link stays, without a count"

    fresh_browser(client)
    page = client.get("/login").get_data(as_text=True)
    assert "/notifications/" not in page and "unread-count" not in page


def test_the_list_is_newest_first_links_to_each_task_and_marks_read(
    app, client, sign_in, create_user, monkeypatch, create_notification
):
    user = create_user("lead", Role.LEAD, language="en")
    older = create_notification(user, task="Lập kế hoạch", task_id=11)
    newer = create_notification(user, task="Kiểm tra tại chỗ", task_id=12)
    sign_in(user)
    page = client.get("/notifications/").get_data(as_text=True)
    assert page.index("Kiểm tra tại chỗ") < page.index("Lập kế hoạch")
    assert 'href="/tasks/12"' in page and 'href="/tasks/11"' in page
    assert page.count('class="unread"') == 2 and "2 unread" in page

    response = post(client, f"/notifications/{older.id}/read")
    assert response.status_code == 302 and response.location.endswith("/notifications/")
    db.session.expire_all()
    assert older.read_at is not None and newer.read_at is None
    page = client.get("/notifications/").get_data(as_text=True)
    assert page.count('class="unread"') == 1 and page.count('class="read"') == 1

    monkeypatch.setitem(app.config, "PAGE_SIZE", 1)
    second = client.get("/notifications/?page=2").get_data(as_text=True)
    assert "Lập kế hoạch" in second and "Kiểm tra tại chỗ" not in second


def test_an_empty_list_says_so(client, sign_in, create_user):
    sign_in(create_user("auditor", Role.AUDITOR, language="en"))
    assert "No notifications yet." in client.get("/notifications/").get_data(as_text=True)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_and_marks_only_their_own(client, sign_in, create_user, create_notification, role):
    me, someone = create_user("me", role), create_user("someone", role)
    mine = create_notification(me, task="Việc của tôi")
    theirs = create_notification(someone, task="Việc của người khác")
    sign_in(me)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "Việc của tôi" in page and "Việc của người khác" not in page
    assert post(client, f"/notifications/{theirs.id}/read").status_code == 404
    assert post(client, "/notifications/read-all").status_code == 302
    db.session.expire_all()
    assert mine.read_at is not None and theirs.read_at is None
    assert db.session.get(Notification, theirs.id).read_at is None


@pytest.mark.parametrize("url", ["/notifications/", "/notifications/1/read", "/notifications/read-all"])
def test_anonymous_is_sent_to_sign_in(client, url):
    if url == "/notifications/":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302 and "/login" in response.location
