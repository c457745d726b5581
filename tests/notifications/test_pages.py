"""The notification pages: the unread count in the top bar, the list, marking read, and who sees what."""

import html
import re
from datetime import UTC, datetime

import pytest

from inspect_app.core import clock
from inspect_app.core.extensions import db
from inspect_app.models import Notification, Role
from tests.helpers import csrf_token, fresh_browser

UNREAD_BADGE = re.compile(r'class="badge unread-count">(\d+)<')
SHOWN = re.compile(r'id="notification-(\d+)"')


def older_link(page: str) -> str | None:
    found = re.search(r'rel="next" href="([^"]+)">Older<', page)
    return found and html.unescape(found.group(1))


def newer_link(page: str) -> str | None:
    found = re.search(r'rel="prev" href="([^"]+)">Newer<', page)
    return found and html.unescape(found.group(1))


def shown(page: str) -> list[int]:
    return [int(number) for number in SHOWN.findall(page)]


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
    second = client.get(older_link(client.get("/notifications/").get_data(as_text=True))).get_data(as_text=True)
    assert "Lập kế hoạch" in second and "Kiểm tra tại chỗ" not in second


def test_an_empty_list_says_so(client, sign_in, create_user):
    sign_in(create_user("auditor", Role.AUDITOR, language="en"))
    assert "No notifications yet." in client.get("/notifications/").get_data(as_text=True)


@pytest.fixture
def many(app, create_user, create_case, create_notification, monkeypatch):
    """17 notifications of mine, written at three moments (so that many share a time, and a later id can be older),
    with someone else's written at each of the same moments; pages of 5."""
    monkeypatch.setitem(app.config, "PAGE_SIZE", 5)
    me, someone = create_user("me", Role.INSPECTOR, language="en"), create_user("someone", Role.INSPECTOR)
    case, moments = create_case(), [datetime(2026, 11, 30, hour, tzinfo=UTC) for hour in (9, 8, 10)]
    mine, theirs = [], []
    for number in range(17):
        monkeypatch.setitem(app.extensions, clock.EXTENSION_KEY, lambda moment=moments[number % 3]: moment)
        own, other = create_notification(me, someone, task=f"Việc số {number}", case=case)
        mine.append(own)
        theirs.append(other)
    newest_first = sorted(mine, key=lambda row: (row.created_at, row.id), reverse=True)
    return {"me": me, "newest_first": [row.id for row in newest_first], "theirs": {row.id for row in theirs}}


def test_many_notifications_page_older_and_newer_without_repeats_or_gaps(client, sign_in, many):
    sign_in(many["me"])
    pages, link = [], "/notifications/"
    while link:  # the first page, then "Older" to the end
        page = client.get(link).get_data(as_text=True)
        pages.append(shown(page))
        link = older_link(page)
    assert [len(ids) for ids in pages] == [5, 5, 5, 2]
    assert [number for ids in pages for number in ids] == many["newest_first"], "each once, newest first"
    assert not many["theirs"] & {number for ids in pages for number in ids}, "never someone else's"

    back, link = [], newer_link(page)
    while link:  # from the last page, "Newer" back to the first
        page = client.get(link).get_data(as_text=True)
        back.append(shown(page))
        link = newer_link(page)
    assert back == pages[-2::-1], "the same pages on the way back"
    assert older_link(page) is not None and newer_link(page) is None, "the first page has only older ones"


def test_marking_read_on_an_older_page_comes_back_to_it_unchanged(client, sign_in, many):
    sign_in(many["me"])
    older = older_link(client.get("/notifications/").get_data(as_text=True))
    before = client.get(older).get_data(as_text=True)
    target = shown(before)[2]
    # The page's own "Mark as read" form, with the page to come back to.
    form = re.search(rf'action="/notifications/{target}/read">(.*?)</form>', before, re.S).group(1)
    back = html.unescape(re.search(r'name="next" value="([^"]+)"', form).group(1))
    response = client.post(
        f"/notifications/{target}/read", data={"csrf_token": csrf_token(client, older), "next": back}
    )
    assert response.status_code == 302 and response.location == older
    after = client.get(older).get_data(as_text=True)
    assert shown(after) == shown(before), "the same notifications, in the same place"
    assert db.session.get(Notification, target).read_at is not None
    assert after.count('class="unread"') == before.count('class="unread"') - 1


def test_a_page_past_the_oldest_says_so_and_a_broken_link_shows_the_newest(client, sign_in, many):
    sign_in(many["me"])
    oldest = many["newest_first"][-1]
    row = db.session.get(Notification, oldest)
    past = client.get("/notifications/", query_string={"before": f"{row.created_at.isoformat()},{row.id}"})
    assert past.status_code == 200
    text = past.get_data(as_text=True)
    assert "There are no more notifications this way." in text and shown(text) == []
    assert 'href="/notifications/">Show the newest<' in text and "No notifications yet." not in text
    for broken in ("abc", "1", f"{row.created_at.isoformat()},x", "2026-13-01T00:00:00+00:00,1"):
        page = client.get("/notifications/", query_string={"before": broken})
        assert page.status_code == 200 and shown(page.get_data(as_text=True)) == many["newest_first"][:5], broken


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


def test_the_pages_speak_vietnamese(client, sign_in, many):
    many["me"].language = "vi"
    db.session.commit()
    sign_in(many["me"])
    first = client.get("/notifications/").get_data(as_text=True)
    older = re.search(r'rel="next" href="([^"]+)">Cũ hơn<', first).group(1)
    assert re.search(r'rel="prev" href="[^"]+">Mới hơn<', client.get(html.unescape(older)).get_data(as_text=True))
    row = db.session.get(Notification, many["newest_first"][-1])
    past = client.get("/notifications/", query_string={"before": f"{row.created_at.isoformat()},{row.id}"})
    assert "Không còn thông báo nào theo hướng này." in past.get_data(as_text=True)
